package partnership

import (
	"fmt"
	"strings"
	"time"
)

// IdeaState is where an innovation idea stands.
type IdeaState string

// The states of an idea.
const (
	IdeaPosted   IdeaState = "posted"
	IdeaAdopted  IdeaState = "adopted"  // into a programme or a CSR request
	IdeaDeclined IdeaState = "declined" // with a reason
)

// IdeaMachine is the life of an idea: the forum adopts or declines it.
var IdeaMachine = machine[IdeaState]{
	IdeaPosted: {IdeaAdopted, IdeaDeclined},
}

// Idea is an innovation idea from any pillar.
type Idea struct {
	ID              int64
	Pillar          Stakeholder
	AccountID       int64
	Title           string
	Body            string
	State           IdeaState
	AdoptedIntoType string // programme or request
	AdoptedIntoID   int64
	Reason          string // why it was declined
	MeetingID       int64  // the forum meeting that decided it
	PostedAt        time.Time
	DecidedAt       *time.Time
	Version         int
}

// IdeaInput is what anyone writes in an idea.
type IdeaInput struct {
	Title string `json:"title" form:"title"`
	Body  string `json:"body" form:"body"`
}

// PostIdea validates an idea of one of the pillars and makes it, posted now.
func (r *Region) PostIdea(in IdeaInput, pillar Stakeholder, accountID int64, now time.Time) (*Idea, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if !pillar.Known() {
		return nil, fmt.Errorf("%w: ideas come from one of the four pillars", ErrForbidden)
	}
	if err := checkText("title", in.Title, 1, 200); err != nil {
		return nil, err
	}
	if err := checkText("body", in.Body, 1, 4000); err != nil {
		return nil, err
	}
	return &Idea{Pillar: pillar, AccountID: accountID, Title: strings.TrimSpace(in.Title), Body: strings.TrimSpace(in.Body),
		State: IdeaPosted, PostedAt: now.UTC()}, nil
}

func (i *Idea) name() string { return fmt.Sprintf("idea %d", i.ID) }

// Where an adopted idea goes.
const (
	IntoProgramme = "programme"
	IntoRequest   = "request"
)

// AdoptionInput is the forum's adoption of an idea: into a programme (with
// its area, ward, agency and year) or into a CSR request (with its area,
// ward and amount).
type AdoptionInput struct {
	Meeting       int64  `json:"meeting"`
	Into          string `json:"into"` // programme or request
	Area          string `json:"area"`
	Ward          string `json:"ward"`
	Title         string `json:"title"` // defaults to the idea's
	SectorAgency  string `json:"sectorAgency"`
	FiscalYear    int    `json:"fiscalYear"`
	Beneficiaries int    `json:"beneficiaries"`
	Amount        Rupiah `json:"amount"`
}

// AdoptIdea adopts a posted idea at a held forum meeting and makes what it
// becomes: a programme or a CSR request. The caller stores it and then calls
// Adopted with its id.
func (r *Region) AdoptIdea(i *Idea, m *ForumMeeting, in AdoptionInput, now time.Time) (*Programme, *CSRRequest, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, nil, err
	}
	if err := m.Open(); err != nil {
		return nil, nil, err
	}
	if err := IdeaMachine.Check(i.name(), i.State, IdeaAdopted); err != nil {
		return nil, nil, err
	}
	if err := r.checkArea("area", in.Area); err != nil {
		return nil, nil, err
	}
	if in.Ward != "" && r.ScopeLevel(in.Ward) != "ward" {
		return nil, nil, Invalid("ward", "%q is not a ward of %s", in.Ward, r.Name)
	}
	title := orDefault(in.Title, i.Title)
	if err := checkText("title", title, 1, 200); err != nil {
		return nil, nil, err
	}
	switch in.Into {
	case IntoProgramme:
		pi := ProgrammeInput{SectorAgency: in.SectorAgency, Beneficiaries: in.Beneficiaries, Title: title}
		if err := pi.check(); err != nil {
			return nil, nil, err
		}
		year := r.year(now)
		if in.FiscalYear == 0 {
			in.FiscalYear = year
		}
		if err := checkYear("fiscalYear", in.FiscalYear, year); err != nil {
			return nil, nil, err
		}
		return &Programme{Source: FromIdea, Area: in.Area, WardCode: in.Ward, Title: title, SectorAgency: strings.TrimSpace(in.SectorAgency),
			FiscalYear: in.FiscalYear, State: ProgrammeActive, Beneficiaries: in.Beneficiaries, IdeaID: i.ID, CreatedAt: now.UTC()}, nil, nil
	case IntoRequest:
		if in.Ward == "" {
			return nil, nil, Invalid("ward", "a CSR request is for one ward")
		}
		if err := CheckAmount("amount", in.Amount, false); err != nil {
			return nil, nil, err
		}
		q := &CSRRequest{Source: SourceIdea, Area: in.Area, WardCode: in.Ward, Amount: in.Amount, Title: title, Description: i.Body}
		r.open(q, now)
		return nil, q, nil
	}
	return nil, nil, Invalid("into", "programme or request")
}

// Adopted records what the idea became, adopted at the meeting.
func (i *Idea) Adopted(m *ForumMeeting, into string, id int64, now time.Time) {
	t := now.UTC()
	i.State, i.AdoptedIntoType, i.AdoptedIntoID, i.MeetingID, i.DecidedAt = IdeaAdopted, into, id, m.ID, &t
}

// DeclineIdea declines a posted idea at a held forum meeting, with a reason.
func (i *Idea) DeclineIdea(m *ForumMeeting, reason string, now time.Time) error {
	if err := m.Open(); err != nil {
		return err
	}
	if err := IdeaMachine.Check(i.name(), i.State, IdeaDeclined); err != nil {
		return err
	}
	if err := checkText("reason", reason, 1, 1000); err != nil {
		return err
	}
	t := now.UTC()
	i.State, i.Reason, i.MeetingID, i.DecidedAt = IdeaDeclined, strings.TrimSpace(reason), m.ID, &t
	return nil
}
