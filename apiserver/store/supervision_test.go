package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

var svStart = time.Date(2026, 11, 26, 2, 0, 0, 123456000, time.UTC)

const svDay = 24 * time.Hour

func svRegion() *partnership.Region {
	r := &partnership.Region{
		Code: "32.73", Name: "Kota Bandung", Location: time.UTC,
		Kecamatan: []partnership.Kecamatan{
			{Code: "32.73.01", Name: "Sukasari", Wards: []partnership.Ward{
				{Code: "32.73.01.1001", Name: "Sukarasa", Kind: "kelurahan", RW: 2},
				{Code: "32.73.01.1002", Name: "Gegerkalong", Kind: "kelurahan", RW: 1},
			}},
			{Code: "32.73.02", Name: "Coblong", Wards: []partnership.Ward{{Code: "32.73.02.1001", Name: "Cipaganti", Kind: "kelurahan", RW: 1}}},
		},
		InstitutionTypes: []partnership.InstitutionType{{Key: "rw", PerRW: true}, {Key: "lpm"}},
		TwoPillar:        &partnership.TwoPillarRules{ComplaintResponse: 14 * svDay, FindingResponse: 30 * svDay},
	}
	r.IndexScopes()
	return r
}

func svRecord(t *testing.T, db bun.IDB, scope string, by int64, at time.Time) *partnership.Finding {
	t.Helper()
	f, err := svRegion().Finding(partnership.NewFinding{Scope: scope, ObjectType: "proposal", ObjectID: "17", Title: "Temuan " + scope, Detail: "Rincian"}, by, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := InsertFinding(context.Background(), db, f); err != nil {
		t.Fatal(err)
	}
	return f
}

func svFile(t *testing.T, db bun.IDB, n partnership.NewComplaint, by int64, at time.Time) (*partnership.Complaint, string) {
	t.Helper()
	c, err := svRegion().Complaint(n, by, at)
	if err != nil {
		t.Fatal(err)
	}
	code, err := InsertComplaint(context.Background(), db, c)
	if err != nil {
		t.Fatal(err)
	}
	return c, code
}

func TestFindingsAreStoredAndMovedOnce(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		ids := migrated(t, db, svRegion(), "inspektorat", "lurah")
		f := svRecord(t, db, "32.73.01.1001", ids["inspektorat"], svStart)
		if f.ID == 0 || f.Version != 1 {
			t.Fatalf("inserted %+v", f)
		}
		got := readsBack(t, db, GetFinding, f.ID, f)

		stale := *got
		if err := got.Respond("Sudah ditindaklanjuti.", ids["lurah"], svStart.Add(svDay)); err != nil {
			t.Fatal(err)
		}
		if err := UpdateFinding(ctx, db, got, partnership.FindingOpen); err != nil {
			t.Fatal(err)
		}
		again := read(t, db, GetFinding, f.ID)
		if !reflect.DeepEqual(again, got) || again.Version != 2 {
			t.Fatalf("after the answer\n%+v\nwant\n%+v", again, got)
		}
		// A move based on the stale read is refused and changes nothing.
		if err := stale.Respond("Jawaban lain.", ids["lurah"], svStart.Add(2*svDay)); err != nil {
			t.Fatal(err)
		}
		if err := UpdateFinding(ctx, db, &stale, partnership.FindingOpen); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("stale update: %v, want a conflict", err)
		}
		if now, _ := GetFinding(ctx, db, f.ID); now.Response != "Sudah ditindaklanjuti." {
			t.Fatalf("the stale update changed the response to %q", now.Response)
		}
		// Reopened and answered again: the state is the same as when the stale
		// copy was read, the version is not.
		if err := again.Reopen(svRegion(), "Kurang bukti.", "", ids["inspektorat"], svStart.Add(3*svDay)); err != nil {
			t.Fatal(err)
		}
		if err := UpdateFinding(ctx, db, again, partnership.FindingResponded); err != nil {
			t.Fatal(err)
		}
		stale = *got // version 2, state responded; stored: version 3, open
		stale.State = partnership.FindingOpen
		if err := UpdateFinding(ctx, db, &stale, partnership.FindingOpen); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("update at an old version in the same state: %v, want a conflict", err)
		}
		if _, err := GetFinding(ctx, db, 999); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("unknown finding: %v", err)
		}
		missing := *again
		missing.ID = 999
		if err := UpdateFinding(ctx, db, &missing, partnership.FindingOpen); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("update of an unknown finding: %v", err)
		}
	})
}

// Several handlers act on the same complaint and the same finding at once,
// each having read it before any of them wrote: exactly one move wins.
func TestConcurrentMovesConflict(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		ids := migrated(t, db, svRegion(), "inspektorat", "lurah", "warga")
		f := svRecord(t, db, "32.73.01.1001", ids["inspektorat"], svStart)
		c, _ := svFile(t, db, partnership.NewComplaint{Ward: "32.73.01.1001", Subject: "s", Body: "b"}, ids["warga"], svStart)
		const n = 4
		findings := make([]*partnership.Finding, n)
		complaints := make([]*partnership.Complaint, n)
		for i := range n {
			var err error
			if findings[i], err = GetFinding(ctx, db, f.ID); err != nil {
				t.Fatal(err)
			}
			if complaints[i], err = GetComplaint(ctx, db, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		// The first n move the finding, the others the complaint.
		errs := race(2*n, func(i int) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				if i < n {
					if err := findings[i].Respond(fmt.Sprintf("jawaban %d", i), ids["lurah"], svStart.Add(svDay)); err != nil {
						return err
					}
					return UpdateFinding(ctx, tx, findings[i], partnership.FindingOpen)
				}
				if err := complaints[i-n].Receive(ids["lurah"], svStart.Add(svDay)); err != nil {
					return err
				}
				return UpdateComplaint(ctx, tx, complaints[i-n], partnership.ComplaintFiled)
			})
		})
		for _, part := range [][]error{errs[:n], errs[n:]} {
			won := 0
			for _, err := range part {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, partnership.ErrConflict):
					t.Errorf("a losing move failed with %v, want a conflict", err)
				}
			}
			if won != 1 {
				t.Errorf("%d moves won, want exactly 1: %v", won, part)
			}
		}
		if got, _ := GetFinding(ctx, db, f.ID); got.State != partnership.FindingResponded || got.Version != 2 {
			t.Errorf("finding after the race: %s version %d", got.State, got.Version)
		}
		if got, _ := GetComplaint(ctx, db, c.ID); got.State != partnership.ComplaintReceived || got.Version != 2 {
			t.Errorf("complaint after the race: %s version %d", got.State, got.Version)
		}
	})
}

func TestListFindings(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		ids := migrated(t, db, svRegion(), "inspektorat", "lurah")
		by := ids["inspektorat"]
		a := svRecord(t, db, "32.73.01.1001", by, svStart)
		b := svRecord(t, db, "32.73.01.1001/rw-02", by, svStart)
		c := svRecord(t, db, "32.73.01.1002", by, svStart.Add(10*svDay))
		d := svRecord(t, db, "32.73.02", by, svStart)
		// A scope whose code starts like 32.73.01 without being beneath it
		// (the region has no such kecamatan; the store does not check).
		e, err := svRegion().Finding(partnership.NewFinding{Scope: "32.73", Title: "t", Detail: "d"}, by, svStart)
		if err != nil {
			t.Fatal(err)
		}
		e.Scope = "32.73.010"
		if err := InsertFinding(ctx, db, e); err != nil {
			t.Fatal(err)
		}
		if err := d.Respond("sudah", ids["lurah"], svStart.Add(svDay)); err != nil {
			t.Fatal(err)
		}
		if err := UpdateFinding(ctx, db, d, partnership.FindingOpen); err != nil {
			t.Fatal(err)
		}
		checkFilters(t, db, ListFindings, func(f *partnership.Finding) int64 { return f.ID }, []filterCase[FindingFilter]{
			{"all", FindingFilter{}, []int64{a.ID, b.ID, c.ID, d.ID, e.ID}},
			{"a kecamatan", FindingFilter{Under: []string{"32.73.01"}}, []int64{a.ID, b.ID, c.ID}},
			{"a ward and its institutions", FindingFilter{Under: []string{"32.73.01.1001"}}, []int64{a.ID, b.ID}},
			{"an institution", FindingFilter{Under: []string{"32.73.01.1001/rw-02"}}, []int64{b.ID}},
			{"two scopes", FindingFilter{Under: []string{"32.73.01.1002", "32.73.02"}}, []int64{c.ID, d.ID}},
			{"the region", FindingFilter{Under: []string{"32.73"}}, []int64{a.ID, b.ID, c.ID, d.ID, e.ID}},
			{"responded", FindingFilter{State: partnership.FindingResponded}, []int64{d.ID}},
			{"overdue after 31 days", FindingFilter{OverdueAt: svStart.Add(31 * svDay)}, []int64{a.ID, b.ID, e.ID}},
			{"overdue after 30 days exactly", FindingFilter{OverdueAt: svStart.Add(30 * svDay)}, []int64{}},
			{"overdue in Sukasari after 41 days", FindingFilter{Under: []string{"32.73.01"}, OverdueAt: svStart.Add(41 * svDay)}, []int64{a.ID, b.ID, c.ID}},
			{"first page", FindingFilter{Limit: 2}, []int64{a.ID, b.ID}},
			{"next page", FindingFilter{AfterID: b.ID, Limit: 2}, []int64{c.ID, d.ID}},
		})
	})
}

func TestListComplaints(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		ids := migrated(t, db, svRegion(), "siti", "budi", "lurah")
		siti, budi := ids["siti"], ids["budi"]
		sitiPrivate, _ := svFile(t, db, partnership.NewComplaint{Ward: "32.73.01.1001", Subject: "s", Body: "b"}, siti, svStart)
		budiPrivate, _ := svFile(t, db, partnership.NewComplaint{Ward: "32.73.01.1001", Institution: "32.73.01.1001/rw-01", Subject: "s", Body: "b"}, budi, svStart)
		anonPublic, _ := svFile(t, db, partnership.NewComplaint{Ward: "32.73.01.1002", Subject: "s", Body: "b", Public: true}, 0, svStart)
		anonPrivate, _ := svFile(t, db, partnership.NewComplaint{Ward: "32.73.02.1001", Subject: "s", Body: "b"}, 0, svStart)
		budiPublic, _ := svFile(t, db, partnership.NewComplaint{Ward: "32.73.02.1001", Subject: "s", Body: "b", Public: true}, budi, svStart.Add(5*svDay))

		// Siti's complaint is resolved late, Budi's private one in time.
		move := func(c *partnership.Complaint, at time.Time, late bool) {
			t.Helper()
			for _, step := range []func() error{
				func() error { return c.Receive(ids["lurah"], at) },
				func() error { return c.Investigate(ids["lurah"], at) },
				func() error { return c.Resolve("selesai", ids["lurah"], at) },
			} {
				from := c.State
				if err := step(); err != nil {
					t.Fatal(err)
				}
				if err := UpdateComplaint(ctx, db, c, from); err != nil {
					t.Fatal(err)
				}
			}
			if c.Overdue(at) != late {
				t.Fatalf("overdue %v, want %v", c.Overdue(at), late)
			}
		}
		move(sitiPrivate, svStart.Add(20*svDay), true)
		move(budiPrivate, svStart.Add(2*svDay), false)

		all := []int64{sitiPrivate.ID, budiPrivate.ID, anonPublic.ID, anonPrivate.ID, budiPublic.ID}
		checkFilters(t, db, ListComplaints, func(c *partnership.Complaint) int64 { return c.ID }, []filterCase[ComplaintFilter]{
			{"all", ComplaintFilter{}, all},
			{"a ward", ComplaintFilter{Under: []string{"32.73.01.1001"}}, []int64{sitiPrivate.ID, budiPrivate.ID}},
			{"an institution", ComplaintFilter{Under: []string{"32.73.01.1001/rw-01"}}, []int64{budiPrivate.ID}},
			{"resolved", ComplaintFilter{State: partnership.ComplaintResolved}, []int64{sitiPrivate.ID, budiPrivate.ID}},
			{"own", ComplaintFilter{AccountID: budi}, []int64{budiPrivate.ID, budiPublic.ID}},
			{"public", ComplaintFilter{PublicOnly: true}, []int64{anonPublic.ID, budiPublic.ID}},
			// Due after 14 days: Siti's was resolved on day 20, the anonymous
			// ones are open; Budi's public one is due on day 19.
			{"overdue on day 15", ComplaintFilter{OverdueAt: svStart.Add(15 * svDay)}, []int64{sitiPrivate.ID, anonPublic.ID, anonPrivate.ID}},
			{"overdue on day 20", ComplaintFilter{OverdueAt: svStart.Add(20 * svDay)}, []int64{sitiPrivate.ID, anonPublic.ID, anonPrivate.ID, budiPublic.ID}},
			{"overdue on day 10", ComplaintFilter{OverdueAt: svStart.Add(10 * svDay)}, []int64{}},
			// What each reader sees: public ones, their own, and everything in
			// the scopes where they may read complaints.
			{"a stranger", ComplaintFilter{Reader: &ComplaintReader{}}, []int64{anonPublic.ID, budiPublic.ID}},
			{"Siti", ComplaintFilter{Reader: &ComplaintReader{AccountID: siti}}, []int64{sitiPrivate.ID, anonPublic.ID, budiPublic.ID}},
			{"the lurah of Sukarasa", ComplaintFilter{Reader: &ComplaintReader{Scopes: []string{"32.73.01.1001"}, AccountID: ids["lurah"]}},
				[]int64{sitiPrivate.ID, budiPrivate.ID, anonPublic.ID, budiPublic.ID}},
			{"the camat of Coblong", ComplaintFilter{Reader: &ComplaintReader{Scopes: []string{"32.73.02"}}}, []int64{anonPublic.ID, anonPrivate.ID, budiPublic.ID}},
			{"the lurah of Sukarasa, only Sukarasa", ComplaintFilter{Under: []string{"32.73.01.1001"}, Reader: &ComplaintReader{Scopes: []string{"32.73.01.1001"}}},
				[]int64{sitiPrivate.ID, budiPrivate.ID}},
			{"Siti, public ones only", ComplaintFilter{PublicOnly: true, Reader: &ComplaintReader{AccountID: siti}}, []int64{anonPublic.ID, budiPublic.ID}},
			{"a page", ComplaintFilter{AfterID: budiPrivate.ID, Limit: 2}, []int64{anonPublic.ID, anonPrivate.ID}},
		})
	})
}

func TestComplaintsRoundTripAndTrackingCodes(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		ids := migrated(t, db, svRegion(), "siti")
		signed, code := svFile(t, db, partnership.NewComplaint{Ward: "32.73.01.1001", Subject: "Lampu jalan", Body: "Mati sejak sebulan.", Public: true}, ids["siti"], svStart)
		if code != "" {
			t.Fatalf("a complaint with an account got tracking code %q", code)
		}
		readsBack(t, db, GetComplaint, signed.ID, signed)

		anon, code := svFile(t, db, partnership.NewComplaint{Ward: "32.73.01.1002", Subject: "Pungutan liar", Body: "Di kantor kelurahan."}, 0, svStart)
		if _, err := partnership.NormalizeTrackingCode(code); err != nil {
			t.Fatalf("tracking code %q: %v", code, err)
		}
		// Only the hash of the code is stored.
		var hashes []string
		if err := db.NewSelect().Table("complaints").Column("tracking_hash").Where("tracking_hash IS NOT NULL").Scan(ctx, &hashes); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(code))
		if len(hashes) != 1 || hashes[0] != hex.EncodeToString(sum[:]) || strings.Contains(hashes[0], code) {
			t.Fatalf("stored %v for code %s", hashes, code)
		}
		for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", "")} {
			found, err := ComplaintByTrackingCode(ctx, db, typed)
			if err != nil || found.ID != anon.ID {
				t.Fatalf("by tracking code %q: %v, %v", typed, found, err)
			}
		}
		if _, err := ComplaintByTrackingCode(ctx, db, partnership.NewTrackingCode()); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("an unknown code: %v", err)
		}
		if _, err := ComplaintByTrackingCode(ctx, db, "1; DROP TABLE complaints"); !errors.Is(err, partnership.ErrInvalid) {
			t.Fatalf("a malformed code: %v", err)
		}

		// Escalated and resolved by the ombudsman: every field read back.
		from := anon.State
		if err := anon.Escalate("Tidak ada tanggapan.", svStart.Add(15*svDay)); err != nil {
			t.Fatal(err)
		}
		if err := UpdateComplaint(ctx, db, anon, from); err != nil {
			t.Fatal(err)
		}
		if err := anon.Resolve("Ditangani Ombudsman.", 0, svStart.Add(20*svDay)); err != nil {
			t.Fatal(err)
		}
		if err := UpdateComplaint(ctx, db, anon, partnership.ComplaintEscalated); err != nil {
			t.Fatal(err)
		}
		got := readsBack(t, db, GetComplaint, anon.ID, anon)
		if !got.Ombudsman || got.Version != 3 {
			t.Fatalf("read back\n%+v\nwant\n%+v", got, anon)
		}
		if d, _ := got.ResolutionTime(); d != 20*svDay {
			t.Fatalf("resolution time %v", d)
		}
	})
}
