package policies

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name      string
		overrides string
		role      Role
		perm      Permission
		allowed   bool
		rule      string // Rule.String of the deciding rule; "" when denied by default
	}{
		{"denied by default", "", Resident, MusrenbangDecide, false, ""},
		{"allowed by the baseline", "", Resident, AspirationSubmit, true, "allow resident aspiration:submit (baseline)"},
		{"an override adds a permission", "allow forum-lpm participation:read", ForumLPM, ParticipationRead, true,
			"allow forum-lpm participation:read (override line 1)"},
		{"a deny beats the baseline's allow", "\ndeny institution-rw activity:cancel", InstitutionRW, ActivityCancel, false,
			"deny institution-rw activity:cancel (override line 2)"},
		{"a deny touches only its pair", "deny institution-rw activity:cancel", InstitutionPKK, ActivityCancel, true,
			"allow institution-pkk activity:cancel (baseline)"},
		{"a deny of a pair nobody allows", "deny resident musrenbang:reopen", Resident, MusrenbangReopen, false,
			"deny resident musrenbang:reopen (override line 1)"},
		{"a redundant allow is the baseline's", "allow ward-office musrenbang:decide", WardOffice, MusrenbangDecide, true,
			"allow ward-office musrenbang:decide (baseline)"},
		{"platform role in a region", "", NationalAdmin, RegionOnboard, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustRender(t, tt.overrides)
			e := mustEnforcer(t, set)
			d, err := set.Decide(e, tt.role, tt.perm)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tt.allowed {
				t.Errorf("allowed = %v, want %v", d.Allowed, tt.allowed)
			}
			got := ""
			if d.Rule != nil {
				// Baseline line numbers move as baseline.csv is edited; compare the rest.
				got = baselineLine.ReplaceAllString(d.Rule.String(), "(baseline)")
			}
			if got != tt.rule {
				t.Errorf("rule = %q, want %q", got, tt.rule)
			}
			if fast, _ := Allowed(e, tt.role, tt.perm); fast != d.Allowed {
				t.Errorf("Allowed = %v, Decide = %v", fast, d.Allowed)
			}
		})
	}
}

var baselineLine = regexp.MustCompile(`\(baseline line \d+\)`)

func TestDecisionString(t *testing.T) {
	set := mustRender(t, "deny resident idea:post")
	e := mustEnforcer(t, set)
	tests := []struct {
		role Role
		perm Permission
		want string
	}{
		{Resident, IdeaPost, "denied by deny resident idea:post (override line 1)"},
		{Resident, MusrenbangDecide, "denied by default: no rule allows it"},
	}
	for _, tt := range tests {
		d, err := set.Decide(e, tt.role, tt.perm)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.role, tt.perm, d, tt.want)
		}
	}
}

func TestDecideErrors(t *testing.T) {
	set := mustRender(t, "")
	e := mustEnforcer(t, set)
	if _, err := set.Decide(e, "mayor", DashboardRead); !errors.Is(err, ErrUnknownRole) {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := set.Decide(e, Resident, "dashboard:write"); !errors.Is(err, ErrUnknownPermission) {
		t.Errorf("unknown permission: %v", err)
	}
	// An enforcer made from another set decides by a rule this set does not hold.
	other := mustEnforcer(t, mustRender(t, "allow forum-lpm participation:read"))
	if _, err := set.Decide(other, ForumLPM, ParticipationRead); err == nil {
		t.Error("Decide with a foreign enforcer: no error")
	}
	if _, err := NewEnforcer(nil); err == nil {
		t.Error("NewEnforcer(nil): no error")
	}
}

// TestEnforcerMatchesRules compares the enforcer, uncached, cached and explained,
// with a direct reading of the rules for every pair of the catalogue, platform
// names included: allowed exactly when some rule allows the pair and none denies
// it, and explained by the deny if there is one, or else by the allow. It does so
// for the baseline, every valid example, the platform policy and a large synthetic
// set, and checks that Casbin decides the same with the set's text loaded under
// ModelText, the model that reads every rule.
func TestEnforcerMatchesRules(t *testing.T) {
	type namedSet struct {
		name string
		set  *Set
	}
	sets := []namedSet{{"baseline", mustRender(t, "")}, {"platform", Platform()}, {"large", largeSet()}}
	names, err := fs.Glob(ExampleOverrides(), "*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !strings.HasPrefix(name, "invalid") {
			sets = append(sets, namedSet{name, mustRender(t, readExample(t, name))})
		}
	}
	if !slices.ContainsFunc(sets, func(s namedSet) bool { return s.name == "kota-bandung.txt" }) {
		t.Fatal("no example overrides for Kota Bandung")
	}
	for _, tt := range sets {
		t.Run(tt.name, func(t *testing.T) {
			set := tt.set
			e, reference := mustEnforcer(t, set), referenceEnforcer(t, set)
			allows, denies := make(map[rulePair]Rule), make(map[rulePair]Rule)
			for _, r := range set.Rules {
				if r.Effect == Allow {
					allows[r.pair()] = r
				} else {
					denies[r.pair()] = r
				}
			}
			for _, ri := range Roles() {
				for _, pi := range Permissions() {
					r, p := ri.Name, pi.Name
					allow, allowed := allows[rulePair{r, p}]
					deny, denied := denies[rulePair{r, p}]
					want := allowed && !denied
					for round := range 3 { // the second round answers from the cache, the third after clearing it
						if round == 2 {
							if err := e.InvalidateCache(); err != nil {
								t.Fatal(err)
							}
						}
						got, err := Allowed(e, r, p)
						if err != nil {
							t.Fatal(err)
						}
						if got != want {
							t.Errorf("round %d: Allowed(%s, %s) = %v, want %v", round, r, p, got, want)
						}
					}
					if got, err := reference.Enforce(string(r), string(p)); err != nil || got != want {
						t.Errorf("under ModelText: Enforce(%s, %s) = %v, %v; want %v", r, p, got, err, want)
					}
					d, err := set.Decide(e, r, p)
					if err != nil {
						t.Fatal(err)
					}
					var rule *Rule
					switch {
					case denied:
						rule = &deny
					case allowed:
						rule = &allow
					}
					if d.Allowed != want || !reflect.DeepEqual(d.Rule, rule) {
						t.Errorf("Decide(%s, %s) = %v, want allowed=%v by %v", r, p, d, want, rule)
					}
				}
			}
			// Requests outside the catalogue are denied, not errors; so are requests
			// naming the same string twice, which Casbin's role managers link to itself.
			for _, q := range [][2]string{{"", ""}, {"mayor", "idea:post"}, {"resident", "idea:write"},
				{"resident", "resident"}, {"idea:post", "idea:post"}, {"public", "public"}} {
				if got, err := Allowed(e, Role(q[0]), Permission(q[1])); got || err != nil {
					t.Errorf("Allowed(%q, %q) = %v, %v; want false", q[0], q[1], got, err)
				}
			}
		})
	}
}

// referenceEnforcer loads set's text with Casbin's file adapter under ModelText, as
// anyone reading the ConfigMap by hand would.
func referenceEnforcer(t *testing.T, set *Set) *casbin.Enforcer {
	t.Helper()
	dir := t.TempDir()
	modelPath, policyPath := filepath.Join(dir, "model.conf"), filepath.Join(dir, "policy.csv")
	if err := os.WriteFile(modelPath, []byte(ModelText()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policyPath, []byte(set.Text()), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := casbin.NewEnforcer(modelPath, policyPath)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPlatform(t *testing.T) {
	set := Platform()
	e := mustEnforcer(t, set)
	for _, tt := range []holding{
		{NationalAdmin, RegionOnboard, true},
		{NationalAdmin, NationalRead, true},
		{NationalAdmin, DashboardRead, false},
		{RegionalAdmin, RegionOnboard, false},
	} {
		d, err := set.Decide(e, tt.role, tt.perm)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed != tt.allow {
			t.Errorf("%s %s: %v, want allowed=%v", tt.role, tt.perm, d, tt.allow)
		}
	}
	for _, r := range set.Rules {
		if r.Source != SourcePlatform || !(r.Role.Platform() || r.Role == System) || !r.Permission.Platform() {
			t.Errorf("platform rule %v", r)
		}
	}
	if _, err := ParseSet(set.Text()); !errors.Is(err, ErrGuardrail) {
		t.Errorf("ParseSet(platform text) = %v, want ErrGuardrail", err)
	}
	// No regional set holds platform rules.
	for _, r := range mustRender(t, readExample(t, "kota-bandung.txt")).Rules {
		if r.Role.Platform() || r.Permission.Platform() {
			t.Errorf("regional rule %v names the platform", r)
		}
	}
}
