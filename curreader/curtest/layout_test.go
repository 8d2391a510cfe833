package curtest

import (
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	tsRE   = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z$`)
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	execRE = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// expand replaces {P.N} in a key template with the version folder of
// delivery N of period P ("2024-03.0"): the assemblyId for legacy reports,
// <timestamp>-<executionId> for exports.
func expand(t *testing.T, res *Result, tmpl string) string {
	t.Helper()
	re := regexp.MustCompile(`\{([0-9]{4}-[0-9]{2})\.([0-9]+)\}`)
	return re.ReplaceAllStringFunc(tmpl, func(m string) string {
		sub := re.FindStringSubmatch(m)
		for _, d := range res.Deliveries {
			if d.Period == sub[1] && strconv.Itoa(d.Seq) == sub[2] {
				if d.Kind == LegacyCUR {
					return d.Version
				}
				return d.Delivered.UTC().Format("20060102T150405Z") + "-" + d.Version
			}
		}
		t.Fatalf("template %s: no delivery %s", tmpl, m)
		return ""
	})
}

// TestLayouts writes every layout and compares the keys with hand-written
// lists taken from the reference (§2.2–2.5, §4.3).
func TestLayouts(t *testing.T) {
	cases := []struct {
		name    string
		spec    Spec
		want    []string
		version *regexp.Regexp
	}{
		{
			name:    "legacy create-new gzip, two assemblies of two files",
			spec:    Spec{Kind: LegacyCUR, Name: "acme-cur", Prefix: "cur", Versions: 2, Files: 2, Rows: 3},
			version: tsRE,
			want: []string{
				"cur/acme-cur/20240301-20240401/{2024-03.0}/acme-cur-00001.csv.gz",
				"cur/acme-cur/20240301-20240401/{2024-03.0}/acme-cur-00002.csv.gz",
				"cur/acme-cur/20240301-20240401/{2024-03.0}/acme-cur-Manifest.json",
				"cur/acme-cur/20240301-20240401/{2024-03.1}/acme-cur-00001.csv.gz",
				"cur/acme-cur/20240301-20240401/{2024-03.1}/acme-cur-00002.csv.gz",
				"cur/acme-cur/20240301-20240401/{2024-03.1}/acme-cur-Manifest.json",
				"cur/acme-cur/20240301-20240401/acme-cur-Manifest.json",
			},
		},
		{
			name: "legacy overwrite gzip at the bucket root, two months (December to January)",
			spec: Spec{Kind: LegacyCUR, Name: "r", Versioning: Overwrite, Start: "2023-12", Months: 2, Rows: 3},
			want: []string{
				"r/20231201-20240101/r-00001.csv.gz",
				"r/20231201-20240101/r-Manifest.json",
				"r/20240101-20240201/r-00001.csv.gz",
				"r/20240101-20240201/r-Manifest.json",
			},
			version: tsRE,
		},
		{
			name: "legacy create-new zip, old style: UUID assembly, unpadded numbers, Redshift, access test object",
			spec: Spec{Kind: LegacyCUR, Name: "old", Prefix: "billing/reports", Format: CSVZip, UUIDAssemblies: true,
				UnpaddedNumbers: true, Redshift: true, AccessTestObject: true, Files: 2, Rows: 3},
			version: uuidRE,
			want: []string{
				"billing/reports/aws-programmatic-access-test-object",
				"billing/reports/old/20240301-20240401/{2024-03.0}/old-1.csv.zip",
				"billing/reports/old/20240301-20240401/{2024-03.0}/old-2.csv.zip",
				"billing/reports/old/20240301-20240401/{2024-03.0}/old-Manifest.json",
				"billing/reports/old/20240301-20240401/{2024-03.0}/old-RedshiftCommands.sql",
				"billing/reports/old/20240301-20240401/{2024-03.0}/old-RedshiftManifest.json",
				"billing/reports/old/20240301-20240401/old-Manifest.json",
			},
		},
		{
			name:    "legacy Athena Parquet, two months, month not zero-padded",
			spec:    Spec{Kind: LegacyCUR, Name: "athena-cur", Prefix: "cur", Versioning: Overwrite, Format: Parquet, Athena: true, Start: "2024-09", Months: 2, Rows: 3},
			version: tsRE,
			want: []string{
				"cur/athena-cur/athena-cur/year=2024/month=10/athena-cur-00001.snappy.parquet",
				"cur/athena-cur/athena-cur/year=2024/month=10/athena-cur-Manifest.json",
				"cur/athena-cur/athena-cur/year=2024/month=9/athena-cur-00001.snappy.parquet",
				"cur/athena-cur/athena-cur/year=2024/month=9/athena-cur-Manifest.json",
				"cur/athena-cur/cost_and_usage_data_status/cost_and_usage_data_status.parquet",
				"cur/athena-cur/crawler-cfn.yml",
			},
		},
		{
			name:    "legacy Parquet create-new without Athena",
			spec:    Spec{Kind: LegacyCUR, Name: "test-managment-cur", Prefix: "parquet", Format: Parquet, Rows: 3},
			version: tsRE,
			want: []string{
				"parquet/test-managment-cur/20240301-20240401/{2024-03.0}/test-managment-cur-00001.snappy.parquet",
				"parquet/test-managment-cur/20240301-20240401/{2024-03.0}/test-managment-cur-Manifest.json",
				"parquet/test-managment-cur/20240301-20240401/test-managment-cur-Manifest.json",
			},
		},
		{
			name:    "CUR 2.0 overwrite gzip under a prefix ending in / (double slash)",
			spec:    Spec{Kind: CUR2, Name: "sample-data-export", Prefix: "cost/", Versioning: Overwrite, Start: "2024-05", Rows: 3},
			version: uuidRE,
			want: []string{
				"cost//sample-data-export/data/BILLING_PERIOD=2024-05/sample-data-export-00001.csv.gz",
				"cost//sample-data-export/metadata/BILLING_PERIOD=2024-05/sample-data-export-Manifest.json",
			},
		},
		{
			name:    "CUR 2.0 create-new Parquet, two executions",
			spec:    Spec{Kind: CUR2, Name: "acme-cur2", Prefix: "exports", Format: Parquet, Versions: 2, Rows: 3},
			version: uuidRE,
			want: []string{
				"exports/acme-cur2/data/BILLING_PERIOD=2024-03/{2024-03.0}/acme-cur2-00001.snappy.parquet",
				"exports/acme-cur2/data/BILLING_PERIOD=2024-03/{2024-03.1}/acme-cur2-00001.snappy.parquet",
				"exports/acme-cur2/metadata/BILLING_PERIOD=2024-03/{2024-03.0}/acme-cur2-Manifest.json",
				"exports/acme-cur2/metadata/BILLING_PERIOD=2024-03/{2024-03.1}/acme-cur2-Manifest.json",
				"exports/acme-cur2/metadata/BILLING_PERIOD=2024-03/acme-cur2-Manifest.json",
			},
		},
		{
			name:    "CUR 2.0 overwrite refresh that shrinks from three chunks to one",
			spec:    Spec{Kind: CUR2, Name: "c2", Prefix: "p", Versioning: Overwrite, Versions: 2, ShrinkBy: 2, Rows: 3},
			version: uuidRE,
			want: []string{
				"p/c2/data/BILLING_PERIOD=2024-03/c2-00001.csv.gz",
				"p/c2/data/BILLING_PERIOD=2024-03/c2-00002.csv.gz",
				"p/c2/data/BILLING_PERIOD=2024-03/c2-00003.csv.gz",
				"p/c2/metadata/BILLING_PERIOD=2024-03/c2-Manifest.json",
			},
		},
		{
			name:    "FOCUS 1.0 create-new with an incomplete newest execution",
			spec:    Spec{Kind: FOCUS10, Name: "focus", Prefix: "p", Incomplete: true, Rows: 3},
			version: uuidRE,
			want: []string{
				"p/focus/data/BILLING_PERIOD=2024-03/{2024-03.0}/focus-00001.csv.gz",
				"p/focus/data/BILLING_PERIOD=2024-03/{2024-03.1}/focus-00001.csv.gz",
				"p/focus/metadata/BILLING_PERIOD=2024-03/{2024-03.0}/focus-Manifest.json",
				"p/focus/metadata/BILLING_PERIOD=2024-03/focus-Manifest.json",
			},
		},
		{
			name:    "FOCUS 1.2 overwrite Parquet with a restated closed month",
			spec:    Spec{Kind: FOCUS12, Name: "f12", Prefix: "p", Versioning: Overwrite, Format: Parquet, Months: 2, Restate: true, Rows: 3},
			version: uuidRE,
			want: []string{
				"p/f12/data/BILLING_PERIOD=2024-03/f12-00001.snappy.parquet",
				"p/f12/data/BILLING_PERIOD=2024-04/f12-00001.snappy.parquet",
				"p/f12/metadata/BILLING_PERIOD=2024-03/f12-Manifest.json",
				"p/f12/metadata/BILLING_PERIOD=2024-04/f12-Manifest.json",
			},
		},
		{
			name:    "legacy create-new with a restated closed month",
			spec:    Spec{Kind: LegacyCUR, Name: "r", Prefix: "p", Months: 2, Restate: true, Rows: 3},
			version: tsRE,
			want: []string{
				"p/r/20240301-20240401/{2024-03.0}/r-00001.csv.gz",
				"p/r/20240301-20240401/{2024-03.0}/r-Manifest.json",
				"p/r/20240301-20240401/{2024-03.1}/r-00001.csv.gz",
				"p/r/20240301-20240401/{2024-03.1}/r-Manifest.json",
				"p/r/20240301-20240401/r-Manifest.json",
				"p/r/20240401-20240501/{2024-04.0}/r-00001.csv.gz",
				"p/r/20240401-20240501/{2024-04.0}/r-Manifest.json",
				"p/r/20240401-20240501/r-Manifest.json",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := NewMapSink()
			res, err := Generate(t.Context(), sink, tc.spec)
			require.NoError(t, err)
			var want []string
			for _, k := range tc.want {
				want = append(want, expand(t, res, k))
			}
			sort.Strings(want)
			assert.Equal(t, want, res.Keys, "keys in the result")
			assert.Equal(t, want, sink.Keys(), "keys in the sink")
			for _, d := range res.Deliveries {
				assert.Regexp(t, tc.version, d.Version)
				if d.Kind != LegacyCUR && tc.spec.Versioning == CreateNew {
					assert.Regexp(t, execRE, expand(t, res, "{"+d.Period+"."+strconv.Itoa(d.Seq)+"}"))
				}
				for _, k := range append(append([]string{}, d.DataKeys...), d.ArtifactKeys...) {
					assert.Contains(t, res.Keys, k)
				}
			}
		})
	}
}

// TestVersionsAndCurrent checks which delivery each top-level manifest
// points at, in every versioning mode and with each extra.
func TestVersionsAndCurrent(t *testing.T) {
	t.Run("create-new: the newest assembly is current, all stay in the bucket", func(t *testing.T) {
		res, err := Generate(t.Context(), NewMapSink(), Spec{Kind: LegacyCUR, Name: "r", Versions: 3, Rows: 2})
		require.NoError(t, err)
		require.Len(t, res.Deliveries, 3)
		for i, d := range res.Deliveries {
			assert.Equal(t, i == 2, d.Current)
			assert.True(t, d.InBucket)
			assert.True(t, d.Complete)
			assert.Equal(t, "r/20240301-20240401/r-Manifest.json", d.TopManifestKey)
			assert.Equal(t, "r/20240301-20240401/"+d.Version+"/r-Manifest.json", d.ManifestKey)
			if i > 0 {
				assert.True(t, d.Delivered.After(res.Deliveries[i-1].Delivered))
			}
		}
		assert.Same(t, res.Deliveries[2], res.Current("2024-03"))
		assert.Nil(t, res.Current("2024-04"))
	})
	t.Run("overwrite: only the last refresh is in the bucket", func(t *testing.T) {
		res, err := Generate(t.Context(), NewMapSink(), Spec{Kind: CUR2, Name: "e", Versioning: Overwrite, Versions: 3, Rows: 2})
		require.NoError(t, err)
		for i, d := range res.Deliveries {
			assert.Equal(t, i == 2, d.Current)
			assert.Equal(t, i == 2, d.InBucket)
			assert.Equal(t, d.TopManifestKey, d.ManifestKey)
		}
		assert.Equal(t, 3*2, res.Puts, "three refreshes of one data file and one manifest")
	})
	t.Run("incomplete: the top-level manifest still points at the previous delivery", func(t *testing.T) {
		res, err := Generate(t.Context(), NewMapSink(), Spec{Kind: LegacyCUR, Name: "r", Versions: 2, Incomplete: true, Rows: 2})
		require.NoError(t, err)
		require.Len(t, res.Deliveries, 3)
		last := res.Deliveries[2]
		assert.False(t, last.Complete)
		assert.False(t, last.Current)
		assert.Empty(t, last.ManifestKey)
		assert.Equal(t, "r/20240301-20240401/r-Manifest.json", last.TopManifestKey)
		assert.NotContains(t, res.Keys, "r/20240301-20240401/"+last.Version+"/r-Manifest.json")
		assert.Contains(t, res.Keys, last.DataKeys[0])
		assert.Same(t, res.Deliveries[1], res.Current("2024-03"))
	})
	t.Run("restate: a later delivery of the closed month with other totals", func(t *testing.T) {
		res, err := Generate(t.Context(), NewMapSink(), Spec{Kind: CUR2, Name: "e", Months: 3, Restate: true, Rows: 10})
		require.NoError(t, err)
		assert.Equal(t, []string{"2024-03", "2024-04", "2024-05"}, res.Periods())
		cur := res.Current("2024-03")
		require.NotNil(t, cur)
		assert.True(t, cur.Restated)
		assert.Equal(t, 1, cur.Seq)
		first := res.Deliveries[0]
		assert.False(t, first.Current)
		assert.NotEqual(t, first.Total, cur.Total)
		assert.True(t, cur.Delivered.After(first.Delivered))
		assert.True(t, cur.Delivered.After(cur.Delivered.AddDate(0, 0, -1)))
		assert.Equal(t, "2024-04", first.Delivered.Format("2006-01"), "the closed month's regular delivery comes after it ends")
	})
	t.Run("shrink: stale chunks are left, listed as stale, not as data", func(t *testing.T) {
		for _, empty := range []bool{false, true} {
			sink := NewMapSink()
			res, err := Generate(t.Context(), sink, Spec{Kind: CUR2, Name: "e", Prefix: "p", Versioning: Overwrite, Versions: 2, Files: 2, ShrinkBy: 1, StaleEmpty: empty, Rows: 4})
			require.NoError(t, err)
			cur := res.Current("2024-03")
			require.NotNil(t, cur)
			assert.Len(t, cur.DataKeys, 2)
			assert.Equal(t, []string{"p/e/data/BILLING_PERIOD=2024-03/e-00003.csv.gz"}, cur.StaleKeys)
			assert.Len(t, res.Deliveries[0].DataKeys, 3)
			rows := csvRows(t, mustGet(t, sink, cur.StaleKeys[0]), CSVGzip)
			if empty {
				assert.Len(t, rows, 1, "header only")
			} else {
				assert.Len(t, rows, 5, "the earlier refresh's header and rows")
			}
		}
	})
}
