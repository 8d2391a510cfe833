package csvsplit

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// Defaults for [Options].
const (
	DefaultBufferSize    = 256 << 10
	DefaultMaxRecordSize = 16 << 20
	DefaultMaxFieldSize  = 4 << 20
)

var (
	// ErrRecordTooLarge reports a record (one CSV row, including quoted line
	// breaks) longer than [Options.MaxRecordSize] bytes.
	ErrRecordTooLarge = errors.New("csvsplit: record too large")
	// ErrFieldTooLarge reports a field longer than [Options.MaxFieldSize] bytes.
	ErrFieldTooLarge = errors.New("csvsplit: field too large")
)

// Options configure a [Reader]. The zero value selects the defaults.
type Options struct {
	// BufferSize is the initial size of the read buffer. If zero or
	// negative, DefaultBufferSize.
	BufferSize int
	// MaxRecordSize bounds the bytes of one record; the buffer never grows
	// beyond it. If zero or negative, DefaultMaxRecordSize; at most 1 GiB.
	MaxRecordSize int
	// MaxFieldSize bounds the bytes of one field. If zero or negative,
	// DefaultMaxFieldSize.
	MaxFieldSize int
	// FieldsPerRecord has the meaning of encoding/csv's field of the same
	// name: if positive, every record must have that many fields; if zero,
	// the first record sets the count; if negative, records may vary.
	FieldsPerRecord int
	// KeepBOM keeps a leading UTF-8 byte order mark as part of the first
	// field instead of skipping it.
	KeepBOM bool
}

// ParseError is a syntax or size error, with its position. Line and Column
// are 1-based; Column counts bytes, as in [encoding/csv.ParseError].
type ParseError struct {
	StartLine int   // line where the record starts
	Line      int   // line where the error occurred
	Column    int   // byte column where the error occurred
	Err       error // csv.ErrQuote, csv.ErrBareQuote, csv.ErrFieldCount, ErrRecordTooLarge, ErrFieldTooLarge
}

func (e *ParseError) Error() string {
	if e.StartLine != e.Line {
		return fmt.Sprintf("record on line %d; parse error on line %d, column %d: %v", e.StartLine, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("parse error on line %d, column %d: %v", e.Line, e.Column, e.Err)
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// ReadError is an error of the underlying reader, with the line the reader
// had reached. It unwraps to the cause (for example io.ErrUnexpectedEOF
// from a truncated gzip stream).
type ReadError struct {
	Line int // line being read when the error occurred
	Err  error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("csvsplit: read error on line %d: %v", e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *ReadError) Unwrap() error { return e.Err }

// Reader reads CSV records. It is not safe for concurrent use.
type Reader struct {
	src  io.Reader
	opts Options

	buf      []byte
	pos, end int   // unread data is buf[pos:end]
	eof      bool  // src returned io.EOF
	rerr     error // sticky non-EOF error of src
	started  bool  // BOM check done

	line    int // number of lines fully consumed before pos
	recLine int // start line of the record last returned
	offset  int64

	pipe   *Pipe    // source whose chunks are consumed in place, if any
	chunk  []byte   // the chunk buf points into (to release), or nil
	bounds []uint64 // per field: start | end<<32, relative to base
	base   int      // buffer index where the current record starts
	fields [][]byte
	fix    []int // indexes of fields that need unquoting
	err    error // sticky parse error
}

// NewReader returns a Reader reading from src. A nil opts selects the defaults.
func NewReader(src io.Reader, opts *Options) *Reader {
	r := &Reader{src: src}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.BufferSize <= 0 {
		r.opts.BufferSize = DefaultBufferSize
	}
	if r.opts.MaxRecordSize <= 0 {
		r.opts.MaxRecordSize = DefaultMaxRecordSize
	}
	if r.opts.MaxFieldSize <= 0 {
		r.opts.MaxFieldSize = DefaultMaxFieldSize
	}
	if p, ok := src.(*Pipe); ok && p.held == nil {
		r.pipe = p
	}
	if r.opts.MaxRecordSize > 1<<30 {
		r.opts.MaxRecordSize = 1 << 30 // field bounds are 32-bit
	}
	if r.opts.BufferSize > r.opts.MaxRecordSize {
		r.opts.BufferSize = r.opts.MaxRecordSize
	}
	return r
}

// Line returns the line on which the record last returned by Read starts.
func (r *Reader) Line() int { return r.recLine }

// InputOffset returns the input byte offset just after the record last
// returned by Read (after a skipped byte order mark, it counts the mark too).
func (r *Reader) InputOffset() int64 { return r.offset }

// Next advances to the next record, whose fields are then available from
// [Reader.NumField] and [Reader.Field] until the next call. At the end of
// the input it returns io.EOF. With a positive FieldsPerRecord, a record
// with another field count is made available together with a *ParseError
// wrapping csv.ErrFieldCount, and reading may continue. Any other error is
// sticky.
//
// Next does no work per field beyond finding its bounds, so a caller that
// uses a few columns pays for a few.
func (r *Reader) Next() error {
	if r.err != nil {
		return r.err
	}
	if err := r.read(); err != nil {
		r.bounds = r.bounds[:0]
		r.err = err
		return err
	}
	nf := len(r.bounds)
	if n := r.opts.FieldsPerRecord; n > 0 {
		if nf != n {
			return &ParseError{StartLine: r.recLine, Line: r.recLine, Column: 1, Err: csv.ErrFieldCount}
		}
	} else if n == 0 {
		r.opts.FieldsPerRecord = nf
	}
	return nil
}

// NumField returns the number of fields of the current record.
func (r *Reader) NumField() int { return len(r.bounds) }

// Field returns field i of the current record (0 ≤ i < NumField). The bytes
// belong to the Reader and are valid until the next call to Next or Read;
// the slice's capacity is capped, so appending to it copies.
func (r *Reader) Field(i int) []byte {
	v := r.bounds[i]
	s, e := r.base+int(uint32(v)), r.base+int(v>>32)
	return r.buf[s:e:e]
}

// Raw returns the current record's bytes and its fields' bounds: field i
// is rec[uint32(bounds[i]):bounds[i]>>32]. Both belong to the Reader and
// are valid until the next call to Next or Read. It lets a caller copy a
// whole record with two copies instead of one per field.
func (r *Reader) Raw() (rec []byte, bounds []uint64) {
	if len(r.bounds) == 0 {
		return nil, nil
	}
	end := r.base + int(r.bounds[len(r.bounds)-1]>>32)
	return r.buf[r.base:end:end], r.bounds
}

// Read returns the next record as a slice of fields: [Reader.Next]
// followed by [Reader.Field] for every field. The slice and the bytes are
// owned by the Reader and valid only until the next call.
func (r *Reader) Read() ([][]byte, error) {
	err := r.Next()
	if err != nil && !errors.Is(err, csv.ErrFieldCount) {
		return nil, err
	}
	n := r.NumField()
	r.fields = r.fields[:0]
	for i := range n {
		r.fields = append(r.fields, r.Field(i))
	}
	return r.fields, err
}

var errMore = errors.New("need more data")

func (r *Reader) read() error {
	if !r.started {
		if err := r.skipBOM(); err != nil {
			return err
		}
	}
	for {
		next, err := r.parse()
		if err == nil {
			r.base = r.pos
			r.offset += int64(next - r.pos)
			r.pos = next
			r.unquote()
			return nil
		}
		if err != errMore {
			return err
		}
		if err := r.fill(); err != nil {
			return err
		}
	}
}

func (r *Reader) skipBOM() error {
	for r.end-r.pos < 3 && !r.eof && r.rerr == nil {
		if err := r.fill(); err != nil {
			return err
		}
	}
	r.started = true
	if !r.opts.KeepBOM && bytes.HasPrefix(r.buf[r.pos:r.end], []byte("\xef\xbb\xbf")) {
		r.pos += 3
		r.offset += 3
	}
	return nil
}

// fill makes room and reads more input. It returns an error when the input
// is exhausted (io.EOF at the end of a complete record stream is handled by
// parse), when the source fails, or when the record would exceed the limit.
func (r *Reader) fill() error {
	if r.rerr != nil {
		return &ReadError{Line: r.line + 1, Err: r.rerr}
	}
	if r.eof {
		// parse asked for more data after EOF: cannot happen, parse
		// handles EOF itself; guard against a loop anyway.
		return io.ErrUnexpectedEOF
	}
	if r.pipe != nil {
		return r.fillChunk()
	}
	if r.pos > 0 {
		n := copy(r.buf, r.buf[r.pos:r.end])
		r.pos, r.end = 0, n
	}
	if r.end == len(r.buf) {
		if len(r.buf) >= r.opts.MaxRecordSize {
			return &ParseError{StartLine: r.line + 1, Line: r.line + 1, Column: 1, Err: ErrRecordTooLarge}
		}
		size := 2 * len(r.buf)
		if size == 0 {
			size = r.opts.BufferSize
		}
		if size > r.opts.MaxRecordSize {
			size = r.opts.MaxRecordSize
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for range 100 {
		n, err := r.src.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			r.rerr = errors.New("csvsplit: source returned an invalid count")
			return &ReadError{Line: r.line + 1, Err: r.rerr}
		}
		r.end += n
		if err == io.EOF {
			r.eof = true
			return nil
		}
		if err != nil {
			r.rerr = err
			if n > 0 {
				return nil // parse what we have; the error comes next time
			}
			return &ReadError{Line: r.line + 1, Err: err}
		}
		if n > 0 {
			return nil
		}
	}
	r.rerr = io.ErrNoProgress
	return &ReadError{Line: r.line + 1, Err: io.ErrNoProgress}
}

// fillChunk takes the next chunk of the pipe as the buffer, putting the
// unfinished record in front of it (in its headroom), so that bytes are not
// copied a second time. A record longer than the headroom continues in a
// buffer of the Reader's own, appended to chunk by chunk.
func (r *Reader) fillChunk() error {
	head := r.pipe.head
	c, err := r.pipe.nextChunk()
	if err == io.EOF {
		r.eof = true
	} else if err != nil {
		r.rerr = err
	}
	n := max(len(c)-head, 0)
	if n == 0 {
		if c != nil {
			r.pipe.releaseChunk(c)
		}
		if r.rerr != nil {
			return &ReadError{Line: r.line + 1, Err: r.rerr}
		}
		return nil
	}
	tail := r.buf[r.pos:r.end]
	if len(tail) <= head {
		start := head - len(tail)
		copy(c[start:head], tail)
		if r.chunk != nil {
			r.pipe.releaseChunk(r.chunk)
		}
		r.chunk, r.buf, r.pos, r.end = c, c, start, len(c)
		return nil
	}
	// A long unfinished record: continue in an own buffer.
	if r.chunk != nil {
		own := make([]byte, max(2*(len(tail)+n), r.opts.BufferSize))
		r.end = copy(own, tail)
		r.pos = 0
		r.pipe.releaseChunk(r.chunk)
		r.chunk, r.buf = nil, own
	} else if r.end+n > len(r.buf) {
		if r.pos > 0 {
			r.end = copy(r.buf, tail)
			r.pos = 0
		}
		if r.end+n > len(r.buf) {
			own := make([]byte, 2*(r.end+n))
			copy(own, r.buf[:r.end])
			r.buf = own
		}
	}
	r.end += copy(r.buf[r.end:], c[head:])
	r.pipe.releaseChunk(c)
	return nil
}

// parse splits one record starting at r.pos. It returns the index just past
// the record, errMore when the buffer holds no complete record yet, io.EOF
// at the clean end of input, or a *ParseError. It does not modify the
// buffer, so it can be restarted after fill; line counting is committed
// only on success.
func (r *Reader) parse() (int, error) {
	buf := r.buf[:r.end]
	p := r.pos
	line := r.line
	// Skip empty lines ("\n" or "\r\n").
	for {
		if p >= len(buf) {
			if r.eof {
				r.offset += int64(p - r.pos)
				r.pos, r.line = p, line
				return 0, io.EOF
			}
			r.offset += int64(p - r.pos)
			r.pos, r.line = p, line
			return 0, errMore
		}
		if buf[p] == '\n' {
			p++
			line++
			continue
		}
		if buf[p] == '\r' {
			if p+1 < len(buf) && buf[p+1] == '\n' {
				p += 2
				line++
				continue
			}
			if p+1 == len(buf) {
				if r.eof { // a trailing \r before EOF is dropped
					r.offset += int64(len(buf) - r.pos)
					r.pos, r.line = len(buf), line
					return 0, io.EOF
				}
				r.offset += int64(p - r.pos)
				r.pos, r.line = p, line
				return 0, errMore
			}
		}
		break
	}
	if p != r.pos {
		r.offset += int64(p - r.pos)
		r.pos, r.line = p, line
	}

	r.bounds = r.bounds[:0]
	r.fix = r.fix[:0]
	return r.split(buf, p)
}

// lineEnd returns the index of the next '\n' at or after p, or len(buf) at
// the end of input without a final newline, or errMore.
func (r *Reader) lineEnd(buf []byte, p int) (int, error) {
	if i := bytes.IndexByte(buf[p:], '\n'); i >= 0 {
		return p + i, nil
	}
	if r.eof {
		return len(buf), nil
	}
	return 0, r.more()
}

// split splits the record that starts at p. The common case — stretches
// of a line without quotes — is cut at commas by a tight loop; quoted
// fields are delimited with bytes.IndexByte and may span lines.
func (r *Reader) split(buf []byte, p int) (int, error) {
	line := r.line + 1 // current line number (1-based)
	startLine := line
	lineStart := p
	lineEnd, err := r.lineEnd(buf, p)
	if err != nil {
		return 0, err
	}
	for {
		qpos := lineEnd
		if i := bytes.IndexByte(buf[p:lineEnd], '"'); i >= 0 {
			qpos = p + i
		}
		var start int
		r.bounds, start = splitCommas(r.bounds, buf[p:qpos], uint64(p-r.pos))
		fieldStart := p + start
		if qpos == lineEnd {
			end := lineEnd
			if end > fieldStart && buf[end-1] == '\r' {
				end--
			}
			r.bounds = append(r.bounds, uint64(fieldStart-r.pos)|uint64(end-r.pos)<<32)
			next := lineEnd + 1
			if lineEnd == len(buf) {
				next = lineEnd
			}
			return r.finish(next, line)
		}
		if qpos != fieldStart {
			return 0, &ParseError{StartLine: startLine, Line: line, Column: qpos - lineStart + 1, Err: csv.ErrBareQuote}
		}
		// Quoted field.
		q := qpos + 1
		needFix := false
		for {
			i := bytes.IndexByte(buf[q:], '"')
			if i < 0 {
				if !r.eof {
					return 0, r.more()
				}
				return 0, r.eofQuoteErr(startLine)
			}
			if i > 0 && q+i > lineEnd { // the field spans lines
				seg := buf[q : q+i]
				if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
					line += n
					lineStart = q + bytes.LastIndexByte(seg, '\n') + 1
					needFix = needFix || bytes.IndexByte(seg, '\r') >= 0
				}
			}
			q += i // closing quote candidate
			if q+1 >= len(buf) {
				if !r.eof {
					return 0, r.more()
				}
				r.addField(qpos+1, q, needFix)
				return r.finish(len(buf), line)
			}
			switch buf[q+1] {
			case '"':
				needFix = true
				q += 2
				continue
			case ',':
				r.addField(qpos+1, q, needFix)
				p = q + 2
				if q > lineEnd {
					if lineEnd, err = r.lineEnd(buf, p); err != nil {
						return 0, err
					}
				}
			case '\n':
				r.addField(qpos+1, q, needFix)
				return r.finish(q+2, line)
			case '\r':
				if q+2 < len(buf) && buf[q+2] == '\n' {
					r.addField(qpos+1, q, needFix)
					return r.finish(q+3, line)
				}
				if q+2 == len(buf) {
					if !r.eof {
						return 0, r.more()
					}
					r.addField(qpos+1, q, needFix)
					return r.finish(len(buf), line)
				}
				return 0, &ParseError{StartLine: startLine, Line: line, Column: q - lineStart + 1, Err: csv.ErrQuote}
			default:
				return 0, &ParseError{StartLine: startLine, Line: line, Column: q - lineStart + 1, Err: csv.ErrQuote}
			}
			break
		}
	}
}

// splitCommas appends to b the packed bounds (offset by base) of the
// comma-terminated fields of seg, which holds no quote, and returns the
// start of the unterminated rest. It tests eight bytes at a time for
// commas with an exact zero-byte mask.
func splitCommas(b []uint64, seg []byte, base uint64) ([]uint64, int) {
	const (
		lo7    = 0x7f7f7f7f7f7f7f7f
		commas = 0x2c2c2c2c2c2c2c2c
	)
	start, i := 0, 0
	for ; i+8 <= len(seg); i += 8 {
		x := binary.LittleEndian.Uint64(seg[i:]) ^ commas
		m := ^((x&lo7 + lo7) | x | lo7) // 0x80 in each byte that was a comma
		for m != 0 {
			j := i + bits.TrailingZeros64(m)>>3
			b = append(b, (base+uint64(start))|(base+uint64(j))<<32)
			start = j + 1
			m &= m - 1
		}
	}
	for ; i < len(seg); i++ {
		if seg[i] == ',' {
			b = append(b, (base+uint64(start))|(base+uint64(i))<<32)
			start = i + 1
		}
	}
	return b, start
}

// finish completes a record that ends just before next, on line lastLine.
func (r *Reader) finish(next, lastLine int) (int, error) {
	if next-r.pos > r.opts.MaxFieldSize {
		if err := r.checkFields(); err != nil {
			return 0, err
		}
	}
	r.recLine = r.line + 1
	r.line = lastLine
	return next, nil
}

// more reports errMore, or ErrRecordTooLarge if the pending record already
// fills the largest allowed buffer.
func (r *Reader) more() error {
	if r.end-r.pos >= r.opts.MaxRecordSize {
		return &ParseError{StartLine: r.line + 1, Line: r.line + 1, Column: 1, Err: ErrRecordTooLarge}
	}
	return errMore
}

func (r *Reader) checkFields() error {
	for _, v := range r.bounds {
		if s, e := int(uint32(v)), int(v>>32); e-s > r.opts.MaxFieldSize {
			return &ParseError{StartLine: r.line + 1, Line: r.line + 1, Column: s + 1, Err: ErrFieldTooLarge}
		}
	}
	return nil
}

func (r *Reader) addField(start, end int, needFix bool) {
	if needFix {
		r.fix = append(r.fix, len(r.bounds))
	}
	r.bounds = append(r.bounds, uint64(start-r.pos)|uint64(end-r.pos)<<32)
}

// unquote rewrites, in place, the fields that contain escaped quotes or
// CRLF line breaks inside quotes ("" → ", \r\n → \n, as encoding/csv does).
func (r *Reader) unquote() {
	for _, i := range r.fix {
		f := r.Field(i)
		w := 0
		for k := 0; k < len(f); k++ {
			c := f[k]
			if c == '"' {
				k++ // the second quote of a pair
			} else if c == '\r' && k+1 < len(f) && f[k+1] == '\n' {
				continue
			}
			f[w] = c
			w++
		}
		s := r.bounds[i] & 0xffffffff
		r.bounds[i] = s | (s+uint64(w))<<32
	}
}

// eofQuoteErr builds the error for a quoted field still open at the end of
// input, with the position encoding/csv reports: the end of the last
// non-empty line.
func (r *Reader) eofQuoteErr(startLine int) error {
	seg := r.buf[r.pos:r.end]
	if n := len(seg); n > 0 && seg[n-1] == '\r' {
		seg = seg[:n-1] // dropped before EOF
	}
	lines := bytes.Count(seg, []byte{'\n'})
	last := seg
	if n := len(seg); n > 0 && seg[n-1] == '\n' {
		lines--
		last = seg[:n-1]
	}
	ls := bytes.LastIndexByte(last, '\n') + 1
	col := len(seg) - ls
	if n := len(seg); n >= 2 && seg[n-1] == '\n' && seg[n-2] == '\r' {
		col--
	}
	return &ParseError{StartLine: startLine, Line: startLine + lines, Column: col + 1, Err: csv.ErrQuote}
}
