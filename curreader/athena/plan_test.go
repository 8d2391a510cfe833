package athena_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/athena"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/testutil"
)

var dest = athena.Destination{Database: "billing", SymlinkURI: "s3://acme-athena/symlinks"}

func problemsOf(p *athena.Plan, report string) []*athena.PeriodError {
	var out []*athena.PeriodError
	for _, pe := range p.Problems {
		if pe.Report == report {
			out = append(out, pe)
		}
	}
	return out
}

func tableOf(t *testing.T, p *athena.Plan, report string) *athena.Table {
	t.Helper()
	for _, tb := range p.Tables {
		if tb.Report == report {
			return tb
		}
	}
	t.Fatalf("no table for %s", report)
	return nil
}

// TestPlanEveryLayout: for every layout curtest writes, each partition's
// symlink file lists exactly the current delivery's files in manifest
// order — never a superseded assembly, an incomplete newer one, a stale
// chunk, the Athena status table or the crawler template — and reading
// the listed files gives exactly the generator's totals and the Reader's.
// What Athena cannot read (ZIP) or must not read yet (UPDATING) is left
// out, and said so.
func TestPlanEveryLayout(t *testing.T) {
	sink := curtest.NewMapSink()
	truth := generate(t, sink, "cur", layouts())
	r := fsResolver(sink)
	p, err := athena.NewPlan(t.Context(), r, "cur", dest)
	require.NoError(t, err)
	get := func(k string) []byte { b, ok := sink.Get(k); require.True(t, ok, k); return b }

	for name, res := range truth {
		t.Run(name, func(t *testing.T) {
			probs := problemsOf(p, name)
			switch name {
			case "legacy-zip":
				require.Len(t, probs, len(res.Periods()))
				for _, pe := range probs {
					assert.ErrorIs(t, pe, athena.ErrZip)
					assert.ErrorIs(t, pe, athena.ErrNotQueryable)
					assert.False(t, pe.Keep, "a partition made earlier would be read wrong: it goes")
				}
				assert.Empty(t, tableOf(t, p, name).Partitions)
				return
			case "athena-busy":
				require.Len(t, probs, 1)
				assert.ErrorIs(t, probs[0], curreader.ErrNotReady)
				assert.True(t, probs[0].Keep, "UPDATING: the partition stays as it was")
				return
			}
			require.Empty(t, probs)
			tb := tableOf(t, p, name)
			assert.Equal(t, athena.TableName(name), tb.Name)
			assert.Equal(t, res.Spec.Kind.String(), string(tb.Kind))
			assert.Equal(t, athena.InputFormat, tb.InputFormat)
			assert.Equal(t, "s3://acme-athena/symlinks/billing/"+tb.Name+"/", tb.Location)
			assert.Empty(t, tb.Warnings)
			var periods []string
			for _, part := range tb.Partitions {
				periods = append(periods, part.Period)
				cur := res.Current(part.Period)
				require.NotNil(t, cur)
				assert.Equal(t, cur.Version, part.Parameters[athena.ParamVersion])
				assert.True(t, part.Changed)
				assert.Equal(t, tb.Location+"billing_period="+part.Period+"/", part.Location)
				assert.Equal(t, "acme-athena", part.SymlinkBucket)
				assert.Equal(t, "symlinks/billing/"+tb.Name+"/billing_period="+part.Period+"/symlink.txt", part.SymlinkKey)

				keys := keysOf(t, symlinkURIs(t, part.Symlink()))
				assert.Equal(t, cur.DataKeys, keys, "exactly the manifest's files, in its order")
				for _, k := range keys {
					assert.NotContains(t, k, "cost_and_usage_data_status")
					assert.False(t, slices.Contains(cur.StaleKeys, k), "stale chunk %s", k)
					assert.False(t, slices.Contains(cur.ArtifactKeys, k), "artifact %s", k)
				}
				rows, total := readListed(t, get, keys, cur.CostColumn)
				assert.Equal(t, cur.Rows, rows, part.Period)
				assert.True(t, decimal.MustParse(cur.Total).Equal(total), "%s: listed files sum to %s, delivered %s", part.Period, total, cur.Total)
				rrows, rtotal := readerSum(t, r, part.Delivery, cur.CostColumn)
				assert.Equal(t, rrows, rows)
				assert.True(t, rtotal.Equal(total), "the Reader reads %s, the symlinked files %s", rtotal, total)
			}
			assert.Equal(t, res.Periods(), periods)
			if res.Spec.Format == curtest.Parquet {
				assert.Equal(t, athena.SerDeParquet, tb.SerDe)
			} else {
				assert.Equal(t, athena.SerDeCSV, tb.SerDe)
				assert.Equal(t, "1", tb.Parameters["skip.header.line.count"])
				for _, c := range tb.Columns {
					assert.Equal(t, "string", c.Type, c.Name)
				}
			}
		})
	}

	// Parquet types follow the files, which here are the documented ones.
	types := map[string]string{}
	for _, c := range tableOf(t, p, "cur2-new").Columns {
		types[c.Name] = c.Type
	}
	assert.Equal(t, "double", types["line_item_unblended_cost"])
	assert.Equal(t, "timestamp", types["line_item_usage_start_date"])
	assert.Equal(t, "string", types["line_item_unblended_rate"])
	assert.Equal(t, "map<string,string>", types["resource_tags"])
	assert.Equal(t, "map<string,string>", types["product"])
	types = map[string]string{}
	for _, c := range tableOf(t, p, "focus12").Columns {
		types[c.Name] = c.Type
	}
	assert.Equal(t, "double", types["billedcost"])
	assert.Equal(t, "timestamp", types["chargeperiodstart"])
	assert.Equal(t, "map<string,double>", types["x_discounts"])

	// CSV columns carry their header spelling and documented type.
	cols := tableOf(t, p, "legacy-new").Columns
	assert.Equal(t, athena.Column{Name: "line_item_unblended_cost", Type: "string", Comment: "lineItem/UnblendedCost"}, cols[slices.IndexFunc(cols, func(c athena.Column) bool { return c.Name == "line_item_unblended_cost" })])
	cols = tableOf(t, p, "cur2-over").Columns
	assert.Equal(t, athena.Column{Name: "line_item_usage_start_date", Type: "string", Comment: "documented type timestamp, read from CSV as string"}, cols[slices.IndexFunc(cols, func(c athena.Column) bool { return c.Name == "line_item_usage_start_date" })])

	// Legacy Parquet whose columns change from month to month is read by
	// name: both months, and the table has every column.
	pq := tableOf(t, p, "legacy-pq")
	require.Len(t, pq.Partitions, 2)
	assert.True(t, slices.ContainsFunc(pq.Columns, func(c athena.Column) bool { return c.Name == "savings_plan_savings_plan_effective_cost" }))
}

// TestPlanCSVColumnOrder: legacy CSV whose columns change from month to
// month cannot share a table that Athena reads by position; the months
// that do not fit the newest one's order are refused, by name.
func TestPlanCSVColumnOrder(t *testing.T) {
	sink := curtest.NewMapSink()
	generate(t, sink, "cur", []curtest.Spec{{Kind: curtest.LegacyCUR, Name: "drift", Months: 3, SchemaDrift: true}})
	p, err := athena.NewPlan(t.Context(), fsResolver(sink), "cur", dest)
	require.NoError(t, err)
	require.Len(t, p.Problems, 1)
	pe := p.Problems[0]
	assert.Equal(t, "2024-04", pe.Period)
	require.ErrorIs(t, pe, athena.ErrColumnOrder)
	assert.False(t, pe.Keep)
	assert.Contains(t, pe.Error(), "savingsPlan/SavingsPlanEffectiveCost")
	tb := tableOf(t, p, "drift")
	var periods []string
	for _, part := range tb.Partitions {
		periods = append(periods, part.Period)
	}
	assert.Equal(t, []string{"2024-03", "2024-05"}, periods)
}

// rewrite replaces old with new in the first data file of a period's
// current delivery (a gzip CSV).
func rewrite(t *testing.T, sink *curtest.MapSink, key, old, new string) {
	t.Helper()
	b, ok := sink.Get(key)
	require.True(t, ok)
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Contains(t, string(raw), old)
	raw = []byte(strings.Replace(string(raw), old, new, 1))
	require.NoError(t, sink.Put(t.Context(), key, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		if _, err := zw.Write(raw); err != nil {
			return err
		}
		return zw.Close()
	}))
}

// TestPlanRefusesWhatOpenCSVSerDeMisreads: a CSV field with a line break
// (AWS: OpenCSVSerDe does not support them) or a backslash (its escape
// character) is refused with the file, line and column, pointing to
// Parquet; the other months of the report are published.
func TestPlanRefusesWhatOpenCSVSerDeMisreads(t *testing.T) {
	for _, tc := range []struct {
		name, replacement string
		want              error
	}{
		{"line feed", "\"Amazon Web\nServices, Inc.\"", athena.ErrLineBreak},
		{"carriage return", "\"Amazon Web\r\nServices, Inc.\"", athena.ErrLineBreak},
		{"backslash", `"Amazon Web Services\ Inc."`, athena.ErrEscapeChar},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := curtest.NewMapSink()
			truth := generate(t, sink, "cur", []curtest.Spec{{Kind: curtest.LegacyCUR, Name: "rep", Months: 2, Files: 2}})
			bad := truth["rep"].Current("2024-04").DataKeys[1]
			rewrite(t, sink, bad, `"Amazon Web Services, Inc."`, tc.replacement)
			p, err := athena.NewPlan(t.Context(), fsResolver(sink), "cur", dest)
			require.NoError(t, err)
			require.Len(t, p.Problems, 1)
			pe := p.Problems[0]
			require.ErrorIs(t, pe, tc.want)
			require.ErrorIs(t, pe, athena.ErrNotQueryable)
			assert.Equal(t, "2024-04", pe.Period)
			assert.Equal(t, bad, pe.File)
			assert.Positive(t, pe.Line)
			assert.Contains(t, []string{"bill/InvoicingEntity", "lineItem/LegalEntity"}, pe.Column)
			assert.False(t, pe.Keep)
			assert.Contains(t, pe.Error(), "Parquet", "the message points to Parquet")
			tb := tableOf(t, p, "rep")
			require.Len(t, tb.Partitions, 1)
			assert.Equal(t, "2024-03", tb.Partitions[0].Period)
		})
	}
}

// TestPlanPublishedSkipsTheScan: a delivery recorded as published is not
// scanned again: one GET of its first file (the CSV header, one Parquet
// footer) on top of what resolving costs. New ones are read in full.
func TestPlanPublishedSkipsTheScan(t *testing.T) {
	s := testutil.NewS3(t, dataBucket)
	generate(t, curtest.S3Sink{Client: s, Bucket: dataBucket}, "cur", []curtest.Spec{
		{Kind: curtest.LegacyCUR, Name: "csv", Months: 2, Files: 3},
		{Kind: curtest.CUR2, Name: "pq", Format: curtest.Parquet, Months: 2, Files: 3},
	})
	ctx := t.Context()
	r := curreader.New(s.Client, dataBucket)

	// What resolving alone costs.
	s.ResetRequests()
	reps, err := r.Reports(ctx, "cur")
	require.NoError(t, err)
	for _, rep := range reps {
		_, err := r.Latest(ctx, rep)
		require.NoError(t, err)
	}
	resolve := s.Requests()["GetObject"]

	s.ResetRequests()
	p, err := athena.NewPlan(ctx, r, "cur", dest)
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	assert.Equal(t, resolve+2*3+2*3, s.Requests()["GetObject"], "every CSV file read, every Parquet footer")

	state := &curreader.SyncState{}
	p.Commit(state)
	s.ResetRequests()
	again, err := athena.NewPlan(ctx, r, "cur", dest, func(o *athena.Options) { o.Published = state })
	require.NoError(t, err)
	assert.Equal(t, resolve+4, s.Requests()["GetObject"], "one GET per published period")
	assert.Equal(t, p.DDL(), again.DDL(), "the same tables")
	for _, tb := range again.Tables {
		for _, part := range tb.Partitions {
			assert.False(t, part.Changed)
		}
	}
	written, err := athena.WriteSymlinks(ctx, s, again)
	require.NoError(t, err)
	assert.Empty(t, written, "nothing changed, nothing written")
}

// TestPlanInput: a bad destination is every field's error at once; an
// unknown report is curreader.ErrReportNotFound; a symlink location
// inside a report's folder is refused.
func TestPlanInput(t *testing.T) {
	sink := curtest.NewMapSink()
	generate(t, sink, "cur", []curtest.Spec{{Name: "rep"}})
	r := fsResolver(sink)
	ctx := t.Context()

	_, err := athena.NewPlan(ctx, r, "cur", athena.Destination{Database: "Bad-Name", SymlinkURI: "https://x/y"})
	require.ErrorIs(t, err, curerr.ErrMalformed)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *curerr.FieldError
		require.True(t, errors.As(e, &fe))
		fields = append(fields, fe.Field)
	}
	assert.Equal(t, []string{"Database", "SymlinkURI"}, fields)

	_, err = athena.NewPlan(ctx, r, "cur", dest, func(o *athena.Options) { o.Report = "nope" })
	require.ErrorIs(t, err, curreader.ErrReportNotFound)

	_, err = athena.NewPlan(ctx, r, "cur", athena.Destination{Database: "billing", SymlinkURI: "s3://" + dataBucket + "/cur/rep/"})
	require.ErrorIs(t, err, curerr.ErrMalformed)
	assert.Contains(t, err.Error(), "overlaps report rep")

	_, err = athena.NewPlan(ctx, r, "cur", dest, func(o *athena.Options) {
		o.TableName = func(curreader.Report) string { return "Not Valid" }
	})
	require.ErrorIs(t, err, curerr.ErrMalformed)
}

// TestPlanNameCollision: two reports that give one table name are both
// left out, never merged into one table.
func TestPlanNameCollision(t *testing.T) {
	sink := curtest.NewMapSink()
	generate(t, sink, "cur", []curtest.Spec{{Name: "acme-cur"}, {Name: "acme_cur"}})
	p, err := athena.NewPlan(t.Context(), fsResolver(sink), "cur", dest)
	require.NoError(t, err)
	assert.Empty(t, p.Tables)
	require.Len(t, p.Problems, 2)
	for _, pe := range p.Problems {
		assert.ErrorIs(t, pe, athena.ErrTableNameCollision)
		assert.True(t, pe.Keep)
	}
	p, err = athena.NewPlan(t.Context(), fsResolver(sink), "cur", dest, func(o *athena.Options) { o.Report = "acme-cur" })
	require.NoError(t, err)
	require.Len(t, p.Tables, 1)
	assert.Empty(t, p.Problems)
}

func TestTableName(t *testing.T) {
	for in, want := range map[string]string{
		"acme-cur": "acme_cur", "Acme.CUR-2": "acme_cur_2", "--x--": "x", "((()))": "report", "cur2_export": "cur2_export", "a__b": "a_b",
	} {
		assert.Equal(t, want, athena.TableName(in), in)
	}
}

// TestPlanDoubleSlash: under a report prefix ending in "/", keys hold
// "//"; symlink files list them exactly as stored (the keys S3 has), and
// the table says that Athena's handling of them is not documented.
func TestPlanDoubleSlash(t *testing.T) {
	s := testutil.NewS3(t, dataBucket)
	truth := generate(t, curtest.S3Sink{Client: s, Bucket: dataBucket}, "cost/", []curtest.Spec{
		{Kind: curtest.CUR2, Name: "e", Months: 2},
		{Kind: curtest.LegacyCUR, Name: "l", Format: curtest.Parquet},
	})
	p, err := athena.NewPlan(t.Context(), curreader.New(s.Client, dataBucket), "cost/", dest)
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	require.Len(t, p.Tables, 2)
	for _, tb := range p.Tables {
		require.Len(t, tb.Warnings, 1, tb.Name)
		assert.Contains(t, tb.Warnings[0], `"//"`)
		for _, part := range tb.Partitions {
			keys := keysOf(t, symlinkURIs(t, part.Symlink()))
			assert.Equal(t, truth[tb.Report].Current(part.Period).DataKeys, keys)
			for _, k := range keys {
				assert.Contains(t, k, "cost//")
			}
		}
	}
}

// TestPlanParquetFilesDisagree: the files of one Parquet delivery are each
// read for their columns. Different column sets are said (a warning: the
// partition has them all, NULL where a file lacks one); one column with
// two types is refused, naming the file and the column.
func TestPlanParquetFilesDisagree(t *testing.T) {
	sink := curtest.NewMapSink()
	truth := generate(t, sink, "cur", []curtest.Spec{{Kind: curtest.LegacyCUR, Name: "pq", Format: curtest.Parquet, Months: 2, Files: 2, SchemaDrift: true}})
	march, april := truth["pq"].Current("2024-03"), truth["pq"].Current("2024-04")
	// March's second file is one with April's columns (savings plans, a tag).
	wide, ok := sink.Get(april.DataKeys[1])
	require.True(t, ok)
	require.NoError(t, sink.Put(t.Context(), march.DataKeys[1], func(w io.Writer) error { _, err := w.Write(wide); return err }))
	p, err := athena.NewPlan(t.Context(), fsResolver(sink), "cur", dest)
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	tb := tableOf(t, p, "pq")
	require.Len(t, tb.Partitions, 2)
	require.Len(t, tb.Warnings, 1)
	assert.Contains(t, tb.Warnings[0], "2024-03: the files' columns differ")

	// April's second file declares the cost a string.
	type row struct {
		Cost string `parquet:"line_item_unblended_cost,optional"`
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf)
	_, err = w.Write([]row{{Cost: "1.0"}})
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, sink.Put(t.Context(), april.DataKeys[1], func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }))
	p, err = athena.NewPlan(t.Context(), fsResolver(sink), "cur", dest)
	require.NoError(t, err)
	require.Len(t, p.Problems, 1)
	pe := p.Problems[0]
	require.ErrorIs(t, pe, athena.ErrSchemaConflict)
	assert.Equal(t, "2024-04", pe.Period)
	assert.Equal(t, april.DataKeys[1], pe.File)
	assert.Equal(t, "line_item_unblended_cost", pe.Column)
	assert.Contains(t, pe.Error(), "string here, double in "+april.DataKeys[0])
}
