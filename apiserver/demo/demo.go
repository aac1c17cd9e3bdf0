// Package demo gives a demo region data to show before anyone has used it:
// Kota Bandung's published CSR realisations of 2014 and 2015, imported as
// historical figures of fictitious partners, so that the public dashboard
// shows the study's table from the first visit. Only the embedded mode seeds,
// and only a region whose manifest asks for a data set with the annotation
// pilar.id/demo-data (see partnership.Region.DemoData).
package demo

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

// BandungCSR names Bandung's 2014–2015 CSR figures in the annotation
// pilar.id/demo-data.
const BandungCSR = "bandung-csr-2014-2015"

//go:embed bandung-csr-2014-2015.csv
var bandungCSR []byte

// BandungFigures returns the embedded figures, parsed and checked.
func BandungFigures() ([]Year, error) { return ParseFigures(bytes.NewReader(bandungCSR)) }

// Seed seeds a freshly opened region's database with the data set its
// manifest asks for, if any; seeding again changes nothing.
func Seed(ctx context.Context, db bun.IDB, region *partnership.Region, now time.Time) error {
	switch region.DemoData {
	case "":
		return nil
	case BandungCSR:
		_, err := SeedBandungCSR(ctx, db, region, now)
		return err
	}
	return fmt.Errorf("demo: region %s asks for the unknown demo data %q (known: %s)", region.Slug, region.DemoData, BandungCSR)
}

// Figure is one line of a year's figures: what an area realised and how many
// companies realised it.
type Figure struct {
	Area      string
	Amount    partnership.Rupiah
	Companies int
}

// Year is one year's figures: its areas, and its total with the number of
// distinct companies, which is not the sum of the areas' companies.
type Year struct {
	Year      int
	Areas     []Figure
	Total     partnership.Rupiah
	Companies int
}

// ParseFigures reads figures as CSV — area,year,amount,companies, a header
// line, "#" comments, and one "total" line per year — and checks that they
// add up: each year's areas sum exactly to its total; its distinct companies
// are no fewer than any area's and no more than all areas' together, so that
// the companies can be dealt out (see Split).
func ParseFigures(r io.Reader) ([]Year, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = 4
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("demo: unable to read the figures' header: %w", err)
	}
	if strings.Join(header, ",") != "area,year,amount,companies" {
		return nil, fmt.Errorf("demo: the header is %q, want area,year,amount,companies", strings.Join(header, ","))
	}
	var years []Year
	index := map[int]int{}
	totals := map[int]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		line, _ := cr.FieldPos(0)
		year, err1 := strconv.Atoi(rec[1])
		amount, err2 := strconv.ParseInt(rec[2], 10, 64)
		companies, err3 := strconv.Atoi(rec[3])
		switch {
		case err1 != nil || year < 2000 || year > 9999:
			return nil, fmt.Errorf("demo: line %d: year %q is not a year from 2000", line, rec[1])
		case err2 != nil || partnership.CheckAmount("amount", partnership.Rupiah(amount), true) != nil:
			return nil, fmt.Errorf("demo: line %d: amount %q is not a whole number of rupiah from 0 to %s", line, rec[2], partnership.MaxAmount)
		case err3 != nil || companies < 0 || (companies == 0) != (amount == 0):
			return nil, fmt.Errorf("demo: line %d: %q companies for Rp %d", line, rec[3], amount)
		case rec[0] == "":
			return nil, fmt.Errorf("demo: line %d: no area", line)
		}
		i, ok := index[year]
		if !ok {
			i = len(years)
			index[year] = i
			years = append(years, Year{Year: year})
		}
		y := &years[i]
		if rec[0] == partnership.TotalArea {
			if totals[year] {
				return nil, fmt.Errorf("demo: line %d: a second total for %d", line, year)
			}
			totals[year] = true
			y.Total, y.Companies = partnership.Rupiah(amount), companies
			continue
		}
		if slices.ContainsFunc(y.Areas, func(f Figure) bool { return f.Area == rec[0] }) {
			return nil, fmt.Errorf("demo: line %d: %s appears twice in %d", line, rec[0], year)
		}
		y.Areas = append(y.Areas, Figure{Area: rec[0], Amount: partnership.Rupiah(amount), Companies: companies})
	}
	for _, y := range years {
		if !totals[y.Year] {
			return nil, fmt.Errorf("demo: %d has no total", y.Year)
		}
		var sum partnership.Rupiah
		most, all := 0, 0
		for _, f := range y.Areas {
			sum += f.Amount
			most, all = max(most, f.Companies), all+f.Companies
		}
		if sum != y.Total {
			return nil, fmt.Errorf("demo: the areas of %d sum to %s, its total is %s", y.Year, sum, y.Total)
		}
		if y.Companies < most || y.Companies > all {
			return nil, fmt.Errorf("demo: %d distinct companies in %d cannot realise areas of up to %d and %d companies in all", y.Companies, y.Year, most, all)
		}
	}
	return years, nil
}

// Share is one company's part of an area's figure of a year.
type Share struct {
	Company int // 1 to the year's number of distinct companies
	Area    string
	Amount  partnership.Rupiah
}

// Split deals out a year's figures to its companies, numbered from 1: each
// area goes to exactly its number of companies, taken in turn where the last
// area left off and wrapping round, so that every company realises in at
// least one area and exactly the year's number of companies realise at all;
// each area's amount is split in whole rupiah, the remainder one rupiah each
// to its first companies, so that the shares add up exactly to the area's figure.
func Split(y Year) []Share {
	var out []Share
	next := 0
	for _, f := range y.Areas {
		if f.Companies == 0 {
			continue
		}
		base, rest := f.Amount/partnership.Rupiah(f.Companies), int(f.Amount%partnership.Rupiah(f.Companies))
		for k := 0; k < f.Companies; k++ {
			amount := base
			if k < rest {
				amount++
			}
			out = append(out, Share{Company: next%y.Companies + 1, Area: f.Area, Amount: amount})
			next++
		}
	}
	return out
}

// demoAccount acts for the demo partners. It is disabled — nobody signs in
// as it — and exists because every partner is registered by an account.
const demoAccount = "demo-mitra"

// PartnerName is the fictitious name of the n-th demo company.
func PartnerName(n int) string { return fmt.Sprintf("PT Mitra Bandung %03d", n) }

// SeedBandungCSR imports Bandung's 2014 and 2015 figures into a region's
// database in one transaction: a disabled account, as many approved demo
// companies as the busiest year had (PT Mitra Bandung 001, ...), and for each
// year the historical realisations Split deals out — no programme, no ward,
// the activity spanning the year. The companies' approval dates are not on
// record, so no plan deadline runs against them (see store.FlagOverdue). The
// import is recorded in the settings and audited as the system; it reports
// whether it seeded, and seeding again changes nothing.
func SeedBandungCSR(ctx context.Context, db bun.IDB, region *partnership.Region, now time.Time) (bool, error) {
	years, err := BandungFigures()
	if err != nil {
		return false, err
	}
	if region.FourPillar == nil {
		return false, fmt.Errorf("demo: %s does not run the four-pillar model: Bandung's CSR figures have nowhere to go", region.Slug)
	}
	for _, y := range years {
		for _, f := range y.Areas {
			if _, ok := region.FourPillar.PriorityArea(f.Area); !ok {
				return false, fmt.Errorf("demo: %s has no priority area %q for Bandung's figures", region.Slug, f.Area)
			}
		}
	}
	key := "demo-data." + BandungCSR
	seeded := false
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, done, err := store.Setting(ctx, tx, key); err != nil || done {
			return err
		}
		account, err := ensureAccount(ctx, tx, now)
		if err != nil {
			return err
		}
		companies := 0
		areas := map[int][]string{}
		shares := map[int][]Share{}
		for _, y := range years {
			companies = max(companies, y.Companies)
			shares[y.Year] = Split(y)
			for _, s := range shares[y.Year] {
				if !slices.Contains(areas[s.Company], s.Area) {
					areas[s.Company] = append(areas[s.Company], s.Area)
				}
			}
		}
		loc := region.Location
		if loc == nil {
			loc = time.UTC
		}
		registered := time.Date(years[0].Year, 1, 1, 0, 0, 0, 0, loc).UTC()
		partners := make([]int64, companies+1)
		for n := 1; n <= companies; n++ {
			slices.Sort(areas[n])
			p := &partnership.Partner{Kind: partnership.PartnerCompany, Name: PartnerName(n), AccountID: account, Areas: areas[n],
				State: partnership.PartnerApproved, RegisteredAt: registered}
			if err := store.InsertPartner(ctx, tx, p); err != nil {
				return err
			}
			partners[n] = p.ID
		}
		rows := 0
		for _, y := range years {
			start := time.Date(y.Year, 1, 1, 0, 0, 0, 0, loc)
			end := time.Date(y.Year, 12, 31, 0, 0, 0, 0, loc)
			for _, s := range shares[y.Year] {
				r := &partnership.Realisation{PartnerID: partners[s.Company], FiscalYear: y.Year, Area: s.Area,
					ActivityStart: start.UTC(), ActivityEnd: end.UTC(), DueAt: region.RealisationDue(end), SubmittedAt: region.RealisationDue(end),
					Amount: s.Amount, SourceOfFunds: "CSR (imported figure)",
					Outputs:        fmt.Sprintf("Imported from Kota Bandung's published CSR realisation figures for %d.", y.Year),
					TargetsReached: "Not recorded in the published figures.", Historical: true}
				if err := store.InsertRealisation(ctx, tx, r); err != nil {
					return err
				}
				rows++
			}
		}
		if err := store.SetSetting(ctx, tx, key, now.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{
			Actor: partnership.SystemActor, ActorScope: region.Code, Action: "demo:seed", ObjectType: "demo-data", ObjectID: BandungCSR,
			Decision: "the region's manifest asks for it (annotation pilar.id/demo-data)",
			After:    map[string]any{"partners": companies, "realisations": rows}, Public: true,
		})
		seeded = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("demo: seeding %s with %s: %w", region.Slug, BandungCSR, err)
	}
	return seeded, nil
}

func ensureAccount(ctx context.Context, tx bun.Tx, now time.Time) (int64, error) {
	var id int64
	err := tx.NewSelect().Table("accounts").Column("id").Where("username = ?", demoAccount).Scan(ctx, &id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("demo: unable to look up the demo account: %w", err)
	}
	// "!" is no password hash at all: even were the account enabled, no
	// password would match it.
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (username, display_name, password_hash, created_at, disabled_at) VALUES (?, ?, '!', ?, ?)`,
		demoAccount, "Mitra demo (data 2014-2015)", now.UTC(), now.UTC()); err != nil {
		return 0, fmt.Errorf("demo: unable to create the demo account: %w", err)
	}
	if err := tx.NewSelect().Table("accounts").Column("id").Where("username = ?", demoAccount).Scan(ctx, &id); err != nil {
		return 0, fmt.Errorf("demo: unable to read the demo account: %w", err)
	}
	return id, nil
}
