package policies

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

func TestParseOverrides(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // rules, as Rule.String
		errs []string // every error line, in order
		is   []error  // categories the error wraps
	}{
		{name: "empty", text: ""},
		{name: "only comments and blanks", text: "# nothing here\n\n   \n\t# still nothing\n"},
		{
			name: "add a permission",
			text: "allow forum-lpm participation:read",
			want: []string{"allow forum-lpm participation:read (override line 1)"},
		},
		{
			name: "remove a permission",
			text: "# the lurah cancels\ndeny institution-rw activity:cancel\n",
			want: []string{"deny institution-rw activity:cancel (override line 2)"},
		},
		{
			name: "tabs, trailing comments and CRLF",
			text: "allow\tforum-pkk\tparticipation:read   # the PKK\r\n\r\n  deny resident idea:post#no ideas\r\n",
			want: []string{
				"allow forum-pkk participation:read (override line 1)",
				"deny resident idea:post (override line 3)",
			},
		},
		{
			name: "deny is never bounded by the guardrails",
			text: "deny regional-admin grant:manage\ndeny resident musrenbang:reopen",
			want: []string{
				"deny regional-admin grant:manage (override line 1)",
				"deny resident musrenbang:reopen (override line 2)",
			},
		},
		{
			name: "unknown role",
			text: "allow mayor dashboard:read",
			errs: []string{`policies: override line 1 "allow mayor dashboard:read": unknown role "mayor"`},
			is:   []error{ErrUnknownRole},
		},
		{
			name: "unknown permission",
			text: "\n\nallow resident musrenbang:delete # oops",
			errs: []string{`policies: override line 3 "allow resident musrenbang:delete": unknown permission "musrenbang:delete"`},
			is:   []error{ErrUnknownPermission},
		},
		{
			name: "malformed lines",
			text: "allow resident\npermit resident dashboard:read\np, resident, dashboard:read, allow\nallow resident dashboard:read now\nAllow resident dashboard:read",
			errs: []string{
				`policies: override line 1 "allow resident": want allow|deny <role> <permission>, got 2 fields`,
				`policies: override line 2 "permit resident dashboard:read": unknown effect "permit" (want allow or deny)`,
				`policies: override line 3 "p, resident, dashboard:read, allow": overrides are written "allow|deny <role> <permission>", not as Casbin CSV`,
				`policies: override line 4 "allow resident dashboard:read now": want allow|deny <role> <permission>, got 4 fields`,
				`policies: override line 5 "Allow resident dashboard:read": unknown effect "Allow" (want allow or deny)`,
			},
			is: []error{ErrSyntax},
		},
		{
			name: "exceeding the guardrails",
			text: "# Kota Contoh\nallow forum-lpm participation:read\nallow resident musrenbang:decide\n",
			errs: []string{`policies: override line 3 "allow resident musrenbang:decide": role resident may not hold musrenbang:decide (national guardrail allows: ward-office, kecamatan-office)`},
			is:   []error{ErrGuardrail},
		},
		{
			name: "a permission nobody may hold",
			text: "allow ward-office musrenbang:reopen",
			errs: []string{`policies: override line 1 "allow ward-office musrenbang:reopen": nobody may hold musrenbang:reopen (national guardrail)`},
			is:   []error{ErrGuardrail},
		},
		{
			name: "platform names",
			text: "allow national-admin dashboard:read\nallow regional-admin region:onboard",
			errs: []string{
				`policies: override line 1 "allow national-admin dashboard:read": national-admin is a platform role and cannot appear in a region's policy`,
				`policies: override line 2 "allow regional-admin region:onboard": region:onboard is a platform permission and cannot appear in a region's policy`,
			},
			is: []error{ErrGuardrail},
		},
		{
			name: "repeated and contradicting pairs",
			text: "allow forum-lpm participation:read\nallow forum-lpm participation:read\ndeny forum-lpm participation:read",
			errs: []string{
				`policies: override line 2 "allow forum-lpm participation:read": repeats line 1`,
				`policies: override line 3 "deny forum-lpm participation:read": contradicts line 1 "allow forum-lpm participation:read"; keep one of them`,
			},
			is: []error{ErrConflict},
		},
		{
			name: "every error is reported, in line order",
			text: "allow mayor dashboard:read\nallow forum-lpm participation:read\nallow company csr-plan:approve\n\ndeny resident\n",
			errs: []string{
				`policies: override line 1 "allow mayor dashboard:read": unknown role "mayor"`,
				`policies: override line 3 "allow company csr-plan:approve": role company may not hold csr-plan:approve (national guardrail allows: csr-forum-secretariat, regional-secretariat, head-of-region)`,
				`policies: override line 5 "deny resident": want allow|deny <role> <permission>, got 2 fields`,
			},
			is: []error{ErrUnknownRole, ErrGuardrail, ErrSyntax},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := ParseOverrides(tt.text)
			if tt.errs != nil {
				if err == nil {
					t.Fatalf("no error; rules %v", rules)
				}
				if got, want := err.Error(), strings.Join(tt.errs, "\n"); got != want {
					t.Errorf("errors:\n got %s\nwant %s", got, want)
				}
				for _, is := range tt.is {
					if !errors.Is(err, is) {
						t.Errorf("error does not wrap %v", is)
					}
				}
				if rules != nil {
					t.Errorf("rules %v returned with an error", rules)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rules {
				got = append(got, r.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rules:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseOverridesErrorLines(t *testing.T) {
	_, err := ParseOverrides("allow forum-lpm participation:read\nallow mayor dashboard:read\n\nallow resident execution:approve")
	var lines []int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var le *LineError
		if !errors.As(e, &le) {
			t.Fatalf("%v is not a *LineError", e)
		}
		if le.Text != "override" {
			t.Errorf("LineError.Text = %q", le.Text)
		}
		lines = append(lines, le.Line)
	}
	if fmt.Sprint(lines) != "[2 4]" {
		t.Errorf("error lines = %v, want [2 4]", lines)
	}
}

func TestParseOverridesCapsErrors(t *testing.T) {
	text := strings.Repeat("allow mayor dashboard:read\n", maxErrors+10)
	_, err := ParseOverrides(text)
	msgs := strings.Split(err.Error(), "\n")
	if len(msgs) != maxErrors+1 {
		t.Fatalf("%d error lines, want %d", len(msgs), maxErrors+1)
	}
	if last := msgs[len(msgs)-1]; last != "policies: override: 10 more errors not shown" {
		t.Errorf("last error line = %q", last)
	}
}

func TestExampleOverrides(t *testing.T) {
	examples := ExampleOverrides()
	names, err := fs.Glob(examples, "*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 3 {
		t.Fatalf("examples: %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			text, err := fs.ReadFile(examples, name)
			if err != nil {
				t.Fatal(err)
			}
			set, err := Render(string(text))
			if strings.HasPrefix(name, "invalid-") {
				if err == nil {
					t.Fatal("accepted an invalid example")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Overrides()) == 0 {
				t.Error("the example changes nothing")
			}
			// Each valid example must change the baseline both ways.
			var allows, denies int
			for _, r := range set.Overrides() {
				if r.Effect == Allow {
					allows++
				} else {
					denies++
				}
			}
			if allows == 0 || denies == 0 {
				t.Errorf("%d allows and %d denies; want both", allows, denies)
			}
		})
	}
}

func TestInvalidExampleRefused(t *testing.T) {
	text, err := fs.ReadFile(ExampleOverrides(), "invalid-exceeds-guardrails.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Render(string(text))
	want := strings.Join([]string{
		`policies: override line 3 "allow resident musrenbang:decide": role resident may not hold musrenbang:decide (national guardrail allows: ward-office, kecamatan-office)`,
		`policies: override line 4 "allow company csr-plan:approve": role company may not hold csr-plan:approve (national guardrail allows: csr-forum-secretariat, regional-secretariat, head-of-region)`,
		`policies: override line 6 "allow sector-agency grant:manage": role sector-agency may not hold grant:manage (national guardrail allows: regional-admin)`,
		`policies: override line 7 "allow ward-office musrenbang:reopen": nobody may hold musrenbang:reopen (national guardrail)`,
		`policies: override line 8 "allow national-admin region:configure": national-admin is a platform role and cannot appear in a region's policy`,
		`policies: override line 9 "allow university execution:approve": role university may not hold execution:approve (national guardrail allows: ward-office, kecamatan-office)`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("errors:\n got %v\nwant %s", err, want)
	}
}
