package decimal

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// FromMinor returns units × 10^-scale: the Decimal of a count of minor
// units, such as cents. FromMinor(1234, 2) is 12.34, FromMinor(-5, 0) is -5
// and FromMinor(7, -3) is 7000. [Decimal.Minor] is its inverse.
//
// A scale beyond ±[MaxExponent] is an error wrapping [ErrRange] (such a
// value would make later arithmetic compute 10^scale), as Parse refuses
// such exponents.
func FromMinor(units int64, scale int) (Decimal, error) {
	if scale < -MaxExponent || scale > MaxExponent {
		return Decimal{}, &ParseError{Input: strconv.FormatInt(units, 10) + "e" + strconv.Itoa(-scale), Err: ErrRange}
	}
	d := Decimal{lo: uint64(units), scale: int32(scale)}
	if units < 0 {
		d.hi = -1
	}
	return d, nil
}

// Minor returns d as a count of units of 10^-scale, exactly: 12.34 at
// scale 2 is 1234, at scale 4 is 123400, and at scale 0 fails. It is the
// inverse of [FromMinor]; trailing zeros do not matter (12.3400 at scale 2
// is 1234), and any scale is accepted.
//
// Minor never rounds. If d has a nonzero digit below 10^-scale, the error
// wraps [ErrInexact] (round first with [Decimal.Round] to accept that);
// otherwise, if the count does not fit in an int64, the error wraps
// [ErrRange]. Test for them with [errors.Is].
func (d Decimal) Minor(scale int) (int64, error) {
	if d.Sign() == 0 {
		return 0, nil
	}
	// The count is the coefficient times 10^k.
	k := clampScale(scale) - int64(d.scale)
	switch {
	case k > 18:
		// A nonzero coefficient times 10^19 or more exceeds MaxInt64.
		return 0, d.minorErr(scale, ErrRange)
	case k >= 0:
		if d.big != nil {
			return 0, d.minorErr(scale, ErrRange)
		}
		hi, lo, neg := d.abs128()
		ph, pl := bits.Mul64(lo, pow10[k])
		if hi != 0 || ph != 0 {
			return 0, d.minorErr(scale, ErrRange)
		}
		return d.toInt64(pl, neg, scale)
	}
	m := -k // digits to drop; each must be zero
	if d.big != nil {
		return d.bigMinor(m, scale)
	}
	if m > 38 {
		// The coefficient is below 2^126 < 10^38, so 10^m cannot divide it.
		return 0, d.minorErr(scale, ErrInexact)
	}
	hi, lo, neg := d.abs128()
	for m > 0 {
		step := min(m, 19)
		var rem uint64
		hi, lo, rem = div128(hi, lo, pow10[step])
		if rem != 0 {
			return 0, d.minorErr(scale, ErrInexact)
		}
		m -= step
	}
	if hi != 0 {
		return 0, d.minorErr(scale, ErrRange)
	}
	return d.toInt64(lo, neg, scale)
}

func (d Decimal) bigMinor(m int64, scale int) (int64, error) {
	z := d.bigInt()
	if m > digitsBound(z) {
		return 0, d.minorErr(scale, ErrInexact)
	}
	q, r := z.QuoRem(z, pow10Big(m), new(big.Int))
	if r.Sign() != 0 {
		return 0, d.minorErr(scale, ErrInexact)
	}
	if !q.IsInt64() {
		return 0, d.minorErr(scale, ErrRange)
	}
	return q.Int64(), nil
}

// toInt64 returns the magnitude mag with the sign neg, or ErrRange.
func (d Decimal) toInt64(mag uint64, neg bool, scale int) (int64, error) {
	if neg {
		if mag > 1<<63 {
			return 0, d.minorErr(scale, ErrRange)
		}
		return int64(-mag), nil
	}
	if mag > math.MaxInt64 {
		return 0, d.minorErr(scale, ErrRange)
	}
	return int64(mag), nil
}

func (d Decimal) minorErr(scale int, err error) error {
	return &opError{op: d.String() + " in units of 1e" + strconv.Itoa(-scale), err: err}
}

// Round returns d rounded to scale digits after the point, halves away
// from zero (12.345 → 12.35, -12.345 → -12.35, 12.344 → 12.34), as money
// is usually rounded for display and invoices. A negative scale rounds to
// tens, hundreds, and so on. If d has no nonzero digit below 10^-scale it
// is returned unchanged.
//
// Round then [Decimal.Minor] converts a value that may have more digits to
// a count of minor units.
func (d Decimal) Round(scale int) Decimal {
	s := clampScale(scale)
	if s >= int64(d.scale) {
		return d
	}
	m := int64(d.scale) - s // digits to drop
	if d.big == nil {
		if m > 38 {
			// |coefficient| < 2^126 < 5×10^38 ≤ 10^m/2: rounds to zero.
			return Decimal{}
		}
		if m <= 19 {
			hi, lo, neg := d.abs128()
			p := pow10[m]
			hi, lo, rem := div128(hi, lo, p)
			if rem >= p/2 { // p is even
				var c uint64
				lo, c = bits.Add64(lo, 1, 0)
				hi += c
			}
			if hi == 0 && lo == 0 {
				return Decimal{}
			}
			r := Decimal{hi: int64(hi), lo: lo, scale: int32(s)}
			if neg {
				r = r.neg128()
			}
			return r
		}
	}
	z := d.bigInt()
	if m > digitsBound(z) {
		// |coefficient| < 10^(m-1) < 10^m/2: rounds to zero.
		return Decimal{}
	}
	neg := z.Sign() < 0
	z.Abs(z)
	p := pow10Big(m)
	q, r := z.QuoRem(z, p, new(big.Int))
	if r.Lsh(r, 1).Cmp(p) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if q.Sign() == 0 {
		return Decimal{}
	}
	if neg {
		q.Neg(q)
	}
	// A nonzero result has no more digits before the point than d, so s
	// fits where d.scale did.
	return fromBig(q, int32(s))
}

// clampScale bounds a caller's scale so that arithmetic on it cannot
// wrap; beyond ±2^40 every nonzero Decimal gives the same answer as at the
// bound, since no coefficient has that many digits.
func clampScale(scale int) int64 {
	return max(min(int64(scale), 1<<40), -1<<40)
}

// digitsBound returns an upper bound on the decimal digits of z, plus one.
func digitsBound(z *big.Int) int64 {
	// log10(2) < 0.302
	return int64(z.BitLen())*302/1000 + 2
}

// abs128 returns the magnitude of a 128-bit coefficient and its sign.
func (d Decimal) abs128() (hi, lo uint64, neg bool) {
	if d.hi < 0 {
		m := d.neg128()
		return uint64(m.hi), m.lo, true
	}
	return uint64(d.hi), d.lo, false
}

// div128 divides the 128-bit hi:lo by p and returns the quotient and
// remainder.
func div128(hi, lo, p uint64) (qhi, qlo, rem uint64) {
	qhi, r := hi/p, hi%p
	qlo, rem = bits.Div64(r, lo, p)
	return qhi, qlo, rem
}
