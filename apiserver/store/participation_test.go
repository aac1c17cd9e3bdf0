package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

// prRegion has two kecamatan: Sukasari with Sukarasa (2 RW) and Gegerkalong
// (1 RW), Coblong with Cipaganti (1 RW); each ward has an RW institution per
// RW and a PKK. Its fiscal year 2026 runs from 2025-12-31 17:00 UTC to
// 2026-12-31 17:00 UTC (Asia/Jakarta).
func prRegion() *partnership.Region {
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	r := &partnership.Region{
		Code: "32.73", Name: "Kota Bandung", Location: jkt,
		Kecamatan: []partnership.Kecamatan{
			{Code: "32.73.01", Name: "Sukasari", Wards: []partnership.Ward{
				{Code: "32.73.01.1001", Name: "Sukarasa", Kind: "kelurahan", Population: 1000, RW: 2},
				{Code: "32.73.01.1002", Name: "Gegerkalong", Kind: "kelurahan", Population: 500, RW: 1},
			}},
			{Code: "32.73.02", Name: "Coblong", Wards: []partnership.Ward{
				{Code: "32.73.02.1001", Name: "Cipaganti", Kind: "kelurahan", Population: 800, RW: 1},
			}},
		},
		InstitutionTypes: []partnership.InstitutionType{{Key: "rw", PerRW: true}, {Key: "pkk"}},
		TwoPillar:        &partnership.TwoPillarRules{AllocationPerInstitution: 100_000_000},
	}
	r.IndexScopes()
	return r
}

const (
	sukarasa1001 = "32.73.01.1001"
	geger1002    = "32.73.01.1002"
	cipaganti    = "32.73.02.1001"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// seedParticipationYear stores a fiscal year of Sukasari, with rows just
// outside it (another year, another kecamatan, states that do not count)
// that must not be counted.
func seedParticipationYear(t *testing.T, db bun.IDB, account int64) {
	t.Helper()
	ctx := context.Background()
	for _, a := range []struct{ inst, at string }{
		{sukarasa1001 + "/rw-01", "2026-03-01T10:00:00Z"},
		{sukarasa1001 + "/rw-01", "2025-12-31T18:00:00Z"}, // 1 January 2026, 01:00 in Bandung
		{sukarasa1001 + "/pkk", "2025-12-31T16:59:00Z"},   // 31 December 2025, 23:59 in Bandung
		{geger1002 + "/rw-01", "2026-06-01T10:00:00Z"},
		{cipaganti + "/rw-01", "2026-06-01T10:00:00Z"},
	} {
		ward := a.inst[:len(sukarasa1001)]
		if err := InsertAspiration(ctx, db, &partnership.Aspiration{Institution: a.inst, WardCode: ward, AccountID: account, Title: "t", Body: "b",
			State: partnership.AspirationSubmitted, SubmittedAt: at(a.at), UpdatedAt: at(a.at)}); err != nil {
			t.Fatal(err)
		}
	}

	for _, m := range []struct {
		level, area string
		year        int
		state       partnership.MusrenbangState
		attendance  map[string]int
	}{
		{partnership.LevelWard, sukarasa1001, 2026, partnership.MusrenbangClosed, map[string]int{"rt-board": 4, "resident": 6}},
		{partnership.LevelWard, sukarasa1001, 2026, partnership.MusrenbangHeld, map[string]int{"rw-board": 3}},
		{partnership.LevelWard, sukarasa1001, 2026, partnership.MusrenbangCancelled, map[string]int{"resident": 50}},
		{partnership.LevelWard, sukarasa1001, 2026, partnership.MusrenbangScheduled, map[string]int{}},
		{partnership.LevelWard, sukarasa1001, 2025, partnership.MusrenbangClosed, map[string]int{"resident": 100}},
		{partnership.LevelKecamatan, "32.73.01", 2026, partnership.MusrenbangClosed, map[string]int{"resident": 40}},
		{partnership.LevelWard, geger1002, 2026, partnership.MusrenbangClosed, map[string]int{"resident": 7}},
		{partnership.LevelWard, cipaganti, 2026, partnership.MusrenbangClosed, map[string]int{"resident": 9}},
	} {
		if err := InsertMusrenbang(ctx, db, &partnership.Musrenbang{Level: m.level, Area: m.area, FiscalYear: m.year, ScheduledAt: at("2026-02-01T02:00:00Z"),
			Place: "Aula", State: m.state, Attendance: m.attendance}); err != nil {
			t.Fatal(err)
		}
	}

	proposal := func(inst string, year int, kind partnership.Kind, cost partnership.Rupiah, state partnership.ProposalState) int64 {
		t.Helper()
		p := &partnership.Proposal{Institution: inst, WardCode: inst[:len(sukarasa1001)], FiscalYear: year, Activity: "a", Title: "t", Description: "d",
			Cost: cost, Location: "l", Kind: kind, State: state, CreatedBy: account, CreatedAt: at("2026-01-10T00:00:00Z"), UpdatedAt: at("2026-01-10T00:00:00Z")}
		if err := InsertProposal(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	E, I := partnership.Empowerment, partnership.Infrastructure
	proposal(sukarasa1001+"/rw-01", 2026, E, 10_000_000, partnership.ProposalFunded)
	rw1 := proposal(sukarasa1001+"/rw-01", 2026, E, 20_000_000, partnership.ProposalReported)
	proposal(sukarasa1001+"/rw-02", 2026, I, 30_000_000, partnership.ProposalApproved)
	proposal(sukarasa1001+"/rw-02", 2026, I, 5_000_000, partnership.ProposalCancelled)
	proposal(sukarasa1001+"/pkk", 2026, E, 7_000_000, partnership.ProposalSubmitted)
	pkk := proposal(sukarasa1001+"/pkk", 2026, E, 8_000_000, partnership.ProposalVerified)
	old := proposal(sukarasa1001+"/rw-01", 2025, E, 50_000_000, partnership.ProposalEvaluated)
	geger := proposal(geger1002+"/rw-01", 2026, I, 40_000_000, partnership.ProposalEvaluated)
	proposal(cipaganti+"/pkk", 2026, E, 9_000_000, partnership.ProposalFunded)

	report := func(proposal int64, inst string, year int, spent, participants int64, due, submitted string, state string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, `INSERT INTO reports (proposal_id, institution, ward_code, fiscal_year, spent, outputs, participants,
			activity_start, activity_end, due_at, submitted_by, submitted_at, state) VALUES (?, ?, ?, ?, ?, 'hasil', ?, ?, ?, ?, ?, ?, ?)`,
			proposal, inst, inst[:len(sukarasa1001)], year, spent, participants, at("2026-05-01T00:00:00Z"), at("2026-05-02T00:00:00Z"),
			at(due), account, at(submitted), state); err != nil {
			t.Fatal(err)
		}
	}
	// Sent back, then resubmitted on time: only the resubmission counts.
	report(rw1, sukarasa1001+"/rw-01", 2026, 20_000_000, 100, "2026-06-01T16:59:59Z", "2026-07-01T00:00:00Z", "returned")
	report(rw1, sukarasa1001+"/rw-01", 2026, 18_000_000, 80, "2026-06-01T16:59:59Z", "2026-05-20T00:00:00Z", "submitted")
	// Late by a second.
	report(pkk, sukarasa1001+"/pkk", 2026, 8_000_000, 40, "2026-06-01T16:59:59Z", "2026-06-01T17:00:00Z", "verified")
	// Submitted at the very moment it was due: on time.
	report(geger, geger1002+"/rw-01", 2026, 39_000_000, 25, "2026-06-01T16:59:59Z", "2026-06-01T16:59:59Z", "evaluated")
	report(old, sukarasa1001+"/rw-01", 2025, 49_000_000, 300, "2025-06-01T16:59:59Z", "2025-05-01T00:00:00Z", "evaluated")

	for _, c := range []struct{ scope, filed, resolved string }{
		{sukarasa1001 + "/rw-01", "2026-02-01T10:00:00Z", "2026-02-02T12:00:00Z"}, // 26 hours
		{sukarasa1001, "2026-03-01T00:00:00Z", "2026-03-01T10:00:00Z"},            // 10 hours
		{sukarasa1001 + "/rw-02", "2026-04-01T00:00:00Z", ""},
		{sukarasa1001, "2025-12-01T00:00:00Z", "2025-12-02T00:00:00Z"}, // the year before
		{geger1002, "2026-05-01T00:00:00Z", ""},
	} {
		cp := &partnership.Complaint{Scope: c.scope, WardCode: c.scope[:len(sukarasa1001)], AccountID: account, Subject: "s", Body: "b",
			State: partnership.ComplaintFiled, FiledAt: at(c.filed), DueAt: at(c.filed).Add(14 * 24 * time.Hour), UpdatedAt: at(c.filed)}
		if c.resolved != "" {
			cp.State, cp.ResolvedAt, cp.Resolution = partnership.ComplaintResolved, at(c.resolved), "selesai"
		}
		if _, err := InsertComplaint(ctx, db, cp); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParticipationTallies(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r := prRegion()
		seedParticipationYear(t, db, migrated(t, db, r, "warga")["warga"])
		from, to := r.FiscalYearBounds(2026)

		got, err := ParticipationTallies(ctx, db, "32.73.01", 2026, from, to, ByWard)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]partnership.Tally{
			sukarasa1001: {Aspirations: 2, Attendance: 13, Participants: 120, Empowerment: 38_000_000, Infrastructure: 30_000_000,
				Spent: 26_000_000, Reports: 2, OnTime: 1, Complaints: 3, Resolutions: []time.Duration{26 * time.Hour, 10 * time.Hour}},
			geger1002: {Aspirations: 1, Attendance: 7, Participants: 25, Infrastructure: 40_000_000, Spent: 39_000_000, Reports: 1, OnTime: 1, Complaints: 1},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Sukasari by ward:\n got %+v\nwant %+v", got, want)
		}

		got, err = ParticipationTallies(ctx, db, sukarasa1001, 2026, from, to, ByInstitution)
		if err != nil {
			t.Fatal(err)
		}
		want = map[string]partnership.Tally{
			sukarasa1001 + "/rw-01": {Aspirations: 2, Participants: 80, Empowerment: 30_000_000, Spent: 18_000_000, Reports: 1, OnTime: 1,
				Complaints: 1, Resolutions: []time.Duration{26 * time.Hour}},
			sukarasa1001 + "/rw-02": {Infrastructure: 30_000_000, Complaints: 1},
			sukarasa1001 + "/pkk":   {Participants: 40, Empowerment: 8_000_000, Spent: 8_000_000, Reports: 1},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Sukarasa by institution:\n got %+v\nwant %+v", got, want)
		}

		// The whole region: Cipaganti too; and the domain rolls the wards up.
		got, err = ParticipationTallies(ctx, db, "32.73", 2026, from, to, ByWard)
		if err != nil {
			t.Fatal(err)
		}
		if c := got[cipaganti]; c.Aspirations != 1 || c.Attendance != 9 || c.Empowerment != 9_000_000 || len(got) != 3 {
			t.Errorf("the region by ward: %+v", got)
		}
		top, rows, err := r.Participation("32.73", got, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		// 26 + 39 million spent of 7 institutions × 100 million; 47 of 117 million for empowerment.
		if top.Spent != 65_000_000 || top.Absorption != (partnership.BasisPoints{Value: 929, Defined: true}) ||
			top.EmpowermentShare != (partnership.BasisPoints{Value: 4017, Defined: true}) || len(rows) != 2 || rows[0].Attendance != 20 {
			t.Errorf("region: %+v; rows %+v", top, rows)
		}

		// Nothing in another year.
		from, to = r.FiscalYearBounds(2024)
		if got, err := ParticipationTallies(ctx, db, "32.73", 2024, from, to, ByWard); err != nil || len(got) != 0 {
			t.Errorf("2024: %v, %v", got, err)
		}
	})
}

func TestParticipationPhases(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		lurah := migrated(t, db, prRegion(), "lurah")["lurah"]
		assess := func(ward string, year int, phase partnership.Phase, when string) partnership.PhaseAssessment {
			t.Helper()
			a := &partnership.PhaseAssessment{WardCode: ward, FiscalYear: year, Phase: phase, Note: "catatan " + string(phase), AssessedBy: lurah, AssessedAt: at(when)}
			if err := InsertPhase(ctx, db, a); err != nil {
				t.Fatal(err)
			}
			if a.ID == 0 {
				t.Fatal("no id")
			}
			return *a
		}
		informing := assess(sukarasa1001, 2026, partnership.PhaseInforming, "2026-03-01T00:00:00Z")
		consulting := assess(sukarasa1001, 2026, partnership.PhaseConsulting, "2026-09-01T00:00:00Z")
		assess(geger1002, 2025, partnership.PhaseInitiating, "2025-09-01T00:00:00Z")
		collaborating := assess(cipaganti, 2026, partnership.PhaseCollaborating, "2026-09-01T00:00:00Z")

		latest, err := LatestPhases(ctx, db, "32.73.01", 2026)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]partnership.PhaseAssessment{sukarasa1001: consulting}; !reflect.DeepEqual(latest, want) {
			t.Errorf("Sukasari's latest phases %+v, want %+v", latest, want)
		}
		latest, err = LatestPhases(ctx, db, "32.73", 2026)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]partnership.PhaseAssessment{sukarasa1001: consulting, cipaganti: collaborating}; !reflect.DeepEqual(latest, want) {
			t.Errorf("the region's latest phases %+v, want %+v", latest, want)
		}
		history, err := PhaseHistory(ctx, db, sukarasa1001, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if want := []partnership.PhaseAssessment{consulting, informing}; !reflect.DeepEqual(history, want) {
			t.Errorf("history %+v, want %+v", history, want)
		}
		if h, err := PhaseHistory(ctx, db, geger1002, 2026); err != nil || len(h) != 0 {
			t.Errorf("no assessment in 2026: %v, %v", h, err)
		}

		// The schema refuses what the domain would: an unknown phase, a ward that does not exist.
		if err := InsertPhase(ctx, db, &partnership.PhaseAssessment{WardCode: sukarasa1001, FiscalYear: 2026, Phase: "empowered", Note: "x", AssessedBy: lurah, AssessedAt: at("2026-09-01T00:00:00Z")}); err == nil {
			t.Error("an unknown phase was stored")
		}
		if err := InsertPhase(ctx, db, &partnership.PhaseAssessment{WardCode: "32.73.99.9999", FiscalYear: 2026, Phase: partnership.PhaseIgnoring, Note: "x", AssessedBy: lurah, AssessedAt: at("2026-09-01T00:00:00Z")}); err == nil {
			t.Error("a phase of an unknown ward was stored")
		}
	})
}
