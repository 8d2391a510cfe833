package curreader

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// footerOf decodes a Parquet file's footer; start is where the footer
// (thrift) begins.
func footerOf(t *testing.T, data []byte) (md format.FileMetaData, start int) {
	t.Helper()
	n := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	start = len(data) - 8 - n
	var p thrift.CompactProtocol
	require.NoError(t, thrift.Unmarshal(&p, data[start:len(data)-8], &md))
	return md, start
}

// withFooter returns body followed by md as the footer.
func withFooter(t *testing.T, body []byte, md *format.FileMetaData) []byte {
	t.Helper()
	var p thrift.CompactProtocol
	f, err := thrift.Marshal(&p, md)
	require.NoError(t, err)
	out := append(bytes.Clone(body), f...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(f)))
	return append(out, "PAR1"...)
}

// readFileCost reads every row of a local file, returning the bytes
// allocated, the time taken and the read's error.
func readFileCost(t *testing.T, path string) (alloc uint64, took time.Duration, err error) {
	t.Helper()
	alloc, took = allocCost(func() {
		rd, oerr := OpenFile(t.Context(), path)
		require.NoError(t, oerr)
		defer rd.Close()
		_, err = drain(rd, everyColumn(1<<20))
	})
	return alloc, took, err
}

// allocCost reports the bytes allocated and the time taken by fn.
func allocCost(fn func()) (uint64, time.Duration) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, d
}

// TestParquetDictOffsetAfterData: parquet-go starts a column chunk at its
// DictionaryPageOffset whenever that is non-zero, even past the data page
// offset. A footer whose dictionary offset points after a run of valid
// pages must not let page checks vet those while parquet-go decodes the
// hostile page header of testdata/corrupt-page-header.parquet (which
// TestHostileParquetIsCheap shows is refused in place).
func TestParquetDictOffsetAfterData(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "corrupt-page-header.parquet"))
	require.NoError(t, err)
	md, fstart := footerOf(t, orig)
	find := func(name string) *format.ColumnMetaData {
		for i := range md.RowGroups[0].Columns {
			c := &md.RowGroups[0].Columns[i].MetaData
			if strings.Join(c.PathInSchema, ".") == name {
				return c
			}
		}
		t.Fatalf("no column %s", name)
		return nil
	}
	bad := find("Tags.key_value.key") // the hostile chunk, at its data offset
	good1, good2 := find("x_CostCategories.key_value.key"), find("ConsumedQuantity")
	chunk := func(c *format.ColumnMetaData) []byte {
		return orig[c.DataPageOffset : c.DataPageOffset+c.TotalCompressedSize]
	}
	// Valid pages, exactly as long as the hostile chunk, for checkChunk.
	decoy := slices.Concat(chunk(good1), chunk(good2), chunk(good2))
	require.Len(t, decoy, int(bad.TotalCompressedSize))
	body := slices.Concat(orig[:fstart], decoy, chunk(bad))
	bad.DataPageOffset = int64(fstart)
	bad.DictionaryPageOffset = int64(fstart) + int64(len(decoy))
	path := writeTemp(t, withFooter(t, body, &md))

	alloc, took, rerr := readFileCost(t, path)
	t.Logf("%v, %d MB allocated: %v", took, alloc>>20, rerr)
	require.Error(t, rerr)
	assert.Less(t, alloc, uint64(16<<20), "the hostile page was decoded: %d MB allocated in %v", alloc>>20, took)
}

// hugeBinaryPageHeader is a page header of 22 bytes whose statistics claim
// a max value of 2^31-1 bytes: PageHeader{type: DATA_PAGE, sizes 10, 10,
// data_page_header: {num_values 1, encodings 0, statistics: {max: ...}}}.
var hugeBinaryPageHeader = []byte{
	0x15, 0x00, 0x15, 0x14, 0x15, 0x14,
	0x2c, 0x15, 0x02, 0x15, 0x00, 0x15, 0x00, 0x15, 0x00,
	0x1c, 0x18, 0xff, 0xff, 0xff, 0xff, 0x07,
}

// TestParquetPageHeaderHugeBinary: parquet-go's thrift stream reader
// allocates a binary field's declared length (up to 2 GiB) before reading
// it. A 22-byte page header whose statistics claim a 2 GiB max value is
// refused as malformed for little memory, however often the page check
// retries with a larger buffer.
func TestParquetPageHeaderHugeBinary(t *testing.T) {
	type rec struct {
		S string `parquet:"s"`
	}
	var recs []rec
	for i := range 300 { // a chunk of 4-8 KiB: two decode attempts
		recs = append(recs, rec{S: fmt.Sprintf("%08d-%x", i, rand.Uint64())})
	}
	data := genericParquet(t, recs, parquet.Compression(&parquet.Uncompressed))
	md, _ := footerOf(t, data)
	c := md.RowGroups[0].Columns[0].MetaData
	require.Greater(t, c.TotalCompressedSize, int64(4096))
	off, err := chunkStart(&c)
	require.NoError(t, err)
	data = bytes.Clone(data)
	copy(data[off:], hugeBinaryPageHeader)
	path := writeTemp(t, data)
	alloc, took, rerr := readFileCost(t, path)
	t.Logf("%v, %d MB allocated: %v", took, alloc>>20, rerr)
	require.ErrorIs(t, rerr, curerr.ErrMalformed)
	assert.Less(t, alloc, uint64(16<<20), "%d MB allocated in %v for a 22-byte page header", alloc>>20, took)
}

// TestParquetFooterHugeList: parquet-go's thrift decoder makes a slice of
// a list's declared size before reading an element, so a 9-byte footer
// whose schema list claims 2^31-1 structs asks for hundreds of GiB and the
// runtime dies with "fatal error: out of memory", which recover cannot
// catch. It must be refused as malformed; the reading runs in a child
// process so that a regression fails this test instead of killing the run.
func TestParquetFooterHugeList(t *testing.T) {
	// FileMetaData{version: 1, schema: list<struct> of 2^31-1}
	footer := []byte{0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07}
	data := append([]byte("PAR1"), footer...)
	data = binary.LittleEndian.AppendUint32(data, uint32(len(footer)))
	data = append(data, "PAR1"...)
	if p := os.Getenv("CURCONNECT_FOOTER_CHILD"); p != "" {
		rd, err := OpenFile(context.Background(), p)
		if err != nil {
			fmt.Println("open error:", err)
			return
		}
		_, err = drain(rd, everyColumn(10))
		fmt.Println("read error:", err)
		return
	}
	path := writeTemp(t, data)
	cmd := exec.Command(os.Args[0], "-test.run=^TestParquetFooterHugeList$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CURCONNECT_FOOTER_CHILD="+path)
	out, err := cmd.CombinedOutput()
	head := string(out)
	if len(head) > 600 {
		head = head[:600]
	}
	t.Logf("child: %v\n%s", err, head)
	require.NoError(t, err, "reading a 21-byte file killed the process")
	assert.Contains(t, string(out), "malformed")
}

// TestParquetHugeChunkFromS3Checked: a column chunk too large to fetch
// ahead from S3 (over 8 MiB) still has its page headers checked before
// parquet-go decodes them, by ranged GETs of the headers alone.
func TestParquetHugeChunkFromS3Checked(t *testing.T) {
	type rec struct {
		S string `parquet:"s"`
	}
	recs := make([]rec, 9<<10)
	for i := range recs {
		b := make([]byte, 1<<10)
		for j := range b {
			b[j] = byte('a' + rand.IntN(26))
		}
		recs[i].S = string(b)
	}
	data := genericParquet(t, recs, parquet.Compression(&parquet.Uncompressed))
	md, _ := footerOf(t, data)
	c := md.RowGroups[0].Columns[0].MetaData
	require.Greater(t, c.TotalCompressedSize, int64(8<<20), "the chunk must be too large to fetch ahead")
	off, err := chunkStart(&c)
	require.NoError(t, err)
	const key = "cur/r/20240301-20240401/a/r-00001.snappy.parquet"
	for name, tc := range map[string]struct {
		corrupt bool
	}{"intact": {}, "hostile page header": {corrupt: true}} {
		t.Run(name, func(t *testing.T) {
			obj := bytes.Clone(data)
			if tc.corrupt {
				copy(obj[off:], hugeBinaryPageHeader)
			}
			_, s := gofakes3Backend(t, objects{key: obj})
			d := &Delivery{Bucket: testBucket, Report: "r", Format: FormatParquet, Compression: CompressionParquet, Ready: true,
				Files: []DataFile{{Key: key, Size: int64(len(obj))}}}
			var rows int
			var rerr error
			alloc, took := allocCost(func() {
				// The smallest budget: chunks over 8 MiB are not fetched ahead.
				rd, err := openS3(t.Context(), s.Client, d, func(o *ReadOptions) { o.Concurrency, o.MemoryBudget = 1, 1 })
				require.NoError(t, err)
				defer rd.Close()
				rows, rerr = drain(rd, everyColumn(1<<20))
			})
			t.Logf("%v, %d MB allocated, %d rows: %v", took, alloc>>20, rows, rerr)
			if !tc.corrupt {
				require.NoError(t, rerr)
				assert.Equal(t, len(recs), rows)
				return
			}
			var fe *FileError
			require.ErrorAs(t, rerr, &fe)
			assert.Equal(t, key, fe.File)
			require.ErrorIs(t, rerr, curerr.ErrMalformed)
			assert.Less(t, alloc, uint64(256<<20), "%d MB allocated for a 22-byte page header", alloc>>20)
		})
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

// TestStatusFileHostile: the Athena status file goes through the same
// footer and page-header checks as a data file before parquet-go reads it:
// the footer that asks parquet-go for 2^31-1 schema elements, and every
// truncation of a real status file, are errors, never a crash.
func TestStatusFileHostile(t *testing.T) {
	good := statusParquet(t, "READY")
	s, err := parseStatus(good)
	require.NoError(t, err)
	assert.Equal(t, "READY", s)

	footer := []byte{0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07}
	huge := append([]byte("PAR1"), footer...)
	huge = binary.LittleEndian.AppendUint32(huge, uint32(len(footer)))
	huge = append(huge, "PAR1"...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = parseStatus(huge)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "refused before parquet-go sized anything from it")

	for n := range len(good) {
		_, err := parseStatus(good[:n])
		assert.Error(t, err, "truncated at %d", n)
	}
}
