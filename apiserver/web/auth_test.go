package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/policies"
)

// world is one API server over the demo regions, with a clock the test moves.
type world struct {
	t   *testing.T
	reg *tenancy.Registry
	app *fiber.App

	mu  sync.Mutex
	now time.Time
}

func newWorld(t *testing.T) *world { return newWorldOn(t, store.SQLite) }

func newWorldOn(t *testing.T, driver store.Driver) *world {
	w := &world{t: t, reg: testRegistry(t, driver), now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	w.app = New(Options{
		Registry: w.reg, PathRegions: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now },
	})
	return w
}

func (w *world) advance(d time.Duration) { w.mu.Lock(); w.now = w.now.Add(d); w.mu.Unlock() }

// seed creates an account with grants directly in a region's database, as an
// operator would bootstrap the first regional admin.
func (w *world) seed(region, username string, grants ...[2]string) {
	w.t.Helper()
	tn, db := lend(w.t, w.reg, region)
	a, err := authz.CreateAccount(context.Background(), db, tn.NIK, authz.NewAccount{Username: username, DisplayName: username, Password: "rahasia " + username}, w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, g := range grants {
		if err := authz.AddGrant(context.Background(), db, &authz.Grant{AccountID: a.ID, Role: policies.Role(g[0]), Scope: g[1], CreatedAt: w.now}); err != nil {
			w.t.Fatal(err)
		}
	}
}

// client is a browser or a machine client of one region.
type client struct {
	w      *world
	region string
	cookie string // session token
	csrf   string
	bearer string
	ip     string
}

func (w *world) client(region string) *client {
	return &client{w: w, region: region, ip: "192.0.2.1"}
}

type response struct {
	status int
	body   map[string]any
	header http.Header
}

func (r response) errField() string {
	e, _ := r.body["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

func (c *client) do(method, path string, body any) response {
	c.w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, "/r/"+c.region+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, raw := c.send(req)
	r := response{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.w.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			if ck.Path != "/r/"+c.region+"/" || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
				c.w.t.Errorf("session cookie %+v: want path /r/%s/, HttpOnly, Secure, SameSite=Lax", ck, c.region)
			}
			c.cookie = ck.Value
		}
	}
	return r
}

func (c *client) signIn(username, password string) response {
	c.w.t.Helper()
	r := c.do("POST", "/api/session", map[string]string{"username": username, "password": password})
	if r.status == http.StatusCreated {
		c.csrf, _ = r.body["csrfToken"].(string)
	}
	return r
}

func (c *client) mustSignIn(username string) *client {
	c.w.t.Helper()
	if r := c.signIn(username, "rahasia "+username); r.status != http.StatusCreated {
		c.w.t.Fatalf("sign in %s: %d %v", username, r.status, r.body)
	}
	return c
}

func expect(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %v", what, r.status, status, r.body)
	}
}

func TestRegisterSignInAndWhoAmI(t *testing.T) {
	w := newWorld(t)
	c := w.client("bandung")
	r := c.do("POST", "/api/accounts", map[string]string{"username": "siti", "displayName": "Siti Aminah", "password": "kata sandi panjang", "nik": "3273015001900001"})
	expect(t, "register", r, http.StatusCreated)
	if _, leaked := r.body["nikHash"]; leaked {
		t.Error("the NIK hash was returned")
	}
	expect(t, "sign in", c.signIn("siti", "kata sandi panjang"), http.StatusCreated)
	r = c.do("GET", "/api/me", nil)
	expect(t, "me", r, http.StatusOK)
	grants, _ := r.body["grants"].([]any)
	if len(grants) != 1 || grants[0].(map[string]any)["role"] != "resident" || grants[0].(map[string]any)["scope"] != "32.73" {
		t.Fatalf("a new account holds %v, want resident at 32.73", grants)
	}
	// Bad input names the field and changes nothing.
	for _, tt := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{"username": "B", "displayName": "x", "password": "kata sandi panjang"}, "username"},
		{map[string]string{"username": "budi", "displayName": "x", "password": "pendek"}, "password"},
		{map[string]string{"username": "budi", "displayName": "x", "password": "kata sandi panjang", "nik": "123"}, "nik"},
	} {
		r := w.client("bandung").do("POST", "/api/accounts", tt.body)
		if r.status != http.StatusBadRequest || r.errField() != tt.field {
			t.Errorf("%v: %d %v, want 400 on %s", tt.body, r.status, r.body, tt.field)
		}
	}
	r = w.client("bandung").do("POST", "/api/accounts", map[string]string{"username": "siti", "displayName": "x", "password": "kata sandi panjang"})
	expect(t, "same username", r, http.StatusConflict)
	if r := w.client("bandung").signIn("budi", "kata sandi panjang"); r.status != http.StatusUnauthorized {
		t.Fatalf("a refused registration left an account: %d", r.status)
	}
}

func TestAnAccountOfOneRegionIsRefusedInAnother(t *testing.T) {
	w := newWorld(t)
	w.people("admin")
	b := w.client("bandung").mustSignIn("admin")
	expect(t, "own region", b.do("GET", "/api/grants", nil), http.StatusOK)
	tok := b.do("POST", "/api/tokens", map[string]string{"name": "skrip"})
	expect(t, "token", tok, http.StatusCreated)

	// The same session token and API token sent to Sumedang mean nothing there.
	s := w.client("sumedang")
	s.cookie = b.cookie
	r := s.do("GET", "/api/grants", nil)
	if r.status != http.StatusUnauthorized || !strings.Contains(fmt.Sprint(r.body), "session") {
		t.Fatalf("bandung session in sumedang: %d %v", r.status, r.body)
	}
	m := w.client("sumedang")
	m.bearer = tok.body["token"].(string)
	expect(t, "bandung API token in sumedang", m.do("GET", "/api/grants", nil), http.StatusUnauthorized)
	// Nor can the account sign in there.
	expect(t, "bandung account signing in to sumedang", w.client("sumedang").signIn("admin", "rahasia admin"), http.StatusUnauthorized)
}

func TestGrantsFollowScopesAndRevocationIsImmediate(t *testing.T) {
	w := newWorld(t)
	w.people("admin")
	w.seed("bandung", "admin-sukasari", [2]string{"regional-admin", "32.73.01"})
	w.seed("bandung", "lurah")
	admin := w.client("bandung").mustSignIn("admin")
	local := w.client("bandung").mustSignIn("admin-sukasari")

	// An admin of kecamatan Sukasari grants within Sukasari, not in Coblong.
	r := local.do("POST", "/api/grants", map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.01.1001"})
	expect(t, "grant within the admin's kecamatan", r, http.StatusCreated)
	grantID := int(r.body["id"].(float64))
	expect(t, "grant outside the admin's kecamatan", local.do("POST", "/api/grants", map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.02.1001"}), http.StatusForbidden)
	expect(t, "move a grant out of the admin's reach", local.do("PATCH", fmt.Sprintf("/api/grants/%d", grantID), map[string]string{"scope": "32.73.02.1001"}), http.StatusForbidden)

	// The lurah of Sukarasa decides in Sukarasa and its institutions, not in Gegerkalong.
	for scope, want := range map[string]bool{"32.73.01.1001": true, "32.73.01.1001/rw-03": true, "32.73.01.1002": false, "32.73.01": false} {
		r := admin.do("GET", "/api/explain?account=lurah&permission=musrenbang:decide&scope="+scope, nil)
		expect(t, "explain", r, http.StatusOK)
		if r.body["allowed"] != want {
			t.Errorf("lurah at %s: allowed %v, want %v (%v)", scope, r.body["allowed"], want, r.body)
		}
		if want {
			considered := fmt.Sprint(r.body["considered"])
			if !strings.Contains(considered, "allowed by allow ward-office musrenbang:decide") {
				t.Errorf("explanation does not name the rule: %s", considered)
			}
		}
	}

	// The kecamatan admin's grant is revoked: the very next request is refused.
	var localGrant int
	r = admin.do("GET", "/api/grants", nil)
	for _, it := range r.body["items"].([]any) {
		g := it.(map[string]any)
		if g["scope"] == "32.73.01" {
			localGrant = int(g["id"].(float64))
		}
	}
	expect(t, "kecamatan admin grants before", local.do("POST", "/api/grants", map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.01.1003"}), http.StatusCreated)
	expect(t, "revoke", admin.do("DELETE", fmt.Sprintf("/api/grants/%d", localGrant), nil), http.StatusNoContent)
	expect(t, "kecamatan admin grants after revocation", local.do("POST", "/api/grants", map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.01.1004"}), http.StatusForbidden)

	// Bad input: an unknown role, a scope outside the region, an unknown account, a platform role.
	for _, tt := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{"account": "lurah", "role": "mayor", "scope": "32.73"}, "role"},
		{map[string]string{"account": "lurah", "role": "national-admin", "scope": "32.73"}, "role"},
		{map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.11.01.2001"}, "scope"},
		{map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.01.1009"}, "scope"},
		{map[string]string{"account": "nobody", "role": "ward-office", "scope": "32.73.01.1002"}, "account"},
	} {
		r := admin.do("POST", "/api/grants", tt.body)
		if r.status != http.StatusBadRequest || r.errField() != tt.field {
			t.Errorf("%v: %d %v, want 400 on %s", tt.body, r.status, r.body, tt.field)
		}
	}
	expect(t, "the same grant twice", admin.do("POST", "/api/grants", map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.01.1001"}), http.StatusConflict)
}

func TestSessionsCSRFAndThrottling(t *testing.T) {
	w := newWorld(t)
	w.people("admin")
	c := w.client("bandung").mustSignIn("admin")
	first := *c

	// A state change without the CSRF token, or with another session's, is refused.
	c.csrf = ""
	expect(t, "no CSRF token", c.do("POST", "/api/tokens", map[string]string{"name": "a"}), http.StatusForbidden)
	c.mustSignIn("admin") // a new session
	replayed := *c
	replayed.csrf = first.csrf
	expect(t, "the previous session's CSRF token", replayed.do("POST", "/api/tokens", map[string]string{"name": "a"}), http.StatusForbidden)
	expect(t, "the session's own CSRF token", c.do("POST", "/api/tokens", map[string]string{"name": "a"}), http.StatusCreated)

	// Signed out, the session is dead; another session of the account lives on.
	ended := *c
	expect(t, "sign out", c.do("DELETE", "/api/session", nil), http.StatusNoContent)
	expect(t, "after signing out", ended.do("GET", "/api/me", nil), http.StatusUnauthorized)
	expect(t, "the other session", first.do("GET", "/api/me", nil), http.StatusOK)

	// An idle session expires.
	c.mustSignIn("admin")
	w.advance(authz.SessionIdle + time.Minute)
	r := c.do("GET", "/api/grants", nil)
	if r.status != http.StatusUnauthorized || !strings.Contains(fmt.Sprint(r.body), "expired") {
		t.Fatalf("expired session: %d %v", r.status, r.body)
	}

	// Wrong passwords: locked out after five, even with the right password.
	for i := 0; i < 5; i++ {
		expect(t, "wrong password", w.client("bandung").signIn("admin", "salah"), http.StatusUnauthorized)
	}
	r = w.client("bandung").signIn("admin", "rahasia admin")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("after five wrong passwords: %d %v", r.status, r.header)
	}
	w.advance(16 * time.Minute)
	expect(t, "after the lock-out", w.client("bandung").signIn("admin", "rahasia admin"), http.StatusCreated)
	// Bad input.
	r = w.client("bandung").do("POST", "/api/session", map[string]string{"username": "admin"})
	if r.status != http.StatusBadRequest || r.errField() != "password" {
		t.Fatalf("sign-in without a password: %d %v", r.status, r.body)
	}
}

func TestAPITokensWorkWithoutCSRFAndStopWhenRevoked(t *testing.T) {
	w := newWorld(t)
	w.people("admin")
	w.seed("bandung", "lurah")
	c := w.client("bandung").mustSignIn("admin")
	r := c.do("POST", "/api/tokens", map[string]string{"name": "sinkronisasi"})
	expect(t, "create token", r, http.StatusCreated)
	secret := r.body["token"].(string)
	id := int(r.body["id"].(float64))
	list := c.do("GET", "/api/tokens", nil)
	if strings.Contains(fmt.Sprint(list.body), secret) {
		t.Fatal("the token is shown again after creation")
	}
	m := w.client("bandung")
	m.bearer = secret
	expect(t, "machine client grants without a CSRF token", m.do("POST", "/api/grants", map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.02.1004"}), http.StatusCreated)
	expect(t, "revoke token", c.do("DELETE", fmt.Sprintf("/api/tokens/%d", id), nil), http.StatusNoContent)
	expect(t, "revoked token", m.do("GET", "/api/grants", nil), http.StatusUnauthorized)
	m.bearer = "pilar_forged"
	expect(t, "forged token", m.do("GET", "/api/grants", nil), http.StatusUnauthorized)
}

func TestAuditLogRecordsChangesAndDetectsTampering(t *testing.T) {
	w := newWorld(t)
	w.people("admin")
	w.seed("bandung", "lurah")
	w.people("warga")
	admin := w.client("bandung").mustSignIn("admin")
	r := admin.do("POST", "/api/grants", map[string]string{"account": "lurah", "role": "ward-office", "scope": "32.73.01.1001"})
	expect(t, "grant", r, http.StatusCreated)
	id := int(r.body["id"].(float64))
	expect(t, "move", admin.do("PATCH", fmt.Sprintf("/api/grants/%d", id), map[string]string{"scope": "32.73.01.1002"}), http.StatusOK)
	expect(t, "revoke", admin.do("DELETE", fmt.Sprintf("/api/grants/%d", id), nil), http.StatusNoContent)

	r = admin.do("GET", "/api/audit?action=grant:manage", nil)
	expect(t, "audit", r, http.StatusOK)
	items := r.body["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("%d grant entries, want 3: %v", len(items), items)
	}
	moved := items[1].(map[string]any)
	if moved["before"].(map[string]any)["scope"] != "32.73.01.1001" || moved["after"].(map[string]any)["scope"] != "32.73.01.1002" ||
		moved["actorRole"] != "regional-admin" || !strings.Contains(moved["decision"].(string), "grant:manage") {
		t.Fatalf("the move is not recorded with before, after, role and decision: %v", moved)
	}
	// The first entry of a region records the policy it was served under.
	first := admin.do("GET", "/api/audit?limit=1", nil).body["items"].([]any)[0].(map[string]any)
	if first["action"] != "region:configure" || first["objectType"] != "policy" {
		t.Errorf("first entry %v, want the policy set", first)
	}

	// Auditors only: residents and strangers do not read the full log.
	expect(t, "anonymous reads the full log", w.client("bandung").do("GET", "/api/audit", nil), http.StatusUnauthorized)
	expect(t, "resident reads the full log", w.client("bandung").mustSignIn("warga").do("GET", "/api/audit", nil), http.StatusForbidden)
	expect(t, "anonymous reads public decisions", w.client("bandung").do("GET", "/api/audit/public", nil), http.StatusOK)

	r = admin.do("GET", "/api/audit/verify", nil)
	if r.status != http.StatusOK || r.body["ok"] != true {
		t.Fatalf("verify before tampering: %v", r.body)
	}
	// Someone with database access rewrites history.
	tn, _ := w.reg.Get("bandung")
	db, release, err := tn.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(context.Background(), `UPDATE audit_log SET after_json = '{"scope":"32.73"}' WHERE seq = ?`, moved["seq"])
	release()
	if err != nil {
		t.Fatal(err)
	}
	r = admin.do("GET", "/api/audit/verify", nil)
	if r.body["ok"] != false || r.body["firstBroken"] != moved["seq"] {
		t.Fatalf("verify after tampering with entry %v: %v", moved["seq"], r.body)
	}
}
