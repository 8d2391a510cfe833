package curreader

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/internal/curgen"
	"github.com/curconnect/curconnect/internal/faults"
	"github.com/curconnect/curconnect/internal/s3io"
	"github.com/curconnect/curconnect/internal/testutil"
)

// genSet is one generated delivery, resolved both from a local copy and
// (when asked) from gofakes3.
type genSet struct {
	objs objects
	m    fstest.MapFS
	fsD  *Delivery
	s    *testutil.S3
	s3D  *Delivery
	cur  *curgen.Delivery
}

func genDelivery(t *testing.T, spec curgen.Spec, withS3 bool) *genSet {
	t.Helper()
	if spec.Prefix == "" {
		spec.Prefix = "cur"
	}
	spec.Bucket = testBucket
	if spec.Name == "" {
		spec.Name = "rep"
	}
	sink := curgen.NewMapSink()
	res, err := curgen.Generate(t.Context(), sink, spec)
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

// rec is what a row is compared by.
type rec struct {
	file string
	line int
	cost string
}

func readRecs(t *testing.T, rd *Reader, cost string) ([]rec, error) {
	t.Helper()
	defer rd.Close()
	var out []rec
	for rd.Next() {
		row := rd.Row()
		c, _ := row.Get(cost)
		out = append(out, rec{row.File(), row.Line(), c})
	}
	return out, rd.Err()
}

func withOpts(fns ...func(*ReadOptions)) []func(*ReadOptions) { return fns }

func concurrency(n int) func(*ReadOptions) { return func(o *ReadOptions) { o.Concurrency = n } }

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
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines left behind, %d before:\n%s", runtime.NumGoroutine()-base, base, buf[:n])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ---- 1. Parquet under faults and corruption --------------------------------

// TestParquetSurvivesFaults: ranged GETs of Parquet files cut at random
// offsets, answered 503 SlowDown or 500 are retried; the totals stay
// exact, or the error is a *FileError naming a file of the delivery.
func TestParquetSurvivesFaults(t *testing.T) {
	g := genDelivery(t, curgen.Spec{Kind: curgen.LegacyCUR, Format: curgen.Parquet, Files: 3, Rows: 3000, Seed: 11}, true)
	for _, seed := range []uint64{1, 2, 3, 4} {
		for _, c := range []int{1, 3} {
			t.Run(fmt.Sprintf("seed%d/c%d", seed, c), func(t *testing.T) {
				var wrapped *faults.Handler
				g.s.Wrap(func(next http.Handler) http.Handler {
					if wrapped == nil {
						wrapped = faults.New(next, seed,
							faults.Rule{Kind: faults.ResetAfter, PathContains: ".parquet", AfterBytes: -1, Times: 5},
							faults.Rule{Kind: faults.SlowDown, PathContains: ".parquet", Times: 2, Probability: 0.3},
							faults.Rule{Kind: faults.InternalError, PathContains: ".parquet", Times: 2, Probability: 0.3})
					}
					return wrapped
				})
				defer g.s.Wrap(nil)
				rd, err := Open(t.Context(), g.s.Client, g.s3D, fastRetry, concurrency(c))
				require.NoError(t, err)
				defer rd.Close()
				got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
				if err != nil {
					requireFileError(t, err, g.cur.DataKeys...)
					assert.Less(t, got.rows, g.cur.Rows)
					t.Logf("gave up with %v after %d faults", err, len(wrapped.Events()))
					return
				}
				equalTruth(t, got, g.cur)
				require.NotNil(t, wrapped)
				assert.NotEmpty(t, wrapped.Events(), "no fault was injected")
			})
		}
	}
}

// chunkOffsets returns where each column chunk's first page starts in a
// Parquet file (the page header), in the first row group.
func chunkOffsets(t *testing.T, data []byte) []int64 {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var offs []int64
	for _, c := range pf.Metadata().RowGroups[0].Columns {
		md := c.MetaData
		start := md.DataPageOffset
		if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < start {
			start = md.DictionaryPageOffset
		}
		offs = append(offs, start)
	}
	return offs
}

// TestParquetCorruptFiles: a Parquet file cut at its tail or in its
// middle, or with a page header overwritten, ends in a *FileError naming
// the file and wrapping ErrMalformed, from a local copy and from S3, one
// file at a time and read ahead — never a panic or a clean short total.
func TestParquetCorruptFiles(t *testing.T) {
	g := genDelivery(t, curgen.Spec{Kind: curgen.LegacyCUR, Format: curgen.Parquet, Files: 3, Rows: 600, Seed: 5}, true)
	key := g.cur.DataKeys[1]
	orig := g.objs[key]
	offs := chunkOffsets(t, orig)
	mid := offs[len(offs)/2]
	corrupt := map[string][]byte{
		"tail cut":   orig[:len(orig)*2/3],
		"footer cut": orig[:len(orig)-3],
		"middle cut": slices.Concat(orig[:mid], orig[mid+200:]),
	}
	flip := bytes.Clone(orig)
	for _, o := range offs[1:4] {
		for i := range int64(6) {
			flip[o+i] ^= 0xA5
		}
	}
	corrupt["page headers flipped"] = flip
	zero := bytes.Clone(orig)
	for _, o := range offs {
		clear(zero[o : o+4])
	}
	corrupt["page headers zeroed"] = zero
	for name, data := range corrupt {
		for _, be := range []string{"fs", "s3"} {
			for _, c := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/%s/c%d", name, be, c), func(t *testing.T) {
					var rd *Reader
					var err error
					if be == "fs" {
						m := maps(g.m)
						m[key] = &fstest.MapFile{Data: data}
						d := *g.fsD
						d.Files = slices.Clone(d.Files)
						d.Files[1].Size = int64(len(data))
						rd, err = OpenFS(t.Context(), m, &d, concurrency(c))
					} else {
						g.s.Put(t, testBucket, key, data)
						defer g.s.Put(t, testBucket, key, orig)
						d := *g.s3D
						d.Files = slices.Clone(d.Files)
						d.Files[1].Size, d.Files[1].ETag = int64(len(data)), ""
						rd, err = Open(t.Context(), g.s.Client, &d, fastRetry, concurrency(c))
					}
					require.NoError(t, err)
					defer rd.Close()
					got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
					require.Error(t, err, "a corrupt file read to a clean end: %d rows of %d", got.rows, g.cur.Rows)
					fe := requireFileError(t, err, key)
					assert.Equal(t, key, fe.File)
					assert.ErrorIs(t, err, ErrMalformed)
					assert.Less(t, got.rows, g.cur.Rows)
					assert.GreaterOrEqual(t, got.rows, int64(g.cur.RowsPerFile[0]), "the first file's rows come first")
				})
			}
		}
	}
}

func maps(m fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestParquetChangedMidRead: the Parquet object is replaced between the
// ranged GETs of one read: ErrObjectChanged, naming the file.
func TestParquetChangedMidRead(t *testing.T) {
	for _, c := range []int{1, 2} {
		t.Run(fmt.Sprint("c", c), func(t *testing.T) {
			g := genDelivery(t, curgen.Spec{Kind: curgen.LegacyCUR, Format: curgen.Parquet, Files: 2, Rows: 2000, Seed: 9}, true)
			key := g.cur.DataKeys[1]
			var h *faults.Handler
			g.s.Wrap(func(next http.Handler) http.Handler {
				if h == nil {
					h = faults.New(next, 1, faults.Rule{Kind: faults.ChangeObject, PathContains: key, AfterBytes: 100})
					h.OnChange = func(r *http.Request) {
						g.s.Put(t, testBucket, key, slices.Concat(g.objs[key][:8], []byte("replaced"), g.objs[key][8:]))
					}
				}
				return h
			})
			rd, err := Open(t.Context(), g.s.Client, g.s3D, fastRetry, concurrency(c))
			require.NoError(t, err)
			defer rd.Close()
			got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
			require.ErrorIs(t, err, s3io.ErrObjectChanged, "rows %d", got.rows)
			fe := requireFileError(t, err, key)
			assert.Equal(t, key, fe.File)
			assert.Less(t, got.rows, g.cur.Rows)
		})
	}
}
