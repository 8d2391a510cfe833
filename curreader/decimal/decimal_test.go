package decimal

import (
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"0.0", "0"},
		{"0.0110000000", "0.011"},
		{"1.0000000000", "1"},
		{"1.1E-5", "0.000011"},
		{"1.1e-5", "0.000011"},
		{"-3", "-3"},
		{"+3", "3"},
		{"1E5", "100000"},
		{"1.5E+2", "150"},
		{"12.345E1", "123.45"},
		{".5", "0.5"},
		{"5.", "5"},
		{"-0.0000000001", "-0.0000000001"},
		{"123456789012345678901234567890.5", "123456789012345678901234567890.5"},
		{"-99999999999999999999999999999999999999999999", "-99999999999999999999999999999999999999999999"},
		{"00012.3400", "12.34"},
		{"9223372036854775807", "9223372036854775807"},
		{"9223372036854775808", "9223372036854775808"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"18446744073709551615", "18446744073709551615"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, d.String())
			b, err := ParseBytes([]byte(tc.in))
			require.NoError(t, err)
			assert.True(t, b.Equal(d))
			r, ok := new(big.Rat).SetString(tc.in)
			require.True(t, ok)
			assert.Zero(t, r.Cmp(d.Rat()), "exact value")
		})
	}
}

func TestParseErrors(t *testing.T) {
	_, err := Parse("")
	require.ErrorIs(t, err, ErrEmpty)
	for _, in := range []string{"-", "+", ".", "abc", "1.2.3", "1e", "1e+", "1E5x", " 1", "1 ", "NaN", "Inf", "0x10", "1_000", "--1", "1,5", "e5"} {
		t.Run(in, func(t *testing.T) {
			_, err := Parse(in)
			require.ErrorIs(t, err, ErrSyntax)
			var se *ParseError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, in, se.Input)
		})
	}
	_, err = Parse("1E99999")
	require.ErrorIs(t, err, ErrRange)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, `decimal: parse "1E99999": value out of range`, err.Error())
}

func TestAddExact(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"0.1", "0.2", "0.3"},
		{"1.1E-5", "0.0110000000", "0.011011"},
		{"-3", "3", "0"},
		{"1E20", "1E-20", "100000000000000000000.00000000000000000001"},
		{"99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000"},
		{"-1.5", "0.25", "-1.25"},
	}
	for _, tc := range tests {
		t.Run(tc.a+"+"+tc.b, func(t *testing.T) {
			got := MustParse(tc.a).Add(MustParse(tc.b))
			assert.Equal(t, tc.want, got.String())
			assert.Equal(t, tc.want, MustParse(tc.b).Add(MustParse(tc.a)).String())
		})
	}
}

// TestAddOverflowToBig crosses the 128-bit boundary in both directions.
func TestAddOverflowToBig(t *testing.T) {
	x := MustParse("9999999999999999999") // 19 digits
	sum := Decimal{}
	want := new(big.Rat)
	for i := range 200 {
		x = x.Add(x) // doubles: reaches ~2^250
		if i%3 == 0 {
			x = x.Neg()
		}
		sum = sum.Add(x)
		want.Add(want, x.Rat())
	}
	assert.Zero(t, want.Cmp(sum.Rat()))
	// Back down again: the result fits in 128 bits.
	back := sum.Sub(sum).Add(MustParse("1.5"))
	assert.Nil(t, back.big)
	assert.Equal(t, "1.5", back.String())
}

func TestCmp(t *testing.T) {
	assert.Equal(t, 0, MustParse("1.10").Cmp(MustParse("1.1")))
	assert.Equal(t, -1, MustParse("1.1E-5").Cmp(MustParse("0.0001")))
	assert.Equal(t, 1, MustParse("-1").Cmp(MustParse("-2")))
	assert.Equal(t, 1, MustParse("1E40").Cmp(MustParse("9E39")))
	assert.Equal(t, 0, Decimal{}.Cmp(MustParse("0.000")))
	assert.Equal(t, -1, MustParse("-1E40").Sign())
}

func TestFloat64(t *testing.T) {
	assert.Equal(t, 0.011, MustParse("0.0110000000").Float64())
	assert.Equal(t, -1.1e-5, MustParse("-1.1E-5").Float64())
	assert.Equal(t, 1e40, MustParse("1E40").Float64())
}

func TestTextRoundTrip(t *testing.T) {
	var d Decimal
	require.NoError(t, d.UnmarshalText([]byte("1.1E-5")))
	b, err := d.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "0.000011", string(b))
	require.ErrorIs(t, d.UnmarshalText([]byte("x")), ErrSyntax)
}

func TestAddDoesNotAllocate(t *testing.T) {
	vals := []Decimal{MustParse("0.0110000000"), MustParse("1.1E-5"), MustParse("-3"), MustParse("12345.6789")}
	buf := []byte("0.0110000000")
	var sum Decimal
	allocs := testing.AllocsPerRun(1000, func() {
		for _, v := range vals {
			sum = sum.Add(v)
		}
		d, _ := ParseBytes(buf)
		sum = sum.Add(d)
	})
	assert.Zero(t, allocs)
}

var grammar = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// FuzzParse checks Parse against math/big.Rat and the String round trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "0.0110000000", "1.1E-5", "-3", "", "1e400", "123456789012345678901234567890", ".5", "5.", "-0.0"} {
		f.Add(s, "0.1")
	}
	f.Fuzz(func(t *testing.T, s, s2 string) {
		d, err := Parse(s)
		if err != nil {
			if s == "" {
				require.ErrorIs(t, err, ErrEmpty)
				return
			}
			if grammar.MatchString(s) {
				require.ErrorIs(t, err, ErrRange, "input %q matches the grammar", s)
			}
			return
		}
		require.True(t, grammar.MatchString(s), "accepted %q outside the grammar", s)
		r, ok := new(big.Rat).SetString(s)
		require.True(t, ok, "big.Rat rejects %q", s)
		require.Zero(t, r.Cmp(d.Rat()), "value of %q", s)
		str := d.String()
		assert.NotContains(t, strings.ToLower(str), "e")
		d2, err := Parse(str)
		require.NoError(t, err)
		require.True(t, d.Equal(d2))
		require.Equal(t, str, d2.String(), "canonical form is stable")
		if e, err := Parse(s2); err == nil {
			sum := new(big.Rat).Add(r, e.Rat())
			require.Zero(t, sum.Cmp(d.Add(e).Rat()), "%q + %q", s, s2)
			require.Equal(t, r.Cmp(e.Rat()), d.Cmp(e))
		}
	})
}

func BenchmarkParseBytes(b *testing.B) {
	in := []byte("0.0110000000")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		_, _ = ParseBytes(in)
	}
}

func BenchmarkSum1M(b *testing.B) {
	vals := make([][]byte, 1024)
	for i := range vals {
		switch i % 4 {
		case 0:
			vals[i] = []byte("0.0110000000")
		case 1:
			vals[i] = []byte("1.1E-5")
		case 2:
			vals[i] = []byte("123.4567890123")
		default:
			vals[i] = []byte("-0.5")
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var sum Decimal
		for i := range 1_000_000 {
			d, _ := ParseBytes(vals[i&1023])
			sum = sum.Add(d)
		}
		_ = sum
	}
}
