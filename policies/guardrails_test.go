package policies

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	roleName       = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	permissionName = regexp.MustCompile(`^[a-z]+(-[a-z]+)*:[a-z]+(-[a-z]+)*$`)
)

// catalogued is one name of a catalogue, as the tests see it.
type catalogued struct {
	name, description string
	describes         bool // the description is the one the name's Description gives
}

// checkNames fails for a name that does not match pattern (shape says what it
// should look like), is listed twice, or whose description is not a sentence.
func checkNames(t *testing.T, what string, pattern *regexp.Regexp, shape string, names []catalogued) {
	t.Helper()
	seen := make(map[string]bool)
	for _, n := range names {
		if !pattern.MatchString(n.name) {
			t.Errorf("%s %q: name is not %s", what, n.name, shape)
		}
		if seen[n.name] {
			t.Errorf("%s %s listed twice", what, n.name)
		}
		seen[n.name] = true
		if !strings.HasSuffix(n.description, ".") || !n.describes {
			t.Errorf("%s %s: description %q is not a sentence", what, n.name, n.description)
		}
	}
}

func TestCatalogue(t *testing.T) {
	var roleNames, permNames []catalogued
	for _, r := range Roles() {
		roleNames = append(roleNames, catalogued{string(r.Name), r.Description, r.Description == r.Name.Description()})
		if r.Platform != (r.Name == NationalAdmin) {
			t.Errorf("role %s: platform = %v", r.Name, r.Platform)
		}
	}
	for _, p := range Permissions() {
		permNames = append(permNames, catalogued{string(p.Name), p.Description, p.Description == p.Name.Description()})
	}
	checkNames(t, "role", roleName, "lower-case words joined by '-'", roleNames)
	checkNames(t, "permission", permissionName, "resource:action", permNames)
	if len(RegionalRoles())+1 != len(Roles()) {
		t.Errorf("want exactly one platform role, got %d", len(Roles())-len(RegionalRoles()))
	}
	if _, err := ParseRole("mayor"); !errors.Is(err, ErrUnknownRole) {
		t.Errorf("ParseRole(mayor) = %v, want ErrUnknownRole", err)
	}
	if _, err := ParsePermission("musrenbang:delete"); !errors.Is(err, ErrUnknownPermission) {
		t.Errorf("ParsePermission(musrenbang:delete) = %v, want ErrUnknownPermission", err)
	}
	if r, err := ParseRole("ward-office"); err != nil || r != WardOffice {
		t.Errorf("ParseRole(ward-office) = %v, %v", r, err)
	}
}

// TestGuardrailsForbid states the national promises independently of
// guardrails.csv: no override may grant these pairs, and trying is an error that
// names the line.
func TestGuardrailsForbid(t *testing.T) {
	type pair struct {
		role Role
		perm Permission
	}
	var forbidden []pair
	funding := []Permission{MusrenbangDecide, ExecutionApprove, CSRPlanApprove, PartnerDecide, MusrenbangClose, ProgrammeManage, IdeaAdopt, AllocationDisburseCash}
	for _, r := range []Role{Resident, Public, Company, University} {
		for _, p := range funding {
			forbidden = append(forbidden, pair{r, p})
		}
	}
	for _, p := range []Permission{CSRPlanApprove, CSRPlanAlign, PartnerDecide, PartnerReview, AwardScore, AwardAdjust, SanctionIssue, SanctionLift} {
		forbidden = append(forbidden, pair{Company, p}, pair{University, p})
	}
	for _, r := range RegionalRoles() {
		if !slices.Contains([]Role{RegionalAdmin, InternalSupervisor, Ombudsman, System}, r) {
			forbidden = append(forbidden, pair{r, AuditVerify})
		}
		if r != RegionalAdmin {
			forbidden = append(forbidden, pair{r, RegionConfigure})
		}
		if r != RegionalAdmin && r != System {
			forbidden = append(forbidden, pair{r, GrantManage})
		}
		// What only the server's own schedule does, no person may be allowed.
		if r != System {
			forbidden = append(forbidden, pair{r, CSRRequestExpire}, pair{r, OverdueFlag}, pair{r, SanctionRecommend})
		}
		for _, p := range []Permission{MusrenbangReopen, AllocationDisburseCash, AuditErase} {
			forbidden = append(forbidden, pair{r, p})
		}
	}
	for _, f := range forbidden {
		if MayHold(f.role, f.perm) {
			t.Errorf("MayHold(%s, %s) = true", f.role, f.perm)
		}
		_, err := Render("\nallow " + string(f.role) + " " + string(f.perm) + "\n")
		var le *LineError
		if !errors.Is(err, ErrGuardrail) || !errors.As(err, &le) || le.Line != 2 {
			t.Errorf("Render(allow %s %s) = %v, want a guardrail error on line 2", f.role, f.perm, err)
		}
	}
}

func TestGuardrailsComplete(t *testing.T) {
	gs := Guardrails()
	if len(gs) != len(RegionalPermissions()) {
		t.Fatalf("%d guardrails for %d regional permissions", len(gs), len(RegionalPermissions()))
	}
	for i, p := range RegionalPermissions() {
		if gs[i].Permission != p {
			t.Errorf("guardrail %d is for %s, want %s", i, gs[i].Permission, p)
		}
		for _, r := range gs[i].Roles {
			if !r.Known() || r.Platform() {
				t.Errorf("guardrail %s names role %s", p, r)
			}
		}
	}
	if MayHold(NationalAdmin, RegionOnboard) || MayHold(RegionalAdmin, RegionOnboard) {
		t.Error("platform permissions must have no regional guardrail")
	}
}

// TestParseGuardrailsErrors feeds broken guardrail files to the parser.
func TestParseGuardrailsErrors(t *testing.T) {
	tests := []refusal{
		{"unknown permission", "musrenbang:delete, ward-office",
			`policies: guardrails line 1 "musrenbang:delete, ward-office": unknown permission "musrenbang:delete"`, ErrUnknownPermission},
		{"unknown role", "# c\nmusrenbang:decide, camat",
			`policies: guardrails line 2 "musrenbang:decide, camat": unknown role "camat"`, ErrUnknownRole},
		{"platform permission", "region:onboard, regional-admin",
			`policies: guardrails line 1 "region:onboard, regional-admin": region:onboard is a platform permission and cannot appear in a region's policy`, ErrGuardrail},
		{"no roles", "musrenbang:decide",
			`policies: guardrails line 1 "musrenbang:decide": want <permission>, <role> [, <role>]... or <permission>, any|never`, ErrSyntax},
		{"keyword mixed with roles", "musrenbang:decide, ward-office, never",
			`policies: guardrails line 1 "musrenbang:decide, ward-office, never": "never" must stand alone after the permission`, ErrSyntax},
		{"role twice", "musrenbang:decide, ward-office, ward-office",
			`policies: guardrails line 1 "musrenbang:decide, ward-office, ward-office": role ward-office is listed twice`, ErrConflict},
		{"permission twice", "dashboard:read, any\ndashboard:read, public",
			`policies: guardrails line 2 "dashboard:read, public": dashboard:read already has a guardrail on line 1`, ErrConflict},
		{"missing permission", "dashboard:read, any",
			`policies: guardrails: permission aspiration:submit has no guardrail`, nil},
	}
	checkRefusals(t, tests, func(text string) error { _, err := parseGuardrails(text); return err },
		func(err error) string { return strings.Split(err.Error(), "\n")[0] })
}

// TestParseBaselineErrors checks that a baseline breaking the rules cannot load.
func TestParseBaselineErrors(t *testing.T) {
	tests := []refusal{
		{"beyond guardrails", "p, resident, musrenbang:decide, allow",
			`policies: baseline line 1 "p, resident, musrenbang:decide, allow": role resident may not hold musrenbang:decide (national guardrail allows: ward-office, kecamatan-office)`, ErrGuardrail},
		{"deny", "p, resident, idea:post, deny",
			`policies: baseline line 1 "p, resident, idea:post, deny": the baseline holds only allow rules; everything else is denied by default`, ErrSyntax},
		{"repeat", "p, resident, idea:post, allow\n\np, resident, idea:post, allow",
			`policies: baseline line 3 "p, resident, idea:post, allow": repeats line 1`, ErrConflict},
		{"platform role", "p, national-admin, dashboard:read, allow",
			`policies: baseline line 1 "p, national-admin, dashboard:read, allow": national-admin is a platform role and cannot appear in a region's policy`, ErrGuardrail},
		{"malformed", "p, resident, idea:post",
			`policies: baseline line 1 "p, resident, idea:post": want p, <role>, <permission>, allow|deny`, ErrSyntax},
	}
	checkRefusals(t, tests, func(text string) error { _, err := loadNational(guardrailsCSV, text, platformCSV); return err }, error.Error)
	if _, err := loadNational(guardrailsCSV, baselineCSV, "p, regional-admin, region:onboard, allow"); !errors.Is(err, ErrGuardrail) {
		t.Errorf("platform policy with a regional role: %v, want ErrGuardrail", err)
	}
}
