package curreader

// Which columns rows show: a projection (ReadOptions.Columns) and the tag
// columns it brings, and names that are no column at all.

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// TestProjection: three columns of Parquet in S3 are read with far fewer
// bytes than the files hold, and rows show only them; CSV shows the same
// three columns, with the same totals.
func TestProjection(t *testing.T) {
	spec := curtest.Spec{Kind: curtest.LegacyCUR, Files: 1, Rows: 20000, Seed: 31}
	cols := []string{"lineItem/UnblendedCost", "line_item_product_code", "lineItem/UsageStartDate"}
	want := []string{"line_item_unblended_cost", "line_item_product_code", "line_item_usage_start_date"}
	for _, format := range []curtest.FileType{curtest.Parquet, curtest.CSVGzip} {
		spec.Format = format
		g := genDelivery(t, spec, true)
		for _, c := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/c%d", format, c), func(t *testing.T) {
				var last Progress
				g.s.ResetRequests()
				rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c), func(o *ReadOptions) {
					o.Columns = cols
					o.Progress = func(p Progress) { last = p }
				})
				require.NoError(t, err)
				var rows int64
				var total decimal.Decimal
				for row, err := range rd.Rows() {
					require.NoError(t, err)
					rows++
					require.ElementsMatch(t, want, row.Columns())
					_, ok := row.Get("lineItem/UsageAccountId")
					require.False(t, ok, "a column outside the projection is visible")
					_, ok = row.Get("identity/LineItemId")
					require.False(t, ok)
					_, ok = row.Tag("user:Team")
					require.False(t, ok, "tags are outside the projection")
					v, ok, err := row.Decimal("line_item_unblended_cost")
					require.NoError(t, err)
					if ok {
						total = total.Add(v)
					}
					_, ok, err = row.Time("lineItem/UsageStartDate")
					require.NoError(t, err)
					require.True(t, ok)
				}
				assert.Equal(t, g.cur.Rows, rows)
				assert.Equal(t, g.cur.Total, total.String())
				require.True(t, last.Done)
				if format == curtest.Parquet {
					assert.Less(t, last.Bytes, last.TotalBytes/3, "projected Parquet read %d of %d bytes", last.Bytes, last.TotalBytes)
					t.Logf("read %d of %d bytes in %d GETs", last.Bytes, last.TotalBytes, g.s.Requests()["GetObject"])
				} else {
					assert.Equal(t, last.TotalBytes, last.Bytes)
				}
			})
		}
	}
}

// TestProjectionTags: "resource_tags" brings every tag column, so Tag
// works while other columns stay hidden.
func TestProjectionTags(t *testing.T) {
	for _, kind := range []curtest.Kind{curtest.LegacyCUR, curtest.CUR2} {
		for _, format := range []curtest.FileType{curtest.Parquet, curtest.CSVGzip} {
			t.Run(fmt.Sprintf("%s/%s", kind, format), func(t *testing.T) {
				g := genDelivery(t, curtest.Spec{Kind: kind, Format: format, Rows: 200, Seed: 4}, false)
				full, err := openFS(t.Context(), g.m, g.fsD)
				require.NoError(t, err)
				defer full.Close()
				proj, err := openFS(t.Context(), g.m, g.fsD, func(o *ReadOptions) { o.Columns = []string{"resourceTags"} })
				require.NoError(t, err)
				defer proj.Close()
				seen := 0
				for full.Next() {
					require.True(t, proj.Next(), "%v", proj.Err())
					a, b := full.Row(), proj.Row()
					_, ok := b.Get(g.cur.CostColumn)
					require.False(t, ok)
					for _, k := range []string{"user:Team", "user:CostCenter"} {
						va, oka := a.Tag(k)
						vb, okb := b.Tag(k)
						require.Equal(t, va, vb)
						require.Equal(t, oka, okb)
						if va != "" {
							seen++
						}
					}
				}
				require.NoError(t, full.Err())
				require.False(t, proj.Next())
				require.NoError(t, proj.Err())
				assert.Positive(t, seen)
			})
		}
	}
}

// TestProjectionVisibility: only the columns asked for are visible; tags come with
// "resource_tags"; a documented column the file lacks is simply absent, and
// a name that is no column at all is refused (TestUnknownColumns).
func TestProjectionVisibility(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.csv")
	require.NoError(t, os.WriteFile(path, []byte("lineItem/UnblendedCost,lineItem/ProductCode,resourceTags/user:Team,product/region\n1.5,AmazonS3,web,us-east-1\n"), 0o600))
	for _, tc := range []struct {
		cols []string
		want []string
	}{
		{[]string{"line_item_unblended_cost"}, []string{"line_item_unblended_cost"}},
		{[]string{"resource_tags", "lineItem/ProductCode", "reservation/EffectiveCost"}, []string{"line_item_product_code", "resource_tags_user_team"}},
		{nil, []string{"line_item_unblended_cost", "line_item_product_code", "resource_tags_user_team", "product_region"}},
	} {
		rd, err := OpenFile(t.Context(), path, func(o *ReadOptions) { o.Columns = tc.cols })
		require.NoError(t, err)
		require.True(t, rd.Next(), rd.Err())
		row := rd.Row()
		assert.Equal(t, tc.want, row.Columns(), tc.cols)
		_, ok := row.Get("product/region")
		assert.Equal(t, tc.cols == nil, ok, "product/region visible only without a projection")
		if tc.cols != nil && tc.cols[0] == "resource_tags" {
			v, ok := row.Tag("user:Team")
			assert.True(t, ok)
			assert.Equal(t, "web", v)
		}
		rd.Close()
	}
}

// TestUnknownColumns: a typo in a column name never sums to zero. A name
// that is neither in the delivery nor documented is refused — in a
// projection at Open (or, for a delivery without a manifest, at the first
// file), and by Row.Decimal and Row.Time — naming the closest real names;
// a documented column a month lacks reads as absent, as before.
func TestUnknownColumns(t *testing.T) {
	ctx := t.Context()
	sink := curtest.NewMapSink()
	_, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "rep", Prefix: "cur", Bucket: testBucket, Rows: 5, Seed: 8})
	require.NoError(t, err)
	_, err = curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.CUR2, Name: "exp", Prefix: "cur", Bucket: testBucket, Rows: 5, Seed: 8})
	require.NoError(t, err)
	r := fsBackend(t, objects(sink.Objects()))

	for _, tc := range []struct {
		report, typo, closest string
	}{
		{"rep", "lineItem/UnblendedCosts", "lineItem/UnblendedCost"},
		{"exp", "line_item_unblended_costs", "line_item_unblended_cost"},
		{"exp", "lineItem/UnblendedCosts", "lineItem/UnblendedCost"},
	} {
		t.Run(tc.report+"/"+tc.typo, func(t *testing.T) {
			rep, err := r.Find(ctx, "cur", tc.report)
			require.NoError(t, err)
			ds, err := r.Latest(ctx, rep)
			require.NoError(t, err)
			d := ds[0]

			_, err = r.Open(ctx, d, func(o *ReadOptions) { o.Columns = []string{"lineItem/ProductCode", tc.typo} })
			require.ErrorIs(t, err, ErrUnknownColumn)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			var ce *ColumnError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.typo, ce.Column)
			require.NotEmpty(t, ce.Closest)
			assert.Equal(t, tc.closest, ce.Closest[0])
			assert.Contains(t, err.Error(), tc.closest)

			// Without a projection, the row refuses the typo too.
			rd, err := r.Open(ctx, d)
			require.NoError(t, err)
			defer rd.Close()
			require.True(t, rd.Next(), rd.Err())
			_, _, err = rd.Row().Decimal(tc.typo)
			require.ErrorAs(t, err, &ce)
			_, _, err = rd.Row().Time(tc.typo)
			require.ErrorIs(t, err, ErrUnknownColumn)

			// A documented column this delivery lacks reads as absent.
			v, ok, err := rd.Row().Decimal("savingsPlan/SavingsPlanEffectiveCost")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.True(t, v.IsZero())
			rd.Close()
			_, err = r.Open(ctx, d, func(o *ReadOptions) { o.Columns = []string{"lineItem/UnblendedCost", "reservation/EffectiveCost"} })
			require.NoError(t, err)
		})
	}
}

// TestUnknownColumnsOneFile: a single file has no manifest, so a name that
// is not documented is judged against the file's own header: present, it
// is read (a column newer than the catalog); absent, it is refused.
func TestUnknownColumnsOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	require.NoError(t, os.WriteFile(path, []byte("lineItem/UnblendedCost,lineItem/BrandNewColumn\n1.5,x\n2.5,y\n"), 0o600))
	rd, err := OpenFile(t.Context(), path, func(o *ReadOptions) { o.Columns = []string{"lineItem/UnblendedCost", "lineItem/BrandNewColumn"} })
	require.NoError(t, err)
	var total decimal.Decimal
	for row, err := range rd.Rows() {
		require.NoError(t, err)
		v, _ := row.Get("lineItem/BrandNewColumn")
		assert.NotEmpty(t, v)
		c, _, err := row.Decimal("lineItem/UnblendedCost")
		require.NoError(t, err)
		total = total.Add(c)
	}
	assert.Equal(t, "4", total.String())

	rd, err = OpenFile(t.Context(), path, func(o *ReadOptions) { o.Columns = []string{"lineItem/UnblendedCosts"} })
	require.NoError(t, err, "judged at the first file")
	assert.False(t, rd.Next())
	require.ErrorIs(t, rd.Err(), ErrUnknownColumn)
	var ce *ColumnError
	require.ErrorAs(t, rd.Err(), &ce)
	assert.Equal(t, "lineItem/UnblendedCost", ce.Closest[0])
}
