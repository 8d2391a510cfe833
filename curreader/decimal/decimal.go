// Package decimal is an exact decimal number for money and quantities in
// billing data.
//
// A [Decimal] is a signed coefficient times a power of ten. Parsing accepts
// the forms found in Cost and Usage Reports — plain (`-3`, `0.0110000000`)
// and scientific (`1.1E-5`) — and arithmetic never rounds: sums are exact
// whatever their size. The coefficient lives in 128 bits in the common case,
// so adding values does not allocate; it moves to a [math/big.Int] only
// when a result needs more.
//
// An empty string is not zero: [Parse] reports it with [ErrEmpty] so that a
// caller can tell an absent value from a zero one.
package decimal

import (
	"errors"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

var (
	// ErrEmpty reports an empty input: the value is absent, not zero.
	ErrEmpty = errors.New("decimal: empty value")
	// ErrSyntax reports an input that is not a decimal number.
	ErrSyntax = errors.New("decimal: invalid syntax")
	// ErrRange reports an exponent outside ±MaxExponent.
	ErrRange = errors.New("decimal: exponent out of range")
)

// MaxExponent bounds the exponent accepted by [Parse], so that a hostile
// input such as `1E999999999` cannot demand gigabytes of digits.
const MaxExponent = 10000

// Decimal is an exact decimal number: coefficient × 10^-scale. The zero
// value is 0. Decimals are values; operations return new Decimals.
type Decimal struct {
	hi    int64  // high word of the two's-complement 128-bit coefficient
	lo    uint64 // low word
	scale int32
	big   *big.Int // the coefficient when it does not fit in 127 bits; never modified once set
}

// SyntaxError is the error of [Parse] for a malformed input; it names the
// input and unwraps to ErrSyntax or ErrRange.
type SyntaxError struct {
	Input string
	Err   error
}

func (e *SyntaxError) Error() string {
	return "decimal: parse " + strconv.Quote(e.Input) + ": " + strings.TrimPrefix(e.Err.Error(), "decimal: ")
}

// Unwrap returns ErrSyntax or ErrRange.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse parses s. It accepts an optional sign, digits with an optional
// decimal point (at least one digit), and an optional exponent `e`/`E`
// with an optional sign. Leading and trailing spaces are not accepted.
// An empty s returns ErrEmpty.
func Parse(s string) (Decimal, error) {
	return parse(s)
}

// ParseBytes is [Parse] for a byte slice; it does not retain b and does
// not allocate for inputs of up to 19 significant digits.
func ParseBytes(b []byte) (Decimal, error) {
	return parse(b)
}

// MustParse is Parse for constants in tests and examples; it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func syntaxErr[T string | []byte](s T, err error) error {
	return &SyntaxError{Input: string(s), Err: err}
}

func parse[T string | []byte](s T) (Decimal, error) {
	if len(s) == 0 {
		return Decimal{}, ErrEmpty
	}
	i := 0
	neg := false
	switch s[0] {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	var coef uint64
	digits := 0 // significant digits accumulated (leading zeros skipped)
	nd := 0     // digits seen in total
	frac := 0   // digits after the point
	point := false
	overflow := false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			nd++
			if point {
				frac++
			}
			if coef == 0 && c == '0' {
				continue
			}
			digits++
			if digits > 19 {
				overflow = true
				continue
			}
			coef = coef*10 + uint64(c-'0')
			continue
		}
		if c == '.' && !point {
			point = true
			continue
		}
		break
	}
	if nd == 0 {
		return Decimal{}, syntaxErr(s, ErrSyntax)
	}
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return Decimal{}, syntaxErr(s, ErrSyntax)
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return Decimal{}, syntaxErr(s, ErrSyntax)
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return Decimal{}, syntaxErr(s, ErrSyntax)
			}
			if exp > MaxExponent {
				continue // keep validating syntax; range error below
			}
			exp = exp*10 + int(c-'0')
		}
		if exp > MaxExponent {
			return Decimal{}, syntaxErr(s, ErrRange)
		}
		if eneg {
			exp = -exp
		}
	}
	scale := int32(frac - exp)
	if overflow {
		return parseBig(s, neg, scale)
	}
	d := Decimal{lo: coef, scale: scale}
	if neg {
		d = d.Neg()
	}
	return d, nil
}

// parseBig handles coefficients of more than 19 significant digits.
func parseBig[T string | []byte](s T, neg bool, scale int32) (Decimal, error) {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			sb.WriteByte(c)
		} else if c == 'e' || c == 'E' {
			break
		}
	}
	z, ok := new(big.Int).SetString(sb.String(), 10)
	if !ok {
		return Decimal{}, syntaxErr(s, ErrSyntax)
	}
	if neg {
		z.Neg(z)
	}
	return fromBig(z, scale), nil
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

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	if d.big != nil {
		return Decimal{big: new(big.Int).Neg(d.big), scale: d.scale}
	}
	return d.neg128()
}

// Sign returns -1, 0 or +1.
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
			if k := int(e.scale - d.scale); k <= 19 {
				dh, dl, ok = mulPow10(dh, dl, k)
			} else {
				ok = false
			}
			scale = e.scale
		} else if d.scale > e.scale {
			if k := int(d.scale - e.scale); k <= 19 {
				eh, el, ok = mulPow10(eh, el, k)
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
		a.Mul(a, pow10Big(int(e.scale-d.scale)))
		scale = e.scale
	} else if d.scale > e.scale {
		b.Mul(b, pow10Big(int(d.scale-e.scale)))
	}
	return fromBig(a.Add(a, b), scale)
}

func pow10Big(k int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
}

// Sub returns d - e, exactly.
func (d Decimal) Sub(e Decimal) Decimal { return d.Add(e.Neg()) }

// Cmp compares d and e and returns -1, 0 or +1.
func (d Decimal) Cmp(e Decimal) int { return d.Sub(e).Sign() }

// Equal reports whether d and e are the same number (1.10 equals 1.1).
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// Rat returns d as a new big.Rat.
func (d Decimal) Rat() *big.Rat {
	r := new(big.Rat).SetInt(d.bigInt())
	if d.scale > 0 {
		r.Quo(r, new(big.Rat).SetInt(pow10Big(int(d.scale))))
	} else if d.scale < 0 {
		r.Mul(r, new(big.Rat).SetInt(pow10Big(int(-d.scale))))
	}
	return r
}

// Float64 returns the nearest float64 (for display and statistics, never
// for sums).
func (d Decimal) Float64() float64 {
	if d.big == nil && d.hi == 0 && d.lo < 1<<53 && d.scale >= 0 && d.scale < 23 {
		return float64(d.lo) / math.Pow10(int(d.scale))
	}
	f, _ := d.Rat().Float64()
	return f
}

// String returns the canonical form: no exponent, no trailing zeros after
// the point, no point for integers, "0" for zero, a leading "-" when
// negative. Two equal numbers have the same String.
func (d Decimal) String() string {
	var digits string
	if d.big == nil && (d.hi == 0 && d.lo <= math.MaxInt64 || d.hi == -1 && d.lo > math.MaxInt64) {
		digits = strconv.FormatInt(int64(d.lo), 10)
	} else {
		digits = d.bigInt().String()
	}
	neg := digits[0] == '-'
	if neg {
		digits = digits[1:]
	}
	if digits == "0" {
		return "0"
	}
	scale := int(d.scale)
	// Trim trailing zeros of the coefficient into the scale.
	for scale > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		scale--
	}
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	switch {
	case scale <= 0:
		sb.WriteString(digits)
		for range -scale {
			sb.WriteByte('0')
		}
	case scale >= len(digits):
		sb.WriteString("0.")
		for range scale - len(digits) {
			sb.WriteByte('0')
		}
		sb.WriteString(digits)
	default:
		sb.WriteString(digits[:len(digits)-scale])
		sb.WriteByte('.')
		sb.WriteString(digits[len(digits)-scale:])
	}
	return sb.String()
}

// MarshalText implements encoding.TextMarshaler with the canonical String.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with [Parse].
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseBytes(b)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
