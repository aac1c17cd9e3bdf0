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
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/i18n"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/policies"
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

// refuse posts a form of Bandung's work queue (at path beneath /work) that
// the page must refuse: 422, the queue again showing each of wants. It
// returns the page.
func (v *visitor) refuse(path string, form url.Values, wants ...string) string {
	v.t.Helper()
	status, _, body := v.post("/r/bandung/work", "/r/bandung/work"+path, form)
	if status != http.StatusUnprocessableEntity {
		v.t.Fatalf("the refused form of %s: %d", path, status)
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			v.t.Fatalf("the refused form of %s lacks %s", path, w)
		}
	}
	return body
}

// accept posts a form of Bandung's work queue that the page must accept:
// a redirect back to the queue.
func (v *visitor) accept(path string, form url.Values) {
	v.t.Helper()
	if status, loc, _ := v.post("/r/bandung/work", "/r/bandung/work"+path, form); status != http.StatusSeeOther || loc != "/r/bandung/work" {
		v.t.Fatalf("the accepted form of %s: %d %s", path, status, loc)
	}
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
	_, db := lend(t, reg, "bandung")
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
	ctx, tn, db, v := bandungPortal(t)
	s := &partnership.Sanction{PartnerID: demoPartner(t, v, ctx, db).ID, Step: "written-warning", Reason: "Rencana CSR tidak diserahkan", State: partnership.SanctionRecommended,
		RecommendedBy: partnership.SystemActor, RecommendedAt: time.Now()}
	must(t, store.InsertSanction(ctx, db, s))
	if _, body := v.get("/r/bandung/work"); !strings.Contains(body, "Rencana CSR tidak diserahkan") {
		t.Error("the partner's queue does not show its sanction")
	}
	signInAs(t, v, policies.CSRForumSecretariat)
	id := strconv.FormatInt(s.ID, 10)
	v.refuse("/sanctions/"+id+"/dismiss", url.Values{"reason": {""}}, `id="f-dismiss-`+id+`-reason-err"`)
	if got, err := store.GetSanction(ctx, db, s.ID); err != nil || got.State != partnership.SanctionRecommended {
		t.Fatalf("a refused form changed the sanction: %v %v", got, err)
	}
	v.accept("/sanctions/"+id+"/dismiss", url.Values{"reason": {"Rencana sudah diserahkan"}})
	if got, err := store.GetSanction(ctx, db, s.ID); err != nil || got.State != partnership.SanctionDismissed {
		t.Fatalf("the sanction was not dismissed: %v %v", got, err)
	}
	if _, body := v.get("/r/bandung/sanctions"); !strings.Contains(body, "Rencana sudah diserahkan") || !strings.Contains(body, "dibatalkan") {
		t.Error("the public page does not show the dismissal")
	}
	// A forum meeting's page, with its attendance, in every language.
	m := &partnership.ForumMeeting{Year: 2026, Quarter: 1, ScheduledAt: time.Now(), Place: "Balai Kota", State: partnership.ForumHeld,
		Attendance: map[partnership.Stakeholder]int{partnership.StakeholderGovernment: 3, partnership.StakeholderCommunity: 5}}
	must(t, store.InsertForumMeeting(ctx, db, m))
	for _, lang := range tn.Region.Languages {
		status, body := v.get("/r/bandung/forum/" + strconv.FormatInt(m.ID, 10) + "?lang=" + lang)
		if status != 200 || !strings.Contains(body, "Balai Kota") {
			t.Errorf("the forum meeting in %s: %d", lang, status)
		}
		checkText(t, "forum meeting "+lang, body)
	}
}

// audited fails unless the audit log holds an entry of the action on the object.
func audited(t *testing.T, db bun.IDB, action, objectType string, id int64) {
	t.Helper()
	es, err := audit.List(context.Background(), db, audit.Filter{Action: action, ObjectType: objectType, ObjectID: strconv.FormatInt(id, 10), Limit: 10})
	if err != nil || len(es) == 0 {
		t.Errorf("no audit entry %s on %s %d (%v)", action, objectType, id, err)
	}
}

// queueRendersInEveryLanguage checks the work queue in each of the region's
// languages: no message key shows, and the texts asked for do.
func queueRendersInEveryLanguage(t *testing.T, v *visitor, tn *tenancy.Tenant, want ...string) {
	t.Helper()
	for _, lang := range tn.Region.Languages {
		status, body := v.get("/r/" + tn.Region.Slug + "/work?lang=" + lang)
		if status != 200 {
			t.Errorf("the work queue in %s: %d", lang, status)
			continue
		}
		checkText(t, "work "+lang, body)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("the work queue in %s lacks %q", lang, w)
			}
		}
	}
	v.get("/r/" + tn.Region.Slug + "/work?lang=id")
}

// The forum secretariat runs the forum from its queue: schedules a meeting,
// holds it, reviews a registration onto its agenda and decides it there,
// aligns a plan and decides it, and closes the meeting. Each refused form
// answers 422 with the reason beside the field and changes nothing.
func TestForumSecretariatQueueForms(t *testing.T) {
	ctx, tn, db, v := bandungPortal(t)
	r := tn.Region
	// The demo company's approved partner submits a plan; another company registers.
	plan := educationPlan(t, ctx, db, r, demoPartner(t, v, ctx, db), "")
	now := time.Now()
	p, err := r.RegisterPartner(partnership.PartnerInput{Kind: partnership.PartnerCompany, Name: "PT Kopi Priangan", Areas: []string{"education"}}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	must(t, store.InsertPartner(ctx, db, p))
	signInAs(t, v, policies.CSRForumSecretariat)
	meetings := func() []*partnership.ForumMeeting {
		ms, err := store.ListForumMeetings(ctx, db, store.ForumFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}

	// Scheduling without a place is refused beside the field; with one, done.
	local := now.In(r.Location)
	when := local.Add(time.Hour)
	if (int(when.Month())-1)/3 != (int(local.Month())-1)/3 {
		when = local // the quarter ends within the hour
	}
	form := url.Values{"year": {strconv.Itoa(local.Year())}, "quarter": {strconv.Itoa((int(when.Month())-1)/3 + 1)}, "scheduledAt": {when.Format("2006-01-02T15:04")}, "place": {""}}
	v.refuse("/forum", form, `id="f-forum-place-err"`, `value="`+form.Get("scheduledAt")+`"`)
	if n := len(meetings()); n != 0 {
		t.Fatalf("a refused form scheduled %d meetings", n)
	}
	form.Set("place", "Balai Kota Bandung")
	v.accept("/forum", form)
	ms := meetings()
	if len(ms) != 1 || ms[0].State != partnership.ForumScheduled {
		t.Fatalf("the meeting was not scheduled: %v", ms)
	}
	m := ms[0]
	mid := strconv.FormatInt(m.ID, 10)
	audited(t, db, string(policies.ForumMeet), "forum-meeting", m.ID)
	queueRendersInEveryLanguage(t, v, tn, "Balai Kota Bandung", "PT Kopi Priangan", "Beasiswa anak putus sekolah", `name="attendance.government"`)

	// Holding it with attendance by pillar.
	v.accept("/forum/"+mid+"/hold", url.Values{"attendance.government": {"3"}, "attendance.company": {"2"}})
	if got, _ := store.GetForumMeeting(ctx, db, m.ID); got.State != partnership.ForumHeld || got.Attendance[partnership.StakeholderCompany] != 2 {
		t.Fatalf("the meeting was not held: %+v", got)
	}

	// Reviewing the registration onto its agenda.
	pid := strconv.FormatInt(p.ID, 10)
	review := url.Values{"meeting": {mid}, "notes": {""}}
	for _, item := range partnership.PartnerChecklist {
		review.Set("checklist."+item.Key, "on")
	}
	review.Del("checklist.voluntary")
	v.refuse("/partners/"+pid+"/review", review, `id="f-review-`+pid+`-notes-err"`)
	if got, _ := store.GetPartner(ctx, db, p.ID); got.State != partnership.PartnerRegistered {
		t.Fatalf("a refused review changed the registration: %s", got.State)
	}
	review.Set("checklist.voluntary", "on")
	v.accept("/partners/"+pid+"/review", review)
	audited(t, db, string(policies.PartnerReview), "partner", p.ID)

	// Deciding it: a rejection needs a reason; approval it gets.
	v.refuse("/partners/"+pid+"/decide", url.Values{"meeting": {mid}, "decision": {"reject"}, "reason": {""}}, `id="f-pdecide-`+pid+`-reason-err"`)
	if got, _ := store.GetPartner(ctx, db, p.ID); got.State != partnership.PartnerReviewed {
		t.Fatalf("a refused decision changed the registration: %s", got.State)
	}
	v.accept("/partners/"+pid+"/decide", url.Values{"meeting": {mid}, "decision": {"approve"}})
	if got, _ := store.GetPartner(ctx, db, p.ID); got.State != partnership.PartnerApproved {
		t.Fatalf("the registration was not approved: %s", got.State)
	}
	audited(t, db, string(policies.PartnerDecide), "partner", p.ID)

	// Aligning the plan: a target outside the area is refused beside it.
	lid := strconv.FormatInt(plan.ID, 10)
	align := url.Values{"activities.0.alignment": {"aligned"}, "activities.0.area": {"education"}, "activities.0.target": {"immunisation"}}
	v.refuse("/plans/"+lid+"/align", align, `id="f-align-`+lid+`-activities.0.target-err"`)
	if got, _ := store.GetPlan(ctx, db, plan.ID); got.State != partnership.PlanSubmitted {
		t.Fatalf("a refused alignment changed the plan: %s", got.State)
	}
	align.Set("activities.0.target", "out-of-school-mentoring")
	v.accept("/plans/"+lid+"/align", align)
	if got, _ := store.GetPlan(ctx, db, plan.ID); got.State != partnership.PlanAligned || got.Activities[0].AlignedTarget != "out-of-school-mentoring" {
		t.Fatalf("the plan was not aligned: %+v", got)
	}
	audited(t, db, string(policies.CSRPlanAlign), "csr-plan", plan.ID)
	queueRendersInEveryLanguage(t, v, tn, `action="/r/bandung/work/plans/`+lid+`/decide"`, `action="/r/bandung/work/forum/`+mid+`/close"`)

	// Deciding the plan: revision needs a reason.
	v.refuse("/plans/"+lid+"/decide", url.Values{"meeting": {mid}, "decision": {"revise"}}, `id="f-plandecide-`+lid+`-reason-err"`)
	v.accept("/plans/"+lid+"/decide", url.Values{"meeting": {mid}, "decision": {"approve"}})
	if got, _ := store.GetPlan(ctx, db, plan.ID); got.State != partnership.PlanApproved {
		t.Fatalf("the plan was not approved: %s", got.State)
	}
	audited(t, db, string(policies.CSRPlanApprove), "csr-plan", plan.ID)

	// Closing the meeting needs its minutes.
	v.refuse("/forum/"+mid+"/close", url.Values{"minutes": {""}}, `id="f-fclose-`+mid+`-minutes-err"`)
	if got, _ := store.GetForumMeeting(ctx, db, m.ID); got.State != partnership.ForumHeld {
		t.Fatalf("a refused close changed the meeting: %s", got.State)
	}
	v.accept("/forum/"+mid+"/close", url.Values{"minutes": {"Forum menyetujui PT Kopi Priangan dan rencana CSR."}})
	if got, _ := store.GetForumMeeting(ctx, db, m.ID); got.State != partnership.ForumClosed {
		t.Fatalf("the meeting was not closed: %s", got.State)
	}
}

// A partner submits its annual plan and reports a realisation from its
// queue: empty activity rows are ignored, a refusal is shown beside the row
// it concerns, and a refused form changes nothing.
func TestPartnerQueueForms(t *testing.T) {
	ctx, tn, db, v := bandungPortal(t)
	r := tn.Region
	partner := demoPartner(t, v, ctx, db)
	today := time.Now().In(r.Location)
	prog := &partnership.Programme{Source: "plan", PartnerID: partner.ID, Area: "education", WardCode: r.Kecamatan[0].Wards[0].Code,
		Title: "Beasiswa anak putus sekolah", FiscalYear: today.Year(), State: partnership.ProgrammeActive, CreatedAt: time.Now()}
	must(t, store.InsertProgramme(ctx, db, prog))
	queueRendersInEveryLanguage(t, v, tn, `action="/r/bandung/work/plans"`, `action="/r/bandung/work/realisations"`, "Beasiswa anak putus sekolah")

	// The plan: row 0 empty, row 1 complete, row 2 without its goal.
	plan := url.Values{"fiscalYear": {strconv.Itoa(today.Year())}, "boardApprovedAt": {today.Format(time.DateOnly)}}
	for _, i := range []string{"1", "2"} {
		pre := "activities." + i + "."
		plan.Set(pre+"title", "Kegiatan "+i)
		plan.Set(pre+"location", r.Kecamatan[0].Code)
		plan.Set(pre+"area", "education")
		plan.Set(pre+"target", "Anak putus sekolah")
		plan.Set(pre+"goal", "Kembali bersekolah")
		plan.Set(pre+"financing", "10.000.000")
	}
	plan.Set("activities.2.goal", "")
	v.refuse("/plans", plan, `id="f-plan-activities.2.goal-err"`, `value="Kegiatan 2"`)
	if pls, _ := store.ListPlans(ctx, db, store.PlanFilter{}); len(pls) != 0 {
		t.Fatalf("a refused form stored %d plans", len(pls))
	}
	plan.Set("activities.2.goal", "Sekolah lebih nyaman")
	v.accept("/plans", plan)
	pls, err := store.ListPlans(ctx, db, store.PlanFilter{})
	if err != nil || len(pls) != 1 || len(pls[0].Activities) != 2 || pls[0].Activities[0].Financing != 10_000_000 {
		t.Fatalf("the plan was not stored with its two activities: %v %v", pls, err)
	}
	audited(t, db, string(policies.CSRPlanSubmit), "csr-plan", pls[0].ID)

	// The realisation: without its source of funds refused; with it, reported.
	rz := url.Values{"programme": {strconv.FormatInt(prog.ID, 10)}, "activityStart": {today.Format(time.DateOnly)}, "activityEnd": {today.Format(time.DateOnly)},
		"amount": {"5.000.000"}, "sourceOfFunds": {""}, "outputs": {"20 anak kembali bersekolah"}, "targetsReached": {"Anak putus sekolah di Sukarasa"}}
	v.refuse("/realisations", rz, `id="f-realisation-sourceOfFunds-err"`, "20 anak kembali bersekolah</textarea>")
	if rs, _ := store.ListRealisations(ctx, db, store.RealisationFilter{}); len(rs) != 0 {
		t.Fatalf("a refused form stored %d realisations", len(rs))
	}
	rz.Set("sourceOfFunds", "Dana CSR perusahaan")
	v.accept("/realisations", rz)
	rs, err := store.ListRealisations(ctx, db, store.RealisationFilter{})
	if err != nil || len(rs) != 1 || rs[0].Amount != 5_000_000 {
		t.Fatalf("the realisation was not stored: %v %v", rs, err)
	}
	audited(t, db, string(policies.RealisationSubmit), "realisation", rs[0].ID)
	queueRendersInEveryLanguage(t, v, tn, "20 anak kembali bersekolah")
}

// signInAs signs the visitor in with the demo account of a role.
func signInAs(t *testing.T, v *visitor, role policies.Role) {
	t.Helper()
	if status, _, _ := v.post("/r/bandung/demo", "/r/bandung/demo", url.Values{"role": {string(role)}}); status != http.StatusSeeOther {
		t.Fatalf("demo sign-in as %s: %d", role, status)
	}
}

// bandungPortal serves the demo regions, the demo sign-in too, to a test:
// Bandung's tenant and database lent to it, and a visitor.
func bandungPortal(t *testing.T) (context.Context, *tenancy.Tenant, *bun.DB, *visitor) {
	reg := testApp(t)
	tn, db := lend(t, reg, "bandung")
	return context.Background(), tn, db, newVisitor(t, reg, true)
}

// demoPartner signs the visitor in as the demo company, whose sign-in gives
// it an approved partner, and returns that partner.
func demoPartner(t *testing.T, v *visitor, ctx context.Context, db bun.IDB) *partnership.Partner {
	t.Helper()
	signInAs(t, v, policies.Company)
	ps, err := store.ListPartners(ctx, db, store.PartnerFilter{State: partnership.PartnerApproved})
	if err != nil || len(ps) == 0 {
		t.Fatalf("no approved partner (%v)", err)
	}
	return ps[0]
}

// educationPlan stores a plan of the partner submitted now, with one
// activity in education; sent back for revision when revision, its reason,
// is given.
func educationPlan(t *testing.T, ctx context.Context, db bun.IDB, r *partnership.Region, p *partnership.Partner, revision string) *partnership.CSRPlan {
	t.Helper()
	now := time.Now()
	plan, err := r.SubmitPlan(p, partnership.PlanInput{FiscalYear: now.In(r.Location).Year(), BoardApprovedAt: now.Add(-time.Minute),
		Activities: []partnership.ActivityInput{{Title: "Beasiswa anak putus sekolah", Location: r.Kecamatan[0].Code, Area: "education", Target: "Anak putus sekolah", Goal: "Kembali bersekolah", Financing: 50_000_000}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if revision != "" {
		plan.State, plan.Reason = partnership.PlanRevision, revision
	}
	must(t, store.InsertPlan(ctx, db, plan))
	return plan
}

// The lurah assesses a ward's participation phase from the queue: without a
// note refused beside it, with one recorded, audited and shown.
func TestWardParticipationForm(t *testing.T) {
	ctx, tn, db, v := bandungPortal(t)
	r := tn.Region
	signInAs(t, v, policies.WardOffice)
	ward := r.Kecamatan[0].Wards[0].Code
	year := time.Now().In(r.Location).Year()
	queueRendersInEveryLanguage(t, v, tn, `action="/r/bandung/work/participation"`, `<option value="collaborating"`)

	form := url.Values{"ward": {ward}, "fiscalYear": {strconv.Itoa(year)}, "phase": {"collaborating"}, "note": {"  "}}
	v.refuse("/participation", form, `id="f-phase-note-err"`, `<option value="collaborating" selected>`)
	if got, _ := store.LatestPhases(ctx, db, ward, year); len(got) != 0 {
		t.Fatalf("a refused form stored %d assessments", len(got))
	}
	form.Set("note", "LPM dan PKK merencanakan bersama warga.")
	v.accept("/participation", form)
	got, err := store.LatestPhases(ctx, db, ward, year)
	if err != nil || got[ward].Phase != partnership.PhaseCollaborating {
		t.Fatalf("the assessment was not stored: %v %v", got, err)
	}
	audited(t, db, string(policies.ParticipationAssess), "participation-phase", got[ward].ID)
	queueRendersInEveryLanguage(t, v, tn, "LPM dan PKK merencanakan bersama warga.")
}

// approvedProposal stores an approved activity of the demo RW institution,
// its cost committed against this year's allocation.
func approvedProposal(t *testing.T, ctx context.Context, db bun.IDB, r *partnership.Region, title string, cost partnership.Rupiah) *partnership.Proposal {
	t.Helper()
	var inst string
	for _, d := range demoRoles(r) {
		if d.Role == policies.InstitutionRW {
			inst = d.Scope
		}
	}
	in, _ := r.Institution(inst)
	typ, _ := r.InstitutionType(in.Type)
	year := time.Now().In(r.Location).Year()
	p, err := r.Proposal(partnership.ProposalInput{Institution: inst, FiscalYear: year, Activity: typ.Scope[0].Key, Title: title,
		Description: "Saluran air tersumbat.", Cost: cost, Beneficiaries: 240, Location: "Jl. Sukarasa RT 03", Kind: partnership.Infrastructure}, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.State = partnership.ProposalApproved
	must(t, store.InsertProposal(ctx, db, p))
	if _, err := store.Commit(ctx, db, inst, year, partnership.Rupiah(r.TwoPillar.AllocationPerInstitution), cost); err != nil {
		t.Fatal(err)
	}
	return p
}

// The institution changes the cost of its approved activity and cancels
// it from its queue; a refused form changes neither the activity nor the
// allocation.
func TestInstitutionExecutionForms(t *testing.T) {
	ctx, tn, db, v := bandungPortal(t)
	r := tn.Region
	signInAs(t, v, policies.InstitutionRW)
	p := approvedProposal(t, ctx, db, r, "Perbaikan saluran air", 30_000_000)
	id := strconv.FormatInt(p.ID, 10)
	year := time.Now().In(r.Location).Year()
	committed := func() partnership.Rupiah {
		a, err := store.GetAllocation(ctx, db, p.Institution, year, partnership.Rupiah(r.TwoPillar.AllocationPerInstitution))
		if err != nil {
			t.Fatal(err)
		}
		return a.Committed
	}
	queueRendersInEveryLanguage(t, v, tn, `action="/r/bandung/work/proposals/`+id+`/cost"`, `action="/r/bandung/work/proposals/`+id+`/cancel"`, `value="30000000"`)

	// A cost that is no amount is refused beside it, as typed.
	v.refuse("/proposals/"+id+"/cost", url.Values{"cost": {"tiga puluh juta"}}, `id="f-cost-`+id+`-cost-err"`, `value="tiga puluh juta"`)
	// One beyond the allocation is refused too.
	v.refuse("/proposals/"+id+"/cost", url.Values{"cost": {"150.000.000"}})
	if got, _ := store.GetProposal(ctx, db, p.ID); got.Cost != 30_000_000 || got.State != partnership.ProposalApproved || committed() != 30_000_000 {
		t.Fatalf("a refused cost changed the activity: %+v, committed %d", got, committed())
	}
	v.accept("/proposals/"+id+"/cost", url.Values{"cost": {"40.000.000"}})
	if got, _ := store.GetProposal(ctx, db, p.ID); got.Cost != 40_000_000 || got.State != partnership.ProposalFunded || committed() != 40_000_000 {
		t.Fatalf("the cost was not changed: %+v, committed %d", got, committed())
	}
	audited(t, db, string(policies.ProposalEdit), "proposal", p.ID)

	// Cancelling needs a reason.
	v.refuse("/proposals/"+id+"/cancel", url.Values{"reason": {""}}, `id="f-cancel-`+id+`-reason-err"`)
	if got, _ := store.GetProposal(ctx, db, p.ID); got.State != partnership.ProposalFunded || committed() != 40_000_000 {
		t.Fatalf("a refused cancellation changed the activity: %s", got.State)
	}
	v.accept("/proposals/"+id+"/cancel", url.Values{"reason": {"Sudah diperbaiki swadaya warga."}})
	if got, _ := store.GetProposal(ctx, db, p.ID); got.State != partnership.ProposalCancelled || committed() != 0 {
		t.Fatalf("the activity was not cancelled: %s, committed %d", got.State, committed())
	}
	audited(t, db, string(policies.ActivityCancel), "proposal", p.ID)
	queueRendersInEveryLanguage(t, v, tn, "Sudah diperbaiki swadaya warga.")
}

// The institution merges an aspiration into one of its proposals from its
// queue: without a proposal chosen refused beside the select, with one
// merged and audited.
func TestInstitutionMergeForm(t *testing.T) {
	ctx, tn, db, v := bandungPortal(t)
	r := tn.Region
	p := approvedProposal(t, ctx, db, r, "Perbaikan saluran air", 30_000_000)
	signInAs(t, v, policies.Resident)
	asp := url.Values{"ward": {r.Kecamatan[0].Wards[0].Code}, "institution": {p.Institution}, "title": {"Saluran air mampet"}, "body": {"Saluran di RT 03 mampet tiap hujan."}}
	if status, _, _ := v.post("/r/bandung/aspirations/new?ward="+asp.Get("ward"), "/r/bandung/aspirations/new", asp); status != http.StatusSeeOther {
		t.Fatalf("the resident's aspiration: %d", status)
	}
	as, err := store.ListAspirations(ctx, db, store.AspirationFilter{Limit: 10})
	if err != nil || len(as) != 1 {
		t.Fatalf("no aspiration (%v)", err)
	}
	a := as[0]
	id, pid := strconv.FormatInt(a.ID, 10), strconv.FormatInt(p.ID, 10)
	signInAs(t, v, policies.InstitutionRW)
	queueRendersInEveryLanguage(t, v, tn, `action="/r/bandung/work/aspirations/`+id+`/merge"`, `action="/r/bandung/work/aspirations/`+id+`/respond"`, `<option value="`+pid+`"`)

	v.refuse("/aspirations/"+id+"/merge", url.Values{"proposal": {""}}, `id="f-merge-`+id+`-proposal-err"`)
	if got, _ := store.GetAspiration(ctx, db, a.ID); got.State != partnership.AspirationSubmitted || got.ProposalID != 0 {
		t.Fatalf("a refused merge changed the aspiration: %s", got.State)
	}
	v.accept("/aspirations/"+id+"/merge", url.Values{"proposal": {pid}})
	if got, _ := store.GetAspiration(ctx, db, a.ID); got.State != partnership.AspirationMerged || got.ProposalID != p.ID {
		t.Fatalf("the aspiration was not merged: %s %d", got.State, got.ProposalID)
	}
	audited(t, db, string(policies.AspirationRespond), "aspiration", a.ID)
	queueRendersInEveryLanguage(t, v, tn, "Perbaikan saluran air")
}

// A partner revises a plan the forum sent back from its queue, with the
// form prefilled with the plan: a refused revision changes nothing, an
// accepted one submits the plan again with its new activities.
func TestPartnerPlanRevisionForm(t *testing.T) {
	ctx, tn, db, v := bandungPortal(t)
	r := tn.Region
	plan := educationPlan(t, ctx, db, r, demoPartner(t, v, ctx, db), "Sasaran belum jelas.")
	id := strconv.FormatInt(plan.ID, 10)
	queueRendersInEveryLanguage(t, v, tn, `action="/r/bandung/work/plans/`+id+`/revise"`, `id="f-revise-`+id+`-activities.0.title" name="activities.0.title"`,
		`value="Beasiswa anak putus sekolah"`, `value="50000000"`, "Sasaran belum jelas.")

	form := url.Values{"fiscalYear": {strconv.Itoa(plan.FiscalYear)}, "activities.0.title": {"Beasiswa anak putus sekolah"}, "activities.0.location": {r.Kecamatan[0].Code},
		"activities.0.area": {"education"}, "activities.0.target": {"Anak putus sekolah SMP"}, "activities.0.goal": {""}, "activities.0.financing": {"60.000.000"}}
	v.refuse("/plans/"+id+"/revise", form, `id="f-revise-`+id+`-activities.0.goal-err"`, `value="Anak putus sekolah SMP"`)
	if got, _ := store.GetPlan(ctx, db, plan.ID); got.State != partnership.PlanRevision || got.Activities[0].Target != "Anak putus sekolah" {
		t.Fatalf("a refused revision changed the plan: %+v", got)
	}
	form.Set("activities.0.goal", "Kembali bersekolah sampai lulus SMP")
	v.accept("/plans/"+id+"/revise", form)
	got, err := store.GetPlan(ctx, db, plan.ID)
	if err != nil || got.State != partnership.PlanSubmitted || len(got.Activities) != 1 || got.Activities[0].Target != "Anak putus sekolah SMP" || got.Activities[0].Financing != 60_000_000 || got.Reason != "" {
		t.Fatalf("the plan was not revised: %+v %v", got, err)
	}
	audited(t, db, string(policies.CSRPlanSubmit), "csr-plan", plan.ID)
	queueRendersInEveryLanguage(t, v, tn, `action="/r/bandung/work/plans"`)
	if _, body := v.get("/r/bandung/work"); strings.Contains(body, "/revise") {
		t.Error("the submitted plan still offers its revision")
	}
}
