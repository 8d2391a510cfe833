package decimal

import (
	"math"
	"math/big"
	"math/bits"
)

// Decimal is an exact decimal number: an integer coefficient times
// 10^-scale. The zero value is 0, ready to use as a sum.
//
// Decimals are immutable values: methods return a new Decimal, and a
// Decimal may be copied and used from several goroutines at once. Compare
// them with [Decimal.Equal] or [Decimal.Cmp], not ==: 1.1 and 1.10 are one
// number held two ways.
type Decimal struct {
	hi    int64  // high word of the two's-complement 128-bit coefficient
	lo    uint64 // low word
	scale int32
	big   *big.Int // the coefficient when its magnitude needs more than 126 bits; never modified once set
}

// fromBig returns the Decimal z × 10^-scale, in the 128-bit form when z fits.
func fromBig(z *big.Int, scale int32) Decimal {
	if z.BitLen() <= 126 {
		var mag [2]uint64
		w := z.Bits()
		if bits.UintSize == 64 {
			for i, x := range w {
				mag[i] = uint64(x)
			}
		} else {
			var t big.Int
			t.Abs(z)
			mag[0] = t.Uint64()
			mag[1] = t.Rsh(&t, 64).Uint64()
		}
		d := Decimal{hi: int64(mag[1]), lo: mag[0], scale: scale}
		if z.Sign() < 0 {
			d = d.neg128()
		}
		return d
	}
	return Decimal{big: z, scale: scale}
}

// bigInt returns the coefficient as a new big.Int.
func (d Decimal) bigInt() *big.Int {
	if d.big != nil {
		return new(big.Int).Set(d.big)
	}
	neg := d.hi < 0
	m := d
	if neg {
		m = d.neg128()
	}
	z := new(big.Int).SetUint64(uint64(m.hi))
	z.Lsh(z, 64)
	z.Or(z, new(big.Int).SetUint64(m.lo))
	if neg {
		z.Neg(z)
	}
	return z
}

func (d Decimal) neg128() Decimal {
	lo, borrow := bits.Sub64(0, d.lo, 0)
	hi := 0 - d.hi - int64(borrow)
	return Decimal{hi: hi, lo: lo, scale: d.scale}
}

// Neg returns -d, exactly.
func (d Decimal) Neg() Decimal {
	if d.big != nil {
		return Decimal{big: new(big.Int).Neg(d.big), scale: d.scale}
	}
	return d.neg128()
}

// Sign returns -1 if d < 0, 0 if d is zero, and +1 if d > 0.
func (d Decimal) Sign() int {
	if d.big != nil {
		return d.big.Sign()
	}
	if d.hi < 0 {
		return -1
	}
	if d.hi == 0 && d.lo == 0 {
		return 0
	}
	return 1
}

// IsZero reports whether d is zero.
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

var pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// mulPow10 multiplies the 128-bit coefficient by 10^k (0 ≤ k ≤ 19), and
// reports false if the result does not fit in 126 bits of magnitude.
func mulPow10(hi int64, lo uint64, k int) (int64, uint64, bool) {
	if k == 0 {
		return hi, lo, true
	}
	if hi == 0 {
		// A coefficient below 2^64 (every cost): one product.
		h, l := bits.Mul64(lo, pow10[k])
		return int64(h), l, h>>62 == 0
	}
	neg := hi < 0
	if neg {
		l, b := bits.Sub64(0, lo, 0)
		hi, lo = 0-hi-int64(b), l
	}
	m := pow10[k]
	p1hi, p1lo := bits.Mul64(lo, m)
	p2hi, p2lo := bits.Mul64(uint64(hi), m)
	if p2hi != 0 {
		return 0, 0, false
	}
	h, carry := bits.Add64(p2lo, p1hi, 0)
	if carry != 0 || h>>62 != 0 {
		return 0, 0, false
	}
	rhi, rlo := int64(h), p1lo
	if neg {
		l, b := bits.Sub64(0, rlo, 0)
		rhi, rlo = 0-rhi-int64(b), l
	}
	return rhi, rlo, true
}

// Add returns d + e, exactly.
func (d Decimal) Add(e Decimal) Decimal {
	if d.big == nil && e.big == nil {
		dh, dl, eh, el := d.hi, d.lo, e.hi, e.lo
		scale := d.scale
		ok := true
		if d.scale < e.scale {
			if k := int64(e.scale) - int64(d.scale); k <= 19 {
				dh, dl, ok = mulPow10(dh, dl, int(k))
			} else {
				ok = false
			}
			scale = e.scale
		} else if d.scale > e.scale {
			if k := int64(d.scale) - int64(e.scale); k <= 19 {
				eh, el, ok = mulPow10(eh, el, int(k))
			} else {
				ok = false
			}
		}
		if ok {
			lo, carry := bits.Add64(dl, el, 0)
			hi := dh + eh + int64(carry)
			// Both magnitudes are below 2^126, so the sum cannot wrap;
			// keep the invariant for the next addition.
			if top := hi >> 62; top == 0 || top == -1 {
				return Decimal{hi: hi, lo: lo, scale: scale}
			}
		}
	}
	return addBig(d, e)
}

func addBig(d, e Decimal) Decimal {
	a, b := d.bigInt(), e.bigInt()
	scale := d.scale
	if d.scale < e.scale {
		a.Mul(a, pow10Big(int64(e.scale)-int64(d.scale)))
		scale = e.scale
	} else if d.scale > e.scale {
		b.Mul(b, pow10Big(int64(d.scale)-int64(e.scale)))
	}
	return fromBig(a.Add(a, b), scale)
}

func pow10Big(k int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(k), nil)
}

// Sub returns d - e, exactly.
func (d Decimal) Sub(e Decimal) Decimal { return d.Add(e.Neg()) }

// Cmp compares d and e exactly and returns -1 if d < e, 0 if they are
// equal and +1 if d > e.
func (d Decimal) Cmp(e Decimal) int { return d.Sub(e).Sign() }

// Equal reports whether d and e are the same number: 1.10 equals 1.1, and
// "-0" equals 0.
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// Rat returns d exactly as a new [big.Rat], for arithmetic this package
// does not offer, such as multiplication and division.
func (d Decimal) Rat() *big.Rat {
	r := new(big.Rat).SetInt(d.bigInt())
	if d.scale > 0 {
		r.Quo(r, new(big.Rat).SetInt(pow10Big(int64(d.scale))))
	} else if d.scale < 0 {
		r.Mul(r, new(big.Rat).SetInt(pow10Big(-int64(d.scale))))
	}
	return r
}

// Float64 returns the float64 nearest to d (±Inf beyond its range), for
// display only: a chart, a log line. A float64 cannot hold most decimal
// fractions, so sums and comparisons of Float64 values drift; use
// [Decimal.Add] and [Decimal.Cmp], and [Decimal.StringFixed] to print.
func (d Decimal) Float64() float64 {
	if d.big == nil && d.hi == 0 && d.lo < 1<<53 && d.scale >= 0 && d.scale < 23 {
		return float64(d.lo) / math.Pow10(int(d.scale))
	}
	f, _ := d.Rat().Float64()
	return f
}
