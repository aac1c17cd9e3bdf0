package policies

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
)

func readExample(tb testing.TB, name string) string {
	tb.Helper()
	text, err := fs.ReadFile(ExampleOverrides(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(text)
}

func mustRender(tb testing.TB, overrides string) *Set {
	tb.Helper()
	set, err := Render(overrides)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// A refusal is a text a parser must refuse with the error want, wrapping the
// category is (nil: none is checked).
type refusal struct {
	name, text string
	want       string
	is         error
}

// checkRefusals feeds each text to parse, which must refuse it; message is
// the part of the error compared with want.
func checkRefusals(t *testing.T, tests []refusal, parse func(string) error, message func(error) string) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parse(tt.text)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := message(err); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error does not wrap %v", tt.is)
			}
		})
	}
}

// A holding is whether a role holds a permission.
type holding struct {
	role  Role
	perm  Permission
	allow bool
}

func mustEnforcer(tb testing.TB, set *Set) *casbin.SyncedCachedEnforcer {
	tb.Helper()
	e, err := NewEnforcer(set)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestRenderDeterministic(t *testing.T) {
	bandung := readExample(t, "kota-bandung.txt")
	base := mustRender(t, "")
	tests := []struct {
		name      string
		a, b      string
		sameHash  bool
		sameRules bool
	}{
		{"same input", bandung, bandung, true, true},
		{"comments, blanks and order do not count",
			"allow forum-lpm participation:read\ndeny resident idea:post",
			"# Bandung\n\ndeny resident idea:post   # no\n\tallow forum-lpm participation:read\n", true, true},
		{"an allow the baseline already grants changes nothing", "", "allow ward-office musrenbang:decide", true, true},
		{"an added allow", "", "allow forum-lpm participation:read", false, false},
		{"an added deny", "", "deny institution-rw activity:cancel", false, false},
		{"a changed role", "allow forum-lpm participation:read", "allow forum-pkk participation:read", false, false},
		{"a changed effect", "deny forum-lpm participation:read", "allow forum-lpm participation:read", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustRender(t, tt.a), mustRender(t, tt.b)
			if (a.Hash == b.Hash) != tt.sameHash {
				t.Errorf("hashes %s and %s: same = %v, want %v", a.Hash, b.Hash, a.Hash == b.Hash, tt.sameHash)
			}
			if (a.Text() == b.Text()) != tt.sameRules {
				t.Errorf("texts equal = %v, want %v", a.Text() == b.Text(), tt.sameRules)
			}
		})
	}
	if len(base.Hash) != 64 || strings.Trim(base.Hash, "0123456789abcdef") != "" {
		t.Errorf("hash %q is not lower-case hex SHA-256", base.Hash)
	}
	if got := mustRender(t, bandung); got.Hash == base.Hash {
		t.Error("the Bandung overrides do not change the hash")
	}
}

func TestSetTextRoundTrip(t *testing.T) {
	for _, name := range []string{"", "kota-bandung.txt", "kabupaten-sumedang.txt"} {
		t.Run(name, func(t *testing.T) {
			overrides := ""
			if name != "" {
				overrides = readExample(t, name)
			}
			set := mustRender(t, overrides)
			back, err := ParseSet(set.Text())
			if err != nil {
				t.Fatal(err)
			}
			if back.Hash != set.Hash || back.Text() != set.Text() {
				t.Errorf("round trip changed the set:\n%s\n---\n%s", set.Text(), back.Text())
			}
			if len(back.Rules) != len(set.Rules) {
				t.Fatalf("%d rules back, want %d", len(back.Rules), len(set.Rules))
			}
			for i := range set.Rules {
				if back.Rules[i] != set.Rules[i].key() {
					t.Errorf("rule %d: %v back, want %v", i, back.Rules[i], set.Rules[i].key())
				}
			}
		})
	}
}

// TestSetGolden pins the exact text the operator stores in Kota Bandung's ConfigMap.
func TestSetGolden(t *testing.T) {
	const golden = "testdata/kota-bandung.set.golden"
	set := mustRender(t, readExample(t, "kota-bandung.txt"))
	if *update {
		if err := os.WriteFile(golden, []byte(set.Text()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if set.Text() != string(want) {
		t.Errorf("rendered set differs from %s (run with -update after a deliberate change and review the diff)", golden)
	}
}

func TestParseSetRefuses(t *testing.T) {
	const head = "# baseline\np, resident, idea:post, allow\n# overrides\n"
	tests := []refusal{
		{"tampered allow", head + "p, resident, musrenbang:decide, allow\n",
			`policies: set line 4 "p, resident, musrenbang:decide, allow": role resident may not hold musrenbang:decide (national guardrail allows: ward-office, kecamatan-office)`, ErrGuardrail},
		{"tampered baseline", "# baseline\np, company, sanction:issue, allow\n",
			`policies: set line 2 "p, company, sanction:issue, allow": role company may not hold sanction:issue (national guardrail allows: csr-forum-secretariat, regional-secretariat, head-of-region)`, ErrGuardrail},
		{"no section", "p, resident, idea:post, allow\n",
			`policies: set line 1 "p, resident, idea:post, allow": rule outside a "# baseline" or "# overrides" section`, ErrSyntax},
		{"deny in the baseline", "# baseline\np, resident, idea:post, deny\n",
			`policies: set line 2 "p, resident, idea:post, deny": the baseline holds only allow rules`, ErrSyntax},
		{"platform section", "# platform\np, national-admin, region:onboard, allow\n",
			`policies: set line 1 "# platform": a region's set holds no platform rules` + "\n" +
				`policies: set line 2 "p, national-admin, region:onboard, allow": national-admin is a platform role and cannot appear in a region's policy`, ErrGuardrail},
		{"repeat across sections", head + "p, resident, idea:post, allow\n",
			`policies: set line 4 "p, resident, idea:post, allow": repeats line 2`, ErrConflict},
		{"contradicting overrides", head + "p, forum-lpm, participation:read, allow\np, forum-lpm, participation:read, deny\n",
			`policies: set line 5 "p, forum-lpm, participation:read, deny": contradicts line 4`, ErrConflict},
		{"unknown role", head + "p, camat, idea:post, allow\n",
			`policies: set line 4 "p, camat, idea:post, allow": unknown role "camat"`, ErrUnknownRole},
		{"malformed", head + "p, resident, idea:post\n",
			`policies: set line 4 "p, resident, idea:post": want p, <role>, <permission>, allow|deny`, ErrSyntax},
		{"grouping rules", head + "g, alice, resident\n",
			`policies: set line 4 "g, alice, resident": want p, <role>, <permission>, allow|deny`, ErrSyntax},
	}
	checkRefusals(t, tests, func(text string) error { _, err := ParseSet(text); return err }, error.Error)
}

// TestParseSetDenyOverBaseline accepts the one legitimate repeat of a pair: a
// baseline allow taken away by an override deny.
func TestParseSetDenyOverBaseline(t *testing.T) {
	set, err := ParseSet("# baseline\np, institution-rw, activity:cancel, allow\n# overrides\np, institution-rw, activity:cancel, deny\n")
	if err != nil {
		t.Fatal(err)
	}
	d, err := set.Decide(mustEnforcer(t, set), InstitutionRW, ActivityCancel)
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || d.Rule == nil || d.Rule.Source != SourceOverride || d.Rule.Effect != Deny {
		t.Errorf("decision %v, want denied by the override", d)
	}
}

// TestSetTextLoadsInCasbin loads a rendered set with Casbin's own file adapter,
// as anyone reading the ConfigMap by hand would, and checks that it decides every
// pair as the package's enforcer does.
func TestSetTextLoadsInCasbin(t *testing.T) {
	set := mustRender(t, readExample(t, "kota-bandung.txt"))
	fromFile, ours := referenceEnforcer(t, set), mustEnforcer(t, set)
	for _, r := range RegionalRoles() {
		for _, p := range RegionalPermissions() {
			want, err := Allowed(ours, r, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fromFile.Enforce(string(r), string(p))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s %s: file adapter says %v, NewEnforcer %v", r, p, got, want)
			}
		}
	}
}
