package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/testutil"
)

const bucket = "billing"

// layout is a small bucket: a legacy create-new report with a superseded
// assembly and a CUR 2.0 export under a prefix ending in "/".
var layout = map[string]string{
	"cur/rep/20240301-20240401/a1/rep-00001.csv.gz":                 "old",
	"cur/rep/20240301-20240401/a2/rep-00001.csv.gz":                 "new1",
	"cur/rep/20240301-20240401/a2/rep-00002.csv.gz":                 "new2",
	"cur/rep/20240301-20240401/rep-Manifest.json":                   `{"assemblyId":"a2","reportName":"rep","compression":"GZIP","reportKeys":["cur/rep/20240301-20240401/a2/rep-00001.csv.gz","cur/rep/20240301-20240401/a2/rep-00002.csv.gz"]}`,
	"cur/rep/20240301-20240401/a2/rep-Manifest.json":                `{"assemblyId":"a2","reportName":"rep","reportKeys":["cur/rep/20240301-20240401/a2/rep-00001.csv.gz","cur/rep/20240301-20240401/a2/rep-00002.csv.gz"]}`,
	"cur//exp/data/BILLING_PERIOD=2024-04/exp-00001.snappy.parquet": "pq",
	"cur//exp/metadata/BILLING_PERIOD=2024-04/exp-Manifest.json":    `{"executionId":"e1","columns":[{"name":"line_item_unblended_cost","type":"double"}],"dataFiles":["s3://billing/cur//exp/data/BILLING_PERIOD=2024-04/exp-00001.snappy.parquet"]}`,
	"cur/broken/20240501-20240601/x/broken-00001.csv.gz":            "x",
	"cur/broken/20240501-20240601/broken-Manifest.json":             `{"assemblyId":"x","reportKeys":["s3://elsewhere/secret.csv.gz"]}`,
	"cur/aws-programmatic-access-test-object":                       "t",
}

func startS3(t *testing.T) *testutil.S3 {
	s := testutil.NewS3(t, bucket)
	for k, v := range layout {
		s.Put(t, bucket, k, []byte(v))
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return s
}

func TestListJSON(t *testing.T) {
	s := startS3(t)
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"list", "-bucket", bucket, "-prefix", "cur", "-endpoint", s.URL, "-path-style", "-json"}, &out, &errOut)
	require.Error(t, err, "the broken report makes the run exit 1")
	assert.Equal(t, exitFindings, exitCode(err, &errOut))
	assert.Contains(t, errOut.String(), "cur/broken/20240501-20240601/broken-Manifest.json", "the error names the manifest")

	var entries []listEntry
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var e listEntry
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&e), sc.Text())
		entries = append(entries, e)
	}
	require.Len(t, entries, 2)
	assert.Equal(t, listEntry{Kind: "cur2", Name: "exp", Period: "2024-04", Version: "e1", Format: "parquet", Compression: "parquet",
		Manifest: "cur//exp/metadata/BILLING_PERIOD=2024-04/exp-Manifest.json",
		Files:    []string{"cur//exp/data/BILLING_PERIOD=2024-04/exp-00001.snappy.parquet"}}, entries[0])
	assert.Equal(t, listEntry{Kind: "cur", Name: "rep", Period: "2024-03", Version: "a2", Format: "csv", Compression: "gzip",
		Manifest: "cur/rep/20240301-20240401/rep-Manifest.json",
		Files:    []string{"cur/rep/20240301-20240401/a2/rep-00001.csv.gz", "cur/rep/20240301-20240401/a2/rep-00002.csv.gz"}}, entries[1])
}

func TestListTableFromDir(t *testing.T) {
	dir := t.TempDir()
	for k, v := range layout {
		p := filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(k, "//", "/")))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(v), 0o644))
	}
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"list", "-dir", dir, "-prefix", "cur/"}, &out, &errOut)
	require.Error(t, err)
	s := out.String()
	assert.Contains(t, s, "KIND")
	assert.Regexp(t, `cur\s+rep\s+2024-03\s+a2\s+csv/gzip\s+2\s+8`, s)
	assert.Regexp(t, `cur2\s+exp\s+2024-04\s+e1\s+parquet/parquet\s+1\s+2`, s)
}

func TestBadInput(t *testing.T) {
	for _, args := range [][]string{
		nil, {"nope"}, {"list"}, {"list", "-bucket", "b", "-dir", "d"}, {"list", "-dir", "/does/not/exist"}, {"list", "-bogus"}, {"list", "-dir", ".", "extra"},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, &out, &errOut)
		require.Error(t, err, args)
		assert.Equal(t, exitBadInput, exitCode(err, &errOut), "%v: %v", args, err)
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, exitOK, exitCode(run(t.Context(), []string{"help"}, &out, &errOut), &errOut))
}

// TestSumAndRowsOnGeneratedData sums a generated legacy report through
// -bucket and -dir and requires curtest's exact totals and the DESIGN
// JSON shape.
func TestSumAndRowsOnGeneratedData(t *testing.T) {
	s := startS3(t)
	spec := curtest.Spec{Kind: curtest.LegacyCUR, Name: "gen", Prefix: "cur", Bucket: bucket, Files: 3, Rows: 80, Versions: 2, Seed: 5}
	res, err := curtest.Generate(t.Context(), &curtest.S3Sink{Client: s.Client, Bucket: bucket}, spec)
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = curtest.Generate(t.Context(), curtest.DirSink{Root: dir}, spec)
	require.NoError(t, err)
	cur := res.Current(res.Periods()[0])

	for _, src := range [][]string{{"-bucket", bucket, "-endpoint", s.URL, "-path-style"}, {"-dir", dir}} {
		var out, errOut bytes.Buffer
		args := append([]string{"sum", "-prefix", "cur", "-report", "gen", "-period", res.Periods()[0], "-by", "line_item_product_code", "-json"}, src...)
		require.NoError(t, run(t.Context(), args, &out, &errOut), errOut.String())
		var got sumOutput
		dec := json.NewDecoder(&out)
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&got))
		assert.Equal(t, cur.Rows, got.Rows)
		assert.Equal(t, decimal.MustParse(cur.Total).String(), got.Total)
		require.Len(t, got.Groups, len(cur.ByProduct))
		for i, g := range got.Groups {
			assert.Equal(t, decimal.MustParse(cur.ByProduct[g.Key]).String(), g.Total, g.Key)
			if i > 0 {
				assert.GreaterOrEqual(t, decimal.MustParse(got.Groups[i-1].Total).Cmp(decimal.MustParse(g.Total)), 0, "sorted by total, descending")
			}
		}
	}

	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"rows", "-dir", dir, "-prefix", "cur", "-report", "gen", "-period", res.Periods()[0],
		"-columns", "lineItem/UsageAccountId,line_item_unblended_cost", "-format", "jsonl"}, &out, &errOut), errOut.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Len(t, lines, int(cur.Rows))
	var first map[string]string
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	assert.Len(t, first, 2)
	assert.Regexp(t, `^[0-9]{12}$`, first["lineItem/UsageAccountId"])

	// One local file, and bad input.
	f := filepath.Join(dir, filepath.FromSlash(cur.DataKeys[0]))
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"sum", "-file", f, "-by", "lineItem/ProductCode"}, &out, &errOut))
	assert.Contains(t, out.String(), "TOTAL")
	for _, args := range [][]string{{"sum", "-file", f}, {"sum", "-dir", dir, "-by", "x"}, {"sum", "-dir", dir, "-report", "gen", "-period", "2024/03", "-by", "x"}, {"rows", "-file", f, "-format", "xml"}} {
		err := run(t.Context(), args, &out, &errOut)
		require.Error(t, err, args)
		assert.Equal(t, exitBadInput, exitCode(err, &errOut), "%v: %v", args, err)
	}
}

// TestSumParquetExport sums a generated CUR 2.0 Parquet export through
// -bucket and one of its files through -file, against curtest's totals.
func TestSumParquetExport(t *testing.T) {
	s := startS3(t)
	spec := curtest.Spec{Kind: curtest.CUR2, Name: "pqx", Prefix: "cur", Bucket: bucket, Format: curtest.Parquet, Files: 2, Rows: 60, Seed: 9}
	res, err := curtest.Generate(t.Context(), &curtest.S3Sink{Client: s.Client, Bucket: bucket}, spec)
	require.NoError(t, err)
	cur := res.Current(res.Periods()[0])
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"sum", "-bucket", bucket, "-endpoint", s.URL, "-path-style", "-prefix", "cur", "-report", "pqx",
		"-period", res.Periods()[0], "-by", "line_item_product_code", "-cost", "line_item_unblended_cost", "-json"}, &out, &errOut), errOut.String())
	var got sumOutput
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	assert.Equal(t, cur.Rows, got.Rows)
	assert.Equal(t, decimal.MustParse(cur.Total).String(), got.Total)
	for _, g := range got.Groups {
		assert.Equal(t, decimal.MustParse(cur.ByProduct[g.Key]).String(), g.Total, g.Key)
	}
	assert.Len(t, got.Groups, len(cur.ByProduct))

	dir := t.TempDir()
	_, err = curtest.Generate(t.Context(), curtest.DirSink{Root: dir}, spec)
	require.NoError(t, err)
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"rows", "-file", filepath.Join(dir, filepath.FromSlash(cur.DataKeys[0])),
		"-columns", "line_item_unblended_cost,resource_tags", "-format", "jsonl"}, &out, &errOut), errOut.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Len(t, lines, 60)
	var first map[string]string
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	assert.Len(t, first, 2)
	assert.Regexp(t, `^-?[0-9]+(\.[0-9]+)?$`, first["line_item_unblended_cost"])
}

func TestProgressLine(t *testing.T) {
	assert.Equal(t, "\r10 rows, file 1 of 2, 0.5 MB of 2.0 MB (25%)", progressLine(curreader.Progress{Rows: 10, Files: 2, Bytes: 500_000, TotalBytes: 2_000_000}))
	assert.Equal(t, "\r7 rows, file 2 of 2, 0.0 MB\n", progressLine(curreader.Progress{Rows: 7, Files: 2, FilesDone: 2, Bytes: 10, TotalBytes: -1, Done: true}))
}

// TestAppendCSVFieldMatchesEncodingCSV: rows writes fields itself (no
// string per cell); every field must come out as encoding/csv writes it.
func TestAppendCSVFieldMatchesEncodingCSV(t *testing.T) {
	fields := []string{"", "a", "a,b", `a"b`, `"`, "a\nb", "a\r\nb", "\r", " lead", "\tx", "\u00a0nbsp", "\u2028x", `\.`, `\.x`, "x\\.",
		"trail ", "ü", "\xff\xfe", `""`, "2024-03-01T00:00:00Z/2024-03-01T01:00:00Z", `{"user_team":"a,b"}`}
	// Long enough for needsQuotes' eight bytes at a time, with bytes on
	// both sides of its ','+1 filter.
	const alphabet = " ,\"\r\nax\\.\t\xc2\xa0-+09/:z"
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rng.IntN(26))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		fields = append(fields, string(b))
	}
	for _, f := range fields {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		require.NoError(t, w.Write([]string{f, f}))
		w.Flush()
		got := appendCSVField(nil, []byte(f))
		got = append(got, ',')
		got = appendCSVField(got, []byte(f))
		got = append(got, '\n')
		assert.Equal(t, want.String(), string(got), "%q", f)
	}
}

// TestRowsSameAsByName: rows reads by position, resolved once per file;
// it must print what reading every cell by name with encoding/csv printed,
// for CSV (with columns that share a canonical name) and Parquet alike.
func TestRowsSameAsByName(t *testing.T) {
	dir := t.TempDir()
	spec := curtest.Spec{Kind: curtest.CUR2, Name: "pq", Prefix: "cur", Bucket: bucket, Format: curtest.Parquet, Files: 1, Rows: 50, Seed: 3}
	res, err := curtest.Generate(t.Context(), curtest.DirSink{Root: dir}, spec)
	require.NoError(t, err)
	pq := filepath.Join(dir, filepath.FromSlash(res.Current(res.Periods()[0]).DataKeys[0]))
	spec.Format, spec.Name, spec.Kind = curtest.CSVGzip, "csv", curtest.LegacyCUR
	res, err = curtest.Generate(t.Context(), curtest.DirSink{Root: dir}, spec)
	require.NoError(t, err)
	gz := filepath.Join(dir, filepath.FromSlash(res.Current(res.Periods()[0]).DataKeys[0]))
	dup := filepath.Join(dir, "dup.csv")
	require.NoError(t, os.WriteFile(dup, []byte("lineItem/UnblendedCost,resourceTags/user:Team,resourceTags/user:team,lineItem/ProductCode\n"+
		"1.5,,b,\" A\"\n2,a,,\"x,y\"\n,,,\"q\"\"\"\n"), 0o644))

	for _, c := range []struct {
		file string
		cols []string
	}{
		{pq, nil}, {gz, nil}, {dup, nil},
		{pq, []string{"line_item_unblended_cost", "product/ProductName", "resourceTags/user:Team"}},
		{gz, []string{"lineItem/UnblendedCost", "resourceTags/user:Team", "lineItem/ProductCode"}},
		{dup, []string{"resourceTags/user:team", "resource_tags_user_team", "resourceTags/user:Team", "lineItem/ProductCode"}},
	} {
		args := []string{"rows", "-file", c.file}
		if c.cols != nil {
			args = append(args, "-columns", strings.Join(c.cols, ","))
		}
		var out, errOut bytes.Buffer
		require.NoError(t, run(t.Context(), args, &out, &errOut), errOut.String())
		assert.Equal(t, rowsByName(t, c.file, c.cols), out.String(), "%v", args)
	}
}

// rowsByName is rows as it was: Row.Get per cell, encoding/csv.
func rowsByName(t *testing.T, file string, cols []string) string {
	rd, err := curreader.OpenFile(t.Context(), file, func(o *curreader.ReadOptions) { o.Columns = cols })
	require.NoError(t, err)
	defer rd.Close()
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	header := false
	for row, err := range rd.Rows() {
		require.NoError(t, err)
		names := cols
		if names == nil {
			names = row.Columns()
		}
		vals := make([]string, len(names))
		for i, c := range names {
			vals[i], _ = row.Get(c)
		}
		if !header {
			require.NoError(t, cw.Write(names))
			header = true
		}
		require.NoError(t, cw.Write(vals))
	}
	cw.Flush()
	return buf.String()
}
