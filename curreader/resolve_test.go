package curreader

// Finding reports and resolving deliveries: every layout and prefix, the
// manifest that decides the newest complete delivery, the errors that name
// it, what a listing costs, and Changes.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/internal/testutil"
)

var cur2Columns = []string{"bill_billing_period_start_date", "line_item_unblended_cost", "resource_tags"}

var focusColumns = []string{"BilledCost", "ServiceName", "SubAccountId"}

func mixedLayout(t testing.TB, prefix string) objects {
	o := objects{}
	// Legacy create-new: two complete assemblies in March and a third whose
	// data exists but whose delivery has not completed.
	o.addLegacy(t, prefix, "legacy", mar, []string{"20240302T010101Z", "20240303T010101Z", "20240304T010101Z"}, 2, 2)
	// Legacy overwrite: files in the period folder itself.
	root := prefix + "over/" + periodFolder(apr) + "/"
	o[root+"over-00001.csv.zip"] = []byte("zip")
	o[root+"over-Manifest.json"] = legacyManifestJSON(t, "over", "a1b2", apr, root+"over-00001.csv.zip")
	// CUR 2.0 overwrite and FOCUS create-new.
	o.addExport(t, prefix, "cur2", mar, cur2Columns, nil, 3)
	o.addExport(t, prefix, "focus", apr, focusColumns, []string{"exec1", "exec2"}, 1)
	// Athena layout, status UPDATING.
	ath := prefix + "ath/"
	o[ath+"crawler-cfn.yml"] = []byte("cfn")
	o[ath+"ath/year=2024/month=3/ath-00001.snappy.parquet"] = []byte("p1")
	o[ath+"ath/year=2024/month=3/ath-00002.snappy.parquet"] = []byte("p2")
	o[ath+"cost_and_usage_data_status/cost_and_usage_data_status.parquet"] = statusParquet(t, "UPDATING")
	// Noise AWS writes.
	o[prefix+"aws-programmatic-access-test-object"] = []byte("test")
	return o
}

func TestResolveMixedLayouts(t *testing.T) {
	bes := backends(t)
	for _, prefix := range []string{"cur/", "cost//"} {
		for _, be := range bes {
			t.Run(be.name+"/"+prefix, func(t *testing.T) {
				ctx := t.Context()
				r := be.make(t, mixedLayout(t, prefix))
				userPrefix := strings.TrimSuffix(prefix, "/") // "cur", "cost/": as a user would type them
				reps, err := r.Reports(ctx, userPrefix)
				require.NoError(t, err)
				var names []string
				for _, rep := range reps {
					names = append(names, fmt.Sprintf("%s:%s", rep.Name, rep.Layout))
				}
				require.Equal(t, []string{"ath:athena", "cur2:export", "focus:export", "legacy:legacy", "over:legacy"}, names)
				// Each report's prefix is the S3Prefix its definition has (a
				// local copy cannot hold "//", so there "cost/" reads "cost").
				wantPrefix := userPrefix
				if be.name == "fs" {
					wantPrefix = strings.TrimSuffix(userPrefix, "/")
				}
				for _, rep := range reps {
					assert.Equal(t, wantPrefix, rep.Prefix, rep.Name)
				}

				get := func(name string, month time.Time) *Delivery {
					t.Helper()
					var rep Report
					for _, x := range reps {
						if x.Name == name {
							rep = x
						}
					}
					d, err := r.Resolve(ctx, rep, month)
					require.NoError(t, err, name)
					return d
				}
				canon := func(k string) string { return r.st.canon(k) }

				d := get("legacy", mar)
				assert.Equal(t, KindCUR, d.Kind)
				assert.Equal(t, wantPrefix, d.Prefix)
				assert.Equal(t, "20240303T010101Z", d.Version, "the top-level manifest decides, not the newest folder")
				require.Len(t, d.Files, 2)
				assert.Equal(t, canon(prefix+"legacy/20240301-20240401/20240303T010101Z/legacy-00001.csv.gz"), canon(d.Files[0].Key))
				assert.Equal(t, FormatCSV, d.Format)
				assert.Equal(t, CompressionGzip, d.Compression)
				assert.Equal(t, "2024-03", d.Period.String())
				assert.True(t, d.Ready)
				assert.Equal(t, []string{"identity/LineItemId", "lineItem/UnblendedCost"}, []string{d.Columns[0].FullName(), d.Columns[1].FullName()})

				d = get("over", apr)
				assert.Equal(t, "a1b2", d.Version)
				assert.Equal(t, CompressionZip, d.Compression)

				d = get("cur2", mar)
				assert.Equal(t, KindCUR2, d.Kind)
				assert.Len(t, d.Files, 3)
				assert.Equal(t, "exec-overwrite", d.Version)

				d = get("focus", apr)
				assert.Equal(t, KindFOCUS, d.Kind)
				assert.Equal(t, "exec2", d.Version, "the newest execution with a manifest")
				require.Len(t, d.Files, 1)
				assert.Contains(t, d.Files[0].Key, "exec2")
				assert.Equal(t, FormatParquet, d.Format)

				d = get("ath", mar)
				assert.False(t, d.Ready, "status UPDATING")
				assert.Len(t, d.Files, 2)
				assert.Equal(t, LayoutAthena, d.Layout)
			})
		}
	}
}

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

func TestResolveErrors(t *testing.T) {
	base := func(t *testing.T) objects {
		o := objects{}
		o.addLegacy(t, "cur/", "rep", mar, []string{"asm1"}, 1, 1)
		return o
	}
	mkey := "cur/rep/20240301-20240401/rep-Manifest.json"
	cases := []struct {
		name   string
		mutate func(t *testing.T, o objects)
		is     error
		file   string
	}{
		{"no manifest yet", func(t *testing.T, o objects) { delete(o, mkey) }, ErrManifestNotFound, ""},
		{"malformed manifest", func(t *testing.T, o objects) { o[mkey] = []byte(`{"reportKeys": [`) }, ErrMalformedManifest, ""},
		{"no report keys", func(t *testing.T, o objects) { o[mkey] = legacyManifestJSON(t, "rep", "a", mar) }, ErrMalformedManifest, ""},
		{"file missing", func(t *testing.T, o objects) {
			o[mkey] = legacyManifestJSON(t, "rep", "a", mar, "cur/rep/20240301-20240401/asm1/rep-00001.csv.gz", "cur/rep/20240301-20240401/asm1/rep-00009.csv.gz")
		}, ErrFileMissing, "cur/rep/20240301-20240401/asm1/rep-00009.csv.gz"},
		{"other bucket", func(t *testing.T, o objects) {
			o[mkey] = legacyManifestJSON(t, "rep", "a", mar, "s3://other-bucket/cur/rep/x.csv.gz")
		}, ErrManifestEscapes, "s3://other-bucket/cur/rep/x.csv.gz"},
		{"outside prefix", func(t *testing.T, o objects) {
			o[mkey] = legacyManifestJSON(t, "rep", "a", mar, "private/secrets.csv.gz")
		}, ErrManifestEscapes, "private/secrets.csv.gz"},
		{"dot-dot", func(t *testing.T, o objects) {
			o[mkey] = legacyManifestJSON(t, "rep", "a", mar, "cur/rep/../../private/x.csv.gz")
		}, ErrManifestEscapes, "cur/rep/../../private/x.csv.gz"},
		{"odd scheme", func(t *testing.T, o objects) {
			o[mkey] = legacyManifestJSON(t, "rep", "a", mar, "https://evil.example/cur/rep/x.csv.gz")
		}, ErrManifestEscapes, "https://evil.example/cur/rep/x.csv.gz"},
		{"absolute path", func(t *testing.T, o objects) { o[mkey] = legacyManifestJSON(t, "rep", "a", mar, "/etc/passwd") }, ErrManifestEscapes, "/etc/passwd"},
	}
	bes := backends(t)
	for _, tc := range cases {
		for _, be := range bes {
			t.Run(tc.name+"/"+be.name, func(t *testing.T) {
				o := base(t)
				tc.mutate(t, o)
				r := be.make(t, o)
				rep, err := r.Find(t.Context(), "cur", "rep")
				require.NoError(t, err)
				_, err = r.Resolve(t.Context(), rep, mar)
				require.ErrorIs(t, err, tc.is)
				var me *ManifestError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, mkey, me.Key, "the error names the manifest")
				assert.Equal(t, tc.file, me.File)
				assert.Contains(t, err.Error(), mkey)
			})
		}
	}
}

func TestResolveAccessDenied(t *testing.T) {
	o := objects{}
	o.addLegacy(t, "cur/", "rep", mar, []string{"asm1"}, 1, 1)
	r, s := gofakes3Backend(t, o)
	ctx := t.Context()
	rep, err := r.Find(ctx, "cur", "rep")
	require.NoError(t, err)

	s.Deny("cur/rep/20240301-20240401/rep-Manifest.json")
	_, err = r.Resolve(ctx, rep, mar)
	require.ErrorIs(t, err, curerr.ErrAccessDenied)
	var me *ManifestError
	require.ErrorAs(t, err, &me)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae, "the AWS error stays reachable")
	assert.Equal(t, "AccessDenied", ae.ErrorCode())

	s.Deny("cur")
	_, err = r.Reports(ctx, "cur")
	require.ErrorIs(t, err, curerr.ErrAccessDenied)
	var le *ListError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "cur/", le.Prefix)
}

func TestFindUnknownReport(t *testing.T) {
	r := fsBackend(t, mixedLayout(t, "cur/"))
	_, err := r.Find(t.Context(), "cur", "nope")
	require.ErrorIs(t, err, ErrReportNotFound)
	require.ErrorIs(t, err, curerr.ErrNotFound)
	rep, err := r.Find(t.Context(), "cur", "legacy")
	require.NoError(t, err)
	_, err = r.Resolve(t.Context(), rep, apr)
	require.ErrorIs(t, err, ErrPeriodNotFound)
}

func TestReportRootAsPrefix(t *testing.T) {
	r := fsBackend(t, mixedLayout(t, "cur/"))
	reps, err := r.Reports(t.Context(), "cur/legacy")
	require.NoError(t, err)
	require.Len(t, reps, 1)
	assert.Equal(t, "legacy", reps[0].Name)
}

func TestEmptyPrefix(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			r := be.make(t, mixedLayout(t, ""))
			reps, err := r.Reports(t.Context(), "")
			require.NoError(t, err)
			assert.Len(t, reps, 5)
		})
	}
}

func TestManyObjectsAndFewRequests(t *testing.T) {
	// 36 monthly periods of a create-new legacy report, each with a
	// superseded assembly, plus 1,300 files in one period: far more than
	// one listing page.
	o := objects{}
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 36; i++ {
		o.addLegacy(t, "cur/", "big", start.AddDate(0, i, 0), []string{"old", "new"}, 3, 2)
	}
	o.addLegacy(t, "cur/", "big", start.AddDate(0, 36, 0), []string{"huge"}, 1300, 1)
	require.Greater(t, len(o), 1500)

	r, s := gofakes3Backend(t, o)
	ctx := t.Context()
	reps, err := r.Reports(ctx, "cur")
	require.NoError(t, err)
	require.Len(t, reps, 1)
	all, err := r.Latest(ctx, reps[0])
	require.NoError(t, err)
	require.Len(t, all, 37)
	for _, d := range all[:36] {
		require.Equal(t, "new", d.Version)
		require.Len(t, d.Files, 3)
	}
	require.Len(t, all[36].Files, 1300, "every listed file, across listing pages")
	reqs := s.Total()
	t.Logf("37 periods, %d objects: %d requests %v", len(o), reqs, s.Requests())
	// 1 delimiter listing + 2 pages of the report's subtree + 37 manifests.
	assert.LessOrEqual(t, reqs, 40+1)

	// 36 periods alone: at most 40 requests.
	o2 := objects{}
	for i := 0; i < 36; i++ {
		o2.addLegacy(t, "cur/", "r36", start.AddDate(0, i, 0), []string{"a", "b"}, 4, 2)
	}
	r2, s2 := gofakes3Backend(t, o2)
	reps, err = r2.Reports(ctx, "cur")
	require.NoError(t, err)
	all, err = r2.Latest(ctx, reps[0])
	require.NoError(t, err)
	require.Len(t, all, 36)
	assert.LessOrEqual(t, s2.Total(), 40, "%v", s2.Requests())
}

func TestPagingWithSmallPages(t *testing.T) {
	o := mixedLayout(t, "cur/")
	s := testutil.NewS3(t, testBucket)
	for k, v := range o {
		s.Put(t, testBucket, k, v)
	}
	small := New(s.Client, testBucket, func(o *Options) { o.PageSize = 2 })
	big := New(s.Client, testBucket)
	ctx := t.Context()
	a, err := small.Reports(ctx, "cur")
	require.NoError(t, err)
	b, err := big.Reports(ctx, "cur")
	require.NoError(t, err)
	require.Equal(t, len(b), len(a))
	for i := range a {
		da, err := small.Latest(ctx, a[i])
		require.NoError(t, err)
		db, err := big.Latest(ctx, b[i])
		require.NoError(t, err)
		require.Equal(t, db, da, a[i].Name)
	}
}

func TestChanges(t *testing.T) {
	o := objects{}
	o.addLegacy(t, "cur/", "rep", mar, []string{"m1"}, 1, 1)
	o.addLegacy(t, "cur/", "rep", apr, []string{"a1"}, 1, 1)
	r := fsBackend(t, o)
	ctx := t.Context()
	rep, err := r.Find(ctx, "cur", "rep")
	require.NoError(t, err)
	ch, err := r.Changes(ctx, rep, nil)
	require.NoError(t, err)
	require.Len(t, ch, 2, "everything is new the first time")
	seen := &SyncState{}
	for _, d := range ch {
		seen.Commit(d)
	}
	// The state survives a round trip through its JSON form.
	data, err := json.Marshal(seen)
	require.NoError(t, err)
	seen = &SyncState{}
	require.NoError(t, json.Unmarshal(data, seen))
	ch, err = r.Changes(ctx, rep, seen)
	require.NoError(t, err)
	require.Empty(t, ch)

	// AWS restates March after a refund: a new assembly.
	o.addLegacy(t, "cur/", "rep", mar, []string{"m1", "m2"}, 1, 2)
	r = fsBackend(t, o)
	rep, err = r.Find(ctx, "cur", "rep")
	require.NoError(t, err)
	ch, err = r.Changes(ctx, rep, seen)
	require.NoError(t, err)
	require.Len(t, ch, 1)
	assert.Equal(t, "2024-03", ch[0].Period.String())
	assert.Equal(t, "m2", ch[0].Version)
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
