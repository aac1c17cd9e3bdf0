package partnership

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	pdfBytes  = []byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")
	jpegBytes = append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{1}, 64)...)
)

func reportRegion() *Region {
	r := testRegion(TwoPillar)
	r.TwoPillar.ReportDeadline = 30 * 24 * time.Hour
	return r
}

func reportInput() ReportInput {
	return ReportInput{Spent: 28_500_000, Outputs: "Saluran 120 m diperbaiki; genangan hilang.", Participants: 85,
		ActivityStart: "2026-11-01", ActivityEnd: "2026-11-20"}
}

func approved() *Proposal {
	return &Proposal{ID: 7, Institution: "32.73.01.1001/rw-02", WardCode: "32.73.01.1001", FiscalYear: 2026, Cost: 30_000_000, State: ProposalApproved, Version: 3}
}

// Submission: only on an approved or returned proposal, which becomes
// reported; a refusal leaves the proposal as it was.
func TestReportSubmission(t *testing.T) {
	r := reportRegion()
	for _, from := range ProposalMachine.States() {
		p := approved()
		p.State, p.Reason = from, "alasan lama"
		rep, err := r.Report(p, reportInput(), []Upload{{Name: "foto.png", Size: int64(len(pngBytes)), Data: pngBytes}}, 4, now)
		allowed := from == ProposalApproved || from == ProposalReturned
		if allowed != (err == nil) {
			t.Errorf("report on a %s proposal: allowed %v, got %v", from, allowed, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrConflict) || p.State != from {
				t.Errorf("report on a %s proposal: %v, proposal now %s", from, err, p.State)
			}
			continue
		}
		if p.State != ProposalReported || p.Reason != "" || rep.State != ReportSubmitted {
			t.Errorf("report on a %s proposal: proposal %s (%q), report %s", from, p.State, p.Reason, rep.State)
		}
	}

	p := approved()
	rep, err := r.Report(p, reportInput(), nil, 4, now)
	if err != nil {
		t.Fatal(err)
	}
	jkt := r.Location
	if want := time.Date(2026, 11, 20, 0, 0, 0, 0, jkt); !rep.ActivityEnd.Equal(want) {
		t.Errorf("activity end %v, want %v", rep.ActivityEnd, want)
	}
	// Due at the end of the 30th day after the activity ended, in the region's time zone.
	if want := time.Date(2026, 12, 20, 23, 59, 59, 0, jkt); !rep.DueAt.Equal(want) || rep.Late() {
		t.Errorf("due %v (late %v), want %v", rep.DueAt.In(jkt), rep.Late(), want)
	}
	if rep.ProposalID != 7 || rep.Institution != p.Institution || rep.WardCode != p.WardCode || rep.FiscalYear != 2026 || rep.SubmittedBy != 4 {
		t.Errorf("report %+v does not carry its proposal's facts", rep)
	}
	late := approved()
	rep, err = r.Report(late, reportInput(), nil, 4, time.Date(2026, 12, 20, 17, 0, 0, 0, time.UTC)) // 00:00 on the 21st in Jakarta
	if err != nil || !rep.Late() {
		t.Errorf("a report a second after its due date: late %v, %v", rep != nil && rep.Late(), err)
	}
}

func TestReportValidation(t *testing.T) {
	r := reportRegion()
	tests := []struct {
		name, field, says string
		mutate            func(*ReportInput)
	}{
		{"more than committed", "spent", "Rp 30.000.001 spent is more than the Rp 30.000.000 committed", func(in *ReportInput) { in.Spent = 30_000_001 }},
		{"negative spent", "spent", "negative", func(in *ReportInput) { in.Spent = -1 }},
		{"no outputs", "outputs", "required", func(in *ReportInput) { in.Outputs = "  " }},
		{"endless outputs", "outputs", "at most", func(in *ReportInput) { in.Outputs = strings.Repeat("x", MaxOutputs+1) }},
		{"negative participants", "participants", "", func(in *ReportInput) { in.Participants = -1 }},
		{"absurd participants", "participants", "", func(in *ReportInput) { in.Participants = MaxParticipants + 1 }},
		{"dates in the wrong order", "activityEnd", "before the activity started", func(in *ReportInput) { in.ActivityStart, in.ActivityEnd = "2026-11-20", "2026-11-01" }},
		{"end in the future", "activityEnd", "future", func(in *ReportInput) { in.ActivityEnd = "2026-11-27" }},
		{"start before the fiscal year", "activityStart", "fiscal year 2026", func(in *ReportInput) { in.ActivityStart = "2025-12-31" }},
		{"no start", "activityStart", "required", func(in *ReportInput) { in.ActivityStart = "" }},
		{"not a date", "activityEnd", "a date", func(in *ReportInput) { in.ActivityEnd = "20/11/2026" }},
	}
	for _, tt := range tests {
		in := reportInput()
		tt.mutate(&in)
		p := approved()
		_, err := r.Report(p, in, nil, 4, now)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Reason, tt.says) {
			t.Errorf("%s: %v, want an error on %s saying %q", tt.name, err, tt.field, tt.says)
		}
		if p.State != ProposalApproved {
			t.Errorf("%s: a refused report moved the proposal to %s", tt.name, p.State)
		}
	}
	// Spending exactly the cost, or nothing, is fine; so is an activity of one day, ending today.
	for _, in := range []ReportInput{
		{Spent: 30_000_000, Outputs: "x", ActivityStart: "2026-11-26", ActivityEnd: "2026-11-26"},
		{Spent: 0, Outputs: "x", ActivityStart: "2026-01-01T08:00:00+07:00", ActivityEnd: "2026-02-01"},
	} {
		if _, err := r.Report(approved(), in, nil, 4, now); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
}

func TestReportAttachments(t *testing.T) {
	upload := func(name string, data []byte) Upload { return Upload{Name: name, Size: int64(len(data)), Data: data} }
	atts, err := CheckUploads([]Upload{upload("C:\\scan\\kwitansi.pdf", pdfBytes), upload("foto.png", pngBytes), upload("foto.jpeg", jpegBytes)}, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct{ name, typ string }{{"kwitansi.pdf", "application/pdf"}, {"foto.png", "image/png"}, {"foto.jpeg", "image/jpeg"}} {
		if a := atts[i]; a.N != i+1 || a.Name != want.name || a.ContentType != want.typ || len(a.SHA256) != 64 || a.Size == 0 {
			t.Errorf("attachment %d: %+v", i+1, a)
		}
	}
	big := append(append([]byte{}, pngBytes...), make([]byte, MaxAttachmentSize)...)
	for _, tt := range []struct {
		name  string
		files []Upload
		says  string
	}{
		{"a page renamed .png", []Upload{upload("foto.png", []byte("<!DOCTYPE html><html><script>alert(1)</script>"))}, "not a PDF, JPEG or PNG"},
		{"a program renamed .png", []Upload{upload("foto.png", []byte("MZ\x90\x00\x03\x00\x00\x00"))}, "not a PDF, JPEG or PNG"},
		{"too large", []Upload{upload("besar.png", big)}, "at most 2 MiB"},
		{"too large, truncated by the reader", []Upload{{Name: "besar.png", Size: 3 << 20, Data: big[:MaxAttachmentSize+1]}}, "3.0 MiB"},
		{"empty", []Upload{upload("kosong.pdf", nil)}, "empty"},
		{"six files", []Upload{upload("1.png", pngBytes), upload("2.png", pngBytes), upload("3.png", pngBytes), upload("4.png", pngBytes), upload("5.png", pngBytes), upload("6.png", pngBytes)}, "at most 5"},
	} {
		_, err := CheckUploads(tt.files, now)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "attachments" || !strings.Contains(fe.Reason, tt.says) {
			t.Errorf("%s: %v, want an error on attachments saying %q", tt.name, err, tt.says)
		}
	}
	if atts, _ := CheckUploads([]Upload{upload("../\x00\n", pngBytes)}, now); atts[0].Name != "attachment-1" {
		t.Errorf("a name of nothing but a path and control characters became %q", atts[0].Name)
	}
	// A refused file refuses the whole report and leaves its proposal as it was.
	p := approved()
	if _, err := reportRegion().Report(p, reportInput(), []Upload{upload("x.png", []byte("GIF89a"))}, 4, now); !errors.Is(err, ErrInvalid) || p.State != ProposalApproved {
		t.Errorf("a report with a GIF: %v, proposal %s", err, p.State)
	}
}

// Every step from every state of a report, with its proposal in the mirrored
// state: allowed exactly as the hierarchy goes, and a refused step changes
// neither the report nor the proposal.
func TestReportSteps(t *testing.T) {
	next := map[ReportState]ReportStep{ReportSubmitted: StepVerify, ReportVerified: StepConsolidate, ReportConsolidated: StepEvaluate}
	mirror := map[ReportState]ProposalState{ReportSubmitted: ProposalReported, ReportVerified: ProposalVerified,
		ReportConsolidated: ProposalConsolidated, ReportEvaluated: ProposalEvaluated, ReportReturned: ProposalReturned}
	after := map[ReportStep]ReportState{StepVerify: ReportVerified, StepConsolidate: ReportConsolidated, StepEvaluate: ReportEvaluated, StepReturn: ReportReturned}
	for from, pstate := range mirror {
		if got := from.Pending(); got != next[from] {
			t.Errorf("%s waits for %q, want %q", from, got, next[from])
		}
		for _, step := range []ReportStep{StepVerify, StepConsolidate, StepEvaluate, StepReturn} {
			p := &Proposal{ID: 7, State: pstate, Version: 5}
			rep := &Report{ID: 3, ProposalID: 7, State: from}
			err := rep.Take(p, step, "Catatan langkah ini", now)
			allowed := next[from] == step || (step == StepReturn && next[from] != "")
			if allowed != (err == nil) {
				t.Errorf("%s from %s: allowed %v, got %v", step, from, allowed, err)
				continue
			}
			if err != nil {
				if !errors.Is(err, ErrConflict) || rep.State != from || p.State != pstate {
					t.Errorf("%s from %s: refused with %v, report %s, proposal %s", step, from, err, rep.State, p.State)
				}
				continue
			}
			if rep.State != after[step] || p.State != mirror[rep.State] {
				t.Errorf("%s from %s: report %s, proposal %s", step, from, rep.State, p.State)
			}
			switch step {
			case StepVerify:
				if !rep.VerifiedAt.Equal(now) {
					t.Errorf("verified at %v", rep.VerifiedAt)
				}
			case StepConsolidate:
				if !rep.ConsolidatedAt.Equal(now) {
					t.Errorf("consolidated at %v", rep.ConsolidatedAt)
				}
			case StepEvaluate:
				if rep.Evaluation != "Catatan langkah ini" || !rep.EvaluatedAt.Equal(now) {
					t.Errorf("evaluated %q at %v", rep.Evaluation, rep.EvaluatedAt)
				}
			case StepReturn:
				if rep.Reason != "Catatan langkah ini" || p.Reason != rep.Reason {
					t.Errorf("returned with %q, proposal %q", rep.Reason, p.Reason)
				}
			}
		}
	}

	// Text is required where it is the point of the step.
	for _, step := range []ReportStep{StepEvaluate, StepReturn} {
		from := map[ReportStep]ReportState{StepEvaluate: ReportConsolidated, StepReturn: ReportVerified}[step]
		p := &Proposal{ID: 7, State: mirror[from]}
		rep := &Report{ProposalID: 7, State: from}
		if err := rep.Take(p, step, " ", now); !errors.Is(err, ErrInvalid) || rep.State != from || p.State != mirror[from] {
			t.Errorf("%s without text: %v, report %s, proposal %s", step, err, rep.State, p.State)
		}
	}

	// A report sent back stays so: the resubmission is the proposal's current report.
	r := reportRegion()
	p := approved()
	first, _ := r.Report(p, reportInput(), nil, 4, now)
	first.ID = 1
	if err := first.Take(p, StepReturn, "Kuitansi tidak terbaca", now); err != nil {
		t.Fatal(err)
	}
	second, err := r.Report(p, reportInput(), nil, 4, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Take(p, StepVerify, "", now); !errors.Is(err, ErrConflict) || p.State != ProposalReported {
		t.Errorf("verified the report sent back: %v, proposal %s", err, p.State)
	}
	if err := second.Take(p, StepVerify, "", now); err != nil {
		t.Errorf("verify the resubmission: %v", err)
	}
	if err := second.Take(&Proposal{ID: 8, State: ProposalVerified}, StepConsolidate, "", now); !errors.Is(err, ErrConflict) {
		t.Errorf("a step with another proposal: %v", err)
	}
	if err := second.Take(p, "approve", "", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown step: %v", err)
	}
}

func FuzzSniffAttachment(f *testing.F) {
	for _, seed := range [][]byte{pngBytes, pdfBytes, jpegBytes, []byte("<html>"), nil} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ := SniffAttachment(data)
		switch typ {
		case "":
		case "application/pdf", "image/png", "image/jpeg":
			if len(data) < 3 {
				t.Fatalf("%q recognised as %s", data, typ)
			}
		default:
			t.Fatalf("unexpected type %q", typ)
		}
	})
}
