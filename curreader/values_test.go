package curreader

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
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

func TestOpenFileErrors(t *testing.T) {
	_, err := OpenFile(t.Context(), filepath.Join(t.TempDir(), "none.csv"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = OpenFile(t.Context(), t.TempDir())
	assert.Error(t, err)
	p := filepath.Join(t.TempDir(), "x.json")
	require.NoError(t, os.WriteFile(p, []byte("{}"), 0o600))
	_, err = OpenFile(t.Context(), p)
	assert.ErrorIs(t, err, ErrUnsupportedFormat)
	p = filepath.Join(t.TempDir(), "bad.parquet")
	require.NoError(t, os.WriteFile(p, []byte("PAR1 not really"), 0o600))
	rd, err := OpenFile(t.Context(), p)
	require.NoError(t, err, "files are opened lazily")
	assert.False(t, rd.Next())
	var fe *FileError
	require.ErrorAs(t, rd.Err(), &fe)
	assert.Equal(t, p, fe.File)
	assert.ErrorIs(t, rd.Err(), curerr.ErrMalformed)
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

// TestProgressDoneOnClose: closing before the end still makes the one
// last call, with Done set.
func TestProgressDoneOnClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.csv")
	require.NoError(t, os.WriteFile(path, []byte("a\n1\n2\n3\n"), 0o600))
	var calls []Progress
	rd, err := OpenFile(t.Context(), path, func(o *ReadOptions) { o.Progress = func(p Progress) { calls = append(calls, p) } })
	require.NoError(t, err)
	require.True(t, rd.Next())
	require.NoError(t, rd.Close())
	require.NoError(t, rd.Close())
	require.NotEmpty(t, calls)
	last := calls[len(calls)-1]
	assert.True(t, last.Done)
	assert.Equal(t, int64(1), last.Rows)
	assert.Equal(t, 0, last.FilesDone)
	done := 0
	for _, c := range calls {
		if c.Done {
			done++
		}
	}
	assert.Equal(t, 1, done, "exactly one Done call")
}

// TestParquetGETs: on S3 a Parquet file costs a GET for its tail (the
// footer) and about one per row group for the projected chunks, not one
// per page or per buffer.
func TestParquetGETs(t *testing.T) {
	sink := curtest.NewMapSink()
	res, err := curtest.Generate(t.Context(), sink, curtest.Spec{Kind: curtest.CUR2, Name: "g", Prefix: "cur", Bucket: testBucket,
		Format: curtest.Parquet, Width: curtest.Wide, Rows: 70_000, Seed: 4})
	require.NoError(t, err)
	r, s := gofakes3Backend(t, objects(sink.Objects()))
	rep, err := r.Find(t.Context(), "cur", "g")
	require.NoError(t, err)
	ds, err := r.Latest(t.Context(), rep)
	require.NoError(t, err)
	d := ds[0]
	require.Len(t, d.Files, 1)
	cur := res.Current(res.Periods()[0])
	for _, tc := range []struct {
		cols    []string
		budget  int64
		maxGETs int
	}{
		// 70,000 rows are 2 row groups (of at most 65,536): a GET for the
		// tail and one per row group when the chunks fit the file's share
		// of the budget.
		{[]string{"line_item_unblended_cost", "line_item_product_code"}, 0, 1 + 2},
		{nil, 128 << 20, 1 + 2},
		// Every column of a 17 MB row group with the default 32 MiB budget
		// over 2 files' shares: most chunks in one GET, the rest by 64 KiB
		// GETs and a GET per page header (checked before parquet-go
		// decodes it): 37 in all.
		{nil, 0, 45},
	} {
		cols := tc.cols
		s.ResetRequests()
		rd, err := openS3(t.Context(), s.Client, d, func(o *ReadOptions) { o.Columns, o.MemoryBudget, o.Concurrency = cols, tc.budget, 2 })
		require.NoError(t, err)
		got, err := sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
		require.NoError(t, err)
		equalTruth(t, got, cur)
		rd.Close()
		gets := s.Requests()["GetObject"]
		assert.LessOrEqual(t, gets, tc.maxGETs, "columns %v budget %d: %d GETs", cols, tc.budget, gets)
		t.Logf("columns %v, budget %d: %d GETs for a %d-byte file", cols, tc.budget, gets, d.Files[0].Size)
	}
}
