package policies

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// FuzzParseOverrides feeds arbitrary text to the overrides parser. It must never
// panic; whatever it accepts must stay within the guardrails, render, and survive
// the trip through Set.Text and ParseSet unchanged.
func FuzzParseOverrides(f *testing.F) {
	names, _ := fs.Glob(ExampleOverrides(), "*.txt")
	for _, name := range names {
		text, _ := fs.ReadFile(ExampleOverrides(), name)
		f.Add(string(text))
	}
	for _, seed := range []string{
		"",
		"allow resident aspiration:submit",
		"deny ward-office musrenbang:decide\r\n",
		"allow\tforum-lpm\tparticipation:read # c",
		"allow resident musrenbang:decide",
		"p, resident, idea:post, allow",
		"deny resident idea:post\nallow resident idea:post",
		"#\n#\n\n allow  public  dashboard:read ",
		"allow \xff\xfe idea:post",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := ParseOverrides(text)
		if err != nil {
			if rules != nil {
				t.Fatalf("rules with an error: %v", rules)
			}
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 || !strings.HasPrefix(err.Error(), "policies: override line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		lines := strings.Count(text, "\n") + 1
		for _, r := range rules {
			if r.Line < 1 || r.Line > lines || r.Source != SourceOverride {
				t.Fatalf("rule %v: bad line or source", r)
			}
			if r.Effect == Allow && !MayHold(r.Role, r.Permission) {
				t.Fatalf("accepted %v beyond the guardrails", r)
			}
		}
		set, err := Render(text)
		if err != nil {
			t.Fatalf("ParseOverrides accepted what Render refuses: %v", err)
		}
		back, err := ParseSet(set.Text())
		if err != nil {
			t.Fatalf("ParseSet refuses a rendered set: %v\n%s", err, set.Text())
		}
		if back.Hash != set.Hash || back.Text() != set.Text() {
			t.Fatalf("round trip changed the set")
		}
		if _, err := NewEnforcer(back); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseSet feeds arbitrary text to the set parser, which reads ConfigMaps anyone
// with cluster access could edit. It must never panic, and what it accepts must
// load back to the same set.
func FuzzParseSet(f *testing.F) {
	f.Add(mustRender(f, "").Text())
	f.Add("# baseline\np, resident, idea:post, allow\n# overrides\np, resident, idea:post, deny\n")
	f.Add("# baseline\np,resident,idea:post,allow\r\n# overrides\n")
	f.Add("# platform\np, national-admin, region:onboard, allow\n")
	f.Add("p, resident, musrenbang:decide, allow")
	f.Fuzz(func(t *testing.T, text string) {
		set, err := ParseSet(text)
		if err != nil {
			return
		}
		back, err := ParseSet(set.Text())
		if err != nil {
			t.Fatalf("ParseSet refuses its own text: %v\n%s", err, set.Text())
		}
		if back.Hash != set.Hash {
			t.Fatal("round trip changed the hash")
		}
		for _, r := range set.Rules {
			if r.Effect == Allow && !MayHold(r.Role, r.Permission) {
				t.Fatalf("accepted %v beyond the guardrails", r)
			}
		}
	})
}
