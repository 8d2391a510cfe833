package decimal

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromMinor(t *testing.T) {
	tests := []struct {
		units int64
		scale int
		want  string
	}{
		{1234, 2, "12.34"},
		{-1234, 2, "-12.34"},
		{-5, 0, "-5"},
		{7, -3, "7000"},
		{0, 5, "0"},
		{1, 10, "0.0000000001"},
		{1200, 2, "12"},
		{math.MaxInt64, 18, "9.223372036854775807"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{math.MinInt64, 2, "-92233720368547758.08"},
		{3, MaxExponent, "0." + strings.Repeat("0", MaxExponent-1) + "3"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.units, "e-", tc.scale), func(t *testing.T) {
			d, err := FromMinor(tc.units, tc.scale)
			require.NoError(t, err)
			assert.Equal(t, tc.want, d.String())
			got, err := d.Minor(tc.scale)
			require.NoError(t, err)
			assert.Equal(t, tc.units, got, "round trip")
		})
	}
	for _, scale := range []int{MaxExponent + 1, -MaxExponent - 1} {
		_, err := FromMinor(1, scale)
		assert.ErrorIs(t, err, ErrRange, "scale %d", scale)
	}
	_, err := FromMinor(1, -MaxExponent)
	assert.NoError(t, err)
}

func TestMinor(t *testing.T) {
	big67 := "12345678901234567" + strings.Repeat("0", 50) // > 126 bits
	tests := []struct {
		in    string
		scale int
		want  int64
		err   error
	}{
		{"12.34", 2, 1234, nil},
		{"12.3400", 2, 1234, nil},
		{"12.34", 4, 123400, nil},
		{"12.34", 0, 0, ErrInexact},
		{"12.345", 2, 0, ErrInexact},
		{"-0.01", 2, -1, nil},
		{"1.1E-5", 6, 11, nil},
		{"1.1E-5", 5, 0, ErrInexact},
		{"0.0110000000", 3, 11, nil},
		{"0", -100, 0, nil},
		{"0.000", 2, 0, nil},
		{"-0", math.MaxInt, 0, nil},
		{"7000", -3, 7, nil},
		{"7001", -3, 0, ErrInexact},
		{"9223372036854775807", 0, math.MaxInt64, nil},
		{"9223372036854775808", 0, 0, ErrRange},
		{"-9223372036854775808", 0, math.MinInt64, nil},
		{"-9223372036854775809", 0, 0, ErrRange},
		{"18446744073709551616", 0, 0, ErrRange}, // 2^64: the high word is set
		{"92233720368547758.07", 2, math.MaxInt64, nil},
		{"92233720368547758.08", 2, 0, ErrRange},
		{"-9.223372036854775808", 18, math.MinInt64, nil},
		{"1", 18, 1e18, nil},
		{"1", 19, 0, ErrRange},
		{"-1", 19, 0, ErrRange},
		{"1E-40", 40, 1, nil},
		{"1E-40", 39, 0, ErrInexact},
		{"1E40", -40, 1, nil},
		{"1E40", -41, 0, ErrInexact},
		{"1" + strings.Repeat("0", 38), -38, 1, nil}, // drops 38 digits in two steps
		{"1" + strings.Repeat("0", 37) + "1", -38, 0, ErrInexact},
		{"5" + strings.Repeat("0", 30) + ".00", -30, 5, nil},
		{big67, -50, 12345678901234567, nil},
		{"-" + big67, -50, -12345678901234567, nil},
		{big67, -51, 0, ErrInexact},
		{big67, -49, 123456789012345670, nil},
		{big67, -48, 1234567890123456700, nil},
		{big67, -47, 0, ErrRange},
		{big67, -500, 0, ErrInexact},
		{big67, 0, 0, ErrRange},
		{"1" + strings.Repeat("0", 60) + ".5", 0, 0, ErrInexact}, // inexact is reported before range
		{"1", math.MaxInt, 0, ErrRange},
		{"1", math.MinInt, 0, ErrInexact},
		{"1E10000", -10000, 1, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in, "@", tc.scale), func(t *testing.T) {
			d := MustParse(tc.in)
			got, err := d.Minor(tc.scale)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				other := map[error]error{ErrInexact: ErrRange, ErrRange: ErrInexact}[tc.err]
				assert.NotErrorIs(t, err, other)
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			if tc.scale >= -MaxExponent && tc.scale <= MaxExponent {
				back, err := FromMinor(got, tc.scale)
				require.NoError(t, err)
				assert.True(t, back.Equal(d), "FromMinor inverts Minor")
			}
		})
	}
}

func TestMinorErrorText(t *testing.T) {
	_, err := MustParse("12.345").Minor(2)
	assert.EqualError(t, err, "decimal: 12.345 in units of 1e-2: inexact conversion")
	_, err = MustParse("1E30").Minor(-3)
	assert.EqualError(t, err, "decimal: 1000000000000000000000000000000 in units of 1e3: value out of range")
}

func TestMinorDoesNotAllocate(t *testing.T) {
	d := MustParse("12.3400")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := d.Minor(2); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestRound(t *testing.T) {
	big40 := "123456789012345678901234567890123456789"
	tests := []struct {
		in    string
		scale int
		want  string
	}{
		{"12.345", 2, "12.35"},
		{"-12.345", 2, "-12.35"},
		{"12.344", 2, "12.34"},
		{"12.3449", 2, "12.34"},
		{"12.3450000001", 2, "12.35"},
		{"0.005", 2, "0.01"},
		{"-0.005", 2, "-0.01"},
		{"0.0049", 2, "0"},
		{"-0.0049", 2, "0"},
		{"1.5", 0, "2"},
		{"2.5", 0, "3"},
		{"-2.5", 0, "-3"},
		{"0.5", 0, "1"},
		{"0.4999999999999999999999", 0, "0"},
		{"1234.5", -2, "1200"},
		{"1250", -2, "1300"},
		{"-1250", -2, "-1300"},
		{"49", -2, "0"},
		{"50", -2, "100"},
		{"12.3", 5, "12.3"},
		{"1E5", 2, "100000"},
		{"5E-50", 49, "0." + strings.Repeat("0", 48) + "1"},
		{"4E-50", 49, "0"},
		{"5E-50", 10, "0"},
		{"9.99", 1, "10"},
		{"-9.99", 1, "-10"},
		{"0.0110000000", 2, "0.01"},
		{big40 + ".5", 0, big40[:37] + "90"},
		{big40, -30, "123456789" + strings.Repeat("0", 30)},
		{"-" + big40, -38, "-100000000000000000000000000000000000000"},
		{big40, -39, "0"},
		{big40 + big40, -40, big40[:37] + "90" + strings.Repeat("0", 39)},
		{"1", math.MinInt, "0"},
		{"1", math.MaxInt, "1"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in, "@", tc.scale), func(t *testing.T) {
			d := MustParse(tc.in)
			got := d.Round(tc.scale)
			assert.Equal(t, tc.want, got.String())
			assert.Zero(t, refRound(d.Rat(), tc.scale).Cmp(got.Rat()), "agrees with big.Rat")
		})
	}
}

func TestStringFixed(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
	}{
		{"12.345", 2, "12.35"},
		{"5", 2, "5.00"},
		{"-0.001", 2, "0.00"},
		{"0", 2, "0.00"},
		{"0", 0, "0"},
		{"-0.000", 3, "0.000"},
		{"1E3", 2, "1000.00"},
		{"1234.5", -2, "1200"},
		{"1234.5", 0, "1235"},
		{"0.0005", 3, "0.001"},
		{"-12.5", 0, "-13"},
		{"1.1E-5", 6, "0.000011"},
		{"1.1E-5", 8, "0.00001100"},
		{"0.0110000000", 4, "0.0110"},
		{"-0.0110000000", 1, "0.0"},
		{"12.3", 1, "12.3"},
		{"99.995", 2, "100.00"},
		{"123456789012345678901234567890.125", 2, "123456789012345678901234567890.13"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in, "@", tc.scale), func(t *testing.T) {
			d := MustParse(tc.in)
			assert.Equal(t, tc.want, d.StringFixed(tc.scale))
		})
	}
}

// refMinor is Minor computed with big.Rat.
func refMinor(r *big.Rat, scale int) (int64, error) {
	x := new(big.Rat).Mul(r, pow10Rat(scale))
	if !x.IsInt() {
		return 0, ErrInexact
	}
	if !x.Num().IsInt64() {
		return 0, ErrRange
	}
	return x.Num().Int64(), nil
}

// refRound is Round computed with big.Rat: halves away from zero.
func refRound(r *big.Rat, scale int) *big.Rat {
	if scale < -1e6 || scale > 1e6 {
		// Far beyond any test value's digits.
		if scale > 0 {
			return new(big.Rat).Set(r)
		}
		return new(big.Rat)
	}
	p := pow10Rat(scale)
	x := new(big.Rat).Mul(r, p)
	x.Abs(x)
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Quo(x.Num(), x.Denom()) // floor, as x ≥ 0
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt(q), p)
}

func pow10Rat(scale int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(scale, -scale))), nil)
	if scale < 0 {
		return new(big.Rat).SetFrac(big.NewInt(1), p)
	}
	return new(big.Rat).SetInt(p)
}

// checkScale checks Minor, Round and StringFixed of d at scale against
// big.Rat. scale must be small enough for big.Rat to compute 10^scale.
func checkScale(t *testing.T, d Decimal, scale int) {
	t.Helper()
	r := d.Rat()
	want, wantErr := refMinor(r, scale)
	got, err := d.Minor(scale)
	if wantErr != nil {
		require.ErrorIs(t, err, wantErr, "%s at scale %d", d, scale)
	} else {
		require.NoError(t, err, "%s at scale %d", d, scale)
		require.Equal(t, want, got, "%s at scale %d", d, scale)
	}
	rounded := d.Round(scale)
	require.Zero(t, refRound(r, scale).Cmp(rounded.Rat()), "Round(%s, %d) = %s", d, scale, rounded)
	if scale >= -40 && scale <= 40 {
		fixed := d.StringFixed(scale)
		f, err := Parse(fixed)
		require.NoError(t, err, "StringFixed(%s, %d) = %q", d, scale, fixed)
		require.True(t, f.Equal(rounded), "StringFixed(%s, %d) = %q", d, scale, fixed)
		if i := strings.IndexByte(fixed, '.'); scale > 0 {
			require.Equal(t, scale, len(fixed)-i-1, "digits after the point in %q", fixed)
		} else {
			require.Equal(t, -1, i, "no point in %q", fixed)
		}
		require.NotEqual(t, "-", fixed[:1]+strings.Trim(fixed[1:], "0."), "no negative zero: %q", fixed)
	}
}

// TestScaleProperties runs the fuzz properties on generated values, so
// that a plain go test covers them too.
func TestScaleProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		units := rng.Int64()
		switch rng.IntN(4) {
		case 0:
			units >>= rng.IntN(64)
		case 1:
			units = -units
		case 2:
			units = int64(rng.IntN(2000)) - 1000
		}
		scale := rng.IntN(60) - 20
		checkFromMinor(t, units, scale, rng.IntN(80)-40)
	}
	for range 20000 {
		var sb strings.Builder
		if rng.IntN(3) == 0 {
			sb.WriteByte('-')
		}
		for range 1 + rng.IntN(45) {
			sb.WriteByte(byte('0' + rng.IntN(10)))
		}
		if rng.IntN(2) == 0 {
			sb.WriteString(".")
			for range rng.IntN(30) {
				sb.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		if rng.IntN(4) == 0 {
			sb.WriteString("E" + strconv.Itoa(rng.IntN(80)-40))
		}
		d := MustParse(sb.String())
		checkScale(t, d, int(d.scale)+rng.IntN(50)-25)
		checkScale(t, d, rng.IntN(90)-45)
	}
}

func checkFromMinor(t *testing.T, units int64, scale, scale2 int) {
	t.Helper()
	d, err := FromMinor(units, scale)
	require.NoError(t, err)
	got, err := d.Minor(scale)
	require.NoError(t, err)
	require.Equal(t, units, got, "FromMinor(%d, %d).Minor", units, scale)
	want := new(big.Rat).Quo(new(big.Rat).SetInt64(units), pow10Rat(scale))
	require.Zero(t, want.Cmp(d.Rat()), "FromMinor(%d, %d) = %s", units, scale, d)
	p, err := Parse(d.String())
	require.NoError(t, err)
	require.True(t, p.Equal(d))
	checkScale(t, d, scale2)
}

// FuzzFromMinor checks the FromMinor → Minor round trip, and Minor and
// Round at a second scale, against math/big.Rat.
func FuzzFromMinor(f *testing.F) {
	f.Add(int64(1234), 2, 0)
	f.Add(int64(-1), 0, 19)
	f.Add(int64(math.MinInt64), 18, 0)
	f.Add(int64(math.MaxInt64), 3, -16)
	f.Add(int64(5), -3, 0)
	f.Fuzz(func(t *testing.T, units int64, scale, scale2 int) {
		if scale < -MaxExponent || scale > MaxExponent {
			_, err := FromMinor(units, scale)
			require.ErrorIs(t, err, ErrRange)
			return
		}
		if scale2 < -3*MaxExponent || scale2 > 3*MaxExponent {
			scale2 %= 3 * MaxExponent
		}
		checkFromMinor(t, units, scale, scale2)
	})
}

// FuzzMinor checks Minor, Round and StringFixed of parsed values against
// math/big.Rat, at the fuzzed scale and near the value's own scale.
func FuzzMinor(f *testing.F) {
	for _, s := range []string{"12.345", "0.0110000000", "1.1E-5", "-0.005", "9223372036854775807", "123456789012345678901234567890.5", "1E40", "0"} {
		f.Add(s, 2)
	}
	f.Add("99.995", 2)
	f.Add("-9.223372036854775808", 18)
	f.Fuzz(func(t *testing.T, s string, scale int) {
		d, err := Parse(s)
		if err != nil || len(s) > 200 {
			return
		}
		if scale < -3*MaxExponent || scale > 3*MaxExponent {
			// Beyond every digit of d: cheap answers, no big.Rat.
			_, err := d.Minor(scale)
			switch {
			case d.IsZero():
				require.NoError(t, err)
			case scale > 0:
				require.ErrorIs(t, err, ErrRange)
				require.True(t, d.Round(scale).Equal(d))
			default:
				require.ErrorIs(t, err, ErrInexact)
				require.True(t, d.Round(scale).IsZero())
			}
			return
		}
		checkScale(t, d, scale)
		checkScale(t, d, int(d.scale)+scale%40)
	})
}
