package decimalbench

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/curconnect/curconnect/curreader/decimal"
	shopspring "github.com/shopspring/decimal"
)

// n is the number of cost values one benchmark operation parses and sums.
const n = 1 << 20

type column struct {
	bytes [][]byte // as the CSV reader hands them over
	strs  []string // the same values, already strings (a library's best case)
	size  int64    // total bytes
	want  *big.Rat // the exact sum, by math/big
}

// values returns n cost values in the shapes Cost and Usage Reports
// write, generated from a fixed seed.
var values = sync.OnceValue(func() column {
	rng := rand.New(rand.NewPCG(2024, 11))
	var c column
	c.want = new(big.Rat)
	for range n {
		var s string
		switch r := rng.IntN(100); {
		case r < 25: // zero-cost lines
			s = [...]string{"0.0", "0", "0.0000000000"}[rng.IntN(3)]
		case r < 60: // small usage charges, ten decimal places
			s = fmt.Sprintf("0.%010d", rng.IntN(1e8))
		case r < 70: // tiny charges written in scientific notation
			s = fmt.Sprintf("%d.%dE-%d", 1+rng.IntN(9), rng.IntN(10), 5+rng.IntN(5))
		case r < 80: // credits and refunds
			s = fmt.Sprintf("-%d.%010d", rng.IntN(50), rng.IntN(1e10))
		case r < 95: // larger charges
			s = fmt.Sprintf("%d.%010d", rng.IntN(10000), rng.IntN(1e10))
		default: // fees with trailing zeros
			s = fmt.Sprintf("%d.%d000000000", rng.IntN(1000), rng.IntN(10))
		}
		c.strs = append(c.strs, s)
		c.bytes = append(c.bytes, []byte(s))
		c.size += int64(len(s))
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			panic("big.Rat rejects " + s)
		}
		c.want.Add(c.want, r)
	}
	return c
})

// contenders each parse and sum the whole column once and return the sum
// as text.
var contenders = []struct {
	name string
	sum  func(c column) (string, error)
}{
	{"curconnect/ParseBytes", func(c column) (string, error) {
		var sum decimal.Decimal
		for _, v := range c.bytes {
			d, err := decimal.ParseBytes(v)
			if err != nil {
				return "", err
			}
			sum = sum.Add(d)
		}
		return sum.String(), nil
	}},
	{"curconnect/Parse(string(b))", func(c column) (string, error) {
		var sum decimal.Decimal
		for _, v := range c.bytes {
			d, err := decimal.Parse(string(v))
			if err != nil {
				return "", err
			}
			sum = sum.Add(d)
		}
		return sum.String(), nil
	}},
	{"apd/SetString(string(b))", func(c column) (string, error) { return apdSum(c.bytes) }},
	{"apd/SetString(s)", func(c column) (string, error) { return apdSum(c.strs) }},
	{"shopspring/NewFromString(s)", func(c column) (string, error) {
		var sum shopspring.Decimal
		for _, v := range c.strs {
			d, err := shopspring.NewFromString(v)
			if err != nil {
				return "", err
			}
			sum = sum.Add(d)
		}
		return sum.String(), nil
	}},
}

// apdSum sums with apd as its documentation advises for speed: one
// Decimal reused for parsing and an in-place Add. Precision 0 turns
// rounding off, and trapping Inexact and Rounded proves none happened.
func apdSum[T string | []byte](vals []T) (string, error) {
	ctx := apd.BaseContext
	ctx.Traps |= apd.Inexact | apd.Rounded
	var sum, x apd.Decimal
	for _, v := range vals {
		if _, _, err := ctx.SetString(&x, string(v)); err != nil {
			return "", err
		}
		if _, err := ctx.Add(&sum, &sum, &x); err != nil {
			return "", err
		}
	}
	return sum.Text('f'), nil
}

func TestSumsAgree(t *testing.T) {
	c := values()
	for _, k := range contenders {
		got, err := k.sum(c)
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		r, ok := new(big.Rat).SetString(got)
		if !ok || r.Cmp(c.want) != 0 {
			t.Errorf("%s: sum %s, want %s", k.name, got, c.want.FloatString(20))
		}
	}
}

// BenchmarkSum parses and sums n values per operation. Besides wall time
// it reports the process's CPU time per operation (cpu-ns/op), which
// includes the garbage collector's work on other cores.
func BenchmarkSum(b *testing.B) {
	c := values()
	for _, k := range contenders {
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(c.size)
			var got string
			cpu := cpuTime()
			for b.Loop() {
				var err error
				if got, err = k.sum(c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			if r, ok := new(big.Rat).SetString(got); !ok || r.Cmp(c.want) != 0 {
				b.Fatalf("sum %s, want %s", got, c.want.FloatString(20))
			}
		})
	}
}
