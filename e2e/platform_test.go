package e2e

import (
	"context"
	"database/sql"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/uptrace/bun/driver/sqliteshim"
)

func run(t *testing.T, stdin string, bin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// A national admin is a platform account: created with a command, signed in
// at /platform, reading every region's prerequisites, and unknown to regions.
func TestNationalAdminAndAuditVerification(t *testing.T) {
	bin := buildProgram(t, "apiserver")
	data := t.TempDir()
	out, err := run(t, "kata sandi nasional\n", bin, "national-admin", "-data", data, "-username", "bappenas", "-name", "Bappenas")
	if err != nil {
		t.Fatalf("national-admin: %v\n%s", err, out)
	}
	if strings.Contains(out, "kata sandi") {
		t.Fatal("the password was printed")
	}
	out, err = run(t, "kata sandi daerah\n", bin, "region-admin", "-data", data, "-tenants", "../tenants", "-region", "bandung", "-username", "admin")
	if err != nil || !strings.Contains(out, "regional-admin admin created") {
		t.Fatalf("region-admin: %v\n%s", err, out)
	}
	s := startEmbedded(t, bin, data)
	post := func(url, body string) *http.Response {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	creds := `{"username":"bappenas","password":"kata sandi nasional"}`
	if resp := post(s.base+"/r/bandung/api/session", creds); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a national admin signed in to a region: %d", resp.StatusCode)
	}
	if resp := post(s.base+"/r/bandung/api/session", `{"username":"admin","password":"kata sandi daerah"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("the regional admin made by region-admin cannot sign in: %d", resp.StatusCode)
	}
	if resp := post(s.base+"/platform/api/session", `{"username":"admin","password":"kata sandi daerah"}`); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a regional admin signed in to the platform: %d", resp.StatusCode)
	}
	if resp, _ := http.Get(s.base + "/platform/api/regions"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("national data without signing in: %d", resp.StatusCode)
	}
	var regions struct {
		Items []struct {
			Slug             string              `json:"slug"`
			PrerequisiteGaps map[string][]string `json:"prerequisiteGaps"`
			PrerequisitesMet bool                `json:"prerequisitesMet"`
		} `json:"items"`
	}
	signIn(t, s.base+"/platform", "bappenas", "kata sandi nasional").getJSON(t, "/api/regions", &regions)
	if len(regions.Items) != 2 {
		t.Fatalf("national view: %+v", regions)
	}
	// Bandung's legal basis has no procurement regulation; Sumedang's no technical guidelines.
	for _, r := range regions.Items {
		want := map[string]string{"bandung": "procurement", "sumedang": "technical-guidelines"}[r.Slug]
		if r.PrerequisitesMet || len(r.PrerequisiteGaps["TwoPillar"]) != 1 || r.PrerequisiteGaps["TwoPillar"][0] != want {
			t.Errorf("%s: gaps %v, want TwoPillar [%s]", r.Slug, r.PrerequisiteGaps, want)
		}
	}
	s.shutdown(t)

	// The audit log of a region verifies, and a rewritten entry is named.
	if out, err := run(t, "", bin, "verify-audit", "-data", data, "-region", "bandung"); err != nil || !strings.Contains(out, "chain intact") {
		t.Fatalf("verify-audit: %v %s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "bandung.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `UPDATE audit_log SET actor = 'someone else' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err = run(t, "", bin, "verify-audit", "-data", data, "-region", "bandung")
	if err == nil || !strings.Contains(out, "broken at entry 1") {
		t.Fatalf("verify-audit after tampering: %v %s", err, out)
	}
}
