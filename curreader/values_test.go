package curreader

// Values as rows give them: Parquet values as the text a CSV export holds,
// the typed getters (Decimal, Time, TimeInterval, Tag) and the keys CUR 2.0
// keeps inside map columns.

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pqRecord holds every value type the Parquet reader renders.
type pqRecord struct {
	Cost     int64              `parquet:"line_item_unblended_cost,decimal(4:18)"`
	Small    int32              `parquet:"small,decimal(6:9)"`
	Start    int64              `parquet:"line_item_usage_start_date,timestamp(microsecond)"`
	Day      int32              `parquet:"day,date"`
	Rate     float64            `parquet:"rate"`
	Flag     bool               `parquet:"flag"`
	Count    int64              `parquet:"count"`
	Name     *string            `parquet:"name,optional"`
	Tags     map[string]string  `parquet:"resource_tags"`
	Discount map[string]float64 `parquet:"discount"`
	Interval string             `parquet:"identity_time_interval"`
	Clock    int32              `parquet:"clock,time(millisecond)"`
}

// TestParquetValues: each Parquet type comes out as the text a CSV export
// would hold, and the typed accessors read it exactly.
func TestParquetValues(t *testing.T) {
	name := "web"
	start := time.Date(2024, 3, 1, 10, 0, 0, 500000000, time.UTC)
	path := writeParquetOf(t, []pqRecord{
		{Cost: -12345, Small: 7, Start: start.UnixMicro(), Day: 19783, Rate: 0.00001, Flag: true, Count: 42, Name: &name,
			Tags: map[string]string{"user_team": "a\"b", "user_env": "prod"}, Discount: map[string]float64{"bundled_discount": -1.5},
			Interval: "2024-03-01T10:00:00Z/2024-03-01T11:00:00Z", Clock: (13*3600+5*60+7)*1000 + 250},
		{Cost: 10000, Interval: ""},
	})
	rd, err := OpenFile(t.Context(), path)
	require.NoError(t, err)
	defer rd.Close()

	require.True(t, rd.Next(), rd.Err())
	row := rd.Row()
	assert.Equal(t, 1, row.Line())
	get := func(c string) string { v, ok := row.Get(c); assert.True(t, ok, c); return v }
	assert.Equal(t, "-1.2345", get("lineItem/UnblendedCost"))
	assert.Equal(t, "0.000007", get("small"))
	assert.Equal(t, "2024-03-01T10:00:00.5Z", get("lineItem/UsageStartDate"))
	assert.Equal(t, "2024-03-01", get("day"))
	assert.Equal(t, "0.00001", get("rate"))
	assert.Equal(t, "true", get("flag"))
	assert.Equal(t, "42", get("count"))
	assert.Equal(t, "13:05:07.25", get("clock"))
	assert.Equal(t, "web", get("name"))
	assert.JSONEq(t, `{"user_team":"a\"b","user_env":"prod"}`, get("resource_tags"))
	assert.JSONEq(t, `{"bundled_discount":-1.5}`, get("discount"))
	d, ok, err := row.Decimal("line_item_unblended_cost")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "-1.2345", d.String())
	ts, ok, err := row.Time("lineItem/UsageStartDate")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, start, ts)
	v, ok := row.Tag("user:Team")
	assert.True(t, ok)
	assert.Equal(t, `a"b`, v)
	a, z, ok, err := row.TimeInterval()
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, time.Hour, z.Sub(a))
	kept := row.Clone()

	require.True(t, rd.Next(), rd.Err())
	row = rd.Row()
	assert.Equal(t, 2, row.Line())
	n, ok := row.Get("name")
	assert.True(t, ok, "the column exists")
	assert.Empty(t, n, "a null is empty")
	_, ok, err = row.Decimal("name")
	assert.False(t, ok)
	assert.NoError(t, err)
	_, _, ok, err = row.TimeInterval()
	assert.False(t, ok)
	assert.NoError(t, err)
	assert.False(t, rd.Next())
	require.NoError(t, rd.Err())

	// The clone outlives the reader's later rows.
	c, _ := kept.Get("lineItem/UnblendedCost")
	assert.Equal(t, "-1.2345", c)
	assert.Equal(t, 1, kept.Line())
	assert.Equal(t, path, kept.File())
}

// TestParquetFloat32Text: a FLOAT is the shortest decimal that reads back
// as the same float32 (0.1, not 0.10000000149011612), by Value and by
// DecimalAt.
func TestParquetFloat32Text(t *testing.T) {
	type rec struct {
		F float32 `parquet:"f"`
	}
	path := writeParquetOf(t, []rec{{0.1}, {1e-7}, {-2.5}, {16777217}})
	rd, err := OpenFile(t.Context(), path)
	require.NoError(t, err)
	defer rd.Close()
	var got, dec []string
	for row, err := range rd.Rows() {
		require.NoError(t, err)
		got = append(got, row.Value(0))
		d, ok, err := row.DecimalAt(0)
		require.NoError(t, err)
		require.True(t, ok)
		dec = append(dec, d.String())
	}
	want := []string{"0.1", "0.0000001", "-2.5", "16777216"} // 2^24+1 is not a float32
	assert.Equal(t, want, got)
	assert.Equal(t, want, dec)
}

// TestParquetUnsignedInts: UINT_32 and UINT_64 columns come out unsigned.
func TestParquetUnsignedInts(t *testing.T) {
	type rec struct {
		U32 uint32 `parquet:"u32"`
		U64 uint64 `parquet:"u64"`
	}
	path := writeParquetOf(t, []rec{{U32: 3_000_000_000, U64: math.MaxUint64}})
	assert.Equal(t, []string{"3000000000"}, readColumn(t, path, "u32"))
	assert.Equal(t, []string{"18446744073709551615"}, readColumn(t, path, "u64"))
}

// TestParquetTimesAndWideDecimals: INT96, timestamps in each unit, dates
// before 1970 and wide decimals render as the instant or number they hold.
func TestParquetTimesAndWideDecimals(t *testing.T) {
	type rec struct {
		I96   deprecated.Int96 `parquet:"i96"`
		Milli int64            `parquet:"ms,timestamp(millisecond)"`
		Nano  int64            `parquet:"ns,timestamp(nanosecond)"`
		Day   int32            `parquet:"day,date"`
		Wide  [16]byte         `parquet:"wide,decimal(2:38)"`
		Big   [2]byte          `parquet:"big,decimal(3:4)"`
	}
	ts := time.Date(1969, 12, 31, 23, 59, 59, 123456789, time.UTC)
	jd := ts.Unix()/86400 + 2440588
	if ts.Unix() < 0 && ts.Unix()%86400 != 0 {
		jd--
	}
	nanosOfDay := uint64(ts.Sub(time.Date(ts.Year(), ts.Month(), ts.Day(), 0, 0, 0, 0, time.UTC)))
	var wide [16]byte
	for i := range wide {
		wide[i] = 0xff
	}
	wide[15] = 0xfe // -2
	path := writeParquetOf(t, []rec{{
		I96:   deprecated.Int96{uint32(nanosOfDay), uint32(nanosOfDay >> 32), uint32(jd)},
		Milli: ts.UnixMilli() - 1, Nano: ts.UnixNano(), Day: -1, Wide: wide,
		Big: [2]byte{0x80, 0x00},
	}})
	assert.Equal(t, []string{"1969-12-31T23:59:59.123456789Z"}, readColumn(t, path, "i96"))
	assert.Equal(t, []string{"1969-12-31T23:59:59.122Z"}, readColumn(t, path, "ms"))
	assert.Equal(t, []string{"1969-12-31T23:59:59.123456789Z"}, readColumn(t, path, "ns"))
	assert.Equal(t, []string{"1969-12-31"}, readColumn(t, path, "day"))
	assert.Equal(t, []string{"-0.02"}, readColumn(t, path, "wide"))
	assert.Equal(t, []string{"-32.768"}, readColumn(t, path, "big"))
}

// TestParquetMapNaNIsJSON: a map of doubles holding NaN or ±Inf is still a JSON
// object.
func TestParquetMapNaNIsJSON(t *testing.T) {
	type rec struct {
		M map[string]float64 `parquet:"discount"`
	}
	path := writeParquetOf(t, []rec{{M: map[string]float64{"a": math.NaN()}}, {M: map[string]float64{"b": math.Inf(1)}}})
	for _, v := range readColumn(t, path, "discount") {
		assert.True(t, json.Valid([]byte(v)), "%s is not JSON", v)
	}
}

// TestParquetMapNullAndEmpty: an empty map is "{}", a null (optional) map is "".
func TestParquetMapNullAndEmpty(t *testing.T) {
	type req struct {
		M map[string]string `parquet:"m"`
	}
	type opt struct {
		M map[string]string `parquet:"m,optional"`
	}
	p1 := writeParquetOf(t, []req{{M: map[string]string{}}, {M: map[string]string{"k": "v"}}, {M: map[string]string{}}})
	assert.Equal(t, []string{"{}", `{"k":"v"}`, "{}"}, readColumn(t, p1, "m"), "required map")
	p2 := writeParquetOf(t, []opt{{M: nil}, {M: map[string]string{}}, {M: map[string]string{"k": "v"}}})
	assert.Equal(t, []string{"", "{}", `{"k":"v"}`}, readColumn(t, p2, "m"), "optional map")
}

// TestGetFindsMapKeys: columns CUR 2.0 keeps in map columns are found by
// their legacy and flattened names, in CSV (JSON cells) and Parquet (maps).
func TestGetFindsMapKeys(t *testing.T) {
	path := writeParquetOf(t, []pqRecord{{
		Tags: map[string]string{"user_team": "web"}, Discount: map[string]float64{"bundled_discount": -1.5},
	}, {}})
	csvPath := filepath.Join(t.TempDir(), "x.csv")
	require.NoError(t, os.WriteFile(csvPath, []byte("resource_tags,discount,product,tags\n"+
		`"{""user_team"":""web""}","{""bundled_discount"":-1.5}","{""product_name"":""Amazon S3""}","{""accountTag/owner"":""ops""}"`+"\n"+
		",,,\n"), 0o600))
	for _, p := range []string{path, csvPath} {
		rd, err := OpenFile(t.Context(), p)
		require.NoError(t, err)
		require.True(t, rd.Next(), rd.Err())
		row := rd.Row()
		for col, want := range map[string]string{
			"resourceTags/user:Team": "web", "resource_tags_user_team": "web",
			"discount/BundledDiscount": "-1.5", "discount_bundled_discount": "-1.5",
		} {
			v, ok := row.Get(col)
			assert.True(t, ok, "%s %s", p, col)
			assert.Equal(t, want, v, "%s %s", p, col)
		}
		d, ok, err := row.Decimal("discount/BundledDiscount")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "-1.5", d.String())
		_, ok = row.Get("resourceTags/user:Missing")
		assert.True(t, ok, "the file has the resource_tags map")
		_, ok = row.Get("lineItem/NotThere")
		assert.False(t, ok)
		if p == csvPath {
			v, _ := row.Get("product/ProductName")
			assert.Equal(t, "Amazon S3", v)
			v, ok = row.Get("accountTag/owner")
			assert.True(t, ok)
			assert.Equal(t, "ops", v)
		}
		require.True(t, rd.Next(), rd.Err())
		v, ok := rd.Row().Get("resourceTags/user:Team")
		assert.True(t, ok)
		assert.Empty(t, v, "an empty map cell")
		rd.Close()
	}
}

// TestRowTimes covers the time forms AWS writes and the errors.
func TestRowTimes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.csv")
	require.NoError(t, os.WriteFile(path, []byte("identity/TimeInterval,lineItem/UsageStartDate\n"+
		"2024-01-01T00:00:00Z/2024-01-01T01:00:00Z,2024-01-01T00:00:00.000Z\n"+
		"2024-01-01T00:00Z/2024-01-02T00:00Z,2024-01-01 00:00:00\n"+
		"2024-01-02T00:00:00Z/2024-01-01T00:00:00Z,yesterday\n"+
		"nonsense,\n"), 0o600))
	rd, err := OpenFile(t.Context(), path)
	require.NoError(t, err)
	defer rd.Close()
	want := []struct {
		dur     time.Duration
		ivErr   bool
		start   time.Time
		startOK bool
		stErr   bool
	}{
		{time.Hour, false, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true, false},
		{24 * time.Hour, false, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true, false},
		{0, true, time.Time{}, false, true},
		{0, true, time.Time{}, false, false},
	}
	for i, w := range want {
		require.True(t, rd.Next(), rd.Err())
		row := rd.Row()
		a, z, _, err := row.TimeInterval()
		if w.ivErr {
			var pe *ParseError
			require.ErrorAs(t, err, &pe, i)
			assert.Equal(t, "identity/TimeInterval", pe.Field)
			assert.Equal(t, i+2, pe.Line)
			assert.ErrorIs(t, err, ErrBadTime)
		} else {
			require.NoError(t, err, i)
			assert.Equal(t, w.dur, z.Sub(a), i)
		}
		st, ok, err := row.Time("line_item_usage_start_date")
		if w.stErr {
			assert.ErrorIs(t, err, ErrMalformedRow, i)
		} else {
			require.NoError(t, err, i)
			assert.Equal(t, w.startOK, ok, i)
			assert.Equal(t, w.start, st, i)
		}
	}
}
