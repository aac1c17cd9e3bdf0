package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/demo"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/schedule"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// --- helpers ---

// approvedPartner stores a company approved now, acting through the account.
func (w *world) approvedPartner(username, name string) int64 {
	w.t.Helper()
	return w.storedPartner(username, partnership.Partner{Kind: partnership.PartnerCompany, Name: name, Areas: []string{"education"},
		State: partnership.PartnerApproved, RegisteredAt: w.now.Add(-time.Hour)})
}

// raw sends a request and returns what came back as it came.
func (w *world) raw(method, path string, header http.Header, body io.Reader) (int, http.Header, []byte) {
	w.t.Helper()
	req := httptest.NewRequest(method, path, body)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := w.app.Test(req, 20_000)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func items(t *testing.T, r response) []map[string]any {
	t.Helper()
	raw, ok := r.body["items"].([]any)
	if !ok {
		t.Fatalf("no items in %v", r.body)
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

// bandungTable is DESIGN.md's table: per year and area the amount, the share
// and the companies; and per year the total and the distinct companies.
var bandungTable = map[int]struct {
	areas    map[string]struct{ amount, share, companies string }
	total    string
	distinct float64
}{
	2014: {map[string]struct{ amount, share, companies string }{
		"environment": {"13824062725", "47.92", "72"}, "prosperity": {"5279986000", "18.30", "32"}, "education": {"5716924950", "19.82", "22"},
		"health": {"2238035337", "7.76", "18"}, "religion": {"868166000", "3.01", "25"}, "sport": {"482190000", "1.67", "9"},
		"arts-culture": {"439702340", "1.52", "13"},
	}, "28849067352", 132},
	2015: {map[string]struct{ amount, share, companies string }{
		"environment": {"15270715000", "63.52", "220"}, "prosperity": {"3109376250", "12.93", "46"}, "education": {"969208500", "4.03", "9"},
		"health": {"1490117500", "6.20", "8"}, "religion": {"2724958000", "11.34", "8"}, "sport": {"51000000", "0.21", "2"},
		"arts-culture": {"423532800", "1.76", "6"},
	}, "24038908050", 285},
}

func (w *world) seedBandungCSR() {
	w.t.Helper()
	db, region, release := w.regionDB("bandung")
	defer release()
	if _, err := demo.SeedBandungCSR(context.Background(), db, region, w.now); err != nil {
		w.t.Fatal(err)
	}
}

// The test that matters: with Bandung's figures loaded, the dashboard
// returns exactly DESIGN.md's table — every amount, every share to two
// decimals, every area's companies and the distinct totals 132 and 285 —
// as JSON and as CSV, on SQLite and on PostgreSQL.
func TestDashboardReturnsBandungsTable(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, w *world) {
		w.seedBandungCSR()
		anyone := w.client("bandung")
		for year, want := range bandungTable {
			r := anyone.do("GET", fmt.Sprintf("/api/dashboard?year=%d", year), nil)
			expect(t, "dashboard", r, http.StatusOK)
			rows := r.body["areas"].([]any)
			if len(rows) != 7 {
				t.Fatalf("%d: %d areas", year, len(rows))
			}
			for _, it := range rows {
				row := it.(map[string]any)
				w := want.areas[row["area"].(string)]
				if fmt.Sprint(int64(row["amount"].(float64))) != w.amount || row["share"] != w.share || fmt.Sprint(row["partners"]) != w.companies {
					t.Errorf("%d %s: Rp %.0f, %v%%, %v companies; want Rp %s, %s%%, %s", year, row["area"], row["amount"], row["share"], row["partners"], w.amount, w.share, w.companies)
				}
			}
			total := r.body["total"].(map[string]any)
			if fmt.Sprint(int64(total["amount"].(float64))) != want.total || total["partners"] != want.distinct || total["share"] != "100.00" {
				t.Errorf("%d total: %v", year, total)
			}

			status, header, body := w.raw("GET", fmt.Sprintf("/r/bandung/api/dashboard.csv?year=%d", year), nil, nil)
			if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/csv") {
				t.Fatalf("CSV: %d %s %s", status, header.Get("Content-Type"), body)
			}
			lines, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(lines[0], ",") != "year,area,name,amount,share,partners,requests,programmes" || len(lines) != 1+7+1 {
				t.Fatalf("CSV %d lines, header %v", len(lines), lines[0])
			}
			for _, l := range lines[1:8] {
				w := want.areas[l[1]]
				if l[0] != fmt.Sprint(year) || l[3] != w.amount || l[4] != w.share || l[5] != w.companies {
					t.Errorf("CSV %d: %v, want %v", year, l, w)
				}
			}
			if last := lines[8]; last[1] != "total" || last[3] != want.total || last[4] != "100.00" || last[5] != fmt.Sprint(want.distinct) {
				t.Errorf("CSV total %d: %v", year, last)
			}
		}
		// A year out of range, or not a year, changes nothing and says why.
		for _, y := range []string{"1999", "2027", "dua-ribu"} {
			if r := anyone.do("GET", "/api/dashboard?year="+y, nil); r.status != http.StatusBadRequest || r.errField() != "year" {
				t.Errorf("year %s: %d %v", y, r.status, r.body)
			}
		}
		// Sumedang runs only the two-pillar model: it has no CSR dashboard.
		expect(t, "a two-pillar region's dashboard", w.client("sumedang").do("GET", "/api/dashboard?year=2015", nil), http.StatusForbidden)
	})
}

// The national aggregate sums the regions' public figures, and says that
// distinct partners are only summed region by region.
func TestNationalDashboard(t *testing.T) {
	w := newWorld(t)
	w.seedBandungCSR()
	pdb, err := store.Open(context.Background(), store.Options{Driver: store.SQLite, DSN: filepath.Join(t.TempDir(), "platform.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	if _, err := store.Migrate(context.Background(), pdb); err != nil {
		t.Fatal(err)
	}
	e, err := policies.NewEnforcer(policies.Platform())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role policies.Role
	}{{"kemendagri", policies.NationalAdmin}, {"tamu", ""}} {
		a, err := authz.CreateAccount(context.Background(), pdb, nil, authz.NewAccount{Username: u.name, DisplayName: u.name, Password: "rahasia " + u.name}, w.now)
		if err != nil {
			t.Fatal(err)
		}
		if u.role != "" {
			must(t, authz.AddGrant(context.Background(), pdb, &authz.Grant{AccountID: a.ID, Role: u.role, Scope: PlatformScope, CreatedAt: w.now}))
		}
	}
	w.app = New(Options{Registry: w.reg, PathRegions: true, Platform: &Platform{DB: pdb, Enforcer: e}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return w.now }})
	session := func(user string) http.Header {
		b, _ := json.Marshal(map[string]string{"username": user, "password": "rahasia " + user})
		status, header, body := w.raw("POST", "/platform/api/session", http.Header{"Content-Type": {"application/json"}}, bytes.NewReader(b))
		if status != http.StatusCreated {
			t.Fatalf("platform sign-in: %d %s", status, body)
		}
		cookie := strings.Split(header.Get("Set-Cookie"), ";")[0]
		return http.Header{"Cookie": {cookie}}
	}
	status, _, _ := w.raw("GET", "/platform/api/dashboard?year=2015", nil, nil)
	if status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", status)
	}
	if status, _, _ := w.raw("GET", "/platform/api/dashboard?year=2015", session("tamu"), nil); status != http.StatusForbidden {
		t.Fatalf("without national:read: %d", status)
	}
	admin := session("kemendagri")
	status, _, body := w.raw("GET", "/platform/api/dashboard?year=2015", admin, nil)
	if status != http.StatusOK {
		t.Fatalf("national: %d %s", status, body)
	}
	var n struct {
		partnership.NationalDashboard
		NotRunning  []string `json:"notRunning"`
		Unavailable []string `json:"unavailable"`
	}
	must(t, json.Unmarshal(body, &n))
	if n.Total.Amount != 24_038_908_050 || n.Total.PartnersSumOfRegions != 285 || len(n.Regions) != 1 || n.Regions[0].Slug != "bandung" ||
		len(n.NotRunning) != 1 || n.NotRunning[0] != "sumedang" || len(n.Unavailable) != 0 || !strings.Contains(n.Note, "distinct") {
		t.Fatalf("national 2015: %s", body)
	}
	for _, a := range n.Areas {
		if a.Area == "sport" && (a.Share != "0.21" || a.PartnersSumOfRegions != 2 || a.Regions != 1) {
			t.Errorf("sport: %+v", a)
		}
	}
	// Only figures cross: no name of any partner leaves the region.
	if bytes.Contains(body, []byte("PT Mitra")) {
		t.Error("a partner's name reached the national aggregate")
	}
	if status, _, _ := w.raw("GET", "/platform/api/dashboard?year=1999", admin, nil); status != http.StatusBadRequest {
		t.Errorf("1999: %d", status)
	}
}

// --- a late partner ---

// A partner approved and then silent: its plan deadline passes, the schedule
// flags it and recommends a written warning by rule; the forum secretariat
// issues it citing Perda 13/2012; the partner sees the notice; the warning is
// lifted with a reason. Every refused step changes nothing.
func TestLatePartnerIsFlaggedWarnedAndLifted(t *testing.T) {
	w := newWorld(t)
	w.people("sekretariat", "pt-lalai")
	partner := w.approvedPartner("pt-lalai", "PT Lalai Sekali")
	anyone := w.client("bandung")
	flag := func() schedule.OverdueRun {
		db, _, release := w.regionDB("bandung")
		defer release()
		tn, _ := w.reg.Get("bandung")
		run, err := schedule.FlagOverdue(context.Background(), db, tn, w.now)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}

	// Within the deadline nothing is flagged.
	w.advance(29 * 24 * time.Hour)
	if run := flag(); len(run.Flagged) != 0 {
		t.Fatalf("flagged before the deadline: %+v", run)
	}
	w.advance(2 * 24 * time.Hour) // the 30-day plan deadline has passed
	secretariat := w.client("bandung").mustSignIn("sekretariat")
	company := w.client("bandung").mustSignIn("pt-lalai")
	run := flag()
	if len(run.Flagged) != 1 || run.Flagged[0].Kind != "plan" || run.Flagged[0].Partner != partner || len(run.Recommended) != 1 {
		t.Fatalf("after the deadline: %+v", run)
	}
	overdue := items(t, anyone.do("GET", "/api/overdue", nil))
	if len(overdue) != 1 || overdue[0]["partner"] != float64(partner) || overdue[0]["kind"] != "plan" {
		t.Fatalf("overdue: %v", overdue)
	}
	sanctions := items(t, anyone.do("GET", fmt.Sprintf("/api/sanctions?partner=%d", partner), nil))
	if len(sanctions) != 1 || sanctions[0]["state"] != "recommended" || sanctions[0]["step"] != "written-warning" || sanctions[0]["recommendedBy"] != "system" {
		t.Fatalf("recommended: %v", sanctions)
	}
	sid := int64(sanctions[0]["id"].(float64))
	path := fmt.Sprintf("/api/sanctions/%d", sid)
	if audited := items(t, anyone.do("GET", "/api/audit/public?action=sanction:recommend", nil)); len(audited) != 1 || audited[0]["actor"] != "system" {
		t.Fatalf("the recommendation in the audit log: %v", audited)
	}
	// The schedule does not recommend twice; nor may the secretariat while one is open.
	if run := flag(); len(run.Flagged) != 0 || len(run.Recommended) != 0 {
		t.Fatalf("second run: %+v", run)
	}
	expect(t, "a second open recommendation", secretariat.do("POST", "/api/sanctions", map[string]any{"partner": partner, "reason": "Lagi"}), http.StatusConflict)

	// Only the forum issues; the company cannot issue its own, nor lift it.
	expect(t, "the company issues", company.do("POST", path+"/issue", nil), http.StatusForbidden)
	expect(t, "an unknown sanction", secretariat.do("POST", "/api/sanctions/9999/issue", nil), http.StatusNotFound)
	r := secretariat.do("POST", path+"/issue", nil)
	expect(t, "issue", r, http.StatusOK)
	if r.body["state"] != "issued" || r.body["legalBasis"] != "Perda 13/2012" || r.body["notifiedAt"] == nil {
		t.Fatalf("issued: %v", r.body)
	}
	expect(t, "issue twice", secretariat.do("POST", path+"/issue", nil), http.StatusConflict)

	// The partner is notified: the sanction stands in its own view; its standing is public.
	mine := items(t, company.do("GET", "/api/sanctions/mine", nil))
	if len(mine) != 1 || mine[0]["state"] != "issued" || mine[0]["notifiedAt"] == nil || mine[0]["legalBasis"] != "Perda 13/2012" {
		t.Fatalf("the partner's notice: %v", mine)
	}
	standing := anyone.do("GET", fmt.Sprintf("/api/partners/%d/compliance", partner), nil)
	if standing.body["compliance"] != "warned" || standing.body["sanction"].(map[string]any)["id"] != float64(sid) || standing.body["maturity"] != "none" {
		t.Fatalf("standing: %v", standing.body)
	}
	expect(t, "an unknown partner's standing", anyone.do("GET", "/api/partners/9999/compliance", nil), http.StatusNotFound)

	// Lifting needs the permission and a reason; a refusal leaves it issued.
	expect(t, "the company lifts", company.do("POST", path+"/lift", map[string]string{"reason": "Sudah"}), http.StatusForbidden)
	if r := secretariat.do("POST", path+"/lift", map[string]string{"reason": " "}); r.status != http.StatusBadRequest || r.errField() != "reason" {
		t.Fatalf("lift without a reason: %d %v", r.status, r.body)
	}
	if got := anyone.do("GET", path, nil); got.body["state"] != "issued" {
		t.Fatalf("a refused lift changed the sanction: %v", got.body)
	}
	r = secretariat.do("POST", path+"/lift", map[string]string{"reason": "Rencana TJSL telah disampaikan dan disetujui forum."})
	expect(t, "lift", r, http.StatusOK)
	if r.body["state"] != "lifted" || r.body["liftedAt"] == nil {
		t.Fatalf("lifted: %v", r.body)
	}
	expect(t, "lift twice", secretariat.do("POST", path+"/lift", map[string]string{"reason": "x"}), http.StatusConflict)
	if standing := anyone.do("GET", fmt.Sprintf("/api/partners/%d/compliance", partner), nil); standing.body["compliance"] != "compliant" {
		t.Fatalf("after the lift: %v", standing.body)
	}
	for _, action := range []string{"sanction:issue", "sanction:lift"} {
		if audited := items(t, anyone.do("GET", "/api/audit/public?action="+action, nil)); len(audited) != 1 {
			t.Errorf("%s audited %d times", action, len(audited))
		}
	}

	// The secretariat's own recommendation: bad input is refused.
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"partner": 9999, "reason": "x"}, "partner"},
		{map[string]any{"partner": partner, "reason": ""}, "reason"},
		{map[string]any{"partner": partner, "step": "pengumuman", "reason": "x"}, "step"},
	} {
		if r := secretariat.do("POST", "/api/sanctions", tt.body); r.status != http.StatusBadRequest || r.errField() != tt.field {
			t.Errorf("%v: %d %v, want 400 on %s", tt.body, r.status, r.body, tt.field)
		}
	}
	r = secretariat.do("POST", "/api/sanctions", map[string]any{"partner": partner, "reason": "Laporan realisasi 2026 tidak lengkap"})
	if r.status != http.StatusCreated || r.body["step"] != "written-warning" || r.body["recommendedBy"] != fmt.Sprint(w.accountID("bandung", "sekretariat")) {
		t.Fatalf("the secretariat recommends: %d %v", r.status, r.body)
	}
	expect(t, "dismiss", secretariat.do("POST", fmt.Sprintf("/api/sanctions/%d/dismiss", id(t, r)), map[string]string{"reason": "Sudah diperbaiki"}), http.StatusOK)
}

// --- a partner with realisations, evaluated and scored ---

func pdfBytes(n int) []byte { return append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), n)...) }

func realisationBody(programme int64, amount int64, evidence ...[]byte) map[string]any {
	ev := []map[string]string{}
	for i, e := range evidence {
		ev = append(ev, map[string]string{"name": fmt.Sprintf("bukti-%d.pdf", i+1), "data": base64.StdEncoding.EncodeToString(e)})
	}
	return map[string]any{"programme": programme, "activityStart": "2026-07-01", "activityEnd": "2026-07-31", "amount": amount,
		"sourceOfFunds": "Dana TJSL PT Rajin", "outputs": "Perpustakaan RW dilengkapi 400 buku", "targetsReached": "Kreativitas anak: 1 perpustakaan",
		"evidence": ev}
}

func TestPartnerRealisesIsEvaluatedAndScored(t *testing.T) {
	w := newWorld(t)
	w.now = time.Date(2026, 8, 10, 9, 0, 0, 0, time.UTC) // in the third quarter
	w.people("sekretariat", "pt-rajin", "pt-lain")
	partner := w.approvedPartner("pt-rajin", "PT Rajin Berbagi")
	other := w.approvedPartner("pt-lain", "PT Lain")
	secretariat := w.client("bandung").mustSignIn("sekretariat")
	company := w.client("bandung").mustSignIn("pt-rajin")
	rival := w.client("bandung").mustSignIn("pt-lain")
	anyone := w.client("bandung")

	// Its approved plan for 2026 and the programme that came of it (the
	// four-pillar workflow's own steps, stored directly here).
	var prog, othersProg *partnership.Programme
	func() {
		db, _, release := w.regionDB("bandung")
		defer release()
		ctx := context.Background()
		plan := &partnership.CSRPlan{PartnerID: partner, FiscalYear: 2026, BoardApprovedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
			SubmittedAt: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 2, 4, 0, 0, 0, 0, time.UTC), State: partnership.PlanApproved,
			Activities: []partnership.PlanActivity{
				{Title: "Perpustakaan RW", Location: "32.73.01.1001", Area: "education", Target: "anak", Goal: "minat baca", Financing: 80_000_000,
					AlignedArea: "education", AlignedTarget: "childrens-creativity", Alignment: partnership.Aligned},
				{Title: "Bazar", Location: "32.73.01", Area: "prosperity", Target: "UMKM", Goal: "pasar", Financing: 20_000_000, Alignment: partnership.NotAligned},
			}}
		must(t, store.InsertPlan(ctx, db, plan))
		prog = &partnership.Programme{Source: partnership.FromPlan, PartnerID: partner, Area: "education", WardCode: "32.73.01.1001", Title: "Perpustakaan RW",
			SectorAgency: "Dinas Pendidikan", FiscalYear: 2026, State: partnership.ProgrammeActive, PlanActivityID: plan.Activities[0].ID, CreatedAt: w.now}
		othersProg = &partnership.Programme{Source: partnership.FromPlan, PartnerID: other, Area: "health", Title: "Posyandu",
			SectorAgency: "Dinas Kesehatan", FiscalYear: 2026, State: partnership.ProgrammeActive, CreatedAt: w.now}
		for _, p := range []*partnership.Programme{prog, othersProg} {
			must(t, store.InsertProgramme(ctx, db, p))
		}
	}()

	// Bad input is refused, naming the field, and stores nothing.
	big := pdfBytes(partnership.MaxAttachmentSize)
	for _, tt := range []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"negative amount", realisationBody(prog.ID, -1), 400, "amount"},
		{"absurd amount", realisationBody(prog.ID, int64(partnership.MaxAmount)+1), 400, "amount"},
		{"an amount that is not a number", func() map[string]any { b := realisationBody(prog.ID, 1); b["amount"] = "banyak"; return b }(), 400, "amount"},
		{"no programme", realisationBody(0, 1), 400, "programme"},
		{"an unknown programme", realisationBody(9999, 1), 400, "programme"},
		{"another partner's programme", realisationBody(othersProg.ID, 1), 403, ""},
		{"dates in the wrong order", func() map[string]any { b := realisationBody(prog.ID, 1); b["activityStart"] = "2026-08-31"; return b }(), 400, "activityEnd"},
		{"an activity not yet over", func() map[string]any { b := realisationBody(prog.ID, 1); b["activityEnd"] = "2026-12-31"; return b }(), 400, "activityEnd"},
		{"evidence too large", realisationBody(prog.ID, 1, big), 400, "evidence"},
		{"evidence of a forbidden type", realisationBody(prog.ID, 1, []byte("MZ\x90\x00 a program")), 400, "evidence"},
		{"too much evidence", realisationBody(prog.ID, 1, pdfBytes(1), pdfBytes(1), pdfBytes(1), pdfBytes(1), pdfBytes(1), pdfBytes(1)), 400, "evidence"},
	} {
		r := company.do("POST", "/api/realisations", tt.body)
		if r.status != tt.status || (tt.field != "" && r.errField() != tt.field) {
			t.Errorf("%s: %d %v, want %d on %q", tt.name, r.status, r.body, tt.status, tt.field)
		}
	}
	expect(t, "a resident reports", w.client("bandung").do("POST", "/api/realisations", realisationBody(prog.ID, 1)), http.StatusUnauthorized)
	expect(t, "a rival reports on the programme", rival.do("POST", "/api/realisations", realisationBody(prog.ID, 1)), http.StatusForbidden)
	if got := items(t, anyone.do("GET", "/api/realisations", nil)); len(got) != 0 {
		t.Fatalf("refusals stored %v", got)
	}

	// A report with evidence, in JSON; another as a multipart form.
	r := company.do("POST", "/api/realisations", realisationBody(prog.ID, 60_000_000, pdfBytes(100)))
	expect(t, "realisation", r, http.StatusCreated)
	if r.body["late"] != false || r.body["area"] != "education" || r.body["ward"] != "32.73.01.1001" || len(r.body["evidence"].([]any)) != 1 {
		t.Fatalf("realisation: %v", r.body)
	}
	rid := id(t, r)
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for k, v := range map[string]string{"programme": fmt.Sprint(prog.ID), "activityStart": "2026-08-01", "activityEnd": "2026-08-05", "amount": "15000000",
		"sourceOfFunds": "Dana TJSL", "outputs": "Pelatihan pustakawan", "targetsReached": "10 pustakawan"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("evidence", "foto.png")
	fw.Write([]byte("\x89PNG\r\n\x1a\nfoto"))
	mw.Close()
	status, _, body := w.raw("POST", "/r/bandung/api/realisations", http.Header{"Content-Type": {mw.FormDataContentType()},
		"Cookie": {sessionCookie + "=" + company.cookie}, csrfHeader: {company.csrf}}, &form)
	if status != http.StatusCreated || !bytes.Contains(body, []byte(`"contentType":"image/png"`)) {
		t.Fatalf("multipart realisation: %d %s", status, body)
	}

	// The report is public; its evidence is for the partner and the secretariat.
	got := anyone.do("GET", fmt.Sprintf("/api/realisations/%d", rid), nil)
	if got.body["partnerName"] != "PT Rajin Berbagi" || got.body["amount"] != 60_000_000.0 {
		t.Fatalf("public realisation: %v", got.body)
	}
	evidence := fmt.Sprintf("/r/bandung/api/realisations/%d/evidence/1", rid)
	if status, _, _ := w.raw("GET", evidence, nil, nil); status != http.StatusUnauthorized && status != http.StatusForbidden {
		t.Errorf("anonymous evidence: %d", status)
	}
	for _, c := range []*client{company, secretariat} {
		status, header, data := w.raw("GET", evidence, http.Header{"Cookie": {sessionCookie + "=" + c.cookie}}, nil)
		if status != http.StatusOK || header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("evidence for %v: %d %s", c.cookie != "", status, header.Get("Content-Type"))
		}
	}
	if status, _, _ := w.raw("GET", evidence, http.Header{"Cookie": {sessionCookie + "=" + rival.cookie}}, nil); status != http.StatusForbidden {
		t.Errorf("a rival reads the evidence: %d", status)
	}

	// The dashboard of 2026 counts it.
	d := anyone.do("GET", "/api/dashboard?year=2026", nil)
	edu := d.body["areas"].([]any)[0].(map[string]any)
	if edu["area"] != "education" || edu["amount"] != 75_000_000.0 || edu["partners"] != 1.0 || edu["programmes"] != 1.0 || edu["share"] != "100.00" {
		t.Fatalf("dashboard 2026: %v", edu)
	}

	// The quarterly evaluation, once the third quarter is over: Q4 is not
	// over; Q3 is published once, and public.
	w.advance(56 * 24 * time.Hour) // 5 October
	secretariat = w.client("bandung").mustSignIn("sekretariat")
	company = w.client("bandung").mustSignIn("pt-rajin")
	if r := secretariat.do("POST", "/api/evaluations", map[string]int{"year": 2026, "quarter": 4}); r.status != http.StatusBadRequest || r.errField() != "quarter" {
		t.Fatalf("Q4 before its end: %d %v", r.status, r.body)
	}
	expect(t, "a company publishes", company.do("POST", "/api/evaluations", map[string]int{"year": 2026, "quarter": 3}), http.StatusForbidden)
	preview := secretariat.do("GET", "/api/evaluations/preview?year=2026&quarter=4", nil)
	expect(t, "preview", preview, http.StatusOK)
	r = secretariat.do("POST", "/api/evaluations", map[string]int{"year": 2026, "quarter": 3})
	expect(t, "publish Q3", r, http.StatusCreated)
	ev := r.body["evaluation"].(map[string]any)
	devs := ev["deviations"].([]any)
	if ev["total"].(map[string]any)["amount"] != 75_000_000.0 || len(devs) != 1 || devs[0].(map[string]any)["deviation"] != "-25.00" {
		t.Fatalf("evaluation: %v", ev)
	}
	expect(t, "publish Q3 again", secretariat.do("POST", "/api/evaluations", map[string]int{"year": 2026, "quarter": 3}), http.StatusConflict)
	if list := items(t, anyone.do("GET", "/api/evaluations", nil)); len(list) != 1 || list[0]["quarter"] != 3.0 {
		t.Fatalf("published evaluations: %v", list)
	}
	expect(t, "read a published evaluation", anyone.do("GET", fmt.Sprintf("/api/evaluations/%d", id(t, r)), nil), http.StatusOK)

	// Awards of the cycle 2025–2026.
	expect(t, "a company scores", company.do("POST", "/api/awards/2025/score", nil), http.StatusForbidden)
	if r := secretariat.do("POST", "/api/awards/2027/score", nil); r.status != http.StatusBadRequest || r.errField() != "cycle" {
		t.Fatalf("a cycle not begun: %d %v", r.status, r.body)
	}
	r = secretariat.do("POST", "/api/awards/2025/score", nil)
	expect(t, "score", r, http.StatusOK)
	scores := items(t, r)
	// PT Lain ran a programme and reported nothing: it is scored too, below.
	if len(scores) != 2 || scores[0]["partner"] != float64(partner) || scores[1]["partner"] != float64(other) || scores[1]["scores"].(map[string]any)["reporting"] != 0.0 {
		t.Fatalf("scored %v", scores)
	}
	s := scores[0]["scores"].(map[string]any)
	// PT Rajin: commitment full (as many programmes as anyone, the most
	// value); 80 of 100 million aligned; 75 realised of 100
	// planned; both reports on time with evidence; a plan in one of two years.
	want := map[string]float64{"commitment": 100, "alignment": 80, "deviation": 75, "reporting": 100, "documents": 100, "sustainability": 50}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("%s: %v, want %v", k, s[k], v)
		}
	}
	total := 100*25 + 80*20 + 75*15 + 100*15 + 50*15 + 100*10
	if scores[0]["total"] != float64(total) || scores[0]["totalPercent"] != partnership.Percent(int64(total)) {
		t.Fatalf("total %v, want %d", scores[0]["total"], total)
	}
	adjust := fmt.Sprintf("/api/awards/2025/partners/%d/adjust", partner)
	if r := secretariat.do("POST", adjust, map[string]any{"delta": 300}); r.status != http.StatusBadRequest || r.errField() != "reason" {
		t.Fatalf("adjust without a reason: %d %v", r.status, r.body)
	}
	if r := secretariat.do("POST", adjust, map[string]any{"delta": 9000, "reason": "terlalu"}); r.status != http.StatusBadRequest || r.errField() != "delta" {
		t.Fatalf("adjust beyond 100%%: %d %v", r.status, r.body)
	}
	expect(t, "adjust an unknown partner", secretariat.do("POST", "/api/awards/2025/partners/9999/adjust", map[string]any{"delta": 1, "reason": "x"}), http.StatusNotFound)
	r = secretariat.do("POST", adjust, map[string]any{"delta": 300, "reason": "Pendampingan pustakawan berlanjut ke 2027"})
	expect(t, "adjust", r, http.StatusOK)
	if r.body["adjusted"] != float64(total+300) || len(r.body["adjustments"].([]any)) != 1 {
		t.Fatalf("adjusted: %v", r.body)
	}
	// Scoring again keeps the adjustment; publishing makes it final.
	r = secretariat.do("POST", "/api/awards/2025/score", nil)
	if items(t, r)[0]["adjusted"] != float64(total+300) {
		t.Fatalf("rescored: %v", r.body)
	}
	expect(t, "publish", secretariat.do("POST", "/api/awards/2025/publish", nil), http.StatusOK)
	expect(t, "adjust a published award", secretariat.do("POST", adjust, map[string]any{"delta": 1, "reason": "x"}), http.StatusConflict)
	expect(t, "score a published cycle", secretariat.do("POST", "/api/awards/2025/score", nil), http.StatusConflict)
	if pub := items(t, anyone.do("GET", "/api/awards/2025", nil)); pub[0]["state"] != "published" {
		t.Fatalf("public awards: %v", pub)
	}

	// Its maturity: planned, one year only — philanthropy.
	if st := anyone.do("GET", fmt.Sprintf("/api/partners/%d/compliance", partner), nil); st.body["maturity"] != "philanthropy" || st.body["compliance"] != "compliant" {
		t.Fatalf("standing: %v", st.body)
	}
	all := items(t, anyone.do("GET", "/api/compliance", nil))
	if len(all) != 2 {
		t.Fatalf("standings: %v", all)
	}
}
