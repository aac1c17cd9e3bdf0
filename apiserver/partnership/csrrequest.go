package partnership

import (
	"fmt"
	"strings"
	"time"
)

// RequestState is where a CSR request stands.
type RequestState string

// The states of a CSR request.
const (
	RequestOpen       RequestState = "open"       // partners working in its area may claim it
	RequestClaimed    RequestState = "claimed"    // by one partner
	RequestProgrammed RequestState = "programmed" // a programme follows it up
	RequestExpired    RequestState = "expired"    // nobody claimed it in time
	RequestWithdrawn  RequestState = "withdrawn"  // by whoever submitted it
)

// RequestMachine is the life of a CSR request.
var RequestMachine = machine[RequestState]{
	RequestOpen:    {RequestClaimed, RequestExpired, RequestWithdrawn},
	RequestClaimed: {RequestProgrammed},
}

// Where CSR requests come from.
const (
	SourceResident   = "resident"   // a resident
	SourceCommunity  = "community"  // a community institution or group
	SourceMusrenbang = "musrenbang" // a proposal a kecamatan Musrenbang offered to companies
	SourceIdea       = "idea"       // an innovation idea the forum adopted
)

// CSRRequest is what residents and communities ask partners to take up.
type CSRRequest struct {
	ID                 int64
	Source             string
	ProposalID         int64 // the two-pillar proposal it came from
	AccountID          int64 // who submitted it; 0 for a Musrenbang's
	Area               string
	WardCode           string
	Amount             Rupiah
	Title              string
	Description        string
	PreferredPartnerID int64
	State              RequestState
	ClaimedBy          int64 // the partner
	ClaimedAt          *time.Time
	CreatedAt          time.Time
	ExpiresAt          time.Time // unclaimed by then, it expires
	Version            int
}

// CSRRequestInput is what a resident or community writes in a request.
type CSRRequestInput struct {
	Area             string `json:"area" form:"area"`
	Ward             string `json:"ward" form:"ward"`
	Amount           Rupiah `json:"amount" form:"amount"`
	Title            string `json:"title" form:"title"`
	Description      string `json:"description" form:"description"`
	PreferredPartner int64  `json:"preferredPartner" form:"preferredPartner"`
}

// NewCSRRequest validates a request and makes it, open now until the
// region's expiry. preferred is the partner it names, if it names one.
func (r *Region) NewCSRRequest(in CSRRequestInput, source string, accountID int64, preferred *Partner, now time.Time) (*CSRRequest, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if source != SourceResident && source != SourceCommunity {
		return nil, Invalid("source", "resident or community")
	}
	if err := r.checkArea("area", in.Area); err != nil {
		return nil, err
	}
	if r.ScopeLevel(in.Ward) != "ward" {
		return nil, Invalid("ward", "%q is not a ward of %s", in.Ward, r.Name)
	}
	if err := CheckAmount("amount", in.Amount, false); err != nil {
		return nil, err
	}
	if err := checkText("title", in.Title, 1, 200); err != nil {
		return nil, err
	}
	if err := checkText("description", in.Description, 1, 4000); err != nil {
		return nil, err
	}
	q := &CSRRequest{Source: source, AccountID: accountID, Area: in.Area, WardCode: in.Ward, Amount: in.Amount,
		Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description)}
	if in.PreferredPartner != 0 {
		if preferred == nil || preferred.ID != in.PreferredPartner || preferred.State != PartnerApproved {
			return nil, Invalid("preferredPartner", "partner %d is not an approved partner of %s", in.PreferredPartner, r.Name)
		}
		q.PreferredPartnerID = preferred.ID
	}
	r.open(q, now)
	return q, nil
}

func (r *Region) open(q *CSRRequest, now time.Time) {
	q.State, q.CreatedAt = RequestOpen, now.UTC()
	q.ExpiresAt = q.CreatedAt.Add(r.FourPillar.RequestExpiry)
}

// CSRRequestFromProposal makes the request a two-pillar proposal becomes when
// a kecamatan Musrenbang offers it to companies: its ward, cost, title and
// description. area is the priority area the Musrenbang put it in; without
// one the request is open to partners of every area working in its kecamatan.
func (r *Region) CSRRequestFromProposal(p *Proposal, area string, now time.Time) (*CSRRequest, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if p.State != ProposalCSR {
		return nil, fmt.Errorf("%w: proposal %d is %s; only a proposal decided csr becomes a CSR request", ErrConflict, p.ID, p.State)
	}
	if area != "" {
		if err := r.checkArea("area", area); err != nil {
			return nil, err
		}
	}
	q := &CSRRequest{Source: SourceMusrenbang, ProposalID: p.ID, Area: area, WardCode: p.WardCode, Amount: p.Cost,
		Title: p.Title, Description: p.Description}
	r.open(q, now)
	return q, nil
}

func (q *CSRRequest) name() string { return fmt.Sprintf("CSR request %d", q.ID) }

// Claim takes an open request for an approved partner working in its area
// and kecamatan, before it expires.
func (q *CSRRequest) Claim(p *Partner, now time.Time) error {
	if err := p.Active(); err != nil {
		return err
	}
	if err := RequestMachine.Check(q.name(), q.State, RequestClaimed); err != nil {
		if q.State == RequestClaimed {
			return &ClaimedError{Request: q.ID, By: q.ClaimedBy}
		}
		return err
	}
	if !now.Before(q.ExpiresAt) {
		return fmt.Errorf("%w: %s expired at %s", ErrConflict, q.name(), q.ExpiresAt.Format(time.RFC3339))
	}
	if !p.WorksIn(q.Area, q.WardCode) {
		return fmt.Errorf("%w: partner %d (%s) does not work in the area %q and the ward %s of %s", ErrForbidden, p.ID, p.Name, q.Area, q.WardCode, q.name())
	}
	t := now.UTC()
	q.State, q.ClaimedBy, q.ClaimedAt = RequestClaimed, p.ID, &t
	return nil
}

// ClaimedError refuses a claim on a request another partner claimed first.
type ClaimedError struct {
	Request, By int64
}

func (e *ClaimedError) Error() string {
	return fmt.Sprintf("CSR request %d is already claimed by partner %d", e.Request, e.By)
}

// Unwrap makes a lost claim a conflict.
func (e *ClaimedError) Unwrap() error { return ErrConflict }

// Details gives the winner to the client.
func (e *ClaimedError) Details() map[string]any {
	return map[string]any{"request": e.Request, "claimedBy": e.By}
}

// Withdraw takes back an open request; only whoever submitted it may.
func (q *CSRRequest) Withdraw(accountID int64) error {
	if q.AccountID == 0 || q.AccountID != accountID {
		return fmt.Errorf("%w: only whoever submitted %s may withdraw it", ErrForbidden, q.name())
	}
	if err := RequestMachine.Check(q.name(), q.State, RequestWithdrawn); err != nil {
		return err
	}
	q.State = RequestWithdrawn
	return nil
}

// Expire closes an open request nobody claimed by its expiry.
func (q *CSRRequest) Expire(now time.Time) error {
	if err := RequestMachine.Check(q.name(), q.State, RequestExpired); err != nil {
		return err
	}
	if now.Before(q.ExpiresAt) {
		return fmt.Errorf("%w: %s is open until %s", ErrConflict, q.name(), q.ExpiresAt.Format(time.RFC3339))
	}
	q.State = RequestExpired
	return nil
}
