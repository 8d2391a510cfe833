package curreader

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReviewUnsignedInts: UINT_32 and UINT_64 columns come out unsigned.
func TestReviewUnsignedInts(t *testing.T) {
	type rec struct {
		U32 uint32 `parquet:"u32"`
		U64 uint64 `parquet:"u64"`
	}
	path := writeParquetOf(t, []rec{{U32: 3_000_000_000, U64: math.MaxUint64}})
	assert.Equal(t, []string{"3000000000"}, readColumn(t, path, "u32"))
	assert.Equal(t, []string{"18446744073709551615"}, readColumn(t, path, "u64"))
}

// TestReviewMapNaN: a map of doubles holding NaN or ±Inf is still a JSON
// object.
func TestReviewMapNaN(t *testing.T) {
	type rec struct {
		M map[string]float64 `parquet:"discount"`
	}
	path := writeParquetOf(t, []rec{{M: map[string]float64{"a": math.NaN()}}, {M: map[string]float64{"b": math.Inf(1)}}})
	for _, v := range readColumn(t, path, "discount") {
		assert.True(t, json.Valid([]byte(v)), "%s is not JSON", v)
	}
}

// TestReviewMapNullEmpty: an empty map is "{}", a null (optional) map is "".
func TestReviewMapNullEmpty(t *testing.T) {
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

// TestReviewMapsAcrossPages: map rows with nulls inside, over many small
// pages and row groups (some of them empty), come out whole and in order.
func TestReviewMapsAcrossPages(t *testing.T) {
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

// TestReviewValueRendering: INT96, timestamps in each unit, dates before
// 1970 and wide decimals render as the instant or number they hold.
func TestReviewValueRendering(t *testing.T) {
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

// TestReviewReadAheadStress: many small CSV files, one of them with a bad
// row, read ordered and unordered with tiny budgets and stopped at random
// points: rows are never lost, duplicated or reordered within a file, an
// error never looks like the end, and no goroutine is left.
func TestReviewReadAheadStress(t *testing.T) {
	const files, rowsPer = 12, 700
	build := func(bad int) (fstest.MapFS, *Delivery) {
		m := fstest.MapFS{}
		d := &Delivery{Report: "r", Format: FormatCSV, Compression: CompressionNone, Ready: true}
		for f := range files {
			var b strings.Builder
			b.WriteString("a,b,c,d,e,f,g,h,i,j,k\n")
			for i := range rowsPer {
				if f == bad && i == rowsPer/2 {
					b.WriteString("1,2\n")
					continue
				}
				fmt.Fprintf(&b, "%d,%d,\"x\"\"y\",3,4,5,6,7,8,9,%s\n", f, i, strings.Repeat("z", i%50))
			}
			key := fmt.Sprintf("f%02d.csv", f)
			m[key] = &fstest.MapFile{Data: []byte(b.String())}
			d.Files = append(d.Files, DataFile{Key: key, Size: int64(b.Len())})
		}
		return m, d
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 60 {
		bad := -1
		if iter%3 == 0 {
			bad = rng.IntN(files)
		}
		m, d := build(bad)
		c := 2 + rng.IntN(7)
		unordered := iter%2 == 1
		stopAt := -1
		if iter%4 == 2 {
			stopAt = rng.IntN(files * rowsPer)
		}
		budget := int64(1 + rng.IntN(4<<20))
		t.Run(fmt.Sprintf("%d/c%d/unordered=%v/bad=%d/stop=%d", iter, c, unordered, bad, stopAt), func(t *testing.T) {
			base := runtime.NumGoroutine()
			rd, err := openFS(t.Context(), m, d, func(o *ReadOptions) {
				o.Concurrency, o.Unordered, o.MemoryBudget = c, unordered, budget
			})
			require.NoError(t, err)
			next := map[string]int{}
			var order []string
			n := 0
			var kept []Row
			for rd.Next() {
				row := rd.Row()
				fv, _ := row.Get("a")
				iv, _ := row.Get("b")
				cv, _ := row.Get("c")
				require.Equal(t, `x"y`, cv)
				i, err := strconv.Atoi(iv)
				require.NoError(t, err)
				require.Equal(t, next[fv], i, "file %s row order", fv)
				require.Equal(t, i+2, row.Line())
				if bad >= 0 && fv == strconv.Itoa(bad) && i >= rowsPer/2 {
					i++
				}
				next[fv] = i + 1
				if len(order) == 0 || order[len(order)-1] != fv {
					order = append(order, fv)
				}
				if n%97 == 0 {
					kept = append(kept, row.Clone())
				}
				n++
				if n == stopAt {
					break
				}
			}
			for _, k := range kept {
				v, _ := k.Get("c")
				require.Equal(t, `x"y`, v)
			}
			if !unordered {
				for j, f := range order {
					require.Equal(t, strconv.Itoa(j), f, "ordered: files in manifest order")
				}
			}
			switch {
			case stopAt > 0 && n == stopAt:
				require.NoError(t, rd.Close())
			case bad >= 0:
				require.ErrorIs(t, rd.Err(), ErrMalformedRow)
				if !unordered {
					require.Equal(t, bad*rowsPer+rowsPer/2, n)
				}
			default:
				require.NoError(t, rd.Err())
				require.Equal(t, files*rowsPer, n)
			}
			rd.Close()
			waitGoroutines(t, base)
		})
	}
}

// TestReviewListOfPairsIsNotAMap: a group of repeated (a, b) records with no
// MAP annotation (a legacy two-level list) is refused, not read as a map.
func TestReviewListOfPairsIsNotAMap(t *testing.T) {
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
