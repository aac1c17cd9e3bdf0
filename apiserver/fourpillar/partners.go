package fourpillar

import (
	"context"
	"fmt"
	"strconv"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Registration is a company's or university's registration as sent: what it
// says of itself, and its participation letter and proposal as uploaded
// (nil when not sent).
type Registration struct {
	partnership.PartnerInput
	Letter, Proposal *partnership.Upload
}

// RegisterPartner takes a registration. Anyone the region's policy lets
// register does it for their own account; the documents are checked by
// their bytes and stored with it.
func RegisterPartner(ctx context.Context, r *step.Region, a step.Actor, in Registration) (*partnership.Partner, []*partnership.Document, error) {
	var docs []*partnership.Document
	p, err := step.CreateAt(ctx, r, a, documented(partners, &docs), policies.PartnerRegister, r.Root, func(_ context.Context, t *step.Tx) (*partnership.Partner, error) {
		p, err := r.Spec.RegisterPartner(in.PartnerInput, a.AccountID(), t.Now)
		if err != nil {
			return nil, err
		}
		letter, err := document("participationLetter", partnership.PurposeParticipationLetter, in.Letter, t)
		if err != nil {
			return nil, err
		}
		proposal, err := document("proposal", partnership.PurposeProposal, in.Proposal, t)
		if err != nil {
			return nil, err
		}
		docs = []*partnership.Document{letter, proposal}
		return p, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return p, docs, nil
}

// ReviewPartner records the forum secretariat's check of a registration
// against the third-party-contribution checklist and puts it on a forum
// meeting's agenda. Nobody reviews their own registration.
func ReviewPartner(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.ReviewInput) (*partnership.Partner, error) {
	reviewed := partners.Telling(func(p *partnership.Partner, rec *step.Record) { rec.After["review"] = p.Review })
	return step.Change(ctx, r, a, reviewed, id, policies.PartnerReview, func(ctx context.Context, t *step.Tx, p *partnership.Partner) error {
		if a.Is(p.AccountID) {
			return fmt.Errorf("%w: nobody reviews their own registration", partnership.ErrForbidden)
		}
		var m *partnership.ForumMeeting
		if in.Meeting != 0 {
			var err error
			if m, err = named(ctx, t, store.GetForumMeeting, in.Meeting, "meeting", "forum meeting"); err != nil {
				return err
			}
		}
		return p.ReviewPartner(in, m, a.AccountID(), t.Now)
	})
}

// ForumDecision is a decision of the forum at one of its held meetings:
// approve or reject a registration, approve or send back a plan.
type ForumDecision struct {
	Meeting  int64  `json:"meeting" form:"meeting"`
	Decision string `json:"decision" form:"decision"`
	Reason   string `json:"reason" form:"reason"`
}

// DecidePartner records the forum's decision on a registration at a held
// meeting, minuted. Approval gives the partner's account its pillar's role
// for the whole region in the same transaction, audited as a grant. Nobody
// decides on their own registration.
func DecidePartner(ctx context.Context, r *step.Region, a step.Actor, id int64, in ForumDecision) (*partnership.Partner, error) {
	return step.Change(ctx, r, a, partners, id, policies.PartnerDecide, func(ctx context.Context, t *step.Tx, p *partnership.Partner) error {
		m, err := heldMeeting(ctx, t, in.Meeting)
		if err != nil {
			return err
		}
		if a.Is(p.AccountID) {
			return fmt.Errorf("%w: nobody decides on their own registration", partnership.ErrForbidden)
		}
		if err := p.DecidePartner(m, in.Decision, in.Reason, t.Now); err != nil {
			return err
		}
		if err := minute(ctx, t, m, partnership.SubjectPartner, p.ID, in.Decision, p.Reason); err != nil {
			return err
		}
		if p.State == partnership.PartnerApproved && p.AccountID != 0 {
			return grantPartnerRole(ctx, t, p)
		}
		return nil
	})
}

// grantPartnerRole gives an approved partner's account the role of its
// pillar at the region's scope, unless it holds it already.
func grantPartnerRole(ctx context.Context, t *step.Tx, p *partnership.Partner) error {
	role := policies.Company
	if p.Kind.Stakeholder() == partnership.StakeholderUniversity {
		role = policies.University
	}
	g, err := accounts.Ensure(ctx, t, p.AccountID, role, t.Region.Root)
	if err != nil || g == nil {
		return err
	}
	t.Audit(step.Record{Action: policies.GrantManage, ObjectType: "grant", ObjectID: strconv.FormatInt(g.ID, 10),
		After:    map[string]any{"account": g.AccountID, "role": g.Role, "scope": g.Scope, "reason": fmt.Sprintf("the forum approved partner %d", p.ID)},
		Concerns: []int64{p.AccountID}})
	return nil
}

// PartnerQuery narrows the list of partners.
type PartnerQuery struct {
	// Mine lists the asker's own partners, in any state (or State).
	Mine  bool
	State partnership.PartnerState
	Area  string
	After int64
	Limit int
}

// Partners lists the approved partners for everyone; the forum secretariat
// lists registrations in any state, and anyone signed in their own.
func Partners(ctx context.Context, r *step.Region, a step.Actor, q PartnerQuery) ([]*partnership.Partner, error) {
	f := store.PartnerFilter{State: partnership.PartnerApproved, Area: q.Area, AfterID: q.After, Limit: q.Limit}
	switch {
	case q.Mine:
		if f.AccountID = a.AccountID(); f.AccountID == 0 {
			return nil, fmt.Errorf("%w: sign in to list your partners", partnership.ErrUnauthenticated)
		}
		f.State = q.State
	case secretariat(r, a):
		f.State = q.State
	case q.State != "" && q.State != partnership.PartnerApproved:
		return nil, fmt.Errorf("%w: only the forum secretariat lists registrations that are not approved", partnership.ErrForbidden)
	}
	return store.ListPartners(ctx, r.DB, f)
}

// PartnerView is a partner as someone sees it, with the forum's decisions on
// it; insiders — the forum secretariat and the partner's own account — also
// see its review and its documents.
type PartnerView struct {
	*partnership.Partner
	Insider   bool
	Documents []*partnership.Document
	Decisions []store.ForumDecisionRecord
}

// Partner shows an approved partner to everyone; a registration not approved
// exists only for insiders.
func Partner(ctx context.Context, r *step.Region, a step.Actor, id int64) (PartnerView, error) {
	p, err := store.GetPartner(ctx, r.DB, id)
	if err != nil {
		return PartnerView{}, err
	}
	v := PartnerView{Partner: p, Insider: secretariat(r, a) || a.Is(p.AccountID)}
	if p.State != partnership.PartnerApproved && !v.Insider {
		return PartnerView{}, fmt.Errorf("%w: no partner %d", partnership.ErrNotFound, id)
	}
	if v.Insider {
		if v.Documents, err = store.Documents(ctx, r.DB, "partner", p.ID); err != nil {
			return PartnerView{}, err
		}
	}
	if v.Decisions, err = store.ForumDecisions(ctx, r.DB, 0, partnership.SubjectPartner, p.ID); err != nil {
		return PartnerView{}, err
	}
	return v, nil
}

// secretariat reports whether the actor works the registrations: holds
// partner:review for the whole region.
func secretariat(r *step.Region, a step.Actor) bool { return r.May(a, policies.PartnerReview, r.Root) }

// actingPartner is the partner the actor acts for: the one named, which must
// be theirs, or else their only approved partner (of the pillar, when one is
// given). Whether it is approved is for the domain to say.
func actingPartner(ctx context.Context, t *step.Tx, id int64, pillar partnership.Stakeholder) (*partnership.Partner, error) {
	me := t.Actor.AccountID()
	if id != 0 {
		p, err := named(ctx, t, store.GetPartner, id, "partner", "partner")
		if err != nil {
			return nil, err
		}
		if p.AccountID != me {
			return nil, fmt.Errorf("%w: partner %d is not yours to act for", partnership.ErrForbidden, id)
		}
		return p, nil
	}
	ps, err := store.ListPartners(ctx, t, store.PartnerFilter{AccountID: me})
	if err != nil {
		return nil, err
	}
	var approved []*partnership.Partner
	for _, p := range ps {
		if p.State == partnership.PartnerApproved && (pillar == "" || p.Kind.Stakeholder() == pillar) {
			approved = append(approved, p)
		}
	}
	switch {
	case len(approved) == 1:
		return approved[0], nil
	case len(approved) > 1:
		return nil, partnership.Invalid("partner", "you act for %d partners; name the one this is for", len(approved))
	case len(ps) > 0:
		return ps[len(ps)-1], nil // not approved: the domain says so
	}
	return nil, fmt.Errorf("%w: you act for no partner of %s; register as one first", partnership.ErrForbidden, t.Region.Spec.Name)
}

// ApprovedPartnersOf lists the approved partners an account acts for; none
// for nobody.
func ApprovedPartnersOf(ctx context.Context, r *step.Region, account int64) ([]*partnership.Partner, error) {
	if account == 0 {
		return nil, nil
	}
	return store.ListPartners(ctx, r.DB, store.PartnerFilter{AccountID: account, State: partnership.PartnerApproved})
}
