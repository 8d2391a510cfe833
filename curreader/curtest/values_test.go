package curtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func digest(t *testing.T, spec Spec) string {
	t.Helper()
	sink := NewMapSink()
	_, err := Generate(t.Context(), sink, spec)
	require.NoError(t, err)
	h := sha256.New()
	for _, k := range sink.Keys() {
		b, _ := sink.Get(k)
		fmt.Fprintf(h, "%s\x00%d\x00", k, len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	for _, s := range []Spec{
		{Kind: LegacyCUR, Name: "r", Versions: 2, Files: 2, Rows: 30, Redshift: true},
		{Kind: LegacyCUR, Name: "z", Format: CSVZip, Rows: 30},
		{Kind: LegacyCUR, Name: "a", Prefix: "p", Format: Parquet, Athena: true, Versioning: Overwrite, Rows: 30},
		{Kind: CUR2, Name: "c", Format: Parquet, Width: Wide, Versions: 2, Rows: 30},
		{Kind: FOCUS12, Name: "f", Months: 2, Restate: true, Rows: 30},
	} {
		t.Run(s.Name, func(t *testing.T) {
			a := digest(t, s)
			assert.Equal(t, a, digest(t, s), "same spec, same bytes")
			s2 := s
			s2.Seed = 42
			assert.NotEqual(t, a, digest(t, s2), "another seed, other data")
		})
	}
}

func TestSpecValidation(t *testing.T) {
	cases := []struct {
		name   string
		spec   Spec
		fields []string
	}{
		{"no name", Spec{}, []string{"Name"}},
		{"name with a space", Spec{Name: "a b"}, []string{"Name"}},
		{"bad prefix, bucket, account, start", Spec{Name: "r", Prefix: "a b", Bucket: "B", Account: "123", Start: "2024-3"}, []string{"Prefix", "Bucket", "Account", "Start"}},
		{"zip export", Spec{Kind: CUR2, Name: "e", Format: CSVZip}, []string{"Format"}},
		{"athena needs parquet, overwrite, prefix", Spec{Name: "r", Athena: true}, []string{"Athena"}},
		{"athena updating without athena", Spec{Name: "r", AthenaUpdating: true}, []string{"AthenaUpdating"}},
		{"redshift with parquet", Spec{Name: "r", Format: Parquet, Redshift: true}, []string{"Redshift"}},
		{"redshift on an export", Spec{Kind: CUR2, Name: "e", Redshift: true}, []string{"Redshift"}},
		{"uuid assemblies on an export", Spec{Kind: FOCUS10, Name: "e", UUIDAssemblies: true}, []string{"UUIDAssemblies"}},
		{"shrink needs overwrite and versions", Spec{Kind: CUR2, Name: "e", ShrinkBy: 1}, []string{"ShrinkBy"}},
		{"stale empty needs shrink", Spec{Kind: CUR2, Name: "e", StaleEmpty: true}, []string{"StaleEmpty"}},
		{"incomplete needs create-new", Spec{Kind: CUR2, Name: "e", Versioning: Overwrite, Incomplete: true}, []string{"Incomplete"}},
		{"schema drift on an export", Spec{Kind: CUR2, Name: "e", SchemaDrift: true}, []string{"SchemaDrift"}},
		{"restate needs two months", Spec{Name: "r", Restate: true}, []string{"Restate"}},
		{"too many empty files", Spec{Name: "r", Files: 2, EmptyFiles: 3}, []string{"EmptyFiles"}},
		{"negative counts", Spec{Name: "r", Months: -1, Versions: -1, Files: -1, Rows: -1}, []string{"Months", "Versions", "Files", "Rows"}},
		{"unknown enums", Spec{Kind: Kind(9), Name: "r", Versioning: Versioning(5), Format: FileType(7), Width: Width(3), Numbers: Numbers(8)}, []string{"Kind", "Versioning", "Format", "Width", "Numbers"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := NewMapSink()
			res, err := Generate(t.Context(), sink, tc.spec)
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Empty(t, sink.Keys(), "nothing written")
			for _, f := range tc.fields {
				assert.Contains(t, err.Error(), "curtest: spec "+f+":")
			}
		})
	}
}

func TestNumberNotations(t *testing.T) {
	cases := []struct {
		units        int64
		short, fixed string
	}{
		{0, "0.0", "0.0000000000"},
		{unit, "1.0", "1.0000000000"},
		{3466 * unit, "3466.0", "3466.0000000000"},
		{51142167, "0.0051142167", "0.0051142167"},
		{110000, "1.1E-5", "0.0000110000"},
		{465, "4.65E-8", "0.0000000465"},
		{1925000, "1.925E-4", "0.0001925000"},
		{1, "1.0E-10", "0.0000000001"},
		{10000000, "0.001", "0.0010000000"},
		{9999999, "9.999999E-4", "0.0009999999"},
		{-110000, "-1.1E-5", "-0.0000110000"},
		{-12345 * unit / 10, "-1234.5", "-1234.5000000000"},
		{12345678 * unit, "1.2345678E7", "12345678.0000000000"},
		{200000000, "0.02", "0.0200000000"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.short, fmtShort(tc.units), "short %d", tc.units)
		assert.Equal(t, tc.fixed, fmtFixed(tc.units), "fixed %d", tc.units)
		// both are the exact value
		want := new(big.Rat).SetFrac64(tc.units, unit)
		for _, s := range []string{tc.short, tc.fixed} {
			got, ok := new(big.Rat).SetString(s)
			require.True(t, ok, s)
			assert.Zero(t, want.Cmp(got), s)
		}
	}
	for _, tc := range []struct {
		v    *big.Int
		want string
	}{
		{big.NewInt(0), "0"},
		{big.NewInt(125 * unit / 10), "12.5"},
		{big.NewInt(-1000000), "-0.0001"},
		{new(big.Int).Mul(big.NewInt(1<<62), big.NewInt(1000)), "461168601842.7387904"},
	} {
		assert.Equal(t, tc.want, fmtPlain(tc.v))
	}
}

func TestAccumulatorDoesNotOverflow(t *testing.T) {
	var a acc
	want := new(big.Int)
	for range 10 {
		a.add(1 << 62)
		want.Add(want, big.NewInt(1<<62))
		a.add(-(1 << 60))
		want.Sub(want, big.NewInt(1<<60))
	}
	assert.Zero(t, want.Cmp(a.value()))
}

// cellStats gathers what a legacy CSV delivery contains.
func legacyCells(t *testing.T, spec Spec) (header []string, rows [][]string) {
	t.Helper()
	sink := NewMapSink()
	res, err := Generate(t.Context(), sink, spec)
	require.NoError(t, err)
	for _, d := range res.Deliveries {
		for _, k := range d.DataKeys {
			recs := csvRows(t, mustGet(t, sink, k), spec.Format)
			header = recs[0]
			rows = append(rows, recs[1:]...)
		}
	}
	return header, rows
}

// TestRealisticValues checks the value shapes the reference (§6, §7) and
// the real sample call for.
func TestRealisticValues(t *testing.T) {
	header, rows := legacyCells(t, Spec{Kind: LegacyCUR, Name: "r", Width: Wide, Rows: 400})
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	values := func(name string) map[string]bool {
		i, ok := col[name]
		require.True(t, ok, name)
		m := map[string]bool{}
		for _, r := range rows {
			m[r[i]] = true
		}
		return m
	}
	has := func(name string, re string) {
		t.Helper()
		rx := regexp.MustCompile(re)
		for v := range values(name) {
			if rx.MatchString(v) {
				return
			}
		}
		t.Errorf("%s: no value matches %s", name, re)
	}
	all := func(name string, re string) {
		t.Helper()
		rx := regexp.MustCompile(re)
		for v := range values(name) {
			assert.Regexp(t, rx, v, name)
		}
	}
	all("identity/TimeInterval", `^\d{4}-\d\d-\d\dT\d\d:00:00Z/\d{4}-\d\d-\d\dT\d\d:00:00Z$`)
	all("bill/BillingPeriodStartDate", `^2024-03-01T00:00:00\.000Z$`)
	all("bill/BillingPeriodEndDate", `^2024-04-01T00:00:00\.000Z$`)
	all("lineItem/UsageStartDate", `^2024-03-\d\dT\d\d:00:00\.000Z$`)
	all("bill/PayerAccountId", `^111122223333$`)
	all("lineItem/UsageAccountId", `^\d{12}$`)
	has("lineItem/UsageAccountId", `^0`)
	number := `^-?(\d+\.\d+|\d\.\d+E-?\d+)$`
	all("lineItem/UnblendedCost", number)
	all("lineItem/UsageAmount", number)
	has("lineItem/UnblendedCost", `^0\.0$`)
	has("lineItem/UnblendedCost", `E-\d+$`)
	has("lineItem/UnblendedCost", `^\d+\.\d{10}$`)
	has("lineItem/UnblendedCost", `^-`)
	has("lineItem/UnblendedRate", `^$`)
	has("lineItem/LegalEntity", `, Inc\.$`)
	has("lineItem/LineItemDescription", `\d,\d{3}`)
	has("lineItem/ResourceId", `^i-0[0-9a-f]{16}$`)
	has("lineItem/ResourceId", `^$`)
	has("resourceTags/user:Team", `^$`)
	has("resourceTags/user:Team", `^platform$`)
	for _, p := range []string{"AmazonEC2", "AmazonS3", "AWSDataTransfer", "awskms"} {
		assert.True(t, values("lineItem/ProductCode")[p], p)
	}
	types := values("lineItem/LineItemType")
	for _, lt := range []string{"Usage", "Tax", "Credit", "DiscountedUsage", "SavingsPlanCoveredUsage"} {
		assert.True(t, types[lt], lt)
	}
	assert.GreaterOrEqual(t, len(header), 140, "wide legacy report")
	assert.LessOrEqual(t, len(header), 160)

	// tax rows: no usage type, a tax type, the whole month
	for _, r := range rows {
		if r[col["lineItem/LineItemType"]] == "Tax" {
			assert.Empty(t, r[col["lineItem/UsageType"]])
			assert.NotEmpty(t, r[col["lineItem/TaxType"]])
			assert.Equal(t, "2024-04-01T00:00:00.000Z", r[col["lineItem/UsageEndDate"]])
		}
	}

	nh, _ := legacyCells(t, Spec{Kind: LegacyCUR, Name: "r", Rows: 1})
	assert.InDelta(t, 40, len(nh), 5, "narrow legacy report")
	assert.InDelta(t, 40, len(cur2Columns(Narrow)), 5, "narrow CUR 2.0")
	assert.Greater(t, len(cur2Columns(Wide)), 110, "wide CUR 2.0 (all documented columns but split-cost ones)")
}

func TestCUR2CSVMapsAreJSON(t *testing.T) {
	sink := NewMapSink()
	res, err := Generate(t.Context(), sink, Spec{Kind: CUR2, Name: "e", Width: Wide, Rows: 50})
	require.NoError(t, err)
	d := res.Current("2024-03")
	recs := csvRows(t, mustGet(t, sink, d.DataKeys[0]), CSVGzip)
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	seenTag := false
	for _, r := range recs[1:] {
		for _, c := range []string{"product", "resource_tags", "cost_category", "discount"} {
			var m map[string]any
			require.NoError(t, jsonUnmarshal(r[idx[c]], &m), "%s: %q", c, r[idx[c]])
		}
		var tags map[string]string
		require.NoError(t, jsonUnmarshal(r[idx["resource_tags"]], &tags))
		for k := range tags {
			assert.Regexp(t, `^(user|aws)_[a-z0-9_]+$`, k)
			seenTag = true
		}
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$`, r[idx["line_item_usage_start_date"]])
	}
	assert.True(t, seenTag)
}

// TestRealSampleColumns cross-checks the legacy column set and value
// notations with the real anonymised 2023 report, when it is present.
func TestRealSampleColumns(t *testing.T) {
	const path = "../../../shared/fixtures/real/aws-cur-legacy-anonymized-2023-11.csv"
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skip("real sample not present (a plain clone does not have it)")
	}
	require.NoError(t, err)
	real, err := csvReadAll(b)
	require.NoError(t, err)
	ours := map[string]bool{}
	for _, c := range legacyColumns(Wide, false) {
		ours[c.name] = true
	}
	var missing []string
	for _, h := range real[0] {
		if !ours[h] {
			missing = append(missing, h)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "every column of the real report exists in the wide legacy set")

	// every real cost cell has a notation the generator also writes
	number := regexp.MustCompile(`^-?(\d+\.\d+|\d\.\d+E-?\d+)$`)
	ci := -1
	for i, h := range real[0] {
		if h == "lineItem/UnblendedCost" {
			ci = i
		}
	}
	require.GreaterOrEqual(t, ci, 0)
	for _, r := range real[1:] {
		assert.Regexp(t, number, r[ci])
	}
	assert.False(t, bytes.HasPrefix(b, []byte("\xef\xbb\xbf")), "no BOM")
	assert.False(t, bytes.Contains(b, []byte("\r\n")), "LF line endings, as we write")
	assert.True(t, strings.HasPrefix(string(b), "identity/LineItemId,identity/TimeInterval,"))
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func csvReadAll(b []byte) ([][]string, error) { return csv.NewReader(bytes.NewReader(b)).ReadAll() }

func TestSchemaDrift(t *testing.T) {
	for _, f := range []FileType{CSVGzip, Parquet} {
		sink := NewMapSink()
		res, err := Generate(t.Context(), sink, Spec{Kind: LegacyCUR, Name: "r", Format: f, Months: 3, SchemaDrift: true, Rows: 20})
		require.NoError(t, err)
		var widths []int
		for _, p := range res.Periods() {
			d := res.Current(p)
			widths = append(widths, len(d.Columns))
			var m wantLegacyManifest
			decodeStrict(t, mustGet(t, sink, d.ManifestKey), &m)
			assert.Len(t, m.Columns, len(d.Columns), "the manifest lists the period's columns")
			if f == Parquet {
				s := sumParquet(t, sink, d)
				s.check(t, d)
			} else {
				s := sumCSV(t, sink, d, f)
				s.check(t, d)
			}
		}
		assert.Equal(t, widths[0], widths[2])
		assert.Equal(t, widths[0]+2, widths[1], "savingsPlan/SavingsPlanEffectiveCost and the Environment tag come and go")
	}
}
