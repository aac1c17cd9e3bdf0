package store

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

var fpNow = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// fpRegion is two kecamatan of Bandung.
var fpRegion = &partnership.Region{Code: "32.73", Kecamatan: []partnership.Kecamatan{
	{Code: "32.73.01", Name: "Sukasari", Wards: []partnership.Ward{{Code: "32.73.01.1001", Name: "Sukarasa", Kind: "kelurahan", RW: 2}}},
	{Code: "32.73.02", Name: "Coblong", Wards: []partnership.Ward{{Code: "32.73.02.1001", Name: "Cipaganti", Kind: "kelurahan", RW: 1}}},
}, InstitutionTypes: []partnership.InstitutionType{{Key: "rw", PerRW: true}}}

func fpPartner(t *testing.T, db bun.IDB, account int64, name string, areas, kecamatan []string) *partnership.Partner {
	t.Helper()
	approved := fpNow.Add(-time.Hour)
	p := &partnership.Partner{Kind: partnership.PartnerCompany, Name: name, AccountID: account, Areas: areas, Kecamatan: kecamatan,
		State: partnership.PartnerApproved, RegisteredAt: fpNow.Add(-48 * time.Hour), ApprovedAt: &approved}
	if err := InsertPartner(context.Background(), db, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func fpRequest(t *testing.T, db bun.IDB, area, ward string, expires time.Time) *partnership.CSRRequest {
	t.Helper()
	q := &partnership.CSRRequest{Source: partnership.SourceResident, Area: area, WardCode: ward, Amount: 45_000_000, Title: "Perpustakaan RW",
		Description: "Buku dan rak", State: partnership.RequestOpen, CreatedAt: fpNow.Add(-time.Hour), ExpiresAt: expires}
	if err := InsertRequest(context.Background(), db, q); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestPartnersMeetingsAndDocumentsRoundTrip(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ids := migrated(t, db, fpRegion, "pt")
		ctx := context.Background()
		m := &partnership.ForumMeeting{Year: 2026, Quarter: 4, ScheduledAt: fpNow.Add(48 * time.Hour), Place: "Balai Kota",
			State: partnership.ForumScheduled, Attendance: map[partnership.Stakeholder]int{}}
		if err := InsertForumMeeting(ctx, db, m); err != nil {
			t.Fatal(err)
		}
		p := &partnership.Partner{Kind: partnership.PartnerUniversity, Name: "Universitas Padjadjaran", AccountID: ids["pt"],
			Areas: []string{"education", "health"}, Kecamatan: []string{}, State: partnership.PartnerRegistered, RegisteredAt: fpNow}
		if err := InsertPartner(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		p.Review = &partnership.PartnerReview{Checklist: map[string]bool{"legal-entity": true, "voluntary": false}, Notes: "kurang", ReviewedBy: ids["pt"], ReviewedAt: fpNow}
		p.State, p.MeetingID = partnership.PartnerReviewed, m.ID
		stale := *p
		if err := UpdatePartner(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		stale.Name = "Lost update"
		if err := UpdatePartner(ctx, db, &stale); !errors.Is(err, ErrStale) {
			t.Fatalf("a stale write: %v", err)
		}
		got := read(t, db, GetPartner, p.ID)
		if got.Name != p.Name || len(got.Areas) != 2 || got.Kecamatan == nil || got.Review == nil || got.Review.Checklist["voluntary"] ||
			!got.Review.Checklist["legal-entity"] || !got.Review.ReviewedAt.Equal(fpNow) || got.MeetingID != m.ID || got.Version != 2 {
			t.Fatalf("read back %+v (review %+v)", got, got.Review)
		}
		for _, tt := range []struct {
			f    PartnerFilter
			want int
		}{
			{PartnerFilter{}, 1},
			{PartnerFilter{State: partnership.PartnerApproved}, 0},
			{PartnerFilter{AccountID: ids["pt"]}, 1},
			{PartnerFilter{Area: "health"}, 1},
			{PartnerFilter{Area: "sport"}, 0},
			{PartnerFilter{Meeting: m.ID}, 1},
			{PartnerFilter{AccountID: ids["pt"] + 1}, 0},
		} {
			if ps, err := ListPartners(ctx, db, tt.f); err != nil || len(ps) != tt.want {
				t.Errorf("%+v: %d partners, want %d (%v)", tt.f, len(ps), tt.want, err)
			}
		}
		// A partner imported from the region's records has no account.
		imported := &partnership.Partner{Kind: partnership.PartnerStateEnterprise, Name: "PT Kereta Api", Areas: []string{"environment"},
			State: partnership.PartnerApproved, RegisteredAt: fpNow, ApprovedAt: &fpNow}
		if err := InsertPartner(ctx, db, imported); err != nil {
			t.Fatal(err)
		}
		if got, err := GetPartner(ctx, db, imported.ID); err != nil || got.AccountID != 0 || got.Kecamatan == nil || !got.ApprovedAt.Equal(fpNow) {
			t.Fatalf("an imported partner: %+v %v", got, err)
		}
		if _, err := GetPartner(ctx, db, 999); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("an unknown partner: %v", err)
		}

		// Documents keep their bytes exactly, and an owner holds at most five.
		data := append([]byte("%PDF-1.7\n\x00\xff"), bytes.Repeat([]byte{0, 1, 2, 255}, 1000)...)
		for i := 0; i < partnership.MaxDocuments; i++ {
			d, err := partnership.NewDocument("file", partnership.PurposeProposal, "proposal.pdf", data, fpNow)
			if err != nil {
				t.Fatal(err)
			}
			d.OwnerType, d.OwnerID = "partner", p.ID
			if err := InsertDocument(ctx, db, d); err != nil {
				t.Fatal(err)
			}
		}
		extra, _ := partnership.NewDocument("file", partnership.PurposeProposal, "six.pdf", data, fpNow)
		extra.OwnerType, extra.OwnerID = "partner", p.ID
		if err := InsertDocument(ctx, db, extra); !errors.Is(err, partnership.ErrInvalid) {
			t.Fatalf("a sixth document: %v", err)
		}
		ds, err := Documents(ctx, db, "partner", p.ID)
		if err != nil || len(ds) != 5 || ds[0].Data != nil || ds[0].Size != int64(len(data)) {
			t.Fatalf("documents %v %v", ds, err)
		}
		full, err := GetDocument(ctx, db, ds[0].ID)
		if err != nil || !bytes.Equal(full.Data, data) || full.ContentType != "application/pdf" {
			t.Fatalf("document read back: %v", err)
		}

		// Meetings: attendance by pillar, decisions minuted.
		m.State, m.Attendance = partnership.ForumHeld, map[partnership.Stakeholder]int{partnership.StakeholderGovernment: 4, partnership.StakeholderCompany: 3}
		if err := UpdateForumMeeting(ctx, db, m); err != nil {
			t.Fatal(err)
		}
		if err := InsertForumDecision(ctx, db, &ForumDecisionRecord{MeetingID: m.ID, SubjectType: partnership.SubjectPartner, SubjectID: p.ID,
			Decision: partnership.DecideApprove, DecidedBy: ids["pt"], DecidedAt: fpNow}); err != nil {
			t.Fatal(err)
		}
		gm, err := GetForumMeeting(ctx, db, m.ID)
		if err != nil || gm.State != partnership.ForumHeld || gm.Attendance[partnership.StakeholderCompany] != 3 || gm.Version != 2 {
			t.Fatalf("meeting %+v %v", gm, err)
		}
		if n, err := CountForumMeetings(ctx, db, 2026, 4); err != nil || n != 1 {
			t.Fatalf("meetings in the quarter: %d %v", n, err)
		}
		if ds, err := ForumDecisions(ctx, db, 0, partnership.SubjectPartner, p.ID); err != nil || len(ds) != 1 || ds[0].MeetingID != m.ID {
			t.Fatalf("decisions on the partner: %v %v", ds, err)
		}
		// The database refuses what the domain never makes.
		if _, err := db.ExecContext(ctx, `INSERT INTO forum_decisions (meeting_id, subject_type, subject_id, decision, decided_by, decided_at) VALUES (?, 'sanction', 1, 'x', 1, ?)`, m.ID, fpNow); err == nil {
			t.Fatal("a decision on an unknown kind of subject was stored")
		}
	})
}

func TestPlansRoundTripAlignAndRevise(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ids := migrated(t, db, fpRegion, "pt")
		ctx := context.Background()
		p := fpPartner(t, db, ids["pt"], "PT Sejahtera", []string{"education"}, nil)
		plan := &partnership.CSRPlan{PartnerID: p.ID, FiscalYear: 2026, BoardApprovedAt: fpNow.AddDate(0, 0, -10), SubmittedAt: fpNow,
			DueAt: fpNow.AddDate(0, 0, 20), State: partnership.PlanSubmitted, Activities: []partnership.PlanActivity{
				{Title: "Beasiswa", Location: "32.73.01.1001", Area: "education", Target: "200 siswa", Goal: "Tidak putus sekolah", Financing: 300_000_000},
				{Title: "Taman", Location: "32.73.02", Area: "environment", Target: "warga", Goal: "Hijau", Financing: 100_000_000},
			}}
		if err := InsertPlan(ctx, db, plan); err != nil {
			t.Fatal(err)
		}
		if plan.Activities[0].ID == 0 || plan.Activities[1].PlanID != plan.ID {
			t.Fatalf("activity ids %+v", plan.Activities)
		}
		dup := *plan
		if err := InsertPlan(ctx, db, &dup); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("a second plan for the year: %v", err)
		}
		plan.Activities[0].AlignedArea, plan.Activities[0].AlignedTarget, plan.Activities[0].Alignment = "education", "facilities", partnership.Aligned
		plan.Activities[1].Alignment = partnership.NotAligned
		plan.State = partnership.PlanAligned
		if err := UpdatePlan(ctx, db, plan); err != nil {
			t.Fatal(err)
		}
		got := read(t, db, GetPlan, plan.ID)
		if s := got.Score(); got.State != partnership.PlanAligned || s.Aligned != 300_000_000 || s.Share.Value != 7500 || got.Activities[0].AlignedTarget != "facilities" {
			t.Fatalf("read back %+v, score %+v", got, s)
		}
		if byAct, err := PlanOfActivity(ctx, db, plan.Activities[1].ID); err != nil || byAct.ID != plan.ID {
			t.Fatalf("plan of an activity: %v", err)
		}
		// Sent back and revised: new activities replace the old.
		got.State, got.Reason = partnership.PlanRevision, "Lengkapi"
		if err := UpdatePlan(ctx, db, got); err != nil {
			t.Fatal(err)
		}
		got.State, got.Reason = partnership.PlanSubmitted, ""
		got.Activities = []partnership.PlanActivity{{Title: "Beasiswa", Location: "32.73.01.1001", Area: "education", Target: "250 siswa", Goal: "x", Financing: 350_000_000}}
		if err := ReplacePlanActivities(ctx, db, got); err != nil {
			t.Fatal(err)
		}
		again, _ := GetPlan(ctx, db, plan.ID)
		if len(again.Activities) != 1 || again.Activities[0].Financing != 350_000_000 || again.Activities[0].Alignment != "" || again.Version != 4 {
			t.Fatalf("revised %+v", again)
		}
		if ps, err := ListPlans(ctx, db, PlanFilter{PartnerID: p.ID, FiscalYear: 2026}); err != nil || len(ps) != 1 || len(ps[0].Activities) != 1 {
			t.Fatalf("list: %v %v", ps, err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO csr_plan_activities (plan_id, position, title, location, area, target, goal, financing) VALUES (?, 9, 'x', 'x', 'x', 'x', 'x', -5)`, plan.ID); err == nil {
			t.Fatal("a negative financing was stored")
		}
	})
}

// Of concurrent claims on one request, exactly one wins; the others learn who.
func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		const n = 8
		names := make([]string, n)
		for i := range names {
			names[i] = "pt" + string(rune('a'+i))
		}
		ids := migrated(t, db, fpRegion, names...)
		ctx := context.Background()
		partners := make([]*partnership.Partner, n)
		for i, u := range names {
			partners[i] = fpPartner(t, db, ids[u], "PT "+u, []string{"education"}, nil)
		}
		q := fpRequest(t, db, "education", "32.73.01.1001", fpNow.Add(24*time.Hour))
		errs := race(n, func(i int) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				mine, err := GetRequest(ctx, tx, q.ID)
				if err != nil {
					return err
				}
				if err := mine.Claim(partners[i], fpNow); err != nil {
					return err
				}
				return ClaimRequest(ctx, tx, mine)
			})
		})
		won, winner := 0, int64(0)
		for i, err := range errs {
			if err == nil {
				won++
				winner = partners[i].ID
			}
		}
		if won != 1 {
			t.Fatalf("%d claims won: %v", won, errs)
		}
		for _, err := range errs {
			var ce *partnership.ClaimedError
			if err != nil && (!errors.As(err, &ce) || ce.By != winner) && !errors.Is(err, partnership.ErrConflict) {
				t.Errorf("a lost claim: %v", err)
			}
		}
		got, _ := GetRequest(ctx, db, q.ID)
		if got.State != partnership.RequestClaimed || got.ClaimedBy != winner || got.ClaimedAt == nil || got.Version != 2 {
			t.Fatalf("after the race %+v", got)
		}
		// A claim at or after expiry is refused by the database as well.
		late := fpRequest(t, db, "education", "32.73.01.1001", fpNow)
		late.State, late.ClaimedBy = partnership.RequestClaimed, partners[0].ID
		at := fpNow
		late.ClaimedAt = &at
		if err := ClaimRequest(ctx, db, late); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("a claim at expiry: %v", err)
		}
	})
}

func TestRequestsListedForThePartnersThatMayClaimThem(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ids := migrated(t, db, fpRegion, "edu", "env")
		ctx := context.Background()
		edu := fpPartner(t, db, ids["edu"], "PT Pendidikan", []string{"education"}, []string{"32.73.01"})
		env := fpPartner(t, db, ids["env"], "PT Hijau", []string{"environment", "health"}, nil)
		later := fpNow.Add(24 * time.Hour)
		a := fpRequest(t, db, "education", "32.73.01.1001", later)   // edu
		b := fpRequest(t, db, "education", "32.73.02.1001", later)   // nobody: edu works in Sukasari only
		c := fpRequest(t, db, "environment", "32.73.02.1001", later) // env
		d := fpRequest(t, db, "", "32.73.01.1001", later)            // unclassified: both
		e := fpRequest(t, db, "education", "32.73.01.1001", fpNow)   // expired at fpNow
		requestID := func(q *partnership.CSRRequest) int64 { return q.ID }
		checkFilters(t, db, ListRequests, requestID, []filterCase[RequestFilter]{
			{"all open", RequestFilter{State: partnership.RequestOpen}, []int64{a.ID, b.ID, c.ID, d.ID, e.ID}},
			{"open now", RequestFilter{State: partnership.RequestOpen, OpenAt: fpNow}, []int64{a.ID, b.ID, c.ID, d.ID}},
			{"for edu", RequestFilter{State: partnership.RequestOpen, OpenAt: fpNow, ClaimableBy: []*partnership.Partner{edu}}, []int64{a.ID, d.ID}},
			{"for env", RequestFilter{State: partnership.RequestOpen, OpenAt: fpNow, ClaimableBy: []*partnership.Partner{env}}, []int64{c.ID, d.ID}},
			{"for both", RequestFilter{State: partnership.RequestOpen, OpenAt: fpNow, ClaimableBy: []*partnership.Partner{edu, env}}, []int64{a.ID, c.ID, d.ID}},
			{"in Coblong", RequestFilter{Scope: "32.73.02"}, []int64{b.ID, c.ID}},
			{"education", RequestFilter{Area: "education", Limit: 2}, []int64{a.ID, b.ID}},
		})
		exp, err := ExpirableRequests(ctx, db, fpNow, 10)
		if err != nil || !slices.Equal(idsOf(exp, requestID), []int64{e.ID}) {
			t.Fatalf("expirable: %v %v", idsOf(exp, requestID), err)
		}
		dup := &partnership.CSRRequest{Source: partnership.SourceMusrenbang, ProposalID: 0, Area: "x", WardCode: "32.73.01.1001", Amount: 0,
			Title: "x", Description: "x", State: partnership.RequestOpen, CreatedAt: fpNow, ExpiresAt: later}
		if err := InsertRequest(ctx, db, dup); err == nil {
			t.Fatal("a request of Rp 0 was stored")
		}
	})
}

func TestProgrammesContributionsAndIdeas(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ids := migrated(t, db, fpRegion, "pt", "warga")
		ctx := context.Background()
		p := fpPartner(t, db, ids["pt"], "PT Sejahtera", []string{"education"}, nil)
		q := fpRequest(t, db, "education", "32.73.01.1001", fpNow.Add(time.Hour))
		prog := &partnership.Programme{Source: partnership.FromRequest, PartnerID: p.ID, Area: "education", WardCode: "32.73.01.1001",
			Title: "Perpustakaan RW", SectorAgency: "Dinas Pendidikan", FiscalYear: 2026, State: partnership.ProgrammeActive,
			Beneficiaries: 300, RequestID: q.ID, CreatedAt: fpNow}
		if err := InsertProgramme(ctx, db, prog); err != nil {
			t.Fatal(err)
		}
		again := *prog
		if err := InsertProgramme(ctx, db, &again); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("a second programme for one request: %v", err)
		}
		idea := &partnership.Idea{Pillar: partnership.StakeholderCommunity, AccountID: ids["warga"], Title: "Bank sampah", Body: "x",
			State: partnership.IdeaPosted, PostedAt: fpNow}
		if err := InsertIdea(ctx, db, idea); err != nil {
			t.Fatal(err)
		}
		fromIdea := &partnership.Programme{Source: partnership.FromIdea, Area: "environment", Title: "Bank sampah", SectorAgency: "DLHK",
			FiscalYear: 2026, State: partnership.ProgrammeActive, IdeaID: idea.ID, CreatedAt: fpNow}
		if err := InsertProgramme(ctx, db, fromIdea); err != nil {
			t.Fatal(err)
		}
		idea.State, idea.AdoptedIntoType, idea.AdoptedIntoID = partnership.IdeaAdopted, partnership.IntoProgramme, fromIdea.ID
		if err := UpdateIdea(ctx, db, idea); err != nil {
			t.Fatal(err)
		}
		if gi, err := GetIdea(ctx, db, idea.ID); err != nil || gi.AdoptedIntoID != fromIdea.ID || gi.AdoptedIntoType != "programme" || gi.Version != 2 {
			t.Fatalf("idea %+v %v", gi, err)
		}
		if is, err := ListIdeas(ctx, db, IdeaFilter{State: partnership.IdeaPosted, Limit: 10}); err != nil || len(is) != 0 {
			t.Fatalf("posted ideas %v %v", is, err)
		}

		for _, c := range []*partnership.Contribution{
			{Pillar: partnership.StakeholderCompany, Kind: partnership.ContributeFunds, Amount: 150_000_000, Description: "Dana", PartnerID: p.ID},
			{Pillar: partnership.StakeholderGovernment, Kind: partnership.ContributeStaff, Quantity: 2, Unit: "orang", Description: "Pendamping"},
			{Pillar: partnership.StakeholderCommunity, Kind: partnership.ContributeLabour, Amount: 4_000_000, Quantity: 40, Unit: "hari orang", Description: "Kerja bakti"},
		} {
			c.ProgrammeID, c.AccountID, c.RecordedAt = prog.ID, ids["warga"], fpNow
			if err := InsertContribution(ctx, db, c); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := Contributions(ctx, db, prog.ID)
		if err != nil || len(cs) != 3 || cs[0].PartnerID != p.ID || cs[1].Quantity != 2 {
			t.Fatalf("contributions %v %v", cs, err)
		}
		by, all := partnership.Ledger(cs)
		if by[partnership.StakeholderCompany].Funds != 150_000_000 || all.Total != 154_000_000 {
			t.Fatalf("ledger %+v %+v", by, all)
		}
		if n, _ := CountContributions(ctx, db, prog.ID); n != 3 {
			t.Fatalf("%d contributions", n)
		}
		bad := &partnership.Contribution{ProgrammeID: prog.ID, Pillar: partnership.StakeholderCompany, Kind: partnership.ContributeFunds, Description: "x", RecordedAt: fpNow}
		if err := InsertContribution(ctx, db, bad); err == nil {
			t.Fatal("funds of Rp 0 were stored")
		}

		prog.State, prog.SectorAgency = partnership.ProgrammeCompleted, "Disdik"
		if err := UpdateProgramme(ctx, db, prog); err != nil {
			t.Fatal(err)
		}
		gp, err := GetProgramme(ctx, db, prog.ID)
		if err != nil || gp.State != partnership.ProgrammeCompleted || gp.WardCode != "32.73.01.1001" || gp.RequestID != q.ID || gp.Version != 2 {
			t.Fatalf("programme %+v %v", gp, err)
		}
		if ps, err := ListProgrammes(ctx, db, ProgrammeFilter{PartnerID: p.ID, FiscalYear: 2026}); err != nil || len(ps) != 1 {
			t.Fatalf("a partner's programmes: %v %v", ps, err)
		}
		if ps, _ := ListProgrammes(ctx, db, ProgrammeFilter{Source: partnership.FromIdea}); len(ps) != 1 || ps[0].PartnerID != 0 || ps[0].WardCode != "" {
			t.Fatalf("programmes from ideas: %+v", ps)
		}
		if _, err := GetProgramme(ctx, db, 999); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("an unknown programme: %v", err)
		}
	})
}
