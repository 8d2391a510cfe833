package curreader

// Fixtures shared by the package's tests: buckets built by hand from the
// layouts AWS writes, generated deliveries, the backends both run on, the
// openers and options the tests read with, Parquet files written in memory,
// and the helpers that drain a Reader.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/testutil"
)

// ---- Buckets built by hand -------------------------------------------------

const testBucket = "billing-bucket"

// objects is a bucket's content for a test, built by hand from the layouts
// in the reference (§2–§4), independently of the code under test.
type objects map[string][]byte

// legacyManifestJSON is a legacy CUR manifest listing keys.
func legacyManifestJSON(t testing.TB, name, assembly string, start time.Time, keys ...string) []byte {
	t.Helper()
	end := start.AddDate(0, 1, 0)
	m := map[string]any{
		"assemblyId": assembly, "account": "111122223333",
		"columns": []map[string]string{{"category": "identity", "name": "LineItemId"}, {"category": "lineItem", "name": "UnblendedCost", "type": "BigDecimal"}},
		"charset": "UTF-8", "compression": "GZIP", "contentType": "text/csv",
		"reportId": "abc", "reportName": name, "bucket": testBucket,
		"billingPeriod":          map[string]string{"start": start.Format("20060102T150405.000Z"), "end": end.Format("20060102T150405.000Z")},
		"reportKeys":             keys,
		"additionalArtifactKeys": []map[string]string{{"artifactType": "RedshiftCommands", "name": name + "-RedshiftCommands.sql"}},
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// periodFolder is a legacy billing period's folder: YYYYMMDD-YYYYMMDD.
func periodFolder(start time.Time) string {
	return start.Format("20060102") + "-" + start.AddDate(0, 1, 0).Format("20060102")
}

// addLegacy writes a legacy create-new report: assemblies in order, the
// top-level manifest pointing at the last complete one.
func (o objects) addLegacy(t testing.TB, prefix, name string, start time.Time, assemblies []string, files int, complete int) {
	root := prefix + name + "/" + periodFolder(start) + "/"
	for i, a := range assemblies {
		var keys []string
		for f := 1; f <= files; f++ {
			k := fmt.Sprintf("%s%s/%s-%05d.csv.gz", root, a, name, f)
			o[k] = []byte(fmt.Sprintf("data %s %d", a, f))
			keys = append(keys, k)
		}
		m := legacyManifestJSON(t, name, a, start, keys...)
		if i < complete {
			o[root+a+"/"+name+"-Manifest.json"] = m
			o[root+name+"-Manifest.json"] = m // overwritten by each complete delivery
		}
	}
}

// exportManifestJSON is a Data Exports manifest listing keys as s3:// URIs.
func exportManifestJSON(t testing.TB, bucket, execution string, columns []string, keys ...string) []byte {
	t.Helper()
	var cols []map[string]string
	for _, c := range columns {
		cols = append(cols, map[string]string{"name": c, "type": "string"})
	}
	var files []string
	for _, k := range keys {
		files = append(files, "s3://"+bucket+"/"+k)
	}
	b, err := json.Marshal(map[string]any{"exportArn": "arn:aws:bcm-data-exports:us-east-1:111122223333:export/x", "executionId": execution, "columns": cols, "dataFiles": files})
	require.NoError(t, err)
	return b
}

// addExport writes a Data Exports period; executions empty means overwrite.
func (o objects) addExport(t testing.TB, prefix, name string, month time.Time, columns []string, executions []string, files int) {
	bp := "BILLING_PERIOD=" + month.Format("2006-01") + "/"
	if len(executions) == 0 {
		var keys []string
		for f := 1; f <= files; f++ {
			k := fmt.Sprintf("%s%s/data/%s%s-%05d.csv.gz", prefix, name, bp, name, f)
			o[k] = []byte("x")
			keys = append(keys, k)
		}
		o[prefix+name+"/metadata/"+bp+name+"-Manifest.json"] = exportManifestJSON(t, testBucket, "exec-overwrite", columns, keys...)
		return
	}
	for _, e := range executions {
		dir := "20240305T010203Z-" + e + "/"
		if e > "e" { // keep folder names sorting with execution order in tests
			dir = "2024030" + e[len(e)-1:] + "T010203Z-" + e + "/"
		}
		var keys []string
		for f := 1; f <= files; f++ {
			k := fmt.Sprintf("%s%s/data/%s%s%s-%05d.snappy.parquet", prefix, name, bp, dir, name, f)
			o[k] = []byte("x")
			keys = append(keys, k)
		}
		o[prefix+name+"/metadata/"+bp+dir+name+"-Manifest.json"] = exportManifestJSON(t, testBucket, e, columns, keys...)
	}
}

// statusParquet is the Athena layout's cost_and_usage_data_status file.
func statusParquet(t testing.TB, status string) []byte {
	type row struct {
		Status string `parquet:"status"`
	}
	return genericParquet(t, []row{{Status: status}})
}

// mar and apr are the billing periods of the buckets built by hand.
var (
	mar = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	apr = time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
)

// ---- Backends --------------------------------------------------------------

// backend is one implementation of a bucket the resolver runs against.
type backend struct {
	name string
	make func(t *testing.T, o objects) *Resolver
}

// gofakes3Backend serves o from gofakes3 and resolves over it.
func gofakes3Backend(t *testing.T, o objects) (*Resolver, *testutil.S3) {
	s := testutil.NewS3(t, testBucket, "other-bucket")
	for k, v := range o {
		s.Put(t, testBucket, k, v)
	}
	s.ResetRequests()
	return New(s.Client, testBucket), s
}

// fsBackend resolves over o as a local copy (an fs.FS).
func fsBackend(t *testing.T, o objects) *Resolver {
	m := fstest.MapFS{}
	for k, v := range o {
		m[(&fsStore{}).canon(k)] = &fstest.MapFile{Data: v, ModTime: time.Unix(1700000000, 0)}
	}
	return NewFS(m, testBucket)
}

// backends returns the implementations every resolver test runs on:
// gofakes3 in-process, a local directory (fs.FS), and moto_server's S3 as
// a second, independent S3 implementation (started once for t, reset for
// each subtest).
func backends(t *testing.T) []backend {
	bs := []backend{
		{"gofakes3", func(t *testing.T, o objects) *Resolver { r, _ := gofakes3Backend(t, o); return r }},
		{"fs", fsBackend},
	}
	if testing.Short() {
		return bs
	}
	m := testutil.StartMoto(t)
	client := s3.NewFromConfig(m.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	return append(bs, backend{"moto", func(t *testing.T, o objects) *Resolver {
		ctx := t.Context()
		require.NoError(t, m.Reset(ctx))
		for _, b := range []string{testBucket, "other-bucket"} {
			_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
			require.NoError(t, err)
		}
		for k, v := range o {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String(k), Body: bytes.NewReader(v)})
			require.NoError(t, err)
		}
		return New(client, testBucket)
	}})
}

// ---- Opening a delivery ----------------------------------------------------

// fastRetry keeps the resumable GETs' backoff short in tests.
func fastRetry(o *Options) { o.MinBackoff, o.MaxBackoff = time.Millisecond, 5*time.Millisecond }

// openS3 opens a delivery in S3 as a Resolver over its bucket does, with
// short backoff.
func openS3(ctx context.Context, client S3API, d *Delivery, optFns ...func(*ReadOptions)) (*Reader, error) {
	return New(client, d.Bucket, fastRetry).Open(ctx, d, optFns...)
}

// openFS opens a delivery of a local copy as a Resolver over it does.
func openFS(ctx context.Context, fsys fs.FS, d *Delivery, optFns ...func(*ReadOptions)) (*Reader, error) {
	return NewFS(fsys, "").Open(ctx, d, optFns...)
}

// withOpts gathers read options, to pass them on as one.
func withOpts(fns ...func(*ReadOptions)) []func(*ReadOptions) { return fns }

// concurrency sets ReadOptions.Concurrency.
func concurrency(n int) func(*ReadOptions) { return func(o *ReadOptions) { o.Concurrency = n } }

// ---- Generated deliveries --------------------------------------------------

// generatedLayouts are the delivery streams curreader/curtest writes, one of
// each layout and quirk the resolver must handle. They all share one bucket
// and one prefix, as reports of every kind do in real buckets.
func generatedLayouts(prefix string) []curtest.Spec {
	return []curtest.Spec{
		{Kind: curtest.LegacyCUR, Name: "legacy-new", Versions: 3, Months: 2, Files: 2, Incomplete: true, Restate: true, Redshift: true, AccessTestObject: true},
		{Kind: curtest.LegacyCUR, Name: "legacy-old", Versions: 2, Files: 2, UnpaddedNumbers: true, UUIDAssemblies: true},
		{Kind: curtest.LegacyCUR, Name: "legacy-over", Versioning: curtest.Overwrite, Versions: 2, Format: curtest.CSVZip},
		{Kind: curtest.LegacyCUR, Name: "legacy-pq", Format: curtest.Parquet, Versions: 2},
		{Kind: curtest.LegacyCUR, Name: "athena", Athena: true, Versioning: curtest.Overwrite, Format: curtest.Parquet, Months: 2},
		{Kind: curtest.LegacyCUR, Name: "athena-busy", Athena: true, AthenaUpdating: true, Versioning: curtest.Overwrite, Format: curtest.Parquet},
		{Kind: curtest.CUR2, Name: "cur2-over", Versioning: curtest.Overwrite, Versions: 3, Files: 4, ShrinkBy: 1, EmptyFiles: 1},
		{Kind: curtest.CUR2, Name: "cur2-new", Format: curtest.Parquet, Versions: 2, Months: 2, Files: 2, Incomplete: true},
		{Kind: curtest.FOCUS10, Name: "focus10", Versioning: curtest.Overwrite},
		{Kind: curtest.FOCUS12, Name: "focus12", Format: curtest.Parquet, Versions: 2},
	}
}

// readGeneratedExact generates specs (under "cur" in testBucket) and reads
// the current delivery of every period of each, from gofakes3 and from a
// local copy, requiring curtest's exact totals.
func readGeneratedExact(t *testing.T, specs []curtest.Spec, opts ...func(*ReadOptions)) {
	sink := curtest.NewMapSink()
	var results []*curtest.Result
	for _, spec := range specs {
		spec.Prefix, spec.Bucket = "cur", testBucket
		res, err := curtest.Generate(t.Context(), sink, spec)
		require.NoError(t, err, spec.Name)
		results = append(results, res)
	}
	o := objects(sink.Objects())
	s3r, s := gofakes3Backend(t, o)
	m := fstest.MapFS{}
	for k, v := range o {
		m[k] = &fstest.MapFile{Data: v}
	}
	fsr := NewFS(m, testBucket)
	ctx := t.Context()
	for _, res := range results {
		for _, p := range res.Periods() {
			cur := res.Current(p)
			for _, be := range []string{"s3", "fs"} {
				t.Run(fmt.Sprintf("%s/%s/%s", res.Spec.Name, p, be), func(t *testing.T) {
					r := s3r
					if be == "fs" {
						r = fsr
					}
					rep, err := r.Find(ctx, "cur", res.Spec.Name)
					require.NoError(t, err)
					month, err := time.Parse("2006-01", p)
					require.NoError(t, err)
					d, err := r.Resolve(ctx, rep, month)
					require.NoError(t, err)
					var rd *Reader
					if be == "fs" {
						rd, err = openFS(ctx, m, d, opts...)
					} else {
						rd, err = openS3(ctx, s.Client, d, opts...)
					}
					require.NoError(t, err)
					defer rd.Close()
					got, err := sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
					require.NoError(t, err)
					equalTruth(t, got, cur)
				})
			}
		}
	}
}

// genSet is one generated delivery, resolved both from a local copy and
// (when asked) from gofakes3.
type genSet struct {
	objs objects
	m    fstest.MapFS
	fsD  *Delivery
	s    *testutil.S3
	s3D  *Delivery
	cur  *curtest.Delivery
}

// genDelivery generates spec's delivery (a legacy report "rep" under
// "cur" unless spec says otherwise) and resolves its first period.
func genDelivery(t *testing.T, spec curtest.Spec, withS3 bool) *genSet {
	t.Helper()
	if spec.Prefix == "" {
		spec.Prefix = "cur"
	}
	spec.Bucket = testBucket
	if spec.Name == "" {
		spec.Name = "rep"
	}
	sink := curtest.NewMapSink()
	res, err := curtest.Generate(t.Context(), sink, spec)
	require.NoError(t, err)
	g := &genSet{objs: objects(sink.Objects()), m: fstest.MapFS{}}
	for k, v := range g.objs {
		g.m[k] = &fstest.MapFile{Data: v}
	}
	period := res.Periods()[0]
	g.cur = res.Current(period)
	month, err := time.Parse("2006-01", period)
	require.NoError(t, err)
	resolve := func(r *Resolver) *Delivery {
		rep, err := r.Find(t.Context(), spec.Prefix, spec.Name)
		require.NoError(t, err)
		d, err := r.Resolve(t.Context(), rep, month)
		require.NoError(t, err)
		return d
	}
	g.fsD = resolve(NewFS(g.m, testBucket))
	if withS3 {
		var r *Resolver
		r, g.s = gofakes3Backend(t, g.objs)
		g.s3D = resolve(r)
	}
	require.Len(t, g.fsD.Files, len(g.cur.DataKeys))
	return g
}

// fourFiles is a generated legacy delivery of four files.
func fourFiles(t *testing.T, format curtest.FileType, withS3 bool) *genSet {
	return genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: format, Files: 4, Rows: 700, Seed: 21}, withS3)
}

// generatedLegacy is a generated legacy delivery in gofakes3.
func generatedLegacy(t *testing.T, files, rows int) (*Resolver, *testutil.S3, *Delivery, *curtest.Delivery) {
	sink := curtest.NewMapSink()
	res, err := curtest.Generate(t.Context(), sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "rep", Prefix: "cur", Bucket: testBucket, Files: files, Rows: rows, Seed: 7})
	require.NoError(t, err)
	r, s := gofakes3Backend(t, objects(sink.Objects()))
	rep, err := r.Find(t.Context(), "cur", "rep")
	require.NoError(t, err)
	cur := res.Current(res.Periods()[0])
	month, err := time.Parse("2006-01", res.Periods()[0])
	require.NoError(t, err)
	d, err := r.Resolve(t.Context(), rep, month)
	require.NoError(t, err)
	return r, s, d, cur
}

// maps returns a copy of m, to change files without touching m.
func maps(m fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- Parquet files written in memory ---------------------------------------

// writeTemp writes data to a fresh x.parquet and returns its path.
func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.parquet")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// genericParquet writes recs as a Parquet file whose schema is T's.
func genericParquet[T any](t testing.TB, recs []T, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	_, err := w.Write(recs)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// writeParquetOf writes recs as a local Parquet file and returns its path.
func writeParquetOf[T any](t *testing.T, recs []T, opts ...parquet.WriterOption) string {
	t.Helper()
	return writeTemp(t, genericParquet(t, recs, opts...))
}

// generatedFooters returns the encoded footers of a few generated Parquet
// files, as parquet-go wrote them.
func generatedFooters(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for i, spec := range []curtest.Spec{
		{Kind: curtest.LegacyCUR, Width: curtest.Narrow, Rows: 20},
		{Kind: curtest.CUR2, Width: curtest.Narrow, Rows: 5},
		{Kind: curtest.FOCUS12, Rows: 3},
	} {
		spec.Format, spec.Name, spec.Seed = curtest.Parquet, "r", uint64(i+1)
		sink := curtest.NewMapSink()
		res, err := curtest.Generate(context.Background(), sink, spec)
		require.NoError(tb, err)
		data, ok := sink.Get(res.Deliveries[0].DataKeys[0])
		require.True(tb, ok)
		n := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
		out = append(out, bytes.Clone(data[len(data)-8-n:len(data)-8]))
	}
	return out
}

// ---- Draining a Reader -----------------------------------------------------

// drain reads rd to its end through Rows, calling each (when not nil) for
// every row. It returns the rows read and the error that ended the read:
// the Reader's, or the first each returned, which stops it. Every helper
// below that reads a Reader's rows is built on it.
func drain(rd *Reader, each func(Row) error) (int, error) {
	n := 0
	for row, err := range rd.Rows() {
		if err != nil {
			return n, err
		}
		n++
		if each != nil {
			if err := each(row); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// collect drains rd, keeping what of makes of each row; an error of of
// ends the read.
func collect[T any](rd *Reader, of func(Row) (T, error)) ([]T, error) {
	var out []T
	_, err := drain(rd, func(row Row) error {
		v, err := of(row)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// everyColumn is a drain callback that gets every visible column of a row,
// as a program printing rows does, and stops the read with an error once
// limit rows are read (a hostile file must not yield rows without end).
func everyColumn(limit int) func(Row) error {
	n := 0
	return func(row Row) error {
		for _, c := range row.Columns() {
			row.Get(c)
		}
		if n++; n >= limit {
			return errors.New("row limit reached")
		}
		return nil
	}
}

// sums is what sumRows finds: the rows read and the cost summed exactly,
// in total and per group column.
type sums struct {
	rows  int64
	total decimal.Decimal
	by    map[string]decimal.Decimal
}

// sumRows drains r, summing cost exactly, in total and per value of the
// group column (with group "", in total only). A cost that is not a
// number ends the read with its error.
func sumRows(tb testing.TB, r *Reader, cost, group string) (sums, error) {
	tb.Helper()
	s := sums{by: map[string]decimal.Decimal{}}
	n, err := drain(r, func(row Row) error {
		v, ok, err := row.Decimal(cost)
		if err != nil || !ok {
			return err
		}
		s.total = s.total.Add(v)
		if group != "" {
			g, _ := row.Get(group)
			s.by[g] = s.by[g].Add(v)
		}
		return nil
	})
	s.rows = int64(n)
	return s, err
}

// mustSumRows is sumRows for a read that must succeed, as in a benchmark:
// it closes rd, fails tb on an error and returns the rows read.
func mustSumRows(tb testing.TB, rd *Reader, cost string) int64 {
	tb.Helper()
	defer rd.Close()
	s, err := sumRows(tb, rd, cost, "")
	if err != nil {
		tb.Fatal(err)
	}
	return s.rows
}

// equalTruth checks sums against what curtest says it wrote.
func equalTruth(t *testing.T, s sums, cur *curtest.Delivery) {
	t.Helper()
	assert.Equal(t, cur.Rows, s.rows)
	assert.Equal(t, decimal.MustParse(cur.Total).String(), s.total.String())
	for k, v := range cur.ByProduct {
		assert.Equal(t, decimal.MustParse(v).String(), s.by[k].String(), k)
	}
	assert.Len(t, s.by, len(cur.ByProduct))
}

// rec is what a row is compared by.
type rec struct {
	file string
	line int
	cost string
}

// readRecs collects the (file, line, cost) of every row of rd, then
// closes it.
func readRecs(t *testing.T, rd *Reader, cost string) ([]rec, error) {
	t.Helper()
	defer rd.Close()
	return collect(rd, func(row Row) (rec, error) {
		c, _ := row.Get(cost)
		return rec{row.File(), row.Line(), c}, nil
	})
}

// readColumn reads one local file and returns column col of every row,
// which every row must have.
func readColumn(t *testing.T, path, col string, optFns ...func(*ReadOptions)) []string {
	t.Helper()
	rd, err := OpenFile(t.Context(), path, optFns...)
	require.NoError(t, err)
	defer rd.Close()
	out, err := collect(rd, func(row Row) (string, error) {
		v, ok := row.Get(col)
		require.True(t, ok, col)
		return v, nil
	})
	require.NoError(t, err)
	return out
}

// ---- Checks ----------------------------------------------------------------

// requireFileError requires err to be a *FileError, naming one of keys
// when given.
func requireFileError(t *testing.T, err error, keys ...string) *FileError {
	t.Helper()
	require.Error(t, err)
	var fe *FileError
	require.ErrorAs(t, err, &fe, "%v", err)
	if len(keys) > 0 {
		assert.Contains(t, keys, fe.File, "%v", err)
	}
	return fe
}

// waitGoroutines waits until the goroutine count is back to at most base.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // generous: a loaded machine under -race is slow to schedule exits
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines left behind, %d before:\n%s", runtime.NumGoroutine()-base, base, buf[:n])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// errDisk is the failure of the fake disks.
var errDisk = errors.New("disk on fire")
