package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/store"
)

// bandungStaff seeds the people of one ward of Kota Bandung and its kecamatan.
func bandungStaff(w *world) {
	w.people("admin", "warga", "rw02", "pkk", "lurah", "lurah-geger", "camat")
}

func proposalBody(inst, activity string, cost int64, kind string) map[string]any {
	return map[string]any{"institution": inst, "fiscalYear": 2026, "activity": activity, "title": "Kegiatan " + activity,
		"description": "Uraian kegiatan", "cost": cost, "beneficiaries": 120, "location": "RT 03", "kind": kind}
}

func id(t *testing.T, r response) int64 {
	t.Helper()
	v, ok := r.body["id"].(float64)
	if !ok {
		t.Fatalf("no id in %v", r.body)
	}
	return int64(v)
}

func TestTwoPillarCycle(t *testing.T) {
	w := newWorld(t)
	bandungStaff(w)
	signed := w.signedIn("warga", "rw02", "pkk", "lurah", "lurah-geger", "camat")
	warga, rw, pkk, lurah, other, camat := signed[0], signed[1], signed[2], signed[3], signed[4], signed[5]

	// A resident asks RW 02; the RW acknowledges and later merges it into its proposal.
	asp := warga.do("POST", "/api/aspirations", map[string]string{"institution": "32.73.01.1001/rw-02", "title": "Saluran air tersumbat", "body": "Setiap hujan, jalan RT 03 tergenang."})
	expect(t, "aspiration", asp, http.StatusCreated)
	expect(t, "acknowledge", rw.do("POST", fmt.Sprintf("/api/aspirations/%d/respond", id(t, asp)), map[string]string{"state": "acknowledged"}), http.StatusOK)
	expect(t, "another institution answers the aspiration", pkk.do("POST", fmt.Sprintf("/api/aspirations/%d/respond", id(t, asp)), map[string]string{"state": "declined", "reason": "x"}), http.StatusForbidden)

	// Proposals: one to fund, one to forward, one to reject, one too expensive for what remains.
	p1 := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "infrastructure", 60_000_000, "infrastructure"))
	expect(t, "proposal 1", p1, http.StatusCreated)
	p2 := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "social-affairs", 150_000_000, "empowerment"))
	expect(t, "proposal 2", p2, http.StatusCreated)
	p3 := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "economic-empowerment", 5_000_000, "empowerment"))
	expect(t, "proposal 3", p3, http.StatusCreated)
	p4 := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "strengthening-rw", 50_000_000, "empowerment"))
	expect(t, "proposal 4", p4, http.StatusCreated)
	r := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "pokja-1", 1_000_000, "empowerment"))
	if r.status != http.StatusBadRequest || r.errField() != "activity" {
		t.Fatalf("an activity outside the RW's scope: %d %v", r.status, r.body)
	}
	expect(t, "a PKK proposing for the RW", pkk.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "infrastructure", 1_000_000, "infrastructure")), http.StatusForbidden)
	expect(t, "merge", rw.do("POST", fmt.Sprintf("/api/aspirations/%d/respond", id(t, asp)), map[string]any{"state": "merged", "proposal": id(t, p1)}), http.StatusOK)
	mine := warga.do("GET", "/api/aspirations/mine", nil)
	if it := mine.body["items"].([]any)[0].(map[string]any); it["state"] != "merged" || it["proposal"] != float64(id(t, p1)) {
		t.Fatalf("the resident cannot follow their aspiration: %v", it)
	}

	// The ward's Musrenbang: scheduled, no quorum, then quorum.
	m := lurah.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.73.01.1001", "fiscalYear": 2026, "scheduledAt": w.now.Add(48 * time.Hour), "place": "Aula Kelurahan Sukarasa"})
	expect(t, "schedule", m, http.StatusCreated)
	mid := id(t, m)
	expect(t, "another ward's lurah schedules here", other.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.73.01.1001", "fiscalYear": 2026, "scheduledAt": w.now.Add(48 * time.Hour), "place": "x"}), http.StatusForbidden)
	path := fmt.Sprintf("/api/musrenbang/%d", mid)
	expect(t, "decide before attendance", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p1), "decision": "fund"}), http.StatusConflict)
	r = lurah.do("POST", path+"/attendance", map[string]any{"attendance": map[string]int{"rt-board": 4, "rw-board": 3}})
	if r.status != http.StatusConflict || !strings.Contains(fmt.Sprint(r.body), "no quorum") {
		t.Fatalf("without quorum: %d %v", r.status, r.body)
	}
	quorum := map[string]int{"rt-board": 4, "rw-board": 3, "community-leader": 2, "women-leader": 3, "youth-leader": 2, "resident": 6}
	expect(t, "attendance", lurah.do("POST", path+"/attendance", map[string]any{"attendance": quorum}), http.StatusOK)
	expect(t, "another ward's lurah decides here", other.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p1), "decision": "fund"}), http.StatusForbidden)
	expect(t, "a resident decides", warga.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p1), "decision": "fund"}), http.StatusForbidden)

	expect(t, "fund p1", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p1), "decision": "fund"}), http.StatusOK)
	expect(t, "forward p2", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p2), "decision": "forward"}), http.StatusOK)
	r = lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p3), "decision": "reject"})
	if r.status != http.StatusBadRequest || r.errField() != "reason" {
		t.Fatalf("reject without a reason: %d %v", r.status, r.body)
	}
	expect(t, "reject p3", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p3), "decision": "reject", "reason": "Sudah didanai SKPD"}), http.StatusOK)
	// 60 of 100 million are committed: 50 more is refused with the figures, and changes nothing.
	r = lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p4), "decision": "fund"})
	if r.status != http.StatusConflict || !strings.Contains(fmt.Sprint(r.body), "Rp 40.000.000 remains") {
		t.Fatalf("over-allocation: %d %v", r.status, r.body)
	}
	if d := r.body["error"].(map[string]any)["details"].(map[string]any); d["remaining"] != 40_000_000.0 || d["cost"] != 50_000_000.0 {
		t.Fatalf("over-allocation figures: %v", d)
	}
	if got := rw.do("GET", fmt.Sprintf("/api/proposals/%d", id(t, p4)), nil); got.body["state"] != "submitted" {
		t.Fatalf("a refused funding changed the proposal: %v", got.body)
	}
	alloc := warga.do("GET", "/api/allocations?institution=32.73.01.1001/rw-02&fiscalYear=2026", nil)
	if alloc.body["committed"] != 60_000_000.0 || alloc.body["remaining"] != 40_000_000.0 {
		t.Fatalf("allocation after a refused funding: %v", alloc.body)
	}
	expect(t, "close with an undecided proposal", lurah.do("POST", path+"/close", map[string]string{"minutes": "Notulen"}), http.StatusConflict)
	expect(t, "reject p4", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p4), "decision": "reject", "reason": "Melebihi pagu"}), http.StatusOK)
	expect(t, "close", lurah.do("POST", path+"/close", map[string]string{"minutes": "Musrenbang Kelurahan Sukarasa: 4 usulan diputuskan."}), http.StatusOK)
	p5 := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "infrastructure", 1_000_000, "infrastructure"))
	expect(t, "a decision on a closed Musrenbang", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p5), "decision": "fund"}), http.StatusConflict)
	expect(t, "attendance on a closed Musrenbang", lurah.do("POST", path+"/attendance", map[string]any{"attendance": quorum}), http.StatusConflict)
	pub := w.client("bandung").do("GET", path, nil)
	if pub.status != http.StatusOK || pub.body["state"] != "closed" || len(pub.body["decisions"].([]any)) != 4 {
		t.Fatalf("published minutes and decisions: %v", pub.body)
	}

	// Execution: the lurah approves; a cost change needs approval again; cancellation releases.
	p1path := fmt.Sprintf("/api/proposals/%d", id(t, p1))
	expect(t, "the RW approves its own execution", rw.do("POST", p1path+"/approve", nil), http.StatusForbidden)
	expect(t, "approve", lurah.do("POST", p1path+"/approve", nil), http.StatusOK)
	r = rw.do("POST", p1path+"/cost", map[string]any{"cost": 70_000_000})
	if r.status != http.StatusOK || r.body["state"] != "funded" || r.body["cost"] != 70_000_000.0 {
		t.Fatalf("cost change: %d %v", r.status, r.body)
	}
	expect(t, "a cost change beyond the allocation", rw.do("POST", p1path+"/cost", map[string]any{"cost": 120_000_000}), http.StatusConflict)
	expect(t, "negative cost", rw.do("POST", p1path+"/cost", map[string]any{"cost": -1}), http.StatusBadRequest)
	expect(t, "approve again", lurah.do("POST", p1path+"/approve", nil), http.StatusOK)

	// Realisation goes up the hierarchy: the RW reports, the lurah verifies,
	// the camat consolidates, the regional secretariat evaluates.
	w.people("setda")
	setda := w.client("bandung").mustSignIn("setda")
	rep := rw.do("POST", p1path+"/reports", map[string]any{"spent": 68_500_000, "outputs": "Saluran RT 03 diperbaiki sepanjang 140 m.",
		"participants": 140, "activityStart": "2026-11-03", "activityEnd": "2026-11-24"})
	expect(t, "report", rep, http.StatusCreated)
	rpath := fmt.Sprintf("/api/reports/%d", id(t, rep))
	expect(t, "another ward's lurah verifies", other.do("POST", rpath+"/verify", nil), http.StatusForbidden)
	expect(t, "verify", lurah.do("POST", rpath+"/verify", nil), http.StatusOK)
	expect(t, "consolidate", camat.do("POST", rpath+"/consolidate", nil), http.StatusOK)
	r = setda.do("POST", rpath+"/evaluate", map[string]string{"evaluation": "Sesuai rencana; genangan RT 03 teratasi."})
	if r.status != http.StatusOK || r.body["state"] != "evaluated" || r.body["late"] != false {
		t.Fatalf("evaluate: %d %v", r.status, r.body)
	}
	if got := rw.do("GET", p1path, nil); got.body["state"] != "evaluated" {
		t.Fatalf("p1 after its evaluation: %v", got.body)
	}

	// The kecamatan decides on what was forwarded: p2 becomes a CSR request (Bandung runs both pillars).
	k := camat.do("POST", "/api/musrenbang", map[string]any{"level": "kecamatan", "area": "32.73.01", "fiscalYear": 2026, "scheduledAt": w.now.Add(96 * time.Hour), "place": "Kantor Kecamatan Sukasari"})
	expect(t, "kecamatan Musrenbang", k, http.StatusCreated)
	kpath := fmt.Sprintf("/api/musrenbang/%d", id(t, k))
	expect(t, "a lurah runs the kecamatan Musrenbang", lurah.do("POST", kpath+"/attendance", map[string]any{"attendance": quorum}), http.StatusForbidden)
	expect(t, "kecamatan attendance", camat.do("POST", kpath+"/attendance", map[string]any{"attendance": quorum}), http.StatusOK)
	agenda := camat.do("GET", kpath, nil).body["agenda"].([]any)
	if len(agenda) != 1 || agenda[0].(map[string]any)["id"] != float64(id(t, p2)) {
		t.Fatalf("kecamatan agenda %v, want the forwarded proposal", agenda)
	}
	r = camat.do("POST", kpath+"/decisions", map[string]any{"proposal": id(t, p2), "decision": "csr"})
	if r.status != http.StatusOK || r.body["state"] != "csr" {
		t.Fatalf("forward to CSR: %d %v", r.status, r.body)
	}

	// A reported activity can no longer be cancelled: p1's 70 million stay
	// committed. (Cancelling an approved proposal, which releases its
	// commitment, is in TestReportsUpTheHierarchy.)
	expect(t, "cancel an evaluated proposal", rw.do("POST", p1path+"/cancel", map[string]any{"reason": "Dikerjakan swadaya"}), http.StatusConflict)
	if a := warga.do("GET", "/api/allocations?institution=32.73.01.1001/rw-02&fiscalYear=2026", nil); a.body["committed"] != 70_000_000.0 {
		t.Fatalf("allocation after a refused cancellation: %v", a.body)
	}

	// A resident's complaint about the ward: received, not resolved in time,
	// escalated by the resident, resolved by the ombudsman.
	w.people("ombudsman")
	ombudsman := w.client("bandung").mustSignIn("ombudsman")
	cp := warga.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1001", "subject": "Pekerjaan saluran terhenti", "body": "Galian dibiarkan terbuka dua minggu."})
	expect(t, "complaint", cp, http.StatusCreated)
	cpath := fmt.Sprintf("/api/complaints/%d", id(t, cp))
	expect(t, "another ward's lurah receives it", other.do("POST", cpath+"/receive", nil), http.StatusForbidden)
	expect(t, "receive", lurah.do("POST", cpath+"/receive", nil), http.StatusOK)
	w.advance(15 * 24 * time.Hour) // past Bandung's 14 days; everyone signs in again
	warga.mustSignIn("warga")
	lurah.mustSignIn("lurah")
	ombudsman.mustSignIn("ombudsman")
	if r := warga.do("GET", cpath, nil); r.body["overdue"] != true {
		t.Fatalf("a complaint past the region's response time is not flagged: %v", r.body)
	}
	expect(t, "escalate", warga.do("POST", cpath+"/escalate", map[string]string{"reason": "Tidak ada tanggapan"}), http.StatusOK)
	expect(t, "the lurah resolves an escalated complaint", lurah.do("POST", cpath+"/resolve", map[string]string{"resolution": "x"}), http.StatusForbidden)
	if r := ombudsman.do("POST", cpath+"/resolve", map[string]string{"resolution": "Kontraktor diminta menutup galian."}); r.status != http.StatusOK || r.body["state"] != "resolved" {
		t.Fatalf("the ombudsman resolves: %d %v", r.status, r.body)
	}

	// Every step is in the audit log; Musrenbang decisions are public.
	pubAudit := w.client("bandung").do("GET", "/api/audit/public?action=musrenbang:decide", nil)
	if n := len(pubAudit.body["items"].([]any)); n != 5 {
		t.Fatalf("%d public Musrenbang decisions in the audit log, want 5", n)
	}
	r = w.client("bandung").mustSignIn("admin").do("GET", "/api/audit/verify", nil)
	if r.body["ok"] != true {
		t.Fatalf("the audit chain after the cycle: %v", r.body)
	}
}

func TestTwoPillarBadInput(t *testing.T) {
	w := newWorld(t)
	bandungStaff(w)
	rw := w.client("bandung").mustSignIn("rw02")
	lurah := w.client("bandung").mustSignIn("lurah")
	refusesEach(t, "/api/proposals", proposalBody("32.73.01.1001/rw-02", "infrastructure", 1_000_000, "infrastructure"), []badInput{
		{"negative cost", map[string]any{"cost": -10}, "cost"},
		{"absurd cost", map[string]any{"cost": int64(5_000_000_000_000)}, "cost"},
		{"cost as text", map[string]any{"cost": "seratus"}, "cost"},
		{"oversized title", map[string]any{"title": strings.Repeat("judul ", 40)}, "title"},
		{"missing location", map[string]any{"location": ""}, "location"},
		{"past fiscal year", map[string]any{"fiscalYear": 2019}, "fiscalYear"},
		{"unknown kind", map[string]any{"kind": "gedung"}, "kind"},
	}, rw)
	if r := w.client("bandung").do("GET", "/api/proposals?scope=32.73.01.1001", nil); len(r.body["items"].([]any)) != 0 {
		t.Fatalf("refused proposals were stored: %v", r.body)
	}
	expect(t, "unknown proposal", rw.do("GET", "/api/proposals/999", nil), http.StatusNotFound)
	expect(t, "non-numeric id", rw.do("GET", "/api/proposals/abc", nil), http.StatusBadRequest)
	r := lurah.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.73.01.1001", "fiscalYear": 2026, "scheduledAt": w.now.Add(-72 * time.Hour), "place": "Aula"})
	if r.status != http.StatusBadRequest || r.errField() != "scheduledAt" {
		t.Fatalf("a Musrenbang in the past: %d %v", r.status, r.body)
	}
	r = lurah.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.11.01.2001", "fiscalYear": 2026, "scheduledAt": w.now.Add(72 * time.Hour), "place": "Aula"})
	if r.status != http.StatusBadRequest || r.errField() != "area" {
		t.Fatalf("a Musrenbang in another region's ward: %d %v", r.status, r.body)
	}
	r = lurah.do("GET", "/api/proposals?scope=32.11", nil)
	if r.status != http.StatusBadRequest || r.errField() != "scope" {
		t.Fatalf("a scope outside the region: %d %v", r.status, r.body)
	}
	r = lurah.do("GET", "/api/proposals?limit=5000", nil)
	if r.status != http.StatusBadRequest || r.errField() != "limit" {
		t.Fatalf("an absurd page size: %d %v", r.status, r.body)
	}
}

// Parallel funding decisions on one institution, over HTTP, with the region
// served from PostgreSQL: whatever the interleaving, the allocation is never
// overspent. Clients retry a decision refused because the Musrenbang changed
// meanwhile, as a person would press the button again.
func TestParallelFundingNeverOverspendsOnPostgres(t *testing.T) {
	w := newWorldOn(t, store.Postgres)
	bandungStaff(w)
	rw := w.client("bandung").mustSignIn("rw02")
	lurah := w.client("bandung").mustSignIn("lurah")
	var ids []int64
	for range 8 {
		p := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "infrastructure", 30_000_000, "infrastructure"))
		expect(t, "proposal", p, http.StatusCreated)
		ids = append(ids, id(t, p))
	}
	m := lurah.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.73.01.1001", "fiscalYear": 2026, "scheduledAt": w.now.Add(48 * time.Hour), "place": "Aula"})
	path := fmt.Sprintf("/api/musrenbang/%d", id(t, m))
	expect(t, "attendance", lurah.do("POST", path+"/attendance", map[string]any{"attendance": map[string]int{"rt-board": 5, "rw-board": 5, "community-leader": 2, "women-leader": 2, "youth-leader": 2}}), http.StatusOK)

	answers := inParallel(len(ids), func(i int) response {
		for attempt := 0; attempt < 50; attempt++ {
			r := lurah.do("POST", path+"/decisions", map[string]any{"proposal": ids[i], "decision": "fund"})
			if r.status != http.StatusConflict || !strings.Contains(fmt.Sprint(r.body), "changed meanwhile") {
				return r
			}
		}
		t.Errorf("proposal %d: no answer after 50 attempts", ids[i])
		return response{}
	})
	funded, refused := 0, 0
	for i, r := range answers {
		switch {
		case r.status == http.StatusOK:
			funded++
		case r.status == http.StatusConflict && strings.Contains(fmt.Sprint(r.body), "remains"):
			refused++
		case r.status != 0: // no answer at all is told above
			t.Errorf("decision on %d: %d %v", ids[i], r.status, r.body)
		}
	}
	a := lurah.do("GET", "/api/allocations?institution=32.73.01.1001/rw-02&fiscalYear=2026", nil)
	if funded != 3 || refused != 5 || a.body["committed"] != 90_000_000.0 {
		t.Fatalf("%d funded, %d refused, allocation %v; want 3, 5 and Rp 90.000.000 committed", funded, refused, a.body)
	}
}
