package partnership

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func heldMeeting(id int64) *ForumMeeting {
	return &ForumMeeting{ID: id, State: ForumHeld, Attendance: map[Stakeholder]int{StakeholderGovernment: 3, StakeholderCompany: 2}}
}

func approvedPartner() *Partner {
	return &Partner{ID: 4, Kind: PartnerCompany, Name: "PT Sejahtera", AccountID: 40, Areas: []string{"education"}, Kecamatan: []string{"32.73.01"}, State: PartnerApproved}
}

func allPassed() map[string]bool {
	m := map[string]bool{}
	for _, c := range PartnerChecklist {
		m[c.Key] = true
	}
	return m
}

func TestPartnerTransitions(t *testing.T) {
	checkTransitions(t, PartnerMachine, func(from, to PartnerState) (PartnerState, error) {
		p := &Partner{ID: 1, State: from, MeetingID: 7, Review: &PartnerReview{Passed: true}}
		m := heldMeeting(7)
		var err error
		switch to {
		case PartnerReviewed:
			err = p.ReviewPartner(ReviewInput{Checklist: allPassed(), Meeting: 7}, m, 1, now)
		case PartnerApproved:
			err = p.DecidePartner(m, DecideApprove, "", now)
		case PartnerRejected:
			err = p.DecidePartner(m, DecideReject, "Dokumen tidak sah", now)
		default:
			err = errors.New("no move leads back to " + string(to))
			if PartnerMachine.Allows(from, to) {
				t.Errorf("%s → %s is allowed but nothing moves there", from, to)
			}
			return p.State, ErrConflict
		}
		return p.State, err
	})
}

func TestForumTransitions(t *testing.T) {
	checkTransitions(t, ForumMachine, func(from, to ForumState) (ForumState, error) {
		m := &ForumMeeting{ID: 2, State: from}
		switch to {
		case ForumHeld:
			if from == ForumHeld { // attendance may be recorded again while held; it is no transition
				return from, ErrConflict
			}
			err := m.HoldForum(map[Stakeholder]int{StakeholderGovernment: 2, StakeholderUniversity: 1})
			return m.State, err
		case ForumClosed:
			err := m.Close("Notulen rapat forum", 0, now)
			return m.State, err
		}
		return m.State, ErrConflict
	})
}

func TestPlanTransitions(t *testing.T) {
	r := fourPillarRegion()
	checkTransitions(t, PlanMachine, func(from, to PlanState) (PlanState, error) {
		plan := &CSRPlan{ID: 3, State: from, FiscalYear: 2026, Activities: []PlanActivity{{ID: 31, Financing: 10}}}
		var err error
		switch to {
		case PlanSubmitted:
			err = r.RevisePlan(plan, approvedPartner(), PlanInput{Activities: []ActivityInput{activityInput("32.73.01.1001", 5_000_000)}}, now)
		case PlanAligned:
			err = r.AlignPlan(plan, []AlignmentInput{{Activity: 31, Area: "education", Target: "facilities", Alignment: Aligned}})
		case PlanApproved:
			err = plan.DecidePlan(heldMeeting(1), DecideApprove, "", now)
		case PlanRevision:
			err = plan.DecidePlan(heldMeeting(1), DecideRevise, "Lengkapi sasaran", now)
		}
		return plan.State, err
	})
}

func TestRequestTransitions(t *testing.T) {
	r := fourPillarRegion()
	checkTransitions(t, RequestMachine, func(from, to RequestState) (RequestState, error) {
		q := &CSRRequest{ID: 5, State: from, AccountID: 9, Area: "education", WardCode: "32.73.01.1001", ExpiresAt: now.Add(time.Hour), ClaimedBy: 4}
		var err error
		switch to {
		case RequestClaimed:
			err = q.Claim(approvedPartner(), now)
		case RequestExpired:
			err = q.Expire(now.Add(2 * time.Hour))
		case RequestWithdrawn:
			err = q.Withdraw(9)
		case RequestProgrammed:
			_, err = r.ProgrammeFromRequest(q, ProgrammeInput{SectorAgency: "Dinas Pendidikan"}, now)
		default:
			return q.State, ErrConflict
		}
		return q.State, err
	})
}

func TestProgrammeTransitions(t *testing.T) {
	checkTransitions(t, ProgrammeMachine, func(from, to ProgrammeState) (ProgrammeState, error) {
		p := &Programme{ID: 6, State: from}
		err := p.Change(ProgrammeChange{State: &to})
		return p.State, err
	})
}

func TestIdeaTransitions(t *testing.T) {
	r := fourPillarRegion()
	checkTransitions(t, IdeaMachine, func(from, to IdeaState) (IdeaState, error) {
		i := &Idea{ID: 8, State: from, Title: "Bank sampah digital", Body: "Aplikasi bank sampah RW"}
		switch to {
		case IdeaAdopted:
			prog, _, err := r.AdoptIdea(i, heldMeeting(1), AdoptionInput{Into: IntoProgramme, Area: "environment", SectorAgency: "DLHK"}, now)
			if err == nil {
				i.Adopted(heldMeeting(1), IntoProgramme, 77, now)
				if prog.Source != FromIdea || prog.IdeaID != 8 || prog.Area != "environment" {
					t.Errorf("adopted into %+v", prog)
				}
			}
			return i.State, err
		case IdeaDeclined:
			err := i.DeclineIdea(heldMeeting(1), "Sudah ada program serupa", now)
			return i.State, err
		}
		return i.State, ErrConflict
	})
}

func TestForumDecidesOnlyAtAHeldMeeting(t *testing.T) {
	r := fourPillarRegion()
	for _, state := range []ForumState{ForumScheduled, ForumClosed} {
		m := &ForumMeeting{ID: 7, State: state}
		p := &Partner{ID: 1, State: PartnerReviewed, MeetingID: 7, Review: &PartnerReview{Passed: true}}
		if err := p.DecidePartner(m, DecideApprove, "", now); !errors.Is(err, ErrConflict) || p.State != PartnerReviewed {
			t.Errorf("a partner approved at a %s meeting: %v", state, err)
		}
		plan := &CSRPlan{ID: 3, State: PlanAligned}
		if err := plan.DecidePlan(m, DecideApprove, "", now); !errors.Is(err, ErrConflict) || plan.State != PlanAligned {
			t.Errorf("a plan approved at a %s meeting: %v", state, err)
		}
		i := &Idea{ID: 8, State: IdeaPosted, Title: "x"}
		if _, _, err := r.AdoptIdea(i, m, AdoptionInput{Into: IntoProgramme, Area: "education", SectorAgency: "Disdik"}, now); !errors.Is(err, ErrConflict) {
			t.Errorf("an idea adopted at a %s meeting: %v", state, err)
		}
		if err := i.DeclineIdea(m, "x", now); !errors.Is(err, ErrConflict) || i.State != IdeaPosted {
			t.Errorf("an idea declined at a %s meeting: %v", state, err)
		}
	}
	if !strings.Contains((&ForumMeeting{ID: 7, State: ForumClosed}).Open().Error(), "closed") {
		t.Error("a closed meeting does not say so")
	}
}

func TestPartnerRegistrationAndReview(t *testing.T) {
	r := fourPillarRegion()
	good := PartnerInput{Kind: PartnerStateEnterprise, Name: "PT Bank Daerah", Areas: []string{"environment, education", "education"}, Kecamatan: []string{"32.73.01"}}
	p, err := r.RegisterPartner(good, 40, now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Areas, ",") != "education,environment" || p.State != PartnerRegistered || p.Kind.Stakeholder() != StakeholderCompany {
		t.Fatalf("registered %+v", p)
	}
	checkFields(t, good, []fieldCase[PartnerInput]{
		{"not a kind of partner", func(in *PartnerInput) { in.Kind = "ngo" }, "kind"},
		{"blank name", func(in *PartnerInput) { in.Name = " " }, "name"},
		{"long name", func(in *PartnerInput) { in.Name = strings.Repeat("n", 201) }, "name"},
		{"no areas", func(in *PartnerInput) { in.Areas = nil }, "areas"},
		{"an area the region lacks", func(in *PartnerInput) { in.Areas = []string{"mining"} }, "areas"},
		{"a ward for a kecamatan", func(in *PartnerInput) { in.Kecamatan = []string{"32.73.01.1001"} }, "kecamatan"},
	}, func(in PartnerInput) error { _, err := r.RegisterPartner(in, 40, now); return err })
	if _, err := testRegion(TwoPillar).RegisterPartner(good, 40, now); !errors.Is(err, ErrForbidden) {
		t.Errorf("a partner of a two-pillar-only region: %v", err)
	}

	m := &ForumMeeting{ID: 3, State: ForumScheduled}
	failing := allPassed()
	failing["voluntary"] = false
	for _, tt := range []struct {
		name  string
		in    ReviewInput
		field string
	}{
		{"an item missing", ReviewInput{Checklist: map[string]bool{"legal-entity": true}}, "checklist.documents-complete"},
		{"an unknown item", ReviewInput{Checklist: map[string]bool{"legal-entity": true, "bribe": true}}, "checklist.bribe"},
		{"a failure without notes", ReviewInput{Checklist: failing}, "notes"},
	} {
		q := *p
		if err := q.ReviewPartner(tt.in, m, 1, now); !invalidOn(err, tt.field) || q.State != PartnerRegistered {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
	q := *p
	if err := q.ReviewPartner(ReviewInput{Checklist: allPassed()}, &ForumMeeting{ID: 2, State: ForumClosed}, 1, now); !errors.Is(err, ErrConflict) {
		t.Errorf("put on a closed meeting's agenda: %v", err)
	}
	// A registration that fails the checklist goes to the forum, which may only reject it.
	if err := p.ReviewPartner(ReviewInput{Checklist: failing, Notes: "Surat minta imbal balik izin"}, m, 1, now); err != nil || p.Review.Passed {
		t.Fatalf("review: %v %+v", err, p.Review)
	}
	m.State = ForumHeld
	if err := p.DecidePartner(m, DecideApprove, "", now); !errors.Is(err, ErrConflict) {
		t.Errorf("approved after a failed review: %v", err)
	}
	if err := p.DecidePartner(heldMeeting(99), DecideReject, "x", now); !errors.Is(err, ErrConflict) {
		t.Errorf("decided at a meeting whose agenda it is not on: %v", err)
	}
	if err := p.DecidePartner(m, DecideReject, "", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("rejected without a reason: %v", err)
	}
	if err := p.DecidePartner(m, "maybe", "", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown decision: %v", err)
	}
	if err := p.DecidePartner(m, DecideReject, "Bertentangan dengan Perda 9/2005", now); err != nil || p.State != PartnerRejected || p.DecidedAt == nil {
		t.Fatalf("reject: %v %+v", err, p)
	}
}

func TestPartnerWorksIn(t *testing.T) {
	p := approvedPartner() // education, in Sukasari (32.73.01)
	for _, tt := range []struct {
		area, ward string
		want       bool
	}{
		{"education", "32.73.01.1001", true},
		{"", "32.73.01.1002", true}, // a request offered without an area
		{"environment", "32.73.01.1001", false},
		{"education", "32.73.02.1001", false},
	} {
		if got := p.WorksIn(tt.area, tt.ward); got != tt.want {
			t.Errorf("WorksIn(%q, %s) = %v", tt.area, tt.ward, got)
		}
	}
	p.Kecamatan = nil
	if !p.WorksIn("education", "32.73.02.1001") {
		t.Error("a partner listing no kecamatan works in the whole region")
	}
}

func TestScheduleForum(t *testing.T) {
	r := fourPillarRegion()
	good := ForumMeetingInput{Year: 2026, Quarter: 4, ScheduledAt: time.Date(2026, 12, 10, 3, 0, 0, 0, time.UTC), Place: "Balai Kota"}
	m, err := r.ScheduleForum(good, 0, now)
	if err != nil || m.State != ForumScheduled {
		t.Fatalf("%v %+v", err, m)
	}
	for field, mutate := range map[string]func(*ForumMeetingInput){
		"year":        func(in *ForumMeetingInput) { in.Year = 2024 },
		"quarter":     func(in *ForumMeetingInput) { in.Quarter = 5 },
		"scheduledAt": func(in *ForumMeetingInput) { in.ScheduledAt = time.Date(2027, 1, 5, 3, 0, 0, 0, time.UTC) }, // outside the quarter
		"place":       func(in *ForumMeetingInput) { in.Place = "" },
	} {
		in := good
		mutate(&in)
		if _, err := r.ScheduleForum(in, 0, now); !invalidOn(err, field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	if _, err := r.ScheduleForum(good, 1, now); !errors.Is(err, ErrConflict) {
		t.Errorf("a second meeting in a quarter of a quarterly forum: %v", err)
	}
	r.FourPillar.ForumCadenceMonths = 6
	if _, err := r.ScheduleForum(good, 0, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a half-yearly forum meeting in quarter 4: %v", err)
	}
	r.FourPillar.ForumCadenceMonths = 1
	if _, err := r.ScheduleForum(good, 2, now); err != nil {
		t.Errorf("the third meeting in a quarter of a monthly forum: %v", err)
	}

	// The forum sits with the government and another pillar.
	for _, tt := range []struct {
		att  map[Stakeholder]int
		want error
	}{
		{map[Stakeholder]int{StakeholderCompany: 5, StakeholderCommunity: 3}, ErrConflict},
		{map[Stakeholder]int{StakeholderGovernment: 5}, ErrConflict},
		{map[Stakeholder]int{StakeholderGovernment: 5, "press": 2}, ErrInvalid},
		{map[Stakeholder]int{StakeholderGovernment: 5, StakeholderCompany: -1}, ErrInvalid},
		{map[Stakeholder]int{StakeholderGovernment: 5, StakeholderCommunity: 12}, nil},
	} {
		m := &ForumMeeting{ID: 1, State: ForumScheduled}
		err := m.HoldForum(tt.att)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%v: %v, want %v", tt.att, err, tt.want)
		}
		if err == nil && (m.State != ForumHeld || m.Attendance[StakeholderUniversity] != 0 || len(m.Attendance) != 4) {
			t.Errorf("held %+v", m)
		}
	}
	held := heldMeeting(1)
	if err := held.Close("Notulen", 2, now); !errors.Is(err, ErrConflict) {
		t.Errorf("closed with undecided registrations: %v", err)
	}
	if err := held.Close(" ", 0, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("closed without minutes: %v", err)
	}
}

func activityInput(location string, financing Rupiah) ActivityInput {
	return ActivityInput{Title: "Beasiswa siswa SD", Location: location, Area: "education", Target: "200 siswa SD", Goal: "Angka putus sekolah turun", Financing: financing}
}

func TestSubmitPlan(t *testing.T) {
	r := fourPillarRegion()
	board := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)
	good := PlanInput{FiscalYear: 2026, BoardApprovedAt: board, Activities: []ActivityInput{activityInput("32.73.01.1001", 300_000_000), activityInput("32.73.02", 100_000_000)}}
	plan, err := r.SubmitPlan(approvedPartner(), good, now)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Late || !plan.DueAt.Equal(board.AddDate(0, 0, 30)) || len(plan.Activities) != 2 || plan.State != PlanSubmitted {
		t.Fatalf("submitted %+v", plan)
	}
	late := good
	late.BoardApprovedAt = time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC)
	if plan, err := r.SubmitPlan(approvedPartner(), late, now); err != nil || !plan.Late {
		t.Fatalf("a plan 86 days after the board's approval is accepted and flagged late: %v %+v", err, plan)
	}
	for _, tt := range []struct {
		name, field string
		mutate      func(*PlanInput)
	}{
		{"board approval in the future", "boardApprovedAt", func(in *PlanInput) { in.BoardApprovedAt = now.Add(time.Hour) }},
		{"board approval before the fiscal year", "boardApprovedAt", func(in *PlanInput) { in.BoardApprovedAt = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC) }},
		{"no board approval", "boardApprovedAt", func(in *PlanInput) { in.BoardApprovedAt = time.Time{} }},
		{"a fiscal year far off", "fiscalYear", func(in *PlanInput) { in.FiscalYear = 2030 }},
		{"no activities", "activities", func(in *PlanInput) { in.Activities = nil }},
		{"negative financing", "activities.1.financing", func(in *PlanInput) { in.Activities[1].Financing = -1 }},
		{"absurd financing", "activities.0.financing", func(in *PlanInput) { in.Activities[0].Financing = MaxAmount + 1 }},
		{"unknown location", "activities.0.location", func(in *PlanInput) { in.Activities[0].Location = "31.71" }},
		{"an institution as location", "activities.0.location", func(in *PlanInput) { in.Activities[0].Location = "32.73.01.1001/rw-01" }},
		{"not a priority area", "activities.1.area", func(in *PlanInput) { in.Activities[1].Area = "mining" }},
		{"no goal", "activities.0.goal", func(in *PlanInput) { in.Activities[0].Goal = "" }},
		{"oversized title", "activities.0.title", func(in *PlanInput) { in.Activities[0].Title = strings.Repeat("t", 201) }},
	} {
		in := good
		in.Activities = append([]ActivityInput(nil), good.Activities...)
		tt.mutate(&in)
		if _, err := r.SubmitPlan(approvedPartner(), in, now); !invalidOn(err, tt.field) {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
	pending := approvedPartner()
	pending.State = PartnerReviewed
	if _, err := r.SubmitPlan(pending, good, now); !errors.Is(err, ErrConflict) {
		t.Errorf("a plan of a partner not approved yet: %v", err)
	}
}

func TestAlignPlanAndScore(t *testing.T) {
	r := fourPillarRegion()
	plan := &CSRPlan{ID: 3, State: PlanSubmitted, Activities: []PlanActivity{
		{ID: 1, Financing: 250_000_000}, {ID: 2, Financing: 100_000_000}, {ID: 3, Financing: 50_000_000}, {ID: 4, Financing: 1},
	}}
	if s := plan.Score(); s.Unaligned != 350_000_001+50_000_000 || s.Share.Value != 0 {
		t.Fatalf("score before alignment %+v", s)
	}
	good := []AlignmentInput{
		{Activity: 1, Area: "education", Target: "facilities", Alignment: Aligned},
		{Activity: 2, Area: "environment", Target: "green-areas", Alignment: Partial},
		{Activity: 3, Alignment: NotAligned},
		{Activity: 4, Area: "education", Target: "out-of-school-mentoring", Alignment: Aligned},
	}
	for _, tt := range []struct {
		name, field string
		mutate      func([]AlignmentInput) []AlignmentInput
	}{
		{"an activity left out", "activities", func(in []AlignmentInput) []AlignmentInput { return in[:3] }},
		{"an activity of another plan", "activities.0.activity", func(in []AlignmentInput) []AlignmentInput { in[0].Activity = 99; return in }},
		{"twice the same activity", "activities.1.activity", func(in []AlignmentInput) []AlignmentInput { in[1].Activity = 1; return in }},
		{"a target of another area", "activities.0.target", func(in []AlignmentInput) []AlignmentInput { in[0].Target = "green-areas"; return in }},
		{"not a priority area", "activities.1.area", func(in []AlignmentInput) []AlignmentInput { in[1].Area = "mining"; return in }},
		{"not aligned, with an area", "activities.2.area", func(in []AlignmentInput) []AlignmentInput { in[2].Area = "education"; return in }},
		{"an unknown degree", "activities.3.alignment", func(in []AlignmentInput) []AlignmentInput { in[3].Alignment = "mostly"; return in }},
	} {
		in := tt.mutate(append([]AlignmentInput(nil), good...))
		if err := r.AlignPlan(plan, in); !invalidOn(err, tt.field) || plan.State != PlanSubmitted || plan.Activities[0].Alignment != "" {
			t.Errorf("%s: %v, want an error on %s, and nothing changed", tt.name, err, tt.field)
		}
	}
	if err := r.AlignPlan(plan, good); err != nil {
		t.Fatal(err)
	}
	s := plan.Score()
	// 250,000,001 of 400,000,001 rupiah: 62.4999...% rounds to 6250 basis points.
	if s.Aligned != 250_000_001 || s.Partial != 100_000_000 || s.NotAligned != 50_000_000 || s.Total != 400_000_001 || s.Share.Value != 6250 || s.Share.String() != "62.50%" {
		t.Fatalf("score %+v (%s)", s, s.Share)
	}
	if err := plan.DecidePlan(heldMeeting(1), DecideRevise, "", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("revision without a reason: %v", err)
	}
	if err := plan.DecidePlan(heldMeeting(1), "reject", "x", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown decision: %v", err)
	}
}

func TestCSRRequests(t *testing.T) {
	r := fourPillarRegion()
	good := CSRRequestInput{Area: "education", Ward: "32.73.01.1001", Amount: 45_000_000, Title: "Perpustakaan RW", Description: "Buku dan rak untuk 300 anak"}
	q, err := r.NewCSRRequest(good, SourceResident, 9, nil, now)
	if err != nil || q.State != RequestOpen || !q.ExpiresAt.Equal(now.Add(90*24*time.Hour)) {
		t.Fatalf("%v %+v", err, q)
	}
	checkFields(t, good, []fieldCase[CSRRequestInput]{
		{"no area", func(in *CSRRequestInput) { in.Area = "" }, "area"},
		{"a kecamatan for a ward", func(in *CSRRequestInput) { in.Ward = "32.73.01" }, "ward"},
		{"negative amount", func(in *CSRRequestInput) { in.Amount = -100 }, "amount"},
		{"no amount", func(in *CSRRequestInput) { in.Amount = 0 }, "amount"},
		{"too large an amount", func(in *CSRRequestInput) { in.Amount = 2 * MaxAmount }, "amount"},
		{"long title", func(in *CSRRequestInput) { in.Title = strings.Repeat("x", 201) }, "title"},
		{"no description", func(in *CSRRequestInput) { in.Description = "" }, "description"},
		{"an unknown preferred partner", func(in *CSRRequestInput) { in.PreferredPartner = 77 }, "preferredPartner"},
	}, func(in CSRRequestInput) error {
		_, err := r.NewCSRRequest(in, SourceCommunity, 9, nil, now)
		return err
	})
	pref := good
	pref.PreferredPartner = 4
	if q, err := r.NewCSRRequest(pref, SourceResident, 9, approvedPartner(), now); err != nil || q.PreferredPartnerID != 4 {
		t.Fatalf("with a preferred partner: %v", err)
	}

	// Claims: outside the area or the kecamatan is forbidden, late is a conflict, second is a conflict with the winner.
	outside := approvedPartner()
	outside.Areas = []string{"environment"}
	if err := q.Claim(outside, now); !errors.Is(err, ErrForbidden) || q.State != RequestOpen {
		t.Errorf("a claim outside the partner's areas: %v", err)
	}
	elsewhere := approvedPartner()
	elsewhere.Kecamatan = []string{"32.73.02"}
	if err := q.Claim(elsewhere, now); !errors.Is(err, ErrForbidden) {
		t.Errorf("a claim outside the partner's kecamatan: %v", err)
	}
	if err := q.Claim(approvedPartner(), q.ExpiresAt); !errors.Is(err, ErrConflict) {
		t.Errorf("a claim at expiry: %v", err)
	}
	if err := q.Expire(now); !errors.Is(err, ErrConflict) {
		t.Errorf("expired before its time: %v", err)
	}
	if err := q.Withdraw(10); !errors.Is(err, ErrForbidden) {
		t.Errorf("withdrawn by someone else: %v", err)
	}
	if err := q.Claim(approvedPartner(), now); err != nil || q.ClaimedBy != 4 {
		t.Fatal(err)
	}
	second := approvedPartner()
	second.ID = 5
	var ce *ClaimedError
	if err := q.Claim(second, now); !errors.As(err, &ce) || ce.By != 4 || !errors.Is(err, ErrConflict) {
		t.Errorf("a second claim: %v", err)
	}

	// A proposal the kecamatan Musrenbang offered to companies becomes a request.
	p, _ := r.Proposal(proposalInput(), 1, now)
	p.ID = 12
	if _, err := r.CSRRequestFromProposal(p, "education", now); !errors.Is(err, ErrConflict) {
		t.Errorf("a submitted proposal became a request: %v", err)
	}
	p.State = ProposalCSR
	if _, err := r.CSRRequestFromProposal(p, "mining", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a request in an unknown area: %v", err)
	}
	mq, err := r.CSRRequestFromProposal(p, "", now)
	if err != nil || mq.Source != SourceMusrenbang || mq.ProposalID != 12 || mq.Amount != p.Cost || mq.WardCode != p.WardCode || mq.Area != "" {
		t.Fatalf("from a proposal: %v %+v", err, mq)
	}
	// Offered without an area: any partner working in its kecamatan may claim it; the programme names the area.
	if err := mq.Claim(outside, now); err != nil {
		t.Fatalf("claim of a request without an area: %v", err)
	}
	if _, err := r.ProgrammeFromRequest(mq, ProgrammeInput{SectorAgency: "DLHK"}, now); !errors.Is(err, ErrInvalid) || mq.State != RequestClaimed {
		t.Errorf("a programme without an area: %v", err)
	}
	prog, err := r.ProgrammeFromRequest(mq, ProgrammeInput{SectorAgency: "DLHK", Area: "environment", Beneficiaries: 300}, now)
	if err != nil || prog.Area != "environment" || prog.PartnerID != 4 || prog.RequestID != mq.ID || mq.State != RequestProgrammed || prog.FiscalYear != 2026 {
		t.Fatalf("programme from request: %v %+v", err, prog)
	}
}

func TestProgrammeFromActivity(t *testing.T) {
	r := fourPillarRegion()
	plan := &CSRPlan{ID: 3, PartnerID: 4, FiscalYear: 2026, State: PlanAligned, Activities: []PlanActivity{
		{ID: 1, Title: "Taman baca", Location: "32.73.01.1001", Financing: 10, AlignedArea: "education", AlignedTarget: "facilities", Alignment: Aligned},
		{ID: 2, Title: "Lomba", Location: "32.73.01", Financing: 10, Alignment: NotAligned},
	}}
	in := ProgrammeInput{SectorAgency: "Dinas Pendidikan", Beneficiaries: 120}
	if _, err := r.ProgrammeFromActivity(plan, 1, in, now); !errors.Is(err, ErrConflict) {
		t.Errorf("a programme from a plan not approved yet: %v", err)
	}
	plan.State = PlanApproved
	if _, err := r.ProgrammeFromActivity(plan, 2, in, now); !errors.Is(err, ErrConflict) {
		t.Errorf("a programme from an activity aligned with nothing: %v", err)
	}
	if _, err := r.ProgrammeFromActivity(plan, 9, in, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a programme from another plan's activity: %v", err)
	}
	if _, err := r.ProgrammeFromActivity(plan, 1, ProgrammeInput{}, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a programme without a sector agency: %v", err)
	}
	p, err := r.ProgrammeFromActivity(plan, 1, in, now)
	if err != nil || p.Area != "education" || p.WardCode != "32.73.01.1001" || p.Title != "Taman baca" || p.PartnerID != 4 || p.PlanActivityID != 1 || p.State != ProgrammeActive {
		t.Fatalf("%v %+v", err, p)
	}
	if err := p.Change(ProgrammeChange{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an empty change: %v", err)
	}
	neg := -1
	if err := p.Change(ProgrammeChange{Beneficiaries: &neg}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative beneficiaries: %v", err)
	}
}

func TestContributionsAndLedger(t *testing.T) {
	prog := &Programme{ID: 6, State: ProgrammeActive}
	company, university := approvedPartner(), approvedPartner()
	university.ID, university.Kind = 5, PartnerUniversity
	for _, tt := range []struct {
		name    string
		pillar  Stakeholder
		in      ContributionInput
		partner *Partner
		want    error
		field   string
	}{
		{"company funds", StakeholderCompany, ContributionInput{Kind: ContributeFunds, Amount: 150_000_000, Description: "Dana CSR"}, company, nil, ""},
		{"company funds of nothing", StakeholderCompany, ContributionInput{Kind: ContributeFunds, Description: "x"}, company, ErrInvalid, "amount"},
		{"negative funds", StakeholderCompany, ContributionInput{Kind: ContributeFunds, Amount: -5, Description: "x"}, company, ErrInvalid, "amount"},
		{"absurd funds", StakeholderCompany, ContributionInput{Kind: ContributeFunds, Amount: MaxAmount + 1, Description: "x"}, company, ErrInvalid, "amount"},
		{"a company without a partner", StakeholderCompany, ContributionInput{Kind: ContributeFunds, Amount: 1, Description: "x"}, nil, ErrForbidden, ""},
		{"a university as a company", StakeholderCompany, ContributionInput{Kind: ContributeFunds, Amount: 1, Description: "x"}, university, ErrForbidden, ""},
		{"government staff", StakeholderGovernment, ContributionInput{Kind: ContributeStaff, Quantity: 3, Unit: "orang", Amount: 12_000_000, Description: "Pendamping"}, nil, nil, ""},
		{"government facilities of no stated value", StakeholderGovernment, ContributionInput{Kind: ContributeFacilities, Quantity: 1, Unit: "aula", Description: "Aula kecamatan"}, nil, nil, ""},
		{"government funds", StakeholderGovernment, ContributionInput{Kind: ContributeFunds, Amount: 1, Description: "x"}, nil, ErrInvalid, "kind"},
		{"university research", StakeholderUniversity, ContributionInput{Kind: ContributeResearch, Quantity: 1, Unit: "kajian", Amount: 25_000_000, Description: "Kajian dampak"}, university, nil, ""},
		{"university labour", StakeholderUniversity, ContributionInput{Kind: ContributeLabour, Quantity: 1, Unit: "hari", Description: "x"}, university, ErrInvalid, "kind"},
		{"community labour", StakeholderCommunity, ContributionInput{Kind: ContributeLabour, Quantity: 40, Unit: "hari orang", Amount: 4_000_000, Description: "Kerja bakti"}, nil, nil, ""},
		{"community labour of nothing", StakeholderCommunity, ContributionInput{Kind: ContributeLabour, Description: "x"}, nil, ErrInvalid, "quantity"},
		{"a quantity without a unit", StakeholderCommunity, ContributionInput{Kind: ContributeInKind, Quantity: 3, Description: "x"}, nil, ErrInvalid, "unit"},
		{"no description", StakeholderCommunity, ContributionInput{Kind: ContributeInKind, Amount: 5}, nil, ErrInvalid, "description"},
		{"an unknown pillar", "press", ContributionInput{Kind: ContributeInKind, Amount: 5, Description: "x"}, nil, ErrForbidden, ""},
	} {
		c, err := prog.Contribute(tt.pillar, tt.in, tt.partner, 1, 0, now)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
			continue
		}
		if tt.field != "" && !invalidOn(err, tt.field) {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
		if err == nil && (tt.pillar == StakeholderCompany || tt.pillar == StakeholderUniversity) && c.PartnerID != tt.partner.ID {
			t.Errorf("%s: recorded for partner %d", tt.name, c.PartnerID)
		}
	}
	if _, err := prog.Contribute(StakeholderCommunity, ContributionInput{Kind: ContributeInKind, Amount: 5, Description: "x"}, nil, 1, MaxContributions, now); !errors.Is(err, ErrConflict) {
		t.Errorf("a contribution beyond the ledger's bound: %v", err)
	}
	done := &Programme{ID: 7, State: ProgrammeCompleted}
	if _, err := done.Contribute(StakeholderCommunity, ContributionInput{Kind: ContributeInKind, Amount: 5, Description: "x"}, nil, 1, 0, now); !errors.Is(err, ErrConflict) {
		t.Errorf("a contribution to a completed programme: %v", err)
	}

	by, all := Ledger([]*Contribution{
		{Pillar: StakeholderCompany, Kind: ContributeFunds, Amount: 150_000_000},
		{Pillar: StakeholderCompany, Kind: ContributeFunds, Amount: 50_000_001},
		{Pillar: StakeholderCompany, Kind: ContributeStaff, Amount: 3_000_000},
		{Pillar: StakeholderGovernment, Kind: ContributeFacilities},
		{Pillar: StakeholderCommunity, Kind: ContributeLabour, Amount: 4_000_000},
	})
	if c := by[StakeholderCompany]; c.Funds != 200_000_001 || c.EstimatedKind != 3_000_000 || c.Total != 203_000_001 || c.Contributions != 3 {
		t.Errorf("company line %+v", c)
	}
	if g := by[StakeholderGovernment]; g.Total != 0 || g.Contributions != 1 {
		t.Errorf("government line %+v", g)
	}
	if u, ok := by[StakeholderUniversity]; !ok || u != (LedgerLine{}) {
		t.Errorf("university line %+v %v", u, ok)
	}
	if all.Funds != 200_000_001 || all.EstimatedKind != 7_000_000 || all.Total != 207_000_001 || all.Contributions != 5 {
		t.Errorf("all %+v", all)
	}
}

func TestIdeas(t *testing.T) {
	r := fourPillarRegion()
	if _, err := r.PostIdea(IdeaInput{Title: "x", Body: "y"}, "press", 1, now); !errors.Is(err, ErrForbidden) {
		t.Errorf("an idea of no pillar: %v", err)
	}
	if _, err := r.PostIdea(IdeaInput{Title: "", Body: "y"}, StakeholderUniversity, 1, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("an idea without a title: %v", err)
	}
	i, err := r.PostIdea(IdeaInput{Title: "Bank sampah", Body: "Tukar sampah dengan saldo"}, StakeholderUniversity, 1, now)
	if err != nil || i.State != IdeaPosted {
		t.Fatal(err)
	}
	i.ID = 8
	m := heldMeeting(2)
	for _, tt := range []struct {
		in    AdoptionInput
		field string
	}{
		{AdoptionInput{Into: "law", Area: "environment"}, "into"},
		{AdoptionInput{Into: IntoRequest, Area: "mining", Ward: "32.73.01.1001", Amount: 1}, "area"},
		{AdoptionInput{Into: IntoRequest, Area: "environment", Amount: 1}, "ward"},
		{AdoptionInput{Into: IntoRequest, Area: "environment", Ward: "32.73.01.1001"}, "amount"},
		{AdoptionInput{Into: IntoProgramme, Area: "environment"}, "sectorAgency"},
		{AdoptionInput{Into: IntoProgramme, Area: "environment", SectorAgency: "DLHK", FiscalYear: 2030}, "fiscalYear"},
	} {
		if _, _, err := r.AdoptIdea(i, m, tt.in, now); !invalidOn(err, tt.field) || i.State != IdeaPosted {
			t.Errorf("%+v: %v, want an error on %s", tt.in, err, tt.field)
		}
	}
	_, q, err := r.AdoptIdea(i, m, AdoptionInput{Into: IntoRequest, Area: "environment", Ward: "32.73.01.1001", Amount: 30_000_000}, now)
	if err != nil || q.Source != SourceIdea || q.State != RequestOpen || q.Description != i.Body {
		t.Fatalf("%v %+v", err, q)
	}
	i.Adopted(m, IntoRequest, 41, now)
	if i.State != IdeaAdopted || i.AdoptedIntoID != 41 || i.MeetingID != 2 {
		t.Fatalf("adopted %+v", i)
	}
}

func TestDocuments(t *testing.T) {
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 100)...)
	png := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0}
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"surat.pdf", pdf, "application/pdf"},
		{"foto.png", png, "image/png"},
		{"foto.jpg", jpeg, "image/jpeg"},
	} {
		d, err := NewDocument("letter", PurposeParticipationLetter, tt.name, tt.data, now)
		if err != nil || d.ContentType != tt.want || d.Size != int64(len(tt.data)) || len(d.SHA256) != 64 || d.Name != tt.name {
			t.Errorf("%s: %v %+v", tt.name, err, d)
		}
	}
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"kosong.pdf", nil},
		{"virus.pdf", []byte("MZ\x90\x00 this is an executable")}, // the name says PDF, the bytes do not
		{"halaman.html", []byte("<html><script>")},
		{"besar.pdf", append([]byte("%PDF-"), make([]byte, MaxDocumentSize)...)},
	} {
		if _, err := NewDocument("letter", PurposeProposal, tt.name, tt.data, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if d, _ := NewDocument("f", PurposeSupporting, "../../etc/\x00passwd.pdf", pdf, now); d.Name != "passwd.pdf" {
		t.Errorf("a path as a name became %q", d.Name)
	}
	if d, _ := NewDocument("f", PurposeSupporting, "", pdf, now); d.Name != PurposeSupporting {
		t.Errorf("no name became %q", d.Name)
	}
}

// FuzzDocument feeds arbitrary files and names to the document check: it
// never panics, accepts only what starts like a PDF, JPEG or PNG, and keeps
// printable base names.
func FuzzDocument(f *testing.F) {
	f.Add("surat.pdf", []byte("%PDF-1.4 x"))
	f.Add("../a\\b.png", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
	f.Add("x", []byte{0xFF, 0xD8})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		d, err := NewDocument("file", PurposeSupporting, name, data, now)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if SniffDocument(data) == "" || d.Size != int64(len(data)) || d.Name == "" || strings.ContainsAny(d.Name, "/\x00\n") {
			t.Fatalf("accepted %q as %+v", name, d)
		}
	})
}
