package athena_test

import (
	"bytes"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/athena"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/testutil"
)

type motoEnv struct {
	m     *testutil.Moto
	count *testutil.Requests
	s3    *s3.Client // counted
	glue  *glue.Client
	seed  *s3.Client // not counted
	admin *glue.Client
}

// ops returns the requests counted so far, by operation, and resets them.
func (e *motoEnv) ops() map[string]int {
	ops, _ := e.count.Take()
	return ops
}

func startMoto(t *testing.T) *motoEnv {
	m := testutil.StartMoto(t)
	cfg := m.AWSConfig()
	e := &motoEnv{m: m, count: &testutil.Requests{}}
	counted := cfg.Copy()
	counted.HTTPClient = e.count
	e.s3 = s3.NewFromConfig(counted, func(o *s3.Options) { o.UsePathStyle = true })
	e.glue = glue.NewFromConfig(counted)
	e.seed = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	e.admin = glue.NewFromConfig(cfg)
	for _, b := range []string{dataBucket, "acme-athena"} {
		_, err := e.seed.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(b)})
		require.NoError(t, err)
	}
	return e
}

func (e *motoEnv) get(t *testing.T, bucket, key string) []byte {
	t.Helper()
	out, err := e.seed.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err, key)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return b
}

func (e *motoEnv) partitions(t *testing.T, db, table string) map[string]types.Partition {
	t.Helper()
	out, err := e.admin.GetPartitions(t.Context(), &glue.GetPartitionsInput{DatabaseName: aws.String(db), TableName: aws.String(table)})
	require.NoError(t, err)
	m := map[string]types.Partition{}
	for _, p := range out.Partitions {
		m[p.Values[0]] = p
	}
	return m
}

// copyPeriod puts into the bucket the objects of one period's current
// delivery of res (its data files and manifests): AWS delivering that
// month again, and nothing else.
func (e *motoEnv) copyPeriod(t *testing.T, sink *curtest.MapSink, d *curtest.Delivery) {
	t.Helper()
	keys := append(slices.Clone(d.DataKeys), d.ManifestKey, d.TopManifestKey)
	for _, k := range keys {
		b, ok := sink.Get(k)
		require.True(t, ok, k)
		_, err := e.seed.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(dataBucket), Key: aws.String(k), Body: bytes.NewReader(b)})
		require.NoError(t, err)
	}
}

// TestPublishMoto publishes every layout into moto's Glue and S3 and reads
// the catalog back: database, tables and partitions as planned, each
// partition's symlink file listing exactly the current files, whose sums
// are the generator's. A second run writes nothing; after AWS restates a
// month, the next run rewrites that month's symlink file and partition
// and nothing else. Bucket configuration is never touched.
func TestPublishMoto(t *testing.T) {
	e := startMoto(t)
	ctx := t.Context()
	specs := layouts()
	truth := generate(t, curtest.S3Sink{Client: e.seed, Bucket: dataBucket}, "cur", specs)
	r := curreader.New(e.s3, dataBucket)
	e.ops()

	res, err := athena.Publish(ctx, r, "cur", dest, e.s3, e.glue)
	require.NoError(t, err)
	first := e.ops()
	t.Logf("first run: %v", first)
	nTables, nParts := 0, 0
	for _, tb := range res.Plan.Tables {
		if len(tb.Partitions) > 0 {
			nTables++
			nParts += len(tb.Partitions)
		}
	}
	assert.True(t, res.DatabaseCreated)
	assert.Len(t, res.TablesCreated, nTables)
	assert.Len(t, res.PartitionsCreated, nParts)
	assert.Len(t, res.SymlinksWritten, nParts)
	assert.Equal(t, map[string]int{"CreateDatabase": 1, "CreateTable": nTables, "BatchCreatePartition": nTables, "s3 PUT": nParts}, testutil.Writes(first))
	assert.Zero(t, first["s3 config"], "no bucket configuration is read or written")

	// The catalog, read back.
	for _, tb := range res.Plan.Tables {
		if len(tb.Partitions) == 0 {
			_, err := e.admin.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("billing"), Name: aws.String(tb.Name)})
			require.Error(t, err, "%s: a table with no readable period is not created", tb.Name)
			continue
		}
		got, err := e.admin.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("billing"), Name: aws.String(tb.Name)})
		require.NoError(t, err, tb.Name)
		sd := got.Table.StorageDescriptor
		assert.Equal(t, athena.InputFormat, aws.ToString(sd.InputFormat))
		assert.Equal(t, tb.SerDe, aws.ToString(sd.SerdeInfo.SerializationLibrary))
		assert.Equal(t, tb.Location, aws.ToString(sd.Location))
		assert.Equal(t, "EXTERNAL_TABLE", aws.ToString(got.Table.TableType))
		assert.Equal(t, tb.Report, got.Table.Parameters[athena.ParamReport])
		require.Len(t, got.Table.PartitionKeys, 1)
		assert.Equal(t, athena.PartitionKey, aws.ToString(got.Table.PartitionKeys[0].Name))
		require.Len(t, sd.Columns, len(tb.Columns))
		for i, c := range tb.Columns {
			assert.Equal(t, c.Name, aws.ToString(sd.Columns[i].Name))
			assert.Equal(t, c.Type, aws.ToString(sd.Columns[i].Type))
		}
		parts := e.partitions(t, "billing", tb.Name)
		require.Len(t, parts, len(tb.Partitions), tb.Name)
		res := truth[tb.Report]
		for _, part := range tb.Partitions {
			gp := parts[part.Period]
			require.NotNil(t, gp.StorageDescriptor, part.Period)
			assert.Equal(t, part.Location, aws.ToString(gp.StorageDescriptor.Location))
			assert.Equal(t, athena.InputFormat, aws.ToString(gp.StorageDescriptor.InputFormat))
			cur := res.Current(part.Period)
			assert.Equal(t, cur.Version, gp.Parameters[athena.ParamVersion])
			keys := keysOf(t, symlinkURIs(t, e.get(t, "acme-athena", part.SymlinkKey)))
			assert.Equal(t, cur.DataKeys, keys, "%s %s", tb.Name, part.Period)
			rows, total := readListed(t, func(k string) []byte { return e.get(t, dataBucket, k) }, keys, cur.CostColumn)
			assert.Equal(t, cur.Rows, rows)
			assert.True(t, decimal.MustParse(cur.Total).Equal(total), "%s %s: %s, delivered %s", tb.Name, part.Period, total, cur.Total)
		}
	}
	// Nothing but the symlink files was written to the symlink bucket.
	list, err := e.seed.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("acme-athena")})
	require.NoError(t, err)
	assert.Len(t, list.Contents, nParts)
	for _, o := range list.Contents {
		assert.True(t, strings.HasSuffix(aws.ToString(o.Key), "/symlink.txt"), aws.ToString(o.Key))
	}

	// Nothing new: no write at all.
	again, err := athena.Publish(ctx, r, "cur", dest, e.s3, e.glue)
	require.NoError(t, err)
	second := e.ops()
	t.Logf("second run, nothing new: %v", second)
	assert.Empty(t, testutil.Writes(second))
	assert.Empty(t, again.SymlinksWritten)
	assert.Equal(t, len(specs), second["GetTable"], "one per report")
	assert.Equal(t, nTables, second["GetPartitions"], "one per table made")

	// AWS restates the first month of legacy-over (legacy overwrite) and
	// of cur2-over (CUR 2.0 overwrite, with a stale chunk): two partitions
	// change, nothing else.
	restated := curtest.NewMapSink()
	for i, spec := range specs {
		if spec.Name != "legacy-over" && spec.Name != "cur2-over" {
			continue
		}
		spec.Prefix, spec.Bucket, spec.Rows, spec.Seed, spec.Restate = "cur", dataBucket, 6, uint64(i+1), true
		after, err := curtest.Generate(ctx, restated, spec)
		require.NoError(t, err)
		first := after.Periods()[0]
		require.True(t, after.Current(first).Restated)
		require.NotEqual(t, truth[spec.Name].Current(first).Version, after.Current(first).Version)
		e.copyPeriod(t, restated, after.Current(first))
		truth[spec.Name] = after
	}
	e.ops()
	third, err := athena.Publish(ctx, r, "cur", dest, e.s3, e.glue)
	require.NoError(t, err)
	ops := e.ops()
	t.Logf("third run, two months restated: %v", ops)
	assert.Equal(t, map[string]int{"s3 PUT": 2, "BatchUpdatePartition": 2}, testutil.Writes(ops))
	assert.Equal(t, []string{"legacy_over/2024-03", "cur2_over/2024-03"}, sortedLike(third.PartitionsUpdated, []string{"legacy_over/2024-03", "cur2_over/2024-03"}))
	for _, name := range []string{"legacy-over", "cur2-over"} {
		tb := tableOf(t, third.Plan, name)
		part := tb.Partitions[0]
		cur := truth[name].Current(part.Period)
		keys := keysOf(t, symlinkURIs(t, e.get(t, "acme-athena", part.SymlinkKey)))
		assert.Equal(t, cur.DataKeys, keys)
		rows, total := readListed(t, func(k string) []byte { return e.get(t, dataBucket, k) }, keys, cur.CostColumn)
		assert.Equal(t, cur.Rows, rows)
		assert.True(t, decimal.MustParse(cur.Total).Equal(total), "restated %s: %s, delivered %s", name, total, cur.Total)
		assert.Equal(t, cur.Version, e.partitions(t, "billing", tb.Name)[part.Period].Parameters[athena.ParamVersion])
	}
}

func sortedLike(got, order []string) []string {
	out := slices.Clone(got)
	slices.SortFunc(out, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	return out
}

// TestPublishRemovesWhatItWouldMisread: a month restated with a line break
// in a CSV field loses its partition (it would be read wrong); a table of
// the same name that this package did not make is never touched.
func TestPublishRemovesWhatItWouldMisread(t *testing.T) {
	e := startMoto(t)
	ctx := t.Context()
	spec := curtest.Spec{Kind: curtest.LegacyCUR, Name: "rep", Months: 2, Prefix: "cur", Bucket: dataBucket, Rows: 6, Seed: 3}
	_, err := curtest.Generate(ctx, curtest.S3Sink{Client: e.seed, Bucket: dataBucket}, spec)
	require.NoError(t, err)
	r := curreader.New(e.s3, dataBucket)
	_, err = athena.Publish(ctx, r, "cur", dest, e.s3, e.glue)
	require.NoError(t, err)
	require.Len(t, e.partitions(t, "billing", "rep"), 2)

	spec.Restate = true
	sink := curtest.NewMapSink()
	after, err := curtest.Generate(ctx, sink, spec)
	require.NoError(t, err)
	d := after.Current("2024-03")
	rewrite(t, sink, d.DataKeys[0], `"Amazon Web Services, Inc."`, "\"Amazon Web\nServices, Inc.\"")
	e.copyPeriod(t, sink, d)
	e.ops()
	res, err := athena.Publish(ctx, r, "cur", dest, e.s3, e.glue)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"BatchDeletePartition": 1}, testutil.Writes(e.ops()))
	require.Len(t, res.Plan.Problems, 1)
	assert.ErrorIs(t, res.Plan.Problems[0], athena.ErrLineBreak)
	assert.Equal(t, []string{"rep/2024-03"}, res.PartitionsDeleted)
	parts := e.partitions(t, "billing", "rep")
	assert.Equal(t, []string{"2024-04"}, slices.Sorted(maps.Keys(parts)))

	// AWS delivers the other month again, with a line break too: no
	// period is left, the last partition goes, and the table stays as it
	// was (its columns are not known now).
	before, err := e.admin.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("billing"), Name: aws.String("rep")})
	require.NoError(t, err)
	d = after.Current("2024-04")
	rewrite(t, sink, d.DataKeys[0], `"Amazon Web Services, Inc."`, "\"Amazon Web\nServices, Inc.\"")
	top, ok := sink.Get(d.TopManifestKey)
	require.True(t, ok)
	require.Contains(t, string(top), d.Version)
	require.NoError(t, sink.Put(ctx, d.TopManifestKey, func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Replace(string(top), d.Version, d.Version+"-again", 1))
		return err
	}))
	e.copyPeriod(t, sink, d)
	e.ops()
	res, err = athena.Publish(ctx, r, "cur", dest, e.s3, e.glue)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"BatchDeletePartition": 1}, testutil.Writes(e.ops()))
	assert.Equal(t, []string{"rep/2024-04"}, res.PartitionsDeleted)
	assert.Empty(t, e.partitions(t, "billing", "rep"))
	now, err := e.admin.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("billing"), Name: aws.String("rep")})
	require.NoError(t, err)
	assert.Equal(t, before.Table.StorageDescriptor.Columns, now.Table.StorageDescriptor.Columns)

	// A table named as a report's table, made by someone else.
	_, err = e.admin.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("billing"), TableInput: &types.TableInput{
		Name: aws.String("theirs"), StorageDescriptor: &types.StorageDescriptor{Location: aws.String("s3://elsewhere/")},
	}})
	require.NoError(t, err)
	_, err = curtest.Generate(ctx, curtest.S3Sink{Client: e.seed, Bucket: dataBucket}, curtest.Spec{Name: "theirs", Prefix: "cur", Bucket: dataBucket, Rows: 2})
	require.NoError(t, err)
	e.ops()
	res, err = athena.Publish(ctx, r, "cur", dest, e.s3, e.glue)
	require.NoError(t, err)
	assert.Empty(t, testutil.Writes(e.ops()), "their table is not touched, ours has nothing new")
	var notOurs bool
	for _, pe := range res.Plan.Problems {
		if pe.Report == "theirs" {
			assert.ErrorIs(t, pe, athena.ErrTableNotOurs)
			assert.True(t, pe.Keep)
			notOurs = true
		}
	}
	assert.True(t, notOurs)
	got, err := e.admin.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("billing"), Name: aws.String("theirs")})
	require.NoError(t, err)
	assert.Equal(t, "s3://elsewhere/", aws.ToString(got.Table.StorageDescriptor.Location))
}
