package curreader

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/curconnect/curconnect/curreader/decimal"
)

// Row is one row of a data file. It is valid only until the Reader moves
// on; Clone keeps a copy. The zero Row has no columns.
type Row struct {
	m   *Header
	src fileRows     // the file being read (one file at a time)
	pq  *parquetRows // src, when it is Parquet
	b   *batch       // or rows decoded ahead
	i   int          // row within b
}

// field returns visible column i.
func (w Row) field(i int) []byte {
	if w.pq != nil {
		return w.pq.field(i) // a Parquet file's columns are its visible ones
	}
	if w.b != nil {
		return w.b.field(w.i, i)
	}
	return w.src.field(w.m.src[i])
}

// File returns the data file the row comes from (the object key, or the
// path for OpenFile).
func (w Row) File() string {
	if w.m == nil {
		return ""
	}
	return w.m.key
}

// Line returns the line the row starts on (CSV) or the row's 1-based
// position in the file (Parquet).
func (w Row) Line() int {
	switch {
	case w.b != nil:
		return w.b.lines[w.i]
	case w.src != nil:
		return w.src.line()
	}
	return 0
}

// Header returns the columns of the row's file, the same *Header for every
// row of that file. Use it to read columns by position (Value, Bytes),
// which costs no lookup by name.
func (w Row) Header() *Header { return w.m }

// Value returns the value of column i of Header, as text (see Get). It
// panics if i is out of range, as a slice index does.
func (w Row) Value(i int) string { return string(w.field(i)) }

// Bytes returns the value of column i of Header, without copying. The
// bytes are valid only until the Reader moves on, and must not be
// modified. It panics if i is out of range, as a slice index does.
func (w Row) Bytes(i int) []byte { return w.field(i) }

// Columns returns the canonical names of the file's visible columns, in
// header order, each once (columns sharing a canonical name appear once,
// as Get merges them). The caller must not modify the slice.
func (w Row) Columns() []string {
	if w.m == nil {
		return nil
	}
	return w.m.index.Columns()
}

// Get returns the value of a column named in either scheme
// (lineItem/UnblendedCost or line_item_unblended_cost), and whether the
// file has the column. When several columns share a canonical name, the
// first non-empty value wins. A column CUR 2.0 keeps inside a map column
// is found there: product/ProductName in product['product_name'],
// resourceTags/user:Team in resource_tags['user_team'] or
// tags['resourceTags/user:Team'], costCategory/Team in cost_category. A Parquet value is given as text: numbers
// in plain notation (shortest form that reads back to the same double),
// timestamps in RFC 3339, map columns as a JSON object.
func (w Row) Get(col string) (string, bool) {
	b, ok := w.bytes(col)
	return string(b), ok
}

func (w Row) bytes(col string) ([]byte, bool) {
	if w.m == nil {
		return nil, false
	}
	idx := w.m.index.Lookup(col)
	if len(idx) == 0 {
		return w.fromMap(col)
	}
	for _, i := range idx {
		if f := w.field(i); len(f) > 0 {
			return f, true
		}
	}
	return nil, true
}

// Decimal returns a column's exact value; ok is false when the column is
// absent or the cell empty. A cell that is not a number is a *ParseError.
//
// A name that is neither in the delivery nor a documented column of legacy
// CUR, CUR 2.0 or FOCUS is a *ColumnError (ErrUnknownColumn): a typo must
// never read as an absent cost. The same holds for Time and TimeInterval.
func (w Row) Decimal(col string) (d decimal.Decimal, ok bool, err error) {
	if w.m != nil {
		if idx := w.m.index.Lookup(col); len(idx) == 1 {
			return w.decimalAt(idx[0], col)
		}
	}
	b, present := w.bytes(col)
	if !present {
		return decimal.Decimal{}, false, w.unknown(col)
	}
	return w.decimal(b, present, col)
}

// unknown returns a *ColumnError when col is absent from the row's file
// and is not a real column name.
func (w Row) unknown(col string) error {
	if w.m == nil || w.m.cols == nil {
		return nil
	}
	_, err := w.m.cols.check(col)
	return err
}

// DecimalAt is Decimal for column i of Header. A Parquet DOUBLE, INT32,
// INT64 or DECIMAL column is read without rendering its value to text,
// with the same result: a DOUBLE is the shortest decimal that reads back as
// it (decimal.FromFloat64).
func (w Row) DecimalAt(i int) (d decimal.Decimal, ok bool, err error) {
	if w.pq != nil {
		// A Parquet file's columns are its visible ones: what pq does not
		// read as a decimal (NaN, ±Inf, text) is read from its text.
		if d, ok, handled := w.pq.decimalAt(i); handled {
			return d, ok, nil
		}
		return w.decimal(w.field(i), true, w.m.index.Header(i))
	}
	return w.decimalAt(i, w.m.index.Header(i))
}

func (w Row) decimalAt(i int, col string) (decimal.Decimal, bool, error) {
	if w.b == nil && w.src != nil {
		if d, ok, handled := w.src.decimalAt(w.m.src[i]); handled {
			return d, ok, nil
		}
	}
	return w.decimal(w.field(i), true, col)
}

func (w Row) decimal(b []byte, present bool, col string) (decimal.Decimal, bool, error) {
	if !present || len(bytes.TrimSpace(b)) == 0 {
		return decimal.Decimal{}, false, nil
	}
	d, err := decimal.ParseBytes(b)
	if err != nil {
		return decimal.Decimal{}, false, w.parseErr(col, err)
	}
	return d, true, nil
}

func (w Row) parseErr(col string, err error) error {
	return &ParseError{File: w.File(), Line: w.Line(), Field: col, Err: err}
}

// Time returns a column's instant, in UTC; ok is false when the column is
// absent or the cell empty. It reads RFC 3339 with or without fractional
// seconds (2024-01-01T00:00:00Z, 2024-01-01T00:00:00.000Z), the minute
// form 2024-01-01T00:00Z, and the zone-less 2024-01-01 00:00:00[.000]
// (taken as UTC). Anything else is a *ParseError.
func (w Row) Time(col string) (t time.Time, ok bool, err error) {
	b, present := w.bytes(col)
	if !present {
		return time.Time{}, false, w.unknown(col)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return time.Time{}, false, nil
	}
	t, err = parseTime(string(bytes.TrimSpace(b)))
	if err != nil {
		return time.Time{}, false, w.parseErr(col, err)
	}
	return t, true, nil
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, s)
}

// TimeInterval returns the row's usage interval: the legacy
// identity/TimeInterval (CUR 2.0 identity_time_interval) cell
// "start/end"; ok is false when the column is absent or empty. A cell that
// is not two times with start ≤ end is a *ParseError.
func (w Row) TimeInterval() (start, end time.Time, ok bool, err error) {
	const col = "identity/TimeInterval"
	b, present := w.bytes(col)
	s := string(bytes.TrimSpace(b))
	if !present || s == "" {
		return time.Time{}, time.Time{}, false, nil
	}
	a, z, found := cut(s, '/')
	if !found {
		return time.Time{}, time.Time{}, false, w.parseErr(col, fmt.Errorf("%w: %q has no '/'", ErrBadTime, s))
	}
	if start, err = parseTime(a); err == nil {
		end, err = parseTime(z)
	}
	if err == nil && end.Before(start) {
		err = fmt.Errorf("%w: %q ends before it starts", ErrBadTime, s)
	}
	if err != nil {
		return time.Time{}, time.Time{}, false, w.parseErr(col, err)
	}
	return start, end, true, nil
}

func cut(s string, sep byte) (string, string, bool) {
	i := bytes.IndexByte([]byte(s), sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// Tag returns a cost allocation tag's value, from a legacy
// resourceTags/user:Key column or a CUR 2.0 resource_tags or tags map
// column (a JSON object in CSV, a map in Parquet). key is given as in
// the legacy header ("user:Team") or the map ("user_team"). ok is false
// when the row has no value for the tag.
func (w Row) Tag(key string) (string, bool) {
	v, _ := w.Get("resourceTags/" + key)
	return v, v != ""
}

// Clone returns a copy of the row that stays valid after the Reader moves
// on.
func (w Row) Clone() Row {
	if w.m == nil {
		return Row{}
	}
	b := &batch{}
	b.reset(w.m, false, w.m.index.Len())
	b.add(w.Line(), func(i int) []byte { return w.field(i) })
	return Row{m: w.m, b: b}
}

// batch holds rows of one file decoded ahead of the caller. In field mode
// it keeps the visible fields of each row back to back; in raw mode (CSV
// rows read whole) each row's record bytes and the bounds of all its
// fields, so that a row costs two copies instead of one per field.
type batch struct {
	m      *Header
	nf     int      // fields per row: visible (field mode) or all (raw mode)
	raw    bool     // raw mode
	data   []byte   // field bytes or records
	ends   []uint32 // field mode: end offset of each field in data, row-major
	bounds []uint64 // raw mode: per row, nf bounds relative to its start
	starts []uint32 // raw mode: where each row's record starts in data
	lines  []int
	n      int // rows
}

func (b *batch) reset(m *Header, raw bool, nf int) {
	b.m, b.raw, b.nf, b.n = m, raw, nf, 0
	b.data, b.ends, b.bounds, b.starts, b.lines = b.data[:0], b.ends[:0], b.bounds[:0], b.starts[:0], b.lines[:0]
}

// field returns visible column i of a row.
func (b *batch) field(row, i int) []byte {
	if b.raw {
		v := b.bounds[row*b.nf+b.m.src[i]]
		s := b.starts[row]
		lo, hi := s+uint32(v), s+uint32(v>>32)
		return b.data[lo:hi:hi]
	}
	k := row*b.nf + i
	start := uint32(0)
	if k > 0 {
		start = b.ends[k-1]
	}
	return b.data[start:b.ends[k]:b.ends[k]]
}

// grow makes room for rows more rows without growing by appends.
func (b *batch) grow(rows int) {
	if b.raw {
		b.bounds = slices.Grow(b.bounds, rows*b.nf)
		b.starts = slices.Grow(b.starts, rows)
	} else {
		b.ends = slices.Grow(b.ends, rows*b.nf)
	}
	b.lines = slices.Grow(b.lines, rows)
}

// add appends a row in field mode.
func (b *batch) add(line int, field func(i int) []byte) {
	for i := 0; i < b.nf; i++ {
		b.data = append(b.data, field(i)...)
		b.ends = append(b.ends, uint32(len(b.data)))
	}
	b.lines = append(b.lines, line)
	b.n++
}

// addRaw appends a row in raw mode.
func (b *batch) addRaw(line int, rec []byte, bounds []uint64) {
	b.starts = append(b.starts, uint32(len(b.data)))
	b.data = append(b.data, rec...)
	b.bounds = append(b.bounds, bounds...)
	b.lines = append(b.lines, line)
	b.n++
}

// used is the bytes of rows a batch holds.
func (b *batch) used() int {
	return len(b.data) + 4*len(b.ends) + 8*len(b.bounds) + 4*len(b.starts) + 8*len(b.lines)
}

// size is the memory a batch holds.
func (b *batch) size() int {
	return cap(b.data) + 4*cap(b.ends) + 8*cap(b.bounds) + 4*cap(b.starts) + 8*cap(b.lines)
}
