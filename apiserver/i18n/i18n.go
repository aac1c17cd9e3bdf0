// Package i18n owns the message catalogs of everything Pilar tells people —
// the portal's pages today, and whatever else speaks to them in their own
// language — and the way it formats numbers, money and dates for a reader:
// Bahasa Indonesia first, English, and whatever local language a region
// adds in its spec.
//
// A catalog is a flat JSON object of message keys to texts, one file per
// language under catalogs/. Texts are fmt formats: a message that takes
// arguments names them with explicit indexes (%[1]s) so that a translation
// may reorder them. The shipped catalogs are complete — a test fails when a
// key of the Indonesian catalog is missing from any other — so the fallback
// to Indonesian matters only at run time, for a language a region adds that
// ships no catalog or an incomplete one.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Default is the language every region's portal falls back to.
const Default = "id"

//go:embed catalogs/*.json
var files embed.FS

// Catalogs are the shipped message catalogs, by language code.
type Catalogs struct {
	byLang map[string]map[string]string
}

// Load reads the shipped catalogs; it fails when one is not a flat JSON
// object of strings or when the Indonesian one is missing.
func Load() (*Catalogs, error) {
	entries, err := files.ReadDir("catalogs")
	if err != nil {
		return nil, fmt.Errorf("i18n: unable to list the catalogs: %w", err)
	}
	c := &Catalogs{byLang: map[string]map[string]string{}}
	for _, e := range entries {
		lang, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		data, err := files.ReadFile(path.Join("catalogs", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("i18n: unable to read catalog %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s is not a JSON object of strings: %w", lang, err)
		}
		c.byLang[lang] = m
	}
	if c.byLang[Default] == nil {
		return nil, fmt.Errorf("i18n: the %s catalog is missing", Default)
	}
	return c, nil
}

// MustLoad is Load for package initialisation: the catalogs are embedded,
// so a failure is a build defect.
func MustLoad() *Catalogs {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Shipped lists the languages that have a catalog, sorted.
func (c *Catalogs) Shipped() []string {
	var out []string
	for l := range c.byLang {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Messages returns a copy of one language's catalog, nil when none ships.
func (c *Catalogs) Messages(lang string) map[string]string {
	m, ok := c.byLang[lang]
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// With returns catalogs that also hold msgs for lang, replacing any shipped
// one: for tests, and for a region that brings its own partial catalog.
func (c *Catalogs) With(lang string, msgs map[string]string) *Catalogs {
	out := &Catalogs{byLang: map[string]map[string]string{}}
	for l, m := range c.byLang {
		out.byLang[l] = m
	}
	out.byLang[lang] = msgs
	return out
}

// Autonym is a language's name in that language, for the language menu: the
// catalog's "language.name", or the code itself when no catalog ships.
func (c *Catalogs) Autonym(lang string) string {
	if n := c.byLang[lang]["language.name"]; n != "" {
		return n
	}
	return lang
}

// Localizer renders messages, numbers, money and dates in one language and
// one time zone.
type Localizer struct {
	Lang     string
	msgs     map[string]string
	fallback map[string]string
	loc      *time.Location
}

// For returns the localizer of a language in a time zone (UTC when nil).
// Keys the language lacks come from the Indonesian catalog.
func (c *Catalogs) For(lang string, loc *time.Location) *Localizer {
	if loc == nil {
		loc = time.UTC
	}
	return &Localizer{Lang: lang, msgs: c.byLang[lang], fallback: c.byLang[Default], loc: loc}
}

// Has reports whether the key has a text, in the language or its fallback.
func (l *Localizer) Has(key string) bool {
	if _, ok := l.msgs[key]; ok {
		return true
	}
	_, ok := l.fallback[key]
	return ok
}

// T renders the message of a key with its arguments. An unknown key renders
// as itself, so that a missing text shows where it is missing instead of
// breaking the page.
func (l *Localizer) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok {
		if msg, ok = l.fallback[key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Location is the time zone dates are shown in.
func (l *Localizer) Location() *time.Location { return l.loc }

// Number formats a whole number with the language's thousands separator:
// 1.234.567 in Indonesian, 1,234,567 in English.
func (l *Localizer) Number(n int64) string {
	return group(n, l.T("format.thousands"))
}

// Rupiah formats an amount of whole rupiah the Indonesian way, whatever the
// language: "Rp 1.234.567".
func (l *Localizer) Rupiah(n int64) string {
	if n < 0 {
		return "-Rp " + group(-n, ".")
	}
	return "Rp " + group(n, ".")
}

// Percent formats a share in basis points (hundredths of a percent) with two
// decimals and the language's decimal mark: 4792 is "47,92%" in Indonesian.
func (l *Localizer) Percent(bp int64) string {
	sign := ""
	if bp < 0 {
		bp, sign = -bp, "-"
	}
	return fmt.Sprintf("%s%s%s%02d%%", sign, group(bp/100, l.T("format.thousands")), l.T("format.decimal"), bp%100)
}

// Date formats the day of a time in the region's time zone, e.g. "2 Januari 2026".
func (l *Localizer) Date(t time.Time) string {
	t = t.In(l.loc)
	return l.T("format.date", t.Day(), l.T("month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// DateTime formats a time in the region's time zone with the zone's
// Indonesian abbreviation, e.g. "2 Januari 2026 09.30 WIB".
func (l *Localizer) DateTime(t time.Time) string {
	t = t.In(l.loc)
	return l.T("format.datetime", t.Day(), l.T("month."+strconv.Itoa(int(t.Month()))), t.Year(),
		fmt.Sprintf("%02d", t.Hour()), fmt.Sprintf("%02d", t.Minute()), Zone(t))
}

// Zone names a time's zone the Indonesian way: WIB, WITA or WIT for the
// country's three zones, the zone's own abbreviation elsewhere.
func Zone(t time.Time) string {
	switch t.Location().String() {
	case "Asia/Jakarta", "Asia/Pontianak":
		return "WIB"
	case "Asia/Makassar":
		return "WITA"
	case "Asia/Jayapura":
		return "WIT"
	}
	name, _ := t.Zone()
	return name
}

func group(n int64, sep string) string {
	neg := n < 0
	if neg {
		n = -n
	}
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// Negotiate picks the language of a request among the region's offered
// languages (the default first): the ?lang= parameter, then the cookie, then
// the Accept-Language header, then the region's first language.
func Negotiate(query, cookie, acceptLanguage string, offered []string) string {
	if len(offered) == 0 {
		return Default
	}
	for _, l := range []string{query, cookie} {
		if l = strings.ToLower(strings.TrimSpace(l)); slices.Contains(offered, l) {
			return l
		}
	}
	type pref struct {
		lang string
		q    float64
	}
	var prefs []pref
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if base == "" || q <= 0 {
			continue
		}
		prefs = append(prefs, pref{base, q})
	}
	slices.SortStableFunc(prefs, func(a, b pref) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	for _, p := range prefs {
		if slices.Contains(offered, p.lang) {
			return p.lang
		}
	}
	return offered[0]
}
