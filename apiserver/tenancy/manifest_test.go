package tenancy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoRegionsLoad(t *testing.T) {
	regions, err := LoadDir("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	if len(regions) != 2 {
		t.Fatalf("%d regions, want the 2 demo regions", len(regions))
	}
	b, s := regions[0], regions[1]
	if b.Slug != "bandung" || !b.Runs("TwoPillar") || !b.Runs("FourPillar") || b.TwoPillar.AllocationPerInstitution != 100_000_000 || len(b.FourPillar.PriorityAreas) != 7 {
		t.Errorf("bandung: %+v", b)
	}
	if s.Slug != "sumedang" || s.Runs("FourPillar") || s.TwoPillar.AllocationPerInstitution == b.TwoPillar.AllocationPerInstitution {
		t.Errorf("sumedang must run only the two-pillar model with its own allocation: %+v", s)
	}
	for _, k := range s.Kecamatan {
		for _, w := range k.Wards {
			if w.Kind != "desa" {
				t.Errorf("sumedang ward %s is a %s, want desa", w.Code, w.Kind)
			}
		}
	}
}

// base is a valid manifest that each case below breaks in one place.
const base = `apiVersion: pilar.id/v1alpha1
kind: Region
metadata:
  name: contoh
spec:
  code: "32.99"
  name: Kota Contoh
  kind: Kota
  languages: [id]
  pillars: [TwoPillar]
  areas:
    csv: |
      32.99.01,32.99,Satu
      32.99.01.1001,32.99.01,Satu Satu,100,2
  institutionTypes:
    - key: rw
      name: RW
      perRW: true
      scope: [{key: infrastructure, name: Infrastruktur}]
  twoPillar:
    allocationPerInstitution: 1000
    musrenbang: {minAttendance: 5}
    complaintResponseDays: 14
`

func TestMalformedManifestsAreRefusedWithFileFieldAndReason(t *testing.T) {
	tests := []struct {
		name       string
		old, new   string
		wantField  string
		wantReason string
	}{
		{"negative allocation", "allocationPerInstitution: 1000", "allocationPerInstitution: -1", "spec.twoPillar.allocationPerInstitution", "must not be negative"},
		{"unknown field", "kind: Kota\n", "kind: Kota\n  mayor: someone\n", "mayor", "unknown field"},
		{"bad region code", `code: "32.99"`, `code: "3299"`, "spec.code", "official region code"},
		{"missing two-pillar rules", "  twoPillar:\n    allocationPerInstitution: 1000\n    musrenbang: {minAttendance: 5}\n    complaintResponseDays: 14\n", "", "spec.twoPillar", "Required"},
		{"four-pillar rules absent", "pillars: [TwoPillar]", "pillars: [TwoPillar, FourPillar]", "spec.fourPillar", "Required"},
		{"no Indonesian", "languages: [id]", "languages: [en]", "spec.languages", `must include "id"`},
		{"ward outside its kecamatan", "32.99.01.1001,32.99.01", "32.98.01.1001,32.99.01", "spec.areas.csv", "not a kecamatan listed above it"},
		{"ward before its kecamatan", "      32.99.01,32.99,Satu\n", "", "spec.areas.csv", "not a kecamatan listed above it"},
		{"bad population", "Satu Satu,100,2", "Satu Satu,many,2", "spec.areas.csv", "population"},
		{"region name not a DNS label", "name: contoh", "name: Contoh_Kota", "metadata.name", "RFC 1123"},
		{"wrong kind", "kind: Region", "kind: Tenant", "apiVersion/kind", "want pilar.id/v1alpha1 Region"},
		{"quorum of zero", "minAttendance: 5", "minAttendance: 0", "spec.twoPillar.musrenbang.minAttendance", "at least 1"},
		{"unknown time zone", "kind: Kota\n", "kind: Kota\n  timeZone: Asia/Bandung\n", "spec.timeZone", "time zone"},
		{"activity outside the key grammar", "key: infrastructure", "key: Infra Structure", "spec.institutionTypes[0].scope[0].key", "lower-case"},
		{"not YAML", "kind: Region", "kind: [Region", "", "not a valid Region manifest"},
		{"override beyond the guardrails", "    complaintResponseDays: 14\n", "    complaintResponseDays: 14\n  policy:\n    overrides: |\n      # residents fund their own proposals\n      allow resident musrenbang:decide\n", "spec.policy.overrides", `line 2 "allow resident musrenbang:decide"`},
		{"malformed override", "    complaintResponseDays: 14\n", "    complaintResponseDays: 14\n  policy:\n    overrides: \"permit resident proposal:read\"\n", "spec.policy.overrides", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			manifest := strings.Replace(base, tt.old, tt.new, 1)
			if manifest == base {
				t.Fatalf("the case changes nothing: %q not found", tt.old)
			}
			path := filepath.Join(dir, "contoh.yaml")
			if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
				t.Fatal(err)
			}
			// A valid neighbour must not be served either: all or nothing.
			if err := os.WriteFile(filepath.Join(dir, "valid.yaml"), []byte(strings.NewReplacer("name: contoh", "name: valid", `"32.99"`, `"32.98"`, "32.99", "32.98").Replace(base)), 0o600); err != nil {
				t.Fatal(err)
			}
			regions, err := LoadDir(dir)
			if err == nil {
				t.Fatalf("accepted: %+v", regions)
			}
			if regions != nil {
				t.Errorf("returned regions beside the error")
			}
			msg := err.Error()
			for _, want := range []string{path, tt.wantField, tt.wantReason} {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not mention %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "valid.yaml") {
				t.Errorf("the valid neighbour was blamed:\n%s", msg)
			}
		})
	}
}

func TestBaseManifestIsValid(t *testing.T) {
	r, err := ParseManifest([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Institutions()); got != 2 {
		t.Errorf("%d institutions, want 2 RW", got)
	}
}

func TestDuplicateRegionsAreRefused(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.yaml", "b.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(base), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "already defined in") {
		t.Fatalf("duplicate region accepted or unclear: %v", err)
	}
}

func TestEmptyDirectoryIsRefused(t *testing.T) {
	if _, err := LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no region manifests") {
		t.Fatalf("empty directory: %v", err)
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(base))
	data, _ := os.ReadFile("../../tenants/bandung.yaml")
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseManifest(data)
		if err == nil && (r.Slug == "" || len(r.Kecamatan) == 0 || len(r.Languages) == 0) {
			t.Fatalf("accepted an incomplete region: %+v", r)
		}
	})
}
