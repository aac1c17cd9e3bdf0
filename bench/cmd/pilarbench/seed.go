package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/bench/report"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/resources"
	"pilar.id/pilar/policies"
)

// readProposals is how many proposals the read's ward holds: one page.
const readProposals = 50

// otherProposals bounds the proposals put elsewhere in a region, one a ward,
// so that the read's query has rows to pass over.
const otherProposals = 150

// target is what the load needs to know of a seeded region.
type target struct {
	Slug string `json:"slug"`
	Code string `json:"code"`
	Rank int    `json:"rank"`
	// Ward is the ward whose proposals are read; Institutions are its
	// institutions, where aspirations are sent.
	Ward         string   `json:"ward"`
	Institutions []string `json:"institutions"`
	ReadToken    string   `json:"-"`
	WriteToken   string   `json:"-"`
	DSN          string   `json:"dsn"`
	// Account is the resident the write's aspirations are filed under.
	Account int64 `json:"account"`
}

type seedCounts struct {
	wards, institutions, proposals, accounts int
}

// seed readies every served region for the load, through the region's own
// credentials (its Secret, as the API server reads it) and the store and
// authz packages the API server uses: the administrative tree and
// institutions, a ward office and a resident with their API tokens, and the
// proposals the read lists.
func seed(ctx context.Context, k8s client.Reader, manifests []*v1alpha1.Region, ranks []int, workers int) ([]target, report.Seeding, error) {
	start := time.Now()
	targets := make([]target, len(manifests))
	var mu sync.Mutex
	var total seedCounts
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				t, c, err := seedRegion(ctx, k8s, manifests[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("seeding %s: %w", manifests[i].Name, err)
				}
				t.Rank = ranks[i]
				targets[i] = t
				total.wards += c.wards
				total.institutions += c.institutions
				total.proposals += c.proposals
				total.accounts += c.accounts
				mu.Unlock()
			}
		})
	}
	for i := range manifests {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return targets, report.Seeding{Regions: len(manifests), Seconds: time.Since(start).Seconds(), Wards: total.wards,
		Institutions: total.institutions, Proposals: total.proposals, Accounts: total.accounts}, firstErr
}

func seedRegion(ctx context.Context, k8s client.Reader, m *v1alpha1.Region) (target, seedCounts, error) {
	var c seedCounts
	var secret corev1.Secret
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: resources.SecretName(m.Name)}, &secret); err != nil {
		return target{}, c, fmt.Errorf("its credentials Secret: %w", err)
	}
	dsn := string(secret.Data[resources.KeyURI])
	region, err := tenancy.FromRegion(m)
	if err != nil {
		return target{}, c, err
	}
	db, err := store.Open(ctx, store.Options{Driver: store.Postgres, DSN: dsn, MaxConns: 2})
	if err != nil {
		return target{}, c, err
	}
	defer db.Close()
	// What the API server does when it first opens the region; done here
	// because the proposals need the institutions.
	if err := store.SyncAreas(ctx, db, region); err != nil {
		return target{}, c, err
	}
	ward := region.Kecamatan[0].Wards[0].Code
	t := target{Slug: m.Name, Code: region.Code, Ward: ward, DSN: dsn}
	firstOfWard := map[string]partnership.Institution{}
	for _, in := range region.Institutions() {
		c.institutions++
		if in.WardCode == ward {
			t.Institutions = append(t.Institutions, in.Key)
		}
		if _, ok := firstOfWard[in.WardCode]; !ok {
			firstOfWard[in.WardCode] = in
		}
	}
	for _, k := range region.Kecamatan {
		c.wards += len(k.Wards)
	}
	now := time.Now()
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Machine accounts: they sign in with their API tokens only.
		office := &authz.Account{Username: "bench-ward-office", DisplayName: "Kantor kelurahan (benchmark)", PasswordHash: "!", CreatedAt: now.UTC()}
		resident := &authz.Account{Username: "bench-resident", DisplayName: "Warga (benchmark)", PasswordHash: "!", CreatedAt: now.UTC()}
		for _, a := range []*authz.Account{office, resident} {
			if _, err := tx.NewInsert().Model(a).Returning("id").Exec(ctx); err != nil {
				return fmt.Errorf("account %s: %w", a.Username, err)
			}
		}
		if err := authz.AddGrant(ctx, tx, &authz.Grant{AccountID: office.ID, Role: policies.WardOffice, Scope: ward, CreatedAt: now.UTC()}); err != nil {
			return err
		}
		if err := authz.AddGrant(ctx, tx, &authz.Grant{AccountID: resident.ID, Role: policies.Resident, Scope: region.Code, CreatedAt: now.UTC()}); err != nil {
			return err
		}
		var err error
		if _, t.ReadToken, err = authz.CreateToken(ctx, tx, office.ID, "benchmark read", now); err != nil {
			return err
		}
		if _, t.WriteToken, err = authz.CreateToken(ctx, tx, resident.ID, "benchmark write", now); err != nil {
			return err
		}
		t.Account = resident.ID
		c.accounts = 2

		propose := func(inst string, n int) error {
			in, _ := region.Institution(inst)
			typ, _ := region.InstitutionType(in.Type)
			kind := partnership.Empowerment
			if n%3 == 0 {
				kind = partnership.Infrastructure
			}
			p, err := region.Proposal(partnership.ProposalInput{
				Institution: inst, FiscalYear: now.In(region.Location).Year(), Activity: typ.Scope[n%len(typ.Scope)].Key,
				Title: fmt.Sprintf("Usulan kegiatan %d", n+1), Description: "Kegiatan pemberdayaan warga yang diusulkan dalam Musrenbang kelurahan.",
				Cost: partnership.Rupiah(5_000_000 + 250_000*int64(n%40)), Beneficiaries: 40 + n%200, Location: "Balai RW",
				Kind: kind,
			}, office.ID, now)
			if err != nil {
				return err
			}
			return store.InsertProposal(ctx, tx, p)
		}
		for n := range readProposals {
			if err := propose(t.Institutions[n%len(t.Institutions)], n); err != nil {
				return err
			}
		}
		c.proposals = readProposals
		for _, k := range region.Kecamatan {
			for _, w := range k.Wards {
				if w.Code == ward || c.proposals >= readProposals+otherProposals {
					continue
				}
				if err := propose(firstOfWard[w.Code].Key, c.proposals); err != nil {
					return err
				}
				c.proposals++
			}
		}
		return nil
	})
	return t, c, err
}
