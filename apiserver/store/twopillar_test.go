package store

import (
	"context"
	"errors"
	"sync"
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
		var wg sync.WaitGroup
		results := make([]error, 20)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					_, err := Commit(ctx, tx, inst, 2026, 100_000_000, 10_000_000)
					return err
				})
			}()
		}
		wg.Wait()
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

func TestProposalsRoundTripAndStaleWrites(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		migrated(t, db, sukarasa)
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 123456000, time.UTC)
		p := &partnership.Proposal{Institution: "32.73.01.1001/rw-02", WardCode: "32.73.01.1001", FiscalYear: 2026, Activity: "infrastructure",
			Title: "Saluran", Description: "d", Cost: 25_000_000, Beneficiaries: 10, Location: "RT 1", Kind: partnership.Infrastructure,
			State: partnership.ProposalSubmitted, CreatedBy: 1, CreatedAt: now, UpdatedAt: now}
		if err := InsertProposal(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		got, err := GetProposal(ctx, db, p.ID)
		if err != nil {
			t.Fatal(err)
		}
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
