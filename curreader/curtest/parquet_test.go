package curtest

import (
	"io"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leafType describes a top-level Parquet field: "double", "timestamp",
// "string" or "map".
func leafType(t *testing.T, f *parquet.File, name string) string {
	t.Helper()
	for _, fl := range f.Schema().Fields() {
		if fl.Name() != name {
			continue
		}
		lt := ""
		if l := fl.Type().LogicalType(); l != nil {
			lt = l.String()
		}
		switch {
		case lt == "MAP":
			return "map"
		case strings.HasPrefix(lt, "TIMESTAMP"):
			assert.Equal(t, "TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)", lt, name)
			return "timestamp"
		case lt == "STRING":
			return "string"
		case fl.Type().Kind() == parquet.Double:
			return "double"
		}
		return fl.Type().String()
	}
	t.Fatalf("no field %s", name)
	return ""
}

func TestParquetSchemas(t *testing.T) {
	cases := []struct {
		spec  Spec
		types map[string]string
	}{
		{Spec{Kind: LegacyCUR, Name: "a", Prefix: "p", Format: Parquet, Athena: true, Versioning: Overwrite, Width: Wide, Rows: 30}, map[string]string{
			"line_item_unblended_cost": "double", "line_item_usage_start_date": "timestamp", "bill_billing_period_start_date": "timestamp",
			"identity_line_item_id": "string", "line_item_unblended_rate": "string", "resource_tags_user_team": "string",
			"resource_tags_user_kubernetes_io_name": "string", "reservation_reservation_a_r_n": "string",
			"savings_plan_savings_plan_a_r_n": "string", "cost_category_charge_type": "string", "product_from_location": "string",
		}},
		{Spec{Kind: CUR2, Name: "c", Format: Parquet, Width: Wide, Rows: 30}, map[string]string{
			"line_item_unblended_cost": "double", "line_item_usage_start_date": "timestamp", "resource_tags": "map",
			"product": "map", "discount": "map", "cost_category": "map", "line_item_unblended_rate": "string",
		}},
		{Spec{Kind: FOCUS10, Name: "f", Format: Parquet, Rows: 30}, map[string]string{
			"BilledCost": "double", "EffectiveCost": "double", "ChargePeriodStart": "timestamp", "Tags": "map", "SubAccountId": "string",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.spec.Name, func(t *testing.T) {
			sink := NewMapSink()
			res, err := Generate(t.Context(), sink, tc.spec)
			require.NoError(t, err)
			d := res.Current("2024-03")
			f := openParquet(t, mustGet(t, sink, d.DataKeys[0]))
			for name, want := range tc.types {
				assert.Equal(t, want, leafType(t, f, name), name)
			}
			assert.Contains(t, d.DataKeys[0], ".snappy.parquet")
			md := f.Metadata()
			require.NotEmpty(t, md.RowGroups)
			for _, c := range md.RowGroups[0].Columns {
				assert.Equal(t, format.Snappy, c.MetaData.Codec, c.MetaData.PathInSchema)
			}
		})
	}
}

// TestParquetMapValues reads the resource_tags map back.
func TestParquetMapValues(t *testing.T) {
	sink := NewMapSink()
	res, err := Generate(t.Context(), sink, Spec{Kind: CUR2, Name: "c", Format: Parquet, Rows: 50})
	require.NoError(t, err)
	f := openParquet(t, mustGet(t, sink, res.Current("2024-03").DataKeys[0]))
	type row struct {
		Tags map[string]string `parquet:"resource_tags"`
		ID   string            `parquet:"identity_line_item_id"`
	}
	r := parquet.NewGenericReader[row](f)
	rows := make([]row, 50)
	n, err := r.Read(rows)
	if err != io.EOF {
		require.NoError(t, err)
	}
	require.Equal(t, 50, n)
	seen := 0
	for _, x := range rows {
		assert.Len(t, x.ID, 52)
		for k, v := range x.Tags {
			assert.True(t, strings.HasPrefix(k, "user_") || strings.HasPrefix(k, "aws_"), k)
			assert.NotEmpty(t, v)
			seen++
		}
	}
	assert.Positive(t, seen)
}

func TestAthenaArtifacts(t *testing.T) {
	for _, updating := range []bool{false, true} {
		sink := NewMapSink()
		res, err := Generate(t.Context(), sink, Spec{Kind: LegacyCUR, Name: "my-cur", Prefix: "cur", Format: Parquet, Athena: true, Versioning: Overwrite, AthenaUpdating: updating, Rows: 3})
		require.NoError(t, err)
		f := openParquet(t, mustGet(t, sink, "cur/my-cur/cost_and_usage_data_status/cost_and_usage_data_status.parquet"))
		require.EqualValues(t, 1, f.NumRows())
		rows := make([]parquet.Row, 1)
		n, _ := parquet.NewReader(f).ReadRows(rows)
		require.Equal(t, 1, n)
		want := "READY"
		if updating {
			want = "UPDATING"
		}
		assert.Equal(t, want, rows[0][0].String())
		assert.Equal(t, []string{"status"}, parquetColumns(f))

		cfn := string(mustGet(t, sink, "cur/my-cur/crawler-cfn.yml"))
		assert.Contains(t, cfn, "AWS::Glue::Crawler")
		assert.Contains(t, cfn, "athenacurcfn_my_cur")
		assert.Contains(t, cfn, "s3://"+DefaultBucket+"/cur/my-cur/my-cur")
		assert.Equal(t, "cur/my-cur/my-cur/year=2024/month=3/my-cur-Manifest.json", res.Current("2024-03").TopManifestKey)
	}
}
