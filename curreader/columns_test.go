package curreader

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

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
