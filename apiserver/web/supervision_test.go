package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// svPeople seeds the supervisors, offices and residents of two wards of
// Kecamatan Sukasari, Kota Bandung.
func svPeople(w *world) {
	w.people("admin", "inspektorat", "ombudsman", "camat", "lurah", "lurah-geger", "rw02", "siti", "budi")
}

// svAudit is the audit log's entries about one object, as the admin reads them.
func svAudit(t *testing.T, admin *client, objectType string, id int64) []map[string]any {
	t.Helper()
	r := admin.do("GET", fmt.Sprintf("/api/audit?objectType=%s&objectId=%d", objectType, id), nil)
	expect(t, "audit", r, http.StatusOK)
	var out []map[string]any
	for _, it := range r.body["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// svStep is the audit entry of a step: its action, the role whose grant
// decided it, and the state it moved the object from and to.
type svStep struct{ action, role, from, to string }

// svSteps checks that the audit log's entries about one object are the
// steps of want, in order, each public or not, and returns them.
func svSteps(t *testing.T, admin *client, objectType string, id int64, public bool, want []svStep) []map[string]any {
	t.Helper()
	entries := svAudit(t, admin, objectType, id)
	if len(entries) != len(want) {
		t.Fatalf("%d audit entries, want %d: %v", len(entries), len(want), entries)
	}
	for i, e := range entries {
		before, _ := e["before"].(map[string]any)
		after, _ := e["after"].(map[string]any)
		from, _ := before["state"].(string)
		if e["action"] != want[i].action || e["actorRole"] != want[i].role || from != want[i].from || after["state"] != want[i].to || e["public"] != public {
			t.Errorf("entry %d: %v, want %+v", i, e, want[i])
		}
	}
	return entries
}

func svIDs(r response) []int64 {
	var out []int64
	items, _ := r.body["items"].([]any)
	for _, it := range items {
		out = append(out, int64(it.(map[string]any)["id"].(float64)))
	}
	return out
}

func TestAnonymousComplaintIsFollowedByTrackingCode(t *testing.T) {
	w := newWorld(t)
	svPeople(w)
	anon := w.client("bandung")
	filed := w.now
	r := anon.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1001", "subject": "Pungutan liar", "body": "Petugas meminta uang untuk surat pengantar."})
	expect(t, "anonymous complaint", r, http.StatusCreated)
	code, _ := r.body["trackingCode"].(string)
	cid := id(t, r)
	if code == "" || r.body["anonymous"] != true || r.body["public"] != false || r.body["state"] != "filed" || r.body["overdue"] != false {
		t.Fatalf("filed: %v", r.body)
	}
	if r.body["dueAt"] != filed.Add(14*24*time.Hour).Format(time.RFC3339) {
		t.Fatalf("due %v, want 14 days after %v", r.body["dueAt"], filed)
	}
	if _, shown := r.body["filedBy"]; shown {
		t.Fatalf("an anonymous complaint shows a filer: %v", r.body)
	}

	// The filer follows it by its code, however typed; nobody else sees it.
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", "")} {
		r := w.client("bandung").do("GET", "/api/complaints/track/"+typed, nil)
		expect(t, "track "+typed, r, http.StatusOK)
		if id(t, r) != cid || r.body["body"] != "Petugas meminta uang untuk surat pengantar." {
			t.Fatalf("tracked: %v", r.body)
		}
		if _, again := r.body["trackingCode"]; again {
			t.Fatal("the tracking code is shown again")
		}
	}
	expect(t, "an unknown code", anon.do("GET", "/api/complaints/track/7K3QD-M0XZA-9PRTV-4HG2E", nil), http.StatusNotFound)
	if r := anon.do("GET", "/api/complaints/track/bukan-kode", nil); r.status != http.StatusBadRequest || r.errField() != "code" {
		t.Fatalf("a malformed code: %d %v", r.status, r.body)
	}
	expect(t, "anonymous reads the private complaint by id", anon.do("GET", fmt.Sprintf("/api/complaints/%d", cid), nil), http.StatusNotFound)
	expect(t, "a resident reads it", w.client("bandung").mustSignIn("siti").do("GET", fmt.Sprintf("/api/complaints/%d", cid), nil), http.StatusNotFound)
	lurah := w.client("bandung").mustSignIn("lurah")
	expect(t, "the lurah reads it", lurah.do("GET", fmt.Sprintf("/api/complaints/%d", cid), nil), http.StatusOK)

	// The lurah handles it; the filer sees the progress by code.
	expect(t, "receive", lurah.do("POST", fmt.Sprintf("/api/complaints/%d/receive", cid), nil), http.StatusOK)
	if r := anon.do("GET", "/api/complaints/track/"+code, nil); r.body["state"] != "received" {
		t.Fatalf("tracked after receipt: %v", r.body)
	}

	// The audit log names nobody and keeps neither the texts nor the code; a
	// private complaint's entries are not public.
	admin := w.client("bandung").mustSignIn("admin")
	entries := svAudit(t, admin, "complaint", cid)
	if len(entries) != 2 || entries[0]["action"] != "complaint:file" || entries[0]["actor"] != "anonymous" || entries[1]["action"] != "complaint:handle" {
		t.Fatalf("audit entries %v", entries)
	}
	for _, e := range entries {
		s := fmt.Sprint(e)
		if strings.Contains(s, code) || strings.Contains(s, "Pungutan") || strings.Contains(s, "Petugas") || e["public"] != false {
			t.Fatalf("the audit entry gives away too much: %v", e)
		}
	}
	public := anon.do("GET", "/api/audit/public?objectType=complaint", nil)
	if items := public.body["items"].([]any); len(items) != 0 {
		t.Fatalf("a private complaint's entries are public: %v", items)
	}
}

func TestBadComplaintsAreRefusedAndChangeNothing(t *testing.T) {
	w := newWorld(t)
	svPeople(w)
	siti := w.client("bandung").mustSignIn("siti")
	ok := map[string]any{"ward": "32.73.01.1001", "subject": "Lampu jalan mati", "body": "Sejak sebulan."}
	refusesEach(t, "/api/complaints", ok, []badInput{
		{"no subject", map[string]any{"subject": nil}, "subject"},
		{"blank subject", map[string]any{"subject": "   "}, "subject"},
		{"oversized subject", map[string]any{"subject": strings.Repeat("a", 151)}, "subject"},
		{"no body", map[string]any{"body": nil}, "body"},
		{"oversized body", map[string]any{"body": strings.Repeat("b", 5001)}, "body"},
		{"unknown ward", map[string]any{"ward": "32.73.01.1099"}, "ward"},
		{"a ward of another region", map[string]any{"ward": "32.11.01.2001"}, "ward"},
		{"a kecamatan", map[string]any{"ward": "32.73.01"}, "ward"},
		{"no ward", map[string]any{"ward": nil}, "ward"},
		{"an institution of another ward", map[string]any{"institution": "32.73.01.1002/lpm"}, "institution"},
		{"a subject of the wrong type", map[string]any{"subject": 42}, "subject"},
	}, siti, w.client("bandung"))
	if n := w.count("complaints"); n != 0 {
		t.Fatalf("%d complaints stored after refusals", n)
	}
	expect(t, "a complaint about an institution", siti.do("POST", "/api/complaints", edited(ok, map[string]any{"institution": "32.73.01.1001/rw-02"})), http.StatusCreated)
	expect(t, "an unknown complaint", siti.do("GET", "/api/complaints/999", nil), http.StatusNotFound)
	expect(t, "a bad id", siti.do("GET", "/api/complaints/abc", nil), http.StatusBadRequest)
	lurah := w.client("bandung").mustSignIn("lurah")
	expect(t, "receive an unknown complaint", lurah.do("POST", "/api/complaints/999/receive", nil), http.StatusNotFound)
	if r := lurah.do("GET", "/api/complaints?state=lost", nil); r.status != http.StatusBadRequest || r.errField() != "state" {
		t.Fatalf("an unknown state: %d %v", r.status, r.body)
	}
}

func TestComplaintsAreSeenByTheirFilerHandlersAndWhenPublicByAll(t *testing.T) {
	w := newWorld(t)
	svPeople(w)
	signed := w.signedIn("siti", "budi", "lurah", "lurah-geger")
	siti, budi, lurah, other := signed[0], signed[1], signed[2], signed[3]
	anon := w.client("bandung")

	r := siti.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1001", "subject": "Tetangga membuang sampah", "body": "Di selokan RT 03."})
	expect(t, "Siti's private complaint", r, http.StatusCreated)
	private := id(t, r)
	if r.body["own"] != true || r.body["anonymous"] != false || r.body["trackingCode"] != nil {
		t.Fatalf("filed by Siti: %v", r.body)
	}
	r = budi.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1002", "subject": "Jalan berlubang", "body": "Jl. Gegerkalong Hilir.", "public": true})
	expect(t, "Budi's public complaint", r, http.StatusCreated)
	public := id(t, r)

	get := func(c *client, id int64) response { return c.do("GET", fmt.Sprintf("/api/complaints/%d", id), nil) }
	expect(t, "Siti reads her own", get(siti, private), http.StatusOK)
	expect(t, "Budi reads Siti's private complaint", get(budi, private), http.StatusNotFound)
	expect(t, "a stranger reads Siti's private complaint", get(anon, private), http.StatusNotFound)
	expect(t, "the lurah of another ward reads it", get(other, private), http.StatusNotFound)
	r = get(lurah, private)
	expect(t, "the lurah of Sukarasa reads it", r, http.StatusOK)
	if r.body["filedBy"] == nil || r.body["body"] != "Di selokan RT 03." {
		t.Fatalf("the lurah's view: %v", r.body)
	}
	for name, c := range map[string]*client{"anonymous": anon, "siti": siti, "lurah": lurah} {
		r := get(c, public)
		expect(t, name+" reads the public complaint", r, http.StatusOK)
		if _, shown := r.body["filedBy"]; shown {
			t.Errorf("%s sees who filed the public complaint: %v", name, r.body)
		}
	}

	lists := map[string]struct {
		c     *client
		query string
		want  []int64
	}{
		"a stranger":             {anon, "", []int64{public}},
		"Siti":                   {siti, "", []int64{private, public}},
		"Siti's own":             {siti, "?mine=true", []int64{private}},
		"Siti, public only":      {siti, "?public=true", []int64{public}},
		"Budi":                   {budi, "", []int64{public}},
		"the lurah of Sukarasa":  {lurah, "", []int64{private, public}},
		"the lurah, own ward":    {lurah, "?scope=32.73.01.1001", []int64{private}},
		"the lurah, filed":       {lurah, "?state=filed", []int64{private, public}},
		"the lurah of Gegerkal.": {other, "", []int64{public}},
	}
	for name, tt := range lists {
		r := tt.c.do("GET", "/api/complaints"+tt.query, nil)
		expect(t, name, r, http.StatusOK)
		if got := svIDs(r); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s lists %v, want %v", name, got, tt.want)
		}
	}
	expect(t, "a stranger's own complaints", anon.do("GET", "/api/complaints?mine=true", nil), http.StatusUnauthorized)

	// Budi escalates only his own complaint; a stranger escalates nothing.
	expect(t, "Budi escalates Siti's complaint", budi.do("POST", fmt.Sprintf("/api/complaints/%d/escalate", private), map[string]string{"reason": "x"}), http.StatusForbidden)
	expect(t, "a stranger escalates", anon.do("POST", fmt.Sprintf("/api/complaints/%d/escalate", public), map[string]string{"reason": "x"}), http.StatusUnauthorized)
	// Residents handle nothing, not even their own.
	expect(t, "Siti receives her own complaint", siti.do("POST", fmt.Sprintf("/api/complaints/%d/receive", private), nil), http.StatusForbidden)
	if r := get(lurah, private); r.body["state"] != "filed" {
		t.Fatalf("refused moves changed the complaint: %v", r.body)
	}
}

func TestComplaintIsHandledEscalatedAndResolvedByTheOmbudsman(t *testing.T) {
	w := newWorld(t)
	svPeople(w)
	signed := w.signedIn("siti", "lurah", "lurah-geger", "ombudsman", "admin")
	siti, lurah, other, ombudsman, admin := signed[0], signed[1], signed[2], signed[3], signed[4]

	r := siti.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1001", "subject": "Bantuan tidak sampai", "body": "Bantuan beras RW 02 tidak dibagikan.", "public": true})
	expect(t, "file", r, http.StatusCreated)
	cid := id(t, r)
	path := func(step string) string { return fmt.Sprintf("/api/complaints/%d/%s", cid, step) }
	state := func() string {
		return lurah.do("GET", fmt.Sprintf("/api/complaints/%d", cid), nil).body["state"].(string)
	}

	expect(t, "the lurah of another ward receives it", other.do("POST", path("receive"), nil), http.StatusForbidden)
	expect(t, "the ombudsman receives it before escalation", ombudsman.do("POST", path("receive"), nil), http.StatusForbidden)
	if s := state(); s != "filed" {
		t.Fatalf("refused receipts left it %s", s)
	}
	expect(t, "resolve before investigating", lurah.do("POST", path("resolve"), map[string]string{"resolution": "x"}), http.StatusConflict)
	expect(t, "receive", lurah.do("POST", path("receive"), nil), http.StatusOK)
	expect(t, "receive twice", lurah.do("POST", path("receive"), nil), http.StatusConflict)
	expect(t, "investigate", lurah.do("POST", path("investigate"), nil), http.StatusOK)
	if r := lurah.do("POST", path("resolve"), map[string]string{"resolution": " "}); r.status != http.StatusBadRequest || r.errField() != "resolution" {
		t.Fatalf("resolve without a resolution: %d %v", r.status, r.body)
	}
	if r := siti.do("POST", path("escalate"), map[string]string{}); r.status != http.StatusBadRequest || r.errField() != "reason" {
		t.Fatalf("escalate without a reason: %d %v", r.status, r.body)
	}
	if s := state(); s != "investigating" {
		t.Fatalf("refused moves left it %s", s)
	}

	// Siti is not satisfied: she takes it to the ombudsman, who handles it from now on.
	// Sessions expire while the clock moves on by days: everyone signs in again.
	later := func(d time.Duration) {
		w.advance(d)
		for name, c := range map[string]*client{"siti": siti, "lurah": lurah, "ombudsman": ombudsman, "admin": admin} {
			c.mustSignIn(name)
		}
	}
	later(3 * 24 * time.Hour)
	r = siti.do("POST", path("escalate"), map[string]string{"reason": "Tidak ada perkembangan."})
	expect(t, "escalate", r, http.StatusOK)
	if r.body["state"] != "escalated" || r.body["ombudsman"] != true || r.body["escalationReason"] != "Tidak ada perkembangan." {
		t.Fatalf("escalated: %v", r.body)
	}
	expect(t, "escalate twice", siti.do("POST", path("escalate"), map[string]string{"reason": "lagi"}), http.StatusConflict)
	r = lurah.do("POST", path("resolve"), map[string]string{"resolution": "Sudah dibagikan."})
	expect(t, "the lurah resolves an escalated complaint", r, http.StatusForbidden)
	if !strings.Contains(fmt.Sprint(r.body), "ombudsman") {
		t.Errorf("the refusal does not say why: %v", r.body)
	}
	expect(t, "the ombudsman takes it up", ombudsman.do("POST", path("investigate"), nil), http.StatusOK)
	expect(t, "the lurah resolves it after all", lurah.do("POST", path("resolve"), map[string]string{"resolution": "x"}), http.StatusForbidden)
	later(2 * 24 * time.Hour)
	r = ombudsman.do("POST", path("resolve"), map[string]string{"resolution": "Beras dibagikan; lurah ditegur."})
	expect(t, "the ombudsman resolves it", r, http.StatusOK)
	if r.body["state"] != "resolved" || r.body["resolutionSeconds"] != float64(5*24*3600) || r.body["resolutionTime"] != "120h0m0s" || r.body["overdue"] != false {
		t.Fatalf("resolved: %v", r.body)
	}
	expect(t, "resolve twice", ombudsman.do("POST", path("resolve"), map[string]string{"resolution": "x"}), http.StatusConflict)

	// Every step is in the audit log, with its before and after, and public
	// like the complaint; none carries the complaint's texts.
	want := []svStep{
		{"complaint:file", "public", "", "filed"}, // everyone may file: the public role decided
		{"complaint:handle", "ward-office", "filed", "received"},
		{"complaint:handle", "ward-office", "received", "investigating"},
		{"complaint:escalate", "resident", "investigating", "escalated"},
		{"complaint:handle", "ombudsman", "escalated", "investigating"},
		{"complaint:handle", "ombudsman", "investigating", "resolved"},
	}
	for i, e := range svSteps(t, admin, "complaint", cid, true, want) {
		if s := fmt.Sprint(e); strings.Contains(s, "Bantuan") || strings.Contains(s, "Beras") || strings.Contains(s, "perkembangan") {
			t.Errorf("entry %d keeps the complaint's texts: %v", i, e)
		}
	}
	pub := w.client("bandung").do("GET", "/api/audit/public?objectType=complaint", nil)
	if items := pub.body["items"].([]any); len(items) != len(want) {
		t.Fatalf("%d public entries of a public complaint, want %d", len(items), len(want))
	}
}

func TestComplaintBecomesOverdueAfterTheRegionsResponseTime(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, w *world) {
		svPeople(w)
		siti := w.client("bandung").mustSignIn("siti")
		lurah := w.client("bandung").mustSignIn("lurah")
		r := siti.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1001", "subject": "Air PDAM mati", "body": "Tiga hari."})
		expect(t, "file", r, http.StatusCreated)
		late := id(t, r)
		r = siti.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1001", "subject": "Lampu jalan", "body": "Mati."})
		expect(t, "file", r, http.StatusCreated)
		onTime := id(t, r)
		expect(t, "receive", lurah.do("POST", fmt.Sprintf("/api/complaints/%d/receive", onTime), nil), http.StatusOK)
		expect(t, "investigate", lurah.do("POST", fmt.Sprintf("/api/complaints/%d/investigate", onTime), nil), http.StatusOK)
		expect(t, "resolve", lurah.do("POST", fmt.Sprintf("/api/complaints/%d/resolve", onTime), map[string]string{"resolution": "Diperbaiki."}), http.StatusOK)

		overdue := func() bool {
			return lurah.do("GET", fmt.Sprintf("/api/complaints/%d", late), nil).body["overdue"].(bool)
		}
		later := func(d time.Duration) {
			w.advance(d)
			lurah.mustSignIn("lurah") // the session expired meanwhile
		}
		// Bandung answers complaints within 14 days.
		later(14 * 24 * time.Hour)
		if overdue() {
			t.Fatal("overdue on its due date")
		}
		if ids := svIDs(lurah.do("GET", "/api/complaints?overdue=true", nil)); len(ids) != 0 {
			t.Fatalf("overdue list on the due date: %v", ids)
		}
		later(time.Minute)
		if !overdue() {
			t.Fatal("not overdue after 14 days")
		}
		if ids := svIDs(lurah.do("GET", "/api/complaints?overdue=true", nil)); fmt.Sprint(ids) != fmt.Sprint([]int64{late}) {
			t.Fatalf("overdue list %v, want [%d]", ids, late)
		}
		expect(t, "receive late", lurah.do("POST", fmt.Sprintf("/api/complaints/%d/receive", late), nil), http.StatusOK)
		expect(t, "investigate late", lurah.do("POST", fmt.Sprintf("/api/complaints/%d/investigate", late), nil), http.StatusOK)
		r = lurah.do("POST", fmt.Sprintf("/api/complaints/%d/resolve", late), map[string]string{"resolution": "Pipa diganti."})
		expect(t, "resolve late", r, http.StatusOK)
		if r.body["overdue"] != true || r.body["resolutionTime"] != "336h1m0s" {
			t.Fatalf("resolved late: %v", r.body)
		}
	})
}

func TestFindingIsRecordedAnsweredReopenedAndClosed(t *testing.T) {
	w := newWorld(t)
	svPeople(w)
	signed := w.signedIn("inspektorat", "lurah", "lurah-geger", "camat", "rw02", "siti", "admin")
	inspektorat, lurah, other, camat, rw, siti, admin := signed[0], signed[1], signed[2], signed[3], signed[4], signed[5], signed[6]
	recorded := w.now

	// Bad input names the field and stores nothing.
	ok := map[string]any{"scope": "32.73.01.1001", "objectType": "proposal", "objectId": "17", "title": "Laporan belum diverifikasi", "detail": "Laporan kegiatan RW 02 belum diverifikasi lurah."}
	refusesEach(t, "/api/findings", ok, []badInput{
		{"unknown scope", map[string]any{"scope": "32.73.01.1099"}, "scope"},
		{"no title", map[string]any{"title": ""}, "title"},
		{"oversized detail", map[string]any{"detail": strings.Repeat("d", 8001)}, "detail"},
		{"due in the past", map[string]any{"dueAt": "2026-11-01"}, "dueAt"},
		{"due before it is recorded", map[string]any{"dueAt": recorded.Add(-time.Minute).Format(time.RFC3339)}, "dueAt"},
		{"due in two years", map[string]any{"dueAt": "2028-12-01"}, "dueAt"},
		{"object id without type", map[string]any{"objectType": ""}, "objectType"},
	}, inspektorat)
	expect(t, "the lurah records a finding", lurah.do("POST", "/api/findings", ok), http.StatusForbidden)
	expect(t, "a resident records a finding", siti.do("POST", "/api/findings", ok), http.StatusForbidden)
	expect(t, "a stranger records a finding", w.client("bandung").do("POST", "/api/findings", ok), http.StatusUnauthorized)
	if n := w.count("findings"); n != 0 {
		t.Fatalf("%d findings stored after refusals", n)
	}

	r := inspektorat.do("POST", "/api/findings", ok)
	expect(t, "record", r, http.StatusCreated)
	fid := id(t, r)
	if r.body["state"] != "open" || r.body["dueAt"] != recorded.Add(30*24*time.Hour).Format(time.RFC3339) || r.body["objectId"] != "17" {
		t.Fatalf("recorded: %v", r.body)
	}
	r = camat.do("POST", "/api/findings", edited(ok, map[string]any{"dueAt": "2026-12-31"}))
	expect(t, "the camat records one in the ward with a due date", r, http.StatusCreated)
	second := id(t, r)
	if r.body["dueAt"] != "2026-12-31T16:59:59Z" { // the end of the day in Bandung
		t.Fatalf("due %v", r.body["dueAt"])
	}

	// Who reads them: where their grants reach.
	get := func(c *client) response { return c.do("GET", fmt.Sprintf("/api/findings/%d", fid), nil) }
	expect(t, "the lurah reads it", get(lurah), http.StatusOK)
	expect(t, "the RW reads a finding about its ward", get(rw), http.StatusForbidden)
	expect(t, "the lurah of another ward reads it", get(other), http.StatusForbidden)
	expect(t, "a resident reads it", get(siti), http.StatusForbidden)
	expect(t, "an unknown finding", lurah.do("GET", "/api/findings/999", nil), http.StatusNotFound)
	for name, tt := range map[string]struct {
		c     *client
		query string
		want  []int64
	}{
		"the inspectorate":              {inspektorat, "", []int64{fid, second}},
		"the lurah":                     {lurah, "", []int64{fid, second}},
		"the lurah, within an RW":       {lurah, "?scope=32.73.01.1001/rw-02", nil},
		"the camat, within Sukarasa":    {camat, "?scope=32.73.01.1001", []int64{fid, second}},
		"the lurah of another ward":     {other, "", nil},
		"the other lurah asks for more": {other, "?scope=32.73", nil},
	} {
		r := tt.c.do("GET", "/api/findings"+tt.query, nil)
		expect(t, name, r, http.StatusOK)
		if got := svIDs(r); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s lists %v, want %v", name, got, tt.want)
		}
	}
	expect(t, "a resident lists findings", siti.do("GET", "/api/findings", nil), http.StatusForbidden)
	expect(t, "a stranger lists findings", w.client("bandung").do("GET", "/api/findings", nil), http.StatusUnauthorized)

	path := func(step string) string { return fmt.Sprintf("/api/findings/%d/%s", fid, step) }
	if r := lurah.do("POST", path("respond"), map[string]string{}); r.status != http.StatusBadRequest || r.errField() != "response" {
		t.Fatalf("an empty answer: %d %v", r.status, r.body)
	}
	expect(t, "the other lurah answers", other.do("POST", path("respond"), map[string]string{"response": "x"}), http.StatusForbidden)
	expect(t, "the inspectorate answers its own finding", inspektorat.do("POST", path("respond"), map[string]string{"response": "x"}), http.StatusForbidden)
	expect(t, "closed before an answer", inspektorat.do("POST", path("close"), nil), http.StatusConflict)
	later := func(d time.Duration) {
		w.advance(d)
		for name, c := range map[string]*client{"inspektorat": inspektorat, "lurah": lurah, "admin": admin} {
			c.mustSignIn(name) // the session expired meanwhile
		}
	}
	later(24 * time.Hour)
	r = lurah.do("POST", path("respond"), map[string]string{"response": "Laporan sudah diverifikasi."})
	expect(t, "respond", r, http.StatusOK)
	if r.body["state"] != "responded" || r.body["response"] != "Laporan sudah diverifikasi." {
		t.Fatalf("responded: %v", r.body)
	}
	expect(t, "the lurah closes it", lurah.do("POST", path("close"), nil), http.StatusForbidden)
	if r := inspektorat.do("POST", path("reopen"), map[string]string{}); r.status != http.StatusBadRequest || r.errField() != "reason" {
		t.Fatalf("reopen without a reason: %d %v", r.status, r.body)
	}
	r = inspektorat.do("POST", path("reopen"), map[string]string{"reason": "Berita acara verifikasi belum dilampirkan."})
	expect(t, "reopen", r, http.StatusOK)
	if r.body["state"] != "open" || r.body["dueAt"] != w.now.Add(30*24*time.Hour).Format(time.RFC3339) || r.body["reopenReason"] == nil {
		t.Fatalf("reopened: %v", r.body)
	}
	expect(t, "answer again", lurah.do("POST", path("respond"), map[string]string{"response": "Berita acara terlampir."}), http.StatusOK)
	r = inspektorat.do("POST", path("close"), nil)
	expect(t, "close", r, http.StatusOK)
	if r.body["state"] != "closed" || r.body["closedAt"] == nil {
		t.Fatalf("closed: %v", r.body)
	}
	expect(t, "close twice", inspektorat.do("POST", path("close"), nil), http.StatusConflict)
	expect(t, "reopen a closed finding", inspektorat.do("POST", path("reopen"), map[string]string{"reason": "x"}), http.StatusConflict)

	// The second finding is left unanswered past its due date.
	later(40 * 24 * time.Hour)
	r = lurah.do("GET", fmt.Sprintf("/api/findings/%d", second), nil)
	if r.body["overdue"] != true {
		t.Fatalf("an unanswered finding past its due date: %v", r.body)
	}
	if ids := svIDs(inspektorat.do("GET", "/api/findings?overdue=true", nil)); fmt.Sprint(ids) != fmt.Sprint([]int64{second}) {
		t.Fatalf("overdue findings %v, want [%d]", ids, second)
	}
	if ids := svIDs(inspektorat.do("GET", "/api/findings?state=closed", nil)); fmt.Sprint(ids) != fmt.Sprint([]int64{fid}) {
		t.Fatalf("closed findings %v, want [%d]", ids, fid)
	}

	// Each step is in the audit log, for auditors only.
	entries := svSteps(t, admin, "finding", fid, false, []svStep{
		{"finding:record", "internal-supervisor", "", "open"},
		{"finding:respond", "ward-office", "open", "responded"},
		{"finding:record", "internal-supervisor", "responded", "open"},
		{"finding:respond", "ward-office", "open", "responded"},
		{"finding:record", "internal-supervisor", "responded", "closed"},
	})
	if reason := entries[2]["after"].(map[string]any)["reopenReason"]; reason != "Berita acara verifikasi belum dilampirkan." {
		t.Errorf("the reopening's reason is not recorded: %v", entries[2])
	}
}
