package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

const (
	dataBucket = "acme-billing"
	linkBucket = "acme-athena"
	linkURI    = "s3://" + linkBucket + "/links/"
)

// jsonOut is -json's contract (DESIGN.md), decoded strictly.
type jsonOut struct {
	Tables []struct {
		Database   string `json:"database"`
		Table      string `json:"table"`
		Report     string `json:"report"`
		Kind       string `json:"kind"`
		Format     string `json:"format"`
		Columns    int    `json:"columns"`
		Partitions []struct {
			Period   string `json:"period"`
			Location string `json:"location"`
			Version  string `json:"version"`
			Files    int    `json:"files"`
		} `json:"partitions"`
	} `json:"tables"`
}

func decode(t *testing.T, b []byte) jsonOut {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var out jsonOut
	require.NoError(t, dec.Decode(&out), string(b))
	return out
}

type motoEnv struct {
	m     *testutil.Moto
	count *testutil.Requests
	s3    *s3.Client
	glue  *glue.Client
}

func startMoto(t *testing.T) *motoEnv {
	env(t)
	m := testutil.StartMoto(t)
	cfg := m.AWSConfig()
	e := &motoEnv{m: m, count: &testutil.Requests{}, s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), glue: glue.NewFromConfig(cfg)}
	for _, b := range []string{dataBucket, linkBucket} {
		_, err := e.s3.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(b)})
		require.NoError(t, err)
	}
	httpClient = e.count
	t.Cleanup(func() { httpClient = nil })
	return e
}

// athena runs the program against moto and returns stdout, stderr and the
// exit code.
func (e *motoEnv) athena(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append([]string{"-bucket", dataBucket, "-database", "billing", "-symlink-uri", linkURI, "-endpoint", e.m.Endpoint, "-path-style"}, args...)
	code := exitCode(run(t.Context(), args, &out, &errOut), &errOut)
	return out.String(), errOut.String(), code
}

func (e *motoEnv) get(t *testing.T, bucket, key string) []byte {
	t.Helper()
	out, err := e.s3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err, key)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return b
}

func (e *motoEnv) put(t *testing.T, key string, body []byte) {
	t.Helper()
	_, err := e.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(dataBucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	require.NoError(t, err)
}

// symlinks reads every symlink file under the symlink location.
func (e *motoEnv) symlinks(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	list, err := e.s3.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(linkBucket)})
	require.NoError(t, err)
	for _, o := range list.Contents {
		out[aws.ToString(o.Key)] = e.get(t, linkBucket, aws.ToString(o.Key))
	}
	return out
}

// readListed reads the files a symlink file lists, as Athena would: each
// one, whole, with curreader.OpenFile on a downloaded copy; it returns the
// keys, the rows and the exact sum of the cost column.
func (e *motoEnv) readListed(t *testing.T, symlink []byte, costColumn string) ([]string, int64, decimal.Decimal) {
	t.Helper()
	require.True(t, len(symlink) == 0 || bytes.HasSuffix(symlink, []byte("\n")))
	var keys []string
	sc := bufio.NewScanner(bytes.NewReader(symlink))
	for sc.Scan() {
		k, ok := strings.CutPrefix(sc.Text(), "s3://"+dataBucket+"/")
		require.True(t, ok, sc.Text())
		keys = append(keys, k)
	}
	dir := t.TempDir()
	var rows int64
	var total decimal.Decimal
	for i, k := range keys {
		p := filepath.Join(dir, fmt.Sprintf("%03d-%s", i, path.Base(k)))
		require.NoError(t, os.WriteFile(p, e.get(t, dataBucket, k), 0o644))
		rd, err := curreader.OpenFile(t.Context(), p)
		require.NoError(t, err)
		for row, err := range rd.Rows() {
			require.NoError(t, err)
			rows++
			if v, ok, err := row.Decimal(costColumn); err == nil && ok {
				total = total.Add(v)
			}
		}
		require.NoError(t, rd.Close())
	}
	return keys, rows, total
}

// layouts are the delivery streams the tests publish: legacy CUR
// create-new (restated, an incomplete newer assembly, Redshift artifacts,
// unpadded names, UUID assemblies) and overwrite, gzip CSV and Parquet
// (whose columns change from month to month), the Athena integration
// (status table, crawler template), CUR 2.0 overwrite (stale and empty
// chunks) and create-new Parquet, FOCUS 1.0 and 1.2.
var layouts = []curtest.Spec{
	{Kind: curtest.LegacyCUR, Name: "legacy-new", Versions: 3, Months: 2, Files: 2, Incomplete: true, Restate: true, Redshift: true, AccessTestObject: true},
	{Kind: curtest.LegacyCUR, Name: "legacy-old", Versions: 2, Files: 2, UnpaddedNumbers: true, UUIDAssemblies: true},
	{Kind: curtest.LegacyCUR, Name: "legacy-over", Versioning: curtest.Overwrite, Versions: 2, Months: 2},
	{Kind: curtest.LegacyCUR, Name: "legacy-pq", Format: curtest.Parquet, Versions: 2, Months: 2, SchemaDrift: true},
	{Kind: curtest.LegacyCUR, Name: "athena", Athena: true, Versioning: curtest.Overwrite, Format: curtest.Parquet, Months: 2, Versions: 2},
	{Kind: curtest.CUR2, Name: "cur2-over", Versioning: curtest.Overwrite, Versions: 3, Files: 4, ShrinkBy: 1, EmptyFiles: 1, Months: 2},
	{Kind: curtest.CUR2, Name: "cur2-new", Format: curtest.Parquet, Versions: 2, Months: 2, Files: 2, Incomplete: true},
	{Kind: curtest.FOCUS10, Name: "focus10", Versioning: curtest.Overwrite},
	{Kind: curtest.FOCUS12, Name: "focus12", Format: curtest.Parquet, Versions: 2},
}

func generate(t *testing.T, sink curtest.Sink, i int, spec curtest.Spec) *curtest.Result {
	t.Helper()
	spec.Prefix, spec.Bucket, spec.Rows, spec.Seed = "cur", dataBucket, 6, uint64(i+1)
	res, err := curtest.Generate(t.Context(), sink, spec)
	require.NoError(t, err, spec.Name)
	return res
}

// TestAthenaMoto is the acceptance: against moto_server's Glue and
// S3, the program creates the database, one table per report and one
// partition per billing period of every layout, and each partition's
// symlink file lists exactly the current files of that period, whose rows
// sum to the generator's totals and the Reader's; the status table, stale
// chunks, superseded and incomplete assemblies are never listed. A second
// run writes nothing. After AWS restates a month, the next run rewrites
// that month's symlink file and partition, and nothing else. -ddl prints
// the statements and changes nothing. Bucket configuration (event
// notifications) is never asked for.
func TestAthenaMoto(t *testing.T) {
	e := startMoto(t)
	ctx := t.Context()
	truth := map[string]*curtest.Result{}
	for i, spec := range layouts {
		truth[spec.Name] = generate(t, curtest.S3Sink{Client: e.s3, Bucket: dataBucket}, i, spec)
	}
	r := curreader.New(e.s3, dataBucket)

	// -ddl first: statements, and nothing written anywhere.
	e.count.Take()
	out, errOut, code := e.athena(t, "-prefix", "cur", "-ddl")
	require.Equal(t, exitOK, code, errOut)
	ops, _ := e.count.Take()
	t.Logf("-ddl run: %v", ops)
	assert.Empty(t, testutil.Writes(ops), "-ddl changes nothing")
	for op := range ops {
		assert.False(t, strings.HasPrefix(op, "Get") || op == "s3 config", "-ddl does not even read the catalog: %s", op)
	}
	assert.Equal(t, 1, strings.Count(out, "CREATE DATABASE IF NOT EXISTS `billing`;"))
	assert.Equal(t, len(layouts), strings.Count(out, "CREATE EXTERNAL TABLE IF NOT EXISTS `billing`."))
	assert.Contains(t, out, "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'")
	assert.Contains(t, out, "ALTER TABLE `billing`.`cur2_new` ADD IF NOT EXISTS\n  PARTITION (`billing_period` = '2024-03') LOCATION '"+linkURI+"billing/cur2_new/billing_period=2024-03/'")
	_, err := e.glue.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("billing")})
	require.Error(t, err, "no database after -ddl")
	assert.Empty(t, e.symlinks(t), "no symlink file after -ddl")

	// The first run publishes everything.
	out, errOut, code = e.athena(t, "-prefix", "cur", "-json")
	require.Equal(t, exitOK, code, errOut)
	first, _ := e.count.Take()
	t.Logf("first run: %v", first)
	got := decode(t, []byte(out))
	require.Len(t, got.Tables, len(layouts))
	nParts := 0
	for _, tb := range got.Tables {
		nParts += len(tb.Partitions)
	}
	assert.Equal(t, map[string]int{"CreateDatabase": 1, "CreateTable": len(layouts), "BatchCreatePartition": len(layouts), "s3 PUT": nParts}, testutil.Writes(first))

	links := e.symlinks(t)
	assert.Len(t, links, nParts, "one symlink file per partition, nothing else")
	for _, tb := range got.Tables {
		res := truth[tb.Report]
		require.NotNil(t, res, tb.Report)
		assert.Equal(t, "billing", tb.Database)
		assert.Equal(t, res.Spec.Kind.String(), tb.Kind)
		assert.Positive(t, tb.Columns)
		gt, err := e.glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("billing"), Name: aws.String(tb.Table)})
		require.NoError(t, err)
		assert.Len(t, gt.Table.StorageDescriptor.Columns, tb.Columns)
		assert.Equal(t, linkURI+"billing/"+tb.Table+"/", aws.ToString(gt.Table.StorageDescriptor.Location))
		assert.Equal(t, "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat", aws.ToString(gt.Table.StorageDescriptor.InputFormat))
		gps, err := e.glue.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("billing"), TableName: aws.String(tb.Table)})
		require.NoError(t, err)
		byPeriod := map[string]types.Partition{}
		for _, p := range gps.Partitions {
			byPeriod[p.Values[0]] = p
		}
		var periods []string
		for _, part := range tb.Partitions {
			periods = append(periods, part.Period)
			cur := res.Current(part.Period)
			assert.Equal(t, cur.Version, part.Version)
			assert.Equal(t, len(cur.DataKeys), part.Files)
			assert.Equal(t, linkURI+"billing/"+tb.Table+"/billing_period="+part.Period+"/", part.Location)
			gp, ok := byPeriod[part.Period]
			require.True(t, ok, "%s %s in Glue", tb.Table, part.Period)
			assert.Equal(t, part.Location, aws.ToString(gp.StorageDescriptor.Location))

			body := links["links/billing/"+tb.Table+"/billing_period="+part.Period+"/symlink.txt"]
			keys, rows, total := e.readListed(t, body, cur.CostColumn)
			assert.Equal(t, cur.DataKeys, keys, "%s %s: exactly the current files, in manifest order", tb.Report, part.Period)
			for _, k := range keys {
				assert.NotContains(t, k, "cost_and_usage_data_status")
				assert.False(t, slices.Contains(cur.StaleKeys, k), "stale chunk %s listed", k)
			}
			assert.Equal(t, cur.Rows, rows)
			assert.True(t, decimal.MustParse(cur.Total).Equal(total), "%s %s: the listed files sum to %s, delivered %s", tb.Report, part.Period, total, cur.Total)

			// The Reader reads the same.
			rep, err := r.Find(ctx, "cur", tb.Report)
			require.NoError(t, err)
			ps, err := r.Periods(ctx, rep)
			require.NoError(t, err)
			k := slices.IndexFunc(ps, func(p curreader.Period) bool { return p.String() == part.Period })
			require.GreaterOrEqual(t, k, 0)
			d, err := r.Resolve(ctx, rep, ps[k].Month)
			require.NoError(t, err)
			rd, err := r.Open(ctx, d, func(o *curreader.ReadOptions) { o.Columns = []string{cur.CostColumn} })
			require.NoError(t, err)
			var rtotal decimal.Decimal
			for row, err := range rd.Rows() {
				require.NoError(t, err)
				if v, ok, _ := row.Decimal(cur.CostColumn); ok {
					rtotal = rtotal.Add(v)
				}
			}
			assert.True(t, rtotal.Equal(total), "Reader %s, symlinked files %s", rtotal, total)
		}
		assert.Equal(t, res.Periods(), periods)
		assert.Len(t, byPeriod, len(periods))
	}

	// A second run right after writes nothing.
	out, errOut, code = e.athena(t, "-prefix", "cur", "-json")
	require.Equal(t, exitOK, code, errOut)
	second, _ := e.count.Take()
	t.Logf("second run: %v", second)
	assert.Empty(t, testutil.Writes(second))
	assert.Equal(t, got, decode(t, []byte(out)))

	// AWS restates the first month of cur2-new (a new execution folder).
	i := slices.IndexFunc(layouts, func(s curtest.Spec) bool { return s.Name == "cur2-new" })
	spec := layouts[i]
	spec.Restate = true
	sink := curtest.NewMapSink()
	after := generate(t, sink, i, spec)
	d := after.Current("2024-03")
	require.True(t, d.Restated)
	require.NotEqual(t, truth["cur2-new"].Current("2024-03").DataKeys, d.DataKeys)
	for _, k := range append(slices.Clone(d.DataKeys), d.ManifestKey, d.TopManifestKey) {
		b, ok := sink.Get(k)
		require.True(t, ok)
		e.put(t, k, b)
	}
	e.count.Take()
	_, errOut, code = e.athena(t, "-prefix", "cur")
	require.Equal(t, exitOK, code, errOut)
	third, puts := e.count.Take()
	t.Logf("third run, one month restated: %v", third)
	symlink := "links/billing/cur2_new/billing_period=2024-03/symlink.txt"
	assert.Equal(t, map[string]int{"s3 PUT": 1, "BatchUpdatePartition": 1}, testutil.Writes(third))
	assert.Equal(t, []string{"/" + linkBucket + "/" + symlink}, puts)
	assert.Contains(t, errOut, "updated partition cur2_new/2024-03")
	now := e.symlinks(t)
	for k, body := range links {
		if k == symlink {
			assert.NotEqual(t, body, now[k], "the restated month's symlink file changed")
			continue
		}
		assert.Equal(t, body, now[k], "%s did not change", k)
	}
	keys, rows, total := e.readListed(t, now[symlink], d.CostColumn)
	assert.Equal(t, d.DataKeys, keys)
	assert.Equal(t, d.Rows, rows)
	assert.True(t, decimal.MustParse(d.Total).Equal(total))
	gp, err := e.glue.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: aws.String("billing"), TableName: aws.String("cur2_new"), PartitionValues: []string{"2024-03"}})
	require.NoError(t, err)
	assert.Equal(t, d.Version, gp.Partition.Parameters["curconnect.version"])

	for _, ops := range []map[string]int{first, second, third} {
		assert.Zero(t, ops["s3 config"], "bucket configuration is never asked for")
	}
}

// TestAthenaRefusesWhatAthenaMisreads: a report in ZIP files, a CSV month
// with a line break in a field, and an Athena-layout month AWS is still
// updating are left out, each with a message on stderr and exit 1; the
// rest is published.
func TestAthenaRefusesWhatAthenaMisreads(t *testing.T) {
	e := startMoto(t)
	sink := curtest.S3Sink{Client: e.s3, Bucket: dataBucket}
	generate(t, sink, 0, curtest.Spec{Kind: curtest.LegacyCUR, Name: "zipped", Format: curtest.CSVZip})
	generate(t, sink, 1, curtest.Spec{Kind: curtest.LegacyCUR, Name: "busy", Athena: true, AthenaUpdating: true, Versioning: curtest.Overwrite, Format: curtest.Parquet})
	res := generate(t, sink, 2, curtest.Spec{Kind: curtest.CUR2, Name: "broken", Months: 2})
	bad := res.Current("2024-04").DataKeys[0]
	zr, err := gzip.NewReader(bytes.NewReader(e.get(t, dataBucket, bad)))
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"Amazon Web Services, Inc."`)
	raw = []byte(strings.Replace(string(raw), `"Amazon Web Services, Inc."`, "\"Amazon Web\nServices, Inc.\"", 1))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err = zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	e.put(t, bad, buf.Bytes())

	out, errOut, code := e.athena(t, "-prefix", "cur", "-json")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errOut, "athena: zipped 2024-03: Athena cannot read this delivery exactly: Athena does not read ZIP files")
	assert.Contains(t, errOut, "athena: busy 2024-03: curreader: delivery not ready")
	assert.Contains(t, errOut, "athena: broken 2024-04: "+bad+":")
	assert.Contains(t, errOut, "a CSV field holds a line break, which OpenCSVSerDe does not support (deliver the report as Parquet)")
	assert.Contains(t, errOut, "3 reports or billing periods were left out")
	got := decode(t, []byte(out))
	require.Len(t, got.Tables, 1, "only the broken report's good month is published")
	assert.Equal(t, "broken", got.Tables[0].Report)
	require.Len(t, got.Tables[0].Partitions, 1)
	assert.Equal(t, "2024-03", got.Tables[0].Partitions[0].Period)
	_, err = e.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String("billing"), Name: aws.String("zipped")})
	assert.Error(t, err, "no table Athena could not read")

	// -report narrows the run to one report.
	out, errOut, code = e.athena(t, "-prefix", "cur", "-report", "zipped", "-ddl")
	assert.Equal(t, exitFindings, code)
	assert.NotContains(t, out, "CREATE EXTERNAL TABLE")
	assert.Contains(t, errOut, "zipped")
	assert.NotContains(t, errOut, "broken")
	_, errOut, code = e.athena(t, "-prefix", "cur", "-report", "nope")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errOut, "report not found")
}

// TestAthenaThroughRoleMoto: with -role-arn and -external-id the billing
// bucket is read through the customer's role, against moto_server with
// IAM enforcement on: the platform's own user may not read the bucket, the
// role may; the symlink files and the catalog are written with the
// platform's identity. A wrong external ID fails at the assume step.
func TestAthenaThroughRoleMoto(t *testing.T) {
	e := startMoto(t)
	ctx := t.Context()
	res := generate(t, curtest.S3Sink{Client: e.s3, Bucket: dataBucket}, 0, curtest.Spec{Kind: curtest.LegacyCUR, Name: "acme-cur", Months: 2, Files: 2})

	admin := e.m.AWSConfig()
	iamc := iam.NewFromConfig(admin)
	u, err := e.m.CreatePlatformUser(ctx,
		`{"Effect":"Allow","Action":"glue:*","Resource":"*"}`,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::`+linkBucket+`/*"}`)
	require.NoError(t, err)
	externalID := iampolicy.NewExternalID()
	trust, err := iampolicy.CrossAccountTrust(u.ARN, externalID)
	require.NoError(t, err)
	read, err := iampolicy.CURReadPolicy(dataBucket, "cur")
	require.NoError(t, err)
	trustJSON, err := trust.CompactJSON()
	require.NoError(t, err)
	readJSON, err := read.CompactJSON()
	require.NoError(t, err)
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("curconnect-billing-read"), AssumeRolePolicyDocument: aws.String(string(trustJSON))})
	require.NoError(t, err)
	_, err = iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role.Role.RoleName, PolicyName: aws.String("read"), PolicyDocument: aws.String(string(readJSON))})
	require.NoError(t, err)
	require.NoError(t, e.m.EnableAuth(ctx))
	t.Cleanup(func() { _ = e.m.DisableAuth(context.Background()) })

	t.Setenv("AWS_ACCESS_KEY_ID", u.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", u.SecretAccessKey)
	extraS3Options = []func(*s3.Options){func(o *s3.Options) { o.HTTPSignerV4 = rawEqualsSigner{} }}
	t.Cleanup(func() { extraS3Options = nil })

	out, errOut, code := e.athena(t, "-prefix", "cur", "-json", "-role-arn", aws.ToString(role.Role.Arn), "-external-id", externalID)
	require.Equal(t, exitOK, code, errOut)
	got := decode(t, []byte(out))
	require.Len(t, got.Tables, 1)
	require.Len(t, got.Tables[0].Partitions, 2)
	for _, part := range got.Tables[0].Partitions {
		assert.Equal(t, res.Current(part.Period).Version, part.Version)
	}

	// The platform's user alone may not read the billing bucket.
	_, errOut, code = e.athena(t, "-prefix", "cur", "-ddl")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errOut, "AccessDenied")

	// A wrong external ID fails at the assume step.
	_, errOut, code = e.athena(t, "-prefix", "cur", "-ddl", "-role-arn", aws.ToString(role.Role.Arn), "-external-id", "WRONG-external-id-000000000")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errOut, "AssumeRole")
}

// rawEqualsSigner is testutil.MotoSigner for keys with "=" (every
// partition folder, billing_period=YYYY-MM): moto_server, with its auth
// on, checks the signature over the path as sent, with "=" unescaped,
// while the SDK escapes it. The request is sent, and signed, with "=" as
// is (a valid path character); real S3 takes the SDK's own signer.
type rawEqualsSigner struct{ testutil.MotoSigner }

func (s rawEqualsSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, opts ...func(*v4.SignerOptions)) error {
	if p := r.URL.EscapedPath(); strings.Contains(p, "%3D") {
		r.URL.RawPath = strings.ReplaceAll(p, "%3D", "=")
	}
	return s.MotoSigner.SignHTTP(ctx, c, r, payloadHash, service, region, t, opts...)
}
