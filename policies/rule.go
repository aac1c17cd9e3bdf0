package policies

import (
	"errors"
	"fmt"
	"strconv"
)

// An Effect is what a rule does when it matches: allow or deny.
type Effect string

// The two effects. A deny beats any number of allows.
const (
	Allow Effect = "allow"
	Deny  Effect = "deny"
)

// A Source says where a rule came from.
type Source string

// The sources of rules.
const (
	// SourceBaseline marks a rule of the national baseline, the same in every region.
	SourceBaseline Source = "baseline"
	// SourceOverride marks a rule of one region's overrides.
	SourceOverride Source = "override"
	// SourcePlatform marks a rule of the platform policy, which no region holds.
	SourcePlatform Source = "platform"
)

// A Rule lets a role perform a permission (Allow) or takes that away (Deny).
type Rule struct {
	Role       Role
	Permission Permission
	Effect     Effect
	Source     Source
	// Line is the 1-based line of the baseline, platform policy or overrides text the
	// rule was read from. It is 0 for rules loaded from a rendered set (see ParseSet),
	// which keeps no line numbers.
	Line int
}

// String returns the rule in the overrides grammar followed by its source, as in
// "deny resident idea:post (override line 3)".
func (r Rule) String() string {
	where := string(r.Source)
	if r.Line > 0 {
		where += " line " + strconv.Itoa(r.Line)
	}
	return fmt.Sprintf("%s %s %s (%s)", r.Effect, r.Role, r.Permission, where)
}

// Error categories. Every error about a rule wraps exactly one of them, so callers
// can tell them apart with errors.Is.
var (
	// ErrSyntax reports a line that does not follow the grammar.
	ErrSyntax = errors.New("syntax error")
	// ErrUnknownRole reports a role name missing from the catalogue.
	ErrUnknownRole = errors.New("unknown role")
	// ErrUnknownPermission reports a permission name missing from the catalogue.
	ErrUnknownPermission = errors.New("unknown permission")
	// ErrGuardrail reports a rule the national guardrails forbid.
	ErrGuardrail = errors.New("exceeds the national guardrails")
	// ErrConflict reports a rule that repeats or contradicts another one.
	ErrConflict = errors.New("conflicting rule")
)

// A LineError reports what is wrong with one line of a policy text.
type LineError struct {
	// Text names the text: "override", "set", "baseline", "guardrails" or "platform".
	Text string
	// Line is the 1-based line number.
	Line int
	// Content is the line as written, without its trailing comment.
	Content string
	// Err says what is wrong; it wraps one of the error categories.
	Err error
}

// Error returns the message, as in
// `policies: override line 3 "allow resident musrenbang:decide": role resident may
// not hold musrenbang:decide (national guardrail allows: ward-office, kecamatan-office)`.
func (e *LineError) Error() string {
	return fmt.Sprintf("policies: %s line %d %q: %v", e.Text, e.Line, e.Content, e.Err)
}

// Unwrap returns the reason, so errors.Is finds its category.
func (e *LineError) Unwrap() error { return e.Err }

// reason is a message that belongs to an error category without repeating the
// category's own text.
type reason struct {
	msg  string
	kind error
}

func (r *reason) Error() string { return r.msg }
func (r *reason) Unwrap() error { return r.kind }

// maxErrors bounds how many line errors one call reports, so that a pasted binary
// or a huge mistake cannot turn into a megabyte of status message.
const maxErrors = 50

// lineErrors collects the errors of one text.
type lineErrors struct {
	text  string
	errs  []error
	extra int
}

func (l *lineErrors) add(line int, content string, err error) {
	if len(l.errs) == maxErrors {
		l.extra++
		return
	}
	l.errs = append(l.errs, &LineError{Text: l.text, Line: line, Content: content, Err: err})
}

// err returns all collected errors joined, or nil.
func (l *lineErrors) err() error {
	if l.extra > 0 {
		l.errs = append(l.errs, fmt.Errorf("policies: %s: %d more errors not shown", l.text, l.extra))
	}
	return errors.Join(l.errs...)
}
