package partnership

import (
	"strings"
	"time"
	"unicode/utf8"
)

// AspirationState is where a resident's aspiration stands.
type AspirationState string

// The states of an aspiration.
const (
	AspirationSubmitted    AspirationState = "submitted"
	AspirationAcknowledged AspirationState = "acknowledged"
	AspirationMerged       AspirationState = "merged"   // taken into a proposal
	AspirationDeclined     AspirationState = "declined" // with a reason
)

// AspirationMachine is the life of an aspiration: the institution acknowledges
// it, merges it into a proposal, or declines it with a reason.
var AspirationMachine = machine[AspirationState]{
	AspirationSubmitted:    {AspirationAcknowledged, AspirationMerged, AspirationDeclined},
	AspirationAcknowledged: {AspirationMerged, AspirationDeclined},
}

// Aspiration is what a resident asks of an institution of their ward.
type Aspiration struct {
	ID          int64
	Institution string // institution key, e.g. "32.73.01.1001/rw-03"
	WardCode    string
	AccountID   int64 // the resident
	Title       string
	Body        string
	State       AspirationState
	Reason      string // why it was declined
	ProposalID  int64  // the proposal it was merged into
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// NewAspiration is what a resident submits.
type NewAspiration struct {
	Institution string `json:"institution" form:"institution"`
	Title       string `json:"title" form:"title"`
	Body        string `json:"body" form:"body"`
}

// Institution finds one of the region's institutions by its key. It makes
// only the institution the key names, not the region's whole list: it runs
// on every write that names an institution.
func (r *Region) Institution(key string) (Institution, bool) { return r.institution(key) }

// InstitutionType finds a type of institution by its key.
func (r *Region) InstitutionType(key string) (InstitutionType, bool) {
	for _, t := range r.InstitutionTypes {
		if t.Key == key {
			return t, true
		}
	}
	return InstitutionType{}, false
}

func checkText(field, s string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n < min && min == 1:
		return Invalid(field, "required")
	case n < min:
		return Invalid(field, "at least %d characters", min)
	case n > max:
		return Invalid(field, "at most %d characters", max)
	}
	return nil
}

// Aspiration validates a resident's aspiration and makes it, submitted now.
func (r *Region) Aspiration(n NewAspiration, accountID int64, now time.Time) (*Aspiration, error) {
	in, ok := r.Institution(n.Institution)
	if !ok {
		return nil, Invalid("institution", "%q is not an institution of %s", n.Institution, r.Name)
	}
	if err := checkText("title", n.Title, 1, 120); err != nil {
		return nil, err
	}
	if err := checkText("body", n.Body, 1, 4000); err != nil {
		return nil, err
	}
	now = now.UTC()
	return &Aspiration{
		Institution: in.Key, WardCode: in.WardCode, AccountID: accountID,
		Title: strings.TrimSpace(n.Title), Body: strings.TrimSpace(n.Body),
		State: AspirationSubmitted, SubmittedAt: now, UpdatedAt: now,
	}, nil
}

// Respond moves an aspiration: acknowledge, decline (a reason is required) or
// merge into a proposal of the same institution.
func (a *Aspiration) Respond(to AspirationState, reason string, proposal *Proposal, now time.Time) error {
	if err := AspirationMachine.Check("the aspiration", a.State, to); err != nil {
		return err
	}
	switch to {
	case AspirationDeclined:
		if err := checkText("reason", reason, 1, 1000); err != nil {
			return err
		}
		a.Reason = strings.TrimSpace(reason)
	case AspirationMerged:
		if proposal == nil {
			return Invalid("proposal", "name the proposal the aspiration is merged into")
		}
		if proposal.Institution != a.Institution {
			return Invalid("proposal", "proposal %d belongs to another institution", proposal.ID)
		}
		a.ProposalID = proposal.ID
	}
	a.State, a.UpdatedAt = to, now.UTC()
	return nil
}
