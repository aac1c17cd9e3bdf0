package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/schedule"
	"pilar.id/pilar/apiserver/store"
)

// fpPeople seeds the people of Bandung's four-pillar workflow.
func fpPeople(w *world) {
	w.people("admin", "sekretariat", "dinas", "warga", "ptkereta", "pt-sehat", "pt-dua", "kampus")
}

// fpSeedPartner stores a partner directly, as the outcomes tests may.
func fpSeedPartner(w *world, username string, kind partnership.PartnerKind, state partnership.PartnerState, areas, kecamatan []string) int64 {
	w.t.Helper()
	return w.storedPartner(username, partnership.Partner{Kind: kind, Name: "Mitra " + username, Areas: areas, Kecamatan: kecamatan, State: state, RegisteredAt: w.now})
}

type fpFile struct {
	field, name string
	data        []byte
}

var (
	fpPDF = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("surat "), 200)...)
	fpPNG = append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, bytes.Repeat([]byte{7}, 64)...)
)

// fpUpload posts a multipart form with fields and files.
func (c *client) fpUpload(path string, fields map[string][]string, files ...fpFile) response {
	c.w.t.Helper()
	parts := make([]formPart, len(files))
	for i, f := range files {
		parts[i] = formPart{f.field, f.name, "application/octet-stream", f.data}
	}
	return c.multipartForm(path, fields, parts)
}

func fpItems(r response) []map[string]any {
	items, _ := r.body["items"].([]any)
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = it.(map[string]any)
	}
	return out
}

func fpIDs(r response) []int64 {
	var out []int64
	for _, it := range fpItems(r) {
		out = append(out, int64(it["id"].(float64)))
	}
	return out
}

func fpPlanBody(board time.Time) map[string]any {
	return map[string]any{"fiscalYear": 2026, "boardApprovedAt": board, "activities": []map[string]any{
		{"title": "Beasiswa anak putus sekolah", "location": "32.73.01.1001", "area": "education", "target": "200 anak usia SD", "goal": "Kembali bersekolah", "financing": 300_000_000},
		{"title": "Bank sampah RW", "location": "32.73.01", "area": "environment", "target": "10 RW", "goal": "Sampah terpilah", "financing": 150_000_001},
		{"title": "Turnamen futsal", "location": "32.73.01.1002", "area": "sport", "target": "Pemuda", "goal": "Hiburan", "financing": 49_999_999},
	}}
}

// A partner's year: a company registers, is reviewed and approved at a
// forum meeting, submits its plan, which is aligned and approved, claims a
// resident's request, which becomes a programme all four pillars contribute
// to; a university joins on the forum's approval; an idea is adopted.
func TestFourPillarPartnersYear(t *testing.T) {
	w := newWorld(t)
	fpPeople(w)
	signed := w.signedIn("sekretariat", "ptkereta", "dinas", "warga")
	sek, pt, dinas, warga := signed[0], signed[1], signed[2], signed[3]
	anon := w.client("bandung")

	// The forum meets quarterly: one meeting in the fourth quarter.
	r := sek.do("POST", "/api/forum/meetings", map[string]any{"year": 2026, "quarter": 5, "scheduledAt": w.now.Add(14 * 24 * time.Hour), "place": "Balai Kota"})
	if r.status != http.StatusBadRequest || r.errField() != "quarter" {
		t.Fatalf("quarter 5: %d %v", r.status, r.body)
	}
	m := sek.do("POST", "/api/forum/meetings", map[string]any{"year": 2026, "quarter": 4, "scheduledAt": w.now.Add(14 * 24 * time.Hour), "place": "Balai Kota Bandung"})
	expect(t, "schedule the forum", m, http.StatusCreated)
	mid := id(t, m)
	expect(t, "a second meeting in the quarter", sek.do("POST", "/api/forum/meetings", map[string]any{"year": 2026, "quarter": 4, "scheduledAt": w.now.Add(20 * 24 * time.Hour), "place": "x"}), http.StatusConflict)
	expect(t, "a company schedules the forum", pt.do("POST", "/api/forum/meetings", map[string]any{"year": 2027, "quarter": 1, "scheduledAt": w.now.AddDate(0, 2, 0), "place": "x"}), http.StatusForbidden)
	mpath := fmt.Sprintf("/api/forum/meetings/%d", mid)

	// Registration: bad ones are refused and leave nothing behind.
	fields := map[string][]string{"kind": {"company"}, "name": {"PT Kereta Sejahtera"}, "areas": {"education,environment"}, "kecamatan": {"32.73.01"}}
	for _, tt := range []struct {
		name  string
		files []fpFile
		field string
	}{
		{"no documents", nil, "participationLetter"},
		{"no proposal", []fpFile{{"participationLetter", "surat.pdf", fpPDF}}, "proposal"},
		{"a forbidden type", []fpFile{{"participationLetter", "surat.pdf", fpPDF}, {"proposal", "proposal.pdf", []byte("<html><script>alert(1)</script>")}}, "proposal"},
		{"too large", []fpFile{{"participationLetter", "surat.pdf", append([]byte("%PDF-"), make([]byte, partnership.MaxDocumentSize)...)}, {"proposal", "p.pdf", fpPDF}}, "participationLetter"},
	} {
		r := pt.fpUpload("/api/partners", fields, tt.files...)
		if r.status != http.StatusBadRequest || r.errField() != tt.field {
			t.Errorf("%s: %d %v, want 400 on %s", tt.name, r.status, r.body, tt.field)
		}
	}
	bad := map[string][]string{"kind": {"company"}, "name": {"PT X"}, "areas": {"mining"}}
	if r := pt.fpUpload("/api/partners", bad, fpFile{"participationLetter", "s.pdf", fpPDF}, fpFile{"proposal", "p.pdf", fpPDF}); r.status != http.StatusBadRequest || r.errField() != "areas" {
		t.Errorf("an area that is no priority: %d %v", r.status, r.body)
	}
	if r := pt.do("GET", "/api/partners?mine=true", nil); len(fpItems(r)) != 0 {
		t.Fatalf("refused registrations were stored: %v", r.body)
	}
	expect(t, "a resident registers as a partner", warga.fpUpload("/api/partners", fields, fpFile{"participationLetter", "s.pdf", fpPDF}, fpFile{"proposal", "p.pdf", fpPDF}), http.StatusForbidden)
	reg := pt.fpUpload("/api/partners", fields, fpFile{"participationLetter", "surat-kesediaan.pdf", fpPDF}, fpFile{"proposal", "proposal.png", fpPNG})
	expect(t, "register", reg, http.StatusCreated)
	pid := id(t, reg)
	ppath := fmt.Sprintf("/api/partners/%d", pid)
	if reg.body["state"] != "registered" || len(reg.body["documents"].([]any)) != 2 || fmt.Sprint(reg.body["areas"]) != "[education environment]" {
		t.Fatalf("registered %v", reg.body)
	}
	expect(t, "a registration is not public", anon.do("GET", ppath, nil), http.StatusNotFound)
	if r := anon.do("GET", "/api/partners", nil); len(fpItems(r)) != 0 {
		t.Fatalf("a registration is listed publicly: %v", r.body)
	}
	own := pt.do("GET", ppath, nil)
	expect(t, "the partner reads its registration", own, http.StatusOK)
	doc := own.body["documents"].([]any)[1].(map[string]any)
	if doc["contentType"] != "image/png" || doc["purpose"] != "proposal" {
		t.Fatalf("document %v", doc)
	}
	docPath := fmt.Sprintf("/api/documents/%d", int64(doc["id"].(float64)))
	if status, h, raw := pt.request("GET", docPath, "", nil); status != http.StatusOK || !bytes.Equal(raw, fpPNG) || h.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %d %s", status, h)
	}
	if status, _, _ := warga.request("GET", docPath, "", nil); status != http.StatusNotFound {
		t.Fatalf("a resident downloads a partner's proposal: %d", status)
	}
	if status, _, _ := sek.request("GET", docPath, "", nil); status != http.StatusOK {
		t.Fatalf("the secretariat downloads a partner's proposal: %d", status)
	}

	// The secretariat reviews it onto the meeting's agenda.
	checklist := map[string]bool{"legal-entity": true, "documents-complete": true, "voluntary": true, "no-conflict-of-interest": true, "priority-areas": true}
	r = sek.do("POST", ppath+"/review", map[string]any{"checklist": map[string]bool{"legal-entity": true}, "meeting": mid})
	if r.status != http.StatusBadRequest || r.errField() != "checklist.documents-complete" {
		t.Fatalf("an incomplete review: %d %v", r.status, r.body)
	}
	expect(t, "a company reviews itself", pt.do("POST", ppath+"/review", map[string]any{"checklist": checklist, "meeting": mid}), http.StatusForbidden)
	expect(t, "review", sek.do("POST", ppath+"/review", map[string]any{"checklist": checklist, "notes": "Akta dan NPWP lengkap", "meeting": mid}), http.StatusOK)

	// A university registered on paper earlier: reviewed too; its account holds no role yet.
	kampus := fpSeedPartner(w, "kampus", partnership.PartnerUniversity, partnership.PartnerRegistered, []string{"education"}, nil)
	expect(t, "review the university", sek.do("POST", fmt.Sprintf("/api/partners/%d/review", kampus), map[string]any{"checklist": checklist, "meeting": mid}), http.StatusOK)
	agenda := sek.do("GET", mpath, nil).body["agenda"].(map[string]any)
	if len(agenda["partners"].([]any)) != 2 {
		t.Fatalf("agenda %v", agenda)
	}

	// The forum decides at the held meeting.
	expect(t, "a decision before the meeting sits", sek.do("POST", ppath+"/decision", map[string]any{"meeting": mid, "decision": "approve"}), http.StatusConflict)
	r = sek.do("POST", mpath+"/attendance", map[string]any{"attendance": map[string]int{"company": 4, "community": 2}})
	if r.status != http.StatusConflict {
		t.Fatalf("a forum without the government: %d %v", r.status, r.body)
	}
	expect(t, "attendance", sek.do("POST", mpath+"/attendance", map[string]any{"attendance": map[string]int{"government": 3, "company": 4, "university": 1, "community": 2}}), http.StatusOK)
	expect(t, "a company decides on itself", pt.do("POST", ppath+"/decision", map[string]any{"meeting": mid, "decision": "approve"}), http.StatusForbidden)
	r = sek.do("POST", ppath+"/decision", map[string]any{"meeting": 999, "decision": "approve"})
	if r.status != http.StatusBadRequest || r.errField() != "meeting" {
		t.Fatalf("an unknown meeting: %d %v", r.status, r.body)
	}
	r = sek.do("POST", ppath+"/decision", map[string]any{"meeting": mid, "decision": "approve"})
	if r.status != http.StatusOK || r.body["state"] != "approved" {
		t.Fatalf("approve: %d %v", r.status, r.body)
	}
	expect(t, "approve the university", sek.do("POST", fmt.Sprintf("/api/partners/%d/decision", kampus), map[string]any{"meeting": mid, "decision": "approve"}), http.StatusOK)
	if ps := fpIDs(anon.do("GET", "/api/partners", nil)); len(ps) != 2 || ps[0] != pid {
		t.Fatalf("approved partners listed publicly: %v", ps)
	}
	if pub := anon.do("GET", ppath, nil); pub.status != http.StatusOK || pub.body["review"] != nil || pub.body["documents"] != nil || len(pub.body["decisions"].([]any)) != 1 {
		t.Fatalf("an approved partner as the public sees it: %v", pub.body)
	}
	// The approval granted the university's account its role for the region.
	uni := w.client("bandung").mustSignIn("kampus")
	me := uni.do("GET", "/api/me", nil).body["grants"].([]any)
	if len(me) != 1 || me[0].(map[string]any)["role"] != "university" || me[0].(map[string]any)["scope"] != "32.73" {
		t.Fatalf("the university's grants: %v", me)
	}

	// The plan: late if after the board's approval plus 30 days; bad dates refused.
	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"board approval in the future", fpPlanBody(w.now.Add(48 * time.Hour)), "boardApprovedAt"},
		{"board approval before the fiscal year", fpPlanBody(time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)), "boardApprovedAt"},
		{"negative financing", func() map[string]any {
			b := fpPlanBody(w.now.AddDate(0, 0, -25))
			b["activities"].([]map[string]any)[0]["financing"] = -1
			return b
		}(), "activities.0.financing"},
		{"absurd financing", func() map[string]any {
			b := fpPlanBody(w.now.AddDate(0, 0, -25))
			b["activities"].([]map[string]any)[2]["financing"] = int64(9_000_000_000_000)
			return b
		}(), "activities.2.financing"},
	} {
		r := pt.do("POST", "/api/csr-plans", tt.body)
		if r.status != http.StatusBadRequest || r.errField() != tt.field {
			t.Errorf("%s: %d %v, want 400 on %s", tt.name, r.status, r.body, tt.field)
		}
	}
	expect(t, "a resident submits a plan", warga.do("POST", "/api/csr-plans", fpPlanBody(w.now.AddDate(0, 0, -25))), http.StatusForbidden)
	plan := pt.do("POST", "/api/csr-plans", fpPlanBody(w.now.AddDate(0, 0, -25)))
	expect(t, "plan", plan, http.StatusCreated)
	if plan.body["late"] != false || plan.body["state"] != "submitted" || plan.body["alignment"].(map[string]any)["score"].(map[string]any)["basisPoints"] != 0.0 {
		t.Fatalf("submitted %v", plan.body)
	}
	expect(t, "a second plan for the year", pt.do("POST", "/api/csr-plans", fpPlanBody(w.now.AddDate(0, 0, -25))), http.StatusConflict)
	planPath := fmt.Sprintf("/api/csr-plans/%d", id(t, plan))
	acts := plan.body["activities"].([]any)
	actID := func(i int) int64 { return int64(acts[i].(map[string]any)["id"].(float64)) }
	alignment := []map[string]any{
		{"activity": actID(0), "area": "education", "target": "out-of-school-mentoring", "alignment": "aligned"},
		{"activity": actID(1), "area": "environment", "target": "waste-management", "alignment": "aligned"},
		{"activity": actID(2), "alignment": "not-aligned"},
	}
	expect(t, "a company aligns its own plan", pt.do("POST", planPath+"/alignment", map[string]any{"activities": alignment}), http.StatusForbidden)
	expect(t, "a company approves its own plan", pt.do("POST", planPath+"/decision", map[string]any{"meeting": mid, "decision": "approve"}), http.StatusForbidden)
	wrong := []map[string]any{alignment[0], {"activity": actID(1), "area": "environment", "target": "facilities", "alignment": "aligned"}, alignment[2]}
	r = sek.do("POST", planPath+"/alignment", map[string]any{"activities": wrong})
	if r.status != http.StatusBadRequest || r.errField() != "activities.1.target" {
		t.Fatalf("a target of another area: %d %v", r.status, r.body)
	}
	expect(t, "approve before alignment", sek.do("POST", planPath+"/decision", map[string]any{"meeting": mid, "decision": "approve"}), http.StatusConflict)
	r = sek.do("POST", planPath+"/alignment", map[string]any{"activities": alignment})
	expect(t, "align", r, http.StatusOK)
	// 450,000,001 of 500,000,000 rupiah in aligned activities: 90.00%.
	al := r.body["alignment"].(map[string]any)
	if al["aligned"] != 450_000_001.0 || al["notAligned"] != 49_999_999.0 || al["total"] != 500_000_000.0 || al["score"].(map[string]any)["basisPoints"] != 9000.0 || al["score"].(map[string]any)["percent"] != "90.00%" {
		t.Fatalf("alignment %v", al)
	}
	r = sek.do("POST", planPath+"/decision", map[string]any{"meeting": mid, "decision": "revise"})
	if r.status != http.StatusBadRequest || r.errField() != "reason" {
		t.Fatalf("a revision without a reason: %d %v", r.status, r.body)
	}
	r = sek.do("POST", planPath+"/decision", map[string]any{"meeting": mid, "decision": "approve"})
	if r.status != http.StatusOK || r.body["state"] != "approved" || r.body["meeting"] != float64(mid) {
		t.Fatalf("approve the plan: %d %v", r.status, r.body)
	}

	// A resident's request; bad ones change nothing.
	wpath := "/api/csr-requests"
	good := map[string]any{"area": "education", "ward": "32.73.01.1002", "amount": 45_000_000, "title": "Taman baca RW 05", "description": "Rak dan 500 buku untuk anak-anak RW 05"}
	refusesEach(t, wpath, good, []badInput{
		{"a negative amount", map[string]any{"amount": -45_000_000}, "amount"},
		{"an absurd amount", map[string]any{"amount": int64(2_000_000_000_000)}, "amount"},
		{"an amount as text", map[string]any{"amount": "empat puluh juta"}, "amount"},
		{"a kecamatan as the ward", map[string]any{"ward": "32.73.01"}, "ward"},
		{"no title", map[string]any{"title": ""}, "title"},
		{"an oversized description", map[string]any{"description": strings.Repeat("panjang ", 600)}, "description"},
		{"an unknown preferred partner", map[string]any{"preferredPartner": 999}, "preferredPartner"},
	}, warga)
	upload := map[string][]string{"area": {"education"}, "ward": {"32.73.01.1002"}, "amount": {"45000000"}, "title": {"Taman baca RW 05"}, "description": {"Rak dan buku"}}
	if r := warga.fpUpload(wpath, upload, fpFile{"documents", "foto.png", []byte("GIF89a not a png")}); r.status != http.StatusBadRequest || r.errField() != "documents.0" {
		t.Fatalf("a request with a forbidden document: %d %v", r.status, r.body)
	}
	if r := warga.do("GET", wpath+"?mine=true", nil); len(fpItems(r)) != 0 {
		t.Fatalf("refused requests were stored: %v", r.body)
	}
	req := warga.fpUpload(wpath, upload, fpFile{"documents", "foto-lokasi.png", fpPNG}, fpFile{"documents", "surat-rw.pdf", fpPDF})
	expect(t, "request", req, http.StatusCreated)
	if req.body["source"] != "resident" || req.body["state"] != "open" || len(req.body["documents"].([]any)) != 2 {
		t.Fatalf("request %v", req.body)
	}
	qid := id(t, req)
	qpath := fmt.Sprintf("%s/%d", wpath, qid)
	coblong := warga.do("POST", wpath, map[string]any{"area": "education", "ward": "32.73.02.1001", "amount": 10_000_000, "title": "Meja belajar", "description": "Untuk PAUD"})
	expect(t, "a request in Coblong", coblong, http.StatusCreated)

	// Partners working in the area (and kecamatan) see the open requests they may claim.
	if got := fpIDs(pt.do("GET", wpath+"?state=open", nil)); len(got) != 1 || got[0] != qid {
		t.Fatalf("open requests for the partner: %v, want [%d]", got, qid)
	}
	if got := fpIDs(anon.do("GET", wpath+"?state=open", nil)); len(got) != 2 {
		t.Fatalf("open requests for the public: %v", got)
	}
	if got := anon.do("GET", qpath, nil); got.body["documents"] != nil || got.body["account"] != nil {
		t.Fatalf("a request's documents or submitter shown to the public: %v", got.body)
	}
	if got := pt.do("GET", qpath, nil); len(got.body["documents"].([]any)) != 2 {
		t.Fatalf("a partner that may claim it does not see its documents: %v", got.body)
	}
	fpSeedPartner(w, "pt-sehat", partnership.PartnerCompany, partnership.PartnerApproved, []string{"health"}, nil)
	sehat := w.client("bandung").mustSignIn("pt-sehat")
	r = sehat.do("POST", qpath+"/claim", nil)
	if r.status != http.StatusForbidden || !strings.Contains(fmt.Sprint(r.body), "does not work in the area") {
		t.Fatalf("a claim outside the partner's area: %d %v", r.status, r.body)
	}
	expect(t, "a claim outside the partner's kecamatan", pt.do("POST", fmt.Sprintf("%s/%d/claim", wpath, id(t, coblong)), nil), http.StatusForbidden)
	expect(t, "a resident claims", warga.do("POST", qpath+"/claim", nil), http.StatusForbidden)
	expect(t, "an unknown request", pt.do("POST", wpath+"/999/claim", nil), http.StatusNotFound)
	if got := anon.do("GET", qpath, nil); got.body["state"] != "open" || got.body["version"] != 1.0 {
		t.Fatalf("refused claims changed the request: %v", got.body)
	}
	r = pt.do("POST", qpath+"/claim", nil)
	if r.status != http.StatusOK || r.body["state"] != "claimed" || r.body["claimedBy"] != float64(pid) {
		t.Fatalf("claim: %d %v", r.status, r.body)
	}
	fpSeedPartner(w, "pt-dua", partnership.PartnerCompany, partnership.PartnerApproved, []string{"education"}, nil)
	r = w.client("bandung").mustSignIn("pt-dua").do("POST", qpath+"/claim", nil)
	if r.status != http.StatusConflict || r.body["error"].(map[string]any)["details"].(map[string]any)["claimedBy"] != float64(pid) {
		t.Fatalf("a second claim: %d %v", r.status, r.body)
	}

	// Programmes: the sector agency takes up the claimed request and the plan's first activity.
	r = dinas.do("POST", "/api/programmes", map[string]any{"source": "request", "request": 999, "sectorAgency": "Dinas Pendidikan"})
	if r.status != http.StatusBadRequest || r.errField() != "request" {
		t.Fatalf("a programme of an unknown request: %d %v", r.status, r.body)
	}
	expect(t, "a company makes a programme", pt.do("POST", "/api/programmes", map[string]any{"source": "request", "request": qid, "sectorAgency": "Dinas Pendidikan"}), http.StatusForbidden)
	prog := dinas.do("POST", "/api/programmes", map[string]any{"source": "request", "request": qid, "sectorAgency": "Dinas Pendidikan", "beneficiaries": 300})
	expect(t, "programme from the request", prog, http.StatusCreated)
	if prog.body["partner"] != float64(pid) || prog.body["ward"] != "32.73.01.1002" || prog.body["area"] != "education" {
		t.Fatalf("programme %v", prog.body)
	}
	if got := anon.do("GET", qpath, nil); got.body["state"] != "programmed" {
		t.Fatalf("the request after its programme: %v", got.body)
	}
	expect(t, "a second programme of the request", dinas.do("POST", "/api/programmes", map[string]any{"source": "request", "request": qid, "sectorAgency": "x"}), http.StatusConflict)
	fromPlan := dinas.do("POST", "/api/programmes", map[string]any{"source": "plan", "activity": actID(0), "sectorAgency": "Dinas Pendidikan", "beneficiaries": 200})
	expect(t, "programme from the plan", fromPlan, http.StatusCreated)
	expect(t, "a programme of an activity aligned with nothing", dinas.do("POST", "/api/programmes", map[string]any{"source": "plan", "activity": actID(2), "sectorAgency": "Dispora"}), http.StatusConflict)

	// Every pillar contributes to the request's programme.
	cpath := fmt.Sprintf("/api/programmes/%d/contributions", id(t, prog))
	for _, tt := range []struct {
		who    *client
		body   map[string]any
		status int
		field  string
	}{
		{pt, map[string]any{"kind": "funds", "amount": 0, "description": "Dana CSR"}, http.StatusBadRequest, "amount"},
		{pt, map[string]any{"kind": "funds", "amount": -45_000_000, "description": "Dana CSR"}, http.StatusBadRequest, "amount"},
		{dinas, map[string]any{"kind": "funds", "amount": 5_000_000, "description": "APBD"}, http.StatusBadRequest, "kind"},
		{pt, map[string]any{"kind": "funds", "amount": 45_000_000, "description": "Dana CSR tahap 1"}, http.StatusCreated, ""},
		{dinas, map[string]any{"kind": "staff", "quantity": 2, "unit": "orang", "amount": 6_000_000, "description": "Pustakawan pendamping"}, http.StatusCreated, ""},
		{uni, map[string]any{"kind": "research", "quantity": 1, "unit": "kajian", "amount": 25_000_000, "description": "Kajian minat baca"}, http.StatusCreated, ""},
		{warga, map[string]any{"kind": "labour", "quantity": 40, "unit": "hari orang", "amount": 4_000_000, "description": "Kerja bakti menata ruang"}, http.StatusCreated, ""},
		{warga, map[string]any{"kind": "in-kind", "quantity": 120, "unit": "buku", "description": "Buku sumbangan warga"}, http.StatusCreated, ""},
	} {
		r := tt.who.do("POST", cpath, tt.body)
		if r.status != tt.status || r.errField() != tt.field {
			t.Errorf("%v: %d %v, want %d %s", tt.body, r.status, r.body, tt.status, tt.field)
		}
	}
	got := anon.do("GET", fmt.Sprintf("/api/programmes/%d", id(t, prog)), nil)
	ledger := got.body["ledger"].(map[string]any)
	by := ledger["byPillar"].(map[string]any)
	line := func(p, k string) float64 { return by[p].(map[string]any)[k].(float64) }
	if line("company", "funds") != 45_000_000 || line("government", "estimatedKind") != 6_000_000 || line("university", "total") != 25_000_000 ||
		line("community", "total") != 4_000_000 || line("community", "contributions") != 2 {
		t.Fatalf("ledger by pillar %v", by)
	}
	total := ledger["total"].(map[string]any)
	if total["funds"] != 45_000_000.0 || total["estimatedKind"] != 35_000_000.0 || total["total"] != 80_000_000.0 || total["contributions"] != 5.0 || got.body["beneficiaries"] != 300.0 {
		t.Fatalf("ledger total %v, programme %v", total, got.body)
	}
	if len(got.body["contributions"].([]any)) != 5 {
		t.Fatalf("contributions %v", got.body["contributions"])
	}

	// An idea from the community, adopted into a programme; another declined.
	idea := warga.do("POST", "/api/ideas", map[string]any{"title": "Bank sampah digital", "body": "Warga menukar sampah terpilah dengan saldo."})
	expect(t, "idea", idea, http.StatusCreated)
	if idea.body["pillar"] != "community" {
		t.Fatalf("idea %v", idea.body)
	}
	other := pt.do("POST", "/api/ideas", map[string]any{"title": "Lomba mural", "body": "Mural di kolong jembatan."})
	expect(t, "another idea", other, http.StatusCreated)
	ipath := fmt.Sprintf("/api/ideas/%d", id(t, idea))
	expect(t, "a resident adopts an idea", warga.do("POST", ipath+"/adopt", map[string]any{"meeting": mid, "into": "programme", "area": "environment", "sectorAgency": "DLHK"}), http.StatusForbidden)
	r = sek.do("POST", ipath+"/adopt", map[string]any{"meeting": mid, "into": "programme", "area": "environment", "ward": "32.73.01.1001", "sectorAgency": "DLHK", "beneficiaries": 500})
	if r.status != http.StatusOK || r.body["state"] != "adopted" || r.body["adoptedInto"].(map[string]any)["type"] != "programme" {
		t.Fatalf("adopt: %d %v", r.status, r.body)
	}
	adopted := anon.do("GET", fmt.Sprintf("/api/programmes/%d", int64(r.body["adoptedInto"].(map[string]any)["id"].(float64))), nil)
	if adopted.body["source"] != "idea" || adopted.body["idea"] != float64(id(t, idea)) || adopted.body["area"] != "environment" {
		t.Fatalf("the programme of the idea: %v", adopted.body)
	}
	expect(t, "adopt twice", sek.do("POST", ipath+"/adopt", map[string]any{"meeting": mid, "into": "programme", "area": "environment", "sectorAgency": "DLHK"}), http.StatusConflict)

	// The minutes close the meeting: its decisions are final.
	expect(t, "close without minutes", sek.do("POST", mpath+"/close", map[string]any{"minutes": ""}), http.StatusBadRequest)
	expect(t, "close", sek.do("POST", mpath+"/close", map[string]any{"minutes": "Forum TJSL triwulan IV: dua mitra disetujui, satu rencana disetujui, satu gagasan diadopsi."}), http.StatusOK)
	opath := fmt.Sprintf("/api/ideas/%d", id(t, other))
	r = sek.do("POST", opath+"/decline", map[string]any{"meeting": mid, "reason": "Di luar prioritas"})
	if r.status != http.StatusConflict || !strings.Contains(fmt.Sprint(r.body), "closed") {
		t.Fatalf("a decision on a closed meeting: %d %v", r.status, r.body)
	}
	if got := anon.do("GET", opath, nil); got.body["state"] != "posted" || got.body["version"] != 1.0 {
		t.Fatalf("a refused decision changed the idea: %v", got.body)
	}
	minutes := anon.do("GET", mpath, nil)
	if minutes.body["state"] != "closed" || minutes.body["agenda"] != nil || len(minutes.body["decisions"].([]any)) != 4 || minutes.body["attendance"].(map[string]any)["university"] != 1.0 {
		t.Fatalf("published meeting %v", minutes.body)
	}

	// Unknown ids.
	for _, path := range []string{"/api/partners/999", "/api/csr-plans/999", "/api/csr-requests/999", "/api/programmes/999", "/api/ideas/999", "/api/forum/meetings/999"} {
		expect(t, path, anon.do("GET", path, nil), http.StatusNotFound)
	}
	expect(t, "an unknown document", pt.do("GET", "/api/documents/999", nil), http.StatusNotFound)

	// The forum's decisions, approvals and claims are public in the audit log.
	for action, want := range map[string]int{"partner:decide": 2, "csr-plan:approve": 1, "csr-request:claim": 1, "idea:adopt": 2, "grant:manage": 0} {
		if n := len(fpItems(anon.do("GET", "/api/audit/public?action="+action, nil))); n != want {
			t.Errorf("%d public %s entries, want %d", n, action, want)
		}
	}
	admin := w.client("bandung").mustSignIn("admin")
	grants := fpItems(admin.do("GET", "/api/audit?action=grant:manage&objectType=grant", nil))
	if len(grants) != 1 || grants[0]["after"].(map[string]any)["role"] != "university" {
		t.Fatalf("the university's grant in the audit log: %v", grants)
	}
	if v := admin.do("GET", "/api/audit/verify", nil); v.body["ok"] != true {
		t.Fatalf("audit chain %v", v.body)
	}

	// The rest of the partner's year: it reports the realisation of its
	// plan's programme, the forum publishes the quarter's evaluation, and the
	// award cycle scores the partner.
	body := realisationBody(id(t, fromPlan), 45_000_000, pdfBytes(64))
	body["activityStart"], body["activityEnd"] = "2026-11-02", "2026-11-20"
	rz := pt.do("POST", "/api/realisations", body)
	expect(t, "realisation of the plan's programme", rz, http.StatusCreated)
	if rz.body["late"] != false {
		t.Fatalf("a realisation within the deadline is late: %v", rz.body)
	}
	w.advance(40 * 24 * time.Hour) // into January 2027: the fourth quarter is over
	sek.mustSignIn("sekretariat")
	var evaluated float64
	for _, q := range []int{3, 4} {
		r := sek.do("POST", "/api/evaluations", map[string]int{"year": 2026, "quarter": q})
		expect(t, fmt.Sprintf("publish Q%d", q), r, http.StatusCreated)
		evaluated += r.body["evaluation"].(map[string]any)["total"].(map[string]any)["amount"].(float64)
	}
	if evaluated != 45_000_000 {
		t.Fatalf("the quarters' evaluations count Rp %.0f realised, want the partner's Rp 45.000.000", evaluated)
	}
	r = sek.do("POST", "/api/awards/2025/score", nil)
	expect(t, "score the award cycle", r, http.StatusOK)
	scored := false
	for _, it := range fpItems(r) {
		if it["partner"] == float64(pid) {
			scored = it["total"] != nil
		}
	}
	if !scored {
		t.Fatalf("the partner is not scored in the cycle: %v", r.body)
	}
}

// A company holding the secretariat's role as well still never aligns or
// approves its own plan; a two-pillar-only region has no partners.
func TestNobodyJudgesTheirOwnPlan(t *testing.T) {
	w := newWorld(t)
	w.seed("bandung", "ganda", [2]string{"company", "32.73"}, [2]string{"csr-forum-secretariat", "32.73"})
	fpSeedPartner(w, "ganda", partnership.PartnerCompany, partnership.PartnerApproved, []string{"education"}, nil)
	ganda := w.client("bandung").mustSignIn("ganda")
	plan := ganda.do("POST", "/api/csr-plans", fpPlanBody(w.now.AddDate(0, 0, -60)))
	expect(t, "plan", plan, http.StatusCreated)
	if plan.body["late"] != true {
		t.Fatalf("a plan 60 days after the board's approval is not late: %v", plan.body)
	}
	path := fmt.Sprintf("/api/csr-plans/%d", id(t, plan))
	var alignment []map[string]any
	for _, a := range plan.body["activities"].([]any) {
		alignment = append(alignment, map[string]any{"activity": a.(map[string]any)["id"], "alignment": "not-aligned"})
	}
	r := ganda.do("POST", path+"/alignment", map[string]any{"activities": alignment})
	if r.status != http.StatusForbidden || !strings.Contains(fmt.Sprint(r.body), "own plan") {
		t.Fatalf("aligned its own plan: %d %v", r.status, r.body)
	}

	w.seed("sumedang", "ptkereta", [2]string{"company", "32.11"})
	pt := w.client("sumedang").mustSignIn("ptkereta")
	r = pt.fpUpload("/api/partners", map[string][]string{"kind": {"company"}, "name": {"PT Tahu"}, "areas": {"education"}},
		fpFile{"participationLetter", "s.pdf", fpPDF}, fpFile{"proposal", "p.pdf", fpPDF})
	if r.status != http.StatusForbidden {
		t.Fatalf("a partner of a two-pillar-only region: %d %v", r.status, r.body)
	}
}

// A proposal a kecamatan Musrenbang offers to companies becomes a CSR
// request in the same transaction; unclaimed, it expires on schedule.
func TestMusrenbangCSRDecisionBecomesARequestThatExpires(t *testing.T) {
	w := newWorld(t)
	bandungStaff(w)
	w.people("ptkereta")
	rw := w.client("bandung").mustSignIn("rw02")
	lurah := w.client("bandung").mustSignIn("lurah")
	camat := w.client("bandung").mustSignIn("camat")
	anon := w.client("bandung")

	p := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "order-cleanliness-beauty", 80_000_000, "empowerment"))
	expect(t, "proposal", p, http.StatusCreated)
	quorum := map[string]int{"rt-board": 4, "rw-board": 3, "community-leader": 2, "women-leader": 3, "youth-leader": 2, "resident": 6}
	m := lurah.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.73.01.1001", "fiscalYear": 2026, "scheduledAt": w.now.Add(time.Hour), "place": "Aula"})
	expect(t, "ward Musrenbang", m, http.StatusCreated)
	expect(t, "ward attendance", lurah.do("POST", fmt.Sprintf("/api/musrenbang/%d/attendance", id(t, m)), map[string]any{"attendance": quorum}), http.StatusOK)
	expect(t, "forward", lurah.do("POST", fmt.Sprintf("/api/musrenbang/%d/decisions", id(t, m)), map[string]any{"proposal": id(t, p), "decision": "forward"}), http.StatusOK)
	k := camat.do("POST", "/api/musrenbang", map[string]any{"level": "kecamatan", "area": "32.73.01", "fiscalYear": 2026, "scheduledAt": w.now.Add(2 * time.Hour), "place": "Kecamatan"})
	expect(t, "kecamatan Musrenbang", k, http.StatusCreated)
	kpath := fmt.Sprintf("/api/musrenbang/%d", id(t, k))
	expect(t, "kecamatan attendance", camat.do("POST", kpath+"/attendance", map[string]any{"attendance": quorum}), http.StatusOK)

	r := camat.do("POST", kpath+"/decisions", map[string]any{"proposal": id(t, p), "decision": "csr", "area": "mining"})
	if r.status != http.StatusBadRequest || r.errField() != "area" {
		t.Fatalf("a CSR request in no priority area: %d %v", r.status, r.body)
	}
	if got := anon.do("GET", fmt.Sprintf("/api/proposals/%d", id(t, p)), nil); got.body["state"] != "forwarded" {
		t.Fatalf("a refused decision changed the proposal: %v", got.body)
	}
	if got := fpItems(anon.do("GET", "/api/csr-requests", nil)); len(got) != 0 {
		t.Fatalf("a refused decision made a request: %v", got)
	}
	expect(t, "offer to companies", camat.do("POST", kpath+"/decisions", map[string]any{"proposal": id(t, p), "decision": "csr", "area": "environment"}), http.StatusOK)
	open := fpItems(anon.do("GET", "/api/csr-requests?state=open", nil))
	if len(open) != 1 || open[0]["source"] != "musrenbang" || open[0]["proposal"] != float64(id(t, p)) || open[0]["amount"] != 80_000_000.0 ||
		open[0]["area"] != "environment" || open[0]["ward"] != "32.73.01.1001" {
		t.Fatalf("the request of the proposal: %v", open)
	}
	qid := int64(open[0]["id"].(float64))
	if n := len(fpItems(anon.do("GET", fmt.Sprintf("/api/audit/public?objectType=csr-request&objectId=%d", qid), nil))); n != 1 {
		t.Fatalf("%d public audit entries for the request", n)
	}

	// Ninety days later nobody has claimed it: the schedule expires it, as the system.
	w.advance(91 * 24 * time.Hour)
	fpSeedPartner(w, "ptkereta", partnership.PartnerCompany, partnership.PartnerApproved, []string{"environment"}, nil)
	r = w.client("bandung").mustSignIn("ptkereta").do("POST", fmt.Sprintf("/api/csr-requests/%d/claim", qid), nil)
	if r.status != http.StatusConflict || !strings.Contains(fmt.Sprint(r.body), "expired") {
		t.Fatalf("a claim after expiry: %d %v", r.status, r.body)
	}
	if got := fpItems(anon.do("GET", "/api/csr-requests?state=open", nil)); len(got) != 0 {
		t.Fatalf("an expired request listed as open: %v", got)
	}
	_, db := lend(t, w.reg, "bandung")
	tn, _ := w.reg.Get("bandung")
	if n, err := schedule.ExpireRequests(context.Background(), db, tn, w.now); err != nil || n != 1 {
		t.Fatalf("expired %d: %v", n, err)
	}
	if got := anon.do("GET", fmt.Sprintf("/api/csr-requests/%d", qid), nil); got.body["state"] != "expired" {
		t.Fatalf("after the schedule: %v", got.body)
	}
	es, err := audit.List(context.Background(), db, audit.Filter{Action: schedule.ExpireAction, Limit: 5})
	if err != nil || len(es) != 1 || es[0].Actor != "system" || !es[0].Public {
		t.Fatalf("the expiry in the audit log: %+v %v", es, err)
	}
}

// Partners racing for one request over HTTP, on PostgreSQL as in a cluster:
// exactly one claim wins, the others are told which partner did.
func TestParallelClaimsHaveOneWinnerOnPostgres(t *testing.T) {
	w := newWorldOn(t, store.Postgres)
	w.people("warga")
	const n = 6
	clients := make([]*client, n)
	partners := map[int64]bool{}
	for i := range clients {
		name := fmt.Sprintf("mitra%d", i)
		w.seed("bandung", name, [2]string{"company", "32.73"})
		partners[fpSeedPartner(w, name, partnership.PartnerCompany, partnership.PartnerApproved, []string{"health"}, nil)] = true
		clients[i] = w.client("bandung").mustSignIn(name)
	}
	q := w.client("bandung").mustSignIn("warga").do("POST", "/api/csr-requests", map[string]any{"area": "health", "ward": "32.73.09.1002",
		"amount": 25_000_000, "title": "Posyandu", "description": "Timbangan dan meja posyandu RW 07"})
	expect(t, "request", q, http.StatusCreated)
	path := fmt.Sprintf("/api/csr-requests/%d/claim", id(t, q))
	results := inParallel(n, func(i int) response { return clients[i].do("POST", path, nil) })
	won, winner := 0, 0.0
	for _, r := range results {
		if r.status == http.StatusOK {
			won++
			winner = r.body["claimedBy"].(float64)
		}
	}
	if won != 1 || !partners[int64(winner)] {
		t.Fatalf("%d claims won: %v", won, results)
	}
	for _, r := range results {
		if r.status == http.StatusOK {
			continue
		}
		if r.status != http.StatusConflict || r.body["error"].(map[string]any)["details"].(map[string]any)["claimedBy"] != winner {
			t.Errorf("a lost claim: %d %v", r.status, r.body)
		}
	}
}
