package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"slices"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
)

// The set-up the web tests share: a region's database lent to the test, and
// a client's requests as the application receives them.

// bandungPeople are the people of Kota Bandung the tests seed by name
// (people), by the role they hold and where. Of the companies, ptkereta
// registers through the API, pt-sehat is an approved partner working in
// health only, pt-dua one in education too late to claim.
var bandungPeople = []bandungRole{
	{[2]string{"regional-admin", "32.73"}, []string{"admin"}},
	{[2]string{"resident", "32.73"}, []string{"warga", "siti", "budi"}},
	{[2]string{"institution-rw", "32.73.01.1001/rw-02"}, []string{"rw02"}},
	{[2]string{"institution-pkk", "32.73.01.1001/pkk"}, []string{"pkk"}},
	{[2]string{"ward-office", "32.73.01.1001"}, []string{"lurah"}},       // Sukarasa
	{[2]string{"ward-office", "32.73.01.1002"}, []string{"lurah-geger"}}, // Gegerkalong
	{[2]string{"kecamatan-office", "32.73.01"}, []string{"camat"}},
	{[2]string{"regional-secretariat", "32.73"}, []string{"setda", "sekda"}},
	{[2]string{"internal-supervisor", "32.73"}, []string{"inspektorat"}},
	{[2]string{"ombudsman", "32.73"}, []string{"ombudsman"}},
	{[2]string{"csr-forum-secretariat", "32.73"}, []string{"sekretariat"}},
	{[2]string{"sector-agency", "32.73"}, []string{"dinas"}},
	{[2]string{"company", "32.73"}, []string{"ptkereta", "pt-sehat", "pt-dua", "pt-lalai", "pt-rajin", "pt-lain"}},
	{[2]string{}, []string{"kampus"}}, // a university with no role yet: the forum's approval grants it
}

// bandungRole is a role held at a scope, none when empty, and who holds it.
type bandungRole struct {
	grant [2]string
	names []string
}

// people seeds each of the usernames in Bandung, in order, with its role
// of bandungPeople.
func (w *world) people(usernames ...string) {
	w.t.Helper()
	for _, u := range usernames {
		i := slices.IndexFunc(bandungPeople, func(p bandungRole) bool { return slices.Contains(p.names, u) })
		switch {
		case i < 0:
			w.t.Fatalf("%s is none of Bandung's people", u)
		case bandungPeople[i].grant == [2]string{}:
			w.seed("bandung", u)
		default:
			w.seed("bandung", u, bandungPeople[i].grant)
		}
	}
}

// signedIn signs each of the usernames in to Bandung, as clients in the
// order given.
func (w *world) signedIn(usernames ...string) []*client {
	w.t.Helper()
	cs := make([]*client, len(usernames))
	for i, u := range usernames {
		cs[i] = w.client("bandung").mustSignIn(u)
	}
	return cs
}

// badInput is a body a step refuses on field: a good body with change,
// where a nil value leaves its key out.
type badInput struct {
	name   string
	change map[string]any
	field  string
}

// refusesEach posts each bad input to path as each of the clients: every
// one must be refused with 400 on its field.
func refusesEach(t *testing.T, path string, good map[string]any, cases []badInput, as ...*client) {
	t.Helper()
	for _, tt := range cases {
		for _, c := range as {
			r := c.do("POST", path, edited(good, tt.change))
			if r.status != http.StatusBadRequest || r.errField() != tt.field {
				t.Errorf("%s: %d %v, want 400 on %s", tt.name, r.status, r.body, tt.field)
			}
		}
	}
}

// edited is a copy of body with change: a nil value leaves its key out.
func edited(body, change map[string]any) map[string]any {
	m := maps.Clone(body)
	for k, v := range change {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// onBothDatabases runs a test in a world on each database a region is
// served from: SQLite, as in the embedded mode, and PostgreSQL, as in a
// cluster.
func onBothDatabases(t *testing.T, test func(t *testing.T, w *world)) {
	for _, d := range []store.Driver{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { test(t, newWorldOn(t, d)) })
	}
}

// inParallel makes n calls of do at once and returns their answers, in
// order.
func inParallel(n int, do func(i int) response) []response {
	out := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = do(i) }()
	}
	wg.Wait()
	return out
}

// count counts the rows of a table of Bandung's database.
func (w *world) count(table string) int64 {
	w.t.Helper()
	_, db := lend(w.t, w.reg, "bandung")
	n, err := db.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// accountID is the id of the account of username in the region.
func (w *world) accountID(region, username string) int64 {
	w.t.Helper()
	_, db := lend(w.t, w.reg, region)
	a, err := authz.AccountByUsername(context.Background(), db, username)
	if err != nil {
		w.t.Fatal(err)
	}
	return a.ID
}

// storedPartner stores a partner of Bandung directly, acting through the
// account of username (approved now when it is approved), and returns its id.
func (w *world) storedPartner(username string, p partnership.Partner) int64 {
	w.t.Helper()
	p.AccountID = w.accountID("bandung", username)
	if p.State == partnership.PartnerApproved {
		approved := w.now
		p.ApprovedAt = &approved
	}
	_, db := lend(w.t, w.reg, "bandung")
	must(w.t, store.InsertPartner(context.Background(), db, &p))
	return p.ID
}

// must fails the test at once on an error of its set-up.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// lend lends the test a region's database until the test ends.
func lend(t *testing.T, reg *tenancy.Registry, region string) (*tenancy.Tenant, *bun.DB) {
	t.Helper()
	tn, err := reg.Get(region)
	if err != nil {
		t.Fatal(err)
	}
	db, release, err := tn.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return tn, db
}

// regionDB lends a test a region's database until release is called.
func (w *world) regionDB(region string) (*bun.DB, *partnership.Region, func()) {
	w.t.Helper()
	tn, err := w.reg.Get(region)
	if err != nil {
		w.t.Fatal(err)
	}
	db, release, err := tn.Acquire(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return db, tn.Region, release
}

// formPart is a file of a multipart form: its field, its name and its
// content type.
type formPart struct {
	field, name, contentType string
	data                     []byte
}

// multipartForm posts fields and files as a multipart form, as a browser
// sends one, and returns the JSON answer.
func (c *client) multipartForm(path string, fields map[string][]string, files []formPart) response {
	c.w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.name))
		h.Set("Content-Type", f.contentType)
		part, err := mw.CreatePart(h)
		if err != nil {
			c.w.t.Fatal(err)
		}
		part.Write(f.data)
	}
	mw.Close()
	status, header, raw := c.request("POST", path, mw.FormDataContentType(), &body)
	r := response{status: status, header: header}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		c.w.t.Fatalf("POST %s: not JSON: %.200s", path, raw)
	}
	return r
}

// request makes a request of the client's region with its credentials and
// a body of the content type, and returns the raw answer.
func (c *client) request(method, path, contentType string, body io.Reader) (int, http.Header, []byte) {
	c.w.t.Helper()
	req := httptest.NewRequest(method, "/r/"+c.region+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, raw := c.send(req)
	return resp.StatusCode, resp.Header, raw
}

// send sends a request with the client's credentials and returns the raw answer.
func (c *client) send(req *http.Request) (*http.Response, []byte) {
	c.w.t.Helper()
	req.RemoteAddr = c.ip + ":1234"
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
	}
	if c.csrf != "" {
		req.Header.Set(csrfHeader, c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.w.app.Test(req, 10_000)
	if err != nil {
		c.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}
