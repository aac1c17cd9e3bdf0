package partnership

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func proposalInput() ProposalInput {
	return ProposalInput{Institution: "32.73.01.1001/rw-02", FiscalYear: 2026, Activity: "infrastructure", Title: "Perbaikan saluran air",
		Description: "Saluran air RW 02 tersumbat.", Cost: 30_000_000, Beneficiaries: 240, Location: "Jl. Sukarasa RT 03", Kind: Infrastructure}
}

// Every pair of states, moved through Move: allowed exactly when the machine lists it.
func TestProposalTransitions(t *testing.T) {
	states := ProposalMachine.States()
	for _, from := range states {
		for _, to := range states {
			p := &Proposal{ID: 1, State: from}
			err := p.Move(to, "alasan", now)
			if allowed := ProposalMachine.Allows(from, to); allowed != (err == nil) {
				t.Errorf("%s → %s: allowed %v, got %v", from, to, allowed, err)
			}
			if err != nil && !errors.Is(err, ErrConflict) {
				t.Errorf("%s → %s: refused with %v, want a conflict", from, to, err)
			}
			if err != nil && p.State != from {
				t.Errorf("%s → %s: a refused move changed the state to %s", from, to, p.State)
			}
		}
	}
	// Rejections, returns and cancellations need a reason.
	for _, to := range []ProposalState{ProposalRejected} {
		p := &Proposal{State: ProposalSubmitted}
		if err := p.Move(to, " ", now); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s without a reason: %v", to, err)
		}
	}
	if (&Proposal{State: ProposalFunded}).Move(ProposalCancelled, "", now) == nil {
		t.Error("cancelled without a reason")
	}
}

func TestAspirationTransitions(t *testing.T) {
	states := AspirationMachine.States()
	for _, from := range states {
		for _, to := range states {
			a := &Aspiration{Institution: "i", State: from}
			err := a.Respond(to, "alasan", &Proposal{ID: 9, Institution: "i"}, now)
			if allowed := AspirationMachine.Allows(from, to); allowed != (err == nil) {
				t.Errorf("%s → %s: allowed %v, got %v", from, to, allowed, err)
			}
		}
	}
	a := &Aspiration{Institution: "i", State: AspirationSubmitted}
	if err := a.Respond(AspirationMerged, "", &Proposal{ID: 9, Institution: "other"}, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("merged into another institution's proposal: %v", err)
	}
	if err := a.Respond(AspirationDeclined, "", nil, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("declined without a reason: %v", err)
	}
}

func TestMusrenbangTransitions(t *testing.T) {
	r := testRegion(TwoPillar)
	quorum := map[string]int{"rw-board": 5, "women-leader": 3, "resident": 4}
	for _, from := range MusrenbangMachine.States() {
		m := &Musrenbang{State: from}
		err := r.Hold(m, quorum)
		allowed := from == MusrenbangHeld || MusrenbangMachine.Allows(from, MusrenbangHeld)
		if allowed != (err == nil) {
			t.Errorf("hold from %s: %v", from, err)
		}
		m = &Musrenbang{State: from}
		err = m.Close("Notulen", 0, now)
		if MusrenbangMachine.Allows(from, MusrenbangClosed) != (err == nil) {
			t.Errorf("close from %s: %v", from, err)
		}
	}
}

func TestProposalValidation(t *testing.T) {
	r := testRegion(TwoPillar)
	if _, err := r.Proposal(proposalInput(), 1, now); err != nil {
		t.Fatal(err)
	}
	checkFields(t, proposalInput(), []fieldCase[ProposalInput]{
		{"an institution the ward lacks", func(p *ProposalInput) { p.Institution = "32.73.01.1001/rw-09" }, "institution"},
		{"an activity outside the scope", func(p *ProposalInput) { p.Activity = "pokja-4" }, "activity"}, // a PKK activity, not an RW's
		{"a past fiscal year", func(p *ProposalInput) { p.FiscalYear = 2020 }, "fiscalYear"},
		{"negative cost", func(p *ProposalInput) { p.Cost = -5 }, "cost"},
		{"no cost", func(p *ProposalInput) { p.Cost = 0 }, "cost"},
		{"too large a cost", func(p *ProposalInput) { p.Cost = MaxAmount + 1 }, "cost"},
		{"negative beneficiaries", func(p *ProposalInput) { p.Beneficiaries = -1 }, "beneficiaries"},
		{"no title", func(p *ProposalInput) { p.Title = "" }, "title"},
		{"long title", func(p *ProposalInput) { p.Title = strings.Repeat("x", 121) }, "title"},
		{"blank location", func(p *ProposalInput) { p.Location = " " }, "location"},
		{"neither empowerment nor infrastructure", func(p *ProposalInput) { p.Kind = "party" }, "kind"},
	}, func(in ProposalInput) error { _, err := r.Proposal(in, 1, now); return err })
}

func TestMusrenbangDecisions(t *testing.T) {
	r := testRegion(TwoPillar)
	m, err := r.ScheduleMusrenbang(MusrenbangInput{Level: LevelWard, Area: "32.73.01.1001", FiscalYear: 2026, ScheduledAt: now.Add(48 * time.Hour), Place: "Aula kelurahan"}, now)
	if err != nil {
		t.Fatal(err)
	}
	m.ID = 1
	p, _ := r.Proposal(proposalInput(), 1, now)
	p.ID = 7
	if err := r.Decide(m, p, Decision{Decision: DecideFund}, now); !errors.Is(err, ErrConflict) {
		t.Fatalf("decided before attendance: %v", err)
	}
	// No quorum: too few, and no women leader.
	err = r.Hold(m, map[string]int{"rw-board": 6, "resident": 2})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "8 attended, 10 needed") || !strings.Contains(err.Error(), "women-leader") {
		t.Fatalf("no quorum: %v", err)
	}
	if m.State != MusrenbangScheduled {
		t.Fatal("a refused attendance changed the state")
	}
	if err := r.Hold(m, map[string]int{"rw-board": 6, "women-leader": 2, "alien": 3}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown category: %v", err)
	}
	if err := r.Hold(m, map[string]int{"rw-board": 6, "women-leader": 2, "resident": 4}); err != nil {
		t.Fatal(err)
	}
	other := *p
	other.WardCode = "32.73.01.1002"
	if err := r.Decide(m, &other, Decision{Decision: DecideFund}, now); !errors.Is(err, ErrConflict) {
		t.Errorf("decided another ward's proposal: %v", err)
	}
	if err := r.Decide(m, p, Decision{Decision: DecideSector, Agency: "Dinas PU"}, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a ward Musrenbang passed a proposal to a sector agency: %v", err)
	}
	if err := r.Decide(m, p, Decision{Decision: DecideForward}, now); err != nil || p.State != ProposalForwarded {
		t.Fatalf("forward: %v %s", err, p.State)
	}
	if err := m.Close("", 0, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("closed without minutes: %v", err)
	}
	if err := m.Close("Notulen", 1, now); !errors.Is(err, ErrConflict) {
		t.Errorf("closed with undecided proposals: %v", err)
	}
	if err := m.Close("Notulen musyawarah", 0, now); err != nil {
		t.Fatal(err)
	}
	q, _ := r.Proposal(proposalInput(), 1, now)
	if err := r.Decide(m, q, Decision{Decision: DecideReject, Reason: "x"}, now); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("decided on a closed Musrenbang: %v", err)
	}

	// The kecamatan decides on what was forwarded; CSR only where the four-pillar model runs.
	k, err := r.ScheduleMusrenbang(MusrenbangInput{Level: LevelKecamatan, Area: "32.73.01", FiscalYear: 2026, ScheduledAt: now.Add(72 * time.Hour), Place: "Kantor kecamatan"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Hold(k, map[string]int{"rw-board": 6, "women-leader": 4}); err != nil {
		t.Fatal(err)
	}
	if err := r.Decide(k, p, Decision{Decision: DecideCSR}, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("CSR in a two-pillar-only region: %v", err)
	}
	if err := r.Decide(k, p, Decision{Decision: DecideSector}, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("sector without an agency: %v", err)
	}
	if err := testRegion(TwoPillar, FourPillar).Decide(k, p, Decision{Decision: DecideCSR}, now); err != nil || p.State != ProposalCSR {
		t.Errorf("CSR in a four-pillar region: %v %s", err, p.State)
	}
}

func TestScheduleMusrenbangRefuses(t *testing.T) {
	r := testRegion(TwoPillar)
	good := MusrenbangInput{Level: LevelWard, Area: "32.73.01.1001", FiscalYear: 2026, ScheduledAt: now.Add(time.Hour), Place: "Aula"}
	for field, mutate := range map[string]func(*MusrenbangInput){
		"level":       func(m *MusrenbangInput) { m.Level = "city" },
		"area":        func(m *MusrenbangInput) { m.Area = "32.73.01" }, // a kecamatan for a ward Musrenbang
		"fiscalYear":  func(m *MusrenbangInput) { m.FiscalYear = 2031 },
		"scheduledAt": func(m *MusrenbangInput) { m.ScheduledAt = now.AddDate(0, 0, -3) },
		"place":       func(m *MusrenbangInput) { m.Place = "" },
	} {
		in := good
		mutate(&in)
		if _, err := r.ScheduleMusrenbang(in, now); !invalidOn(err, field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestAllocationCommit(t *testing.T) {
	a := Allocation{Institution: "32.73.01.1001/rw-02", FiscalYear: 2026, Amount: 100_000_000, Committed: 80_000_000}
	_, err := a.Commit(30_000_000)
	var over *OverAllocationError
	if !errors.As(err, &over) || !errors.Is(err, ErrConflict) {
		t.Fatalf("over-allocation: %v", err)
	}
	for _, figure := range []string{"Rp 100.000.000", "Rp 80.000.000", "Rp 20.000.000 remains", "costs Rp 30.000.000"} {
		if !strings.Contains(err.Error(), figure) {
			t.Errorf("%q does not name %s", err, figure)
		}
	}
	if b, err := a.Commit(20_000_000); err != nil || b.Remaining() != 0 {
		t.Fatalf("exactly the remainder: %v %v", b, err)
	}
	if b, err := a.Commit(-30_000_000); err != nil || b.Committed != 50_000_000 {
		t.Fatalf("release: %v %v", b, err)
	}
	if _, err := a.Commit(-90_000_000); !errors.Is(err, ErrConflict) {
		t.Fatalf("released more than committed: %v", err)
	}
}
