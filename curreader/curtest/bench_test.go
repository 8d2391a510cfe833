package curtest

import (
	"context"
	"io"
	"testing"
)

// countingSink discards objects and counts their bytes.
type countingSink struct{ n int64 }

func (c *countingSink) Put(_ context.Context, _ string, write func(io.Writer) error) error {
	return write(c)
}

func (c *countingSink) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func benchGenerate(b *testing.B, spec Spec) {
	b.ReportAllocs()
	var written, rows int64
	for b.Loop() {
		c := &countingSink{}
		res, err := Generate(b.Context(), c, spec)
		if err != nil {
			b.Fatal(err)
		}
		written, rows = c.n, res.Deliveries[0].Rows
	}
	b.SetBytes(written)
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkGenerate(b *testing.B) {
	for _, s := range []Spec{
		{Kind: LegacyCUR, Name: "legacy-wide-csv-gz", Width: Wide, Rows: 10000},
		{Kind: LegacyCUR, Name: "legacy-narrow-csv-gz", Rows: 10000},
		{Kind: LegacyCUR, Name: "legacy-wide-parquet", Width: Wide, Format: Parquet, Rows: 10000},
		{Kind: CUR2, Name: "cur2-wide-csv-gz", Width: Wide, Rows: 10000},
		{Kind: CUR2, Name: "cur2-wide-parquet", Width: Wide, Format: Parquet, Rows: 10000},
		{Kind: FOCUS12, Name: "focus12-parquet", Format: Parquet, Rows: 10000},
	} {
		b.Run(s.Name, func(b *testing.B) { benchGenerate(b, s) })
	}
}

// BenchmarkMillionRows writes one 1,000,000-row, ~150-column legacy CSV
// file, the size benchmarks of readers ask for. Run it alone, once:
//
//	go test -run '^$' -bench MillionRows -benchtime 1x ./curreader/curtest
func BenchmarkMillionRows(b *testing.B) {
	for _, f := range []FileType{CSVGzip, Parquet} {
		b.Run(f.String(), func(b *testing.B) {
			benchGenerate(b, Spec{Kind: LegacyCUR, Name: "million", Width: Wide, Format: f, Rows: 1_000_000})
		})
	}
}
