package curtest

import (
	"math/big"
	"strconv"
	"strings"
)

// Decimal values are integers of 1e-10 units (the precision of AWS's fixed
// ten-decimal notation), so sums are exact and every rendering below is the
// exact value.
const scale = 10

var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

// fmtFixed renders units with exactly ten decimals: "0.0110000000".
func fmtFixed(u int64) string {
	var b []byte
	a := uint64(u)
	if u < 0 {
		b = append(b, '-')
		a = uint64(-u)
	}
	b = strconv.AppendUint(b, a/pow10[scale], 10)
	b = append(b, '.')
	frac := strconv.FormatUint(a%pow10[scale], 10)
	for i := len(frac); i < scale; i++ {
		b = append(b, '0')
	}
	b = append(b, frac...)
	return string(b)
}

// fmtShort renders units the way 2023 AWS files do (Java's
// Double.toString of the exact value): "0.0", "1.0", "3466.0",
// "0.0051142167", and scientific notation below 0.001 or from 1e7 on:
// "1.1E-5", "4.65E-8", "1.2345E7".
func fmtShort(u int64) string {
	if u == 0 {
		return "0.0"
	}
	var b []byte
	a := uint64(u)
	if u < 0 {
		b = append(b, '-')
		a = uint64(-u)
	}
	if a >= 1e7 && a < 1e17 { // 0.001 <= v < 1e7
		b = strconv.AppendUint(b, a/pow10[scale], 10)
		b = append(b, '.')
		frac := strconv.FormatUint(a%pow10[scale], 10)
		frac = strings.Repeat("0", scale-len(frac)) + frac
		frac = strings.TrimRight(frac, "0")
		if frac == "" {
			frac = "0"
		}
		return string(append(b, frac...))
	}
	digits := strconv.FormatUint(a, 10)
	exp := len(digits) - 1 - scale
	mant := strings.TrimRight(digits[1:], "0")
	if mant == "" {
		mant = "0"
	}
	b = append(b, digits[0], '.')
	b = append(b, mant...)
	b = append(b, 'E')
	b = strconv.AppendInt(b, int64(exp), 10)
	return string(b)
}

// fmtPlain renders a sum of units as a plain decimal with no exponent and
// no trailing zeros: "12.5", "0", "-0.0001". This is the form of every
// ground-truth total.
func fmtPlain(u *big.Int) string {
	s := new(big.Int).Abs(u).String()
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	ip, fp := s[:len(s)-scale], strings.TrimRight(s[len(s)-scale:], "0")
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if u.Sign() < 0 {
		out = "-" + out
	}
	return out
}

// toFloat converts units to the nearest float64 (the quotient of two
// exactly representable integers is correctly rounded), so that
// strconv.FormatFloat(f, 'g', -1, 64) gives back the same decimal for every
// value this package generates (at most 15 significant digits).
func toFloat(u int64) float64 { return float64(u) / 1e10 }

// acc is an exact running sum of units: an int64 that spills into a
// big.Int before it can overflow.
type acc struct {
	small int64
	big   *big.Int
	n     int64
}

const spill = 1 << 61

func (a *acc) add(u int64) {
	a.n++
	a.small += u
	if a.small > spill || a.small < -spill {
		if a.big == nil {
			a.big = new(big.Int)
		}
		a.big.Add(a.big, big.NewInt(a.small))
		a.small = 0
	}
}

func (a *acc) value() *big.Int {
	v := big.NewInt(a.small)
	if a.big != nil {
		v.Add(v, a.big)
	}
	return v
}

func (a *acc) String() string { return fmtPlain(a.value()) }
