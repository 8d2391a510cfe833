package curreader

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// renderer returns how a leaf's values become text, and whether a map
// renders them as JSON strings (not numbers).
func renderer(t parquet.Type) (func([]byte, parquet.Value) []byte, bool, error) {
	if lt := t.LogicalType(); lt != nil {
		switch x := lt.Value.(type) {
		case *format.DecimalType:
			scale := int(x.Scale)
			return func(dst []byte, v parquet.Value) []byte { return appendDecimalValue(dst, v, scale) }, false, nil
		case *format.TimestampType:
			unit := time.Millisecond
			if x.Unit.Value != nil {
				unit = x.Unit.Value.Duration()
			}
			return func(dst []byte, v parquet.Value) []byte { return appendTime(dst, v.Int64(), unit) }, true, nil
		case *format.DateType:
			return func(dst []byte, v parquet.Value) []byte {
				return time.Unix(int64(v.Int32())*86400, 0).UTC().AppendFormat(dst, "2006-01-02")
			}, true, nil
		case *format.TimeType:
			// Time of day: milliseconds (INT32), micro- or nanoseconds (INT64).
			unit := time.Millisecond
			if x.Unit.Value != nil {
				unit = x.Unit.Value.Duration()
			}
			return func(dst []byte, v parquet.Value) []byte {
				n := v.Int64()
				if v.Kind() == parquet.Int32 {
					n = int64(v.Int32())
				}
				return time.Unix(0, 0).UTC().Add(time.Duration(n)*unit).AppendFormat(dst, "15:04:05.999999999")
			}, true, nil
		case *format.IntType:
			if !x.IsSigned {
				// UINT_8 to UINT_64: the physical int's bits, unsigned.
				if t.Kind() == parquet.Int64 {
					return func(dst []byte, v parquet.Value) []byte { return strconv.AppendUint(dst, uint64(v.Int64()), 10) }, false, nil
				}
				return func(dst []byte, v parquet.Value) []byte {
					return strconv.AppendUint(dst, uint64(uint32(v.Int32())), 10)
				}, false, nil
			}
		}
	}
	switch t.Kind() {
	case parquet.Boolean:
		return func(dst []byte, v parquet.Value) []byte { return strconv.AppendBool(dst, v.Boolean()) }, false, nil
	case parquet.Int32:
		return func(dst []byte, v parquet.Value) []byte { return strconv.AppendInt(dst, int64(v.Int32()), 10) }, false, nil
	case parquet.Int64:
		return func(dst []byte, v parquet.Value) []byte { return strconv.AppendInt(dst, v.Int64(), 10) }, false, nil
	case parquet.Int96:
		// Impala's timestamps: nanoseconds of the day and a Julian day.
		return func(dst []byte, v parquet.Value) []byte {
			i := v.Int96()
			nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
			days := int64(i[2]) - 2440588
			return time.Unix(days*86400, nanos).UTC().AppendFormat(dst, time.RFC3339Nano)
		}, true, nil
	case parquet.Float:
		return func(dst []byte, v parquet.Value) []byte { return appendFloat(dst, float64(v.Float()), 32) }, false, nil
	case parquet.Double:
		return func(dst []byte, v parquet.Value) []byte { return appendFloat(dst, v.Double(), 64) }, false, nil
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return func(dst []byte, v parquet.Value) []byte { return append(dst, v.ByteArray()...) }, true, nil
	}
	return nil, false, fmt.Errorf("values of type %s", t)
}

// isNonFinite reports whether v is a NaN or infinite float or double.
func isNonFinite(v parquet.Value) bool {
	switch v.Kind() {
	case parquet.Float:
		f := float64(v.Float())
		return math.IsNaN(f) || math.IsInf(f, 0)
	case parquet.Double:
		f := v.Double()
		return math.IsNaN(f) || math.IsInf(f, 0)
	}
	return false
}

// appendFloat renders a double in plain notation, the shortest digits
// that read back to the same value: 1e-05 → 0.00001.
func appendFloat(dst []byte, f float64, bits int) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.AppendFloat(dst, f, 'g', -1, bits)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, bits)
}

func appendTime(dst []byte, n int64, unit time.Duration) []byte {
	var t time.Time
	switch unit {
	case time.Millisecond:
		t = time.UnixMilli(n)
	case time.Microsecond:
		t = time.UnixMicro(n)
	default:
		t = time.Unix(0, n)
	}
	return t.UTC().AppendFormat(dst, time.RFC3339Nano)
}

// appendDecimalValue renders a DECIMAL (unscaled integer, scale) exactly.
func appendDecimalValue(dst []byte, v parquet.Value, scale int) []byte {
	var digits []byte
	neg := false
	switch v.Kind() {
	case parquet.Int32, parquet.Int64:
		n := v.Int64()
		if v.Kind() == parquet.Int32 {
			n = int64(v.Int32())
		}
		if n < 0 {
			neg = true
		}
		digits = strconv.AppendUint(nil, absInt64(n), 10)
	default:
		b := v.ByteArray()
		z := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			z.Sub(z, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		neg = z.Sign() < 0
		digits = z.Abs(z).Append(nil, 10)
	}
	if neg {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, digits...)
		for range -scale {
			dst = append(dst, '0')
		}
		return dst
	}
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for range scale - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}

func absInt64(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
