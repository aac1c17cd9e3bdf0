package fourpillar

import (
	"context"
	"slices"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/policies"
)

// Work is what of the four-pillar workflow waits for one grant: what the
// grant's work queue lists, and what a digest of the day counts. The lists
// of the forum and of partners are read only where the region runs the
// four-pillar model.
type Work struct {
	// The forum secretariat's: every forum meeting, the oldest first; the
	// registrations to review (registered), then to decide (reviewed); the
	// plans to align (submitted), then to decide (aligned); the sanctions to
	// issue or dismiss (recommended) or to lift (issued).
	Meetings      []*partnership.ForumMeeting
	Registrations []*partnership.Partner
	Plans         []PlanWork
	Sanctions     []NamedSanction
	// A company's or university's: each approved partner the account acts
	// for with its own work, and the sanctions on them, the newest first.
	Partners []PartnerWork
	Notices  []NamedSanction
}

// PlanWork is a plan waiting for the forum, with its partner: nil when the
// partner cannot be read.
type PlanWork struct {
	*partnership.CSRPlan
	Partner *partnership.Partner
}

// PartnerWork is an approved partner's own work: its plans and its
// realisations, the newest first, and its programmes not cancelled.
type PartnerWork struct {
	*partnership.Partner
	Plans        []*partnership.CSRPlan
	Programmes   []*partnership.Programme
	Realisations []*partnership.Realisation
}

// WorkOf reads what waits for the actor's grant g.
func WorkOf(ctx context.Context, r *step.Region, a step.Actor, g authz.Grant) (Work, error) {
	var w Work
	runs := r.Spec.Runs(partnership.FourPillar)
	switch g.Role {
	case policies.CSRForumSecretariat:
		all, err := Sanctions(ctx, r, a, SanctionQuery{})
		if err != nil {
			return Work{}, err
		}
		for _, s := range all {
			if s.State == partnership.SanctionRecommended || s.State == partnership.SanctionIssued {
				w.Sanctions = append(w.Sanctions, s)
			}
		}
		if !runs {
			break
		}
		if w.Meetings, err = store.ListForumMeetings(ctx, r.DB, store.ForumFilter{Limit: 500}); err != nil {
			return Work{}, err
		}
		for _, st := range []partnership.PartnerState{partnership.PartnerRegistered, partnership.PartnerReviewed} {
			ps, err := store.ListPartners(ctx, r.DB, store.PartnerFilter{State: st, Limit: 200})
			if err != nil {
				return Work{}, err
			}
			w.Registrations = append(w.Registrations, ps...)
		}
		for _, st := range []partnership.PlanState{partnership.PlanSubmitted, partnership.PlanAligned} {
			ps, err := store.ListPlans(ctx, r.DB, store.PlanFilter{State: st, Limit: 200})
			if err != nil {
				return Work{}, err
			}
			for _, pl := range ps {
				p, _ := store.GetPartner(ctx, r.DB, pl.PartnerID)
				w.Plans = append(w.Plans, PlanWork{CSRPlan: pl, Partner: p})
			}
		}
	case policies.Company, policies.University:
		var err error
		if w.Notices, err = Sanctions(ctx, r, a, SanctionQuery{Mine: true}); err != nil {
			return Work{}, err
		}
		slices.Reverse(w.Notices)
		if !runs {
			break
		}
		ps, err := ApprovedPartnersOf(ctx, r, a.AccountID())
		if err != nil {
			return Work{}, err
		}
		for _, p := range ps {
			pw, err := partnerWork(ctx, r, p)
			if err != nil {
				return Work{}, err
			}
			w.Partners = append(w.Partners, pw)
		}
	}
	return w, nil
}

func partnerWork(ctx context.Context, r *step.Region, p *partnership.Partner) (PartnerWork, error) {
	w := PartnerWork{Partner: p}
	var err error
	if w.Plans, err = store.ListPlans(ctx, r.DB, store.PlanFilter{PartnerID: p.ID, Limit: 200}); err != nil {
		return w, err
	}
	slices.Reverse(w.Plans)
	ps, err := store.ListProgrammes(ctx, r.DB, store.ProgrammeFilter{PartnerID: p.ID, Limit: 500})
	if err != nil {
		return w, err
	}
	for _, pr := range ps {
		if pr.State != partnership.ProgrammeCancelled {
			w.Programmes = append(w.Programmes, pr)
		}
	}
	if w.Realisations, err = store.ListRealisations(ctx, r.DB, store.RealisationFilter{PartnerID: p.ID, Limit: 200}); err != nil {
		return w, err
	}
	slices.Reverse(w.Realisations)
	return w, nil
}

// Dashboard is the region's public CSR dashboard for a year: per priority
// area the amount realised, its share, the partners, requests and
// programmes; refused for a year the dashboard does not show.
func Dashboard(ctx context.Context, r *step.Region, year int) (partnership.Dashboard, error) {
	if err := r.Spec.CheckDashboardYear(year, r.Clock()); err != nil {
		return partnership.Dashboard{}, err
	}
	return store.DashboardOf(ctx, r.DB, r.Spec, year)
}

// PublishedAwards are the published award scores of a cycle, as the store
// ranks them: of the cycle starting in the year cycle names when it is one
// from 2000 to this year, else of the latest of the last ten years with
// scores published. It returns the cycle shown: that one, or the first
// looked at when none had any.
func PublishedAwards(ctx context.Context, r *step.Region, cycle int) (int, []*partnership.Award, error) {
	current := r.Clock().In(r.Spec.Location).Year()
	cycles := []int{cycle}
	if cycle < 2000 || cycle > current {
		cycles = nil
		for y := current; y > current-10; y-- {
			cycles = append(cycles, y)
		}
	}
	for _, cy := range cycles {
		as, err := store.Awards(ctx, r.DB, cy)
		if err != nil {
			return 0, nil, err
		}
		var published []*partnership.Award
		for _, a := range as {
			if a.State == partnership.AwardPublished {
				published = append(published, a)
			}
		}
		if len(published) > 0 {
			return cy, published, nil
		}
	}
	return cycles[0], nil, nil
}

// National is a year's public CSR dashboard of every region served that
// runs the four-pillar model, summed, with the regions that do not run it
// and those whose figures could not be read (failed is told why). Only each
// region's aggregate figures leave its database — the same figures its
// public dashboard shows — never a partner, a person or a realisation.
// Reading them opens a region's database as a visit to its dashboard would.
func National(ctx context.Context, regions []*tenancy.Tenant, year int, failed func(slug string, err error)) (sum partnership.NationalDashboard, notRunning, unavailable []string) {
	var ds []partnership.RegionDashboard
	for _, t := range regions {
		if t.Region.FourPillar == nil || !t.Region.Runs(partnership.FourPillar) {
			notRunning = append(notRunning, t.Region.Slug)
			continue
		}
		d, err := func() (partnership.Dashboard, error) {
			db, release, err := t.Acquire(ctx)
			if err != nil {
				return partnership.Dashboard{}, err
			}
			defer release()
			return store.DashboardOf(ctx, db, t.Region, year)
		}()
		if err != nil {
			failed(t.Region.Slug, err)
			unavailable = append(unavailable, t.Region.Slug+": its figures could not be read")
			continue
		}
		ds = append(ds, partnership.RegionDashboard{Slug: t.Region.Slug, Name: t.Region.Name, Dashboard: d})
	}
	return partnership.SumDashboards(year, ds), notRunning, unavailable
}

// RequestBoard is what the portal's page of CSR requests lists: the open
// requests, each with the asker's approved partner that may claim it, and
// the claimed ones, the newest first, with their claimant.
type RequestBoard struct {
	Open    []ClaimableRequest
	Claimed []ClaimedRequest
}

// ClaimableRequest is an open request and the partner of the asker that
// works in its area and ward and may claim it there: nil for none.
type ClaimableRequest struct {
	*partnership.CSRRequest
	By *partnership.Partner
}

// ClaimedRequest is a claimed request and its claimant's name: "" when the
// partner cannot be read.
type ClaimedRequest struct {
	*partnership.CSRRequest
	Claimant string
}

// Board reads the requests page's board for the asker (at most 200 of each).
func Board(ctx context.Context, r *step.Region, a step.Actor) (RequestBoard, error) {
	var b RequestBoard
	mine, err := ApprovedPartnersOf(ctx, r, a.AccountID())
	if err != nil {
		return b, err
	}
	open, err := Requests(ctx, r, a, RequestQuery{State: partnership.RequestOpen, AllOpen: true, Limit: 200})
	if err != nil {
		return b, err
	}
	for _, q := range open {
		row := ClaimableRequest{CSRRequest: q}
		for _, p := range mine {
			if p.WorksIn(q.Area, q.WardCode) && r.May(a, policies.CSRRequestClaim, q.WardCode) {
				row.By = p
				break
			}
		}
		b.Open = append(b.Open, row)
	}
	claimed, err := Requests(ctx, r, a, RequestQuery{State: partnership.RequestClaimed, Limit: 200})
	if err != nil {
		return b, err
	}
	for i := len(claimed) - 1; i >= 0; i-- {
		row := ClaimedRequest{CSRRequest: claimed[i]}
		if p, err := store.GetPartner(ctx, r.DB, row.ClaimedBy); err == nil {
			row.Claimant = p.Name
		}
		b.Claimed = append(b.Claimed, row)
	}
	return b, nil
}

// MeetingRecord is a forum meeting as its page and the API show it: what
// waits on its agenda until it is closed (nil once it is), and the
// decisions minuted there.
type MeetingRecord struct {
	*partnership.ForumMeeting
	Agenda    *ForumAgenda
	Decisions []store.ForumDecisionRecord
}

// Meeting reads one forum meeting with its agenda and decisions.
func Meeting(ctx context.Context, r *step.Region, id int64) (MeetingRecord, error) {
	m, err := store.GetForumMeeting(ctx, r.DB, id)
	if err != nil {
		return MeetingRecord{}, err
	}
	rec := MeetingRecord{ForumMeeting: m}
	if m.State != partnership.ForumClosed {
		if rec.Agenda, err = Agenda(ctx, r, m); err != nil {
			return MeetingRecord{}, err
		}
	}
	if rec.Decisions, err = store.ForumDecisions(ctx, r.DB, m.ID, "", 0); err != nil {
		return MeetingRecord{}, err
	}
	return rec, nil
}

// ProgrammeRecord is a programme with the contributions made to it.
type ProgrammeRecord struct {
	*partnership.Programme
	Contributions []*partnership.Contribution
}

// ProgrammeLedger reads a programme and the contributions made to it.
func ProgrammeLedger(ctx context.Context, r *step.Region, id int64) (ProgrammeRecord, error) {
	p, err := store.GetProgramme(ctx, r.DB, id)
	if err != nil {
		return ProgrammeRecord{}, err
	}
	cs, err := store.Contributions(ctx, r.DB, p.ID)
	return ProgrammeRecord{Programme: p, Contributions: cs}, err
}
