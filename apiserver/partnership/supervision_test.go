package partnership

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func supervisionRegion(t *testing.T) *Region {
	t.Helper()
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	r := &Region{
		Code: "32.73", Name: "Kota Bandung", Location: jakarta,
		Kecamatan:        []Kecamatan{{Code: "32.73.01", Wards: []Ward{{Code: "32.73.01.1001", RW: 2}, {Code: "32.73.01.1002", RW: 1}}}},
		InstitutionTypes: []InstitutionType{{Key: "rw", PerRW: true}, {Key: "lpm"}},
		TwoPillar:        &TwoPillarRules{ComplaintResponse: 14 * 24 * time.Hour, FindingResponse: 30 * 24 * time.Hour},
	}
	r.IndexScopes()
	return r
}

var (
	svStart = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	svDay   = 24 * time.Hour
)

// Every pair of states, against a table written out by hand rather than read
// from the machine, so that a move added or dropped by mistake is caught.
func TestFindingMachineEveryPair(t *testing.T) {
	checkMachine(t, FindingMachine, "finding 1", []FindingState{FindingClosed, FindingOpen, FindingResponded}, map[[2]FindingState]bool{
		{FindingOpen, FindingResponded}:   true,
		{FindingResponded, FindingClosed}: true,
		{FindingResponded, FindingOpen}:   true,
	})
}

func TestComplaintMachineEveryPair(t *testing.T) {
	states := []ComplaintState{ComplaintEscalated, ComplaintFiled, ComplaintInvestigating, ComplaintReceived, ComplaintResolved}
	checkMachine(t, ComplaintMachine, "complaint 1", states, map[[2]ComplaintState]bool{
		{ComplaintFiled, ComplaintReceived}:          true,
		{ComplaintReceived, ComplaintInvestigating}:  true,
		{ComplaintInvestigating, ComplaintResolved}:  true,
		{ComplaintFiled, ComplaintEscalated}:         true,
		{ComplaintReceived, ComplaintEscalated}:      true,
		{ComplaintInvestigating, ComplaintEscalated}: true,
		{ComplaintEscalated, ComplaintInvestigating}: true,
		{ComplaintEscalated, ComplaintResolved}:      true,
	})
}

const (
	svSupervisor = 1
	svOffice     = 2
	svResident   = 3
	svHandler    = 4
)

func svFinding(t *testing.T, r *Region) *Finding {
	t.Helper()
	f, err := r.Finding(NewFinding{Scope: "32.73.01.1001", Title: "Laporan terlambat", Detail: "Laporan kegiatan RW 01 belum diverifikasi."}, svSupervisor, svStart)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRecordFinding(t *testing.T) {
	r := supervisionRegion(t)
	f := svFinding(t, r)
	if f.State != FindingOpen || f.RecordedBy != svSupervisor || !f.RecordedAt.Equal(svStart) || !f.DueAt.Equal(svStart.Add(30*svDay)) {
		t.Fatalf("svStart %+v", f)
	}
	ok := NewFinding{Scope: "32.73.01.1001/rw-02", ObjectType: "proposal", ObjectID: "17", Title: "t", Detail: "d"}
	if _, err := r.Finding(ok, svSupervisor, svStart); err != nil {
		t.Fatalf("a finding about proposal 17: %v", err)
	}
	checkFields(t, ok, []fieldCase[NewFinding]{
		{"unknown scope", func(n *NewFinding) { n.Scope = "32.73.09" }, "scope"},
		{"no scope", func(n *NewFinding) { n.Scope = "" }, "scope"},
		{"object id without type", func(n *NewFinding) { n.ObjectType = "" }, "objectType"},
		{"object type without id", func(n *NewFinding) { n.ObjectID = "" }, "objectId"},
		{"bad object type", func(n *NewFinding) { n.ObjectType = "Proposal; DROP" }, "objectType"},
		{"no title", func(n *NewFinding) { n.Title = "  " }, "title"},
		{"long title", func(n *NewFinding) { n.Title = strings.Repeat("a", maxTitle+1) }, "title"},
		{"no detail", func(n *NewFinding) { n.Detail = "" }, "detail"},
		{"due in the past", func(n *NewFinding) { n.DueAt = "2026-11-01" }, "dueAt"},
		{"due when svStart", func(n *NewFinding) { n.DueAt = svStart.Format(time.RFC3339) }, "dueAt"},
		{"due too far ahead", func(n *NewFinding) { n.DueAt = "2028-01-01" }, "dueAt"},
		{"due unreadable", func(n *NewFinding) { n.DueAt = "next week" }, "dueAt"},
	}, func(n NewFinding) error { _, err := r.Finding(n, svSupervisor, svStart); return err })
}

func TestFindingDue(t *testing.T) {
	r := supervisionRegion(t)
	for _, tt := range []struct {
		given string
		want  time.Time
	}{
		{"", svStart.Add(30 * svDay)},
		// A date is the end of that svDay in Bandung (UTC+7).
		{"2026-12-31", time.Date(2026, 12, 31, 16, 59, 59, 0, time.UTC)},
		{"2026-12-01T10:00:00+07:00", time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)},
		{"2026-11-26T02:00:00.000001Z", svStart.Add(time.Microsecond)},
	} {
		f, err := r.Finding(NewFinding{Scope: "32.73.01", Title: "t", Detail: "d", DueAt: tt.given}, svSupervisor, svStart)
		if err != nil {
			t.Errorf("%q: %v", tt.given, err)
			continue
		}
		if !f.DueAt.Equal(tt.want) || f.DueAt.Location() != time.UTC {
			t.Errorf("%q: due %v, want %v", tt.given, f.DueAt, tt.want)
		}
	}
	// A region without a finding response time needs a due date on each finding.
	r.TwoPillar.FindingResponse = 0
	if _, err := r.Finding(NewFinding{Scope: "32.73.01", Title: "t", Detail: "d"}, svSupervisor, svStart); !invalidOn(err, "dueAt") {
		t.Errorf("no due date and no response time: %v", err)
	}
}

func TestFindingLifeAndOverdue(t *testing.T) {
	r := supervisionRegion(t)
	f := svFinding(t, r)
	if f.Overdue(f.DueAt) || !f.Overdue(f.DueAt.Add(time.Second)) {
		t.Fatal("an open finding is overdue strictly after its due date")
	}
	if err := f.Respond("", svOffice, svStart.Add(svDay)); !invalidOn(err, "response") {
		t.Fatalf("empty response: %v", err)
	}
	if err := f.Respond("Sudah kami tindak lanjuti.", svSupervisor, svStart.Add(svDay)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("the svSupervisor answers their own finding: %v", err)
	}
	if f.State != FindingOpen {
		t.Fatal("a refused answer changed the finding")
	}
	if err := f.Respond(" Sudah kami tindak lanjuti. ", svOffice, svStart.Add(svDay)); err != nil {
		t.Fatal(err)
	}
	if f.State != FindingResponded || f.Response != "Sudah kami tindak lanjuti." || f.RespondedBy != svOffice {
		t.Fatalf("answered: %+v", f)
	}
	if f.Overdue(f.DueAt.Add(svDay)) {
		t.Fatal("an answered finding is not overdue")
	}
	if err := f.Respond("lagi", svOffice, svStart.Add(svDay)); !errors.Is(err, ErrConflict) {
		t.Fatalf("answered twice: %v", err)
	}
	if err := f.Reopen(r, "Bukti belum dilampirkan.", "", svOffice, svStart.Add(2*svDay)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("the svOffice reopens its own answer: %v", err)
	}
	if err := f.Reopen(r, "", "", svSupervisor, svStart.Add(2*svDay)); !invalidOn(err, "reason") {
		t.Fatalf("reopened without a reason: %v", err)
	}
	if err := f.Reopen(r, "Bukti belum dilampirkan.", "", svSupervisor, svStart.Add(2*svDay)); err != nil {
		t.Fatal(err)
	}
	if f.State != FindingOpen || f.ReopenReason != "Bukti belum dilampirkan." || !f.DueAt.Equal(svStart.Add(32*svDay)) {
		t.Fatalf("reopened: %+v", f)
	}
	if err := f.Close(svSupervisor, svStart.Add(3*svDay)); !errors.Is(err, ErrConflict) {
		t.Fatalf("closed while open: %v", err)
	}
	if err := f.Respond("Bukti terlampir.", svOffice, svStart.Add(3*svDay)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(svOffice, svStart.Add(4*svDay)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("the svOffice closes its own answer: %v", err)
	}
	if err := f.Close(svSupervisor, svStart.Add(4*svDay)); err != nil {
		t.Fatal(err)
	}
	if f.State != FindingClosed || !f.ClosedAt.Equal(svStart.Add(4*svDay)) || f.Overdue(svStart.Add(400*svDay)) {
		t.Fatalf("closed: %+v", f)
	}
	for name, err := range map[string]error{
		"respond": f.Respond("x", svOffice, svStart), "close": f.Close(svSupervisor, svStart),
		"reopen": f.Reopen(r, "x", "", svSupervisor, svStart),
	} {
		if !errors.Is(err, ErrConflict) {
			t.Errorf("%s a closed finding: %v", name, err)
		}
	}
}

func svComplaint(t *testing.T, r *Region, by int64) *Complaint {
	t.Helper()
	c, err := r.Complaint(NewComplaint{Ward: "32.73.01.1001", Subject: "Jalan rusak", Body: "Jalan di RW 02 rusak sejak Agustus.", Public: true}, by, svStart)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFileComplaint(t *testing.T) {
	r := supervisionRegion(t)
	c := svComplaint(t, r, svResident)
	if c.State != ComplaintFiled || c.Scope != "32.73.01.1001" || c.WardCode != "32.73.01.1001" || !c.Public || c.Anonymous() ||
		!c.DueAt.Equal(svStart.Add(14*svDay)) {
		t.Fatalf("filed %+v", c)
	}
	in, err := r.Complaint(NewComplaint{Institution: "32.73.01.1001/rw-02", Subject: "s", Body: "b"}, 0, svStart)
	if err != nil || in.Scope != "32.73.01.1001/rw-02" || in.WardCode != "32.73.01.1001" || !in.Anonymous() || in.Public {
		t.Fatalf("an anonymous complaint about an institution: %+v, %v", in, err)
	}
	ok := NewComplaint{Ward: "32.73.01.1001", Subject: "s", Body: "b"}
	checkFields(t, ok, []fieldCase[NewComplaint]{
		{"no ward", func(n *NewComplaint) { n.Ward = "" }, "ward"},
		{"unknown ward", func(n *NewComplaint) { n.Ward = "32.73.01.1009" }, "ward"},
		{"a kecamatan is not a ward", func(n *NewComplaint) { n.Ward = "32.73.01" }, "ward"},
		{"unknown institution", func(n *NewComplaint) { n.Institution = "32.73.01.1001/rw-03" }, "institution"},
		{"institution of another ward", func(n *NewComplaint) { n.Institution = "32.73.01.1002/lpm" }, "institution"},
		{"no subject", func(n *NewComplaint) { n.Subject = "" }, "subject"},
		{"long subject", func(n *NewComplaint) { n.Subject = strings.Repeat("é", maxSubject+1) }, "subject"},
		{"no body", func(n *NewComplaint) { n.Body = " \n" }, "body"},
		{"long body", func(n *NewComplaint) { n.Body = strings.Repeat("a", maxBody+1) }, "body"},
		{"bad UTF-8", func(n *NewComplaint) { n.Body = "a\xff" }, "body"},
	}, func(n NewComplaint) error { _, err := r.Complaint(n, svResident, svStart); return err })
	four := &Region{Code: "32.11", Name: "Sumedang"}
	if _, err := four.Complaint(ok, svResident, svStart); !errors.Is(err, ErrConflict) {
		t.Errorf("a region without two-pillar rules: %v", err)
	}
}

// Each move of a complaint, from every state, through the methods that make
// it: the machine's answer, and the rules on top of it.
func TestComplaintMoves(t *testing.T) {
	r := supervisionRegion(t)
	at := func(s ComplaintState, ombudsman bool) *Complaint {
		c := svComplaint(t, r, svResident)
		c.State, c.Ombudsman = s, ombudsman
		return c
	}
	moves := map[ComplaintState]func(c *Complaint) error{
		ComplaintReceived:      func(c *Complaint) error { return c.Receive(svHandler, svStart) },
		ComplaintInvestigating: func(c *Complaint) error { return c.Investigate(svHandler, svStart) },
		ComplaintResolved:      func(c *Complaint) error { return c.Resolve("Jalan sudah diperbaiki.", svHandler, svStart) },
		ComplaintEscalated:     func(c *Complaint) error { return c.Escalate("Tidak ada tanggapan.", svStart) },
	}
	for _, from := range ComplaintMachine.States() {
		for to, move := range moves {
			c := at(from, from == ComplaintEscalated)
			err := move(c)
			if ComplaintMachine.Allows(from, to) {
				if err != nil || c.State != to {
					t.Errorf("%s → %s: %v, state %s", from, to, err, c.State)
				}
				continue
			}
			if !errors.Is(err, ErrConflict) || c.State != from {
				t.Errorf("%s → %s: %v, state %s; want a conflict and no change", from, to, err, c.State)
			}
		}
	}
	// Once with the ombudsman, a complaint is not escalated again.
	c := at(ComplaintInvestigating, true)
	if err := c.Escalate("lagi", svStart); !errors.Is(err, ErrConflict) {
		t.Errorf("escalated twice: %v", err)
	}
	// The filer handles nothing of their own complaint, but may escalate it.
	c = at(ComplaintFiled, false)
	for name, err := range map[string]error{"receive": c.Receive(svResident, svStart)} {
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("the filer moves their own complaint (%s): %v", name, err)
		}
	}
	c.State = ComplaintInvestigating
	if err := c.Resolve("beres", svResident, svStart); !errors.Is(err, ErrForbidden) {
		t.Errorf("the filer resolves their own complaint: %v", err)
	}
	if err := c.Resolve(" ", svHandler, svStart); !invalidOn(err, "resolution") {
		t.Errorf("resolved without a resolution: %v", err)
	}
	if err := c.Escalate("", svStart); !invalidOn(err, "reason") {
		t.Errorf("escalated without a reason: %v", err)
	}
	// Anonymous complaints are handled by anyone allowed to.
	anon := svComplaint(t, r, 0)
	if err := anon.Receive(svHandler, svStart); err != nil {
		t.Errorf("receive an anonymous complaint: %v", err)
	}
}

func TestComplaintOverdueAndResolutionTime(t *testing.T) {
	r := supervisionRegion(t)
	c := svComplaint(t, r, svResident)
	due := svStart.Add(14 * svDay)
	if !c.DueAt.Equal(due) || c.Overdue(due) || !c.Overdue(due.Add(time.Second)) {
		t.Fatalf("due %v; overdue at due %v, after %v", c.DueAt, c.Overdue(due), c.Overdue(due.Add(time.Second)))
	}
	if _, ok := c.ResolutionTime(); ok {
		t.Fatal("a resolution time before resolution")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Receive(svHandler, svStart.Add(svDay)))
	must(c.Investigate(svHandler, svStart.Add(2*svDay)))
	must(c.Resolve("Diperbaiki.", svHandler, svStart.Add(10*svDay)))
	if d, ok := c.ResolutionTime(); !ok || d != 10*svDay {
		t.Fatalf("resolution time %v %v, want 240h", d, ok)
	}
	if c.Overdue(svStart.Add(100 * svDay)) {
		t.Fatal("a complaint resolved in time became overdue")
	}

	late := svComplaint(t, r, svResident)
	must(late.Escalate("Tidak ditanggapi.", svStart.Add(15*svDay)))
	if !late.Overdue(svStart.Add(15 * svDay)) {
		t.Fatal("an escalated complaint past its due date is overdue")
	}
	must(late.Investigate(svHandler, svStart.Add(16*svDay)))
	must(late.Resolve("Diselesaikan Ombudsman.", svHandler, svStart.Add(20*svDay)))
	if d, _ := late.ResolutionTime(); d != 20*svDay || !late.Overdue(svStart.Add(20*svDay)) {
		t.Fatalf("late resolution: %v, overdue %v", d, late.Overdue(svStart.Add(20*svDay)))
	}
}

func TestTrackingCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		code := NewTrackingCode()
		if seen[code] {
			t.Fatalf("%s twice", code)
		}
		seen[code] = true
		got, err := NormalizeTrackingCode(code)
		if err != nil || got != code {
			t.Fatalf("%s reads as %q, %v", code, got, err)
		}
	}
	for typed, want := range map[string]string{
		"7k3qd-m0xza-9prtv-4hg2e":   "7K3QD-M0XZA-9PRTV-4HG2E",
		"7K3QDM0XZA9PRTV4HG2E":      "7K3QD-M0XZA-9PRTV-4HG2E",
		" 7K3QD mOXZA 9PRTV 4HG2E ": "7K3QD-M0XZA-9PRTV-4HG2E",
		"IIIII-LLLLL-00000-ooooo":   "11111-11111-00000-00000",
	} {
		if got, err := NormalizeTrackingCode(typed); err != nil || got != want {
			t.Errorf("%q reads as %q, %v; want %q", typed, got, err, want)
		}
	}
	for _, bad := range []string{"", "7K3QD", "7K3QD-M0XZA-9PRTV-4HG2EE", "7K3QD-M0XZA-9PRTV-4HG2U", "7K3QD-M0XZA-9PRTV-4HG2é", strings.Repeat("0", 100)} {
		if _, err := NormalizeTrackingCode(bad); !invalidOn(err, "code") {
			t.Errorf("%q: %v, want invalid code", bad, err)
		}
	}
}

func FuzzNormalizeTrackingCode(f *testing.F) {
	f.Add("7K3QD-M0XZA-9PRTV-4HG2E")
	f.Add("iiiii lllll ooooo 00000")
	f.Add("\xff")
	f.Fuzz(func(t *testing.T, s string) {
		code, err := NormalizeTrackingCode(s)
		if err != nil {
			if !invalidOn(err, "code") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		again, err := NormalizeTrackingCode(code)
		if err != nil || again != code || len(code) != trackingLen+3 {
			t.Fatalf("%q → %q → %q, %v", s, code, again, err)
		}
	})
}

func FuzzParseDue(f *testing.F) {
	f.Add("2026-12-31")
	f.Add("2026-12-01T10:00:00+07:00")
	f.Add("0001-01-01T00:00:00Z")
	f.Fuzz(func(t *testing.T, s string) {
		due, err := ParseDue(s, time.UTC)
		if err != nil {
			if !invalidOn(err, "dueAt") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if due.Location() != time.UTC || due.Year() < 1999 || due.Year() > 10000 || !due.Equal(due.Truncate(time.Microsecond)) {
			t.Fatalf("%q → %v", s, due)
		}
	})
}
