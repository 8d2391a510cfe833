package curreader

import (
	"bytes"
	"slices"

	"github.com/parquet-go/parquet-go"

	"github.com/curconnect/curconnect/curreader/decimal"
)

// pqSeg is a segment of rows of a Parquet file: rows [s0, s0+n) of one
// row group, and, for each visible column, its values for them (cols[i]):
// a view of the column's page, or a copy of the segment's part of it (a
// map column: its JSON text, a byte array per row).
type pqSeg struct {
	s0, n int64
	cols  []flatPage
	// vi are the value indexes the caller finds for the rows (fill):
	// column i's at vi[i*stride:].
	vi     []int32
	stride int
	texts  []segText     // columns rendered ahead: their values' text
	decs   []segDecimals // columns converted ahead: their values' decimals
	err    error         // after the rows: what ended the file (io.EOF at its clean end)
	size   int           // the bytes of values copied
}

// reset readies s for n rows from row s0, for cols columns.
func (s *pqSeg) reset(cols int, s0, n int64) {
	s.s0, s.n = s0, n
	if len(s.cols) != cols {
		s.cols = make([]flatPage, cols)
		s.texts = make([]segText, cols)
		s.decs = make([]segDecimals, cols)
	}
	for i := range s.texts {
		s.texts[i].ok, s.decs[i].ok = false, false
	}
	// Columns' value indexes a cache line and more apart, so that the
	// same row of many columns does not fall in one cache set (a stride
	// of 1,024 rows would put them 4 KiB apart).
	s.stride = (int(n)+15)&^15 + 16
	if len(s.vi) < cols*s.stride {
		s.vi = make([]int32, cols*s.stride)
	}
}

// seek moves the page's cursor to row (of the row group, within the page,
// never going back): k becomes the number of values before it.
func (f *flatPage) seek(row int64) {
	off := int(row - f.start)
	if f.defs == nil {
		f.cur, f.k = off, off
		return
	}
	if f.cur < off {
		f.k += countDefined(f.defs[f.cur:off], f.maxDef)
		f.cur = off
	}
}

// countDefined counts the levels of defs that are maxDef: the values of
// those rows. bytes.Count counts a byte with vector instructions.
func countDefined(defs []byte, maxDef byte) int {
	return bytes.Count(defs, []byte{maxDef})
}

// viewRows makes f a view of page src from row s0 on: the same values,
// and a cursor at s0.
func (f *flatPage) viewRows(src *flatPage, s0 int64) {
	src.seek(s0)
	*f = *src
}

// copyRows makes f a copy of rows [s0, s1) of page src: their levels and
// values in buffers of f's own (a dictionary's values gathered), which
// stay valid while src moves on. It returns the bytes copied.
func (f *flatPage) copyRows(src *flatPage, s0, s1 int64) int {
	src.seek(s0)
	off, end := int(s0-src.start), int(s1-src.start)
	k0, k1 := src.k, src.k
	f.defs = nil
	if src.defs == nil {
		k1 += end - off
	} else {
		k1 += countDefined(src.defs[off:end], src.maxDef)
		f.defsBuf = append(f.defsBuf[:0], src.defs[off:end]...)
		f.defs = f.defsBuf
	}
	// The rows copied are counted: the next copy's seek starts after them.
	src.cur, src.k = end, k1
	f.start, f.end, f.maxDef, f.kind, f.size = s0, s1, src.maxDef, src.kind, src.size
	f.cur, f.k, f.idx, f.dictGen, f.ro = 0, 0, nil, 0, nil
	n := k1 - k0
	f.n = n
	size := len(f.defs)
	if idx := src.idx; idx != nil {
		idx = idx[k0:k1]
		switch src.kind {
		case parquet.Double:
			f.f64 = gather(f.f64, src.f64, idx)
			size += 8 * n
		case parquet.Float:
			f.f32 = gather(f.f32, src.f32, idx)
			size += 4 * n
		case parquet.Int64:
			f.i64 = gather(f.i64, src.i64, idx)
			size += 8 * n
		case parquet.Int32:
			f.i32 = gather(f.i32, src.i32, idx)
			size += 4 * n
		case parquet.Int96:
			f.i96 = gather(f.i96, src.i96, idx)
			size += 12 * n
		case parquet.Boolean:
			f.data = slices.Grow(f.data[:0], (n+7)/8)[:(n+7)/8]
			clear(f.data)
			for m, v := range idx {
				if src.data[v>>3]>>(v&7)&1 != 0 {
					f.data[m>>3] |= 1 << (m & 7)
				}
			}
			size += len(f.data)
		case parquet.FixedLenByteArray:
			f.data = f.data[:0]
			for _, v := range idx {
				f.data = append(f.data, src.data[int(v)*src.size:int(v+1)*src.size]...)
			}
			size += len(f.data)
		default:
			f.data, f.offs = f.data[:0], append(f.offs[:0], 0)
			for _, v := range idx {
				f.data = append(f.data, src.bytes(int(v))...)
				f.offs = append(f.offs, uint32(len(f.data)))
			}
			size += len(f.data) + 4*len(f.offs) + f.rowOffsets(end-off)
		}
		return size
	}
	switch src.kind {
	case parquet.Double:
		f.f64 = append(f.f64[:0], src.f64[k0:k1]...)
		size += 8 * n
	case parquet.Float:
		f.f32 = append(f.f32[:0], src.f32[k0:k1]...)
		size += 4 * n
	case parquet.Int64:
		f.i64 = append(f.i64[:0], src.i64[k0:k1]...)
		size += 8 * n
	case parquet.Int32:
		f.i32 = append(f.i32[:0], src.i32[k0:k1]...)
		size += 4 * n
	case parquet.Int96:
		f.i96 = append(f.i96[:0], src.i96[k0:k1]...)
		size += 12 * n
	case parquet.Boolean:
		// The bytes holding values [k0, k1); value k0 is bit k0&7 of the
		// first, so the values are counted from there.
		f.data = append(f.data[:0], src.data[k0>>3:(k1+7)>>3]...)
		f.k = k0 & 7
		f.n = n + f.k
		size += len(f.data)
	case parquet.FixedLenByteArray:
		f.data = append(f.data[:0], src.data[k0*src.size:k1*src.size]...)
		size += len(f.data)
	default:
		lo, hi := src.offs[k0], src.offs[k1]
		f.data = append(f.data[:0], src.data[lo:hi]...)
		f.offs = append(f.offs[:0], src.offs[k0:k1+1]...)
		for m := range f.offs {
			f.offs[m] -= lo
		}
		size += len(f.data) + 4*len(f.offs) + f.rowOffsets(end-off)
	}
	return size
}

// gather sets dst to the values of src at idx (a dictionary's values
// looked up), reusing dst's array.
func gather[T any](dst, src []T, idx []int32) []T {
	dst = slices.Grow(dst[:0], len(idx))[:len(idx)]
	for m, v := range idx {
		dst[m] = src[v]
	}
	return dst
}

// nullRow marks a row offset (flatPage.ro) whose row is null.
const nullRow = 1 << 31

// rowOffsets sets f.ro, the byte arrays of a copy a row at a time: row r's
// bytes are data[ro[r]&^nullRow:ro[r+1]], or none (a null) when ro[r+1]
// has nullRow set. A copy holds less than 2 GiB (its values come from
// pages of at most 64 MiB, at most aheadRows rows). It returns the bytes
// that takes.
func (f *flatPage) rowOffsets(rows int) int {
	if f.defs == nil {
		f.ro = f.offs // a value a row
		return 0
	}
	ro := append(f.roBuf[:0], 0)
	k, last := 0, uint32(0)
	for _, d := range f.defs[:rows] {
		if d == f.maxDef {
			k++
			last = f.offs[k]
			ro = append(ro, last)
		} else {
			ro = append(ro, last|nullRow)
		}
	}
	f.ro, f.roBuf = ro, ro
	return 4 * len(ro)
}

// segText is the text of a column's values in a segment, rendered ahead
// of the caller, a row at a time as flatPage.ro has them.
type segText struct {
	data []byte
	ro   []uint32
	ok   bool
}

// render renders the rows values of f, column c's copy, and returns the
// bytes that takes. A value equal to the last rendered reuses its text.
func (t *segText) render(c *pqColumn, f *flatPage, rows int) int {
	t.data, t.ro, t.ok = t.data[:0], append(t.ro[:0], 0), true
	j := f.k // a copy of booleans counts from f.k
	for r := range rows {
		if f.defs != nil && f.defs[r] != f.maxDef {
			t.ro = append(t.ro, uint32(len(t.data))|nullRow)
			continue
		}
		m, kind := f.memo(j)
		if kind == 0 || kind != c.renderKind || m != c.renderMemo {
			c.scratch = c.key.render(c.scratch[:0], f.value(j))
			c.renderMemo, c.renderKind = m, kind
		}
		t.data = append(t.data, c.scratch...)
		t.ro = append(t.ro, uint32(len(t.data)))
		j++
	}
	return len(t.data) + 4*len(t.ro)
}

// segDecimals are the decimals of a numeric column's rows in a segment,
// converted ahead of the caller as DecimalAt converts them: row r's is
// d[r] when st[r] is decOK.
type segDecimals struct {
	d  []decimal.Decimal
	st []uint8
	ok bool
}

// What segDecimals.st says of a row.
const (
	decNull uint8 = iota // no value
	decOK                // d holds it
	decText              // no decimal without text (NaN, ±Inf, a scale out of range)
)

// convert converts the rows values of f, column c's copy, a DOUBLE's
// through c.decs, and returns the bytes that takes.
func (t *segDecimals) convert(c *pqColumn, f *flatPage, rows int) int {
	t.d, t.st, t.ok = slices.Grow(t.d[:0], rows)[:rows], slices.Grow(t.st[:0], rows)[:rows], true
	if c.num == numDouble && c.decs == nil {
		c.decs = newDecCache()
	}
	j := f.k
	for r := range rows {
		if f.defs != nil && f.defs[r] != f.maxDef {
			t.st[r] = decNull
			continue
		}
		var err error
		switch {
		case c.num == numDouble:
			t.d[r], err = c.decs.fromFloat64(f.f64[j])
		case f.kind == parquet.Int32:
			t.d[r], err = decimal.FromMinor(int64(f.i32[j]), c.scale)
		default:
			t.d[r], err = decimal.FromMinor(f.i64[j], c.scale)
		}
		j++
		t.st[r] = decOK
		if err != nil {
			t.st[r] = decText
		}
	}
	return 33 * rows
}

// startText makes f an empty map column's copy from row s0: a byte array
// per row (its JSON text), none null.
func (f *flatPage) startText(s0 int64) {
	f.start, f.end, f.kind, f.maxDef = s0, s0, parquet.ByteArray, 0
	f.defs, f.idx, f.cur, f.k, f.n = nil, nil, 0, 0, 0
	f.data, f.offs = f.data[:0], append(f.offs[:0], 0)
	f.ro = nil
}

// appendText adds a row's text to a map column's copy, and returns its
// bytes.
func (f *flatPage) appendText(text []byte) int {
	f.data = append(f.data, text...)
	f.offs = append(f.offs, uint32(len(f.data)))
	f.ro = f.offs
	f.n++
	f.end++
	return len(text) + 4
}

// pqAhead fills segments on a goroutine of its own, a few ahead of the
// caller: the pages of a Parquet file are read, decompressed and decoded,
// and the segment's values copied out of them, while the caller reads the
// rows before. Every segment is returned to the caller (k in flight, two
// more being read and filled), so memory is a few segments of at most
// aheadBytes each, and the decoder's pages.
type pqAhead struct {
	out      chan *pqSeg   // filled segments, in order
	free     chan *pqSeg   // segments the caller is done with
	quit     chan struct{} // closed by stop
	done     chan struct{} // closed when the goroutine has returned
	maxBytes int           // what a segment's copies aim at
}

// Segments read ahead: how many wait for the caller, and how many rows
// one holds at most.
const (
	aheadSegs = 4
	aheadRows = 1024
)

func startAhead(d *pqDecoder, budget int64) *pqAhead {
	a := &pqAhead{
		out: make(chan *pqSeg, aheadSegs), free: make(chan *pqSeg, aheadSegs+2),
		quit: make(chan struct{}), done: make(chan struct{}),
		// The segments in flight take at most an eighth of the budget.
		maxBytes: int(min(128<<10, max(8<<10, budget/8/(aheadSegs+2)))),
	}
	for range aheadSegs + 2 {
		a.free <- new(pqSeg)
	}
	go a.run(d)
	return a
}

// run fills segments until the file ends or stop is called. fill turns a
// panic inside parquet-go into the segment's error, so none escapes this
// goroutine (where it would end the process).
func (a *pqAhead) run(d *pqDecoder) {
	defer close(a.done)
	rows := int64(64)
	for {
		var s *pqSeg
		select {
		case s = <-a.free:
		case <-a.quit:
			return
		}
		d.fill(s, rows, true)
		if s.n > 0 {
			// As many rows as fit the segment's share of the budget.
			rows = min(aheadRows, max(16, int64(a.maxBytes)*s.n/int64(max(s.size, 1))))
		}
		select {
		case a.out <- s:
		case <-a.quit:
			return
		}
		if s.err != nil {
			return
		}
	}
}

// next returns the caller's segment prev, if any, and waits for the next.
func (a *pqAhead) next(prev *pqSeg) *pqSeg {
	if prev != nil {
		a.free <- prev // never blocks: it has room for every segment
	}
	return <-a.out // the goroutine sends the segment that ends the file
}

// stop ends the goroutine and waits for it.
func (a *pqAhead) stop() {
	close(a.quit)
	<-a.done
}
