package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/i18n"
)

// The portal in a real browser: Debian's Chromium, headless, driven through
// what residents, a lurah and a company do, in Bahasa Indonesia and in English. Every
// page on the way is checked with axe-core and against the 100 KB budget of
// a first load, and the home page, a form and the dashboard are captured at
// phone and desktop width into screenshots/ (see README).
func TestPortalInABrowser(t *testing.T) {
	chromium := chromiumPath(t)
	axe := axeScript(t)
	bin := buildProgram(t, "apiserver")
	addr := freeAddr(t)
	srv := startProcess(t, "apiserver", bin, nil, "-listen", addr, "-tenants", "../tenants", "-data", t.TempDir(), "-insecure-cookies")
	base := "http://" + addr
	waitHTTP(t, srv, base+"/healthz", time.Minute)

	catalogs := i18n.MustLoad()
	var results []pageResult
	var mu sync.Mutex
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			l := catalogs.For(lang, nil)
			b := newBrowser(t, chromium, axe, base, &results, &mu)
			t.Run("home", func(t *testing.T) { b.t = t; homePage(b, lang) })
			t.Run("anonymous complaint", func(t *testing.T) { b.t = t; anonymousComplaint(b, lang, l) })
			t.Run("resident aspiration", func(t *testing.T) { b.t = t; residentAspiration(b, lang, l) })
			t.Run("lurah Musrenbang", func(t *testing.T) { b.t = t; lurahMusrenbang(b, lang, l) })
			t.Run("company claims a CSR request", func(t *testing.T) { b.t = t; companyClaim(b, lang, l) })
			t.Run("dashboard", func(t *testing.T) { b.t = t; dashboard(b, lang, l) })
		})
	}
	writeReport(t, results)
}

const region = "/r/bandung"

// ward and its first RW: where the scenarios take place.
const (
	ward = "32.73.01.1001"
	rw   = "32.73.01.1001/rw-01"
)

func homePage(b *browser, lang string) {
	if st := b.open(region + "/?lang=" + lang); st != 200 {
		b.t.Fatalf("home: %d", st)
	}
	if h1 := b.text("h1"); h1 != "Kota Bandung" {
		b.t.Errorf("home's heading: %q", h1)
	}
	b.check(lang, "home")
	b.screenshot("home-"+lang, 360)
	b.screenshot("home-"+lang, 1280)
}

// anonymousComplaint files a complaint without signing in: a refusal first,
// which keeps what was typed, then the complaint and its tracking code.
func anonymousComplaint(b *browser, lang string, l *i18n.Localizer) {
	b.formForWard(lang, "/complaints/new", "complaint")
	b.screenshot("complaint-form-"+lang, 360)
	b.screenshot("complaint-form-"+lang, 1280)

	body := "Lampu jalan di gang 3 padam sejak dua minggu (" + lang + ")."
	b.set("#f-body", body)
	if st := b.submit(`main form[method="post"] button[type="submit"]`); st != 422 {
		b.t.Errorf("an empty subject: status %d, want 422", st)
	}
	b.check(lang, "complaint refused")
	if got := eval[string](b, `document.querySelector("#f-subject").getAttribute("aria-invalid")`); got != "true" {
		b.t.Errorf("the refused subject is not marked invalid: %q", got)
	}
	if got, want := b.text(".error-summary[role=alert] li"), l.T("form.errorItem", l.T("field.subject"), l.T("error.required")); got != want {
		b.t.Errorf("the error summary says %q, want %q", got, want)
	}
	if got := eval[string](b, `document.querySelector("#f-body").value`); got != body {
		b.t.Errorf("the refused form lost what was typed: %q", got)
	}
	b.screenshot("complaint-refused-"+lang, 360)

	b.set("#f-subject", "Lampu jalan padam")
	if st := b.submit(`main form[method="post"] button[type="submit"]`); st != 200 {
		b.t.Fatalf("filing: %d", st)
	}
	b.check(lang, "complaint filed")
	code := b.text("#tracking-code")
	if !regexp.MustCompile(`^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$`).MatchString(code) {
		b.t.Fatalf("tracking code %q", code)
	}
	b.open(region + "/complaints/track?code=" + code)
	b.check(lang, "complaint tracked")
	if got := b.text("#h-c"); got != "Lampu jalan padam" {
		b.t.Errorf("tracked complaint: %q", got)
	}
	if !strings.Contains(b.text(".facts"), l.T("state.complaint.filed")) {
		b.t.Errorf("the tracked complaint does not say it is filed")
	}
	// Shown once: the page that showed the code no longer has it.
	b.open(region + "/complaints/filed")
	if n := eval[int](b, `document.querySelectorAll("#tracking-code").length`); n != 0 {
		b.t.Error("the tracking code is shown a second time")
	}
}

// formForWard opens a form of the region that first asks for the ward,
// chooses the test's ward and checks both pages; what names the form.
func (b *browser) formForWard(lang, path, what string) {
	b.t.Helper()
	b.open(region + path)
	b.check(lang, what+": choose the ward")
	b.set("#f-ward", ward)
	b.submit(`main form[method="get"] button[type="submit"]`)
	b.check(lang, what+" form")
}

// signInAs uses the embedded mode's demo sign-in.
func signInAs(b *browser, lang, role string) {
	b.open(region + "/demo")
	b.check(lang, "demo sign-in")
	b.submit("#demo-" + role)
}

func signOut(b *browser) {
	b.submit(`form[action$="/signout"] button`)
}

// residentAspiration sends an aspiration to an institution of the resident's
// ward and finds it among their submissions.
func residentAspiration(b *browser, lang string, l *i18n.Localizer) {
	signInAs(b, lang, "resident")
	b.formForWard(lang, "/aspirations/new", "aspiration")
	b.screenshot("aspiration-form-"+lang, 360)
	b.screenshot("aspiration-form-"+lang, 1280)
	title := "Taman bermain anak (" + lang + ")"
	b.set("#f-institution", rw)
	b.set("#f-title", title)
	b.set("#f-body", "Anak-anak di RW 01 tidak punya tempat bermain yang aman.")
	if st := b.submit(`main form[method="post"] button[type="submit"]`); st != 200 {
		b.t.Fatalf("sending: %d", st)
	}
	b.check(lang, "my submissions")
	if got := b.text(".flash"); got != l.T("flash.aspiration") {
		b.t.Errorf("flash: %q, want %q", got, l.T("flash.aspiration"))
	}
	if !strings.Contains(b.text("#h-asp + ul"), title) {
		b.t.Errorf("the aspiration is not among the resident's submissions")
	}
	signOut(b)
}

// lurahMusrenbang has an RW board propose, then the lurah schedule the ward's
// Musrenbang, record its attendance (refused first without a quorum), fund
// the proposal and close the Musrenbang with its minutes.
func lurahMusrenbang(b *browser, lang string, l *i18n.Localizer) {
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	title := "Perbaikan saluran air RW 01 (" + lang + ")"

	signInAs(b, lang, "institution-rw")
	b.open(region + "/work")
	b.check(lang, "RW board's queue")
	b.click("details.newform summary")
	b.set("#f-proposal-title", title)
	b.set("#f-proposal-activity", "infrastructure")
	b.set("#f-proposal-kind", "infrastructure")
	b.set("#f-proposal-cost", "15.000.000")
	b.set("#f-proposal-beneficiaries", "120")
	b.set("#f-proposal-location", "Gang Mawar, RW 01")
	b.set("#f-proposal-description", "Saluran air tersumbat dan meluap setiap hujan.")
	b.submit(`form[action$="/work/proposals"] button[type="submit"]`)
	b.flashed(l.T("flash.proposal"), "proposing")
	signOut(b)

	signInAs(b, lang, "ward-office")
	b.open(region + "/work")
	b.check(lang, "lurah's queue")
	if !strings.Contains(b.text("main"), title) {
		b.t.Fatalf("the proposal is not in the lurah's queue")
	}
	b.click("details.newform summary")
	b.set("#f-schedule-scheduledAt", time.Now().In(jakarta).AddDate(0, 0, 7).Format("2006-01-02T15:04"))
	b.set("#f-schedule-place", "Aula Kelurahan Sukarasa")
	b.submit(`form[action$="/musrenbang"] button[type="submit"]`)
	b.check(lang, "Musrenbang")
	b.screenshot("musrenbang-"+lang, 360)

	// Without a quorum the attendance is refused, and nothing changes.
	b.set(`[name="attendance.rt-board"]`, "3")
	if st := b.submit(`#attendance-form button[type="submit"]`); st != 422 {
		b.t.Errorf("attendance without a quorum: %d, want 422", st)
	}
	b.check(lang, "Musrenbang refused")
	if got := eval[string](b, `document.querySelector('[name="attendance.women-leader"]').getAttribute("aria-invalid")`); got != "true" {
		b.t.Errorf("the missing category is not marked invalid")
	}
	for cat, n := range map[string]string{"rt-board": "6", "rw-board": "4", "community-leader": "2", "religious-leader": "1", "women-leader": "3", "youth-leader": "2", "resident": "12"} {
		b.set(`[name="attendance.`+cat+`"]`, n)
	}
	b.submit(`#attendance-form button[type="submit"]`)
	b.flashed(l.T("flash.attendance"), "attendance")
	b.check(lang, "Musrenbang held")

	// The decision on the proposal: fund it.
	found := eval[bool](b, fmt.Sprintf(`(() => {
		const card = [...document.querySelectorAll("#decisions li.card")].find(li => li.querySelector("h3").textContent.includes(%q));
		if (card) card.id = "target";
		return !!card;
	})()`, title))
	if !found {
		b.t.Fatal("the proposal is not on the Musrenbang's agenda")
	}
	b.click(`#target input[value="fund"]`)
	b.submit(`#target button[type="submit"]`)
	b.flashed(l.T("flash.decided"), "deciding")
	if !strings.Contains(b.text("#cap-dec + thead + tbody"), l.T("decided.fund")) {
		b.t.Errorf("the decision is not listed")
	}
	b.set("#f-close-minutes", "Musrenbang Kelurahan Sukarasa menyepakati perbaikan saluran air RW 01.")
	b.submit(`form[action$="/close"] button[type="submit"]`)
	b.check(lang, "Musrenbang closed")
	if got := b.text(".facts .tag"); got != l.T("state.musrenbang.closed") {
		b.t.Errorf("state after closing: %q", got)
	}
	signOut(b)
}

// companyClaim has a resident submit a CSR request and the demo company,
// an approved partner working in every priority area, claim it.
func companyClaim(b *browser, lang string, l *i18n.Localizer) {
	title := "Bank sampah RW 01 (" + lang + ")"
	signInAs(b, lang, "resident")
	b.formForWard(lang, "/csr/requests/new", "CSR request")
	b.set("#f-area", "environment")
	b.set("#f-title", title)
	b.set("#f-amount", "25.000.000")
	b.set("#f-description", "Bank sampah untuk 300 keluarga di RW 01.")
	b.submit(`main form[method="post"] button[type="submit"]`)
	b.flashed(l.T("flash.request"), "submitting the request")
	signOut(b)

	signInAs(b, lang, "company")
	b.open(region + "/csr/requests")
	b.check(lang, "CSR requests as a partner")
	found := eval[bool](b, fmt.Sprintf(`(() => {
		const card = [...document.querySelectorAll("#h-open + ul li.card")].find(li => li.querySelector("h3").textContent.includes(%q));
		if (card) card.id = "target";
		return !!(card && card.querySelector("form"));
	})()`, title))
	if !found {
		b.t.Fatal("the company has no claim button on the request")
	}
	b.submit(`#target button[type="submit"]`)
	b.flashed(l.T("flash.claimed"), "claiming")
	b.check(lang, "CSR request claimed")
	if got := b.text("#h-claimed + ul"); !strings.Contains(got, title) || !strings.Contains(got, "PT Demo Sejahtera") {
		b.t.Errorf("the claimed list: %q", got)
	}
	signOut(b)
}

// dashboard shows the charts, their tables and their CSV.
func dashboard(b *browser, lang string, l *i18n.Localizer) {
	if st := b.open(region + "/dashboard"); st != 200 {
		b.t.Fatalf("dashboard: %d", st)
	}
	b.check(lang, "dashboard")
	b.screenshot("dashboard-"+lang, 360)
	b.screenshot("dashboard-"+lang, 1280)
	if n := eval[int](b, `document.querySelectorAll("svg.chart").length`); n < 2 {
		b.t.Errorf("%d charts", n)
	}
	if n := eval[int](b, `document.querySelectorAll("table").length`); n < 2 {
		b.t.Errorf("%d tables", n)
	}
	href := eval[string](b, `document.querySelector('a[href*="participation.csv"]').href`)
	req, _ := http.NewRequest(http.MethodGet, href, nil)
	req.Header.Set("Cookie", "pilar_lang="+lang)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	csv, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(csv), "Sukasari") {
		b.t.Errorf("CSV: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), csv)
	}
	if !strings.Contains(string(csv), l.T("dashboard.population")) {
		b.t.Errorf("the CSV's header is not in %s: %.200s", lang, csv)
	}
}
