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

// parquetRows reads one Parquet data file: the footer first, then, row
// group by row group, only the chunks of the projected columns. Values
// are given as text (see Row.Get).
type parquetRows struct {
	ra     io.ReaderAt // the file, to check page headers (local or cached)
	m      *Header
	f      *parquet.File
	closer io.Closer
	cache  *rangeCache // remote files: a row group's chunks fetched at once
	cols   []*pqColumn // in file order; the visible ones
	flat   []*pqLeaf   // the leaves of the flat columns, read a page at a time
	maps   []*pqColumn // the map columns, read a value at a time
	sc     pageScratch // decoding a flat leaf's page
	window int         // remote: the bytes a chunk not fetched ahead is read by
	rg     int         // current row group; -1 before the first
	left   int64       // rows left in it
	rgRow  int64       // the current row's index in its row group
	bound  int64       // the first row of the row group past a flat leaf's page
	// A segment: rows [s0, s1) of the row group, within every flat leaf's
	// page, whose value indexes (flatPage.fill) a flat column writes to
	// seg[i*segRows:] on the first read of visible column i in it.
	s0, s1 int64
	segNo  uint64
	seg    []int32
	row    int64        // rows read
	ioErr  *atomic.Bool // a read of the file failed (not a decoding error)
}

// pqColumn is one top-level column: a leaf, or a map of two leaves.
type pqColumn struct {
	name     string
	key, val *pqLeaf // val only for maps
	kvDef    int     // maps: the definition level of an entry
	raw      bool    // a flat column whose values are their text (strings)
	num      numKind // a flat column DecimalAt reads without text
	scale    int     // num == numDecimal: the DECIMAL's scale
	// text is a map's value for the current row; for a flat column, the
	// text of the last value rendered, whose key (flatPage.memo) is memo.
	text     []byte
	memo     uint64
	memoKind uint8
	segNo    uint64 // the segment whose value indexes seg holds for it
	// decs are the decimals of values DecimalAt read lately, by memo key
	// (costs repeat: the same rate, the same hourly cost).
	decs    *[decCacheSize]decEntry
	scratch []byte // maps: one key or value before JSON quoting
}

// decCacheSize is the size of a column's direct-mapped cache of decimals.
const decCacheSize = 256

type decEntry struct {
	key  uint64
	kind uint8
	d    decimal.Decimal
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

func openParquet(ctx context.Context, st fileStore, f DataFile, p *projection, o ReadOptions) (_ fileRows, err error) {
	defer recovered(f.Key, 0, &err)
	ra, size, closer, err := st.at(ctx, f)
	if err != nil {
		return nil, &FileError{File: f.Key, Err: err}
	}
	pr := &parquetRows{closer: closer, rg: -1, ioErr: new(atomic.Bool)}
	ra = ioErrAt{ra, pr.ioErr}
	defer func() {
		if err != nil {
			pr.close()
		}
	}()
	opts := []parquet.FileOption{
		parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true),
		parquet.ReadBufferSize(16 << 10),
	}
	if st.remote {
		// Every ReadAt is a GET: read the footer with the file's tail in
		// one, and whole column chunks ahead (rangeCache).
		limit := max(8<<20, o.MemoryBudget/int64(max(1, o.Concurrency)))
		pr.cache = &rangeCache{ra: ra, limit: limit}
		ra = pr.cache
		// Each column chunk being read holds a buffer of this size (chunks
		// not prefetched are read a buffer per GET): large for a few
		// projected columns, small when every column is read.
		buf := int64(64 << 10)
		if p != nil {
			buf = min(1<<20, max(buf, limit/int64(2*len(p.names))))
		}
		// parquet-go's footer reads are served from the tail kept below.
		opts = append(opts, parquet.SkipMagicBytes(true), parquet.ReadBufferSize(int(buf)))
		pr.window = int(buf)
		// The tail, footer included, in one GET, kept for parquet-go's
		// own read of it.
		if err := pr.cache.keepTail(size, 256<<10); err != nil {
			return nil, &FileError{File: f.Key, Err: err}
		}
	}
	footer, err := checkFooter(ra, size)
	if err != nil {
		return nil, &FileError{File: f.Key, Err: err}
	}
	if pr.cache != nil {
		pr.cache.keepFooter(size, footer)
	}
	pf, err := parquet.OpenFile(ra, size, opts...)
	if err != nil {
		if pr.ioErr.Load() {
			return nil, &FileError{File: f.Key, Err: err}
		}
		return nil, &FileError{File: f.Key, Err: fmt.Errorf("%w: not a readable Parquet file: %w", curerr.ErrMalformed, err)}
	}
	pr.f, pr.ra = pf, ra
	var header []string
	for _, c := range pf.Root().Columns() {
		if !p.keep(colname.Canonical(c.Name())) {
			continue
		}
		pc, err := newPqColumn(c)
		if err != nil {
			return nil, &FileError{File: f.Key, Err: fmt.Errorf("%w: column %s: %w", ErrUnsupportedFormat, c.Name(), err)}
		}
		pr.cols = append(pr.cols, pc)
		if pc.val == nil {
			pr.flat = append(pr.flat, pc.key)
		} else {
			pr.maps = append(pr.maps, pc)
		}
		header = append(header, c.Name())
	}
	pr.m = newMeta(f.Key, header, nil)
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
	pc.kvDef = kids[0].MaxDefinitionLevel()
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
	c := p.cols[i]
	if c.val != nil {
		return c.text
	}
	// A flat column's value is found, and rendered, on first use: a row
	// whose caller reads a few of many columns does not pay for the rest.
	// Strings are the page's own bytes, valid until the next row (its page
	// is released only then). A value equal to the last one rendered (a
	// repeated timestamp or rate, a dictionary entry) reuses its text.
	l := c.key
	j := p.valueIndex(i, c)
	if j < 0 {
		return nil
	}
	if c.raw {
		return l.fp.rawBytes(j)
	}
	m, kind := l.fp.memo(j)
	if kind != 0 && kind == c.memoKind && m == c.memo {
		return c.text
	}
	c.text = l.render(c.text[:0], l.fp.value(j))
	c.memo, c.memoKind = m, kind
	return c.text
}

func (p *parquetRows) line() int { return int(p.row) }

func (p *parquetRows) next() error {
	if p.left > 0 && p.rgRow+1 < p.s1 && len(p.maps) == 0 {
		// Within a segment of flat columns: nothing to decode or check.
		p.rgRow++
		p.left--
		p.row++
		return nil
	}
	return p.nextPages()
}

// nextPages is next where pages, row groups or maps are read.
func (p *parquetRows) nextPages() (err error) {
	defer recovered(p.m.key, p.row, &err)
	for p.left == 0 {
		p.closePages()
		p.rg++
		rgs := p.f.RowGroups()
		if p.rg >= len(rgs) {
			if p.row != p.f.NumRows() {
				return &FileError{File: p.m.key, Line: int(p.row), Err: fmt.Errorf("%w: the footer says %d rows, the row groups hold %d", curerr.ErrMalformed, p.f.NumRows(), p.row)}
			}
			return io.EOF
		}
		if err := p.startRowGroup(rgs[p.rg]); err != nil {
			return err
		}
	}
	p.rgRow++
	if p.rgRow >= p.s1 {
		if p.rgRow >= p.bound {
			if err := p.advancePages(); err != nil {
				return err
			}
		}
		p.s0, p.s1 = p.rgRow, min(p.rgRow+segRows, p.bound, p.rgRow+p.left)
		p.segNo++
	}
	for _, c := range p.maps {
		if err := p.readValue(c); err != nil {
			return err
		}
	}
	p.left--
	p.row++
	return nil
}

// segRows is the most rows of a segment.
const segRows = 256

// valueIndex returns the index of the current row's value of flat column
// i (c) in its page's values, or -1 for a null.
func (p *parquetRows) valueIndex(i int, c *pqColumn) int {
	if c.segNo != p.segNo {
		c.key.fp.fill(p.seg[i*segRows:(i+1)*segRows], p.s0, p.s1)
		c.segNo = p.segNo
	}
	return int(p.seg[i*segRows+int(p.rgRow-p.s0)])
}

// decimalAt reads visible column i as DecimalAt does, without rendering it
// to text where its type allows (handled is false otherwise): a DOUBLE as
// the shortest decimal that reads back as it, which is the number its text
// spells. A value equal to the last one read reuses its decimal.
func (p *parquetRows) decimalAt(i int) (d decimal.Decimal, ok, handled bool) {
	c := p.cols[i]
	if c.num == numNone {
		return decimal.Decimal{}, false, false
	}
	f := &c.key.fp
	j := p.valueIndex(i, c)
	if j < 0 {
		return decimal.Decimal{}, false, true
	}
	m, kind := f.memo(j)
	var e *decEntry
	if kind != memoNone {
		if c.decs == nil {
			c.decs = new([decCacheSize]decEntry)
		}
		e = &c.decs[(m*0x9e3779b97f4a7c15)>>56]
		if e.kind == kind && e.key == m {
			return e.d, true, true
		}
	}
	var err error
	switch c.num {
	case numDouble:
		d, err = decimal.FromFloat64(f.f64[j])
	case numInt, numDecimal:
		n := int64(0)
		if f.kind == parquet.Int32 {
			n = int64(f.i32[j])
		} else {
			n = f.i64[j]
		}
		d, err = decimal.FromMinor(n, c.scale)
	}
	if err != nil {
		// NaN, ±Inf or a scale out of range: the text says why.
		return decimal.Decimal{}, false, false
	}
	if e != nil {
		*e = decEntry{key: m, kind: kind, d: d}
	}
	return d, true, true
}

// advancePages moves every flat leaf whose page ends before the current row
// to the page that holds it. Pages are loaded, and checked, here rather than
// when a value is read, so that a corrupt page fails Next.
func (p *parquetRows) advancePages() error {
	bound := int64(math.MaxInt64)
	for _, l := range p.flat {
		for p.rgRow >= l.fp.end {
			if err := l.loadPage(p, l.fp.end); err != nil {
				return p.valueErr(l, err)
			}
		}
		bound = min(bound, l.fp.end)
	}
	p.bound = bound
	return nil
}

func (p *parquetRows) startRowGroup(rg parquet.RowGroup) error {
	p.left = rg.NumRows()
	if p.left < 0 {
		return &FileError{File: p.m.key, Line: int(p.row), Err: fmt.Errorf("%w: row group %d has %d rows", curerr.ErrMalformed, p.rg, p.left)}
	}
	chunks := rg.ColumnChunks()
	var leaves []*pqLeaf
	for _, c := range p.cols {
		leaves = append(leaves, c.key)
		if c.val != nil {
			leaves = append(leaves, c.val)
		}
	}
	if p.cache != nil {
		meta := p.f.Metadata()
		if p.rg < len(meta.RowGroups) {
			var rs []byteRange
			for _, l := range leaves {
				if l.index < len(meta.RowGroups[p.rg].Columns) {
					md := &meta.RowGroups[p.rg].Columns[l.index].MetaData
					start, err := chunkStart(md)
					if err != nil {
						return &FileError{File: p.m.key, Line: int(p.row), Err: fmt.Errorf("%w: %w", curerr.ErrMalformed, err)}
					}
					rs = append(rs, byteRange{start, start + md.TotalCompressedSize})
				}
			}
			if err := p.cache.prefetch(rs); err != nil {
				return &FileError{File: p.m.key, Line: int(p.row), Err: err}
			}
		}
	}
	// Refuse corrupt page headers before parquet-go trusts them: from the
	// bytes fetched ahead, or, for a remote chunk too large to fetch ahead,
	// by a GET per page header (such a chunk is read a GET per read buffer
	// anyway).
	meta := p.f.Metadata()
	if p.rg < len(meta.RowGroups) {
		cols := meta.RowGroups[p.rg].Columns
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
			if err := checkChunk(p.ra, md, p.left, l.flat, locs); err != nil {
				if !p.ioErr.Load() {
					err = fmt.Errorf("%w: %w", curerr.ErrMalformed, err)
				}
				return &FileError{File: p.m.key, Line: int(p.row), Err: err}
			}
			if l.flat {
				start, _ := chunkStart(md) // checked
				l.chunkEnd = start + md.TotalCompressedSize
				l.reserve()
			}
		}
	}
	for _, l := range leaves {
		if l.index >= len(chunks) || p.rg >= len(meta.RowGroups) || l.index >= len(meta.RowGroups[p.rg].Columns) {
			return &FileError{File: p.m.key, Line: int(p.row), Err: fmt.Errorf("%w: row group %d has no column %s", curerr.ErrMalformed, p.rg, l.path)}
		}
		if l.flat {
			// A new chunk: its dictionary is its own.
			l.fp.start, l.fp.end, l.dictOK = 0, 0, false
			continue
		}
		l.pages = chunks[l.index].Pages()
		l.page, l.vr, l.pageEOF, l.pos, l.n = nil, nil, false, 0, 0
	}
	p.rgRow, p.bound, p.s0, p.s1 = -1, 0, 0, 0
	if p.seg == nil {
		p.seg = make([]int32, segRows*len(p.cols))
	}
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

func (p *parquetRows) valueErr(l *pqLeaf, err error) error {
	if err == errPqEnd {
		err = fmt.Errorf("%w: column %s ends before row %d", curerr.ErrMalformed, l.path, p.row+1)
	} else if !p.ioErr.Load() && !errors.Is(err, curerr.ErrMalformed) {
		// Not a failed read of the file: parquet-go could not decode it.
		err = fmt.Errorf("%w: corrupt Parquet data: %w", curerr.ErrMalformed, err)
	}
	return &FileError{File: p.m.key, Line: int(p.row), Err: err}
}

// readValue reads the current row's value of a map column into c.text.
func (p *parquetRows) readValue(c *pqColumn) error {
	c.text = c.text[:0]
	v, err := c.key.take()
	if err != nil {
		return p.valueErr(c.key, err)
	}
	if v.RepetitionLevel() != 0 {
		return p.valueErr(c.key, fmt.Errorf("%w: column %s is out of step with the rows", curerr.ErrMalformed, c.key.path))
	}
	// Entries until the next value that starts a row.
	vv, err := c.val.take()
	if err != nil {
		return p.valueErr(c.val, err)
	}
	if v.DefinitionLevel() < c.kvDef {
		// One level below an entry, the map is there without entries (for
		// a required map that is level 0); below that it is null.
		if v.DefinitionLevel() == c.kvDef-1 {
			c.text = append(c.text, "{}"...)
		}
		return nil
	}
	c.text = append(c.text, '{')
	for first := true; ; first = false {
		if !first {
			c.text = append(c.text, ',')
		}
		c.scratch = c.key.render(c.scratch[:0], v)
		c.text = appendJSONString(c.text, c.scratch)
		c.text = append(c.text, ':')
		switch {
		case vv.IsNull():
			c.text = append(c.text, "null"...)
		case c.val.quoted:
			c.scratch = c.val.render(c.scratch[:0], vv)
			c.text = appendJSONString(c.text, c.scratch)
		case isNonFinite(vv):
			// NaN and ±Inf are not JSON numbers.
			c.scratch = c.val.render(c.scratch[:0], vv)
			c.text = appendJSONString(c.text, c.scratch)
		default:
			c.text = c.val.render(c.text, vv)
		}
		nv, err := c.key.peek()
		if err == errPqEnd || (err == nil && nv.RepetitionLevel() == 0) {
			break
		}
		if err != nil {
			return p.valueErr(c.key, err)
		}
		if v, err = c.key.take(); err == nil {
			vv, err = c.val.take()
		}
		if err != nil {
			return p.valueErr(c.val, err)
		}
		if vv.RepetitionLevel() == 0 {
			return p.valueErr(c.val, fmt.Errorf("%w: map %s: keys and values are out of step", curerr.ErrMalformed, c.name))
		}
	}
	c.text = append(c.text, '}')
	return nil
}

func (p *parquetRows) closePages() {
	for _, c := range p.cols {
		c.key.close()
		if c.val != nil {
			c.val.close()
		}
	}
}

func (p *parquetRows) close() {
	p.closePages()
	p.sc.codecs.close()
	if p.closer != nil {
		p.closer.Close()
		p.closer = nil
	}
}
