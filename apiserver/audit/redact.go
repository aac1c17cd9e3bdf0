package audit

import (
	"strings"
	"unicode"
)

// Redacted replaces the value of a sensitive key in Before and After.
const Redacted = "[redacted]"

// sensitiveNames are the key names whose values never reach the log.
var sensitiveNames = []string{"password", "password_hash", "token", "token_hash", "nik", "national_id", "secret"}

// Sensitive reports whether a key of Before or After names sensitive data:
// written in snake case (camelCase, hyphens, dots and spaces turned into
// underscores, case ignored), it is one of password, password_hash, token,
// token_hash, nik, national_id and secret, or ends in "_" and one of them
// ("new_password", "resetToken", "client-secret", "resident_NIK").
func Sensitive(key string) bool {
	k := snakeCase(key)
	for _, n := range sensitiveNames {
		if k == n || strings.HasSuffix(k, "_"+n) {
			return true
		}
	}
	return false
}

// snakeCase lower-cases key and separates its words with underscores:
// "passwordHash" and "Password-Hash" become "password_hash", "APIToken"
// becomes "api_token".
func snakeCase(key string) string {
	rs := []rune(key)
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r == '-' || r == '.' || r == ' ':
			b.WriteByte('_')
			continue
		case unicode.IsUpper(r) && i > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// redact replaces, in place, the value of every sensitive key of the objects
// in v, at any depth, including objects inside arrays.
func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if Sensitive(k) {
				v[k] = Redacted
			} else {
				v[k] = redact(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = redact(x)
		}
	}
	return v
}
