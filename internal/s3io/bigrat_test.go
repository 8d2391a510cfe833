package s3io

import (
	"math/big"
	"testing"
)

// bigRat sums decimal strings with math/big, independently of package decimal.
type bigRat struct{ r big.Rat }

func (b *bigRat) add(t *testing.T, s string) {
	t.Helper()
	if s == "" {
		return
	}
	var x big.Rat
	if _, ok := x.SetString(s); !ok {
		t.Fatalf("bad test decimal %q", s)
	}
	b.r.Add(&b.r, &x)
}

// String formats exactly, in decimal's canonical form.
func (b *bigRat) String() string {
	s := b.r.FloatString(40)
	if i := len(s); i > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if s == "-0" {
		return "0"
	}
	return s
}
