package curreader

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
)

// historicalBucket is Spot Eco's flow: an Athena-integrated legacy report
// ("eco", Parquet, March and April 2024) and, beside it, legacy CSV files a
// customer dropped under the same prefix by hand, with no manifest, under
// names that say nothing of their month: December 2023 to March 2024, each
// month split over two files, January zipped and February plain. March is
// also delivered by "eco". Besides them, a CSV file that is not a CUR file.
func historicalBucket(t *testing.T) (objects, *curtest.Result) {
	t.Helper()
	ctx := t.Context()
	sink := curtest.NewMapSink()
	_, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "eco", Prefix: "cur", Bucket: testBucket,
		Athena: true, Format: curtest.Parquet, Versioning: curtest.Overwrite, Start: "2024-03", Months: 2, Rows: 20, Seed: 31})
	require.NoError(t, err)
	o := objects(sink.Objects())

	old := curtest.NewMapSink()
	res, err := curtest.Generate(ctx, old, curtest.Spec{Kind: curtest.LegacyCUR, Name: "oldcur", Prefix: "gen", Bucket: testBucket,
		Start: "2023-12", Months: 4, Files: 2, Rows: 25, Seed: 32})
	require.NoError(t, err)
	zipped := curtest.NewMapSink()
	resZip, err := curtest.Generate(ctx, zipped, curtest.Spec{Kind: curtest.LegacyCUR, Name: "oldcur", Prefix: "gen", Bucket: testBucket,
		Start: "2023-12", Months: 4, Files: 2, Rows: 25, Seed: 32, Format: curtest.CSVZip})
	require.NoError(t, err)
	require.Equal(t, res.Current("2024-01").Total, resZip.Current("2024-01").Total, "the same data zipped")
	names := map[string][2]string{
		"2023-12": {"cur/upload/a.csv.gz", "cur/upload/b.csv.gz"},
		"2024-01": {"cur/upload/jan-part1.csv.zip", "cur/upload/jan-part2.csv.zip"},
		"2024-02": {"cur/feb-1.csv", "cur/feb-2.csv"},
		"2024-03": {"cur/oldcur/20240301-20240401/oldcur-1.csv.gz", "cur/oldcur/20240301-20240401/oldcur-2.csv.gz"},
	}
	for p, keys := range names {
		src, sinkOf := res.Current(p), old
		if p == "2024-01" {
			src, sinkOf = resZip.Current(p), zipped
		}
		require.Len(t, src.DataKeys, 2)
		for i, k := range src.DataKeys {
			body, ok := sinkOf.Get(k)
			require.True(t, ok)
			if p == "2024-02" {
				body = gunzip(t, body)
			}
			o[keys[i]] = body
		}
	}
	o["cur/notes.csv"] = []byte("account,owner\n111122223333,finance\n")
	return o, res
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

// TestHistoricalResolve: the hand-placed files are one report, "historical",
// with one delivery per billing period read from their rows (never their
// names), exactly their files, March marked as covered by "eco"; a CSV file
// that is not a CUR file is left out.
func TestHistoricalResolve(t *testing.T) {
	o, _ := historicalBucket(t)
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := t.Context()
			r := be.make(t, o)
			reps, err := r.Reports(ctx, "cur")
			require.NoError(t, err)
			var names []string
			for _, rep := range reps {
				names = append(names, rep.Name+":"+string(rep.Kind))
			}
			require.Equal(t, []string{"eco:cur", "historical:historical"}, names)
			hist, err := r.Find(ctx, "cur", HistoricalReport)
			require.NoError(t, err)
			assert.Equal(t, LayoutHistorical, hist.Layout)
			ds, err := r.Latest(ctx, hist)
			require.NoError(t, err)
			var got []string
			for _, d := range ds {
				got = append(got, d.Period.String())
				assert.Equal(t, KindHistorical, d.Kind)
				assert.Equal(t, HistoricalReport, d.Report)
				assert.Equal(t, "cur", d.Prefix)
				assert.Len(t, d.Files, 2, d.Period)
				assert.Empty(t, d.ManifestKey)
				if d.Period.String() == "2024-03" {
					assert.Equal(t, []string{"eco"}, d.CoveredBy)
				} else {
					assert.Empty(t, d.CoveredBy, d.Period)
				}
			}
			assert.Equal(t, []string{"2023-12", "2024-01", "2024-02", "2024-03"}, got)
			jan, err := r.Resolve(ctx, hist, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			assert.Equal(t, CompressionZip, jan.Compression)
			feb, err := r.Resolve(ctx, hist, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			assert.Equal(t, CompressionNone, feb.Compression)
		})
	}
}

// TestHistoricalDuplicateRefused: a second copy of a month under another
// name is refused, naming both files; the other months still resolve.
func TestHistoricalDuplicateRefused(t *testing.T) {
	o, _ := historicalBucket(t)
	o["cur/upload/december-again.csv.gz"] = o["cur/upload/a.csv.gz"]
	r := fsBackend(t, o)
	ctx := t.Context()
	hist, err := r.Find(ctx, "cur", HistoricalReport)
	require.NoError(t, err)
	_, err = r.Resolve(ctx, hist, time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, ErrDuplicateLineItems)
	require.ErrorIs(t, err, curerr.ErrMalformed)
	var de *DuplicateError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, [2]string{"cur/upload/a.csv.gz", "cur/upload/december-again.csv.gz"}, de.Files)
	assert.Contains(t, err.Error(), "cur/upload/a.csv.gz")
	assert.Contains(t, err.Error(), "cur/upload/december-again.csv.gz")
	_, err = r.Resolve(ctx, hist, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
}

// TestHistoricalRequests: finding historical files costs no listing beyond
// what finding the reports costs (one delimiter listing of the prefix, then
// one listing of each folder under it: the bucket is never listed whole),
// resolving a manifest-backed report costs what it did without them, and
// reading their periods costs one GET per file (a zip file is read from its
// end, by a few ranged GETs).
func TestHistoricalRequests(t *testing.T) {
	o, _ := historicalBucket(t)
	without := objects{}
	for k, v := range o {
		if !isHistoricalName(k) {
			without[k] = v
		}
	}
	count := func(o objects, hist bool) (reports, resolve, periods map[string]int) {
		r, s := gofakes3Backend(t, o)
		ctx := t.Context()
		reps, err := r.Reports(ctx, "cur")
		require.NoError(t, err)
		reports = s.Requests()
		s.ResetRequests()
		_, err = r.Latest(ctx, reps[0]) // eco
		require.NoError(t, err)
		resolve = s.Requests()
		s.ResetRequests()
		if hist {
			_, err = r.Periods(ctx, reps[1])
			require.NoError(t, err)
			periods = s.Requests()
		}
		return
	}
	rw, sw, _ := count(without, false)
	rh, sh, ph := count(o, true)
	assert.Equal(t, map[string]int{"ListObjectsV2": 1 + 1}, rw, "the prefix, then eco's folder")
	assert.Equal(t, map[string]int{"ListObjectsV2": 1 + 3}, rh, "the prefix, then eco's, upload/'s and oldcur/'s folders")
	assert.Equal(t, sw, sh, "resolving the report costs the same")
	plain, zipped := 0, 0
	for k := range o {
		switch {
		case isHistoricalName(k) && strings.HasSuffix(k, ".zip"):
			zipped++
		case isHistoricalName(k):
			plain++
		}
	}
	assert.Len(t, ph, 1, "GETs only: %v", ph)
	assert.LessOrEqual(t, ph["GetObject"], plain+8*zipped, "one GET per gzip or plain file (%d), a few per zip file (%d)", plain, zipped)
	t.Logf("reports: %v without historical files, %v with; resolve eco: %v; historical periods of %d plain and %d zip files: %v", rw, rh, sh, plain, zipped, ph)
}

// TestHistoricalReadExact: every month of historical files — gzip, zip,
// plain, split over two files — sums exactly to the generator's totals,
// through S3 and a local copy, with and without read-ahead.
func TestHistoricalReadExact(t *testing.T) {
	o, res := historicalBucket(t)
	for _, be := range backends(t) {
		for _, c := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/concurrency%d", be.name, c), func(t *testing.T) {
				ctx := t.Context()
				r := be.make(t, o)
				hist, err := r.Find(ctx, "cur", HistoricalReport)
				require.NoError(t, err)
				ds, err := r.Latest(ctx, hist)
				require.NoError(t, err)
				require.Len(t, ds, 4)
				for _, d := range ds {
					cur := res.Current(d.Period.String())
					rd, err := r.Open(ctx, d, func(o *ReadOptions) { o.Concurrency = c })
					require.NoError(t, err)
					got, err := sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
					require.NoError(t, err, d.Period)
					equalTruth(t, got, cur)
				}
			})
		}
	}
}

// csvRecords rewrites a gzip CSV file's data rows with fn and gzips it
// again.
func rewriteCSV(t *testing.T, gz []byte, fn func(header []string, rows [][]string) [][]string) []byte {
	t.Helper()
	cr := csv.NewReader(bytes.NewReader(gunzip(t, gz)))
	recs, err := cr.ReadAll()
	require.NoError(t, err)
	rows := fn(recs[0], recs[1:])
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	w := csv.NewWriter(zw)
	require.NoError(t, w.Write(recs[0]))
	require.NoError(t, w.WriteAll(rows))
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// TestHistoricalReadChecksRows: what the first rows cannot show is caught
// while reading. A copy of a month whose rows come in another order (its
// first rows differ, so resolution cannot tell) fails on the first repeated
// line item, naming both files; a file whose later rows belong to another
// month fails naming the file, the line and the column. Neither ever ends
// in a total.
func TestHistoricalReadChecksRows(t *testing.T) {
	ctx := t.Context()
	sink := curtest.NewMapSink()
	res, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "oldcur", Prefix: "gen", Bucket: testBucket,
		Start: "2023-12", Months: 2, Files: 1, Rows: 300, Seed: 40})
	require.NoError(t, err)
	dec, ok := sink.Get(res.Current("2023-12").DataKeys[0])
	require.True(t, ok)
	jan, ok := sink.Get(res.Current("2024-01").DataKeys[0])
	require.True(t, ok)

	t.Run("reordered copy", func(t *testing.T) {
		reversed := rewriteCSV(t, dec, func(_ []string, rows [][]string) [][]string {
			slices.Reverse(rows)
			return rows
		})
		r := fsBackend(t, objects{"cur/dec.csv.gz": dec, "cur/dec-again.csv.gz": reversed})
		hist, err := r.Find(ctx, "cur", HistoricalReport)
		require.NoError(t, err)
		d, err := r.Resolve(ctx, hist, time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err, "the first rows differ: resolution cannot tell")
		for _, opt := range []func(*ReadOptions){
			func(o *ReadOptions) { o.Concurrency = 1 },
			func(o *ReadOptions) { o.Concurrency = 2 },
			func(o *ReadOptions) { o.Concurrency, o.Unordered, o.MemoryBudget = 2, true, 1 },
		} {
			rd, err := r.Open(ctx, d, opt)
			require.NoError(t, err)
			_, err = sumRows(t, rd, "lineItem/UnblendedCost", "")
			var de *DuplicateError
			require.ErrorAs(t, err, &de)
			assert.ElementsMatch(t, []string{"cur/dec-again.csv.gz", "cur/dec.csv.gz"}, de.Files[:])
			assert.Positive(t, de.Line)
		}
	})
	t.Run("two months in one file", func(t *testing.T) {
		janRows := 0
		mixed := rewriteCSV(t, dec, func(header []string, rows [][]string) [][]string {
			cr := csv.NewReader(bytes.NewReader(gunzip(t, jan)))
			recs, err := cr.ReadAll()
			require.NoError(t, err)
			janRows = len(recs) - 1
			return append(rows, recs[1:]...)
		})
		r := fsBackend(t, objects{"cur/both.csv.gz": mixed})
		hist, err := r.Find(ctx, "cur", HistoricalReport)
		require.NoError(t, err)
		ps, err := r.Periods(ctx, hist)
		require.NoError(t, err)
		require.Len(t, ps, 1, "the first rows say December")
		d, err := r.Resolve(ctx, hist, ps[0].Month)
		require.NoError(t, err)
		rd, err := r.Open(ctx, d)
		require.NoError(t, err)
		_, err = sumRows(t, rd, "lineItem/UnblendedCost", "")
		var pe *ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "cur/both.csv.gz", pe.File)
		assert.Equal(t, "bill/BillingPeriodStartDate", pe.Field)
		assert.Equal(t, 300+2, pe.Line, "the first January row (after the header and 300 December rows)")
		assert.Positive(t, janRows)
	})
}
