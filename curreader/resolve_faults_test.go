package curreader

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/internal/faults"
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
