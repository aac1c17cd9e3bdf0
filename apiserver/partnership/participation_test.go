package partnership

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestShare(t *testing.T) {
	for _, tt := range []struct {
		name        string
		part, whole int64
		want        BasisPoints
		text        string
	}{
		{"60 of 100 million", 60_000_000, 100_000_000, BasisPoints{6000, true}, "60.00%"},
		{"the whole", 7, 7, BasisPoints{10_000, true}, "100.00%"},
		{"nothing of something", 0, 5, BasisPoints{0, true}, "0.00%"},
		{"12.34% exactly", 1234, 10_000, BasisPoints{1234, true}, "12.34%"},
		{".005% rounds up", 1, 20_000, BasisPoints{1, true}, "0.01%"},
		{".0025% rounds down", 1, 40_000, BasisPoints{0, true}, "0.00%"},
		{".0075% rounds up", 3, 40_000, BasisPoints{1, true}, "0.01%"},
		{"a third", 1, 3, BasisPoints{3333, true}, "33.33%"},
		{"two thirds", 2, 3, BasisPoints{6667, true}, "66.67%"},
		{"12.345% rounds up to 12.35%", 12_345, 100_000, BasisPoints{1235, true}, "12.35%"},
		{"12.3449% rounds down", 123_449, 1_000_000, BasisPoints{1234, true}, "12.34%"},
		{"more than the whole", 3, 2, BasisPoints{15_000, true}, "150.00%"},
		{"no whole", 0, 0, BasisPoints{}, "n/a"},
		{"something of no whole", 5, 0, BasisPoints{}, "n/a"},
		// 2 × part × 10000 overflows int64; the computation must not.
		{"huge sums", 900_000_000_000_000, 1_000_000_000_000_000, BasisPoints{9000, true}, "90.00%"},
	} {
		got := Share(tt.part, tt.whole)
		if got != tt.want || got.String() != tt.text {
			t.Errorf("%s: Share(%d, %d) = %+v %q, want %+v %q", tt.name, tt.part, tt.whole, got, got, tt.want, tt.text)
		}
	}
}

func TestRate(t *testing.T) {
	for _, tt := range []struct {
		name              string
		count, population int64
		want              PerMille
	}{
		{"3 aspirations of 18,400 residents: 0.16‰", 3, 18_400, PerMille{0, true}},
		{"20 attendees of 18,400: 1.09‰", 20, 18_400, PerMille{1, true}},
		{"150 participants of 18,400: 8.15‰", 150, 18_400, PerMille{8, true}},
		{"half a resident per 1,000 rounds up", 23, 46_000, PerMille{1, true}},
		{"just under half rounds down", 22, 45_000, PerMille{0, true}},
		{"everybody", 900, 900, PerMille{1000, true}},
		{"nobody of somebody", 0, 100, PerMille{0, true}},
		{"no residents on record", 1, 0, PerMille{}},
	} {
		if got := Rate(tt.count, tt.population); got != tt.want {
			t.Errorf("%s: Rate(%d, %d) = %+v, want %+v", tt.name, tt.count, tt.population, got, tt.want)
		}
	}
	if s := (PerMille{8, true}).String(); s != "8‰" {
		t.Errorf("8 per mille reads %q", s)
	}
	if s := (PerMille{}).String(); s != "n/a" {
		t.Errorf("an undefined rate reads %q", s)
	}
}

func TestMedianHours(t *testing.T) {
	h := time.Hour
	for _, tt := range []struct {
		name string
		ds   []time.Duration
		want Hours
	}{
		{"none", nil, Hours{}},
		{"one", []time.Duration{26 * h}, Hours{26, true}},
		{"odd count, unsorted", []time.Duration{5 * h, h, 3 * h}, Hours{3, true}},
		{"even count: the mean of the middle two", []time.Duration{10 * h, 20 * h, 40 * h, 2 * h}, Hours{15, true}},
		{"a mean of 1.5 hours rounds up", []time.Duration{h, 2 * h}, Hours{2, true}},
		{"half an hour rounds up", []time.Duration{30 * time.Minute}, Hours{1, true}},
		{"just under half an hour rounds down", []time.Duration{29*time.Minute + 59*time.Second}, Hours{0, true}},
		{"a negative time counts as zero", []time.Duration{-3 * h}, Hours{0, true}},
	} {
		in := slices.Clone(tt.ds)
		if got := MedianHours(tt.ds); got != tt.want {
			t.Errorf("%s: MedianHours(%v) = %+v, want %+v", tt.name, tt.ds, got, tt.want)
		}
		if !slices.Equal(in, tt.ds) {
			t.Errorf("%s: MedianHours reordered its argument", tt.name)
		}
	}
	if s := (Hours{26, true}).String(); s != "26 h" {
		t.Errorf("26 hours read %q", s)
	}
}

func TestEvaluate(t *testing.T) {
	// A ward of 18,400 residents with 4 institutions of Rp 100 million each;
	// 3 empowerment proposals committed for Rp 60 million in all and one
	// infrastructure proposal for Rp 40 million; 3 reports, 2 on time,
	// realising Rp 50 million; 2 complaints, one resolved in 26 hours.
	got := Evaluate(Tally{
		Aspirations: 3, Attendance: 20, Participants: 150,
		Empowerment: 60_000_000, Infrastructure: 40_000_000,
		Spent: 50_000_000, Reports: 3, OnTime: 2,
		Complaints: 2, Resolutions: []time.Duration{26 * time.Hour},
	}, 18_400, 4, 100_000_000)
	want := Indicators{
		Population: 18_400, Aspirations: 3, AspirationRate: PerMille{0, true}, Attendance: 20, AttendanceRate: PerMille{1, true},
		Participants: 150, ParticipantRate: PerMille{8, true},
		Empowerment: 60_000_000, Infrastructure: 40_000_000, EmpowermentShare: BasisPoints{6000, true},
		Institutions: 4, Allocation: 400_000_000, Spent: 50_000_000, Absorption: BasisPoints{1250, true},
		Reports: 3, OnTime: 2, OnTimeShare: BasisPoints{6667, true},
		Complaints: 2, Resolved: 1, MedianResolution: Hours{26, true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Evaluate:\n got %+v\nwant %+v", got, want)
	}
	if got.EmpowermentShare.String() != "60.00%" || got.Absorption.String() != "12.50%" || got.OnTimeShare.String() != "66.67%" {
		t.Errorf("formatted: %s, %s, %s", got.EmpowermentShare, got.Absorption, got.OnTimeShare)
	}

	// Nothing happened: every figure is zero and every share undefined, without dividing by zero.
	empty := Evaluate(Tally{}, 0, 0, 100_000_000)
	if empty.EmpowermentShare.Defined || empty.Absorption.Defined || empty.OnTimeShare.Defined || empty.MedianResolution.Defined ||
		empty.AspirationRate.Defined || empty.AttendanceRate.Defined || empty.ParticipantRate.Defined {
		t.Errorf("an empty area has defined shares: %+v", empty)
	}
}

func TestTallyAdd(t *testing.T) {
	a := Tally{Aspirations: 1, Attendance: 2, Participants: 3, Empowerment: 4, Infrastructure: 5, Spent: 6, Reports: 7, OnTime: 8, Complaints: 9, Resolutions: []time.Duration{1}}
	b := Tally{Aspirations: 10, Attendance: 20, Participants: 30, Empowerment: 40, Infrastructure: 50, Spent: 60, Reports: 70, OnTime: 80, Complaints: 90, Resolutions: []time.Duration{2, 3}}
	a.Add(b)
	want := Tally{Aspirations: 11, Attendance: 22, Participants: 33, Empowerment: 44, Infrastructure: 55, Spent: 66, Reports: 77, OnTime: 88, Complaints: 99, Resolutions: []time.Duration{1, 2, 3}}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("sum %+v, want %+v", a, want)
	}
}

func TestParticipationRollsUp(t *testing.T) {
	// testRegion: Sukasari has Sukarasa (1,000 residents, 3 RW: 4
	// institutions) and Gegerkalong (no residents on record, 2 RW: 3
	// institutions); Coblong has Cipaganti (1 RW: 2 institutions).
	r := testRegion(TwoPillar)
	wards := map[string]Tally{
		"32.73.01.1001": {Aspirations: 4, Attendance: 20, Participants: 150, Empowerment: 60_000_000, Infrastructure: 40_000_000,
			Spent: 50_000_000, Reports: 3, OnTime: 2, Complaints: 2, Resolutions: []time.Duration{26 * time.Hour}},
		"32.73.02.1001": {Aspirations: 1, Infrastructure: 10_000_000, Complaints: 1, Resolutions: []time.Duration{10 * time.Hour}},
	}
	insts := map[string]Tally{
		"32.73.01.1001/rw-02": {Aspirations: 3, Empowerment: 60_000_000, Spent: 50_000_000, Reports: 3, OnTime: 2, Participants: 150},
		"32.73.01.1001/pkk":   {Aspirations: 1, Infrastructure: 40_000_000},
	}
	assessed := PhaseAssessment{ID: 7, WardCode: "32.73.01.1001", FiscalYear: 2026, Phase: PhaseConsulting, Note: "Warga hadir dan usul."}
	phases := map[string]PhaseAssessment{"32.73.01.1001": assessed}

	// The region, and a recap per kecamatan.
	top, rows, err := r.Participation("32.73", wards, insts, phases)
	if err != nil {
		t.Fatal(err)
	}
	if top.Level != "region" || top.Institutions != 9 || top.Allocation != 900_000_000 || top.Population != 1000 || top.Aspirations != 5 ||
		top.AspirationRate != (PerMille{5, true}) || top.Empowerment != 60_000_000 || top.Infrastructure != 50_000_000 ||
		top.EmpowermentShare != (BasisPoints{5455, true}) || top.Absorption != (BasisPoints{556, true}) ||
		top.Complaints != 3 || top.Resolved != 2 || top.MedianResolution != (Hours{18, true}) {
		t.Errorf("region: %+v", top)
	}
	if want := map[Phase]int64{PhaseConsulting: 1, "": 2}; !reflect.DeepEqual(top.Phases, want) || top.Phase != nil {
		t.Errorf("region phases %v, want %v", top.Phases, want)
	}
	if len(rows) != 2 || rows[0].Scope != "32.73.01" || rows[1].Scope != "32.73.02" {
		t.Fatalf("rows beneath the region: %+v", rows)
	}
	suka, cob := rows[0], rows[1]
	if suka.Name != "Sukasari" || suka.Level != "kecamatan" || suka.Institutions != 7 || suka.Allocation != 700_000_000 ||
		suka.Absorption != (BasisPoints{714, true}) || suka.EmpowermentShare != (BasisPoints{6000, true}) || suka.AttendanceRate != (PerMille{20, true}) {
		t.Errorf("Sukasari: %+v", suka)
	}
	if want := map[Phase]int64{PhaseConsulting: 1, "": 1}; !reflect.DeepEqual(suka.Phases, want) {
		t.Errorf("Sukasari phases %v, want %v", suka.Phases, want)
	}
	if cob.Population != 0 || cob.AspirationRate.Defined || cob.EmpowermentShare != (BasisPoints{0, true}) || cob.OnTimeShare.Defined ||
		cob.MedianResolution != (Hours{10, true}) {
		t.Errorf("Coblong: %+v", cob)
	}

	// A kecamatan, and its wards with their phases.
	top, rows, err = r.Participation("32.73.01", wards, insts, phases)
	if err != nil {
		t.Fatal(err)
	}
	if top.Scope != "32.73.01" || top.Institutions != 7 || len(rows) != 2 {
		t.Fatalf("kecamatan: %+v, %d rows", top, len(rows))
	}
	if rows[0].Phase == nil || *rows[0].Phase != assessed || rows[1].Phase != nil || rows[0].Phases != nil {
		t.Errorf("ward phases: %+v, %+v", rows[0].Phase, rows[1].Phase)
	}
	if w := rows[0]; w.Institutions != 4 || w.Allocation != 400_000_000 || w.Absorption != (BasisPoints{1250, true}) || w.ParticipantRate != (PerMille{150, true}) {
		t.Errorf("Sukarasa: %+v", w)
	}

	// A ward, and its institutions: each counts its ward's population and Musrenbang.
	top, rows, err = r.Participation("32.73.01.1001", wards, insts, phases)
	if err != nil {
		t.Fatal(err)
	}
	if top.Phase == nil || top.Phase.Phase != PhaseConsulting || len(rows) != 4 {
		t.Fatalf("ward: %+v, %d rows", top, len(rows))
	}
	keys := []string{rows[0].Scope, rows[1].Scope, rows[2].Scope, rows[3].Scope}
	if want := []string{"32.73.01.1001/rw-01", "32.73.01.1001/rw-02", "32.73.01.1001/rw-03", "32.73.01.1001/pkk"}; !slices.Equal(keys, want) {
		t.Errorf("institutions %v, want %v", keys, want)
	}
	rw2 := rows[1]
	if rw2.Level != "institution" || rw2.Population != 1000 || rw2.Attendance != 20 || rw2.Allocation != 100_000_000 ||
		rw2.Absorption != (BasisPoints{5000, true}) || rw2.EmpowermentShare != (BasisPoints{10_000, true}) || rw2.OnTimeShare != (BasisPoints{6667, true}) {
		t.Errorf("RW 02: %+v", rw2)
	}
	if rw1 := rows[0]; rw1.EmpowermentShare.Defined || rw1.Absorption != (BasisPoints{0, true}) || rw1.Attendance != 20 {
		t.Errorf("RW 01, which did nothing: %+v", rw1)
	}

	// An institution has nothing beneath it.
	top, rows, err = r.Participation("32.73.01.1001/pkk", wards, insts, phases)
	if err != nil || top.Level != "institution" || top.Infrastructure != 40_000_000 || top.EmpowermentShare != (BasisPoints{0, true}) || rows != nil {
		t.Errorf("PKK: %+v, %v, %v", top, rows, err)
	}

	if _, _, err := r.Participation("32.11", wards, insts, phases); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown scope: %v", err)
	}
	noRules := testRegion(FourPillar)
	noRules.TwoPillar = nil
	if _, _, err := noRules.Participation("32.73", nil, nil, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("a region without the two-pillar model: %v", err)
	}
}

func TestAssessPhase(t *testing.T) {
	r := testRegion(TwoPillar)
	good := PhaseInput{Ward: "32.73.01.1001", FiscalYear: 2026, Phase: PhaseCollaborating, Note: "  LPM dan PKK merencanakan bersama warga. "}
	a, err := r.AssessPhase(good, 42, now)
	if err != nil {
		t.Fatal(err)
	}
	want := PhaseAssessment{WardCode: "32.73.01.1001", FiscalYear: 2026, Phase: PhaseCollaborating, Note: "LPM dan PKK merencanakan bersama warga.", AssessedBy: 42, AssessedAt: now}
	if *a != want {
		t.Errorf("assessment %+v, want %+v", *a, want)
	}
	last := good
	last.FiscalYear = 2025
	if _, err := r.AssessPhase(last, 42, now); err != nil {
		t.Errorf("the previous year: %v", err)
	}
	checkFields(t, good, []fieldCase[PhaseInput]{
		{"unknown phase", func(in *PhaseInput) { in.Phase = "empowered" }, "phase"},
		{"no phase", func(in *PhaseInput) { in.Phase = "" }, "phase"},
		{"a kecamatan is not a ward", func(in *PhaseInput) { in.Ward = "32.73.01" }, "ward"},
		{"an institution is not a ward", func(in *PhaseInput) { in.Ward = "32.73.01.1001/pkk" }, "ward"},
		{"another region's ward", func(in *PhaseInput) { in.Ward = "32.11.01.2001" }, "ward"},
		{"two years back", func(in *PhaseInput) { in.FiscalYear = 2024 }, "fiscalYear"},
		{"next year", func(in *PhaseInput) { in.FiscalYear = 2027 }, "fiscalYear"},
		{"no note", func(in *PhaseInput) { in.Note = "  " }, "note"},
	}, func(in PhaseInput) error { _, err := r.AssessPhase(in, 42, now); return err })
	for _, p := range Phases {
		if !p.Known() {
			t.Errorf("%s is not known", p)
		}
	}
}

func TestCheckReadableYear(t *testing.T) {
	r := testRegion(TwoPillar)
	for year, ok := range map[int]bool{2015: false, 2016: true, 2026: true, 2027: true, 2028: false} {
		err := r.CheckReadableYear(year, now)
		if ok != (err == nil) || (err != nil && !invalidOn(err, "fiscalYear")) {
			t.Errorf("%d: %v", year, err)
		}
	}
}

func TestFiscalYearBoundsAndCommittedStates(t *testing.T) {
	from, to := testRegion(TwoPillar).FiscalYearBounds(2026)
	if want := time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC); !from.Equal(want) || from.Location() != time.UTC {
		t.Errorf("2026 starts %v in Jakarta, want %v", from, want)
	}
	if want := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC); !to.Equal(want) {
		t.Errorf("2027 starts %v in Jakarta, want %v", to, want)
	}
	got := CommittedStates()
	for _, s := range ProposalMachine.States() {
		if s.Committed() != slices.Contains(got, s) {
			t.Errorf("%s: committed %v, listed %v", s, s.Committed(), slices.Contains(got, s))
		}
	}
	if !slices.Contains(got, ProposalFunded) || slices.Contains(got, ProposalCancelled) || slices.Contains(got, ProposalSubmitted) {
		t.Errorf("committed states %v", got)
	}
}
