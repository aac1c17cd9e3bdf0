package web

import (
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/apiserver/web/i18n"
)

// visitor is a browser without a browser: it keeps cookies across requests
// to one application and sends forms as a browser does.
type visitor struct {
	t   *testing.T
	app *fiber.App
	jar *cookiejar.Jar
}

func newVisitor(t *testing.T, reg *tenancy.Registry, demo bool) *visitor {
	app := New(Options{Registry: reg, PathRegions: true, InsecureCookies: true, Demo: demo, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, app: app, jar: jar}
}

// do sends a request and returns the status, the Location and the body.
func (v *visitor) do(method, path string, form url.Values, header ...string) (int, string, string) {
	v.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://pilar.test"+path, body)
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range v.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := v.app.Test(req, 10_000)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	v.jar.SetCookies(req.URL, resp.Cookies())
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func (v *visitor) get(path string) (int, string) {
	v.t.Helper()
	status, _, body := v.do(http.MethodGet, path, nil)
	return status, body
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// post sends a form with the CSRF token of the page it was on.
func (v *visitor) post(page, path string, form url.Values) (int, string, string) {
	v.t.Helper()
	_, body := v.get(page)
	if m := csrfInput.FindStringSubmatch(body); m != nil {
		form.Set("_csrf", m[1])
	}
	return v.do(http.MethodPost, path, form)
}

var (
	tagPattern = regexp.MustCompile(`(?s)<[^>]*>`)
	// keyPattern finds a message key printed instead of its text.
	keyPattern = regexp.MustCompile(`\b(nav|home|state|role|flash|error|field|hint|work|dashboard|musrenbang|audit|object|decision|decided|kind|level|phase|attendance|demo|form|grants|mine|complaint|aspiration|layout|month|format|forum|evaluations|awards|sanctions)\.[a-zA-Z]`)
)

// checkText fails when a page shows a message key or a formatting error
// instead of a text.
func checkText(t *testing.T, name, body string) {
	t.Helper()
	text := tagPattern.ReplaceAllString(body, " ")
	if m := keyPattern.FindString(text); m != "" {
		i := strings.Index(text, m)
		t.Errorf("%s shows a message key: %q", name, text[max(0, i-40):min(len(text), i+60)])
	}
	if strings.Contains(text, "%!") {
		t.Errorf("%s shows a formatting error", name)
	}
}

// Every page renders in every language of each region, with the language in
// its lang attribute and no message key or formatting error showing.
func TestPagesRenderInEveryLanguage(t *testing.T) {
	reg := testApp(t)
	for _, tn := range reg.All() {
		for _, lang := range tn.Region.Languages {
			v := newVisitor(t, reg, true)
			base := "/r/" + tn.Region.Slug
			ward := tn.Region.Kecamatan[0].Wards[0].Code
			pages := []string{"/?lang=" + lang, "/signin", "/register", "/demo", "/complaints/new", "/complaints/new?ward=" + ward,
				"/complaints/track", "/complaints/track?code=AAAAA-BBBBB-CCCCC-DDDDD", "/complaints/filed", "/musrenbang", "/dashboard"}
			if tn.Region.Runs(partnership.FourPillar) {
				pages = append(pages, "/partners", "/forum", "/evaluations", "/awards", "/awards?cycle=2000", "/sanctions")
			}
			for _, p := range pages {
				status, body := v.get(base + p)
				if status != 200 && !(strings.Contains(p, "code=") && status == 404) {
					t.Errorf("%s %s %s: %d", tn.Region.Slug, lang, p, status)
					continue
				}
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s %s: not in %s", tn.Region.Slug, lang, p, lang)
				}
				checkText(t, tn.Region.Slug+" "+lang+" "+p, body)
			}
			// Signed in, every role's queue renders too.
			for _, d := range demoRoles(tn.Region) {
				if status, loc, _ := v.post(base+"/demo", base+"/demo", url.Values{"role": {string(d.Role)}}); status != http.StatusSeeOther {
					t.Fatalf("demo sign-in as %s: %d %s", d.Role, status, loc)
				}
				for _, p := range []string{"/work", "/mine", "/aspirations/new?ward=" + ward, "/admin/grants", "/admin/audit"} {
					status, body := v.get(base + p)
					if status == http.StatusForbidden {
						continue
					}
					if status != 200 {
						t.Errorf("%s %s as %s %s: %d", tn.Region.Slug, lang, d.Role, p, status)
						continue
					}
					checkText(t, tn.Region.Slug+" "+lang+" "+string(d.Role)+" "+p, body)
				}
			}
		}
	}
}

// The language comes from ?lang=, then the cookie it leaves, then
// Accept-Language, among the region's languages only.
func TestPageLanguageChoice(t *testing.T) {
	reg := testApp(t)
	v := newVisitor(t, reg, false)
	langOf := func(path string, header ...string) string {
		_, _, body := v.do(http.MethodGet, path, nil, header...)
		m := regexp.MustCompile(`<html lang="([^"]+)">`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no lang attribute", path)
		}
		return m[1]
	}
	if got := langOf("/r/bandung/"); got != "id" {
		t.Errorf("by default: %s", got)
	}
	if got := langOf("/r/bandung/", "Accept-Language", "en-GB,en;q=0.8"); got != "en" {
		t.Errorf("Accept-Language en: %s", got)
	}
	if got := langOf("/r/bandung/?lang=su"); got != "su" {
		t.Errorf("?lang=su: %s", got)
	}
	if got := langOf("/r/bandung/dashboard", "Accept-Language", "en"); got != "su" {
		t.Errorf("the cookie left by ?lang= wins over Accept-Language: %s", got)
	}
	if got := langOf("/r/sumedang/", "Accept-Language", "su"); got != "id" {
		t.Errorf("Sumedang offers no Sundanese: %s", got)
	}
}

// A refused form keeps what was typed, says why beside the field and in an
// alert, and changes nothing; an accepted one redirects.
func TestRefusedFormChangesNothing(t *testing.T) {
	reg := testApp(t)
	v := newVisitor(t, reg, true)
	if status, _, _ := v.post("/r/bandung/demo", "/r/bandung/demo", url.Values{"role": {"resident"}}); status != http.StatusSeeOther {
		t.Fatalf("demo sign-in: %d", status)
	}
	form := url.Values{"ward": {"32.73.01.1001"}, "institution": {"32.73.01.1001/rw-01"}, "title": {""}, "body": {"Lampu jalan & <taman> bermain"}}
	status, _, body := v.post("/r/bandung/aspirations/new?ward=32.73.01.1001", "/r/bandung/aspirations/new", form)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a refused form: %d", status)
	}
	for _, want := range []string{`role="alert"`, `id="f-title" name="title" required aria-required="true" aria-invalid="true" aria-describedby="f-title-err f-title-hint"`,
		`<p class="error-text" id="f-title-err">Wajib diisi.</p>`, `Lampu jalan &amp; &lt;taman&gt; bermain</textarea>`, `<option value="32.73.01.1001/rw-01" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %s", want)
		}
	}
	tn, _ := reg.Get("bandung")
	db, release, err := tn.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	as, err := store.ListAspirations(context.Background(), db, store.AspirationFilter{Limit: 10})
	if err != nil || len(as) != 0 {
		t.Fatalf("a refused form stored %d aspirations (%v)", len(as), err)
	}
	form.Set("title", "Taman bermain")
	status, loc, _ := v.post("/r/bandung/aspirations/new?ward=32.73.01.1001", "/r/bandung/aspirations/new", form)
	if status != http.StatusSeeOther || loc != "/r/bandung/mine" {
		t.Fatalf("an accepted form: %d %s", status, loc)
	}
	_, body = v.get("/r/bandung/mine")
	if !strings.Contains(body, "Aspirasi Anda sudah terkirim.") || !strings.Contains(body, "Taman bermain") {
		t.Error("my submissions do not show the flash message and the aspiration")
	}
	// The flash shows once.
	if _, body = v.get("/r/bandung/mine"); strings.Contains(body, "Aspirasi Anda sudah terkirim.") {
		t.Error("the flash message shows twice")
	}
	// Without its CSRF token a signed-in form is refused.
	form.Del("_csrf")
	if status, _, _ := v.do(http.MethodPost, "/r/bandung/aspirations/new", form); status != http.StatusForbidden {
		t.Errorf("a form without its CSRF token: %d", status)
	}
}

// The demo sign-in exists only when the server is told it runs in the
// embedded mode, and its routes are documented apart.
func TestDemoSignInOnlyInEmbeddedMode(t *testing.T) {
	reg := testApp(t)
	if status, _ := newVisitor(t, reg, false).get("/r/bandung/demo"); status != http.StatusNotFound {
		t.Errorf("without Demo, /demo answers %d", status)
	}
	if status, _, _ := newVisitor(t, reg, false).do(http.MethodPost, "/r/bandung/demo", url.Values{"role": {"regional-admin"}}); status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		t.Errorf("without Demo, POST /demo answers %d", status)
	}
	app := New(Options{Registry: reg, PathRegions: true, Demo: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	served := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		served[r.Method+" "+r.Path] = true
	}
	for _, op := range demoOperations {
		if !served[op.Method+" "+op.Path] {
			t.Errorf("%s %s is documented but not served with Demo", op.Method, op.Path)
		}
	}
	v := newVisitor(t, reg, true)
	if status, loc, _ := v.post("/r/bandung/demo", "/r/bandung/demo", url.Values{"role": {"ward-office"}}); status != http.StatusSeeOther || loc != "/r/bandung/work" {
		t.Fatalf("demo sign-in: %d %s", status, loc)
	}
	if _, body := v.get("/r/bandung/work"); !strings.Contains(body, "Sukarasa") || !strings.Contains(body, "Jadwalkan Musrenbang") {
		t.Error("the demo lurah's queue is not the ward's")
	}
	if status, _, _ := v.post("/r/bandung/demo", "/r/bandung/demo", url.Values{"role": {"national-admin"}}); status != http.StatusBadRequest {
		t.Errorf("a role that is not a demo role: %d", status)
	}
}

// Pages go out compressed, each well within a slow phone's budget; errors on
// pages are pages, on the API JSON.
func TestPagesAreCompressedAndErrorsArePages(t *testing.T) {
	reg := testApp(t)
	v := newVisitor(t, reg, false)
	req := httptest.NewRequest(http.MethodGet, "/r/bandung/dashboard", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := v.app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	compressed, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("the dashboard is not compressed: %v", resp.Header)
	}
	if len(compressed) > 30*1024 {
		t.Errorf("the dashboard's HTML alone is %d bytes compressed", len(compressed))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(compressed)))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(zr)
	if !strings.Contains(string(html), "<svg") {
		t.Error("the dashboard draws no chart")
	}
	if status, body := v.get("/r/bandung/musrenbang/999"); status != http.StatusNotFound || !strings.Contains(body, "Halaman tidak ditemukan") {
		t.Errorf("a missing Musrenbang: %d %.200s", status, body)
	}
	if status, loc, _ := v.do(http.MethodGet, "/r/bandung/work", nil); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/r/bandung/signin?next=") {
		t.Errorf("the work queue signed out: %d %s", status, loc)
	}
	status, _, body := v.do(http.MethodGet, "/r/bandung/api/proposals/999", nil, "Accept", "application/json")
	if status != http.StatusNotFound || !strings.Contains(body, `"not_found"`) {
		t.Errorf("the API's errors stay JSON: %d %s", status, body)
	}
	status, _, body = v.do(http.MethodGet, "/r/bandung/static/pilar.css?v="+staticHashes["pilar.css"], nil)
	if status != 200 || !strings.Contains(body, "focus-visible") {
		t.Errorf("the stylesheet: %d", status)
	}
}

// The catalogs the pages use are the shipped ones: the web's own check that
// the dynamic keys it builds exist in Indonesian.
func TestDynamicKeysExist(t *testing.T) {
	l := catalogs.For(i18n.Default, nil)
	var missing []string
	check := func(k string) {
		if !l.Has(k) {
			missing = append(missing, k)
		}
	}
	reg := testApp(t)
	for _, tn := range reg.All() {
		for _, d := range demoRoles(tn.Region) {
			check("role." + string(d.Role))
			check("demo.role." + string(d.Role))
		}
	}
	for _, p := range publicDecisions {
		check("audit.action." + p)
	}
	if len(missing) > 0 {
		t.Errorf("keys missing from the catalog: %v", missing)
	}
}

// The forum secretariat decides sanctions from its queue: a dismissal without
// its reason is refused beside the field and changes nothing; with one, the
// sanction is dismissed and the public page shows it.
func TestSanctionFormRefusesWithoutReason(t *testing.T) {
	reg := testApp(t)
	ctx := context.Background()
	v := newVisitor(t, reg, true)
	// The demo company's sign-in gives it an approved partner.
	if status, _, _ := v.post("/r/bandung/demo", "/r/bandung/demo", url.Values{"role": {"company"}}); status != http.StatusSeeOther {
		t.Fatalf("demo sign-in: %d", status)
	}
	tn, _ := reg.Get("bandung")
	db, release, err := tn.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ps, err := store.ListPartners(ctx, db, store.PartnerFilter{State: partnership.PartnerApproved})
	if err != nil || len(ps) == 0 {
		t.Fatalf("no approved partner (%v)", err)
	}
	s := &partnership.Sanction{PartnerID: ps[0].ID, Step: "written-warning", Reason: "Rencana CSR tidak diserahkan", State: partnership.SanctionRecommended,
		RecommendedBy: partnership.SystemActor, RecommendedAt: time.Now()}
	if err := store.InsertSanction(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	if _, body := v.get("/r/bandung/work"); !strings.Contains(body, "Rencana CSR tidak diserahkan") {
		t.Error("the partner's queue does not show its sanction")
	}
	if status, _, _ := v.post("/r/bandung/demo", "/r/bandung/demo", url.Values{"role": {"csr-forum-secretariat"}}); status != http.StatusSeeOther {
		t.Fatalf("demo sign-in: %d", status)
	}
	id := strconv.FormatInt(s.ID, 10)
	status, _, body := v.post("/r/bandung/work", "/r/bandung/work/sanctions/"+id+"/dismiss", url.Values{"reason": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-dismiss-`+id+`-reason-err"`) {
		t.Fatalf("a dismissal without a reason: %d", status)
	}
	if got, err := store.GetSanction(ctx, db, s.ID); err != nil || got.State != partnership.SanctionRecommended {
		t.Fatalf("a refused form changed the sanction: %v %v", got, err)
	}
	status, loc, _ := v.post("/r/bandung/work", "/r/bandung/work/sanctions/"+id+"/dismiss", url.Values{"reason": {"Rencana sudah diserahkan"}})
	if status != http.StatusSeeOther || loc != "/r/bandung/work" {
		t.Fatalf("an accepted dismissal: %d %s", status, loc)
	}
	if got, err := store.GetSanction(ctx, db, s.ID); err != nil || got.State != partnership.SanctionDismissed {
		t.Fatalf("the sanction was not dismissed: %v %v", got, err)
	}
	if _, body := v.get("/r/bandung/sanctions"); !strings.Contains(body, "Rencana sudah diserahkan") || !strings.Contains(body, "dibatalkan") {
		t.Error("the public page does not show the dismissal")
	}
	// A forum meeting's page, with its attendance, in every language.
	m := &partnership.ForumMeeting{Year: 2026, Quarter: 1, ScheduledAt: time.Now(), Place: "Balai Kota", State: partnership.ForumHeld,
		Attendance: map[partnership.Stakeholder]int{partnership.StakeholderGovernment: 3, partnership.StakeholderCommunity: 5}}
	if err := store.InsertForumMeeting(ctx, db, m); err != nil {
		t.Fatal(err)
	}
	for _, lang := range tn.Region.Languages {
		status, body := v.get("/r/bandung/forum/" + strconv.FormatInt(m.ID, 10) + "?lang=" + lang)
		if status != 200 || !strings.Contains(body, "Balai Kota") {
			t.Errorf("the forum meeting in %s: %d", lang, status)
		}
		checkText(t, "forum meeting "+lang, body)
	}
}
