package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
)

func testApp(t *testing.T) *tenancy.Registry { return testRegistry(t, store.SQLite) }

// testRegistry serves the demo regions, each from a fresh SQLite file or a
// fresh PostgreSQL database.
func testRegistry(t *testing.T, driver store.Driver) *tenancy.Registry {
	t.Helper()
	regions, err := tenancy.LoadDir("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var ts []*tenancy.Tenant
	nik, err := authz.NewNIKHasher([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		opts := store.Options{Driver: store.SQLite, DSN: filepath.Join(dir, r.Slug+".db")}
		if driver == store.Postgres {
			opts = store.Options{Driver: store.Postgres, DSN: pg.NewDatabase(t), MaxConns: 4}
		}
		tn, err := tenancy.NewTenant(r, opts, tenancy.Migrate)
		if err != nil {
			t.Fatal(err)
		}
		tn.NIK = nik
		ts = append(ts, tn)
	}
	reg := tenancy.NewRegistry(ts...)
	t.Cleanup(func() {
		for _, tn := range reg.All() {
			tn.Close()
		}
	})
	return reg
}

func do(t *testing.T, reg *tenancy.Registry, req *http.Request) (int, map[string]any) {
	t.Helper()
	app := New(Options{Registry: reg, BaseDomain: "pilar.test", PathRegions: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	resp, err := app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s %s: not JSON: %v: %s", req.Method, req.URL, err, body)
	}
	return resp.StatusCode, m
}

func TestRegionResolution(t *testing.T) {
	reg := testApp(t)
	hosted := func(host, path string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Host = host
		return r
	}
	tests := []struct {
		name     string
		req      *http.Request
		status   int
		wantSlug string
		wantCode string
	}{
		{"path", httptest.NewRequest(http.MethodGet, "/r/bandung/api/region", nil), 200, "bandung", ""},
		{"host", hosted("sumedang.pilar.test", "/api/region"), 200, "sumedang", ""},
		{"host with port", hosted("bandung.pilar.test:8080", "/api/region"), 200, "bandung", ""},
		{"unknown region by path", httptest.NewRequest(http.MethodGet, "/r/atlantis/api/region", nil), 404, "", "not_found"},
		{"unknown region by host", hosted("atlantis.pilar.test", "/api/region"), 404, "", "not_found"},
		{"other domain is not a region", hosted("bandung.example.org", "/api/region"), 404, "", "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, reg, tt.req)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if tt.wantSlug != "" && body["slug"] != tt.wantSlug {
				t.Errorf("slug %v, want %s", body["slug"], tt.wantSlug)
			}
			if tt.wantCode != "" {
				e, _ := body["error"].(map[string]any)
				if e["code"] != tt.wantCode {
					t.Errorf("error %v, want code %s", body, tt.wantCode)
				}
			}
		})
	}
}

func TestRegionDataComesFromItsOwnDatabase(t *testing.T) {
	reg := testApp(t)
	_, b := do(t, reg, httptest.NewRequest(http.MethodGet, "/r/bandung/api/region", nil))
	_, s := do(t, reg, httptest.NewRequest(http.MethodGet, "/r/sumedang/api/region", nil))
	// Bandung: 3 kecamatan, 13 kelurahan; 4 ward-level types (RW per RW: 130 RW, plus PKK, Karang Taruna, LPM per ward = 39).
	if b["kecamatan"] != 3.0 || b["wards"] != 13.0 || b["institutions"] != 169.0 {
		t.Errorf("bandung counts = %v/%v/%v, want 3/13/169", b["kecamatan"], b["wards"], b["institutions"])
	}
	// Sumedang: 2 kecamatan, 7 desa, 29 RW plus PKK and Karang Taruna per desa = 43.
	if s["kecamatan"] != 2.0 || s["wards"] != 7.0 || s["institutions"] != 43.0 {
		t.Errorf("sumedang counts = %v/%v/%v, want 2/7/43", s["kecamatan"], s["wards"], s["institutions"])
	}
}

func TestHealthAndReadiness(t *testing.T) {
	reg := testApp(t)
	status, body := do(t, reg, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if status != 200 || body["status"] != "ok" {
		t.Fatalf("healthz: %d %v", status, body)
	}
	status, body = do(t, reg, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	tenants, _ := body["tenants"].(map[string]any)
	if status != 200 || len(tenants) != 2 {
		t.Fatalf("readyz: %d %v", status, body)
	}
	if st := tenants["bandung"].(map[string]any)["database"]; st != "closed" {
		t.Errorf("bandung before any request: %v, want closed (opened lazily)", st)
	}
	if status, body := do(t, reg, httptest.NewRequest(http.MethodGet, "/r/bandung/api/region", nil)); status != 200 {
		t.Fatalf("bandung: %d %v", status, body)
	}
	_, body = do(t, reg, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if st := body["tenants"].(map[string]any)["bandung"].(map[string]any)["database"]; st != "open" {
		t.Errorf("bandung after a request: %v, want open", st)
	}

	// A region whose database cannot be opened makes readiness fail and names it.
	bad := *reg.All()[0].Region
	bad.Slug = "broken"
	broken, err := tenancy.NewTenant(&bad, store.Options{Driver: store.SQLite, DSN: "/proc/nonexistent/broken.db"}, tenancy.Migrate)
	if err != nil {
		t.Fatal(err)
	}
	reg.Put(broken)
	status, body = do(t, reg, httptest.NewRequest(http.MethodGet, "/r/broken/api/region", nil))
	if status != http.StatusServiceUnavailable {
		t.Errorf("broken region: %d %v, want 503", status, body)
	}
	status, body = do(t, reg, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	st := body["tenants"].(map[string]any)["broken"].(map[string]any)
	if status != http.StatusServiceUnavailable || st["database"] != "error" || st["error"] == "" {
		t.Errorf("readyz with a broken region: %d %v", status, body)
	}
}

func httptestGet(path string) *http.Request { return httptest.NewRequest(http.MethodGet, path, nil) }
