package partnership

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func programme() *Programme {
	return &Programme{ID: 7, PartnerID: 3, Area: "education", WardCode: "32.73.01.1001", FiscalYear: 2026, State: ProgrammeActive}
}

func realisationInput() RealisationInput {
	return RealisationInput{Programme: 7, ActivityStart: "2026-10-01", ActivityEnd: "2026-10-31", Amount: 250_000_000,
		SourceOfFunds: "Dana TJSL PT Contoh", Outputs: "Dua ruang kelas direnovasi", TargetsReached: "Sarana pendidikan: 2 dari 2"}
}

func pdf(n int) []byte { return append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), n)...) }

func TestRealisation(t *testing.T) {
	r := outcomesRegion()
	// Submitted 2026-11-26: the activity ended 2026-10-31, due 30 days after that day ends.
	rz, err := r.Realisation(programme(), 3, realisationInput(), []Upload{{Name: "kwitansi.pdf", Size: 20, Data: pdf(11)}}, 42, now)
	if err != nil {
		t.Fatal(err)
	}
	wantDue := time.Date(2026, 11, 30, 23, 59, 59, 0, r.Location).UTC()
	if !rz.DueAt.Equal(wantDue) || rz.Late || rz.Area != "education" || rz.FiscalYear != 2026 || rz.WardCode != "32.73.01.1001" ||
		len(rz.Evidence) != 1 || rz.Evidence[0].ContentType != "application/pdf" {
		t.Fatalf("realisation %+v, due %v want %v", rz, rz.DueAt, wantDue)
	}
	// The same report a week later is late.
	late, err := r.Realisation(programme(), 3, realisationInput(), nil, 42, now.Add(7*24*time.Hour))
	if err != nil || !late.Late {
		t.Fatalf("a report after its deadline: late %v, %v", late != nil && late.Late, err)
	}

	big := make([]byte, MaxAttachmentSize+1)
	copy(big, "%PDF-")
	cityWide := programme()
	cityWide.WardCode = ""
	other := programme()
	other.PartnerID = 4
	noPartner := programme()
	noPartner.PartnerID = 0
	cancelled := programme()
	cancelled.State = ProgrammeCancelled
	for _, tt := range []struct {
		name  string
		p     *Programme
		edit  func(*RealisationInput)
		files []Upload
		want  error
		field string
	}{
		{"another partner's programme", other, nil, nil, ErrForbidden, ""},
		{"a programme without a partner", noPartner, nil, nil, ErrForbidden, ""},
		{"a cancelled programme", cancelled, nil, nil, ErrConflict, ""},
		{"negative amount", programme(), func(in *RealisationInput) { in.Amount = -1 }, nil, ErrInvalid, "amount"},
		{"absurd amount", programme(), func(in *RealisationInput) { in.Amount = MaxAmount + 1 }, nil, ErrInvalid, "amount"},
		{"no source of funds", programme(), func(in *RealisationInput) { in.SourceOfFunds = " " }, nil, ErrInvalid, "sourceOfFunds"},
		{"no outputs", programme(), func(in *RealisationInput) { in.Outputs = "" }, nil, ErrInvalid, "outputs"},
		{"no targets", programme(), func(in *RealisationInput) { in.TargetsReached = "" }, nil, ErrInvalid, "targetsReached"},
		{"outputs too long", programme(), func(in *RealisationInput) { in.Outputs = strings.Repeat("x", csrMaxOutputs+1) }, nil, ErrInvalid, "outputs"},
		{"dates in the wrong order", programme(), func(in *RealisationInput) { in.ActivityStart, in.ActivityEnd = "2026-10-31", "2026-10-01" }, nil, ErrInvalid, "activityEnd"},
		{"not a date", programme(), func(in *RealisationInput) { in.ActivityEnd = "31/10/2026" }, nil, ErrInvalid, "activityEnd"},
		{"ended in the future", programme(), func(in *RealisationInput) { in.ActivityEnd = "2026-12-01" }, nil, ErrInvalid, "activityEnd"},
		{"before the programme's year", programme(), func(in *RealisationInput) { in.ActivityStart = "2025-12-01" }, nil, ErrInvalid, "activityStart"},
		{"two years after it", programme(), func(in *RealisationInput) { in.ActivityStart, in.ActivityEnd = "2028-01-01", "2028-01-02" }, nil, ErrInvalid, "activityStart"},
		{"another ward than the programme's", programme(), func(in *RealisationInput) { in.Ward = "32.73.02.1001" }, nil, ErrInvalid, "ward"},
		{"a ward of nowhere", cityWide, func(in *RealisationInput) { in.Ward = "32.73.99.9999" }, nil, ErrInvalid, "ward"},
		{"evidence too large", programme(), nil, []Upload{{Name: "besar.pdf", Size: int64(len(big)), Data: big}}, ErrInvalid, "evidence"},
		{"evidence of a forbidden type", programme(), nil, []Upload{{Name: "foto.png", Size: 15, Data: []byte("<html>bukan png")}}, ErrInvalid, "evidence"},
		{"too much evidence", programme(), nil, []Upload{{Name: "1", Size: 6, Data: pdf(1)}, {Name: "2", Size: 6, Data: pdf(1)}, {Name: "3", Size: 6, Data: pdf(1)},
			{Name: "4", Size: 6, Data: pdf(1)}, {Name: "5", Size: 6, Data: pdf(1)}, {Name: "6", Size: 6, Data: pdf(1)}}, ErrInvalid, "evidence"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := realisationInput()
			if tt.edit != nil {
				tt.edit(&in)
			}
			for i := range tt.files {
				tt.files[i].Size = int64(len(tt.files[i].Data))
			}
			_, err := r.Realisation(tt.p, 3, in, tt.files, 42, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.field != "" && !invalidOn(err, tt.field) {
				t.Fatalf("refused %v, want on the field %s", err, tt.field)
			}
		})
	}
	// A programme across the region takes the ward the partner names.
	in := realisationInput()
	in.Ward = "32.73.02.1001"
	if rz, err := r.Realisation(cityWide, 3, in, nil, 42, now); err != nil || rz.WardCode != "32.73.02.1001" {
		t.Fatalf("a city-wide programme's ward: %v %v", rz, err)
	}
	// A region without the four-pillar model takes no reports.
	if _, err := testRegion(TwoPillar).Realisation(programme(), 3, realisationInput(), nil, 42, now); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a two-pillar region: %v", err)
	}
}

func TestDeadlines(t *testing.T) {
	r := outcomesRegion()
	jkt := r.Location
	if got, want := r.ProgrammeRealisationDue(2025), time.Date(2026, 1, 30, 23, 59, 59, 0, jkt); !got.Equal(want) {
		t.Errorf("a 2025 programme's realisation is due %v, want %v", got, want)
	}
	approved := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	if got, want := r.PlanDue(2026, approved), approved.Add(30*24*time.Hour); !got.Equal(want) {
		t.Errorf("the plan of a partner approved in the year is due %v, want %v", got, want)
	}
	if got, want := r.PlanDue(2027, approved), time.Date(2027, 1, 31, 0, 0, 0, 0, jkt); !got.Equal(want) {
		t.Errorf("next year's plan is due %v, want %v", got, want)
	}
}

// Every pair of states, moved through Move: allowed exactly when the machine lists it.
func TestSanctionTransitions(t *testing.T) {
	states := SanctionMachine.States()
	if len(states) != 4 {
		t.Fatalf("states %v", states)
	}
	for _, from := range states {
		for _, to := range states {
			s := &Sanction{ID: 1, State: from, Step: "written-warning"}
			err := s.Move(to, "alasan", "Perda 13/2012", 9, now)
			if allowed := SanctionMachine.Allows(from, to); allowed != (err == nil) {
				t.Errorf("%s → %s: allowed %v, got %v", from, to, allowed, err)
			}
			if err != nil && (!errors.Is(err, ErrConflict) || s.State != from) {
				t.Errorf("%s → %s: refused with %v, state now %s", from, to, err, s.State)
			}
		}
	}
	s := &Sanction{State: SanctionRecommended}
	if err := s.Move(SanctionIssued, "", " ", 9, now); !errors.Is(err, ErrInvalid) || s.State != SanctionRecommended {
		t.Errorf("issued without a legal basis: %v", err)
	}
	if err := s.Move(SanctionIssued, "", "Perda 13/2012", 9, now); err != nil || !s.NotifiedAt.Equal(now) || s.LegalBasis != "Perda 13/2012" || s.IssuedBy != 9 {
		t.Errorf("issued: %v %+v", err, s)
	}
	if err := s.Move(SanctionLifted, "", "", 9, now); !errors.Is(err, ErrInvalid) || s.State != SanctionIssued {
		t.Errorf("lifted without a reason: %v", err)
	}
	if err := (&Sanction{State: SanctionRecommended}).Move(SanctionDismissed, "", "", 9, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("dismissed without a reason: %v", err)
	}
}

func TestSanctionLadder(t *testing.T) {
	r := outcomesRegion()
	if basis, err := r.SanctionLegalBasis(); err != nil || basis != "Perda 13/2012" {
		t.Fatalf("legal basis %q %v", basis, err)
	}
	if _, err := testRegion(FourPillar).SanctionLegalBasis(); !errors.Is(err, ErrConflict) {
		t.Fatalf("a region without a CSR-obligation regulation: %v", err)
	}
	issued := func(step string) Sanction { return Sanction{Step: step, State: SanctionIssued} }
	for _, tt := range []struct {
		name       string
		sanctions  []Sanction
		next       string
		compliance Compliance
	}{
		{"none", nil, "written-warning", Compliant},
		{"lifted and dismissed ones do not count", []Sanction{{Step: "revocation", State: SanctionLifted}, {Step: "facility-freeze", State: SanctionDismissed}}, "written-warning", Compliant},
		{"a warning", []Sanction{issued("written-warning")}, "business-restriction", Warned},
		{"a restriction", []Sanction{issued("written-warning"), issued("business-restriction")}, "facility-freeze", Restricted},
		{"a freeze, the highest counts", []Sanction{issued("facility-freeze"), issued("written-warning")}, "revocation", Frozen},
		{"revoked", []Sanction{issued("revocation")}, "", Revoked},
		{"a recommendation binds nobody", []Sanction{{Step: "written-warning", State: SanctionRecommended}}, "written-warning", Compliant},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.NextSanctionStep(tt.sanctions); got != tt.next {
				t.Errorf("next step %q, want %q", got, tt.next)
			}
			if got, _ := r.ComplianceOf(tt.sanctions); got != tt.compliance {
				t.Errorf("compliance %s, want %s", got, tt.compliance)
			}
		})
	}

	s, err := r.RecommendSanction(5, nil, "", "Rencana TJSL 2026 tidak disampaikan", SystemActor, now)
	if err != nil || s.Step != "written-warning" || s.State != SanctionRecommended || s.RecommendedBy != SystemActor {
		t.Fatalf("recommended %+v %v", s, err)
	}
	if _, err := r.RecommendSanction(5, []Sanction{*s}, "", "lagi", SystemActor, now); !errors.Is(err, ErrConflict) {
		t.Errorf("a second open recommendation: %v", err)
	}
	if _, err := r.RecommendSanction(5, []Sanction{issued("revocation")}, "", "lagi", "9", now); !errors.Is(err, ErrConflict) {
		t.Errorf("above the top of the ladder: %v", err)
	}
	if _, err := r.RecommendSanction(5, []Sanction{issued("business-restriction")}, "written-warning", "turun", "9", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a step below the one in force: %v", err)
	}
	if _, err := r.RecommendSanction(5, nil, "public-shaming", "x", "9", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a step off the ladder: %v", err)
	}
	if _, err := r.RecommendSanction(5, nil, "", " ", "9", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("no reason: %v", err)
	}
	if s, err := r.RecommendSanction(5, []Sanction{issued("written-warning")}, "facility-freeze", "berat", "9", now); err != nil || s.Step != "facility-freeze" {
		t.Errorf("the forum may skip steps upwards: %v %v", s, err)
	}
}

func TestAwardTransitions(t *testing.T) {
	for _, from := range AwardMachine.States() {
		for _, to := range AwardMachine.States() {
			a := &Award{Cycle: 2025, PartnerID: 1, State: from, Total: 5000}
			var err error
			if to == AwardPublished {
				err = a.Publish(now)
			} else {
				err = a.Adjust(100, "Laporan lengkap", 9, now)
			}
			if allowed := AwardMachine.Allows(from, to); allowed != (err == nil) {
				t.Errorf("%s → %s: allowed %v, got %v", from, to, allowed, err)
			}
			if err != nil && a.State != from {
				t.Errorf("%s → %s: a refused move changed the state", from, to)
			}
		}
	}
	a := &Award{State: AwardScored, Total: 9_950}
	for _, tt := range []struct {
		delta  int64
		reason string
	}{{100, "melebihi"}, {-10_000, "di bawah nol"}, {0, "nol"}, {20_000, "absurd"}, {10, " "}} {
		if err := a.Adjust(tt.delta, tt.reason, 9, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("adjust %d %q: %v", tt.delta, tt.reason, err)
		}
	}
	if err := a.Adjust(-450, "Program tidak berkelanjutan", 9, now); err != nil || a.Adjusted() != 9_500 || len(a.Adjustments) != 1 {
		t.Fatalf("adjust: %v, total %d", err, a.Adjusted())
	}
	// New figures keep the adjustment, unless it would leave the range.
	if err := a.Rescore(&Award{Total: 8_000}); err != nil || a.Adjusted() != 7_550 {
		t.Fatalf("rescore: %v %d", err, a.Adjusted())
	}
	if err := a.Rescore(&Award{Total: 100}); !errors.Is(err, ErrConflict) {
		t.Fatalf("rescore below zero with the adjustment: %v", err)
	}
	a.Publish(now)
	if err := a.Rescore(&Award{Total: 100}); !errors.Is(err, ErrConflict) {
		t.Fatalf("rescore a published award: %v", err)
	}
}

func TestScoreAwards(t *testing.T) {
	r := outcomesRegion()
	records := []AwardRecord{
		{PartnerID: 1, Programmes: 4, ProgrammeValue: 400_000_000, PlanFinancing: 500_000_000, AlignedFinancing: 400_000_000,
			Realised: 450_000_000, Reports: 4, OnTime: 3, Missing: 0, WithEvidence: 4, PlanYears: []int{2024, 2025, 2026}},
		{PartnerID: 2, Programmes: 1, ProgrammeValue: 100_000_000, PlanFinancing: 100_000_000, AlignedFinancing: 100_000_000,
			Realised: 250_000_000, Reports: 1, OnTime: 0, Missing: 1, WithEvidence: 0, PlanYears: []int{2026}},
		{PartnerID: 3}, // nothing: every criterion scores 0
	}
	awards, err := r.ScoreAwards(2025, records, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]int64{
		{"commitment": 100, "alignment": 80, "deviation": 90, "reporting": 75, "sustainability": 100, "documents": 100},
		// commitment 50×1/4 = 12.5 → 13, plus 50×1/4 → 13; deviation |250−100|/100 = 150% → 0; 0 of 2 on time; one of two years.
		{"commitment": 26, "alignment": 100, "deviation": 0, "reporting": 0, "sustainability": 50, "documents": 0},
		{"commitment": 0, "alignment": 0, "deviation": 0, "reporting": 0, "sustainability": 0, "documents": 0},
	}
	wantTotal := []int64{
		100*25 + 80*20 + 90*15 + 75*15 + 100*15 + 100*10,
		26*25 + 100*20 + 0 + 0 + 50*15 + 0,
		0,
	}
	for i, a := range awards {
		for c, v := range want[i] {
			if a.Scores[c] != v {
				t.Errorf("partner %d %s: %d, want %d", a.PartnerID, c, a.Scores[c], v)
			}
		}
		if a.Total != wantTotal[i] || a.State != AwardScored || a.Cycle != 2025 {
			t.Errorf("partner %d: total %d, want %d (%+v)", a.PartnerID, a.Total, wantTotal[i], a)
		}
	}
	for _, bad := range []int{1999, 2027} {
		if _, err := r.ScoreAwards(bad, records, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("cycle %d: %v", bad, err)
		}
	}
}

func TestMaturityOf(t *testing.T) {
	for _, tt := range []struct {
		name string
		rec  MaturityRecord
		want Maturity
	}{
		{"nothing at all", MaturityRecord{}, MaturityNone},
		{"one year of giving, no plan", MaturityRecord{RealisationYears: []int{2014}}, Charity},
		{"giving in several years, never planned", MaturityRecord{RealisationYears: []int{2014, 2015}}, Charity},
		{"a plan, not sustained", MaturityRecord{PlanYears: []int{2024}, AlignedPlanYears: []int{2024}, RealisationYears: []int{2024}}, Philanthropy},
		{"plans in two years only", MaturityRecord{PlanYears: []int{2024, 2025}, AlignedPlanYears: []int{2024, 2025}, RealisationYears: []int{2024, 2025}}, Philanthropy},
		{"three years, not consecutive", MaturityRecord{PlanYears: []int{2022, 2024, 2026}, AlignedPlanYears: []int{2022, 2024, 2026}, RealisationYears: []int{2022, 2024, 2026}}, Philanthropy},
		{"three years, one without realisation", MaturityRecord{PlanYears: []int{2024, 2025, 2026}, AlignedPlanYears: []int{2024, 2025, 2026}, RealisationYears: []int{2024, 2026}}, Philanthropy},
		{"three years, one plan not aligned", MaturityRecord{PlanYears: []int{2024, 2025, 2026}, AlignedPlanYears: []int{2024, 2026}, RealisationYears: []int{2024, 2025, 2026}}, Philanthropy},
		{"a plan without realisations", MaturityRecord{PlanYears: []int{2026}}, Philanthropy},
		{"three consecutive aligned years", MaturityRecord{PlanYears: []int{2024, 2025, 2026}, AlignedPlanYears: []int{2024, 2025, 2026}, RealisationYears: []int{2024, 2025, 2026}}, CorporateCitizen},
		{"a run of three among more", MaturityRecord{PlanYears: []int{2019, 2021, 2022, 2023}, AlignedPlanYears: []int{2019, 2021, 2022, 2023}, RealisationYears: []int{2014, 2021, 2022, 2023}}, CorporateCitizen},
	} {
		if got := MaturityOf(tt.rec); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
