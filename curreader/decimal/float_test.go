package decimal

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkFromFloat64 requires FromFloat64(f) to be exactly Parse of the text
// strconv.FormatFloat(f, 'f', -1, 64): the same value held the same way
// (coefficient and scale), so that sums print the same digits.
func checkFromFloat64(t *testing.T, f float64) {
	t.Helper()
	got, err := FromFloat64(f)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		_, want := Parse(strconv.FormatFloat(f, 'g', -1, 64))
		require.Error(t, want)
		require.ErrorIs(t, err, ErrSyntax)
		require.Equal(t, want.Error(), err.Error())
		return
	}
	require.NoError(t, err)
	text := strconv.FormatFloat(f, 'f', -1, 64)
	want, err := Parse(text)
	require.NoError(t, err)
	require.Equal(t, want.scale, got.scale, "scale of %s", text)
	require.Zero(t, want.bigInt().Cmp(got.bigInt()), "coefficient of %s: %s", text, got.bigInt())
	require.Equal(t, want.String(), got.String())
}

func TestFromFloat64(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.2, 0.1 + 0.2, 1e-7, 5e-6, 0.0048310781, 966.215629279,
		-1014.7559039756, 392648.6870754854, 123456789.123456, 1 << 52, 1<<53 - 1, 1 << 53, 1<<53 + 2, 1e21, 1e22, 1e23,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 2.2250738585072014e-308,
		0.3, 2.5, 1.0000000000000002, 0.9999999999999999, 9007199254740991.5, 1125899906842624.25, 1125899906842624.75,
		562949953421312.25, 4503599627370495.5, 0.000001, 1e-20, 1.7976931348623157e+300,
		math.NaN(), math.Inf(1), math.Inf(-1)} {
		checkFromFloat64(t, f)
		checkFromFloat64(t, -f)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200000 {
		var f float64
		switch rng.IntN(5) {
		case 0: // any bits
			f = math.Float64frombits(rng.Uint64())
		case 1: // a cost with up to 10 decimals
			f = float64(rng.Int64N(2e12)-1e12) / pow10f[rng.IntN(11)]
		case 2: // a sum of two, as a writer may store
			f = float64(rng.Int64N(1e9))/1e10 + float64(rng.Int64N(1e9))/1e7
		case 3: // a power of two times a few bits: ties at large magnitudes
			f = math.Ldexp(float64(rng.Int64N(1<<12)), rng.IntN(80)-30)
		default: // near an integer
			f = float64(rng.Int64N(1<<53)) + float64(rng.IntN(8))/8
		}
		checkFromFloat64(t, f)
	}
}

// TestFromFloat64FastPath checks the claim that every double written from
// a decimal of up to 15 significant digits is found without text.
func TestFromFloat64FastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 200000 {
		digits := 1 + rng.IntN(15)
		c := rng.Int64N(int64(pow10[digits]))
		f := float64(c) / pow10f[rng.IntN(min(digits, 19)+1)]
		if rng.IntN(4) == 0 {
			f = float64(c) * pow10f[rng.IntN(16-digits)] // integers up to 10^15
		}
		_, ok := fromFloatFast(f)
		require.True(t, ok, "%v (%d digits)", f, digits)
		checkFromFloat64(t, f)
	}
}

func TestFromFloat64DoesNotAllocate(t *testing.T) {
	f, g := 0.0048310781, 0.1+0.2 // found without text, and formatted
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_, _ = FromFloat64(f)
		_, _ = FromFloat64(g)
	}))
}

func FuzzFromFloat64(f *testing.F) {
	for _, v := range []float64{0, 0.1, 1e-7, 966.215629279, 1e21, 1125899906842624.25, math.Inf(1)} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, b uint64) {
		checkFromFloat64(t, math.Float64frombits(b))
	})
}

func BenchmarkFromFloat64(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	vals := make([]float64, 4096)
	for i := range vals {
		// Costs as AWS writes them: 10 decimals, some fewer.
		vals[i] = float64(rng.Int64N(1e12)) / pow10f[10-rng.IntN(10)/8]
	}
	b.Run("FromFloat64", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, _ = FromFloat64(vals[i&4095])
		}
	})
	b.Run("format-and-parse", func(b *testing.B) {
		var buf [32]byte
		for i := 0; b.Loop(); i++ {
			_, _ = ParseBytes(strconv.AppendFloat(buf[:0], vals[i&4095], 'f', -1, 64))
		}
	})
}
