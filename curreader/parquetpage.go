package curreader

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/bitpacked"
	"github.com/parquet-go/parquet-go/encoding/rle"
	"github.com/parquet-go/parquet-go/format"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// A flat column (one value per row, every column of a legacy CUR and most
// of CUR 2.0) is read a page at a time, not a value at a time: each page
// is decoded here, with parquet-go's encodings, into the column's own
// buffers (definition levels, typed values or dictionary indexes), checked
// once, and a row's value is found from them only when the caller asks for
// it. A row then costs nothing per column, and a column nobody reads costs
// its pages' decoding only.
//
// Every index a lookup follows is checked when the page is loaded (the
// dictionary indexes against the dictionary, the byte-array offsets against
// the bytes), so reading a value cannot fail or panic after Next.

// flatPage is the page a flat leaf is at.
type flatPage struct {
	start, end int64    // the rows of the row group it holds: [start, end)
	defs       []byte   // one definition level per row; nil when every row has a value
	defsBuf    []byte   // a copy's (copyRows): where its defs are kept
	ro, roBuf  []uint32 // a copy's byte arrays, a row at a time (rowOffsets)
	maxDef     byte
	cur, k     int     // a cursor: k values precede row start+cur (rows with levels)
	idx        []int32 // dictionary indexes, one per value; nil for plain values
	dictGen    uint64  // changes with the dictionary
	n          int     // values the value slices hold (the dictionary's, for idx)
	kind       parquet.Kind
	f64        []float64
	f32        []float32
	i64        []int64
	i32        []int32
	i96        []deprecated.Int96
	data       []byte   // byte arrays, fixed-length byte arrays, booleans (bits)
	offs       []uint32 // byte arrays: n+1 offsets into data
	size       int      // fixed-length byte arrays: their length
}

// fill writes the value index of each row of [from, to) (rows of the row
// group, within the page, never going back) into out: an index into the
// page's values (the dictionary's, for a dictionary page), or -1 for a
// null. One column at a time, in a tight loop over its levels, instead of
// a column after another on every row.
func (f *flatPage) fill(out []int32, from, to int64) {
	off, end := int(from-f.start), int(to-f.start)
	k := int32(f.k)
	if f.defs != nil {
		if f.cur < off {
			k += int32(countDefined(f.defs[f.cur:off], f.maxDef))
			f.cur = off
		}
		defs := f.defs[off:end]
		out = out[:len(defs)]
		for r, d := range defs {
			v := int32(-1)
			if d == f.maxDef {
				v = k
				k++
			}
			out[r] = v
		}
		f.cur = end
	} else {
		// Values are rows, counted from k at the cursor (a copy of
		// booleans counts from the first value's bit).
		shift := k - int32(f.cur)
		out = out[:end-off]
		for r := range out {
			out[r] = shift + int32(off+r)
		}
		k = shift + int32(end)
		f.cur = end
	}
	f.k = int(k)
	if f.idx != nil {
		idx := f.idx
		for r, v := range out {
			if v >= 0 {
				out[r] = idx[v]
			}
		}
	}
}

// value returns value j as a parquet.Value, for the renderers.
func (f *flatPage) value(j int) parquet.Value {
	switch f.kind {
	case parquet.Double:
		return parquet.DoubleValue(f.f64[j])
	case parquet.Int64:
		return parquet.Int64Value(f.i64[j])
	case parquet.Int32:
		return parquet.Int32Value(f.i32[j])
	case parquet.Float:
		return parquet.FloatValue(f.f32[j])
	case parquet.Int96:
		return parquet.Int96Value(f.i96[j])
	case parquet.Boolean:
		return parquet.BooleanValue(f.data[j>>3]>>(j&7)&1 != 0)
	case parquet.FixedLenByteArray:
		return parquet.FixedLenByteArrayValue(f.data[j*f.size : (j+1)*f.size])
	default:
		return parquet.ByteArrayValue(f.bytes(j))
	}
}

// rawBytes returns byte-array or fixed-length value j.
func (f *flatPage) rawBytes(j int) []byte {
	if f.kind == parquet.FixedLenByteArray {
		return f.data[j*f.size : (j+1)*f.size : (j+1)*f.size]
	}
	return f.bytes(j)
}

// bytes returns byte-array value j.
func (f *flatPage) bytes(j int) []byte {
	lo, hi := f.offs[j], f.offs[j+1]
	return f.data[lo:hi:hi]
}

// Kinds of memo key.
const (
	memoNone uint8 = iota
	memoBits       // the value's bits
	memoDict       // the dictionary (its generation) and the index
)

// memo returns a key that, with its kind, is equal for two values of the
// column exactly when they are the same value (so the text of one serves
// the other); memoNone for values that have no such key.
func (f *flatPage) memo(j int) (uint64, uint8) {
	if f.idx != nil {
		return f.dictGen<<32 | uint64(uint32(j)), memoDict
	}
	switch f.kind {
	case parquet.Double:
		return math.Float64bits(f.f64[j]), memoBits
	case parquet.Int64:
		return uint64(f.i64[j]), memoBits
	case parquet.Int32:
		return uint64(uint32(f.i32[j])), memoBits
	case parquet.Float:
		return uint64(math.Float32bits(f.f32[j])), memoBits
	}
	return 0, memoNone
}

// plainDictionary is PLAIN_DICTIONARY, deprecated by the format (as
// RLE_DICTIONARY in data pages, PLAIN in dictionary pages) but still what
// older writers (parquet-mr 1.x, Spark 2) write: read as those.
const plainDictionary = format.Encoding(2)

// pageLoc is a page of a flat column chunk, as checkChunk walked its
// header: where its bytes are and what the header says of them.
type pageLoc struct {
	off         int64 // the page's bytes, after its header
	size, usize int32 // compressed and uncompressed sizes
	crc         int32 // 0: none
	typ         format.PageType
	values      int32 // num_values (a dictionary's, for a dictionary page)
	enc         format.Encoding
	defEnc      format.Encoding // v1: the definition levels' encoding
	defLen      int32           // v2: bytes of definition levels
	repLen      int32           // v2: bytes of repetition levels
	compressed  bool            // v2: whether the values are compressed
}

// valueBufs hold decoded values of one kind, reused from page to page, so
// that a column read a page at a time holds one page at its own size.
type valueBufs struct {
	f64  []float64
	f32  []float32
	i64  []int64
	i32  []int32
	i96  []deprecated.Int96
	data []byte
	offs []uint32
}

// pageScratch is what decoding a page needs only while it decodes: the
// page as stored, and decompressed. One serves every column of a file.
type pageScratch struct {
	raw, plain []byte // a page as read (local files), and decompressed
	codecs     pageCodecs
}

// decompress returns a page's data decompressed (n bytes), in the scratch
// buffer, or src itself when it is stored uncompressed.
func (sc *pageScratch) decompress(codec format.CompressionCodec, src []byte, n int) ([]byte, error) {
	out, err := sc.codecs.decompress(sc.plain, codec, src, n)
	if err == nil && codec != format.Uncompressed {
		sc.plain = out
	}
	return out, err
}

// growTo returns s emptied, with room for n elements. It grows by an
// eighth more than asked, so that a column whose pages vary in size
// settles on one buffer rather than replacing it page after page (each
// replaced buffer is garbage, and garbage makes the heap, not just the
// pages, larger).
func growTo[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n+n/8)
	}
	return s[:0]
}

// reserve sizes a flat leaf's buffers for the largest page of its chunk
// (locs), so that decoding the chunk does not grow them page by page.
func (l *pqLeaf) reserve() {
	var bytes, values int32
	dict := false
	for i := range l.locs {
		if loc := &l.locs[i]; loc.typ != format.DictionaryPage {
			bytes, values = max(bytes, loc.usize), max(values, loc.values)
			dict = dict || loc.enc == plainDictionary || loc.enc == format.RLEDictionary
		}
	}
	n, b := int(values), int(bytes)
	if l.fp.maxDef > 0 {
		l.defs = growTo(l.defs, n)
	}
	if dict {
		l.idx = growTo(l.idx, n)
		return
	}
	v := &l.vals
	switch l.fp.kind {
	case parquet.Double:
		v.f64 = growTo(v.f64, n)
	case parquet.Int64:
		v.i64 = growTo(v.i64, n)
	case parquet.Int32:
		v.i32 = growTo(v.i32, n)
	case parquet.Float:
		v.f32 = growTo(v.f32, n)
	case parquet.Int96:
		v.i96 = growTo(v.i96, n)
	case parquet.ByteArray:
		v.data, v.offs = growTo(v.data, b), growTo(v.offs, n+1)
	default:
		v.data = growTo(v.data, b)
	}
}

// loadPage moves a flat leaf to its next page, which starts at row start
// of the row group; errPqEnd when the column chunk has no more.
func (l *pqLeaf) loadPage(p *pqDecoder, start int64) error {
	for {
		if l.next >= len(l.locs) {
			return errPqEnd
		}
		loc := &l.locs[l.next]
		l.next++
		raw, err := l.pageBytes(p, loc)
		if err != nil {
			return err
		}
		rows, err := l.decodePage(&p.sc, loc, raw)
		if err != nil {
			return err
		}
		if rows == 0 {
			continue // a dictionary, or a page of no rows
		}
		l.fp.start, l.fp.end = start, start+rows
		return nil
	}
}

func corruptPage(path, format string, args ...any) error {
	return fmt.Errorf("%w: column %s: %s", curerr.ErrMalformed, path, fmt.Sprintf(format, args...))
}

// pageBytes returns a page's bytes as stored: from the row group's chunks
// fetched ahead (without a copy), from the leaf's window of a remote
// chunk that was not, or read into the scratch buffer (a local file).
func (l *pqLeaf) pageBytes(p *pqDecoder, loc *pageLoc) ([]byte, error) {
	n := int64(loc.size)
	if p.cache != nil {
		if b, ok := p.cache.slice(loc.off, n); ok {
			return b, nil
		}
		if r := l.win; loc.off < r.off || loc.off+n > r.off+int64(len(r.data)) {
			// A window from the page on, at least the page, at most the
			// chunk's end.
			size := min(max(n, int64(p.window)), l.chunkEnd-loc.off)
			if size < n {
				return nil, shortRead(nil)
			}
			buf := growTo(l.win.data, int(size))[:size]
			if got, err := p.ra.ReadAt(buf, loc.off); int64(got) < size {
				return nil, shortRead(err)
			}
			l.win = region{loc.off, buf}
		}
		return l.win.data[loc.off-l.win.off:][:n:n], nil
	}
	sc := &p.sc
	sc.raw = growTo(sc.raw, int(n))[:n]
	if got, err := p.ra.ReadAt(sc.raw, loc.off); got < len(sc.raw) {
		return nil, shortRead(err)
	}
	return sc.raw, nil
}

// decodePage reads and decodes one page of a flat leaf into its buffers,
// and checks every index a lookup will follow. It returns the page's rows:
// 0 for a dictionary page.
//
// It decodes as parquet-go does, with parquet-go's encodings, but into the
// leaf's own buffers, sized to the page: parquet-go keeps every page it
// returns in a pooled buffer of the next size class, and its page reader
// holds the last page it returned until it reads the next, so a file read
// a page per column held about twice its pages' size.
func (l *pqLeaf) decodePage(sc *pageScratch, loc *pageLoc, raw []byte) (int64, error) {
	f := &l.fp
	if loc.crc != 0 && crc32.ChecksumIEEE(raw) != uint32(loc.crc) {
		return 0, corruptPage(l.path, "a page's checksum does not match")
	}
	switch loc.typ {
	case format.DictionaryPage:
		if l.dictOK {
			return 0, nil // parquet-go, too, keeps the first
		}
		data, err := sc.decompress(l.codec, raw, int(loc.usize))
		if err != nil {
			return 0, corruptPage(l.path, "dictionary: %v", err)
		}
		enc := loc.enc
		if enc == plainDictionary {
			enc = format.Plain
		}
		n, err := l.decodeValues(&l.dict, parquet.LookupEncoding(enc), data, int(loc.values))
		if err != nil {
			return 0, err
		}
		l.dictOK, l.dictN = true, n
		f.dictGen++
		return 0, nil
	case format.DataPage, format.DataPageV2:
	default:
		return 0, corruptPage(l.path, "a page of type %s", loc.typ)
	}
	rows := int(loc.values)
	data := raw
	var defs []byte
	if loc.typ == format.DataPage {
		var err error
		if data, err = sc.decompress(l.codec, raw, int(loc.usize)); err != nil {
			return 0, corruptPage(l.path, "%v", err)
		}
		if f.maxDef > 0 {
			// A 4-byte length, then the levels (as parquet-go reads them).
			if len(data) < 4 {
				return 0, corruptPage(l.path, "a page too short for its definition levels")
			}
			j := 4 + int64(binary.LittleEndian.Uint32(data))
			if j > int64(len(data)) {
				return 0, corruptPage(l.path, "definition levels of %d bytes in a page of %d", j-4, len(data))
			}
			if defs, err = l.decodeLevels(levelEncoding(loc.defEnc, f.maxDef), data[4:j], rows); err != nil {
				return 0, err
			}
			data = data[j:]
		}
	} else {
		// v2: repetition and definition levels, never compressed, then the
		// values, compressed unless the header says otherwise.
		rep, def := int64(loc.repLen), int64(loc.defLen)
		if rep < 0 || def < 0 || rep+def > int64(len(raw)) {
			return 0, corruptPage(l.path, "levels of %d and %d bytes in a page of %d", rep, def, len(raw))
		}
		if def > 0 && f.maxDef > 0 {
			var err error
			if defs, err = l.decodeLevels(levelEncoding(format.RLE, f.maxDef), raw[rep:rep+def], rows); err != nil {
				return 0, err
			}
		}
		data = raw[rep+def:]
		if loc.compressed {
			var err error
			n := int64(loc.usize) - rep - def
			if n < 0 {
				return 0, corruptPage(l.path, "levels of %d bytes in a page of %d uncompressed", rep+def, loc.usize)
			}
			if data, err = sc.decompress(l.codec, data, int(n)); err != nil {
				return 0, corruptPage(l.path, "%v", err)
			}
		}
	}
	// Which rows have a value: the rest are null.
	f.cur, f.k, f.idx, f.defs = 0, 0, nil, nil
	values := rows
	if f.maxDef > 0 {
		if len(defs) != rows {
			return 0, corruptPage(l.path, "a page of %d rows has %d definition levels", rows, len(defs))
		}
		values = countDefined(defs, f.maxDef)
		if values < len(defs) {
			f.defs = defs
		}
	}
	if loc.enc == plainDictionary || loc.enc == format.RLEDictionary {
		if !l.dictOK {
			return 0, corruptPage(l.path, "dictionary indexes without a dictionary")
		}
		idx, err := parquet.RLEDictionary.DecodeInt32(growTo(l.idx, values), data)
		l.idx = idx[:0]
		if err != nil {
			return 0, corruptPage(l.path, "%v", err)
		}
		if len(idx) < values {
			return 0, corruptPage(l.path, "%d dictionary indexes for %d values", len(idx), values)
		}
		idx = idx[:values]
		n := uint32(l.dictN)
		for _, i := range idx {
			if uint32(i) >= n {
				return 0, corruptPage(l.path, "dictionary index %d of a dictionary of %d values", i, n)
			}
		}
		f.idx = idx
		return int64(rows), f.set(&l.dict, l.dictN, l.path)
	}
	n, err := l.decodeValues(&l.vals, parquet.LookupEncoding(loc.enc), data, values)
	if err != nil {
		return 0, err
	}
	return int64(rows), f.set(&l.vals, n, l.path)
}

// levelEncoding is the encoding of levels up to maxLevel, as parquet-go
// looks it up: RLE or the deprecated BIT_PACKED.
func levelEncoding(enc format.Encoding, maxLevel byte) encoding.Encoding {
	width := bits.Len8(maxLevel)
	switch enc {
	case format.RLE:
		return &rle.Encoding{BitWidth: width}
	case format.BitPacked:
		return &bitpacked.Encoding{BitWidth: width}
	}
	return encoding.NotSupported{}
}

// decodeLevels decodes a page's definition levels into the leaf's buffer:
// exactly rows of them, or an error.
func (l *pqLeaf) decodeLevels(enc encoding.Encoding, src []byte, rows int) ([]byte, error) {
	defs, err := enc.DecodeLevels(growTo(l.defs, rows), src)
	if cap(defs) >= cap(l.defs) {
		l.defs = defs[:0]
	}
	if err != nil {
		return nil, corruptPage(l.path, "definition levels: %v", err)
	}
	if len(defs) < rows {
		return nil, corruptPage(l.path, "%d definition levels for %d rows", len(defs), rows)
	}
	return defs[:rows], nil
}

// decodeValues decodes values of the leaf's kind with enc into b, and
// returns how many there are: at least n, or an error.
func (l *pqLeaf) decodeValues(b *valueBufs, enc encoding.Encoding, src []byte, n int) (int, error) {
	var err error
	have := 0
	switch l.fp.kind {
	case parquet.Double:
		b.f64, err = enc.DecodeDouble(growTo(b.f64, len(src)/8), src)
		have = len(b.f64)
	case parquet.Int64:
		b.i64, err = enc.DecodeInt64(growTo(b.i64, len(src)/8), src)
		have = len(b.i64)
	case parquet.Int32:
		b.i32, err = enc.DecodeInt32(growTo(b.i32, len(src)/4), src)
		have = len(b.i32)
	case parquet.Float:
		b.f32, err = enc.DecodeFloat(growTo(b.f32, len(src)/4), src)
		have = len(b.f32)
	case parquet.Int96:
		b.i96, err = enc.DecodeInt96(growTo(b.i96, len(src)/12), src)
		have = len(b.i96)
	case parquet.Boolean:
		b.data, err = enc.DecodeBoolean(growTo(b.data, len(src)), src)
		have = 8 * len(b.data)
	case parquet.FixedLenByteArray:
		if l.size <= 0 {
			return 0, corruptPage(l.path, "a fixed-length byte array of %d bytes", l.size)
		}
		b.data, err = enc.DecodeFixedLenByteArray(growTo(b.data, len(src)), src, l.size)
		have = len(b.data) / l.size
	case parquet.ByteArray:
		b.data, b.offs, err = enc.DecodeByteArray(growTo(b.data, len(src)), src, growTo(b.offs, n+1))
		have = max(len(b.offs)-1, 0)
	default:
		return 0, corruptPage(l.path, "values of kind %s", l.fp.kind)
	}
	if err != nil {
		return 0, corruptPage(l.path, "%v", err)
	}
	if have < n {
		return 0, corruptPage(l.path, "a page of %d values holds %d", n, have)
	}
	return n, nil
}

// set points the page's value slices at b, which holds at least n values,
// and checks the byte-array offsets a lookup will follow.
func (f *flatPage) set(b *valueBufs, n int, path string) error {
	f.n = n
	f.f64, f.f32, f.i64, f.i32, f.i96, f.data, f.offs = b.f64, b.f32, b.i64, b.i32, b.i96, b.data, b.offs
	if f.kind == parquet.ByteArray {
		f.offs = f.offs[:n+1]
		prev := f.offs[0]
		for _, o := range f.offs {
			if o < prev {
				return corruptPage(path, "byte-array offsets go back")
			}
			prev = o
		}
		if int64(prev) > int64(len(f.data)) {
			return corruptPage(path, "byte arrays end at %d of %d bytes", prev, len(f.data))
		}
	}
	return nil
}

// rawText reports whether a column of type t reads as its bytes
// themselves (strings, enums, JSON, binary): renderer's default for byte
// arrays.
func rawText(t parquet.Type) bool {
	if k := t.Kind(); k != parquet.ByteArray && k != parquet.FixedLenByteArray {
		return false
	}
	if lt := t.LogicalType(); lt != nil {
		switch x := lt.Value.(type) {
		case *format.DecimalType, *format.TimestampType, *format.DateType, *format.TimeType:
			return false
		case *format.IntType:
			return x.IsSigned
		}
	}
	return true
}
