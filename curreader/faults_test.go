package curreader

// Faults of the network and the disk: bodies cut mid-way, 503 and 500
// answers, objects replaced between ranged GETs, reads that fail. Resolving
// and reading retry or resume to the exact totals, or end in a typed error
// naming the key or file.

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/internal/faults"
	"github.com/curconnect/curconnect/internal/s3io"
)

// TestResolveSurvivesFaults: bodies cut mid-way and 503s while resolving —
// listing pages, manifests, the Athena status file — are retried or resumed
// as data files are, and every delivery still sums to the generator's
// totals.
func TestResolveSurvivesFaults(t *testing.T) {
	ctx := t.Context()
	sink := curtest.NewMapSink()
	legacy, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "rep", Prefix: "cur", Bucket: testBucket,
		Months: 2, Versions: 2, Files: 2, Rows: 50, Seed: 21})
	require.NoError(t, err)
	athena, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "ath", Prefix: "cur", Bucket: testBucket,
		Athena: true, Format: curtest.Parquet, Versioning: curtest.Overwrite, Months: 2, Rows: 50, Seed: 22})
	require.NoError(t, err)
	_, s := gofakes3Backend(t, objects(sink.Objects()))

	var h *faults.Handler
	s.Wrap(func(next http.Handler) http.Handler {
		if h != nil {
			return h // Wrap's function runs per request: one handler counts every fault
		}
		h = faults.New(next, 5,
			faults.Rule{Kind: faults.ResetAfter, QueryContains: "list-type=2", AfterBytes: -1, Times: 3},
			faults.Rule{Kind: faults.SlowDown, QueryContains: "list-type=2", Times: 2},
			faults.Rule{Kind: faults.ResetAfter, PathContains: "Manifest.json", AfterBytes: -1, Times: 4},
			faults.Rule{Kind: faults.InternalError, PathContains: "Manifest.json", Times: 2},
			faults.Rule{Kind: faults.ResetAfter, PathContains: "cost_and_usage_data_status", AfterBytes: -1, Times: 2})
		return h
	})
	r := New(s.Client, testBucket, fastRetry)
	reps, err := r.Reports(ctx, "cur")
	require.NoError(t, err)
	require.Len(t, reps, 2)
	truth := map[string]*curtest.Result{"rep": legacy, "ath": athena}
	for _, rep := range reps {
		ds, err := r.Latest(ctx, rep)
		require.NoError(t, err, rep.Name)
		res := truth[rep.Name]
		require.Len(t, ds, len(res.Periods()))
		for _, d := range ds {
			cur := res.Current(d.Period.String())
			assert.Equal(t, cur.Version, d.Version, "%s %s", rep.Name, d.Period)
			rd, err := r.Open(ctx, d)
			require.NoError(t, err)
			got, err := sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
			require.NoError(t, err)
			equalTruth(t, got, cur)
		}
	}
	kinds := map[string]int{}
	for _, e := range h.Events() {
		kinds[e.Kind.String()]++
	}
	assert.Equal(t, map[string]int{"connection reset": 9, "503 SlowDown": 2, "500 InternalError": 2}, kinds, "every fault fired: %v", h.Events())
}

// TestResolveGivesUpNamingTheKey: when the network never lets a listing or
// a manifest through, resolution fails after its bounded retries with a
// typed error that names the prefix or the key.
func TestResolveGivesUpNamingTheKey(t *testing.T) {
	ctx := t.Context()
	sink := curtest.NewMapSink()
	_, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "rep", Prefix: "cur", Bucket: testBucket, Rows: 5, Seed: 3})
	require.NoError(t, err)

	t.Run("listing", func(t *testing.T) {
		_, s := gofakes3Backend(t, objects(sink.Objects()))
		var h *faults.Handler
		s.Wrap(func(next http.Handler) http.Handler {
			if h == nil {
				h = faults.New(next, 1, faults.Rule{Kind: faults.ResetAfter, QueryContains: "list-type=2", AfterBytes: 10, Times: 1000})
			}
			return h
		})
		_, err := New(s.Client, testBucket, fastRetry).Reports(ctx, "cur")
		var le *ListError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "cur/", le.Prefix)
		assert.Less(t, len(h.Events()), 30, "bounded retries")
	})
	t.Run("manifest", func(t *testing.T) {
		_, s := gofakes3Backend(t, objects(sink.Objects()))
		r := New(s.Client, testBucket, fastRetry, func(o *Options) { o.MaxRetries = 2 })
		rep, err := r.Find(ctx, "cur", "rep")
		require.NoError(t, err)
		var h *faults.Handler
		s.Wrap(func(next http.Handler) http.Handler {
			if h == nil {
				// Cut before the first byte: no progress, so no resume helps.
				h = faults.New(next, 1, faults.Rule{Kind: faults.ResetAfter, PathContains: "Manifest.json", AfterBytes: 0, Times: 1000})
			}
			return h
		})
		_, err = r.Latest(ctx, rep)
		var me *ManifestError
		require.ErrorAs(t, err, &me)
		assert.Contains(t, me.Key, "rep-Manifest.json")
		assert.Contains(t, err.Error(), me.Key)
		assert.Equal(t, 3, len(h.Events()), "the first GET and two retries, then it gives up")
	})
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

// TestParquetSurvivesFaults: ranged GETs of Parquet files cut at random
// offsets, answered 503 SlowDown or 500 are retried; the totals stay
// exact, or the error is a *FileError naming a file of the delivery.
func TestParquetSurvivesFaults(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 3, Rows: 3000, Seed: 11}, true)
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
				rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c))
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

// TestParquetChangedMidRead: the Parquet object is replaced between the
// ranged GETs of one read: ErrObjectChanged, naming the file.
func TestParquetChangedMidRead(t *testing.T) {
	for _, c := range []int{1, 2} {
		t.Run(fmt.Sprint("c", c), func(t *testing.T) {
			g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 2, Rows: 2000, Seed: 9}, true)
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
			rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c))
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

// TestParquetReadAtFails: a local Parquet file whose random-access reads
// fail partway ends in a *FileError carrying the I/O error, not
// curerr.ErrMalformed.
func TestParquetReadAtFails(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 2, Rows: 500, Seed: 2}, false)
	key := g.fsD.Files[1].Key
	size := int64(len(g.m[key].Data))
	for _, after := range []int{0, 1, 2, 3, 5, 8} {
		t.Run(fmt.Sprint("after", after), func(t *testing.T) {
			fsys := failingAtFS{g.m, key, after}
			rd, err := openFS(t.Context(), fsys, g.fsD, concurrency(1))
			require.NoError(t, err)
			got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
			if err == nil {
				// Few enough reads to never reach the failure.
				equalTruth(t, got, g.cur)
				return
			}
			fe := requireFileError(t, err, key)
			assert.Equal(t, key, fe.File)
			assert.ErrorIs(t, err, errDisk)
			assert.NotErrorIs(t, err, curerr.ErrMalformed, "size %d", size)
			assert.Less(t, got.rows, g.cur.Rows)
		})
	}
}

// failingAtFS fails the ReadAt calls of one file after the first n.
type failingAtFS struct {
	m    fstest.MapFS
	name string
	n    int
}

func (f failingAtFS) Open(name string) (fs.File, error) {
	file, err := f.m.Open(name)
	if err != nil || name != f.name {
		return file, err
	}
	return &failingAt{File: file, ra: file.(io.ReaderAt), left: f.n}, nil
}

type failingAt struct {
	fs.File
	ra   io.ReaderAt
	left int
}

func (f *failingAt) ReadAt(p []byte, off int64) (int, error) {
	if f.left == 0 {
		return 0, errDisk
	}
	f.left--
	return f.ra.ReadAt(p, off)
}
