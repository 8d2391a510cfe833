package curreader

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curtest"
)

func generate(t *testing.T, prefix string) (objects, []*curtest.Result) {
	t.Helper()
	sink := curtest.NewMapSink()
	var results []*curtest.Result
	for i, spec := range generatedLayouts(prefix) {
		if spec.Athena && prefix == "" {
			continue // AWS requires a prefix for the Athena integration
		}
		spec.Prefix, spec.Bucket, spec.Seed, spec.Rows = prefix, testBucket, uint64(i+1), 5
		res, err := curtest.Generate(t.Context(), sink, spec)
		require.NoError(t, err, spec.Name)
		results = append(results, res)
	}
	return objects(sink.Objects()), results
}

// TestResolveGeneratedLayouts resolves every period of every generated
// stream, on every backend, and requires exactly the current delivery
// curtest says it wrote: its version and its data files in manifest order —
// never an incomplete newer folder, a superseded assembly or a stale chunk.
func TestResolveGeneratedLayouts(t *testing.T) {
	bes := backends(t)
	for _, prefix := range []string{"cur", "cost/", ""} {
		o, results := generate(t, prefix)
		for _, be := range bes {
			if be.name == "fs" && prefix == "cost/" {
				// A local copy cannot hold "//": covered by the fs run of
				// TestResolveMixedLayouts with collapsed keys.
				continue
			}
			t.Run(fmt.Sprintf("%s/%q", be.name, prefix), func(t *testing.T) {
				ctx := t.Context()
				r := be.make(t, o)
				reps, err := r.Reports(ctx, prefix)
				require.NoError(t, err)
				byName := map[string]Report{}
				for _, rep := range reps {
					byName[rep.Name] = rep
				}
				require.Len(t, byName, len(results), "every stream, side by side")
				for _, res := range results {
					rep, ok := byName[res.Spec.Name]
					require.True(t, ok, res.Spec.Name)
					periods, err := r.Periods(ctx, rep)
					require.NoError(t, err)
					var got []string
					for _, p := range periods {
						got = append(got, p.String())
					}
					want := res.Periods()
					sort.Strings(want)
					require.Equal(t, want, got, res.Spec.Name)
					for _, p := range periods {
						cur := res.Current(p.String())
						require.NotNil(t, cur, "%s %s", res.Spec.Name, p)
						d, err := r.Resolve(ctx, rep, p.Month)
						require.NoError(t, err, "%s %s", res.Spec.Name, p)
						assert.Equal(t, res.Spec.Kind.String(), string(d.Kind), res.Spec.Name)
						if cur.Version != "" {
							assert.Equal(t, cur.Version, d.Version, "%s %s", res.Spec.Name, p)
						}
						keys := make([]string, len(d.Files))
						for i, f := range d.Files {
							keys[i] = r.st.canon(f.Key)
						}
						wantKeys := make([]string, len(cur.DataKeys))
						for i, k := range cur.DataKeys {
							wantKeys[i] = r.st.canon(k)
						}
						assert.Equal(t, wantKeys, keys, "%s %s", res.Spec.Name, p)
						assert.Equal(t, !res.Spec.AthenaUpdating, d.Ready, res.Spec.Name)
					}
				}
			})
		}
	}
}

// TestChangesOnGeneratedRestatement: a closed month restated after the
// fact shows up in Changes, and only that month.
func TestChangesOnGeneratedRestatement(t *testing.T) {
	ctx := t.Context()
	spec := curtest.Spec{Kind: curtest.LegacyCUR, Name: "rep", Prefix: "cur", Bucket: testBucket, Months: 3, Rows: 3, Seed: 9}
	sink := curtest.NewMapSink()
	before, err := curtest.Generate(ctx, sink, spec)
	require.NoError(t, err)
	r := fsBackend(t, objects(sink.Objects()))
	rep, err := r.Find(ctx, "cur", "rep")
	require.NoError(t, err)
	seen := &SyncState{}
	all, err := r.Latest(ctx, rep)
	require.NoError(t, err)
	for _, d := range all {
		seen.Commit(d)
	}

	spec.Restate = true
	sink2 := curtest.NewMapSink()
	res, err := curtest.Generate(ctx, sink2, spec)
	require.NoError(t, err)
	r = fsBackend(t, objects(sink2.Objects()))
	rep, err = r.Find(ctx, "cur", "rep")
	require.NoError(t, err)
	ch, err := r.Changes(ctx, rep, seen)
	require.NoError(t, err)
	// Expected: the periods whose current version curtest changed (the
	// restated first month, and any whose assembly timestamps moved).
	var want, got []string
	for _, p := range res.Periods() {
		if res.Current(p).Version != before.Current(p).Version {
			want = append(want, p+"="+res.Current(p).Version)
		}
	}
	for _, d := range ch {
		got = append(got, d.Period.String()+"="+d.Version)
	}
	assert.Equal(t, want, got)
	first := res.Periods()[0]
	require.NotEmpty(t, ch)
	assert.Equal(t, first, ch[0].Period.String(), "the restated closed month is reported")
	assert.True(t, res.Current(first).Restated)

	// Nothing changed: nothing to re-read.
	for _, d := range ch {
		seen.Commit(d)
	}
	ch, err = r.Changes(ctx, rep, seen)
	require.NoError(t, err)
	assert.Empty(t, ch)
}
