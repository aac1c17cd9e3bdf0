package wilayah

import (
	"os"
	"path/filepath"
	"testing"

	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/operator/api/v1alpha1"
)

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Kota Bandung", "kota-bandung"},
		{"Kabupaten Bandung", "bandung"},
		{"Kota Administrasi Jakarta Timur", "kota-jakarta-timur"},
		{"Kabupaten Administrasi Kepulauan Seribu", "kepulauan-seribu"},
		{"Kabupaten Toba Samosir (Tobasa)", "toba-samosir-tobasa"},
		{"Kota Bau-Bau", "kota-bau-bau"},
	} {
		if got := Slug(tc.name); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLoadRanksAndManifests(t *testing.T) {
	rs, err := Load(os.DirFS("testdata/mini"))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for i, r := range rs {
		if r.Rank != i {
			t.Errorf("%s has rank %d at position %d", r.Code, r.Rank, i)
		}
		order = append(order, r.Code)
	}
	// Bandung is among the largest cities; Cimahi a city; then the kabupaten by code.
	want := []string{"32.73", "32.77", "32.11", "91.01"}
	if len(order) != len(want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	template, err := ReadTemplate(filepath.Join("..", "..", "tenants", "bandung.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		m, err := r.Manifest(template, "b-"+r.Slug, map[string]string{"pilar.id/bench": "t"})
		if err != nil {
			t.Fatal(err)
		}
		region, err := tenancy.FromRegion(m)
		if err != nil {
			t.Fatalf("%s: %v", r.Code, err)
		}
		wards := 0
		for _, k := range region.Kecamatan {
			wards += len(k.Wards)
			for _, w := range k.Wards {
				if w.RW < 2 || w.Population <= 0 {
					t.Errorf("%s: ward %s has %d RW and %d residents", r.Code, w.Code, w.RW, w.Population)
				}
			}
		}
		if wards != r.Villages() {
			t.Errorf("%s: %d wards in the Region, %d villages in the data", r.Code, wards, r.Villages())
		}
		if demo := r.Code == "32.73" || r.Code == "32.11"; demo != (m.Spec.Policy.Overrides != "") {
			t.Errorf("%s: overrides %q", r.Code, m.Spec.Policy.Overrides)
		}
	}
	if got := rs[3].Skipped; len(got) != 1 || got[0].Code != "91.01.01.3001" {
		t.Errorf("Merauke skipped %v, want its desa adat 91.01.01.3001", got)
	}
	if z := timeZone("91.01"); z != "Asia/Jayapura" {
		t.Errorf("Merauke is in %s", z)
	}
	if z := timeZone("73.71"); z != "Asia/Makassar" {
		t.Errorf("Makassar is in %s", z)
	}
	if rs[0].Kind() != v1alpha1.Kota || rs[2].Kind() != v1alpha1.Kabupaten {
		t.Errorf("kinds %s, %s", rs[0].Kind(), rs[2].Kind())
	}
}

func TestDirMissing(t *testing.T) {
	_, err := Dir(t.TempDir(), func(string) string { return "" })
	if err == nil {
		t.Fatal("no error for a missing data set")
	}
}
