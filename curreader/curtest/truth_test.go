package curtest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"io"
	"math/big"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustGet(t *testing.T, sink *MapSink, key string) []byte {
	t.Helper()
	b, ok := sink.Get(key)
	require.True(t, ok, "object %s", key)
	return b
}

// csvRows decompresses and parses a CSV data file with the standard
// library only (header included).
func csvRows(t *testing.T, body []byte, f FileType) [][]string {
	t.Helper()
	var r io.Reader
	switch f {
	case CSVGzip:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		r = zr
	case CSVZip:
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		require.NoError(t, err)
		require.Len(t, zr.File, 1, "one CSV per zip")
		rc, err := zr.File[0].Open()
		require.NoError(t, err)
		defer rc.Close()
		r = rc
	default:
		t.Fatalf("not CSV: %v", f)
	}
	cr := csv.NewReader(r)
	rows, err := cr.ReadAll()
	require.NoError(t, err)
	return rows
}

// sums is an independent recomputation of a delivery's totals.
type sums struct {
	rows      int64
	total     *big.Rat
	byProduct map[string]*big.Rat
	byAccount map[string]*big.Rat
}

func newSums() *sums {
	return &sums{total: new(big.Rat), byProduct: map[string]*big.Rat{}, byAccount: map[string]*big.Rat{}}
}

func (s *sums) add(t *testing.T, cost, product, account string) {
	t.Helper()
	v, ok := new(big.Rat).SetString(cost)
	require.True(t, ok, "cost %q is a decimal", cost)
	s.rows++
	s.total.Add(s.total, v)
	for m, k := range map[*map[string]*big.Rat]string{&s.byProduct: product, &s.byAccount: account} {
		if (*m)[k] == nil {
			(*m)[k] = new(big.Rat)
		}
		(*m)[k].Add((*m)[k], v)
	}
}

func ratEqual(t *testing.T, want *big.Rat, got string, msg string) {
	t.Helper()
	g, ok := new(big.Rat).SetString(got)
	require.True(t, ok, "%s: %q is a decimal", msg, got)
	assert.Zero(t, want.Cmp(g), "%s: recomputed %s, generator says %s", msg, want.FloatString(10), got)
}

func (s *sums) check(t *testing.T, d *Delivery) {
	t.Helper()
	assert.Equal(t, d.Rows, s.rows, "rows")
	ratEqual(t, s.total, d.Total, "total")
	require.Len(t, d.ByProduct, len(s.byProduct))
	for k, v := range s.byProduct {
		ratEqual(t, v, d.ByProduct[k], "product "+k)
	}
	require.Len(t, d.ByAccount, len(s.byAccount))
	for k, v := range s.byAccount {
		ratEqual(t, v, d.ByAccount[k], "account "+k)
	}
}

// sumCSV re-reads a delivery's CSV files and sums them by header name.
func sumCSV(t *testing.T, sink *MapSink, d *Delivery, f FileType) *sums {
	t.Helper()
	s := newSums()
	for i, key := range d.DataKeys {
		rows := csvRows(t, mustGet(t, sink, key), f)
		require.NotEmpty(t, rows, "header row of %s", key)
		assert.Equal(t, d.Columns, rows[0], "header of %s", key)
		assert.Len(t, rows[1:], d.RowsPerFile[i], "rows of %s", key)
		idx := map[string]int{}
		for j, h := range rows[0] {
			idx[h] = j
		}
		for _, rec := range rows[1:] {
			s.add(t, rec[idx[d.CostColumn]], rec[idx[d.ProductColumn]], rec[idx[d.AccountColumn]])
		}
	}
	return s
}

func openParquet(t *testing.T, body []byte) *parquet.File {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	return f
}

// parquetColumns returns the top-level field names of a Parquet file.
func parquetColumns(f *parquet.File) []string {
	var out []string
	for _, fl := range f.Schema().Fields() {
		out = append(out, fl.Name())
	}
	return out
}

// sumParquet re-reads a delivery's Parquet files. Doubles become decimals
// through their shortest representation.
func sumParquet(t *testing.T, sink *MapSink, d *Delivery) *sums {
	t.Helper()
	s := newSums()
	for i, key := range d.DataKeys {
		f := openParquet(t, mustGet(t, sink, key))
		assert.Equal(t, d.Columns, parquetColumns(f), "columns of %s", key)
		assert.EqualValues(t, d.RowsPerFile[i], f.NumRows(), "rows of %s", key)
		col := func(name string) int {
			lc, ok := f.Schema().Lookup(name)
			require.True(t, ok, "column %s in %s", name, key)
			return lc.ColumnIndex
		}
		ci, pi, ai := col(d.CostColumn), col(d.ProductColumn), col(d.AccountColumn)
		r := parquet.NewReader(f)
		buf := make([]parquet.Row, 16)
		for {
			n, err := r.ReadRows(buf)
			for _, row := range buf[:n] {
				var cost, prod, acct string
				for _, v := range row {
					switch v.Column() {
					case ci:
						require.False(t, v.IsNull(), "cost is never null")
						cost = strconv.FormatFloat(v.Double(), 'g', -1, 64)
					case pi:
						prod = v.String()
					case ai:
						acct = v.String()
					}
				}
				s.add(t, cost, prod, acct)
			}
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
		}
		require.NoError(t, r.Close())
	}
	return s
}

// TestGroundTruth re-reads every data file of every kind and format with
// independent code and checks the generator's exact totals.
func TestGroundTruth(t *testing.T) {
	cases := []Spec{
		{Kind: LegacyCUR, Name: "gz", Versions: 2, Files: 3, Rows: 40},
		{Kind: LegacyCUR, Name: "gz-wide-fixed", Width: Wide, Numbers: FixedNumbers, Rows: 40},
		{Kind: LegacyCUR, Name: "gz-short", Numbers: ShortNumbers, Versioning: Overwrite, Rows: 40},
		{Kind: LegacyCUR, Name: "zip", Format: CSVZip, Files: 2, Rows: 40},
		{Kind: LegacyCUR, Name: "pq", Format: Parquet, Files: 2, Rows: 40},
		{Kind: LegacyCUR, Name: "athena", Prefix: "p", Format: Parquet, Athena: true, Versioning: Overwrite, Width: Wide, Rows: 40},
		{Kind: CUR2, Name: "c2", Versions: 2, Files: 2, EmptyFiles: 1, Rows: 40},
		{Kind: CUR2, Name: "c2-wide", Width: Wide, Format: Parquet, Rows: 40},
		{Kind: CUR2, Name: "c2-pq", Format: Parquet, Versioning: Overwrite, Versions: 2, ShrinkBy: 1, Rows: 40},
		{Kind: FOCUS10, Name: "f10", Rows: 40},
		{Kind: FOCUS10, Name: "f10-pq", Format: Parquet, Rows: 40},
		{Kind: FOCUS12, Name: "f12", Format: Parquet, Months: 2, Restate: true, Rows: 40},
	}
	for _, spec := range cases {
		t.Run(spec.Name, func(t *testing.T) {
			sink := NewMapSink()
			res, err := Generate(t.Context(), sink, spec)
			require.NoError(t, err)
			for _, d := range res.Deliveries {
				if !d.InBucket {
					continue
				}
				var s *sums
				if spec.Format == Parquet {
					s = sumParquet(t, sink, d)
				} else {
					s = sumCSV(t, sink, d, spec.Format)
				}
				s.check(t, d)
				assert.NotEqual(t, "0", d.Total)
			}
		})
	}
}

// TestEmptyFiles checks 0-row files: a header only in CSV, a valid Parquet
// file with the schema and no rows.
func TestEmptyFiles(t *testing.T) {
	for _, f := range []FileType{CSVGzip, Parquet} {
		sink := NewMapSink()
		res, err := Generate(t.Context(), sink, Spec{Kind: CUR2, Name: "e", Format: f, Versioning: Overwrite, Files: 3, EmptyFiles: 2, Rows: 5})
		require.NoError(t, err)
		d := res.Current("2024-03")
		require.NotNil(t, d)
		assert.Equal(t, []int{5, 0, 0}, d.RowsPerFile)
		assert.EqualValues(t, 5, d.Rows)
		last := mustGet(t, sink, d.DataKeys[2])
		if f == Parquet {
			pf := openParquet(t, last)
			assert.Zero(t, pf.NumRows())
			assert.Equal(t, d.Columns, parquetColumns(pf))
		} else {
			rows := csvRows(t, last, f)
			assert.Equal(t, [][]string{d.Columns}, rows)
		}
	}
}
