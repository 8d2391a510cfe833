package decimal

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// String returns the canonical form: no exponent, no trailing zeros after
// the point, no point for integers, "0" for zero, a leading "-" when
// negative. Two equal numbers have the same String, and [Parse] reads it
// back to an equal Decimal.
func (d Decimal) String() string {
	digits, neg := d.coefDigits()
	if digits == "0" {
		return "0"
	}
	scale := int(d.scale)
	// Trim trailing zeros of the coefficient into the scale.
	for scale > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		scale--
	}
	if scale <= 0 {
		return layout(neg, digits, -scale, 0)
	}
	return layout(neg, digits, 0, scale)
}

// StringFixed returns d rounded with [Decimal.Round] to scale digits after
// the point, written with exactly that many (none if scale ≤ 0) and no
// exponent: for display, as in a bill, where 12.345 at scale 2 shows as
// "12.35" and 5 as "5.00". A value that rounds to zero has no sign:
// -0.001 at scale 2 is "0.00".
func (d Decimal) StringFixed(scale int) string {
	r := d.Round(scale)
	digits, neg := r.coefDigits()
	p := max(scale, 0)
	// r has at most p digits after the point; pad its coefficient to p.
	return layout(neg && digits != "0", digits, p-int(r.scale), p)
}

// coefDigits returns the decimal digits of the coefficient's magnitude and
// whether it is negative.
func (d Decimal) coefDigits() (digits string, neg bool) {
	if d.big == nil && (d.hi == 0 && d.lo <= math.MaxInt64 || d.hi == -1 && d.lo > math.MaxInt64) {
		digits = strconv.FormatInt(int64(d.lo), 10)
	} else {
		digits = d.bigInt().String()
	}
	if digits[0] == '-' {
		return digits[1:], true
	}
	return digits, false
}

// layout writes the number whose digits are digits followed by zeros
// zeros, with frac of them after the point.
func layout(neg bool, digits string, zeros, frac int) string {
	var sb strings.Builder
	n := len(digits) + zeros
	sb.Grow(3 + n + max(frac-n, 0))
	if neg {
		sb.WriteByte('-')
	}
	writeZeros := func(k int) {
		for range k {
			sb.WriteByte('0')
		}
	}
	switch ip := n - frac; { // digits before the point
	case ip <= 0:
		sb.WriteString("0.")
		writeZeros(-ip)
		sb.WriteString(digits)
		writeZeros(zeros)
	case ip <= len(digits):
		sb.WriteString(digits[:ip])
		if frac > 0 {
			sb.WriteByte('.')
			sb.WriteString(digits[ip:])
			writeZeros(zeros)
		}
	default:
		sb.WriteString(digits)
		writeZeros(ip - len(digits))
		if frac > 0 {
			sb.WriteByte('.')
			writeZeros(frac)
		}
	}
	return sb.String()
}

// MarshalText implements [encoding.TextMarshaler] with the canonical
// [Decimal.String]. Through it, [encoding/json] writes a Decimal as a JSON
// string ("0.011"), which decoders that read JSON numbers as float64 cannot
// round.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseBytes]:
// empty text is [ErrEmpty], not zero. On error d is unchanged.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseBytes(b)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalJSON implements [encoding/json.Unmarshaler]. It reads a JSON
// string, as MarshalText writes, or a JSON number, both exactly with
// [Parse]: 0.1 is one tenth, not the float64 nearest to it. null leaves d
// unchanged, as encoding/json does for other types; "" is [ErrEmpty].
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	return d.UnmarshalText(b)
}
