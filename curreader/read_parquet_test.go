package curreader

// Reading Parquet data files: the same rows as the CSV of the same data,
// maps across pages and row groups, nested columns refused, and the GETs a
// file costs on S3.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// TestCSVAndParquetAgree reads the same generated data as gzip CSV and as
// Parquet, row by row side by side, and requires the same exact cost, the
// same usage start instant and the same tag values in every row.
func TestCSVAndParquetAgree(t *testing.T) {
	cases := []struct {
		kind       curtest.Kind
		start      string
		tags       []string
		anyTagSeen bool
	}{
		{curtest.LegacyCUR, "lineItem/UsageStartDate", []string{"user:Team", "user:CostCenter", "user:Environment"}, true},
		{curtest.CUR2, "line_item_usage_start_date", []string{"user_team", "user:Team", "user_cost_center", "user_environment", "aws_created_by"}, true},
		{curtest.FOCUS12, "ChargePeriodStart", []string{"user_team"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String(), func(t *testing.T) {
			spec := curtest.Spec{Kind: tc.kind, Files: 2, Rows: 300, Seed: 77}
			spec.Format = curtest.CSVGzip
			gc := genDelivery(t, spec, false)
			spec.Format = curtest.Parquet
			gp := genDelivery(t, spec, false)
			require.Equal(t, gc.cur.Total, gp.cur.Total, "curtest wrote different data")
			rc, err := openFS(t.Context(), gc.m, gc.fsD, concurrency(2))
			require.NoError(t, err)
			defer rc.Close()
			rp, err := openFS(t.Context(), gp.m, gp.fsD, concurrency(2))
			require.NoError(t, err)
			defer rp.Close()
			cost := gc.cur.CostColumn
			var n int64
			tagsSeen := 0
			for {
				okc, okp := rc.Next(), rp.Next()
				require.Equal(t, okc, okp, "row %d: one reader ended first (csv %v, parquet %v)", n, rc.Err(), rp.Err())
				if !okc {
					break
				}
				n++
				a, b := rc.Row(), rp.Row()
				require.Equal(t, a.Line(), b.Line()+1, "CSV lines count the header")
				ca, oka, err := a.Decimal(cost)
				require.NoError(t, err)
				cb, okb, err := b.Decimal(cost)
				require.NoError(t, err)
				require.Equal(t, oka, okb, "row %d", n)
				require.True(t, ca.Equal(cb), "row %d: cost %s vs %s", n, ca, cb)
				ta, oka, err := a.Time(tc.start)
				require.NoError(t, err)
				tb, okb, err := b.Time(tc.start)
				require.NoError(t, err)
				require.True(t, oka && okb, "row %d: usage start missing", n)
				require.True(t, ta.Equal(tb), "row %d: %v vs %v", n, ta, tb)
				for _, k := range tc.tags {
					va, oka := a.Tag(k)
					vb, okb := b.Tag(k)
					if oka && va != "" {
						tagsSeen++
					}
					require.Equal(t, va, vb, "row %d tag %s", n, k)
					require.Equal(t, oka && va != "", okb && vb != "", "row %d tag %s present", n, k)
				}
			}
			require.NoError(t, rc.Err())
			require.NoError(t, rp.Err())
			assert.Equal(t, gc.cur.Rows, n)
			if tc.anyTagSeen {
				assert.Positive(t, tagsSeen, "no tag values compared")
			}
		})
	}
}

// TestParquetMapsAcrossPages: map rows with nulls inside, over many small
// pages and row groups (some of them empty), come out whole and in order.
func TestParquetMapsAcrossPages(t *testing.T) {
	type rec struct {
		ID int64              `parquet:"id"`
		M  map[string]*string `parquet:"m,optional"`
	}
	var recs []rec
	var want []string
	for i := range 3000 {
		r := rec{ID: int64(i)}
		switch i % 5 {
		case 0:
			want = append(want, "")
		case 1:
			r.M = map[string]*string{}
			want = append(want, "{}")
		default:
			r.M = map[string]*string{}
			var s bytes.Buffer
			s.WriteByte('{')
			for j := range i % 7 {
				if j > 0 {
					s.WriteByte(',')
				}
				k := string(rune('a' + j))
				if j%3 == 2 {
					r.M[k] = nil
					s.WriteString(`"` + k + `":null`)
				} else {
					v := k + k
					r.M[k] = &v
					s.WriteString(`"` + k + `":"` + v + `"`)
				}
			}
			s.WriteByte('}')
			want = append(want, s.String())
			if i%7 == 0 {
				want[len(want)-1] = "{}"
			}
		}
		recs = append(recs, r)
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[rec](&buf, parquet.PageBufferSize(512), parquet.MaxRowsPerRowGroup(700))
	for i := 0; i < len(recs); i += 350 {
		_, err := w.Write(recs[i:min(i+350, len(recs))])
		require.NoError(t, err)
		require.NoError(t, w.Flush())
		if i%700 == 0 {
			require.NoError(t, w.Flush()) // an empty row group, if the writer makes one
		}
	}
	require.NoError(t, w.Close())
	path := filepath.Join(t.TempDir(), "x.parquet")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	t.Logf("%d row groups", len(pf.RowGroups()))

	got := readColumn(t, path, "m")
	require.Len(t, got, len(want))
	for i := range want {
		if want[i] == "" || want[i] == "{}" {
			require.Equal(t, want[i], got[i], "row %d", i)
			continue
		}
		require.JSONEq(t, want[i], got[i], "row %d", i)
	}
	ids := readColumn(t, path, "id")
	for i, id := range ids {
		require.Equal(t, strconv.Itoa(i), id)
	}
}

// TestParquetListOfPairsIsNotAMap: a group of repeated (a, b) records with no
// MAP annotation (a legacy two-level list) is refused, not read as a map.
func TestParquetListOfPairsIsNotAMap(t *testing.T) {
	schema := parquet.NewSchema("s", parquet.Group{
		"pairs": parquet.Optional(parquet.Group{
			"array": parquet.Repeated(parquet.Group{"a": parquet.String(), "b": parquet.String()}),
		}),
	})
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema)
	_, err := w.WriteRows([]parquet.Row{{
		parquet.ByteArrayValue([]byte("x")).Level(0, 2, 0), parquet.ByteArrayValue([]byte("x")).Level(1, 2, 0),
		parquet.ByteArrayValue([]byte("1")).Level(0, 2, 1), parquet.ByteArrayValue([]byte("2")).Level(1, 2, 1),
	}})
	require.NoError(t, err)
	require.NoError(t, w.Close())
	path := filepath.Join(t.TempDir(), "x.parquet")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	rd, err := OpenFile(t.Context(), path)
	require.NoError(t, err)
	defer rd.Close()
	if rd.Next() {
		v, _ := rd.Row().Get("pairs")
		t.Fatalf("read as a map: %s", v)
	}
	require.ErrorIs(t, rd.Err(), ErrUnsupportedFormat)
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

// TestParquetLargeFooterFetchedOnce: on S3 a footer longer than the tail
// read first (256 KiB) is fetched once, by checkFooter, and parquet-go's
// read of it is served from those bytes.
func TestParquetLargeFooterFetchedOnce(t *testing.T) {
	type rec struct {
		A, B, C, D, E, F, G, H string
	}
	recs := make([]rec, 6000)
	for i := range recs {
		recs[i] = rec{A: fmt.Sprint(i), B: "b", C: "c", D: "d", E: "e", F: "f", G: "g", H: "h"}
	}
	data := genericParquet(t, recs, parquet.MaxRowsPerRowGroup(10))
	_, fstart := footerOf(t, data)
	require.Greater(t, len(data)-8-fstart, 256<<10, "the footer must be longer than the tail")
	const key = "cur/r/20240301-20240401/a/r-00001.snappy.parquet"
	_, s := gofakes3Backend(t, objects{key: data})
	var mu sync.Mutex
	footerGETs := 0
	s.Wrap(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var lo, hi int
			if r.Method == http.MethodGet {
				if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &lo, &hi); err == nil && lo <= fstart && fstart <= hi {
					mu.Lock()
					footerGETs++
					mu.Unlock()
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	d := &Delivery{Bucket: testBucket, Report: "r", Format: FormatParquet, Compression: CompressionParquet, Ready: true,
		Files: []DataFile{{Key: key, Size: int64(len(data))}}}
	rd, err := openS3(t.Context(), s.Client, d, func(o *ReadOptions) { o.Columns = []string{"A"} })
	require.NoError(t, err)
	defer rd.Close()
	rows, err := drain(rd, everyColumn(len(recs)+1))
	require.NoError(t, err)
	assert.Equal(t, len(recs), rows)
	assert.Equal(t, 1, footerGETs, "GETs of the footer's first byte")
}

// pqAllTypes has a flat column of every kind the reader renders, plain and
// dictionary-encoded, required and optional.
type pqAllTypes struct {
	Str      string           `parquet:"str"`
	StrDict  *string          `parquet:"str_dict,optional,dict"`
	StrOpt   *string          `parquet:"str_opt,optional"`
	Dbl      *float64         `parquet:"dbl,optional"`
	DblDict  *float64         `parquet:"dbl_dict,optional,dict"`
	DblReq   float64          `parquet:"dbl_req"`
	Flt      *float32         `parquet:"flt,optional"`
	I64Dict  int64            `parquet:"i64_dict,dict"`
	I32      *int32           `parquet:"i32,optional"`
	U32      uint32           `parquet:"u32"`
	U64      *uint64          `parquet:"u64,optional,dict"`
	Ts       *int64           `parquet:"ts,optional,timestamp(millisecond)"`
	TsDict   int64            `parquet:"ts_dict,timestamp(microsecond),dict"`
	Day      *int32           `parquet:"day,optional,date"`
	Dec64    *int64           `parquet:"dec64,optional,decimal(4:18)"`
	DecBytes []byte           `parquet:"dec_bytes,optional,decimal(3:30)"`
	I96      deprecated.Int96 `parquet:"i96"`
	Flag     *bool            `parquet:"flag,optional"`
	Fixed    [4]byte          `parquet:"fixed"`
}

// TestParquetPagesAgainstValues reads files of every flat column type,
// plain and dictionary-encoded, with nulls, many pages per chunk and many
// row groups, in data page versions 1 and 2, and requires every value to be
// the text parquet-go's own row reader gives, rendered the same way: the
// reader takes values from pages whole, and must land on the same row.
func TestParquetPagesAgainstValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	strs := []string{"AmazonEC2", "AmazonS3", "", "a,b", "ü"}
	recs := make([]pqAllTypes, 3000)
	for i := range recs {
		r := &recs[i]
		opt := func() bool { return rng.IntN(3) != 0 }
		s := strs[rng.IntN(len(strs))]
		r.Str = fmt.Sprint("row-", i)
		if opt() {
			r.StrDict = &s
		}
		if opt() {
			v := fmt.Sprintf("v%d", rng.IntN(1000))
			r.StrOpt = &v
		}
		if opt() {
			v := float64(rng.IntN(2000000)-1000000) / 1e7
			r.Dbl = &v
		}
		if opt() {
			v := []float64{0.1, 1e-7, -2.5, 1e21, 0, math.NaN(), math.Inf(-1)}[rng.IntN(7)]
			r.DblDict = &v
		}
		r.DblReq = rng.NormFloat64()
		if opt() {
			v := float32(rng.IntN(1000)) / 8
			r.Flt = &v
		}
		r.I64Dict = int64(rng.IntN(5) - 2)
		if opt() {
			v := int32(rng.Uint32())
			r.I32 = &v
		}
		r.U32 = rng.Uint32()
		if opt() {
			v := rng.Uint64()
			r.U64 = &v
		}
		if opt() {
			v := int64(1709251200000 + rng.IntN(4)*3600000)
			r.Ts = &v
		}
		r.TsDict = int64(1709251200000000 + rng.IntN(3)*1500)
		if opt() {
			v := int32(19783 + rng.IntN(30))
			r.Day = &v
		}
		if opt() {
			v := rng.Int64N(1e12) - 5e11
			r.Dec64 = &v
		}
		if opt() {
			r.DecBytes = make([]byte, 13) // FIXED_LEN_BYTE_ARRAY(13) for 30 digits
			for k := range r.DecBytes {
				r.DecBytes[k] = byte(rng.IntN(256))
			}
		}
		r.I96 = deprecated.Int96{rng.Uint32(), rng.Uint32(), 2460000 + uint32(rng.IntN(10))}
		if opt() {
			v := rng.IntN(2) == 0
			r.Flag = &v
		}
		r.Fixed = [4]byte{'a', byte('a' + rng.IntN(3)), 'z', 'q'}
	}
	for _, v := range []int{1, 2} {
		t.Run(fmt.Sprint("data page v", v), func(t *testing.T) {
			data := genericParquet(t, recs, parquet.PageBufferSize(512), parquet.MaxRowsPerRowGroup(700), parquet.DataPageVersion(v))
			path := writeTemp(t, data)
			want := renderedRows(t, data)
			for _, c := range []int{1, 2} {
				rd, err := OpenFile(t.Context(), path, concurrency(c))
				require.NoError(t, err)
				n := 0
				for row, err := range rd.Rows() {
					require.NoError(t, err)
					require.Less(t, n, len(want))
					for i := range row.Header().Len() {
						// Twice: a value read again is the same.
						assert.Equal(t, want[n][i], row.Value(i), "row %d column %s", n, row.Header().Name(i))
						assert.Equal(t, want[n][i], string(row.Bytes(i)), "row %d column %s", n, row.Header().Name(i))
						// Numbers read without text are the numbers the
						// text spells, held the same way.
						d, ok, err := row.DecimalAt(i)
						wd, werr := decimal.Parse(want[n][i])
						switch {
						case want[n][i] == "":
							assert.False(t, ok)
							assert.NoError(t, err)
						case werr != nil:
							assert.Error(t, err, "row %d column %s", n, row.Header().Name(i))
						default:
							require.NoError(t, err)
							assert.True(t, ok)
							assert.Equal(t, wd.String(), d.String(), "row %d column %s", n, row.Header().Name(i))
						}
					}
					n++
				}
				assert.Equal(t, len(recs), n)
			}
			// A projection reads the same values from fewer chunks.
			rd, err := OpenFile(t.Context(), path, func(o *ReadOptions) { o.Columns = []string{"dbl_dict", "ts", "str_dict"} })
			require.NoError(t, err)
			n := 0
			for row, err := range rd.Rows() {
				require.NoError(t, err)
				require.Equal(t, 3, row.Header().Len())
				for i, col := range []int{1, 4, 11} { // in file order
					assert.Equal(t, want[n][col], row.Value(i), "row %d", n)
				}
				n++
			}
			assert.Equal(t, len(recs), n)
		})
	}
}

// renderedRows reads data with parquet-go's row reader and renders every
// value as the reader does.
func renderedRows(t *testing.T, data []byte) [][]string {
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var renders []func([]byte, parquet.Value) []byte
	for _, c := range pf.Root().Columns() {
		r, _, err := renderer(c.Type())
		require.NoError(t, err)
		renders = append(renders, r)
	}
	// The file is what the test says: dictionary pages, and chunks of
	// several pages in several row groups.
	dict, multi := 0, 0
	for _, rg := range pf.RowGroups() {
		for _, cc := range rg.ColumnChunks() {
			pages := cc.Pages()
			n := 0
			for {
				pg, err := pages.ReadPage()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				if pg.Dictionary() != nil {
					dict++
				}
				n++
			}
			pages.Close()
			if n > 1 {
				multi++
			}
		}
	}
	require.Greater(t, len(pf.RowGroups()), 2)
	require.Positive(t, dict)
	require.Positive(t, multi)
	pr := parquet.NewReader(pf)
	defer pr.Close()
	var out [][]string
	buf := make([]parquet.Row, 100)
	for {
		n, err := pr.ReadRows(buf)
		for _, row := range buf[:n] {
			vals := make([]string, len(row))
			for _, v := range row {
				if !v.IsNull() {
					vals[v.Column()] = string(renders[v.Column()](nil, v))
				}
			}
			out = append(out, vals)
		}
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
	}
}

// pqCodecs has a column of each codec and of each encoding parquet-go
// writes, so that the reader's own page decoding meets each.
type pqCodecs struct {
	Gz     *string  `parquet:"gz,optional,gzip"`
	Zs     *float64 `parquet:"zs,optional,zstd"`
	Br     string   `parquet:"br,brotli"`
	Lz     *int64   `parquet:"lz,optional,lz4"`
	Un     *string  `parquet:"un,optional,uncompressed"`
	Sn     *int32   `parquet:"sn,optional,snappy,dict"`
	DeltaI int64    `parquet:"delta_i,delta"`
	DeltaJ int32    `parquet:"delta_j,delta,zstd"`
	DeltaS string   `parquet:"delta_s,delta"`
	Split  *float64 `parquet:"split,optional,split"`
	SplitF float32  `parquet:"split_f,split,gzip"`
	Plain  *string  `parquet:"plain,optional,plain"`
	Flag   bool     `parquet:"flag"`
	FlagO  *bool    `parquet:"flag_o,optional,lz4"`
	DictF  *float32 `parquet:"dict_f,optional,dict,brotli"`
	Fixed  [3]byte  `parquet:"fixed,uncompressed"`
}

// TestParquetCodecsAndEncodings reads a column of every codec and
// encoding, in data page versions 1 and 2, and requires every value to be
// what parquet-go's row reader gives.
func TestParquetCodecsAndEncodings(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	recs := make([]pqCodecs, 2500)
	for i := range recs {
		r := &recs[i]
		opt := func() bool { return rng.IntN(4) != 0 }
		str := func() *string {
			s := fmt.Sprintf("%s-%d", []string{"AmazonEC2", "", "a,b", "ü"}[rng.IntN(4)], rng.IntN(50))
			return &s
		}
		if opt() {
			r.Gz = str()
		}
		if opt() {
			v := float64(rng.IntN(1e6)) / 1e4
			r.Zs = &v
		}
		r.Br = *str()
		if opt() {
			v := rng.Int64N(1e12) - 5e11
			r.Lz = &v
		}
		if opt() {
			r.Un = str()
		}
		if opt() {
			v := int32(rng.IntN(9))
			r.Sn = &v
		}
		r.DeltaI = int64(1709251200000 + i*3600)
		r.DeltaJ = int32(rng.IntN(1000) - 500)
		r.DeltaS = fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:instance/i-%08d", rng.IntN(100))
		if opt() {
			v := rng.NormFloat64()
			r.Split = &v
		}
		r.SplitF = float32(rng.IntN(1000)) / 16
		if opt() {
			r.Plain = str()
		}
		r.Flag = rng.IntN(2) == 0
		if opt() {
			v := rng.IntN(3) == 0
			r.FlagO = &v
		}
		if opt() {
			v := float32(rng.IntN(5)) / 4
			r.DictF = &v
		}
		r.Fixed = [3]byte{'a', byte('a' + rng.IntN(26)), 'z'}
	}
	for _, v := range []int{1, 2} {
		t.Run(fmt.Sprint("data page v", v), func(t *testing.T) {
			data := genericParquet(t, recs, parquet.PageBufferSize(700), parquet.MaxRowsPerRowGroup(900), parquet.DataPageVersion(v))
			// The file holds what the test says it does.
			md, _ := footerOf(t, data)
			codecs, encs := map[format.CompressionCodec]bool{}, map[format.Encoding]bool{}
			for _, c := range md.RowGroups[0].Columns {
				codecs[c.MetaData.Codec] = true
				for _, e := range c.MetaData.Encoding {
					encs[e] = true
				}
			}
			assert.Len(t, codecs, 6, "codecs %v", codecs)
			for _, e := range []format.Encoding{format.Plain, format.RLEDictionary, format.DeltaBinaryPacked, format.DeltaByteArray, format.DeltaLengthByteArray, format.ByteStreamSplit, format.RLE} {
				assert.True(t, encs[e], "no column encoded %s: %v", e, encs)
			}
			want := renderedRows(t, data)
			rd, err := OpenFile(t.Context(), writeTemp(t, data), concurrency(1))
			require.NoError(t, err)
			n := 0
			for row, err := range rd.Rows() {
				require.NoError(t, err)
				require.Less(t, n, len(want))
				for i := range row.Header().Len() {
					assert.Equal(t, want[n][i], row.Value(i), "row %d column %s", n, row.Header().Name(i))
				}
				n++
			}
			assert.Equal(t, len(recs), n)
		})
	}
}

// readAll reads every value of every row of a local file as text, and
// returns them with the line of the read's error and the error.
func readAll(t *testing.T, path string, optFns ...func(*ReadOptions)) (rows [][]string, line int, err error) {
	t.Helper()
	rd, oerr := OpenFile(t.Context(), path, optFns...)
	require.NoError(t, oerr)
	defer rd.Close()
	for rd.Next() {
		row := rd.Row()
		vals := make([]string, row.Header().Len())
		for i := range vals {
			vals[i] = row.Value(i)
		}
		rows = append(rows, vals)
	}
	var fe *FileError
	if errors.As(rd.Err(), &fe) {
		line = fe.Line
	}
	return rows, line, rd.Err()
}

// TestParquetAheadAsOneGoroutine: a file whose pages are decoded ahead on
// a goroutine of their own (Concurrency > 1) reads the same rows as one
// read on the caller's goroutine, and a corrupt one ends with the same
// error at the same row, after the same rows.
func TestParquetAheadAsOneGoroutine(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.CUR2, Format: curtest.Parquet, Files: 1, Rows: 3000, Seed: 9}, false)
	orig := g.objs[g.cur.DataKeys[0]]
	offs := chunkOffsets(t, orig)
	flip := bytes.Clone(orig)
	for _, o := range offs[len(offs)/2:] {
		flip[o+2] ^= 0x5A
	}
	for name, data := range map[string][]byte{
		"intact":       orig,
		"tail cut":     orig[:len(orig)*3/4],
		"headers hurt": flip,
	} {
		t.Run(name, func(t *testing.T) {
			path := writeTemp(t, data)
			one, line1, err1 := readAll(t, path, concurrency(1))
			two, line2, err2 := readAll(t, path, concurrency(2))
			assert.Equal(t, one, two)
			assert.Equal(t, err1 == nil, err2 == nil, "%v / %v", err1, err2)
			if err1 != nil {
				assert.ErrorIs(t, err2, curerr.ErrMalformed)
				assert.Equal(t, line1, line2, "%v / %v", err1, err2)
			} else {
				assert.Len(t, one, 3000)
			}
		})
	}
}

// TestParquetAheadStopsOnClose: closing a Reader in the middle of a file
// decoded ahead ends its goroutine.
func TestParquetAheadStopsOnClose(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 1, Rows: 5000, Seed: 3}, false)
	path := writeTemp(t, g.objs[g.cur.DataKeys[0]])
	before := runtime.NumGoroutine()
	for range 20 {
		rd, err := OpenFile(t.Context(), path, concurrency(2))
		require.NoError(t, err)
		for range 100 {
			require.True(t, rd.Next())
		}
		require.NoError(t, rd.Close())
	}
	// (Not assert.Eventually: it counts its own goroutine.)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
