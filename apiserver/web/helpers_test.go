package web

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/tenancy"
)

// The set-up the web tests share: a region's database lent to the test, and
// a client's requests as the application receives them.

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
