package curreader

import (
	"fmt"
	"io"
	"math"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// A flat column (one value per row, every column of a legacy CUR and most
// of CUR 2.0) is read a page at a time, not a value at a time: its page's
// definition levels and typed values (or dictionary indexes) are taken
// from parquet-go as they are, checked once, and a row's value is found
// from them only when the caller asks for it. A row then costs nothing per
// column, and a column nobody reads costs its pages' decoding only.
//
// Every index a lookup follows is checked when the page is loaded (the
// dictionary indexes against the dictionary, the byte-array offsets against
// the bytes), so reading a value cannot fail or panic after Next.

// flatPage is the page a flat leaf is at.
type flatPage struct {
	start, end int64  // the rows of the row group it holds: [start, end)
	defs       []byte // one definition level per row; nil when every row has a value
	maxDef     byte
	cur, k     int     // a cursor: k values precede row start+cur (rows with levels)
	idx        []int32 // dictionary indexes, one per value; nil for plain values
	dict       parquet.Dictionary
	dictGen    uint64 // changes with the dictionary
	n          int    // values the value slices hold (the dictionary's, for idx)
	kind       parquet.Kind
	f64        []float64
	f32        []float32
	i64        []int64
	i32        []int32
	i96        []deprecated.Int96
	data       []byte   // byte arrays, fixed-length byte arrays, booleans (bits)
	offs       []uint32 // byte arrays: n+1 offsets into data
	size       int      // fixed-length byte arrays
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
		for ; f.cur < off; f.cur++ {
			if f.defs[f.cur] == f.maxDef {
				k++
			}
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
		out = out[:end-off]
		for r := range out {
			out[r] = int32(off + r)
		}
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

// loadPage moves a flat leaf to its next page, which starts at row start
// of the row group; errPqEnd when the column chunk has no more.
func (l *pqLeaf) loadPage(start int64) error {
	f := &l.fp
	if l.page != nil {
		parquet.Release(l.page)
		l.page = nil
	}
	for {
		pg, err := l.pages.ReadPage()
		if err == io.EOF {
			return errPqEnd
		}
		if err != nil {
			return err
		}
		l.page = pg
		rows := pg.NumRows()
		if rows == 0 {
			parquet.Release(pg)
			l.page = nil
			continue
		}
		if err := f.load(pg, l.path, rows); err != nil {
			return err
		}
		f.start, f.end = start, start+rows
		return nil
	}
}

func corruptPage(path, format string, args ...any) error {
	return fmt.Errorf("%w: column %s: %s", curerr.ErrMalformed, path, fmt.Sprintf(format, args...))
}

// load takes a page's levels and values, and checks every index a lookup
// will follow.
func (f *flatPage) load(pg parquet.Page, path string, rows int64) error {
	f.cur, f.k, f.idx = 0, 0, nil
	f.defs = nil
	values := int(rows)
	if f.maxDef > 0 {
		defs := pg.DefinitionLevels()
		if int64(len(defs)) != rows {
			return corruptPage(path, "a page of %d rows has %d definition levels", rows, len(defs))
		}
		values = 0
		for _, d := range defs {
			if d == f.maxDef {
				values++
			}
		}
		if values < len(defs) {
			f.defs = defs
		}
	}
	data := pg.Data()
	if d := pg.Dictionary(); d != nil {
		if data.Kind() != encoding.Int32 {
			return corruptPage(path, "dictionary indexes of kind %s", data.Kind())
		}
		idx := data.Int32()
		if len(idx) < values {
			return corruptPage(path, "%d dictionary indexes for %d values", len(idx), values)
		}
		idx = idx[:values]
		if d != f.dict {
			f.dict = d
			f.dictGen++
			if err := f.take(d.Page().Data(), d.Len(), path); err != nil {
				return err
			}
		}
		n := int32(f.n)
		for _, i := range idx {
			if uint32(i) >= uint32(n) {
				return corruptPage(path, "dictionary index %d of a dictionary of %d values", i, n)
			}
		}
		f.idx = idx
		return nil
	}
	f.dict = nil
	return f.take(data, values, path)
}

// take sets the value slices from vals, which must hold at least n values.
func (f *flatPage) take(vals encoding.Values, n int, path string) error {
	if kind := vals.Kind(); kind != encodingKind(f.kind) {
		return corruptPage(path, "values of kind %s in a column of kind %s", kind, f.kind)
	}
	short := func(have int) error {
		return corruptPage(path, "a page of %d values holds %d", n, have)
	}
	f.n = n
	switch f.kind {
	case parquet.Double:
		if f.f64 = vals.Double(); len(f.f64) < n {
			return short(len(f.f64))
		}
	case parquet.Int64:
		if f.i64 = vals.Int64(); len(f.i64) < n {
			return short(len(f.i64))
		}
	case parquet.Int32:
		if f.i32 = vals.Int32(); len(f.i32) < n {
			return short(len(f.i32))
		}
	case parquet.Float:
		if f.f32 = vals.Float(); len(f.f32) < n {
			return short(len(f.f32))
		}
	case parquet.Int96:
		if f.i96 = vals.Int96(); len(f.i96) < n {
			return short(len(f.i96))
		}
	case parquet.Boolean:
		if f.data = vals.Boolean(); len(f.data) < (n+7)/8 {
			return short(8 * len(f.data))
		}
	case parquet.FixedLenByteArray:
		f.data, f.size = vals.FixedLenByteArray()
		if f.size <= 0 || len(f.data)/f.size < n {
			return corruptPage(path, "a page of %d values of %d bytes holds %d bytes", n, f.size, len(f.data))
		}
	case parquet.ByteArray:
		f.data, f.offs = vals.ByteArray()
		if len(f.offs) < n+1 {
			return short(max(len(f.offs)-1, 0))
		}
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
	default:
		return corruptPage(path, "values of kind %s", f.kind)
	}
	return nil
}

// encodingKind is the encoding package's name for a kind.
func encodingKind(k parquet.Kind) encoding.Kind {
	switch k {
	case parquet.Boolean:
		return encoding.Boolean
	case parquet.Int32:
		return encoding.Int32
	case parquet.Int64:
		return encoding.Int64
	case parquet.Int96:
		return encoding.Int96
	case parquet.Float:
		return encoding.Float
	case parquet.Double:
		return encoding.Double
	case parquet.ByteArray:
		return encoding.ByteArray
	case parquet.FixedLenByteArray:
		return encoding.FixedLenByteArray
	}
	return encoding.Undefined
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
