package curreader

// Reading CSV data files: generated and real deliveries to exact totals,
// through readers that return a byte at a time or fail mid-stream.

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
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
	for i := range specs {
		specs[i].Seed = uint64(100 + i)
	}
	readGeneratedExact(t, specs)
}

// TestReadRealFixture reads the real anonymised CUR. The expected figures
// were computed independently with Python's csv module and
// decimal.Decimal (sum of lineItem/UnblendedCost, per lineItem/ProductCode).
func TestReadRealFixture(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "fixtures", "real", "aws-cur-legacy-anonymized-2023-11.csv")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the shared fixtures are not here (%v): a plain clone lacks them", err)
	}
	require.NoError(t, err)
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

// readerFS serves a MapFS whose files are read through wrap (no ReadAt).
type readerFS struct {
	m    fstest.MapFS
	wrap func(io.Reader) io.Reader
}

func (r readerFS) Open(name string) (fs.File, error) {
	f, err := r.m.Open(name)
	if err != nil {
		return nil, err
	}
	return wrappedFile{f, r.wrap(f)}, nil
}

type wrappedFile struct {
	fs.File
	r io.Reader
}

func (w wrappedFile) Read(p []byte) (int, error) { return w.r.Read(p) }

// failAfter reads n bytes, then fails.
func failAfter(n int64) func(io.Reader) io.Reader {
	return func(r io.Reader) io.Reader {
		return io.MultiReader(io.LimitReader(r, n), iotest.ErrReader(errDisk))
	}
}

// TestCSVPartialAndFailingReads: a CSV delivery read one byte at a time,
// or with the last data together with io.EOF (testing/iotest), gives the
// exact totals; one whose reads fail mid-stream ends in a *FileError naming
// the file, never a short total.
func TestCSVPartialAndFailingReads(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Files: 3, Rows: 200, Seed: 12}, false)
	// The same delivery as plain CSV.
	plain := fstest.MapFS{}
	pd := *g.fsD
	pd.Compression = CompressionNone
	pd.Files = slices.Clone(pd.Files)
	for i, f := range pd.Files {
		zr, err := gzip.NewReader(bytes.NewReader(g.m[f.Key].Data))
		require.NoError(t, err)
		data, err := io.ReadAll(zr)
		require.NoError(t, err)
		pd.Files[i].Key = strings.TrimSuffix(f.Key, ".gz")
		pd.Files[i].Size = int64(len(data))
		plain[pd.Files[i].Key] = &fstest.MapFile{Data: data}
	}
	sets := []struct {
		name string
		m    fstest.MapFS
		d    *Delivery
	}{{"gzip", g.m, g.fsD}, {"plain", plain, &pd}}
	good := map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+EOF": iotest.DataErrReader,
		"one byte data+EOF": func(r io.Reader) io.Reader {
			return iotest.DataErrReader(iotest.OneByteReader(r))
		},
	}
	bad := map[string]func(io.Reader) io.Reader{
		"timeout":         iotest.TimeoutReader,
		"fail at 1":       failAfter(1),
		"fail at 1000":    failAfter(1000),
		"fail at 4097":    failAfter(4097),
		"one byte, fails": func(r io.Reader) io.Reader { return iotest.OneByteReader(failAfter(3000)(r)) },
	}
	for _, set := range sets {
		for _, c := range []int{1, 3} {
			for name, wrap := range good {
				t.Run(fmt.Sprintf("%s/c%d/%s", set.name, c, name), func(t *testing.T) {
					rd, err := openFS(t.Context(), readerFS{set.m, wrap}, set.d, concurrency(c))
					require.NoError(t, err)
					got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
					require.NoError(t, err)
					equalTruth(t, got, g.cur)
				})
			}
			for name, wrap := range bad {
				t.Run(fmt.Sprintf("%s/c%d/%s", set.name, c, name), func(t *testing.T) {
					// Only the second file misbehaves.
					fsys := readerFS{set.m, func(r io.Reader) io.Reader { return r }}
					second := set.d.Files[1].Key
					rd, err := openFS(t.Context(), pickFS{fsys, readerFS{set.m, wrap}, second}, set.d, concurrency(c))
					require.NoError(t, err)
					got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
					require.Error(t, err, "a failing read ended cleanly with %d of %d rows", got.rows, g.cur.Rows)
					fe := requireFileError(t, err, second)
					assert.Equal(t, second, fe.File)
					if name == "timeout" {
						assert.ErrorIs(t, err, iotest.ErrTimeout)
					} else {
						assert.ErrorIs(t, err, errDisk)
					}
					assert.NotErrorIs(t, err, curerr.ErrMalformed, "a failed read is not a malformed file")
					assert.Less(t, got.rows, g.cur.Rows)
					if c == 1 {
						assert.GreaterOrEqual(t, got.rows, int64(g.cur.RowsPerFile[0]))
					}
				})
			}
		}
	}
}

// pickFS opens one file through special, the others through normal.
type pickFS struct {
	normal, special fs.FS
	name            string
}

func (p pickFS) Open(name string) (fs.File, error) {
	if name == p.name {
		return p.special.Open(name)
	}
	return p.normal.Open(name)
}
