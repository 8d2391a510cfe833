package curreader

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"

	"github.com/curconnect/curconnect/internal/colname"
	"github.com/curconnect/curconnect/internal/csvsplit"
	"github.com/curconnect/curconnect/internal/decimal"
	"github.com/curconnect/curconnect/internal/s3io"
)

// Decimal is an exact decimal number (money, quantities): parsed from
// plain, fixed and scientific notation, added without rounding, printed
// without exponent. The zero value is 0.
type Decimal = decimal.Decimal

// ErrMalformedRow: a data file's row cannot be read (bad CSV, a value
// that is not a number where one is asked for). It wraps ErrMalformed.
var ErrMalformedRow = fmt.Errorf("curreader: malformed row: %w", ErrMalformed)

// ErrUnsupportedFormat: the reader cannot read this delivery's format.
var ErrUnsupportedFormat = fmt.Errorf("curreader: unsupported format: %w", ErrMalformed)

// ParseError names the file, line and field of a row that cannot be read.
type ParseError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("curreader: %s: line %d", e.File, e.Line)
	if e.Field != "" {
		s += ": field " + e.Field
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause and ErrMalformedRow.
func (e *ParseError) Unwrap() []error { return []error{e.Err, ErrMalformedRow} }

// FileError reports a data file that could not be read to its end (a
// denied or failed GET, a truncated or corrupt gzip, a file that changed
// while it was read). It is never a short read that looks like the end.
type FileError struct {
	File string
	Line int
	Err  error
}

func (e *FileError) Error() string {
	return fmt.Sprintf("curreader: %s: after line %d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// ReadOptions are the optional settings of Open.
type ReadOptions struct {
	// AllowUpdating reads a delivery AWS reports as still being updated
	// (Delivery.Ready false), which may hold a partial month.
	AllowUpdating bool
	// MaxRecordSize and MaxFieldSize bound one CSV record and one field;
	// a larger one is an error, never read into memory. Zero means the
	// defaults (16 MiB and 4 MiB).
	MaxRecordSize, MaxFieldSize int
	// S3 configures the resumable GETs (retries, backoff, client options).
	S3 []func(*s3io.Options)
}

// opener opens one data file of a delivery.
type opener func(ctx context.Context, f DataFile) (io.ReadCloser, error)

// readerAtFunc gives random access to one data file (zip archives are read
// from their end).
type readerAtFunc func(ctx context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error)

// Reader streams the rows of every data file of a delivery, in manifest
// order, each file with its own header. It reads CSV (plain, gzip, zip).
type Reader struct {
	ctx   context.Context
	d     *Delivery
	open  opener
	at    readerAtFunc
	opts  ReadOptions
	next  int // next file index
	file  string
	body  io.Closer
	dec   io.Closer
	csv   *csvsplit.Reader
	index *colname.Index
	row   Row
	err   error
	done  bool
}

// Open returns a Reader over a delivery in S3. ctx governs every GET.
func Open(ctx context.Context, client S3API, d *Delivery, optFns ...func(*ReadOptions)) (*Reader, error) {
	var o ReadOptions
	for _, fn := range optFns {
		fn(&o)
	}
	s3opts := func(f DataFile) []func(*s3io.Options) {
		return append([]func(*s3io.Options){func(so *s3io.Options) { so.ETag = f.ETag }}, o.S3...)
	}
	return newReader(ctx, d, o, func(ctx context.Context, f DataFile) (io.ReadCloser, error) {
		r, err := s3io.NewReader(ctx, client, d.Bucket, f.Key, s3opts(f)...)
		if err != nil {
			return nil, err
		}
		return r, nil
	}, func(ctx context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error) {
		ra, err := s3io.NewReaderAt(ctx, client, d.Bucket, f.Key, f.Size, s3opts(f)...)
		if err != nil {
			return nil, 0, nil, err
		}
		return ra, ra.Size(), nil, nil
	})
}

// OpenFS returns a Reader over a delivery resolved with NewFS from the
// same file system.
func OpenFS(ctx context.Context, fsys fs.FS, d *Delivery, optFns ...func(*ReadOptions)) (*Reader, error) {
	var o ReadOptions
	for _, fn := range optFns {
		fn(&o)
	}
	canon := (&fsStore{}).canon
	return newReader(ctx, d, o, func(ctx context.Context, f DataFile) (io.ReadCloser, error) {
		return fsys.Open(canon(f.Key))
	}, func(_ context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error) {
		file, err := fsys.Open(canon(f.Key))
		if err != nil {
			return nil, 0, nil, err
		}
		ra, ok := file.(io.ReaderAt)
		if !ok {
			file.Close()
			return nil, 0, nil, fmt.Errorf("%w: the file system cannot read %s at random offsets, which a zip needs", ErrUnsupportedFormat, f.Key)
		}
		info, err := file.Stat()
		if err != nil {
			file.Close()
			return nil, 0, nil, err
		}
		return ra, info.Size(), file, nil
	})
}

func newReader(ctx context.Context, d *Delivery, o ReadOptions, open opener, at readerAtFunc) (*Reader, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil delivery", ErrMalformed)
	}
	if !d.Ready && !o.AllowUpdating {
		return nil, fmt.Errorf("curreader: %s %s is still being updated by AWS (status UPDATING); set ReadOptions.AllowUpdating to read it anyway: %w", d.Report, d.Period, ErrNotReady)
	}
	if d.Format != FormatCSV {
		return nil, fmt.Errorf("%w: %s %s is %s", ErrUnsupportedFormat, d.Report, d.Period, d.Format)
	}
	return &Reader{ctx: ctx, d: d, open: open, at: at, opts: o}, nil
}

// ErrNotReady: the delivery is still being updated (Delivery.Ready false).
var ErrNotReady = errors.New("curreader: delivery not ready")

// Next advances to the next row. It returns false at the end of the last
// file or on an error; Err tells which.
func (r *Reader) Next() bool {
	if r.done {
		return false
	}
	for {
		if r.csv == nil {
			if r.next >= len(r.d.Files) {
				r.finish(nil)
				return false
			}
			if err := r.openFile(r.d.Files[r.next]); err != nil {
				r.finish(err)
				return false
			}
			r.next++
			continue
		}
		err := r.csv.Next()
		if err == io.EOF {
			r.closeFile()
			continue
		}
		if err != nil {
			r.finish(r.wrap(err))
			return false
		}
		if r.csv.NumField() != r.index.Len() {
			r.finish(&ParseError{File: r.file, Line: r.csv.Line(), Err: fmt.Errorf("%d fields, the header has %d", r.csv.NumField(), r.index.Len())})
			return false
		}
		r.row = Row{r: r}
		return true
	}
}

func (r *Reader) wrap(err error) error {
	var pe *csvsplit.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: r.file, Line: pe.StartLine, Err: err}
	}
	line := 0
	if r.csv != nil {
		line = r.csv.Line()
	}
	return &FileError{File: r.file, Line: line, Err: err}
}

func (r *Reader) openFile(f DataFile) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	r.file = f.Key
	var src io.Reader
	if r.d.Compression != CompressionZip {
		body, err := r.open(r.ctx, f)
		if err != nil {
			return &FileError{File: f.Key, Err: err}
		}
		r.body, src = body, body
	}
	switch r.d.Compression {
	case CompressionGzip:
		p, err := csvsplit.NewGzip(src, nil)
		if err != nil {
			r.closeFile()
			return &FileError{File: f.Key, Err: err}
		}
		r.dec, src = p, p
	case CompressionZip:
		// A zip is read from its end: through ranged reads (S3) or the
		// file's own ReadAt (a local copy), never buffered whole.
		ra, size, closer, err := r.at(r.ctx, f)
		if err != nil {
			return &FileError{File: f.Key, Err: err}
		}
		r.body = closer
		members, err := csvsplit.ZipMembers(ra, size)
		if err == nil && len(members) != 1 {
			err = fmt.Errorf("zip holds %d data files, expected one CSV", len(members))
		}
		if err != nil {
			r.closeFile()
			return &FileError{File: f.Key, Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
		}
		rc, err := members[0].Open()
		if err != nil {
			r.closeFile()
			return &FileError{File: f.Key, Err: err}
		}
		r.dec, src = rc, rc
	}
	r.csv = csvsplit.NewReader(src, &csvsplit.Options{FieldsPerRecord: -1, MaxRecordSize: r.opts.MaxRecordSize, MaxFieldSize: r.opts.MaxFieldSize})
	if err := r.csv.Next(); err != nil {
		if err == io.EOF {
			// A 0-row file with no header at all.
			r.closeFile()
			return nil
		}
		e := r.wrap(err)
		r.closeFile()
		return e
	}
	header := make([]string, r.csv.NumField())
	for i := range header {
		header[i] = string(r.csv.Field(i))
	}
	r.index = colname.NewIndex(header)
	return nil
}

func (r *Reader) closeFile() {
	if r.dec != nil {
		r.dec.Close()
		r.dec = nil
	}
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
	r.csv = nil
}

func (r *Reader) finish(err error) {
	r.err = err
	r.done = true
	r.closeFile()
}

// Row returns the current row. It is valid until the next call to Next.
func (r *Reader) Row() Row { return r.row }

// Err returns the error that stopped Next, or nil at a clean end.
func (r *Reader) Err() error { return r.err }

// Close releases the current file. It is idempotent.
func (r *Reader) Close() error {
	r.done = true
	r.closeFile()
	return nil
}

// Rows returns a single-use iterator over the rows; it ends after the
// first error, which it yields. A break leaves the Reader closable.
func (r *Reader) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for r.Next() {
			if !yield(r.row, nil) {
				return
			}
		}
		if r.err != nil {
			yield(Row{}, r.err)
		}
	}
}

// Row is one row of a data file. It is valid only until the Reader moves
// on.
type Row struct{ r *Reader }

// File returns the data file the row comes from; Line its line.
func (w Row) File() string { return w.r.file }

// Line returns the line the row starts on.
func (w Row) Line() int { return w.r.csv.Line() }

// Columns returns the file's header.
func (w Row) Columns() []string { return w.r.index.Columns() }

// Get returns the value of a column named in either scheme
// (lineItem/UnblendedCost or line_item_unblended_cost), and whether the
// file has the column. When several columns share a canonical name, the
// first non-empty value wins.
func (w Row) Get(col string) (string, bool) {
	b, ok := w.bytes(col)
	return string(b), ok
}

func (w Row) bytes(col string) ([]byte, bool) {
	if w.r == nil || w.r.index == nil {
		return nil, false
	}
	idx := w.r.index.Lookup(col)
	if len(idx) == 0 {
		return nil, false
	}
	for _, i := range idx {
		if f := w.r.csv.Field(i); len(f) > 0 {
			return f, true
		}
	}
	return nil, true
}

// Decimal returns a column's exact value; ok is false when the column is
// absent or the cell empty. A cell that is not a number is a *ParseError.
func (w Row) Decimal(col string) (d decimal.Decimal, ok bool, err error) {
	b, present := w.bytes(col)
	if !present || len(bytes.TrimSpace(b)) == 0 {
		return decimal.Decimal{}, false, nil
	}
	d, err = decimal.ParseBytes(b)
	if err != nil {
		return decimal.Decimal{}, false, &ParseError{File: w.r.file, Line: w.r.csv.Line(), Field: col, Err: err}
	}
	return d, true, nil
}

// Tag returns a cost allocation tag's value, from a legacy
// resourceTags/user:Key column or a CUR 2.0 resource_tags map column
// written as JSON text in CSV.
func (w Row) Tag(key string) (string, bool) {
	if v, ok := w.Get("resourceTags/" + key); ok && v != "" {
		return v, true
	}
	raw, ok := w.Get("resource_tags")
	if !ok || raw == "" {
		return "", false
	}
	var m map[string]string
	if json.Unmarshal([]byte(raw), &m) != nil {
		return "", false
	}
	want := colname.MapKey("resource_tags", key)
	for k, v := range m {
		if colname.MapKey("resource_tags", k) == want {
			return v, true
		}
	}
	return "", false
}
