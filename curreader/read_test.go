package curreader

// Reading rows whatever the format: every generated layout, one local file
// (OpenFile), and reads that end in a typed error naming the file, never in
// a short total.

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/internal/faults"
	"github.com/curconnect/curconnect/internal/s3io"
)

// TestReadGeneratedEveryLayout reads the current delivery of every period
// of every layout curtest writes (CSV and Parquet), from S3 and from a local
// copy, and requires curtest's exact totals.
func TestReadGeneratedEveryLayout(t *testing.T) {
	specs := generatedLayouts("cur")
	for i := range specs {
		specs[i].Seed, specs[i].Rows = uint64(i+1), 40
	}
	readGeneratedExact(t, specs, func(o *ReadOptions) { o.AllowUpdating = true })
}

// TestOpenFile reads one local data file of each format, told by its name,
// to exact totals; an unknown extension is ErrUnsupportedFormat.
func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	type file struct {
		name string
		data []byte
		cur  *curtest.Delivery
	}
	var files []file
	for _, format := range []curtest.FileType{curtest.CSVGzip, curtest.CSVZip, curtest.Parquet} {
		g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: format, Rows: 500, Seed: 8}, false)
		data := g.objs[g.cur.DataKeys[0]]
		name := filepath.Base(g.cur.DataKeys[0])
		files = append(files, file{name, data, g.cur})
		if format == curtest.CSVGzip {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			require.NoError(t, err)
			plain, err := io.ReadAll(zr)
			require.NoError(t, err)
			files = append(files, file{"plain.csv", plain, g.cur}, file{"UPPER.CSV.GZ", data, g.cur})
		}
		if format == curtest.CSVZip {
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			require.NoError(t, err)
			require.Len(t, zr.File, 1)
		}
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(dir, f.name)
			require.NoError(t, os.WriteFile(path, f.data, 0o644))
			for _, c := range []int{0, 1} {
				rd, err := OpenFile(t.Context(), path, concurrency(c))
				require.NoError(t, err)
				assert.Equal(t, f.name, rd.Delivery().Report)
				got, err := sumRows(t, rd, f.cur.CostColumn, f.cur.ProductColumn)
				require.NoError(t, err)
				equalTruth(t, got, f.cur)
				require.NoError(t, rd.Close())
			}
			rd, err := OpenFile(t.Context(), path)
			require.NoError(t, err)
			require.True(t, rd.Next())
			assert.Equal(t, path, rd.Row().File())
			rd.Close()
		})
	}
	for _, name := range []string{"x.json", "x.csv.bz2", "x.parquet.tmp", "noext"} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte("a,b\n1,2\n"), 0o644))
		_, err := OpenFile(t.Context(), path)
		assert.ErrorIs(t, err, ErrUnsupportedFormat, name)
	}
	_, err := OpenFile(t.Context(), filepath.Join(dir, "missing.csv"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = OpenFile(t.Context(), dir)
	assert.Error(t, err, "a directory")
	// A data file that is not what its name says.
	bad := filepath.Join(dir, "bad.snappy.parquet")
	require.NoError(t, os.WriteFile(bad, []byte("a,b\n1,2\n"), 0o644))
	rd, err := OpenFile(t.Context(), bad)
	require.NoError(t, err)
	assert.False(t, rd.Next())
	requireFileError(t, rd.Err(), bad)
	assert.ErrorIs(t, rd.Err(), curerr.ErrMalformed)
}

func TestOpenFileErrors(t *testing.T) {
	_, err := OpenFile(t.Context(), filepath.Join(t.TempDir(), "none.csv"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = OpenFile(t.Context(), t.TempDir())
	assert.Error(t, err)
	p := filepath.Join(t.TempDir(), "x.json")
	require.NoError(t, os.WriteFile(p, []byte("{}"), 0o600))
	_, err = OpenFile(t.Context(), p)
	assert.ErrorIs(t, err, ErrUnsupportedFormat)
	p = filepath.Join(t.TempDir(), "bad.parquet")
	require.NoError(t, os.WriteFile(p, []byte("PAR1 not really"), 0o600))
	rd, err := OpenFile(t.Context(), p)
	require.NoError(t, err, "files are opened lazily")
	assert.False(t, rd.Next())
	var fe *FileError
	require.ErrorAs(t, rd.Err(), &fe)
	assert.Equal(t, p, fe.File)
	assert.ErrorIs(t, rd.Err(), curerr.ErrMalformed)
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
