package curreader

// Parquet files built to hurt, or corrupt: footers and page headers that
// claim gigabytes or nest without end, a dictionary offset that dodges the
// page checks, files cut short or overwritten. Each ends in an error naming
// the file (curerr.ErrMalformed), cheaply: never a panic, a crash or a
// clean short total.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
)

// TestHostileParquetIsCheap: inputs that make parquet-go allocate what a
// header claims (a footer length of 2 GiB, a page of 149 million values)
// are refused before it does, quickly and with little memory.
func TestHostileParquetIsCheap(t *testing.T) {
	// Found by FuzzParquetFile: a page header claiming 149,000,000 values
	// (3.7 s and 458 MB inside parquet-go before it failed).
	slow, err := os.ReadFile(filepath.Join("testdata", "corrupt-page-header.parquet"))
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"page claims 149M values": slow,
		"footer claims 2 GiB":     []byte("PAR1\x15\x06\x15\x80PAR1"),
		"footer claims 4 GiB":     append(append([]byte("PAR1"), bytes.Repeat([]byte{0}, 100)...), 0xff, 0xff, 0xff, 0xff, 'P', 'A', 'R', '1'),
		"encrypted footer":        []byte("PAR1\x00\x00\x00\x00\x04\x00\x00\x00PARE"),
		"too short":               []byte("PAR1"),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.parquet")
			require.NoError(t, os.WriteFile(p, data, 0o600))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			rd, err := OpenFile(t.Context(), p)
			require.NoError(t, err)
			assert.False(t, rd.Next())
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			var fe *FileError
			require.ErrorAs(t, rd.Err(), &fe)
			assert.ErrorIs(t, rd.Err(), curerr.ErrMalformed)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "allocated %d bytes", after.TotalAlloc-before.TotalAlloc)
			t.Logf("%v: %v", elapsed, rd.Err())
		})
	}
}

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
	rng := rand.New(rand.NewPCG(1, 2)) // the same file every run
	for i := range 300 {               // a chunk of 4-8 KiB: two decode attempts
		recs = append(recs, rec{S: fmt.Sprintf("%08d-%x", i, rng.Uint64())})
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

// TestParquetFooterDeepNesting: a footer of nested struct headers, which
// parquet-go would recurse into once per level, is refused as malformed.
func TestParquetFooterDeepNesting(t *testing.T) {
	footer := bytes.Repeat([]byte{0x1c}, 1<<20)
	data := append([]byte("PAR1"), footer...)
	data = binary.LittleEndian.AppendUint32(data, uint32(len(footer)))
	data = append(data, "PAR1"...)
	p := filepath.Join(t.TempDir(), "deep.parquet")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	rd, err := OpenFile(t.Context(), p)
	require.NoError(t, err)
	defer rd.Close()
	assert.False(t, rd.Next())
	var fe *FileError
	require.ErrorAs(t, rd.Err(), &fe)
	assert.ErrorIs(t, rd.Err(), curerr.ErrMalformed)
	assert.Contains(t, rd.Err().Error(), "nested deeper")
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

// chunkOffsets returns where each column chunk's first page starts in a
// Parquet file (the page header), in the first row group.
func chunkOffsets(t *testing.T, data []byte) []int64 {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var offs []int64
	for _, c := range pf.Metadata().RowGroups[0].Columns {
		start, err := chunkStart(&c.MetaData)
		require.NoError(t, err)
		offs = append(offs, start)
	}
	return offs
}

// TestParquetCorruptFiles: a Parquet file cut at its tail or in its
// middle, or with a page header overwritten, ends in a *FileError naming
// the file and wrapping curerr.ErrMalformed, from a local copy and from S3, one
// file at a time and read ahead — never a panic or a clean short total.
func TestParquetCorruptFiles(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 3, Rows: 600, Seed: 5}, true)
	key := g.cur.DataKeys[1]
	orig := g.objs[key]
	offs := chunkOffsets(t, orig)
	mid := offs[len(offs)/2]
	corrupt := map[string][]byte{
		"tail cut":   orig[:len(orig)*2/3],
		"footer cut": orig[:len(orig)-3],
		"middle cut": slices.Concat(orig[:mid], orig[mid+200:]),
	}
	flip := bytes.Clone(orig)
	for _, o := range offs[1:4] {
		for i := range int64(6) {
			flip[o+i] ^= 0xA5
		}
	}
	corrupt["page headers flipped"] = flip
	zero := bytes.Clone(orig)
	for _, o := range offs {
		clear(zero[o : o+4])
	}
	corrupt["page headers zeroed"] = zero
	for name, data := range corrupt {
		for _, be := range []string{"fs", "s3"} {
			for _, c := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/%s/c%d", name, be, c), func(t *testing.T) {
					var rd *Reader
					var err error
					if be == "fs" {
						m := maps(g.m)
						m[key] = &fstest.MapFile{Data: data}
						d := *g.fsD
						d.Files = slices.Clone(d.Files)
						d.Files[1].Size = int64(len(data))
						rd, err = openFS(t.Context(), m, &d, concurrency(c))
					} else {
						g.s.Put(t, testBucket, key, data)
						defer g.s.Put(t, testBucket, key, orig)
						d := *g.s3D
						d.Files = slices.Clone(d.Files)
						d.Files[1].Size, d.Files[1].ETag = int64(len(data)), ""
						rd, err = openS3(t.Context(), g.s.Client, &d, concurrency(c))
					}
					require.NoError(t, err)
					defer rd.Close()
					got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
					require.Error(t, err, "a corrupt file read to a clean end: %d rows of %d", got.rows, g.cur.Rows)
					fe := requireFileError(t, err, key)
					assert.Equal(t, key, fe.File)
					assert.ErrorIs(t, err, curerr.ErrMalformed)
					assert.Less(t, got.rows, g.cur.Rows)
					assert.GreaterOrEqual(t, got.rows, int64(g.cur.RowsPerFile[0]), "the first file's rows come first")
				})
			}
		}
	}
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

// withFirstPage rewrites the first page of column col (row group 0):
// edit changes its header, body its bytes (given from their first byte,
// levels included). Every later byte stays where it was: the page's
// compressed size absorbs a change in the header's length (the body's end
// is cut or padded), and its checksum, when it has one, is the new body's.
func withFirstPage(t *testing.T, data []byte, col int, edit func(*format.PageHeader), body func([]byte)) []byte {
	t.Helper()
	md, _ := footerOf(t, data)
	off, err := chunkStart(&md.RowGroups[0].Columns[col].MetaData)
	require.NoError(t, err)
	var p thrift.CompactProtocol
	br := bytes.NewReader(data[off:])
	var h format.PageHeader
	require.NoError(t, thrift.NewDecoder(p.NewReader(br)).Decode(&h))
	start := int(off) + len(data[off:]) - br.Len() // the body
	end := start + int(h.CompressedPageSize)       // the next page
	edit(&h)
	var hdr, b []byte
	for range 8 { // the sizes' own varints may change the header's length
		b = make([]byte, end-int(off)-len(hdr))
		copy(b, data[start:end])
		if body != nil {
			body(b)
		}
		h.CompressedPageSize = int32(len(b))
		if h.CRC != 0 {
			h.CRC = int32(crc32.ChecksumIEEE(b))
		}
		hdr, err = thrift.Marshal(&p, &h)
		require.NoError(t, err)
	}
	require.Equal(t, end-int(off), len(hdr)+len(b))
	out := bytes.Clone(data)
	copy(out[off:], hdr)
	copy(out[int(off)+len(hdr):], b)
	return out
}

// TestParquetPageClaimsHugeSizes: a page header or a Snappy block that
// claims a gigabyte costs what it holds, not what it claims: refused (or
// read as the few bytes it has) with little memory, never allocated.
func TestParquetPageClaimsHugeSizes(t *testing.T) {
	type rec struct {
		S string            `parquet:"s"`
		D string            `parquet:"d,dict"`
		F float64           `parquet:"f"`
		M map[string]string `parquet:"resource_tags"`
	}
	var recs []rec
	rng := rand.New(rand.NewPCG(1, 2)) // the same file every run: withFirstPage's sizes stay put
	for i := range 2000 {
		recs = append(recs, rec{S: fmt.Sprintf("%08d-%x", i, rng.Uint64()), D: fmt.Sprint("v", i%7), F: float64(i) / 8,
			M: map[string]string{"user_team": fmt.Sprint("t", i%5)}})
	}
	data := genericParquet(t, recs, parquet.Compression(&parquet.Snappy))
	levels := 0 // a v2 page's levels, before its compressed values
	for name, bad := range map[string][]byte{
		"uncompressed size 1 GiB":          withFirstPage(t, data, 0, func(h *format.PageHeader) { h.UncompressedPageSize = 1 << 30 }, nil),
		"uncompressed size 1 GiB, doubles": withFirstPage(t, data, 2, func(h *format.PageHeader) { h.UncompressedPageSize = 1 << 30 }, nil),
		"dictionary of 2^31-1 values": withFirstPage(t, data, 1, func(h *format.PageHeader) {
			require.Equal(t, format.DictionaryPage, h.Type)
			h.DictionaryPageHeader.V.NumValues = math.MaxInt32
		}, nil),
		"snappy block claims 1 GiB": withFirstPage(t, data, 0, func(*format.PageHeader) {}, func(b []byte) {
			binary.PutUvarint(b, 1<<30)
		}),
		// Map columns are decoded by parquet-go, whose Snappy decoder
		// allocates what a block declares.
		"snappy block of a map claims 1 GiB": withFirstPage(t, data, 3, func(h *format.PageHeader) {
			if v2, ok := h.DataPageHeaderV2.Get(); ok {
				levels = int(v2.RepetitionLevelsByteLength + v2.DefinitionLevelsByteLength)
			}
		}, func(b []byte) {
			binary.PutUvarint(b[levels:], 1<<30)
		}),
	} {
		t.Run(name, func(t *testing.T) {
			alloc, took, rerr := readFileCost(t, writeTemp(t, bad))
			t.Logf("%v, %d MB allocated: %v", took, alloc>>20, rerr)
			if rerr != nil {
				require.ErrorIs(t, rerr, curerr.ErrMalformed)
			}
			assert.Less(t, alloc, uint64(64<<20), "%d MB allocated in %v", alloc>>20, took)
		})
	}
}

// TestParquetMapPageCorruptInEveryCodec: map columns are decoded by
// parquet-go, whose codecs grow their output as the data says (its LZ4
// decoder doubles its buffer on any error, without end: a 2,000-row file
// ended the process out of memory). A corrupt map page in any codec is
// refused, with little memory, before parquet-go decodes it.
func TestParquetMapPageCorruptInEveryCodec(t *testing.T) {
	type rec struct {
		S string            `parquet:"s"`
		M map[string]string `parquet:"resource_tags"`
	}
	var recs []rec
	for i := range 2000 {
		recs = append(recs, rec{S: fmt.Sprint("row-", i), M: map[string]string{"user_team": fmt.Sprint("t", i%5), "user_app": fmt.Sprint("a", i)}})
	}
	for name, codec := range map[string]compress.Codec{"lz4_raw": &parquet.Lz4Raw, "gzip": &parquet.Gzip, "zstd": &parquet.Zstd, "brotli": &parquet.Brotli} {
		t.Run(name, func(t *testing.T) {
			data := genericParquet(t, recs, parquet.Compression(codec))
			if name != "lz4_raw" {
				// Intact, the file reads. (parquet-go v0.32.0 cannot
				// decode the LZ4_RAW map pages its own writer wrote: an
				// error, not a crash. AWS writes Snappy.)
				_, _, err := readFileCost(t, writeTemp(t, data))
				require.NoError(t, err)
			}
			levels := 0 // a v2 page's levels, before its compressed values
			bad := withFirstPage(t, data, 1, func(h *format.PageHeader) {
				if v2, ok := h.DataPageHeaderV2.Get(); ok {
					levels = int(v2.RepetitionLevelsByteLength + v2.DefinitionLevelsByteLength)
				}
			}, func(b []byte) {
				for i := levels; i < len(b); i++ {
					b[i] = 0xff
				}
			})
			alloc, took, err := readFileCost(t, writeTemp(t, bad))
			t.Logf("%v, %d MB allocated: %v", took, alloc>>20, err)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			assert.Less(t, alloc, uint64(64<<20), "%d MB allocated in %v", alloc>>20, took)
		})
	}
}

// TestParquetChunkPastTheEnd: a footer whose column chunk reaches past
// the end of the file is malformed, from S3 as from a local file, never a
// bare io.EOF that reads like the end.
func TestParquetChunkPastTheEnd(t *testing.T) {
	type rec struct {
		S string  `parquet:"s"`
		F float64 `parquet:"f"`
	}
	var recs []rec
	for i := range 500 {
		recs = append(recs, rec{S: fmt.Sprint("v", i), F: float64(i)})
	}
	data := genericParquet(t, recs)
	md, start := footerOf(t, data)
	md.RowGroups[0].Columns[1].MetaData.TotalCompressedSize += 1 << 16
	obj := withFooter(t, data[:start], &md)
	const key = "cur/r/20240301-20240401/a/r-00001.snappy.parquet"
	_, s := gofakes3Backend(t, objects{key: obj})
	d := &Delivery{Bucket: testBucket, Report: "r", Format: FormatParquet, Compression: CompressionParquet, Ready: true,
		Files: []DataFile{{Key: key, Size: int64(len(obj))}}}
	s3rd, err := openS3(t.Context(), s.Client, d, concurrency(1))
	require.NoError(t, err)
	local, err := OpenFile(t.Context(), writeTemp(t, obj))
	require.NoError(t, err)
	for name, rd := range map[string]*Reader{"s3": s3rd, "local": local} {
		_, err := drain(rd, nil)
		require.ErrorIs(t, err, curerr.ErrMalformed, name)
		assert.NotErrorIs(t, err, io.EOF, name)
		var fe *FileError
		require.ErrorAs(t, err, &fe, name)
		rd.Close()
	}
}
