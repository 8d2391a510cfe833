package curreader

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/internal/faults"
	"github.com/curconnect/curconnect/internal/s3io"
)

// TestReadGeneratedCSV reads the current delivery of CSV streams of every
// kind, from S3 and from a local copy, and requires curtest's exact totals.
func TestReadGeneratedCSV(t *testing.T) {
	specs := []curtest.Spec{
		{Kind: curtest.LegacyCUR, Name: "legacy", Versions: 2, Files: 3, Rows: 50, Restate: true, Months: 2, SchemaDrift: true},
		{Kind: curtest.LegacyCUR, Name: "legacy-zip", Versioning: curtest.Overwrite, Format: curtest.CSVZip, Versions: 2, Rows: 40},
		{Kind: curtest.LegacyCUR, Name: "legacy-wide", Width: curtest.Wide, Numbers: curtest.FixedNumbers, Files: 2, Rows: 30},
		{Kind: curtest.CUR2, Name: "cur2", Versioning: curtest.Overwrite, Versions: 3, Files: 4, ShrinkBy: 1, EmptyFiles: 1, Rows: 25},
		{Kind: curtest.FOCUS10, Name: "focus", Files: 2, Rows: 25},
	}
	sink := curtest.NewMapSink()
	var results []*curtest.Result
	for i, spec := range specs {
		spec.Prefix, spec.Bucket, spec.Seed = "cur", testBucket, uint64(100+i)
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
						rd, err = openFS(ctx, m, d)
					} else {
						rd, err = openS3(ctx, s.Client, d)
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

// TestReadRealFixture reads the real anonymised CUR. The expected figures
// were computed independently with Python's csv module and
// decimal.Decimal (sum of lineItem/UnblendedCost, per lineItem/ProductCode).
func TestReadRealFixture(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "fixtures", "real", "aws-cur-legacy-anonymized-2023-11.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("the shared fixtures are not here (%v): a plain clone lacks them", err)
	}
	m := fstest.MapFS{"cur/r/20231101-20231201/x/r-00001.csv": {Data: data}}
	d := &Delivery{Report: "r", Format: FormatCSV, Compression: CompressionNone, Ready: true,
		Files: []DataFile{{Key: "cur/r/20231101-20231201/x/r-00001.csv", Size: int64(len(data))}}}
	rd, err := openFS(t.Context(), m, d)
	require.NoError(t, err)
	got, err := sumRows(t, rd, "line_item_unblended_cost", "lineItem/ProductCode")
	require.NoError(t, err)
	assert.Equal(t, int64(1281), got.rows)
	assert.Equal(t, "1.6823086974", got.total.String())
	want := map[string]string{
		"AWSCloudShell": "0", "AWSCloudTrail": "0.00024", "AWSDataTransfer": "0", "AWSGlue": "0", "AWSIoT": "0.0000025",
		"AWSMigrationHubRefactorSpaces": "0", "AWSQueueService": "0", "AWSSecretsManager": "0", "AmazonCloudWatch": "0",
		"AmazonEFS": "0.0009452835", "AmazonS3": "1.4405653565", "AmazonSNS": "0", "AmazonStates": "0", "awskms": "0.2405555574",
	}
	gotBy := map[string]string{}
	for k, v := range got.by {
		gotBy[k] = v.String()
	}
	assert.Equal(t, want, gotBy)
}

// TestReadSurvivesFaults: bodies cut at random offsets and 503 SlowDown are
// resumed from the byte reached; the total stays exact.
func TestReadSurvivesFaults(t *testing.T) {
	_, s, d, cur := generatedLegacy(t, 3, 400)
	var h *faults.Handler
	s.Wrap(func(next http.Handler) http.Handler {
		if h == nil {
			h = faults.New(next, 42,
				faults.Rule{Kind: faults.ResetAfter, PathContains: ".csv.gz", AfterBytes: -1, Times: 6},
				faults.Rule{Kind: faults.SlowDown, PathContains: ".csv.gz", Times: 2})
		}
		return h
	})
	rd, err := openS3(t.Context(), s.Client, d)
	require.NoError(t, err)
	got, err := sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
	require.NoError(t, err)
	equalTruth(t, got, cur)
	assert.GreaterOrEqual(t, len(h.Events()), 4, "faults were injected: %v", h.Events())
	t.Logf("survived %d faults: %v", len(h.Events()), h.Events())
}

// TestReadNeverShortReads: a truly truncated gzip, a denied GET and an
// object replaced mid-read each end in a typed error naming the file.
func TestReadNeverShortReads(t *testing.T) {
	t.Run("truncated gzip", func(t *testing.T) {
		_, s, d, cur := generatedLegacy(t, 2, 300)
		f := d.Files[1]
		out, err := s.Client.GetObject(t.Context(), getInput(f.Key))
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = buf.ReadFrom(out.Body)
		require.NoError(t, err)
		out.Body.Close()
		s.Put(t, testBucket, f.Key, buf.Bytes()[:buf.Len()*2/3])
		d.Files[1].ETag, d.Files[1].Size = "", int64(buf.Len()*2/3)
		rd, err := openS3(t.Context(), s.Client, d)
		require.NoError(t, err)
		got, err := sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
		require.Error(t, err, "rows read: %d", got.rows)
		var fe *FileError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, f.Key, fe.File)
		assert.Less(t, got.rows, cur.Rows)
	})
	t.Run("denied", func(t *testing.T) {
		_, s, d, cur := generatedLegacy(t, 2, 50)
		s.Deny(d.Files[1].Key)
		rd, err := openS3(t.Context(), s.Client, d)
		require.NoError(t, err)
		_, err = sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
		require.ErrorIs(t, err, curerr.ErrAccessDenied)
		var fe *FileError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, d.Files[1].Key, fe.File)
	})
	t.Run("changed mid-read", func(t *testing.T) {
		_, s, d, cur := generatedLegacy(t, 1, 2000)
		var h *faults.Handler
		s.Wrap(func(next http.Handler) http.Handler {
			if h == nil {
				h = faults.New(next, 1, faults.Rule{Kind: faults.ChangeObject, PathContains: ".csv.gz", AfterBytes: 2000})
				h.OnChange = func(r *http.Request) { s.Put(t, testBucket, d.Files[0].Key, []byte("replaced")) }
			}
			return h
		})
		rd, err := openS3(t.Context(), s.Client, d)
		require.NoError(t, err)
		_, err = sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
		require.ErrorIs(t, err, s3io.ErrObjectChanged)
		var fe *FileError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, d.Files[0].Key, fe.File)
	})
	t.Run("bad row", func(t *testing.T) {
		m := fstest.MapFS{"cur/r/x.csv": {Data: []byte("a,b\n1,2\n3,\"4\n")}}
		d := &Delivery{Report: "r", Format: FormatCSV, Compression: CompressionNone, Ready: true, Files: []DataFile{{Key: "cur/r/x.csv"}}}
		rd, err := openFS(t.Context(), m, d)
		require.NoError(t, err)
		n := 0
		for _, err := range rd.Rows() {
			if err != nil {
				require.ErrorIs(t, err, ErrMalformedRow)
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, "cur/r/x.csv", pe.File)
				assert.Equal(t, 3, pe.Line)
				break
			}
			n++
		}
		assert.Equal(t, 1, n)
	})
	t.Run("not ready", func(t *testing.T) {
		_, err := openFS(t.Context(), fstest.MapFS{}, &Delivery{Format: FormatCSV})
		require.ErrorIs(t, err, ErrNotReady)
	})
}

func getInput(key string) *s3.GetObjectInput {
	return &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)}
}
