package decimal

import (
	"math"
	"strconv"
	"strings"
)

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
