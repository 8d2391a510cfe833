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
// It does not allocate for doubles of up to 17 significant digits, and for
// those of up to 15 below 2^53 — costs, rates, usage amounts — it finds
// the digits with one 128-bit product and no text, several times faster
// than formatting and parsing.
func FromFloat64(f float64) (Decimal, error) {
	// The common case, here: a normal double with 1 ≤ shift (|f| below
	// 2^52), the steps of fromFloatFast with fewer calls, and nearest's
	// most common branch inline (shift below 64, |f| at least 2^-11).
	fb := math.Float64bits(f)
	if exp := int(fb >> 52 & 0x7ff); exp != 0 && exp < 1075 {
		m := fb&(1<<52-1) | 1<<52
		shift := 1075 - exp
		s := min(19, shift*78913>>18)
		var c uint64
		var reads bool
		if shift < 64 {
			p := pow10[s]
			hi, lo := bits.Mul64(m, p)
			c = hi<<(64-shift) | lo>>shift // below 2^53: no overflow
			r, half := lo&(1<<shift-1), uint64(1)<<(shift-1)
			d, k := r, uint64(2)
			if r > half {
				c, d = c+1, (1<<shift)-r
			} else if m == 1<<52 {
				k = 4 // below a power of two the gap is half as wide
			}
			if m&1 != 0 {
				p-- // the ends excluded
			}
			reads = r != half && d <= p/k
		} else {
			c, reads, _ = nearest(m, uint(shift), s)
		}
		if reads {
			d := Decimal{lo: c, scale: int32(s)}.dropZeros()
			if fb>>63 != 0 {
				d = d.neg128()
			}
			return d, nil
		}
	}
	if d, ok := fromFloatFast(f); ok {
		return d, nil
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, syntaxErr(strconv.FormatFloat(f, 'g', -1, 64), ErrSyntax)
	}
	var buf [32]byte
	return parse(strconv.AppendFloat(buf[:0], f, 'f', -1, 64))
}

// dropZeros drops the trailing zeros of d's coefficient (below 2^64,
// scale at most 19) after the point: the most k with 2^k and 5^k dividing
// it, found without a division. c>>k is c/2^k when k is at most c's
// trailing zero bits, and a multiple of 5^k exactly when its product with
// 5^k's inverse (mod 2^64) is at most (2^64-1)/5^k, that product being the
// quotient.
func (d Decimal) dropZeros() Decimal {
	c, s := d.lo, int(d.scale)
	k := min(bits.TrailingZeros64(c), s)
	x := c >> uint(k)
	for k > 0 && x*inv5[k] > max5[k] {
		k--
		x = c >> uint(k)
	}
	return Decimal{lo: x * inv5[k], scale: int32(s - k)}
}

// inv5[k] is the inverse of 5^k modulo 2^64 and max5[k] is (2^64-1)/5^k,
// for k up to 19.
var inv5, max5 = func() (inv, mx [20]uint64) {
	const inv1 = 0xcccccccccccccccd // 5 × inv1 = 1 (mod 2^64)
	inv[0], mx[0] = 1, math.MaxUint64
	for k := 1; k < len(inv); k++ {
		inv[k] = inv[k-1] * inv1
		mx[k] = mx[k-1] / 5
	}
	return inv, mx
}()

// pow10f are the powers of ten a double holds exactly.
var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// fromFloatFast finds the shortest decimal of a finite f below 2^53 whose
// digits end at most s digits after the point, for the one s it tries,
// and reports false otherwise (the caller formats f instead; NaN and ±Inf
// land there too).
//
// f = m×2^-shift. Take s, the most digits after the point with 10^s <
// 2^shift (at most 19): the decimals that read back as f form an interval
// around f at most one gap (2^-shift) wide, so with s digits after the
// point at most one of them is in it — c/10^s, c the integer nearest
// f×10^s, computed exactly in 128 bits, when it reads back at all (see
// nearest). Any decimal with fewer digits after the point is c/10^s too,
// so the shortest is c with its trailing zeros dropped. The fewest digits
// after the point are the fewest significant digits (the integer part is
// f's own), and, being one number, it is the one strconv picks.
//
// c is at least 2^52/10 (c ≈ f×10^s ≥ m/10), so every decimal of up to 15
// significant digits has a place at s: every cost, rate and amount a
// billing file writes is found here. A double that needs 16 or 17 digits
// may need s+1 digits after the point, which this does not try.
func fromFloatFast(f float64) (Decimal, bool) {
	fb := math.Float64bits(f)
	neg := fb>>63 != 0
	exp := int(fb>>52) & 0x7ff
	m := fb & (1<<52 - 1)
	switch {
	case exp == 0 && m == 0:
		return Decimal{}, true // ±0
	case exp == 0:
		exp = 1 // subnormal
	case exp >= 1023+53:
		return Decimal{}, false // 2^53 or more, ±Inf, NaN: left to strconv
	default:
		m |= 1 << 52
	}
	shift := 1075 - exp // |f| = m × 2^-shift
	var d Decimal
	if shift <= 0 {
		// An integer below 2^53: itself.
		d = Decimal{lo: m << uint(-shift)}
	} else {
		// floor(shift×log10(2)) (exact for shift < 1650): then
		// 10^s < 2^shift, as 2^shift is no power of ten.
		s := min(19, shift*78913>>18)
		c, reads, ok := nearest(m, uint(shift), s)
		if !ok || !reads {
			return Decimal{}, false
		}
		d = Decimal{lo: c, scale: int32(s)}.dropZeros()
	}
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
