package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

var sukarasa = &partnership.Region{
	Code: "32.73",
	Kecamatan: []partnership.Kecamatan{{Code: "32.73.01", Name: "Sukasari", Wards: []partnership.Ward{
		{Code: "32.73.01.1001", Name: "Sukarasa", Kind: "kelurahan", RW: 3},
	}}},
	InstitutionTypes: []partnership.InstitutionType{{Key: "rw", PerRW: true}},
}

// Concurrent commitments against one allocation never overspend it: of 20
// attempts to commit 10 million against 100 million, exactly 10 succeed.
func TestConcurrentCommitmentsNeverOverspend(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		migrated(t, db, sukarasa)
		ctx := context.Background()
		const inst = "32.73.01.1001/rw-01"
		results := race(20, func(int) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				_, err := Commit(ctx, tx, inst, 2026, 100_000_000, 10_000_000)
				return err
			})
		})
		ok, over := 0, 0
		for _, err := range results {
			var oe *partnership.OverAllocationError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &oe):
				over++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		a, err := GetAllocation(ctx, db, inst, 2026, 100_000_000)
		if err != nil {
			t.Fatal(err)
		}
		if ok != 10 || over != 10 || a.Committed != 100_000_000 {
			t.Fatalf("%d committed, %d refused, allocation %+v", ok, over, a)
		}
		// Releasing more than is committed is refused too.
		if _, err := Commit(ctx, db, inst, 2026, 100_000_000, -200_000_000); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("over-release: %v", err)
		}
	})
}

// rw02Proposal is a proposal of RW 02 of Sukarasa, in a state, made at now.
func rw02Proposal(state partnership.ProposalState, now time.Time) *partnership.Proposal {
	return &partnership.Proposal{Institution: "32.73.01.1001/rw-02", WardCode: "32.73.01.1001", FiscalYear: 2026, Activity: "infrastructure",
		Title: "Saluran", Description: "d", Cost: 25_000_000, Beneficiaries: 10, Location: "RT 1", Kind: partnership.Infrastructure,
		State: state, CreatedBy: 1, CreatedAt: now, UpdatedAt: now}
}

func TestProposalsRoundTripAndStaleWrites(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		migrated(t, db, sukarasa)
		ctx := context.Background()
		p := rw02Proposal(partnership.ProposalSubmitted, time.Date(2026, 11, 26, 9, 0, 0, 123456000, time.UTC))
		if err := InsertProposal(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		got := read(t, db, GetProposal, p.ID)
		if got.Cost != p.Cost || got.Title != p.Title || got.State != p.State || !got.CreatedAt.Equal(p.CreatedAt) || got.Version != 1 {
			t.Fatalf("read back %+v, wrote %+v", got, p)
		}
		stale := *got
		got.Title = "Saluran air"
		if err := UpdateProposal(ctx, db, got); err != nil {
			t.Fatal(err)
		}
		stale.Title = "Lost update"
		if err := UpdateProposal(ctx, db, &stale); !errors.Is(err, ErrStale) {
			t.Fatalf("a stale write: %v", err)
		}
		ps, err := ListProposals(ctx, db, ProposalFilter{Scope: "32.73.01", Limit: 10})
		if err != nil || len(ps) != 1 || ps[0].Title != "Saluran air" {
			t.Fatalf("list: %v %v", ps, err)
		}
		if ps, _ := ListProposals(ctx, db, ProposalFilter{Scope: "32.73.01.1001/rw-01", Limit: 10}); len(ps) != 0 {
			t.Fatalf("another institution's scope lists %v", ps)
		}
		// The database itself refuses a negative cost, whatever the code above it does.
		p.Cost = -1
		if err := InsertProposal(ctx, db, p); err == nil {
			t.Fatal("a negative cost was stored")
		}
	})
}

// onReported runs a test on both drivers, in the areas of sukarasa, with
// an approved proposal of RW 02 and a report on it with a PNG and a PDF,
// made through the domain at now, as the web layer does.
func onReported(t *testing.T, now time.Time, test func(t *testing.T, db *bun.DB, p *partnership.Proposal, rep *partnership.Report)) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		migrated(t, db, sukarasa)
		p, rep := reportedProposal(t, db, now)
		test(t, db, p, rep)
	})
}

func reportedProposal(t *testing.T, db *bun.DB, now time.Time) (*partnership.Proposal, *partnership.Report) {
	t.Helper()
	ctx := context.Background()
	p := rw02Proposal(partnership.ProposalApproved, now)
	if err := InsertProposal(ctx, db, p); err != nil {
		t.Fatal(err)
	}
	region := &partnership.Region{Name: "Kota Bandung", Location: time.UTC, TwoPillar: &partnership.TwoPillarRules{ReportDeadline: 30 * 24 * time.Hour}}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 1000)...)
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	rep, err := region.Report(p, partnership.ReportInput{Spent: 24_000_000, Outputs: "Saluran 120 m", Participants: 40, ActivityStart: "2026-11-01", ActivityEnd: "2026-11-20"},
		[]partnership.Upload{{Name: "foto.png", Size: int64(len(png)), Data: png}, {Name: "kuitansi.pdf", Size: int64(len(pdf)), Data: pdf}}, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := InsertReport(ctx, db, rep); err != nil {
		t.Fatal(err)
	}
	if err := UpdateProposal(ctx, db, p); err != nil {
		t.Fatal(err)
	}
	return p, rep
}

func TestReportsRoundTripWithAttachments(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 123456000, time.UTC)
	onReported(t, now, func(t *testing.T, db *bun.DB, _ *partnership.Proposal, rep *partnership.Report) {
		ctx := context.Background()

		got := read(t, db, GetReport, rep.ID)
		if got.Spent != rep.Spent || got.Outputs != rep.Outputs || got.Participants != 40 || got.State != partnership.ReportSubmitted ||
			!got.ActivityStart.Equal(rep.ActivityStart) || !got.ActivityEnd.Equal(rep.ActivityEnd) || !got.DueAt.Equal(rep.DueAt) ||
			!got.SubmittedAt.Equal(now) || got.Version != 1 || !got.VerifiedAt.IsZero() || got.Late() {
			t.Fatalf("read back %+v, wrote %+v", got, rep)
		}
		if len(got.Attachments) != 2 {
			t.Fatalf("%d attachments", len(got.Attachments))
		}
		for i, a := range got.Attachments {
			w := rep.Attachments[i]
			if a.N != i+1 || a.Name != w.Name || a.ContentType != w.ContentType || a.Size != w.Size || a.SHA256 != w.SHA256 || a.Data != nil {
				t.Errorf("attachment %d: %+v, want the metadata of %+v without data", i+1, a, w)
			}
		}
		a, err := GetAttachment(ctx, db, rep.ID, 2)
		if err != nil || a.ContentType != "application/pdf" || !bytes.Equal(a.Data, rep.Attachments[1].Data) {
			t.Fatalf("attachment 2: %+v %v", a, err)
		}
		for _, n := range []int{0, 3, 99} {
			if _, err := GetAttachment(ctx, db, rep.ID, n); !errors.Is(err, partnership.ErrNotFound) {
				t.Errorf("attachment %d: %v", n, err)
			}
		}
		if _, err := GetReport(ctx, db, rep.ID+100); !errors.Is(err, partnership.ErrNotFound) {
			t.Errorf("an unknown report: %v", err)
		}

		for _, tt := range []struct {
			f    ReportFilter
			want int
		}{
			{ReportFilter{Scope: "32.73", Limit: 10}, 1},
			{ReportFilter{Scope: "32.73.01", State: partnership.ReportSubmitted, Limit: 10}, 1},
			{ReportFilter{Scope: "32.73.01.1001/rw-02", FiscalYear: 2026, Limit: 10}, 1},
			{ReportFilter{Scope: "32.73.01.1001/rw-0", Limit: 10}, 0}, // not a prefix of a scope
			{ReportFilter{Scope: "32.73.01.1001/rw-01", Limit: 10}, 0},
			{ReportFilter{Scope: "32.73.01", State: partnership.ReportVerified, Limit: 10}, 0},
			{ReportFilter{ProposalID: rep.ProposalID + 1, Limit: 10}, 0},
			{ReportFilter{Scope: "32.73", AfterID: rep.ID, Limit: 10}, 0},
		} {
			rs, err := ListReports(ctx, db, tt.f)
			if err != nil || len(rs) != tt.want {
				t.Errorf("%+v: %d reports, want %d (%v)", tt.f, len(rs), tt.want, err)
			}
		}
	})
}

func TestReportStepsRefuseStaleWrites(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	onReported(t, now, func(t *testing.T, db *bun.DB, p *partnership.Proposal, rep *partnership.Report) {
		ctx := context.Background()

		stale := read(t, db, GetReport, rep.ID)
		fresh := *stale
		if err := fresh.Take(p, partnership.StepVerify, "", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := UpdateReport(ctx, db, &fresh); err != nil {
			t.Fatal(err)
		}
		// A second reader, who read before the verification, sends it back: refused.
		q := &partnership.Proposal{ID: p.ID, State: partnership.ProposalReported}
		if err := stale.Take(q, partnership.StepReturn, "Kuitansi kurang", now); err != nil {
			t.Fatal(err)
		}
		if err := UpdateReport(ctx, db, stale); !errors.Is(err, ErrStale) {
			t.Fatalf("a stale write: %v", err)
		}
		got, _ := GetReport(ctx, db, rep.ID)
		if got.State != partnership.ReportVerified || got.Version != 2 || !got.VerifiedAt.Equal(now.Add(time.Hour)) || got.Reason != "" {
			t.Fatalf("after a refused stale write: %+v", got)
		}
	})
}

func TestReportsTableRefusesWhatTheDomainWould(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	onReported(t, now, func(t *testing.T, db *bun.DB, p *partnership.Proposal, rep *partnership.Report) {
		ctx := context.Background()

		bad := *rep
		bad.Attachments = nil
		bad.State = partnership.ReportReturned // not the current report, so the unique index does not object
		bad.ActivityStart, bad.ActivityEnd = rep.ActivityEnd, rep.ActivityStart
		if err := InsertReport(ctx, db, &bad); err == nil {
			t.Error("a report whose activity ends before it starts was stored")
		}
		bad = *rep
		bad.Attachments, bad.State, bad.Spent = nil, partnership.ReportReturned, -1
		if err := InsertReport(ctx, db, &bad); err == nil {
			t.Error("a negative spent was stored")
		}
		// A second current report on one proposal is refused by the partial unique index.
		bad = *rep
		bad.Attachments = nil
		if err := InsertReport(ctx, db, &bad); err == nil {
			t.Error("a proposal has two current reports")
		}
		// Evidence is checked again at the store: a page calling itself a PNG.
		bad = *rep
		html := []byte("<html><body>bukan gambar</body></html>")
		bad.State = partnership.ReportReturned
		bad.Attachments = []partnership.Attachment{{Name: "foto.png", ContentType: "image/png", Size: int64(len(html)), Data: html}}
		var fe *partnership.FieldError
		if err := InsertReport(ctx, db, &bad); !errors.As(err, &fe) || fe.Field != "attachments" {
			t.Errorf("a page stored as a PNG: %v", err)
		}
		if rs, _ := ListReports(ctx, db, ReportFilter{ProposalID: p.ID, Limit: 10}); len(rs) != 1 {
			t.Errorf("%d reports on the proposal after refused inserts, want 1", len(rs))
		}
		// A returned report stays as history beside its resubmission.
		if err := rep.Take(p, partnership.StepReturn, "Foto buram", now); err != nil {
			t.Fatal(err)
		}
		if err := UpdateReport(ctx, db, rep); err != nil {
			t.Fatal(err)
		}
		again := *rep
		again.ID, again.State, again.Reason, again.Attachments = 0, partnership.ReportSubmitted, "", nil
		if err := InsertReport(ctx, db, &again); err != nil {
			t.Fatalf("resubmission: %v", err)
		}
		rs, _ := ListReports(ctx, db, ReportFilter{ProposalID: p.ID, Limit: 10})
		if len(rs) != 2 || rs[0].State != partnership.ReportReturned || rs[0].Reason != "Foto buram" || rs[1].State != partnership.ReportSubmitted {
			t.Fatalf("history after a resubmission: %+v", rs)
		}
	})
}
