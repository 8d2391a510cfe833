package decimal

import (
	"math"
	"math/bits"
	"strconv"
)

// FromFloat64 returns the shortest decimal that reads back as f: the
// number strconv.FormatFloat(f, 'f', -1, 64) spells, held as [Parse] holds
// that text (0.1 has scale 1, 100 has scale 0), so that a sum of doubles
// read this way equals, digit for digit, the sum of the same doubles read
// as text. It is what Parquet DOUBLE columns of costs are read as.
//
// NaN and ±Inf are not numbers a decimal holds: FromFloat64 returns the
// [*ParseError] (wrapping [ErrSyntax]) that Parse returns for the text
// strconv.FormatFloat(f, 'g', -1, 64) ("NaN", "+Inf", "-Inf").
//
// It does not allocate, and for doubles of up to 15 significant digits and
// magnitudes below 2^53 — costs, rates, usage amounts — it finds the digits
// without formatting text, several times faster than formatting and
// parsing.
func FromFloat64(f float64) (Decimal, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, syntaxErr(strconv.FormatFloat(f, 'g', -1, 64), ErrSyntax)
	}
	if d, ok := fromFloatFast(f); ok {
		return d, nil
	}
	var buf [32]byte
	return parse(strconv.AppendFloat(buf[:0], f, 'f', -1, 64))
}

// pow10f are the powers of ten a double holds exactly.
var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// fromFloatFast finds the shortest decimal of a finite f when it is
// c×10^-s with c < 2^53 and s ≤ 19, and reports false otherwise (the
// caller formats f instead).
//
// For such a decimal, reading it back is exact arithmetic: c and 10^s are
// doubles, and ParseFloat returns the correctly rounded c/10^s, which is
// what float64(c)/1e<s> computes (Clinger's fast path). For a given s the
// only candidate worth testing is c = the integer nearest |f|×10^s
// (computed exactly, in 128 bits): the decimals with s digits after the
// point that read back as f form a run around f, and the nearest is in it
// if any is. The fewest digits after the point are the fewest significant
// digits, as the integer part is f's own; and once some s reads back, every
// larger s does (append a zero), so the least s is found by bisection.
// Among several shortest decimals strconv picks the nearest to f, which is
// c; an exact tie between two (|f|×10^s ends in .5 exactly) is left to
// strconv.
func fromFloatFast(f float64) (Decimal, bool) {
	neg := f < 0
	a := math.Abs(f)
	if a == 0 {
		return Decimal{}, true
	}
	if a >= 1<<53 {
		return Decimal{}, false
	}
	// a = m × 2^-shift, m < 2^53.
	fb := math.Float64bits(a)
	exp := int(fb>>52) & 0x7ff
	m := fb & (1<<52 - 1)
	if exp == 0 {
		exp = 1 // subnormal
	} else {
		m |= 1 << 52
	}
	shift := 1075 - exp // a = m × 2^(exp-1075)
	if shift <= 0 {
		// An integer below 2^53: itself.
		d := Decimal{lo: m << uint(-shift)}
		if neg {
			d = d.neg128()
		}
		return d, true
	}
	// The most digits after the point with c < 2^52 for certain:
	// a < 2^(e+1), so a×10^s < 2^52 when s ≤ (51-e)/log2(10).
	e := exp - 1023
	smax := min(19, (51-e)*1000/3322)
	if smax < 0 {
		return Decimal{}, false
	}
	lo, hi := 0, smax
	best, ok := nearest(m, uint(shift), hi)
	if !ok || float64(best)/pow10f[hi] != a {
		// Not even smax digits after the point: left to strconv.
		return Decimal{}, false
	}
	bestS := hi
	for lo < hi {
		mid := (lo + hi) / 2
		if c, ok := nearest(m, uint(shift), mid); ok && float64(c)/pow10f[mid] == a {
			best, bestS, hi = c, mid, mid
		} else if !ok {
			return Decimal{}, false // a tie: left to strconv
		} else {
			lo = mid + 1
		}
	}
	d := Decimal{lo: best, scale: int32(bestS)}
	if neg {
		d = d.neg128()
	}
	return d, true
}

// nearest returns the integer nearest m×10^s/2^shift (0 < shift), and false
// on an exact tie or when it is 2^64 or more.
func nearest(m uint64, shift uint, s int) (uint64, bool) {
	hi, lo := bits.Mul64(m, pow10[s])
	var q uint64
	var cmp int // the remainder against half the divisor
	switch {
	case shift < 64:
		if hi>>shift != 0 {
			return 0, false
		}
		q = hi<<(64-shift) | lo>>shift
		r, half := lo&(1<<shift-1), uint64(1)<<(shift-1)
		cmp = compare(r, half)
	case shift == 64:
		q = hi
		cmp = compare(lo, 1<<63)
	case shift < 128:
		q = hi >> (shift - 64)
		rhi, hhi := hi&(1<<(shift-64)-1), uint64(1)<<(shift-65)
		cmp = compare(rhi, hhi)
		if cmp == 0 && lo > 0 {
			cmp = 1
		}
	default:
		// m×10^s < 2^117, so the quotient is below 2^-11: 0, no tie.
		return 0, true
	}
	switch cmp {
	case 1:
		q++
	case 0:
		return 0, false
	}
	return q, true
}

func compare(a, b uint64) int {
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}
