package i18n

import (
	"regexp"
	"slices"
	"testing"
	"time"
)

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists the formatting verbs of a message, sorted: a translation must
// take the same arguments as the Indonesian text.
func verbs(s string) []string {
	vs := verb.FindAllString(s, -1)
	slices.Sort(vs)
	return vs
}

// Every shipped catalog has every key of the Indonesian one, and no other,
// each text with the same arguments.
func TestShippedCatalogsAreComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	id := c.Messages(Default)
	shipped := c.Shipped()
	for _, want := range []string{"en", "id", "su"} {
		if !slices.Contains(shipped, want) {
			t.Errorf("no %s catalog ships", want)
		}
	}
	for _, lang := range shipped {
		m := c.Messages(lang)
		for k, v := range id {
			tr, ok := m[k]
			switch {
			case !ok:
				t.Errorf("%s: key %q is missing", lang, k)
			case tr == "" && v != "":
				t.Errorf("%s: key %q is empty", lang, k)
			case !slices.Equal(verbs(tr), verbs(v)):
				t.Errorf("%s: %q takes %v, the Indonesian text %v", lang, k, verbs(tr), verbs(v))
			}
		}
		for k := range m {
			if _, ok := id[k]; !ok {
				t.Errorf("%s: key %q is not in the Indonesian catalog", lang, k)
			}
		}
	}
}

// A language a region adds without a complete catalog falls back to
// Indonesian, key by key, at run time.
func TestRegionLanguageFallsBackToIndonesian(t *testing.T) {
	c := MustLoad().With("jv", map[string]string{"nav.home": "Omah"})
	l := c.For("jv", nil)
	if got := l.T("nav.home"); got != "Omah" {
		t.Errorf("a key the catalog has: %q", got)
	}
	if got, want := l.T("nav.signin"), c.For("id", nil).T("nav.signin"); got != want {
		t.Errorf("a key it lacks: %q, want the Indonesian %q", got, want)
	}
	if got := c.For("xx", nil).T("nav.signin"); got != "Masuk" {
		t.Errorf("a language with no catalog: %q", got)
	}
	if got := l.T("no.such.key"); got != "no.such.key" {
		t.Errorf("an unknown key: %q", got)
	}
	if got := c.Autonym("xx"); got != "xx" {
		t.Errorf("autonym of a language without a catalog: %q", got)
	}
}

func TestNegotiate(t *testing.T) {
	offered := []string{"id", "en", "su"}
	tests := []struct {
		query, cookie, accept string
		want                  string
	}{
		{"", "", "", "id"},
		{"en", "", "", "en"},
		{"EN", "su", "", "en"},
		{"fr", "su", "en", "su"},
		{"", "", "en-US,en;q=0.9", "en"},
		{"", "", "fr-FR, su;q=0.8, en;q=0.5", "su"},
		{"", "", "en;q=0, id;q=0.1", "id"},
		{"", "", "de, fr", "id"},
		{"", "", "garbage;q=x", "id"},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.query, tt.cookie, tt.accept, offered); got != tt.want {
			t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", tt.query, tt.cookie, tt.accept, got, tt.want)
		}
	}
	if got := Negotiate("en", "", "", []string{"id"}); got != "id" {
		t.Errorf("a language the region does not offer: %q", got)
	}
}

func TestFormatting(t *testing.T) {
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	c := MustLoad()
	id, en, su := c.For("id", jakarta), c.For("en", jakarta), c.For("su", jakarta)
	at := time.Date(2026, 3, 1, 2, 5, 0, 0, time.UTC) // 09.05 in Jakarta
	tests := []struct{ got, want string }{
		{id.Rupiah(1234567), "Rp 1.234.567"},
		{en.Rupiah(1234567), "Rp 1.234.567"},
		{id.Rupiah(-5000), "-Rp 5.000"},
		{id.Rupiah(0), "Rp 0"},
		{id.Number(1234567), "1.234.567"},
		{en.Number(1234567), "1,234,567"},
		{id.Number(-999), "-999"},
		{id.Percent(4792), "47,92%"},
		{en.Percent(4792), "47.92%"},
		{id.Percent(5), "0,05%"},
		{id.Date(at), "1 Maret 2026"},
		{id.DateTime(at), "1 Maret 2026, 09.05 WIB"},
		{en.DateTime(at), "1 March 2026, 09:05 WIB"},
		{su.DateTime(at.AddDate(0, 2, 0)), "1 Méi 2026, 09.05 WIB"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	for zone, want := range map[string]string{"Asia/Makassar": "WITA", "Asia/Jayapura": "WIT", "Asia/Pontianak": "WIB"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := Zone(at.In(loc)); got != want {
			t.Errorf("%s: %s, want %s", zone, got, want)
		}
	}
}

func FuzzNegotiate(f *testing.F) {
	f.Add("en", "su", "en-US,en;q=0.9")
	f.Add("", "", ";q=,;;q=1e400")
	f.Fuzz(func(t *testing.T, q, cookie, accept string) {
		got := Negotiate(q, cookie, accept, []string{"id", "en"})
		if got != "id" && got != "en" {
			t.Fatalf("Negotiate chose %q, not an offered language", got)
		}
	})
}
