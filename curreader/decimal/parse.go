package decimal

import (
	"math"
	"math/big"
	"strings"
)

// MaxExponent bounds the exponent accepted by [Parse], so that a hostile
// input such as `1E999999999` cannot demand gigabytes of digits.
const MaxExponent = 10000

// Parse returns the number s spells, exactly. It accepts an optional sign,
// digits with an optional decimal point (at least one digit), and an
// optional exponent `e`/`E` with an optional sign and a magnitude of at
// most [MaxExponent]: "-3", "0.0110000000", ".5", "1.1E-5". Spaces, "NaN", "Inf", hexadecimal
// and digit separators are not accepted.
//
// An empty s returns [ErrEmpty] itself: the value is absent, not zero. Any
// other rejected s returns a [*ParseError] wrapping [ErrSyntax] or
// [ErrRange].
func Parse(s string) (Decimal, error) {
	return parse(s)
}

// ParseBytes is [Parse] for a byte slice, such as a field the CSV reader
// hands over. It neither retains nor copies b, and does not allocate for
// values of up to 19 significant digits. Parse(string(b)) would allocate
// the string for every value and took 1.7 times as long to sum a cost
// column (see "Why not apd" in the package documentation).
func ParseBytes(b []byte) (Decimal, error) {
	return parse(b)
}

// MustParse is like [Parse] but panics if s is not a number. It is for
// constants in tests and examples, as [regexp.MustCompile] is; never use it
// on data.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func syntaxErr[T string | []byte](s T, err error) error {
	return &ParseError{Input: string(s), Err: err}
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
	// frac grows with the input, so only an input of gigabytes can push the
	// scale out of the int32 it is kept in.
	sc := int64(frac) - int64(exp)
	if sc < math.MinInt32 || sc > math.MaxInt32 {
		return Decimal{}, syntaxErr(s, ErrRange)
	}
	scale := int32(sc)
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
