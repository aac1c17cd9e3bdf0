package web

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// get reads a path of a JSON object: get(body, "indicators", "spending", "empowerment").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func share(bp float64, percent string) map[string]any {
	return map[string]any{"basisPoints": bp, "percent": percent}
}

// A year of Sukarasa through the API — aspirations, its Musrenbang with 20
// attendees, three empowerment proposals worth Rp 60 million and one
// infrastructure proposal worth Rp 40 million funded, two reports (one
// late), a complaint resolved in 26 hours, and the lurah's assessments —
// measured exactly, per institution, per ward and per kecamatan.
func TestParticipationAndEvaluation(t *testing.T) {
	onBothDatabases(t, participationYear)
}

func participationYear(t *testing.T, w *world) {
	bandungStaff(w)
	w.people("sekda")
	signed := w.signedIn("warga", "rw02", "pkk", "lurah", "lurah-geger")
	warga, rw, pkk, lurah, other := signed[0], signed[1], signed[2], signed[3], signed[4]

	// Aspirations: three to Sukarasa's institutions, one to Gegerkalong's.
	for _, inst := range []string{"32.73.01.1001/rw-02", "32.73.01.1001/rw-02", "32.73.01.1001/pkk", "32.73.01.1002/rw-01"} {
		expect(t, "aspiration", warga.do("POST", "/api/aspirations", map[string]string{"institution": inst, "title": "Usulan warga", "body": "Mohon ditindaklanjuti."}), http.StatusCreated)
	}

	// Proposals: RW 02 empowerment 20 + 25 million and infrastructure 40
	// million; the PKK empowerment 15 million; one more that is rejected.
	social := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "social-affairs", 20_000_000, "empowerment"))
	economy := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "economic-empowerment", 25_000_000, "empowerment"))
	road := rw.do("POST", "/api/proposals", proposalBody("32.73.01.1001/rw-02", "infrastructure", 40_000_000, "infrastructure"))
	health := pkk.do("POST", "/api/proposals", proposalBody("32.73.01.1001/pkk", "pokja-4", 15_000_000, "empowerment"))
	rejected := pkk.do("POST", "/api/proposals", proposalBody("32.73.01.1001/pkk", "pokja-2", 10_000_000, "infrastructure"))
	for _, p := range []response{social, economy, road, health, rejected} {
		expect(t, "proposal", p, http.StatusCreated)
	}

	// The ward Musrenbang: 20 attend; four funded, one rejected, closed.
	m := lurah.do("POST", "/api/musrenbang", map[string]any{"level": "ward", "area": "32.73.01.1001", "fiscalYear": 2026, "scheduledAt": w.now.Add(time.Hour), "place": "Aula Kelurahan Sukarasa"})
	expect(t, "schedule", m, http.StatusCreated)
	path := fmt.Sprintf("/api/musrenbang/%d", id(t, m))
	attendance := map[string]int{"rt-board": 4, "rw-board": 3, "community-leader": 2, "women-leader": 3, "youth-leader": 2, "resident": 6}
	expect(t, "attendance", lurah.do("POST", path+"/attendance", map[string]any{"attendance": attendance}), http.StatusOK)
	for _, p := range []response{social, economy, road, health} {
		expect(t, "fund", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, p), "decision": "fund"}), http.StatusOK)
	}
	expect(t, "reject", lurah.do("POST", path+"/decisions", map[string]any{"proposal": id(t, rejected), "decision": "reject", "reason": "Di luar prioritas"}), http.StatusOK)
	expect(t, "close", lurah.do("POST", path+"/close", map[string]string{"minutes": "Empat usulan didanai, satu ditolak."}), http.StatusOK)

	// Reports: RW 02's social activity is reported, sent back and reported
	// again on time (18 million, 92 taking part); the PKK reports late (its
	// activity ended on 1 September: due by 1 October) and the lurah verifies it.
	expect(t, "approve the social activity", lurah.do("POST", fmt.Sprintf("/api/proposals/%d/approve", id(t, social)), nil), http.StatusOK)
	expect(t, "approve the health activity", lurah.do("POST", fmt.Sprintf("/api/proposals/%d/approve", id(t, health)), nil), http.StatusOK)
	report := func(c *client, proposal response, spent, participants int, start, end string) response {
		t.Helper()
		r := c.do("POST", fmt.Sprintf("/api/proposals/%d/reports", id(t, proposal)), map[string]any{"spent": spent, "outputs": "Kegiatan terlaksana.",
			"participants": participants, "activityStart": start, "activityEnd": end})
		expect(t, "report", r, http.StatusCreated)
		return r
	}
	sent := report(rw, social, 20_000_000, 100, "2026-11-01", "2026-11-20")
	expect(t, "return", lurah.do("POST", fmt.Sprintf("/api/reports/%d/return", id(t, sent)), map[string]string{"reason": "Bukti pengeluaran belum lengkap."}), http.StatusOK)
	report(rw, social, 18_000_000, 92, "2026-11-01", "2026-11-20")
	late := report(pkk, health, 15_000_000, 40, "2026-08-01", "2026-09-01")
	expect(t, "verify", lurah.do("POST", fmt.Sprintf("/api/reports/%d/verify", id(t, late)), nil), http.StatusOK)

	// Complaints: one about Sukarasa resolved 26 hours after it was filed; one about Gegerkalong open.
	c := warga.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1001", "subject": "Lampu jalan mati", "body": "Di RT 03 sejak sepekan."})
	expect(t, "complaint", c, http.StatusCreated)
	expect(t, "complaint in Gegerkalong", warga.do("POST", "/api/complaints", map[string]any{"ward": "32.73.01.1002", "subject": "Jalan berlubang", "body": "Jl. Gegerkalong Hilir."}), http.StatusCreated)
	cpath := fmt.Sprintf("/api/complaints/%d", id(t, c))
	expect(t, "receive", lurah.do("POST", cpath+"/receive", nil), http.StatusOK)
	expect(t, "investigate", lurah.do("POST", cpath+"/investigate", nil), http.StatusOK)
	// A day later every session has expired: everyone signs in again.
	w.advance(26 * time.Hour)
	warga, rw, lurah, other = w.client("bandung").mustSignIn("warga"), w.client("bandung").mustSignIn("rw02"), w.client("bandung").mustSignIn("lurah"), w.client("bandung").mustSignIn("lurah-geger")
	camat, sekda := w.client("bandung").mustSignIn("camat"), w.client("bandung").mustSignIn("sekda")
	expect(t, "resolve", lurah.do("POST", cpath+"/resolve", map[string]string{"resolution": "Lampu diganti."}), http.StatusOK)

	// The lurah assesses Sukarasa twice; the latest counts, both are kept.
	phase := func(c *client, ward, p string) response {
		return c.do("POST", "/api/participation/phases", map[string]any{"ward": ward, "fiscalYear": 2026, "phase": p, "note": "Warga aktif dalam Musrenbang."})
	}
	first := phase(lurah, "32.73.01.1001", "consulting")
	expect(t, "assess", first, http.StatusCreated)
	latest := phase(lurah, "32.73.01.1001", "collaborating")
	expect(t, "assess again", latest, http.StatusCreated)
	if latest.body["phase"] != "collaborating" || latest.body["ward"] != "32.73.01.1001" || latest.body["fiscalYear"] != 2026.0 {
		t.Fatalf("assessment: %v", latest.body)
	}
	expect(t, "a lurah assesses another ward", phase(other, "32.73.01.1001", "initiating"), http.StatusForbidden)
	expect(t, "an institution assesses its ward", phase(rw, "32.73.01.1001", "initiating"), http.StatusForbidden)
	expect(t, "a resident assesses", phase(warga, "32.73.01.1001", "initiating"), http.StatusForbidden)

	// The ward, with its institutions beneath it.
	r := lurah.do("GET", "/api/participation?scope=32.73.01.1001&fiscalYear=2026", nil)
	expect(t, "the ward", r, http.StatusOK)
	wardWant := map[string]any{
		// 3 aspirations, 20 attendees and 92 + 40 participants of 18,400 residents.
		"participation": map[string]any{"population": 18400.0, "aspirations": 3.0, "aspirationsPerMille": 0.0, "attendance": 20.0, "attendancePerMille": 1.0,
			"participants": 132.0, "participantsPerMille": 7.0},
		"spending": map[string]any{"empowerment": 60_000_000.0, "infrastructure": 40_000_000.0, "empowermentShare": share(6000, "60.00%")},
		// 13 institutions (10 RW, PKK, Karang Taruna, LPM) × 100 million; 33 million realised: 2.538% → 2.54%.
		"absorption": map[string]any{"institutions": 13.0, "allocation": 1_300_000_000.0, "spent": 33_000_000.0, "share": share(254, "2.54%")},
		"reporting":  map[string]any{"reports": 2.0, "onTime": 1.0, "share": share(5000, "50.00%")},
		"complaints": map[string]any{"filed": 1.0, "resolved": 1.0, "medianResolutionHours": 26.0},
	}
	if got := r.body["indicators"]; !reflect.DeepEqual(got, wardWant) {
		t.Errorf("Sukarasa:\n got %v\nwant %v", got, wardWant)
	}
	if r.body["scope"] != "32.73.01.1001" || r.body["level"] != "ward" || r.body["name"] != "Sukarasa" || r.body["fiscalYear"] != 2026.0 {
		t.Errorf("Sukarasa: %v", r.body)
	}
	if get(r.body, "phase", "phase") != "collaborating" || get(r.body, "phase", "id") != latest.body["id"] {
		t.Errorf("the latest phase beside the figures: %v", r.body["phase"])
	}
	if h := r.body["history"].([]any); len(h) != 2 || get(h, 0, "phase") != "collaborating" || get(h, 1, "phase") != "consulting" {
		t.Errorf("phase history: %v", h)
	}
	rows := r.body["rows"].([]any)
	if len(rows) != 13 {
		t.Fatalf("%d institutions beneath Sukarasa, want 13", len(rows))
	}
	byScope := map[string]any{}
	for _, row := range rows {
		byScope[get(row, "scope").(string)] = row
	}
	rw02 := byScope["32.73.01.1001/rw-02"]
	// RW 02: 45 of 85 million for empowerment (52.94%), 18 of its 100 million realised, on time.
	if get(rw02, "indicators", "spending", "empowermentShare", "percent") != "52.94%" || get(rw02, "indicators", "absorption", "share", "basisPoints") != 1800.0 ||
		get(rw02, "indicators", "reporting", "share", "percent") != "100.00%" || get(rw02, "indicators", "participation", "aspirations") != 2.0 ||
		get(rw02, "indicators", "participation", "attendance") != 20.0 || get(rw02, "indicators", "participation", "participantsPerMille") != 5.0 {
		t.Errorf("RW 02: %v", rw02)
	}
	if p := byScope["32.73.01.1001/pkk"]; get(p, "indicators", "spending", "empowermentShare", "percent") != "100.00%" ||
		get(p, "indicators", "reporting", "share", "percent") != "0.00%" || get(p, "indicators", "absorption", "share", "percent") != "15.00%" {
		t.Errorf("PKK: %v", p)
	}
	// RW 01 did nothing: shares of nothing are null, not zero.
	if r1 := byScope["32.73.01.1001/rw-01"]; get(r1, "indicators", "spending", "empowermentShare") != nil || get(r1, "indicators", "reporting", "share") != nil ||
		get(r1, "indicators", "absorption", "share", "percent") != "0.00%" || get(r1, "indicators", "complaints", "medianResolutionHours") != nil {
		t.Errorf("RW 01: %v", r1)
	}

	// The kecamatan, with its wards; the camat reads it.
	r = camat.do("GET", "/api/participation?scope=32.73.01&fiscalYear=2026", nil)
	expect(t, "the kecamatan", r, http.StatusOK)
	// 80,200 residents; 53 institutions × 100 million; 33 million realised: 0.6226% → 0.62%.
	if get(r.body, "indicators", "participation", "population") != 80200.0 || get(r.body, "indicators", "participation", "aspirations") != 4.0 ||
		get(r.body, "indicators", "participation", "participantsPerMille") != 2.0 || get(r.body, "indicators", "absorption", "allocation") != 5_300_000_000.0 ||
		get(r.body, "indicators", "absorption", "share", "percent") != "0.62%" || get(r.body, "indicators", "spending", "empowermentShare", "basisPoints") != 6000.0 ||
		get(r.body, "indicators", "complaints", "filed") != 2.0 || get(r.body, "indicators", "complaints", "medianResolutionHours") != 26.0 {
		t.Errorf("Sukasari: %v", r.body["indicators"])
	}
	if want := map[string]any{"collaborating": 1.0, "unassessed": 3.0}; !reflect.DeepEqual(r.body["phases"], want) {
		t.Errorf("Sukasari's phases %v, want %v", r.body["phases"], want)
	}
	wards := r.body["rows"].([]any)
	if len(wards) != 4 || get(wards, 0, "scope") != "32.73.01.1001" || get(wards, 0, "phase", "phase") != "collaborating" {
		t.Fatalf("Sukasari's wards: %v", wards)
	}
	if !reflect.DeepEqual(get(wards, 0, "indicators"), wardWant) {
		t.Errorf("Sukarasa in the recap differs from Sukarasa itself: %v", get(wards, 0, "indicators"))
	}
	if g := wards[1]; get(g, "scope") != "32.73.01.1002" || get(g, "phase") != nil || get(g, "indicators", "participation", "aspirations") != 1.0 ||
		get(g, "indicators", "complaints", "filed") != 1.0 || get(g, "indicators", "complaints", "medianResolutionHours") != nil {
		t.Errorf("Gegerkalong: %v", g)
	}

	// The region, recapped per kecamatan; the regional secretariat reads it.
	r = sekda.do("GET", "/api/participation?fiscalYear=2026", nil)
	expect(t, "the region", r, http.StatusOK)
	// 222,000 residents; 169 institutions; 33 million of 16.9 billion: 0.195% → 0.20%.
	if r.body["level"] != "region" || get(r.body, "indicators", "participation", "population") != 222000.0 ||
		get(r.body, "indicators", "absorption", "institutions") != 169.0 || get(r.body, "indicators", "absorption", "share", "percent") != "0.20%" {
		t.Errorf("Bandung: %v", r.body)
	}
	recap := r.body["rows"].([]any)
	if len(recap) != 3 || get(recap, 0, "scope") != "32.73.01" || get(recap, 0, "level") != "kecamatan" || get(recap, 1, "name") != "Coblong" {
		t.Fatalf("the recap per kecamatan: %v", recap)
	}
	if cob := recap[1]; get(cob, "indicators", "spending", "empowermentShare") != nil || get(cob, "indicators", "absorption", "institutions") != 74.0 ||
		!reflect.DeepEqual(get(cob, "phases"), map[string]any{"unassessed": 6.0}) {
		t.Errorf("Coblong: %v", cob)
	}
	if want := map[string]any{"collaborating": 1.0, "unassessed": 12.0}; !reflect.DeepEqual(r.body["phases"], want) {
		t.Errorf("Bandung's phases %v, want %v", r.body["phases"], want)
	}

	// An institution reads its own figures, not its ward's.
	r = rw.do("GET", "/api/participation?scope=32.73.01.1001/rw-02&fiscalYear=2026", nil)
	expect(t, "an institution's own", r, http.StatusOK)
	if r.body["level"] != "institution" || len(r.body["rows"].([]any)) != 0 || get(r.body, "indicators", "spending", "empowermentShare", "basisPoints") != 5294.0 {
		t.Errorf("RW 02's own: %v", r.body)
	}
	expect(t, "an institution reads its ward", rw.do("GET", "/api/participation?scope=32.73.01.1001", nil), http.StatusForbidden)
	expect(t, "a lurah reads another ward", other.do("GET", "/api/participation?scope=32.73.01.1001", nil), http.StatusForbidden)
	expect(t, "a resident reads", warga.do("GET", "/api/participation?scope=32.73.01.1001", nil), http.StatusForbidden)
	expect(t, "nobody signed in reads", w.client("bandung").do("GET", "/api/participation", nil), http.StatusUnauthorized)

	// The current fiscal year is the default.
	if r := lurah.do("GET", "/api/participation?scope=32.73.01.1001", nil); r.body["fiscalYear"] != 2026.0 || get(r.body, "indicators", "participation", "aspirations") != 3.0 {
		t.Errorf("the default year: %v", r.body)
	}
	// Another year has nothing, and no division by zero.
	r = lurah.do("GET", "/api/participation?scope=32.73.01.1001&fiscalYear=2025", nil)
	if r.status != http.StatusOK || get(r.body, "indicators", "spending", "empowermentShare") != nil || get(r.body, "phase") != nil ||
		get(r.body, "indicators", "absorption", "share", "percent") != "0.00%" {
		t.Errorf("2025: %d %v", r.status, r.body)
	}

	// Assessments are public decisions in the audit log.
	if pub := w.client("bandung").do("GET", "/api/audit/public?action=participation:assess", nil); len(pub.body["items"].([]any)) != 2 {
		t.Errorf("public assessments in the audit log: %v", pub.body)
	}
}

func TestParticipationBadInput(t *testing.T) {
	w := newWorld(t)
	bandungStaff(w)
	lurah := w.client("bandung").mustSignIn("lurah")
	for _, tt := range []struct {
		name, query, field string
	}{
		{"unknown scope", "?scope=32.11", "scope"},
		{"a year long past", "?scope=32.73.01.1001&fiscalYear=1990", "fiscalYear"},
		{"a year far ahead", "?scope=32.73.01.1001&fiscalYear=2030", "fiscalYear"},
		{"not a year", "?scope=32.73.01.1001&fiscalYear=dua-ribu", "fiscalYear"},
	} {
		r := lurah.do("GET", "/api/participation"+tt.query, nil)
		if r.status != http.StatusBadRequest || r.errField() != tt.field {
			t.Errorf("%s: %d %v, want 400 on %s", tt.name, r.status, r.body, tt.field)
		}
	}
	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown phase", map[string]any{"phase": "empowered"}, "phase"},
		{"a kecamatan for a ward", map[string]any{"ward": "32.73.01"}, "ward"},
		{"another region's ward", map[string]any{"ward": "32.11.01.2001"}, "ward"},
		{"two years back", map[string]any{"fiscalYear": 2024}, "fiscalYear"},
		{"next year", map[string]any{"fiscalYear": 2027}, "fiscalYear"},
		{"a year as text", map[string]any{"fiscalYear": "2026"}, "fiscalYear"},
		{"no note", map[string]any{"note": ""}, "note"},
	} {
		b := map[string]any{"ward": "32.73.01.1001", "fiscalYear": 2026, "phase": "informing", "note": "Warga mulai hadir."}
		for k, v := range tt.body {
			b[k] = v
		}
		r := lurah.do("POST", "/api/participation/phases", b)
		if r.status != http.StatusBadRequest || r.errField() != tt.field {
			t.Errorf("%s: %d %v, want 400 on %s", tt.name, r.status, r.body, tt.field)
		}
	}
	if r := lurah.do("GET", "/api/participation?scope=32.73.01.1001", nil); r.body["phase"] != nil || r.body["history"] != nil {
		t.Errorf("refused assessments were stored: %v", r.body)
	}
}
