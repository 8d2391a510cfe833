package decimal

import (
	"math"
	"math/bits"
	"strconv"
	"sync/atomic"
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
// It does not allocate for doubles of up to 17 significant digits, and for
// those of up to 15 and magnitudes below 2^51 — costs, rates, usage
// amounts — it finds the digits without formatting text, several times
// faster than formatting and parsing.
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

// lastScale is the digits after the point of the last double
// fromFloatFast found: a hint where to look first, never a result.
var lastScale atomic.Int32

// pow10f are the powers of ten a double holds exactly.
var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// fromFloatFast finds the shortest decimal of a finite f when it is
// c×10^-s with s ≤ 19 and c below 2^52 or so, and reports false otherwise
// (the caller formats f instead).
//
// For a given s the only candidate worth testing is c = the integer
// nearest |f|×10^s, computed exactly in 128 bits: the decimals with s
// digits after the point that read back as f form a run around f, and the
// nearest is in it if any is; whether it is, is exact integer arithmetic on
// the same product (see nearest). The fewest digits after the point are the
// fewest significant digits, as the integer part is f's own; and once some
// s reads back, every larger s does (append a zero), so the least s is
// found by bisection, starting where the last double found its digits.
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
	// Where the last double found its digits is where the next most
	// likely does (a column of costs with 10 decimals): two probes then,
	// instead of a bisection over [0, smax].
	reads := func(s int) (uint64, bool, bool) { return nearest(m, uint(shift), s) }
	lo, hi := 0, smax
	var best uint64
	bestS := -1
	if h := int(lastScale.Load()); h > 0 && h <= smax {
		c, rt, ok := reads(h)
		if !ok {
			return Decimal{}, false // a tie: left to strconv
		}
		if rt {
			best, bestS, hi = c, h, h-1
			if c, rt, ok := reads(h - 1); !ok {
				return Decimal{}, false
			} else if rt {
				best, bestS, hi = c, h-1, h-2
			} else {
				lo = h // found: lo > hi
			}
		} else {
			lo = h + 1
		}
	}
	if bestS < 0 {
		c, rt, ok := reads(smax)
		if !ok || !rt {
			// Not even smax digits after the point: left to strconv.
			return Decimal{}, false
		}
		best, bestS, hi = c, smax, smax-1
	}
	for lo <= hi {
		mid := (lo + hi) / 2
		c, rt, ok := reads(mid)
		switch {
		case !ok:
			return Decimal{}, false
		case rt:
			best, bestS, hi = c, mid, mid-1
		default:
			lo = mid + 1
		}
	}
	if int32(bestS) != lastScale.Load() {
		lastScale.Store(int32(bestS))
	}
	d := Decimal{lo: best, scale: int32(bestS)}
	if neg {
		d = d.neg128()
	}
	return d, true
}

// nearest returns the integer c nearest m×10^s/2^shift (0 < shift), and
// whether c/10^s reads back as the double m×2^-shift (m in [2^52, 2^53)):
// whether c/10^s lies within half a gap of it, the gap below being half as
// wide when m is 2^52, and the ends included when m is even (ParseFloat
// rounds ties to even). ok is false on an exact tie, or when c is 2^64 or
// more.
func nearest(m uint64, shift uint, s int) (c uint64, reads, ok bool) {
	hi, lo := bits.Mul64(m, pow10[s])
	// The distance d = |c×2^shift − m×10^s|, when below 2^64 (far is
	// true otherwise: then c/10^s is more than 10^19/2 gaps away, since
	// 10^s < 2^64), and whether c is above.
	var d uint64
	var far, up bool
	switch {
	case shift < 64:
		if hi>>shift != 0 {
			return 0, false, false
		}
		c = hi<<(64-shift) | lo>>shift
		r, half := lo&(1<<shift-1), uint64(1)<<(shift-1)
		switch {
		case r > half:
			c, d, up = c+1, (1<<shift)-r, true
		case r < half:
			d = r
		default:
			return 0, false, false
		}
	case shift == 64:
		c = hi
		switch {
		case lo > 1<<63:
			c, d, up = c+1, -lo, true
		case lo < 1<<63:
			d = lo
		default:
			return 0, false, false
		}
	case shift < 128:
		c = hi >> (shift - 64)
		rhi, hhi := hi&(1<<(shift-64)-1), uint64(1)<<(shift-65)
		switch {
		case rhi > hhi || rhi == hhi && lo > 0:
			// d = 2^shift − r
			var b uint64
			d, b = bits.Sub64(0, lo, 0)
			dhi := (1 << (shift - 64)) - rhi - b
			c, far, up = c+1, dhi != 0, true
		case rhi < hhi:
			d, far = lo, rhi != 0
		default:
			return 0, false, false
		}
	default:
		// m×10^s < 2^117 is below half of 2^shift: c is 0.
		d, far = lo, hi != 0
	}
	if far {
		return c, false, true
	}
	k := uint64(2)
	if !up && m == 1<<52 {
		k = 4 // the gap below a power of two is half as wide
	}
	p := pow10[s]
	if m&1 != 0 {
		p-- // the ends excluded
	}
	return c, d <= p/k, true
}
