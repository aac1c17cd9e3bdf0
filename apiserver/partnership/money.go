package partnership

import (
	"strconv"
	"strings"
)

// Rupiah is an amount of money in whole rupiah. Money is never a float.
type Rupiah int64

// MaxAmount bounds any single amount the workflows accept: a trillion rupiah,
// far beyond any regional budget line, so that absurd figures are refused
// and sums of many amounts cannot overflow.
const MaxAmount Rupiah = 1_000_000_000_000

// String formats the amount the Indonesian way, e.g. "Rp 100.000.000".
func (r Rupiah) String() string {
	neg := r < 0
	if neg {
		r = -r
	}
	if neg {
		return "-Rp " + grouped(int64(r), '.')
	}
	return "Rp " + grouped(int64(r), '.')
}

// grouped writes a number that is not negative with its digits in groups
// of three, e.g. 10,000,000 with sep ','.
func grouped(n int64, sep byte) string {
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// checkCount refuses a count below zero or above max, naming the field;
// noun is what the message calls it, e.g. "a number from 0 to 10,000,000".
func checkCount(field string, n, max int, noun string) error {
	if n < 0 || n > max {
		return Invalid(field, "%s from 0 to %s", noun, grouped(int64(max), ','))
	}
	return nil
}

// CheckAmount refuses a negative, zero (unless allowed) or absurd amount, naming the field.
func CheckAmount(field string, r Rupiah, zeroOK bool) error {
	switch {
	case r < 0:
		return Invalid(field, "must not be negative")
	case r == 0 && !zeroOK:
		return Invalid(field, "must be more than Rp 0")
	case r > MaxAmount:
		return Invalid(field, "%s is more than the most any one amount may be (%s)", r, MaxAmount)
	}
	return nil
}
