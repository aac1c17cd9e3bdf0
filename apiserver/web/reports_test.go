package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Evidence as it arrives from a phone or a scanner, and things pretending to be evidence.
var (
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0x42}, 2048)...)
	pdfFile  = []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	htmlFile = []byte("<!DOCTYPE html><html><body><script>fetch('/api/me')</script></body></html>")
	exeFile  = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), bytes.Repeat([]byte{0}, 512)...)
)

type upload struct {
	name, contentType string
	data              []byte
}

// form posts a multipart form, as a browser does: fields, and files under
// their field name ("attachments" unless the upload says otherwise).
func (c *client) form(path string, fields map[string]string, files ...upload) response {
	c.w.t.Helper()
	values := map[string][]string{}
	for k, v := range fields {
		values[k] = []string{v}
	}
	parts := make([]formPart, len(files))
	for i, f := range files {
		parts[i] = formPart{"attachments", f.name, f.contentType, f.data}
		if f.contentType == "field:file" {
			parts[i].field, parts[i].contentType = "file", "image/png"
		}
	}
	return c.multipartForm(path, values, parts)
}

func reportFields(spent int64, start, end string) map[string]string {
	return map[string]string{"spent": fmt.Sprint(spent), "outputs": "Saluran 120 m diperbaiki; RT 03 tidak tergenang lagi.",
		"participants": "85", "activityStart": start, "activityEnd": end}
}

// approvedProposals has RW 02 propose activities of the given costs, the
// ward's Musrenbang fund them all, and the lurah approve the first approve of them.
func approvedProposals(t *testing.T, w *world, rw, lurah *client, approve int, costs ...int64) []int64 {
	t.Helper()
	var ids []int64
	for _, cost := range costs {
		p := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "infrastructure", cost, "infrastructure"))
		expect(t, "proposal", p, http.StatusCreated)
		ids = append(ids, id(t, p))
	}
	m := lurah.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.73.01.1001", "fiscalYear": 2026, "scheduledAt": w.now.Add(48 * time.Hour), "place": "Aula Kelurahan Sukarasa"})
	expect(t, "schedule", m, http.StatusCreated)
	path := fmt.Sprintf("/api/musrenbang/%d", id(t, m))
	quorum := map[string]int{"rt-board": 4, "rw-board": 3, "community-leader": 2, "women-leader": 3, "youth-leader": 2, "resident": 6}
	expect(t, "attendance", lurah.do("POST", path+"/attendance", map[string]any{"attendance": quorum}), http.StatusOK)
	for i, pid := range ids {
		expect(t, "fund", lurah.do("POST", path+"/decisions", map[string]any{"proposal": pid, "decision": "fund"}), http.StatusOK)
		if i < approve {
			expect(t, "approve", lurah.do("POST", fmt.Sprintf("/api/proposals/%d/approve", pid), nil), http.StatusOK)
		}
	}
	return ids
}

// proposalState and reportCount say what a refused request must not have changed.
func proposalState(t *testing.T, c *client, pid int64) any {
	t.Helper()
	return c.do("GET", fmt.Sprintf("/api/proposals/%d", pid), nil).body["state"]
}

func reportCount(t *testing.T, c *client) int {
	t.Helper()
	r := c.do("GET", "/api/reports?scope=32.73.01.1001", nil)
	expect(t, "list reports", r, http.StatusOK)
	return len(r.body["items"].([]any))
}

// The whole way up, down and up again, on both databases: the evidence
// comes back byte for byte from a BLOB and from a BYTEA.
func TestReportsUpTheHierarchy(t *testing.T) {
	onBothDatabases(t, reportsUpTheHierarchy)
}

func reportsUpTheHierarchy(t *testing.T, w *world) {
	bandungStaff(w)
	w.people("setda")
	signed := w.signedIn("rw02", "pkk", "lurah", "lurah-geger", "camat", "setda", "warga")
	rw, pkk, lurah, other, camat, setda, warga := signed[0], signed[1], signed[2], signed[3], signed[4], signed[5], signed[6]

	ids := approvedProposals(t, w, rw, lurah, 2, 60_000_000, 5_000_000)
	pid, spare := ids[0], ids[1]
	reports := fmt.Sprintf("/api/proposals/%d/reports", pid)

	// The institution reports with a photo and a receipt; the ward verifies,
	// the kecamatan consolidates.
	expect(t, "the PKK reports on the RW's proposal", pkk.form(reports, reportFields(58_000_000, "2026-11-02", "2026-11-20"), upload{"foto.png", "image/png", pngFile}), http.StatusForbidden)
	expect(t, "a resident reads reports", warga.do("GET", "/api/reports?scope=32.73.01.1001", nil), http.StatusForbidden)
	r := rw.form(reports, reportFields(58_000_000, "2026-11-02", "2026-11-20"),
		upload{"foto saluran.png", "image/png", pngFile}, upload{"kuitansi.pdf", "application/pdf", pdfFile})
	expect(t, "report", r, http.StatusCreated)
	first := id(t, r)
	path := fmt.Sprintf("/api/reports/%d", first)
	// Due at the end of the 30th day after the activity, in Jakarta.
	if r.body["state"] != "submitted" || r.body["pending"] != "verify" || r.body["late"] != false || r.body["dueAt"] != "2026-12-20T16:59:59Z" ||
		r.body["activityEnd"] != "2026-11-20" || r.body["spent"] != 58_000_000.0 || r.body["proposal"] != float64(pid) {
		t.Fatalf("the report as submitted: %v", r.body)
	}
	atts := r.body["attachments"].([]any)
	if len(atts) != 2 || atts[0].(map[string]any)["contentType"] != "image/png" || atts[1].(map[string]any)["contentType"] != "application/pdf" ||
		atts[1].(map[string]any)["url"] != fmt.Sprintf("/r/bandung/api/reports/%d/attachments/2", first) {
		t.Fatalf("attachments: %v", atts)
	}
	if s := proposalState(t, rw, pid); s != "reported" {
		t.Fatalf("the proposal after its report is %v", s)
	}
	expect(t, "a second report while one is pending", rw.do("POST", reports, map[string]any{"spent": 1, "outputs": "x", "activityStart": "2026-11-02", "activityEnd": "2026-11-20"}), http.StatusConflict)

	// The evidence is served as a download of the type its content is.
	status, header, data := lurah.request("GET", path+"/attachments/1", "", nil)
	if status != http.StatusOK || !bytes.Equal(data, pngFile) || header.Get("Content-Type") != "image/png" ||
		header.Get("X-Content-Type-Options") != "nosniff" || header.Get("Content-Disposition") != `attachment; filename="foto saluran.png"` {
		t.Fatalf("attachment 1: %d %v", status, header)
	}
	if status, _, _ := other.request("GET", path+"/attachments/1", "", nil); status != http.StatusForbidden {
		t.Fatalf("another ward's lurah downloads the evidence: %d", status)
	}
	expect(t, "attachment 3 of 2", lurah.do("GET", path+"/attachments/3", nil), http.StatusNotFound)

	expect(t, "the lurah of another ward verifies", other.do("POST", path+"/verify", nil), http.StatusForbidden)
	expect(t, "the RW verifies its own report", rw.do("POST", path+"/verify", nil), http.StatusForbidden)
	expect(t, "consolidate before verification", camat.do("POST", path+"/consolidate", nil), http.StatusConflict)
	expect(t, "the camat sends back what the lurah has not seen", camat.do("POST", path+"/return", map[string]string{"reason": "x"}), http.StatusForbidden)
	r = lurah.do("POST", path+"/verify", nil)
	if r.status != http.StatusOK || r.body["state"] != "verified" || r.body["verifiedAt"] == nil || r.body["pending"] != "consolidate" {
		t.Fatalf("verify: %d %v", r.status, r.body)
	}
	expect(t, "verify twice", lurah.do("POST", path+"/verify", nil), http.StatusConflict)
	expect(t, "consolidate", camat.do("POST", path+"/consolidate", nil), http.StatusOK)

	// The regional secretariat sends it back; the lurah, whose step is past, cannot.
	expect(t, "the lurah sends back a consolidated report", lurah.do("POST", path+"/return", map[string]string{"reason": "x"}), http.StatusForbidden)
	r = setda.do("POST", path+"/return", map[string]string{"reason": " "})
	if r.status != http.StatusBadRequest || r.errField() != "reason" {
		t.Fatalf("send back without a reason: %d %v", r.status, r.body)
	}
	r = setda.do("POST", path+"/return", map[string]string{"reason": "Kuitansi tidak sesuai dengan nilai yang dilaporkan."})
	if r.status != http.StatusOK || r.body["state"] != "returned" || r.body["reason"] != "Kuitansi tidak sesuai dengan nilai yang dilaporkan." {
		t.Fatalf("send back: %d %v", r.status, r.body)
	}
	if s := proposalState(t, rw, pid); s != "returned" {
		t.Fatalf("the proposal after its report was sent back is %v", s)
	}
	expect(t, "verify a report sent back", lurah.do("POST", path+"/verify", nil), http.StatusConflict)

	// The RW resubmits, as JSON this time; the report sent back stays as history.
	r = rw.do("POST", reports, map[string]any{"spent": 55_000_000, "outputs": "Saluran 120 m; kuitansi diperbaiki.", "participants": 85, "activityStart": "2026-11-02", "activityEnd": "2026-11-20"})
	expect(t, "resubmit", r, http.StatusCreated)
	second := id(t, r)
	path2 := fmt.Sprintf("/api/reports/%d", second)
	list := lurah.do("GET", fmt.Sprintf("/api/reports?scope=32.73.01.1001&proposal=%d", pid), nil).body["items"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["state"] != "returned" || list[1].(map[string]any)["state"] != "submitted" {
		t.Fatalf("the proposal's reports: %v", list)
	}
	if l := camat.do("GET", "/api/reports?scope=32.73.01&state=returned", nil).body["items"].([]any); len(l) != 1 {
		t.Fatalf("returned reports of the kecamatan: %v", l)
	}
	expect(t, "verify the resubmission", lurah.do("POST", path2+"/verify", nil), http.StatusOK)
	expect(t, "consolidate the resubmission", camat.do("POST", path2+"/consolidate", nil), http.StatusOK)
	expect(t, "the camat evaluates", camat.do("POST", path2+"/evaluate", map[string]string{"evaluation": "Baik"}), http.StatusForbidden)
	r = setda.do("POST", path2+"/evaluate", map[string]string{})
	if r.status != http.StatusBadRequest || r.errField() != "evaluation" {
		t.Fatalf("evaluate without a note: %d %v", r.status, r.body)
	}
	r = setda.do("POST", path2+"/evaluate", map[string]string{"evaluation": "Tepat sasaran; partisipasi warga tinggi."})
	if r.status != http.StatusOK || r.body["state"] != "evaluated" || r.body["evaluation"] != "Tepat sasaran; partisipasi warga tinggi." || r.body["pending"] != nil {
		t.Fatalf("evaluate: %d %v", r.status, r.body)
	}
	if s := proposalState(t, rw, pid); s != "evaluated" {
		t.Fatalf("the proposal after evaluation is %v", s)
	}
	expect(t, "send back an evaluated report", setda.do("POST", path2+"/return", map[string]string{"reason": "x"}), http.StatusConflict)
	expect(t, "cancel an evaluated proposal", rw.do("POST", fmt.Sprintf("/api/proposals/%d/cancel", pid), map[string]any{"reason": "x"}), http.StatusConflict)

	// Realisation is public: every step is in the public audit log.
	for action, want := range map[string]int{"report:submit": 2, "report:verify": 2, "report:consolidate": 2, "report:evaluate": 2} {
		a := w.client("bandung").do("GET", "/api/audit/public?action="+action, nil)
		if n := len(a.body["items"].([]any)); n != want {
			t.Errorf("%d public %s entries, want %d", n, action, want)
		}
	}

	// Cancelling the other approved proposal releases its 5 million; the reported 60 stay committed.
	expect(t, "cancel without a reason", rw.do("POST", fmt.Sprintf("/api/proposals/%d/cancel", spare), map[string]any{}), http.StatusBadRequest)
	expect(t, "cancel", rw.do("POST", fmt.Sprintf("/api/proposals/%d/cancel", spare), map[string]any{"reason": "Dikerjakan swadaya"}), http.StatusOK)
	if a := warga.do("GET", "/api/allocations?institution=32.73.01.1001/rw-02&fiscalYear=2026", nil); a.body["committed"] != 60_000_000.0 {
		t.Fatalf("allocation after cancelling: %v", a.body)
	}
	expect(t, "report on a cancelled proposal", rw.do("POST", fmt.Sprintf("/api/proposals/%d/reports", spare), map[string]any{"spent": 1, "outputs": "x", "activityStart": "2026-11-02", "activityEnd": "2026-11-20"}), http.StatusConflict)
}

func TestReportBadInputChangesNothing(t *testing.T) {
	w := newWorld(t)
	bandungStaff(w)
	rw := w.client("bandung").mustSignIn("rw02")
	lurah := w.client("bandung").mustSignIn("lurah")
	ids := approvedProposals(t, w, rw, lurah, 1, 30_000_000, 5_000_000)
	pid, funded := ids[0], ids[1]
	reports := fmt.Sprintf("/api/proposals/%d/reports", pid)
	good := func() map[string]string { return reportFields(20_000_000, "2026-11-02", "2026-11-20") }
	with := func(k, v string) map[string]string { f := good(); f[k] = v; return f }
	big := append(append([]byte{}, pngFile...), make([]byte, 3<<20)...)
	six := make([]upload, 6)
	for i := range six {
		six[i] = upload{fmt.Sprintf("foto-%d.png", i+1), "image/png", pngFile}
	}

	for _, tt := range []struct {
		name   string
		fields map[string]string
		files  []upload
		field  string
		says   string
	}{
		{"spent more than the cost", with("spent", "30000001"), nil, "spent", "Rp 30.000.001 spent is more than the Rp 30.000.000 committed"},
		{"negative spent", with("spent", "-1"), nil, "spent", "negative"},
		{"dates in the wrong order", reportFields(1, "2026-11-20", "2026-11-02"), nil, "activityEnd", "before the activity started"},
		{"an activity ending tomorrow", reportFields(1, "2026-11-02", "2026-11-27"), nil, "activityEnd", "future"},
		{"no outputs", with("outputs", ""), nil, "outputs", "required"},
		{"a 3 MiB photo", good(), []upload{{"besar.png", "image/png", big}}, "attachments", "at most 2 MiB"},
		{"a page renamed .png", good(), []upload{{"foto.png", "image/png", htmlFile}}, "attachments", "not a PDF, JPEG or PNG"},
		{"a program renamed .png", good(), []upload{{"foto.png", "image/png", exeFile}}, "attachments", "not a PDF, JPEG or PNG"},
		{"six files", good(), six, "attachments", "at most 5"},
		{"a file in another field", good(), []upload{{"foto.png", "field:file", pngFile}}, "file", "attachments"},
	} {
		r := rw.form(reports, tt.fields, tt.files...)
		if r.status != http.StatusBadRequest || r.errField() != tt.field || !strings.Contains(fmt.Sprint(r.body), tt.says) {
			t.Errorf("%s: %d %v, want 400 on %s saying %q", tt.name, r.status, r.body, tt.field, tt.says)
		}
	}
	r := rw.do("POST", reports, map[string]any{"spent": -5, "outputs": "x", "activityStart": "2026-11-02", "activityEnd": "2026-11-20"})
	if r.status != http.StatusBadRequest || r.errField() != "spent" {
		t.Errorf("negative spent as JSON: %d %v", r.status, r.body)
	}
	r = rw.do("POST", reports, map[string]any{"spent": "banyak", "outputs": "x", "activityStart": "2026-11-02", "activityEnd": "2026-11-20"})
	if r.status != http.StatusBadRequest || r.errField() != "spent" {
		t.Errorf("spent as text: %d %v", r.status, r.body)
	}
	expect(t, "unknown proposal", rw.form("/api/proposals/999/reports", good()), http.StatusNotFound)
	r = rw.form(fmt.Sprintf("/api/proposals/%d/reports", funded), reportFields(1, "2026-11-02", "2026-11-20"))
	if r.status != http.StatusConflict || !strings.Contains(fmt.Sprint(r.body), "approved") {
		t.Errorf("a report on a proposal not approved: %d %v", r.status, r.body)
	}
	if s := proposalState(t, rw, pid); s != "approved" {
		t.Errorf("refused reports moved the proposal to %v", s)
	}
	if s := proposalState(t, rw, funded); s != "funded" {
		t.Errorf("a refused report moved the funded proposal to %v", s)
	}
	if n := reportCount(t, lurah); n != 0 {
		t.Errorf("%d reports stored by refused requests", n)
	}
	if a := w.client("bandung").do("GET", "/api/audit/public?action=report:submit", nil); len(a.body["items"].([]any)) != 0 {
		t.Errorf("refused reports were audited: %v", a.body)
	}
	expect(t, "an unknown report", lurah.do("GET", "/api/reports/999", nil), http.StatusNotFound)
	expect(t, "verify an unknown report", lurah.do("POST", "/api/reports/999/verify", nil), http.StatusNotFound)
	expect(t, "send back an unknown report", lurah.do("POST", "/api/reports/999/return", map[string]string{"reason": "x"}), http.StatusNotFound)
	r = lurah.do("GET", "/api/reports?scope=32.73.01.1001&state=lost", nil)
	if r.status != http.StatusBadRequest || r.errField() != "state" {
		t.Errorf("an unknown state: %d %v", r.status, r.body)
	}

	// Five files, each just under the limit, fit in one request.
	five := make([]upload, 5)
	for i := range five {
		five[i] = upload{fmt.Sprintf("foto-%d.png", i+1), "image/png", append(append([]byte{}, pngFile...), make([]byte, 2<<20-len(pngFile))...)}
	}
	r = rw.form(reports, good(), five...)
	if r.status != http.StatusCreated || len(r.body["attachments"].([]any)) != 5 {
		t.Fatalf("five 2 MiB files: %d %v", r.status, r.body)
	}
}

// A report submitted after its due date is late; one before is not.
func TestLateReport(t *testing.T) {
	w := newWorld(t)
	bandungStaff(w)
	rw := w.client("bandung").mustSignIn("rw02")
	lurah := w.client("bandung").mustSignIn("lurah")
	ids := approvedProposals(t, w, rw, lurah, 1, 10_000_000)

	// The activity ended on 20 November; the report was due by the end of 20 December.
	w.advance(40 * 24 * time.Hour)
	rw = w.client("bandung").mustSignIn("rw02")
	r := rw.form(fmt.Sprintf("/api/proposals/%d/reports", ids[0]), reportFields(9_000_000, "2026-11-02", "2026-11-20"), upload{"foto.jpg", "image/jpeg", append([]byte("\xff\xd8\xff\xe0"), pngFile[8:]...)})
	expect(t, "late report", r, http.StatusCreated)
	if r.body["late"] != true || r.body["dueAt"] != "2026-12-20T16:59:59Z" || r.body["attachments"].([]any)[0].(map[string]any)["contentType"] != "image/jpeg" {
		t.Fatalf("a report 16 days after its due date: %v", r.body)
	}
	lurah = w.client("bandung").mustSignIn("lurah")
	if got := lurah.do("GET", fmt.Sprintf("/api/reports/%d", id(t, r)), nil); got.body["late"] != true {
		t.Fatalf("read back: %v", got.body)
	}
}
