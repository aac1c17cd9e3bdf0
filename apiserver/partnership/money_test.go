package partnership

import (
	"errors"
	"testing"
)

func TestRupiahString(t *testing.T) {
	for r, want := range map[Rupiah]string{0: "Rp 0", 999: "Rp 999", 1000: "Rp 1.000", 100_000_000: "Rp 100.000.000", 28_849_067_352: "Rp 28.849.067.352", -1500: "-Rp 1.500"} {
		if got := r.String(); got != want {
			t.Errorf("%d: %q, want %q", int64(r), got, want)
		}
	}
}

func TestCheckAmount(t *testing.T) {
	for _, tt := range []struct {
		r      Rupiah
		zeroOK bool
		ok     bool
	}{{1, false, true}, {0, false, false}, {0, true, true}, {-1, true, false}, {MaxAmount, false, true}, {MaxAmount + 1, false, false}} {
		err := CheckAmount("cost", tt.r, tt.zeroOK)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("CheckAmount(%d, %v) = %v", tt.r, tt.zeroOK, err)
		}
	}
}
