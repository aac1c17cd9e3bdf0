package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// An operator of a cluster gives a region its first admin with the server's
// command, as a named system actor under the region's own policy: found
// through the Kubernetes API (the Region, its Secret and ConfigMap) or
// straight at its database. The admin signs in over HTTP, the audit log
// names the command, verify-audit checks the chain either way, and the
// platform gets its national admin too. A region whose policy denies the
// server grant:manage refuses the command.
func TestCommandsReachARegionServedInTheCluster(t *testing.T) {
	r := startRig(t)
	r.onboardBandung()
	kube := []string{"-mode", "cluster", "-region", "bandung", "-namespace", r.namespace}
	command := func(stdin string, args ...string) string {
		t.Helper()
		cmd := commandIn(r, stdin, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("apiserver %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if strings.Contains(string(out), strings.TrimSpace(stdin)) && stdin != "" {
			t.Fatalf("apiserver %s printed the password", args[0])
		}
		return string(out)
	}

	// Through the Kubernetes API, as an operator with kubectl access would.
	if out := command("kata sandi pertama\n", append([]string{"region-admin", "-username", "admin", "-name", "Admin Bandung"}, kube...)...); !strings.Contains(out, "regional-admin admin created") {
		t.Fatalf("region-admin: %s", out)
	}
	admin := signIn(t, r.base, "admin", "kata sandi pertama")
	var entries struct {
		Items []struct {
			Actor, ActorRole, Action, ObjectType, Decision string
			After                                          map[string]any
		} `json:"items"`
	}
	admin.getJSON(t, "/api/audit?action=grant:manage&objectType=account", &entries)
	if len(entries.Items) != 1 || entries.Items[0].Actor != "command:region-admin" || entries.Items[0].ActorRole != "system" ||
		entries.Items[0].After["username"] != "admin" || entries.Items[0].After["role"] != "regional-admin" {
		t.Errorf("the command's audit entry: %+v", entries.Items)
	}
	if out := command("", append([]string{"verify-audit"}, kube...)...); !strings.Contains(out, "bandung:") || !strings.Contains(out, "chain intact") {
		t.Errorf("verify-audit: %s", out)
	}
	r.log("first admin made through the Kubernetes API, signed in, audited, verified")

	// Straight at the database, with the URL of the region's credentials
	// Secret and the region's manifest.
	var secret corev1.Secret
	if err := r.cl.Get(t.Context(), client.ObjectKey{Namespace: r.namespace, Name: "pilar-region-bandung"}, &secret); err != nil {
		t.Fatal(err)
	}
	dsn := string(secret.Data["uri"])
	direct := []string{"-mode", "cluster", "-region", "bandung", "-dsn", dsn, "-tenants", "../tenants"}
	if out := command("kata sandi kedua\n", append([]string{"region-admin", "-username", "admin2"}, direct...)...); !strings.Contains(out, "regional-admin admin2 created") {
		t.Fatalf("region-admin -dsn: %s", out)
	}
	signIn(t, r.base, "admin2", "kata sandi kedua")
	// Without the manifest the database says what it is served as.
	if out := command("", "verify-audit", "-mode", "cluster", "-region", "bandung", "-dsn", dsn, "-tenants", t.TempDir()); !strings.Contains(out, "chain intact") {
		t.Errorf("verify-audit -dsn: %s", out)
	}
	r.log("second admin made at the database, signed in")

	// The platform's first national admin, in its PostgreSQL database.
	if out := command("kata sandi nasional\n", "national-admin", "-mode", "cluster", "-platform-dsn", r.platformDSN, "-username", "bappenas"); !strings.Contains(out, "national-admin bappenas created") {
		t.Fatalf("national-admin: %s", out)
	}
	platform := signIn(t, strings.TrimSuffix(r.base, "/r/bandung")+"/platform", "bappenas", "kata sandi nasional")
	var regions struct {
		Items []struct{ Slug string } `json:"items"`
	}
	platform.getJSON(t, "/api/regions", &regions)
	if len(regions.Items) != 1 || regions.Items[0].Slug != "bandung" {
		t.Errorf("the national admin's regions: %+v", regions)
	}
	r.log("national admin made and signed in")

	// A region whose policy denies the server grant:manage: the operator
	// renders it, and the command is refused by it.
	patch := `{"spec":{"policy":{"overrides":"deny system grant:manage\n"}}}`
	if out, err := kubectl(t, r.kubeconfig, "patch", "region", "bandung", "--type", "merge", "-p", patch); err != nil {
		t.Fatalf("kubectl patch: %v\n%s", err, out)
	}
	waitFor(t, "the denying policy to be rendered", func() bool {
		var cm corev1.ConfigMap
		err := r.cl.Get(t.Context(), client.ObjectKey{Namespace: r.namespace, Name: "pilar-policy-bandung"}, &cm)
		return err == nil && strings.Contains(cm.Data["policy.csv"], "system, grant:manage, deny")
	})
	cmd := commandIn(r, "kata sandi ketiga\n", append([]string{"region-admin", "-username", "admin3"}, kube...)...)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "none of your roles may use grant:manage") {
		t.Errorf("region-admin under a policy denying it: %v\n%s", err, out)
	}
	r.stop()
}

// session is a signed-in client of a region (or the platform) over HTTP.
type session struct {
	base    string
	cookies []*http.Cookie
}

// signIn signs in at base with a username and password and returns the session.
func signIn(t *testing.T, base, username, password string) *session {
	t.Helper()
	body := `{"username":"` + username + `","password":"` + password + `"}`
	resp, err := http.Post(base+"/api/session", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s cannot sign in at %s: %d %s", username, base, resp.StatusCode, b)
	}
	// Session cookies are Secure: Go's cookie jar keeps them for https only,
	// so the session is carried by hand.
	return &session{base: base, cookies: resp.Cookies()}
}

// getJSON reads a JSON answer of the session's realm into v.
func (s *session) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// commandIn is the API server's command args run as an operator of the rig's
// cluster runs it, the password (if any) on its standard input.
func commandIn(r *rig, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(r.t.Context(), r.apiserverBin, args...)
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
