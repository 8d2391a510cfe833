package curreader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/colname"
)

// parquetRows reads one Parquet data file for the caller: the footer
// first, then, row group by row group, only the chunks of the projected
// columns. Values are given as text (see Row.Get).
//
// Rows come a segment at a time: rows of one row group within the current
// page of every flat column. A pqDecoder (the pages' side) fills segments,
// on the caller's goroutine (views of its pages) or, when the Reader may
// use a second goroutine, ahead of the caller on its own (copies of them,
// see pqAhead); the caller's side reads whichever it is given the same way.
type parquetRows struct {
	m     *Header
	cols  []*pqColumn // in file order; the visible ones
	cs    []pqCol     // the caller's view of each, in the current segment
	d     *pqDecoder
	ahead *pqAhead // nil: segments are filled on the caller's goroutine
	seg   *pqSeg   // the current segment
	own   pqSeg    // the segment filled on the caller's goroutine
	r     int64    // the current row's index in seg
	segNo uint64   // changes with seg
	row   int64    // rows read
}

// pqDecoder is the pages' side of a Parquet file: it reads row groups,
// checks and decodes pages, and fills segments (fill). It is used by one
// goroutine at a time.
type pqDecoder struct {
	key    string
	ra     io.ReaderAt // the file, to check page headers (local or cached)
	f      *parquet.File
	closer io.Closer
	cancel context.CancelFunc // the file's reads
	cache  *rangeCache        // remote files: a row group's chunks fetched at once
	cols   []*pqColumn        // the visible columns
	flat   []*pqLeaf          // the leaves of the flat columns, read a page at a time
	maps   []int              // the map columns (indexes in cols), read a value at a time
	sc     pageScratch        // decoding a flat leaf's page
	window int                // remote: the bytes a chunk not fetched ahead is read by
	rg     int                // current row group; -1 before the first
	left   int64              // rows left in it
	next   int64              // the row of the row group the next segment starts at
	bound  int64              // the first row of the row group past a flat leaf's page
	row    int64              // rows filled into segments
	ioErr  *atomic.Bool       // a read of the file failed (not a decoding error)
}

// pqColumn is one top-level column: a leaf, or a map of two leaves. Its
// leaves and map text belong to the decoder; the rest is fixed when the
// file is opened.
type pqColumn struct {
	name     string
	key, val *pqLeaf // val only for maps
	kvDef    int     // maps: the definition level of an entry
	raw      bool    // values are their text: strings, and maps (as JSON)
	bytes    bool    // raw, and byte arrays (not fixed-length)
	num      numKind // a flat column DecimalAt reads without text
	scale    int     // num == numDecimal: the DECIMAL's scale
	// A map's value for the row being read, and one key or value before
	// JSON quoting.
	mapText []byte
	scratch []byte
	// text is set by the caller's side when it renders the column's values
	// to text; a decoder filling segments ahead then renders them too, on
	// its own goroutine (render, its memo).
	text       atomic.Bool
	renderMemo uint64
	renderKind uint8
	// decimals, likewise, when it reads the column with DecimalAt: the
	// decoder then converts the values ahead (with decs, its own cache).
	decimals atomic.Bool
	decs     *decCache
}

// pqCol is the caller's view of a column in the current segment, set up
// on the column's first use in it (see col): its rows' value indexes
// (-1: null) and the slices the common reads need, so that a read is a
// few loads (bytes: the values' text is data[offs[j]:offs[j+1]], as a
// string column's values are, or a column whose text a decoder rendered
// ahead). It keeps what the caller read lately: the text of the last
// value rendered, whose key (flatPage.memo) is memo, and the decimals of
// values DecimalAt read (costs repeat: the same rate, the same hourly
// cost).
type pqCol struct {
	// What field reads for every cell, first and together (56 bytes).
	segNo uint64   // the segment the view is of
	ro    []uint32 // a copy's byte arrays, or their text: a row at a time (flatPage.ro)
	data  []byte   // bytes: f.data
	bytes bool
	num   numKind

	viNo uint64 // the segment vi is of (found when first needed)
	vi   []int32
	dec  *segDecimals // the rows' decimals, converted ahead
	f    *flatPage
	offs []uint32 // bytes: f.offs
	f64  []float64
	c    *pqColumn
	// Caches.
	text     []byte
	memo     uint64
	memoKind uint8
	decs     *decCache // DOUBLE columns
}

// A column's direct-mapped cache of decimals holds 2^decCacheBits.
const (
	decCacheBits = 8
	decCacheSize = 1 << decCacheBits
)

// decCache is a DOUBLE column's direct-mapped cache of decimals: costs
// repeat (the same rate, the same hourly cost), and a lookup is cheaper
// than FromFloat64.
type decCache [decCacheSize]struct {
	key uint64 // the double's bits
	d   decimal.Decimal
}

// decSlot is the entry of a decCache a double's bits go to.
func decSlot(key uint64) uint64 { return (key * 0x9e3779b97f4a7c15) >> (64 - decCacheBits) }

// newDecCache returns an empty cache: each entry holds bits that go to
// another entry, so that no double finds it.
func newDecCache() *decCache {
	c := new(decCache)
	for i := range c {
		for k := uint64(0); ; k++ {
			if decSlot(k) != uint64(i) {
				c[i].key = k
				break
			}
		}
	}
	return c
}

// fromFloat64 is decimal.FromFloat64 through the cache.
func (c *decCache) fromFloat64(x float64) (decimal.Decimal, error) {
	key := math.Float64bits(x)
	e := &c[decSlot(key)]
	if e.key == key {
		return e.d, nil
	}
	d, err := decimal.FromFloat64(x)
	if err == nil {
		e.key, e.d = key, d
	}
	return d, err
}

// numKind tells how DecimalAt reads a flat column's values without
// rendering them: as the same decimal the text would parse to.
type numKind uint8

const (
	numNone    numKind = iota // through the text
	numDouble                 // a DOUBLE: the shortest decimal that reads back as it
	numInt                    // a signed INT32 or INT64
	numDecimal                // a DECIMAL on INT32 or INT64, scale ≥ 0
)

// numKindOf returns how DecimalAt reads a column of type t.
func numKindOf(t parquet.Type) (numKind, int) {
	k := t.Kind()
	if k != parquet.Double && k != parquet.Int32 && k != parquet.Int64 {
		return numNone, 0
	}
	lt := t.LogicalType()
	if lt == nil {
		if k == parquet.Double {
			return numDouble, 0
		}
		return numInt, 0
	}
	switch x := lt.Value.(type) {
	case *format.DecimalType:
		if k != parquet.Double && x.Scale >= 0 {
			return numDecimal, int(x.Scale)
		}
	case *format.IntType:
		if x.IsSigned && k != parquet.Double {
			return numInt, 0
		}
	}
	return numNone, 0
}

// pqLeaf streams the values of one leaf column of the current row group.
type pqLeaf struct {
	path   string
	index  int // leaf index in the row group
	maxDef int
	flat   bool // one value per row
	render func(dst []byte, v parquet.Value) []byte
	quoted bool // inside a map, render as a JSON string
	// Maps: parquet-go's pages and values.
	pages   parquet.Pages
	page    parquet.Page
	vr      parquet.ValueReader
	pageEOF bool
	buf     []parquet.Value
	pos, n  int
	// Flat columns: the pages of the current chunk, decoded here
	// (decodePage) into the leaf's own buffers.
	fp     flatPage // the current page
	locs   []pageLoc
	next   int // the next page in locs
	codec  format.CompressionCodec
	size   int // fixed-length byte arrays: their length
	defs   []byte
	idx    []int32
	vals   valueBufs
	dict   valueBufs
	dictOK bool // dict holds the chunk's dictionary
	dictN  int
	// Remote chunks not fetched ahead: a window of the chunk, read by one
	// GET, from which pages are served (as parquet-go's read buffer did).
	win      region
	chunkEnd int64
}

var errPqEnd = errors.New("end of column chunk")

// recovered turns a panic inside parquet-go (which it may raise on
// corrupt input) into an error naming the file.
func recovered(key string, line int64, err *error) {
	if e := recover(); e != nil {
		*err = &FileError{File: key, Line: int(line), Err: fmt.Errorf("%w: corrupt Parquet data: %v", curerr.ErrMalformed, e)}
	}
}

// openParquet opens a Parquet data file. With ahead, its pages are
// decoded on a goroutine of its own, a few segments ahead of the caller.
func openParquet(ctx context.Context, st fileStore, f DataFile, p *projection, o ReadOptions, ahead bool) (_ fileRows, err error) {
	defer recovered(f.Key, 0, &err)
	// The file's reads end when it is closed, even while a read ahead of
	// the caller waits on one.
	ctx, cancel := context.WithCancel(ctx)
	d := &pqDecoder{key: f.Key, rg: -1, ioErr: new(atomic.Bool), cancel: cancel}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	ra, size, closer, err := st.at(ctx, f)
	if err != nil {
		return nil, &FileError{File: f.Key, Err: err}
	}
	d.closer = closer
	ra = ioErrAt{ra, d.ioErr}
	opts := []parquet.FileOption{
		parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true),
		parquet.ReadBufferSize(16 << 10),
	}
	if st.remote {
		// Every ReadAt is a GET: read the footer with the file's tail in
		// one, and whole column chunks ahead (rangeCache).
		limit := max(8<<20, o.MemoryBudget/int64(max(1, o.Concurrency)))
		d.cache = &rangeCache{ra: ra, limit: limit}
		ra = d.cache
		// Each column chunk being read holds a buffer of this size (chunks
		// not prefetched are read a buffer per GET): large for a few
		// projected columns, small when every column is read.
		buf := int64(64 << 10)
		if p != nil {
			buf = min(1<<20, max(buf, limit/int64(2*len(p.names))))
		}
		// parquet-go's footer reads are served from the tail kept below.
		opts = append(opts, parquet.SkipMagicBytes(true), parquet.ReadBufferSize(int(buf)))
		d.window = int(buf)
		// The tail, footer included, in one GET, kept for parquet-go's
		// own read of it.
		if err := d.cache.keepTail(size, 256<<10); err != nil {
			return nil, &FileError{File: f.Key, Err: err}
		}
	}
	footer, err := checkFooter(ra, size)
	if err != nil {
		return nil, &FileError{File: f.Key, Err: err}
	}
	if d.cache != nil {
		d.cache.keepFooter(size, footer)
	}
	pf, err := parquet.OpenFile(ra, size, opts...)
	if err != nil {
		if d.ioErr.Load() {
			return nil, &FileError{File: f.Key, Err: err}
		}
		return nil, &FileError{File: f.Key, Err: fmt.Errorf("%w: not a readable Parquet file: %w", curerr.ErrMalformed, err)}
	}
	d.f, d.ra = pf, ra
	var header []string
	for _, c := range pf.Root().Columns() {
		if !p.keep(colname.Canonical(c.Name())) {
			continue
		}
		pc, err := newPqColumn(c)
		if err != nil {
			return nil, &FileError{File: f.Key, Err: fmt.Errorf("%w: column %s: %w", ErrUnsupportedFormat, c.Name(), err)}
		}
		if pc.val == nil {
			d.flat = append(d.flat, pc.key)
		} else {
			d.maps = append(d.maps, len(d.cols))
		}
		d.cols = append(d.cols, pc)
		header = append(header, c.Name())
	}
	pr := &parquetRows{m: newMeta(f.Key, header, nil), cols: d.cols, d: d, cs: make([]pqCol, len(d.cols))}
	for i, c := range d.cols {
		pr.cs[i] = pqCol{c: c, bytes: c.bytes, num: c.num}
		if c.num == numDouble {
			pr.cs[i].decs = newDecCache()
		}
	}
	if ahead {
		pr.ahead = startAhead(d, o.MemoryBudget)
	}
	return pr, nil
}

func newPqColumn(c *parquet.Column) (*pqColumn, error) {
	pc := &pqColumn{name: c.Name()}
	if c.Leaf() {
		if c.MaxRepetitionLevel() != 0 {
			return nil, errors.New("a repeated column (only plain columns and maps are read)")
		}
		l, err := newPqLeaf(c)
		pc.key, pc.raw = l, rawText(c.Type())
		pc.bytes = pc.raw && c.Type().Kind() == parquet.ByteArray
		pc.num, pc.scale = numKindOf(c.Type())
		return pc, err
	}
	// A map: group (MAP) > repeated group key_value > key, value.
	kids := c.Columns()
	if len(kids) != 1 || !kids[0].Repeated() || len(kids[0].Columns()) != 2 || !isMapGroup(c) {
		return nil, errors.New("a nested column that is not a map (only plain columns and maps are read)")
	}
	k, v := kids[0].Columns()[0], kids[0].Columns()[1]
	if !k.Leaf() || !v.Leaf() || k.MaxRepetitionLevel() != 1 || v.MaxRepetitionLevel() != 1 {
		return nil, errors.New("a map whose keys or values are not plain values")
	}
	pc.kvDef, pc.raw, pc.bytes = kids[0].MaxDefinitionLevel(), true, true
	var err error
	if pc.key, err = newPqLeaf(k); err == nil {
		pc.val, err = newPqLeaf(v)
	}
	return pc, err
}

// isMapGroup reports whether a group is annotated MAP (as a logical type,
// or the converted type parquet-go turns into one). A two-level list of
// pairs is not, nor is a group only its child marks MAP_KEY_VALUE (which
// parquet-go does not expose): both are refused rather than misread.
func isMapGroup(c *parquet.Column) bool {
	lt := c.Type().LogicalType()
	if lt == nil {
		return false
	}
	_, ok := lt.Value.(*format.MapType)
	return ok
}

func newPqLeaf(c *parquet.Column) (*pqLeaf, error) {
	render, quoted, err := renderer(c.Type())
	if err != nil {
		return nil, err
	}
	l := &pqLeaf{
		path: fmt.Sprint(c.Path()), index: c.Index(), maxDef: c.MaxDefinitionLevel(), flat: c.MaxRepetitionLevel() == 0,
		render: render, quoted: quoted,
	}
	if l.flat {
		if l.maxDef > math.MaxUint8 {
			return nil, fmt.Errorf("a definition level of %d", l.maxDef)
		}
		l.fp.maxDef, l.fp.kind = byte(l.maxDef), c.Type().Kind()
		if l.fp.kind == parquet.FixedLenByteArray {
			l.size = c.Type().Length()
			l.fp.size = l.size
		}
	} else {
		l.buf = make([]parquet.Value, 256)
	}
	return l, nil
}

func (p *parquetRows) meta() *Header { return p.m }

func (p *parquetRows) field(i int) []byte {
	c := &p.cs[i]
	if c.segNo != p.segNo {
		p.col(i)
	}
	if ro := c.ro; ro != nil {
		// Strings, maps' JSON, and the text of values rendered ahead,
		// copied a row at a time.
		hi := ro[p.r+1]
		if hi&nullRow != 0 {
			return nil
		}
		lo := ro[p.r] &^ nullRow
		return c.data[lo:hi:hi]
	}
	if c.bytes {
		// Strings in a page.
		if j := p.vis(i)[p.r]; j >= 0 {
			lo, hi := c.offs[j], c.offs[j+1]
			return c.data[lo:hi:hi]
		}
		return nil
	}
	return p.fieldText(i, c)
}

// fieldText is field for a column whose values are rendered: numbers,
// times, fixed-length byte arrays. A value is found, and rendered, on first
// use (a row whose caller reads a few of many columns does not pay for the
// rest), and a value equal to the last one rendered (a repeated timestamp
// or rate, a dictionary entry) reuses its text.
func (p *parquetRows) fieldText(i int, c *pqCol) []byte {
	j := int(p.vis(i)[p.r])
	if j < 0 {
		return nil
	}
	f := c.f
	if c.c.raw {
		return f.rawBytes(j)
	}
	if p.ahead != nil && !c.c.text.Load() {
		c.c.text.Store(true) // render it ahead from now on
	}
	m, kind := f.memo(j)
	if kind != 0 && kind == c.memoKind && m == c.memo {
		return c.text
	}
	c.text = c.c.key.render(c.text[:0], f.value(j))
	c.memo, c.memoKind = m, kind
	return c.text
}

// col sets up the view of visible column i in the current segment.
func (p *parquetRows) col(i int) *pqCol {
	c, s := &p.cs[i], p.seg
	f := &s.cols[i]
	c.f, c.data, c.offs, c.f64, c.ro = f, f.data, f.offs, f.f64, nil
	if c.c.raw {
		c.ro = f.ro // a copy's strings, maps' JSON (a DECIMAL's bytes are rendered)
	}
	if t := &s.texts[i]; t.ok {
		c.data, c.ro = t.data, t.ro
	}
	c.dec = nil
	if d := &s.decs[i]; d.ok {
		c.dec = d
	}
	c.segNo = p.segNo
	return c
}

// vis returns the value indexes of visible column i's rows in the current
// segment (-1: null), found on first use (lazily: a column nobody reads
// costs nothing per row).
func (p *parquetRows) vis(i int) []int32 {
	c := &p.cs[i]
	if c.viNo != p.segNo {
		s := p.seg
		c.vi = s.vi[i*s.stride : i*s.stride+int(s.n)]
		c.f.fill(c.vi, s.s0, s.s0+s.n)
		c.viNo = p.segNo
	}
	return c.vi
}

func (p *parquetRows) line() int { return int(p.row) }

func (p *parquetRows) next() error {
	if s := p.seg; s != nil && p.r+1 < s.n {
		p.r++
		p.row++
		return nil
	}
	return p.nextSegment()
}

// nextSegment moves to the first row of the next segment.
func (p *parquetRows) nextSegment() error {
	s := p.seg
	if s != nil && s.err != nil {
		return s.err // the end, or what ended the file, again
	}
	if p.ahead != nil {
		s = p.ahead.next(s)
	} else {
		s = &p.own
		p.d.fill(s, segRows, false)
	}
	p.seg, p.r = s, 0
	p.segNo++
	if s.n == 0 {
		return s.err
	}
	p.row++
	return nil
}

// segRows is the most rows of a segment filled on the caller's goroutine.
const segRows = 256

// decimalAt reads visible column i as DecimalAt does, without rendering it
// to text where its type allows (handled is false otherwise): a DOUBLE as
// the shortest decimal that reads back as it, which is the number its text
// spells. A value equal to one read lately reuses its decimal.
func (p *parquetRows) decimalAt(i int) (d decimal.Decimal, ok, handled bool) {
	c := &p.cs[i]
	if c.num == numNone {
		return decimal.Decimal{}, false, false
	}
	if c.segNo != p.segNo {
		p.col(i)
	}
	if c.dec != nil {
		switch c.dec.st[p.r] {
		case decOK:
			return c.dec.d[p.r], true, true
		case decNull:
			return decimal.Decimal{}, false, true
		}
		return decimal.Decimal{}, false, false // NaN, ±Inf: the text says why
	}
	if p.ahead != nil && !c.c.decimals.Load() {
		c.c.decimals.Store(true) // convert it ahead from now on
	}
	j := p.vis(i)[p.r]
	if j < 0 {
		return decimal.Decimal{}, false, true
	}
	var err error
	switch {
	case c.num == numDouble:
		d, err = c.decs.fromFloat64(c.f64[j])
	case c.f.kind == parquet.Int32:
		d, err = decimal.FromMinor(int64(c.f.i32[j]), c.c.scale)
	default:
		d, err = decimal.FromMinor(c.f.i64[j], c.c.scale)
	}
	if err != nil {
		// NaN, ±Inf or a scale out of range: the text says why.
		return decimal.Decimal{}, false, false
	}
	return d, true, true
}

// fill fills s with the next segment of rows: at most maxRows of one row
// group, within the current page of every flat column. With copy, the
// values are copied out of the pages, for a caller on another goroutine
// while the pages move on; without, s views the pages, which stay until
// the next fill. At the end of the file, or on an error, s holds the rows
// before it and s.err says which (io.EOF at the clean end).
func (d *pqDecoder) fill(s *pqSeg, maxRows int64, copy bool) {
	s.n, s.err, s.size = 0, nil, 0
	done := int64(0)
	defer func() {
		// A panic inside parquet-go (on corrupt input) ends the file with
		// an error naming it, after the rows read before.
		if e := recover(); e != nil {
			s.n = done
			s.err = &FileError{File: d.key, Line: int(d.row), Err: fmt.Errorf("%w: corrupt Parquet data: %v", curerr.ErrMalformed, e)}
		}
	}()
	for d.left == 0 {
		d.closePages()
		d.rg++
		rgs := d.f.RowGroups()
		if d.rg >= len(rgs) {
			s.err = io.EOF
			if d.row != d.f.NumRows() {
				s.err = &FileError{File: d.key, Line: int(d.row), Err: fmt.Errorf("%w: the footer says %d rows, the row groups hold %d", curerr.ErrMalformed, d.f.NumRows(), d.row)}
			}
			return
		}
		if err := d.startRowGroup(rgs[d.rg]); err != nil {
			s.err = err
			return
		}
	}
	if d.next >= d.bound {
		if err := d.advancePages(); err != nil {
			s.err = err
			return
		}
	}
	n := min(maxRows, d.bound-d.next, d.left)
	s.reset(len(d.cols), d.next, n)
	for i, c := range d.cols {
		switch {
		case c.val != nil:
			s.cols[i].startText(d.next)
		case copy:
			f := &s.cols[i]
			s.size += f.copyRows(&c.key.fp, d.next, d.next+n)
			if !c.raw && c.text.Load() {
				s.size += s.texts[i].render(c, f, int(n))
			}
			if c.num != numNone && c.decimals.Load() {
				s.size += s.decs[i].convert(c, f, int(n))
			}
		default:
			s.cols[i].viewRows(&c.key.fp, d.next)
		}
	}
	if len(d.maps) == 0 {
		d.row += n
	} else {
		// Maps: a value per row, their text appended to the segment.
		for k := range n {
			for _, i := range d.maps {
				if err := d.readValue(d.cols[i]); err != nil {
					s.n, s.err = k, err
					return
				}
				s.size += s.cols[i].appendText(d.cols[i].mapText)
			}
			d.row++
			done = k + 1
		}
	}
	d.next += n
	d.left -= n
	s.n = n
}

// advancePages moves every flat leaf whose page ends at or before the next
// segment's first row to the page that holds it. Pages are loaded, and
// checked, here rather than when a value is read, so that a corrupt page
// fails Next.
func (d *pqDecoder) advancePages() error {
	bound := int64(math.MaxInt64)
	for _, l := range d.flat {
		for d.next >= l.fp.end {
			if err := l.loadPage(d, l.fp.end); err != nil {
				return d.valueErr(l, err)
			}
		}
		bound = min(bound, l.fp.end)
	}
	d.bound = bound
	return nil
}

func (d *pqDecoder) startRowGroup(rg parquet.RowGroup) error {
	d.left = rg.NumRows()
	if d.left < 0 {
		return &FileError{File: d.key, Line: int(d.row), Err: fmt.Errorf("%w: row group %d has %d rows", curerr.ErrMalformed, d.rg, d.left)}
	}
	chunks := rg.ColumnChunks()
	var leaves []*pqLeaf
	for _, c := range d.cols {
		leaves = append(leaves, c.key)
		if c.val != nil {
			leaves = append(leaves, c.val)
		}
	}
	if d.cache != nil {
		meta := d.f.Metadata()
		if d.rg < len(meta.RowGroups) {
			var rs []byteRange
			for _, l := range leaves {
				if l.index < len(meta.RowGroups[d.rg].Columns) {
					md := &meta.RowGroups[d.rg].Columns[l.index].MetaData
					start, err := chunkStart(md)
					if err != nil {
						return &FileError{File: d.key, Line: int(d.row), Err: fmt.Errorf("%w: %w", curerr.ErrMalformed, err)}
					}
					end := start + md.TotalCompressedSize
					if md.TotalCompressedSize < 0 || end < start || end > d.f.Size() {
						return &FileError{File: d.key, Line: int(d.row), Err: fmt.Errorf("%w: column %v spans [%d, %d) in a file of %d bytes",
							curerr.ErrMalformed, md.PathInSchema, start, end, d.f.Size())}
					}
					rs = append(rs, byteRange{start, end})
				}
			}
			if err := d.cache.prefetch(rs); err != nil {
				return &FileError{File: d.key, Line: int(d.row), Err: err}
			}
		}
	}
	// Refuse corrupt page headers before parquet-go trusts them: from the
	// bytes fetched ahead, or, for a remote chunk too large to fetch ahead,
	// by a GET per page header (such a chunk is read a GET per read buffer
	// anyway).
	meta := d.f.Metadata()
	if d.rg < len(meta.RowGroups) {
		cols := meta.RowGroups[d.rg].Columns
		for _, l := range leaves {
			if l.index >= len(cols) {
				continue
			}
			md := &cols[l.index].MetaData
			var locs *[]pageLoc
			if l.flat {
				l.locs, l.next, l.codec, l.win = l.locs[:0], 0, md.Codec, region{}
				locs = &l.locs
			}
			if err := checkChunk(d.ra, md, d.left, l.flat, locs); err != nil {
				if !d.ioErr.Load() {
					err = fmt.Errorf("%w: %w", curerr.ErrMalformed, err)
				}
				return &FileError{File: d.key, Line: int(d.row), Err: err}
			}
			if l.flat {
				start, _ := chunkStart(md) // checked
				l.chunkEnd = start + md.TotalCompressedSize
				l.reserve()
			}
		}
	}
	for _, l := range leaves {
		if l.index >= len(chunks) || d.rg >= len(meta.RowGroups) || l.index >= len(meta.RowGroups[d.rg].Columns) {
			return &FileError{File: d.key, Line: int(d.row), Err: fmt.Errorf("%w: row group %d has no column %s", curerr.ErrMalformed, d.rg, l.path)}
		}
		if l.flat {
			// A new chunk: its dictionary is its own.
			l.fp.start, l.fp.end, l.dictOK = 0, 0, false
			continue
		}
		l.pages = chunks[l.index].Pages()
		l.page, l.vr, l.pageEOF, l.pos, l.n = nil, nil, false, 0, 0
	}
	d.next, d.bound = 0, 0
	return nil
}

// peek returns the leaf's next value without taking it; errPqEnd at the
// end of the column chunk.
func (l *pqLeaf) peek() (parquet.Value, error) {
	for l.pos >= l.n {
		if l.vr != nil && !l.pageEOF {
			n, err := l.vr.ReadValues(l.buf)
			l.pos, l.n = 0, n
			if err == io.EOF {
				l.pageEOF = true
			} else if err != nil {
				return parquet.Value{}, err
			} else if n == 0 {
				return parquet.Value{}, fmt.Errorf("%w: column %s: a page yields no values", curerr.ErrMalformed, l.path)
			}
			continue
		}
		if l.page != nil {
			parquet.Release(l.page)
			l.page = nil
		}
		pg, err := l.pages.ReadPage()
		if err == io.EOF {
			return parquet.Value{}, errPqEnd
		}
		if err != nil {
			return parquet.Value{}, err
		}
		l.page, l.vr, l.pageEOF = pg, pg.Values(), false
	}
	return l.buf[l.pos], nil
}

func (l *pqLeaf) take() (parquet.Value, error) {
	v, err := l.peek()
	if err == nil {
		l.pos++
	}
	return v, err
}

func (l *pqLeaf) close() {
	if l.page != nil {
		parquet.Release(l.page)
		l.page = nil
	}
	if l.pages != nil {
		l.pages.Close()
		l.pages = nil
	}
	l.vr = nil
}

func (d *pqDecoder) valueErr(l *pqLeaf, err error) error {
	if err == errPqEnd {
		err = fmt.Errorf("%w: column %s ends before row %d", curerr.ErrMalformed, l.path, d.row+1)
	} else if !d.ioErr.Load() && !errors.Is(err, curerr.ErrMalformed) {
		// Not a failed read of the file: parquet-go could not decode it.
		err = fmt.Errorf("%w: corrupt Parquet data: %w", curerr.ErrMalformed, err)
	}
	return &FileError{File: d.key, Line: int(d.row), Err: err}
}

// readValue reads the current row's value of a map column into c.mapText.
func (d *pqDecoder) readValue(c *pqColumn) error {
	c.mapText = c.mapText[:0]
	v, err := c.key.take()
	if err != nil {
		return d.valueErr(c.key, err)
	}
	if v.RepetitionLevel() != 0 {
		return d.valueErr(c.key, fmt.Errorf("%w: column %s is out of step with the rows", curerr.ErrMalformed, c.key.path))
	}
	// Entries until the next value that starts a row.
	vv, err := c.val.take()
	if err != nil {
		return d.valueErr(c.val, err)
	}
	if v.DefinitionLevel() < c.kvDef {
		// One level below an entry, the map is there without entries (for
		// a required map that is level 0); below that it is null.
		if v.DefinitionLevel() == c.kvDef-1 {
			c.mapText = append(c.mapText, "{}"...)
		}
		return nil
	}
	c.mapText = append(c.mapText, '{')
	for first := true; ; first = false {
		if !first {
			c.mapText = append(c.mapText, ',')
		}
		c.scratch = c.key.render(c.scratch[:0], v)
		c.mapText = appendJSONString(c.mapText, c.scratch)
		c.mapText = append(c.mapText, ':')
		switch {
		case vv.IsNull():
			c.mapText = append(c.mapText, "null"...)
		case c.val.quoted:
			c.scratch = c.val.render(c.scratch[:0], vv)
			c.mapText = appendJSONString(c.mapText, c.scratch)
		case isNonFinite(vv):
			// NaN and ±Inf are not JSON numbers.
			c.scratch = c.val.render(c.scratch[:0], vv)
			c.mapText = appendJSONString(c.mapText, c.scratch)
		default:
			c.mapText = c.val.render(c.mapText, vv)
		}
		nv, err := c.key.peek()
		if err == errPqEnd || (err == nil && nv.RepetitionLevel() == 0) {
			break
		}
		if err != nil {
			return d.valueErr(c.key, err)
		}
		if v, err = c.key.take(); err == nil {
			vv, err = c.val.take()
		}
		if err != nil {
			return d.valueErr(c.val, err)
		}
		if vv.RepetitionLevel() == 0 {
			return d.valueErr(c.val, fmt.Errorf("%w: map %s: keys and values are out of step", curerr.ErrMalformed, c.name))
		}
	}
	c.mapText = append(c.mapText, '}')
	return nil
}

func (d *pqDecoder) closePages() {
	for _, c := range d.cols {
		c.key.close()
		if c.val != nil {
			c.val.close()
		}
	}
}

func (p *parquetRows) close() {
	if p.ahead != nil {
		p.d.cancel() // a read the goroutine waits on ends now
		p.ahead.stop()
		p.ahead = nil
	}
	p.d.close()
}

func (d *pqDecoder) close() {
	d.cancel()
	d.closePages()
	d.sc.codecs.close()
	if d.closer != nil {
		d.closer.Close()
		d.closer = nil
	}
}
