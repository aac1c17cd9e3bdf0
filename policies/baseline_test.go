package policies

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const matrixGolden = "testdata/baseline-matrix.golden"

// TestBaselineMatrix asks an enforcer of the plain baseline about every regional
// (role, permission) pair and compares each answer with the reviewed matrix in
// testdata/baseline-matrix.golden. Run with -update to rewrite the matrix after a
// deliberate change of the baseline, then review its diff.
func TestBaselineMatrix(t *testing.T) {
	e := mustEnforcer(t, mustRender(t, ""))
	roles, perms := RegionalRoles(), RegionalPermissions()
	decide := func(r Role, p Permission) bool {
		ok, err := Allowed(e, r, p)
		if err != nil {
			t.Fatalf("Allowed(%s, %s): %v", r, p, err)
		}
		return ok
	}
	if *update {
		if err := os.WriteFile(matrixGolden, []byte(formatMatrix(roles, perms, decide)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(matrixGolden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	want, err := parseMatrix(string(golden))
	if err != nil {
		t.Fatalf("%s: %v", matrixGolden, err)
	}
	if got, wantN := len(want), len(roles)*len(perms); got != wantN {
		t.Errorf("%s holds %d pairs, the catalogue %d (run with -update after changing the catalogue)", matrixGolden, got, wantN)
	}
	for _, r := range roles {
		for _, p := range perms {
			t.Run(string(r)+"/"+string(p), func(t *testing.T) {
				w, ok := want[rulePair{r, p}]
				if !ok {
					t.Fatalf("%s has no cell for this pair", matrixGolden)
				}
				if got := decide(r, p); got != w {
					t.Errorf("enforcer says allowed=%v, %s says allowed=%v", got, matrixGolden, w)
				}
			})
		}
	}
}

// formatMatrix renders the decisions as one row per permission and one column per
// role, "A" for allowed and "." for denied, with the roles numbered in a legend.
func formatMatrix(roles []Role, perms []Permission, allowed func(Role, Permission) bool) string {
	var b strings.Builder
	b.WriteString(`# The national baseline's decision for every regional (role, permission) pair:
# "A" allowed, "." denied by default. One row per permission, one column per role.
# What anyone may read is granted to "public" alone, which every request holds.
# Regenerate after a deliberate change: go test ./policies -run TestBaselineMatrix -update
#
`)
	for i, r := range roles {
		fmt.Fprintf(&b, "# role %2d %s\n", i+1, r)
	}
	header := func() {
		fmt.Fprintf(&b, "#%-27s", "")
		for i := range roles {
			fmt.Fprintf(&b, "%3d", i+1)
		}
		b.WriteString("\n")
	}
	perRole := make([]int, len(roles))
	total := 0
	resource := ""
	for _, p := range perms {
		if res, _, _ := strings.Cut(string(p), ":"); res != resource {
			b.WriteString("\n")
			if resource == "" || res == "partner" || res == "grant" {
				header()
			}
			resource = res
		}
		fmt.Fprintf(&b, "%-28s", p)
		for i, r := range roles {
			cell := "."
			if allowed(r, p) {
				cell = "A"
				perRole[i]++
				total++
			}
			fmt.Fprintf(&b, "%3s", cell)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	header()
	fmt.Fprintf(&b, "#%-27s", " allowed per role")
	for _, n := range perRole {
		fmt.Fprintf(&b, "%3d", n)
	}
	fmt.Fprintf(&b, "\n# %d of %d pairs allowed.\n", total, len(roles)*len(perms))
	return b.String()
}

// parseMatrix reads a matrix written by formatMatrix. It takes the columns from the
// legend, so the file says by itself which column is which role.
func parseMatrix(text string) (map[rulePair]bool, error) {
	var columns []Role
	cells := make(map[rulePair]bool)
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# role "); ok {
			f := strings.Fields(rest)
			if len(f) != 2 {
				return nil, fmt.Errorf("line %d: bad legend %q", n, line)
			}
			if i, err := strconv.Atoi(f[0]); err != nil || i != len(columns)+1 {
				return nil, fmt.Errorf("line %d: legend out of order: %q", n, line)
			}
			columns = append(columns, Role(f[1]))
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != len(columns)+1 {
			return nil, fmt.Errorf("line %d: %d cells for %d roles", n, len(f)-1, len(columns))
		}
		p := Permission(f[0])
		for i, c := range f[1:] {
			pair := rulePair{columns[i], p}
			if _, dup := cells[pair]; dup {
				return nil, fmt.Errorf("line %d: %s appears twice", n, p)
			}
			switch c {
			case "A":
				cells[pair] = true
			case ".":
				cells[pair] = false
			default:
				return nil, fmt.Errorf("line %d: cell %q is neither A nor .", n, c)
			}
		}
	}
	return cells, sc.Err()
}

// TestBaselineWithinGuardrails checks every baseline rule against the guardrails,
// the invariant that makes every rendered set safe.
func TestBaselineWithinGuardrails(t *testing.T) {
	for _, r := range Baseline() {
		if r.Effect != Allow || r.Source != SourceBaseline || r.Line < 1 {
			t.Errorf("baseline rule %v: want an allow from the baseline with a line number", r)
		}
		if !MayHold(r.Role, r.Permission) {
			t.Errorf("baseline rule %v exceeds the guardrails", r)
		}
	}
}

// TestBaselineCoversCatalogue checks that no catalogue entry is dead: every regional
// role holds something, and every permission that somebody may hold is held by
// somebody in the baseline.
func TestBaselineCoversCatalogue(t *testing.T) {
	roles := make(map[Role]int)
	perms := make(map[Permission]int)
	for _, r := range Baseline() {
		roles[r.Role]++
		perms[r.Permission]++
	}
	for _, r := range RegionalRoles() {
		if roles[r] == 0 {
			t.Errorf("role %s holds nothing in the baseline", r)
		}
	}
	for _, g := range Guardrails() {
		switch {
		case g.Never() && perms[g.Permission] > 0:
			t.Errorf("permission %s is never allowed, yet the baseline grants it", g.Permission)
		case !g.Never() && perms[g.Permission] == 0:
			t.Errorf("permission %s is held by nobody in the baseline", g.Permission)
		}
	}
}

// TestBaselineWorkflows spells out, independently of the golden matrix, the duties
// DESIGN.md gives each role in the two workflows.
func TestBaselineWorkflows(t *testing.T) {
	e := mustEnforcer(t, mustRender(t, ""))
	tests := []holding{
		{Resident, AspirationSubmit, true},
		{Resident, CSRRequestSubmit, true},
		{Resident, ComplaintFile, true},
		{Public, ComplaintFile, true},
		{Public, DashboardRead, true},
		{Public, ProposalRead, true},
		{Public, AspirationSubmit, false},
		{InstitutionRW, ProposalCreate, true},
		{InstitutionPKK, ProposalEdit, true},
		{InstitutionKarangTaruna, AspirationRespond, true},
		{InstitutionLPM, ReportSubmit, true},
		{WardOffice, MusrenbangSchedule, true},
		{WardOffice, MusrenbangAttend, true},
		{WardOffice, MusrenbangDecide, true},
		{WardOffice, MusrenbangClose, true},
		{WardOffice, ExecutionApprove, true},
		{WardOffice, ReportVerify, true},
		{WardOffice, ParticipationAssess, true},
		{KecamatanOffice, MusrenbangDecide, true},
		{KecamatanOffice, ReportConsolidate, true},
		{KecamatanOffice, ExecutionApprove, false},
		{RegionalSecretariat, ReportEvaluate, true},
		{InternalSupervisor, FindingRecord, true},
		{InternalSupervisor, AuditRead, true},
		{Ombudsman, ComplaintHandle, true},
		{CSRForumSecretariat, PartnerReview, true},
		{CSRForumSecretariat, PartnerDecide, true},
		{CSRForumSecretariat, CSRPlanAlign, true},
		{CSRForumSecretariat, CSRPlanApprove, true},
		{CSRForumSecretariat, ForumMeet, true},
		{CSRForumSecretariat, EvaluationPublish, true},
		{CSRForumSecretariat, AwardScore, true},
		{CSRForumSecretariat, SanctionIssue, true},
		{CSRForumSecretariat, SanctionLift, true},
		{Company, PartnerRegister, true},
		{Company, CSRPlanSubmit, true},
		{Company, CSRRequestClaim, true},
		{Company, ProgrammeContribute, true},
		{Company, RealisationSubmit, true},
		{University, IdeaPost, true},
		{University, PartnerRegister, true},
		{SectorAgency, ProgrammeManage, true},
		{HeadOfRegion, ParticipationRead, true},
		{RegionalAdmin, GrantManage, true},
		{RegionalAdmin, PolicyExplain, true},
		{RegionalAdmin, AuditVerify, true},
		{RegionalAdmin, RegionConfigure, true},
		{RegionalAdmin, MusrenbangDecide, false},
		{ForumLPM, ParticipationRead, false},
		{Resident, MusrenbangDecide, false},
		{Company, CSRPlanApprove, false},
		{WardOffice, MusrenbangReopen, false},
		{NationalAdmin, RegionOnboard, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+"/"+string(tt.perm), func(t *testing.T) {
			got, err := Allowed(e, tt.role, tt.perm)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.allow {
				t.Errorf("allowed = %v, want %v", got, tt.allow)
			}
		})
	}
}
