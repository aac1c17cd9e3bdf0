package main

import (
	"context"
	"path/filepath"
	"testing"

	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
)

// The embedded mode's demo region starts with Bandung's CSR figures, seeded
// once however often its database is opened; a region that does not ask for
// demo data gets none.
func TestEmbeddedDemoRegionStartsWithItsData(t *testing.T) {
	regions, err := tenancy.LoadDir("../tenants")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	want := map[string]int64{"bandung": 191 + 299, "sumedang": 0}
	for _, r := range regions {
		tn, err := tenancy.NewTenant(r, store.Options{Driver: store.SQLite, DSN: filepath.Join(dir, r.Slug+".db")}, prepareEmbedded)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // opened, closed, opened again
			db, release, err := tn.Acquire(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			if r.FourPillar != nil {
				if n, err = db.NewSelect().Table("csr_realisations").Where("historical").Count(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			release()
			tn.Close()
			if w, ok := want[r.Slug]; ok && n != w {
				t.Errorf("%s, opening %d: %d historical realisations, want %d", r.Slug, i+1, n, w)
			}
		}
	}
}
