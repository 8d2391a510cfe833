package curreader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/awserr"
	"github.com/curconnect/curconnect/internal/colname"
)

// ErrMalformedRow: a data file's row cannot be read (bad CSV, a value
// that is not a number where one is asked for). It wraps curerr.ErrMalformed.
var ErrMalformedRow = awserr.New("curreader: malformed row", curerr.ErrMalformed)

// ErrUnsupportedFormat: the reader cannot read this delivery's format.
var ErrUnsupportedFormat = awserr.New("curreader: unsupported format", curerr.ErrMalformed)

// ErrNotReady: the delivery is still being updated (Delivery.Ready false).
var ErrNotReady = errors.New("curreader: delivery not ready")

// ParseError names the file, line and field of a row that cannot be read.
// For Parquet, Line is the row's 1-based position in the file.
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
// denied or failed GET, a truncated or corrupt gzip or Parquet file, a file
// that changed while it was read). It is never a short read that looks
// like the end. Line is the last line (CSV) or row (Parquet) read.
type FileError struct {
	File string
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("curreader: %s: %v", e.File, e.Err)
	}
	unit := "line"
	if strings.HasSuffix(strings.ToLower(e.File), ".parquet") {
		unit = "row"
	}
	return fmt.Sprintf("curreader: %s: after %s %d: %v", e.File, unit, e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// Progress is how far a Reader has come. Byte counts are of the data
// files as stored (compressed), so they compare with the object sizes.
type Progress struct {
	// Files is the number of data files; FilesDone how many were read to
	// their end.
	Files, FilesDone int
	// Bytes read so far; TotalBytes the sum of the files' sizes from the
	// listing and manifest, or -1 when a size is unknown. Parquet readers
	// skip the columns they do not need, so Bytes may end below TotalBytes.
	Bytes, TotalBytes int64
	// Rows returned by Next so far.
	Rows int64
	// Done is true in the last call, made when the reader ends (cleanly or
	// not).
	Done bool
}

// ReadOptions are the optional settings of [Resolver.Open] and [OpenFile].
type ReadOptions struct {
	// AllowUpdating reads a delivery AWS reports as still being updated
	// (Delivery.Ready false), which may hold a partial month.
	AllowUpdating bool
	// Columns, when set, is the projection: only these columns (named in
	// either scheme) are read and visible in rows. Parquet files then read
	// only these columns' chunks; CSV still splits every field but copies
	// and converts only these. "resource_tags" (or "resourceTags") brings
	// every tag column, so Row.Tag works. Columns a file lacks are absent
	// from its rows, not an error.
	Columns []string
	// Concurrency is how many data files are read ahead in parallel. Zero
	// means runtime.GOMAXPROCS(0), capped at 8. With 1 (or a delivery of
	// one file) files are read one after another on the caller's
	// goroutine, without copying rows.
	Concurrency int
	// MemoryBudget bounds the bytes of rows decoded ahead of the caller
	// when Concurrency > 1 (default 32 MiB; any larger value, up to
	// math.MaxInt64, is safe, and one file holds at most 1,024 batches of
	// at most 1 MiB ahead of the caller). A single row larger than the
	// budget's share is still read, and each file being read holds at
	// least two batches of 64 KiB, so a budget below 128 KiB ×
	// Concurrency acts as that. It does not count each open file's
	// decompression buffers (about 3 MiB per gzip file being read), a
	// Parquet file's read and page buffers (about 150 KiB per column read:
	// project when a file has many columns), nor, for Parquet in S3, the
	// column chunks of a row group fetched ahead (up to the file's share of
	// the budget, at least 8 MiB). Chunks beyond that share are read by a
	// GET per read buffer (64 KiB when every column is read), after a GET
	// per page header to check it: to read every column of files with
	// large row groups from S3, raise the budget.
	MemoryBudget int64
	// Unordered lets rows of different files interleave (each file's rows
	// stay in order), so a slow file does not hold up the others.
	Unordered bool
	// Progress, when set, is called on the goroutine that calls Next: every
	// ProgressEvery rows (default 65,536), after each file and once at the
	// end with Done set (a clean end, an error, or Close before the end).
	Progress func(Progress)
	// ProgressEvery is how many rows pass between Progress calls.
	ProgressEvery int
	// MaxRecordSize and MaxFieldSize bound one CSV record and one field;
	// a larger one is an error, never read into memory. Zero means the
	// defaults (16 MiB and 4 MiB).
	MaxRecordSize, MaxFieldSize int
}

// fileStore opens the data files of a delivery.
type fileStore struct {
	// open streams one file from its start.
	open func(ctx context.Context, f DataFile) (io.ReadCloser, error)
	// at gives random access to one file (zip archives and Parquet files
	// are read from their end).
	at func(ctx context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error)
	// remote is true for S3, where every ReadAt is a GET: Parquet reads
	// then fetch whole column-chunk ranges at once.
	remote bool
}

// Reader streams the rows of every data file of a delivery, in manifest
// order unless ReadOptions.Unordered, each file with its own header. It
// reads CSV (plain, gzip, zip) and Parquet. A Reader is not safe for
// concurrent use; Close it when done (it is closed at the end too).
type Reader struct {
	ctx    context.Context
	cancel context.CancelFunc
	d      *Delivery
	st     fileStore
	opts   ReadOptions
	proj   *projection
	// cols tells real column names from typos; pendingCols are projected
	// names it can judge only once a first header is read.
	cols        *columnChecker
	pendingCols []string
	bytes       atomic.Int64
	total       int64

	// one file at a time
	next int
	cur  fileRows
	meta *Header

	// read-ahead
	ra  *readAhead
	b   *batch
	bi  int
	row Row

	rows      int64
	filesDone int
	lastProg  int64
	err       error
	done      bool
}

func fsStoreOf(open func(key string) (fs.File, error)) fileStore {
	return fileStore{
		open: func(_ context.Context, f DataFile) (io.ReadCloser, error) {
			return open(f.Key)
		},
		at: func(_ context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error) {
			file, err := open(f.Key)
			if err != nil {
				return nil, 0, nil, err
			}
			ra, ok := file.(io.ReaderAt)
			if !ok {
				file.Close()
				return nil, 0, nil, fmt.Errorf("%w: the file system cannot read %s at random offsets, which zip and Parquet need", ErrUnsupportedFormat, f.Key)
			}
			info, err := file.Stat()
			if err != nil {
				file.Close()
				return nil, 0, nil, err
			}
			return ra, info.Size(), file, nil
		},
	}
}

// OpenFile returns a Reader over one local data file, whose format is told
// by its name: .csv, .csv.gz, .csv.zip (or .zip), .parquet
// (.snappy.parquet, .gz.parquet). Its Delivery has the file's name as
// Report and is Ready.
func OpenFile(ctx context.Context, path string, optFns ...func(*ReadOptions)) (*Reader, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("curreader: %w", err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("curreader: %s is a directory, not a data file", path)
	}
	format, compression, ok := formatOfName(path)
	if !ok {
		return nil, fmt.Errorf("%w: %s: the name does not end in .csv, .csv.gz, .csv.zip or .parquet", ErrUnsupportedFormat, path)
	}
	d := &Delivery{
		Report: filepath.Base(path), Format: format, Compression: compression, Ready: true,
		Files: []DataFile{{Key: path, Size: info.Size()}},
	}
	return newReader(ctx, d, readOptions(optFns), fsStoreOf(func(key string) (fs.File, error) { return os.Open(key) }))
}

func readOptions(optFns []func(*ReadOptions)) ReadOptions {
	var o ReadOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return o
}

const defaultMemoryBudget = 32 << 20

func newReader(ctx context.Context, d *Delivery, o ReadOptions, st fileStore) (*Reader, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil delivery", curerr.ErrMalformed)
	}
	if !d.Ready && !o.AllowUpdating {
		return nil, fmt.Errorf("curreader: %s %s is still being updated by AWS (status UPDATING); set ReadOptions.AllowUpdating to read it anyway: %w", d.Report, d.Period, ErrNotReady)
	}
	switch d.Format {
	case FormatCSV:
		switch d.Compression {
		case CompressionGzip, CompressionZip, CompressionNone, "":
		default:
			return nil, fmt.Errorf("%w: %s %s is CSV compressed with %q", ErrUnsupportedFormat, d.Report, d.Period, d.Compression)
		}
	case FormatParquet:
	default:
		return nil, fmt.Errorf("%w: %s %s is %q", ErrUnsupportedFormat, d.Report, d.Period, d.Format)
	}
	if o.Concurrency < 0 || o.MemoryBudget < 0 || o.ProgressEvery < 0 {
		return nil, errors.New("curreader: ReadOptions.Concurrency, MemoryBudget and ProgressEvery must not be negative")
	}
	if o.Concurrency == 0 {
		o.Concurrency = min(runtime.GOMAXPROCS(0), 8)
	}
	if o.MemoryBudget == 0 {
		o.MemoryBudget = defaultMemoryBudget
	}
	if o.ProgressEvery == 0 {
		o.ProgressEvery = 1 << 16
	}
	cols := newColumnChecker(d)
	pending, err := cols.checkAll(o.Columns)
	if err != nil {
		return nil, err
	}
	r := &Reader{d: d, st: st, opts: o, proj: newProjection(o.Columns), total: d.TotalSize(), cols: cols, pendingCols: pending}
	r.ctx, r.cancel = context.WithCancel(ctx)
	if c := min(o.Concurrency, len(d.Files)); c > 1 {
		r.ra = startReadAhead(r, c)
	}
	return r, nil
}

// openFile opens one data file for reading rows.
func (r *Reader) openFile(ctx context.Context, f DataFile) (fileRows, error) {
	if ctx.Err() != nil {
		return nil, &FileError{File: f.Key, Err: context.Cause(ctx)}
	}
	st := r.st
	open, at := st.open, st.at
	st.open = func(ctx context.Context, f DataFile) (io.ReadCloser, error) {
		rc, err := open(ctx, f)
		if err != nil {
			return nil, err
		}
		return &countReader{rc, &r.bytes}, nil
	}
	st.at = func(ctx context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error) {
		ra, n, c, err := at(ctx, f)
		if err != nil {
			return nil, 0, nil, err
		}
		return countReaderAt{ra, &r.bytes}, n, c, nil
	}
	var fr fileRows
	var err error
	if r.d.Format == FormatParquet {
		fr, err = openParquet(ctx, st, f, r.proj, r.opts)
	} else {
		fr, err = openCSV(ctx, st, r.d.Compression, f, r.proj, r.opts)
	}
	if err != nil {
		return nil, err
	}
	// The first header speaks for a delivery whose manifest lists no
	// columns: the projection's names it decides are checked now.
	h := fr.meta()
	h.cols = r.cols
	r.cols.sawHeader(h)
	for _, name := range r.pendingCols {
		if err, _ := r.cols.check(name); err != nil {
			fr.close()
			return nil, err
		}
	}
	return fr, nil
}

type countReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type countReaderAt struct {
	io.ReaderAt
	n *atomic.Int64
}

func (c countReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.ReaderAt.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// Next advances to the next row. It returns false at the end of the last
// file or on an error; Err tells which.
func (r *Reader) Next() bool {
	if r.done {
		return false
	}
	if r.ra != nil {
		return r.nextAhead()
	}
	for {
		if r.cur == nil {
			if r.next >= len(r.d.Files) {
				r.finish(r.stopped())
				return false
			}
			fr, err := r.openFile(r.ctx, r.d.Files[r.next])
			if err != nil {
				r.finish(err)
				return false
			}
			r.next++
			r.cur, r.meta = fr, fr.meta()
			continue
		}
		err := r.cur.next()
		if err == io.EOF {
			r.cur.close()
			r.cur = nil
			r.fileDone()
			continue
		}
		if err != nil {
			r.finish(err)
			return false
		}
		if r.rows%4096 == 4095 {
			// A local file never looks at ctx: do it here.
			if err := r.stopped(); err != nil {
				r.finish(err)
				return false
			}
		}
		r.row = Row{m: r.meta, src: r.cur}
		r.counted()
		return true
	}
}

// stopped returns the error of a read whose context ended, nil otherwise:
// rows may be left, so that is never a clean end.
func (r *Reader) stopped() error {
	if r.ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("curreader: reading stopped: %w", context.Cause(r.ctx))
}

func (r *Reader) counted() {
	r.rows++
	if r.opts.Progress != nil && r.rows-r.lastProg >= int64(r.opts.ProgressEvery) {
		r.progress(false)
	}
}

func (r *Reader) fileDone() {
	r.filesDone++
	if r.opts.Progress != nil {
		r.progress(false)
	}
}

func (r *Reader) progress(done bool) {
	r.lastProg = r.rows
	r.opts.Progress(Progress{
		Files: len(r.d.Files), FilesDone: r.filesDone,
		Bytes: r.bytes.Load(), TotalBytes: r.total,
		Rows: r.rows, Done: done,
	})
}

func (r *Reader) finish(err error) {
	if r.done {
		return
	}
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		if cerr := r.ctx.Err(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	r.err = err
	r.release()
	if r.opts.Progress != nil {
		r.progress(true)
	}
}

func (r *Reader) release() {
	r.done = true
	if r.cur != nil {
		r.cur.close()
		r.cur = nil
	}
	if r.ra != nil {
		r.ra.stop()
	}
	r.cancel()
}

// Row returns the current row. It is valid until the next call to Next;
// Row.Clone keeps it longer.
func (r *Reader) Row() Row { return r.row }

// Err returns the error that stopped Next, or nil at a clean end.
func (r *Reader) Err() error { return r.err }

// Close stops reading and releases the open files and read-ahead
// goroutines. It is idempotent.
func (r *Reader) Close() error {
	if !r.done {
		r.release()
		if r.opts.Progress != nil {
			r.progress(true) // closing early is an end too
		}
	}
	return nil
}

// Delivery returns the delivery being read.
func (r *Reader) Delivery() *Delivery { return r.d }

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

// Header describes the columns of one data file as its rows show them
// (after ReadOptions.Columns), in file order. Every row of a file shares one
// *Header, and each file brings its own (AWS adds and drops columns from
// month to month, and files of one delivery may differ), so a caller that
// reads columns by position resolves their positions once per Header:
//
//	var h *curreader.Header
//	var cost int
//	for row, err := range rd.Rows() {
//		…
//		if row.Header() != h {
//			h = row.Header()
//			cost = h.Index("lineItem/UnblendedCost") // -1 when this file lacks it
//		}
//		if cost >= 0 {
//			v, ok, err := row.DecimalAt(cost)
//			…
//		}
//	}
//
// A Header is immutable and safe for concurrent use.
type Header struct {
	key   string
	index *colname.Index // the visible (projected) columns
	src   []int          // visible column i is field src[i] of the file
	cols  *columnChecker // the reader's: tells an absent column from a typo
}

// Len returns the number of columns.
func (h *Header) Len() int {
	if h == nil {
		return 0
	}
	return h.index.Len()
}

// Name returns column i's name as the file writes it
// ("lineItem/UnblendedCost" in a legacy CSV, "line_item_unblended_cost" in
// CUR 2.0 or legacy Parquet).
func (h *Header) Name(i int) string { return h.index.Header(i) }

// Canonical returns column i's canonical name, the one both naming schemes
// meet on ("line_item_unblended_cost").
func (h *Header) Canonical(i int) string { return h.index.CanonicalAt(i) }

// Index returns the position of the column named col in either naming
// scheme, or -1 when the file has no such column. When several columns share
// a canonical name (tag keys that differ only in case), it returns the first
// and Row.Get merges them; a name spelt exactly as one of them in the file
// selects that one. Columns CUR 2.0 keeps inside map columns
// (product/ProductName) have no position of their own: use Row.Get.
func (h *Header) Index(col string) int {
	if h == nil {
		return -1
	}
	if idx := h.index.Lookup(col); len(idx) > 0 {
		return idx[0]
	}
	return -1
}

// fileRows reads the rows of one data file.
type fileRows interface {
	meta() *Header
	// next reads the next row: io.EOF at the clean end, otherwise a
	// *ParseError or *FileError.
	next() error
	// field returns field i of the file's row (not of the projection).
	field(i int) []byte
	line() int
	close()
}

// projection is the set of canonical names a caller asked for.
type projection struct {
	names map[string]bool
	tags  bool
}

func newProjection(cols []string) *projection {
	if len(cols) == 0 {
		return nil
	}
	p := &projection{names: map[string]bool{}}
	for _, c := range cols {
		cn := colname.Canonical(c)
		p.names[cn] = true
		if cn == colname.MapResourceTags || cn == colname.MapTags {
			p.tags = true
		}
		// A key inside a CUR 2.0 map column brings the map (and the newer
		// tags map, which holds tags and cost categories too).
		if m, _, ok := colname.SplitMap(cn); ok {
			p.names[m] = true
			p.names[colname.MapTags] = true
		}
	}
	if p.tags {
		p.names[colname.MapResourceTags] = true
		p.names[colname.MapTags] = true
	}
	return p
}

// keep reports whether a column (by canonical name) is visible.
func (p *projection) keep(canonical string) bool {
	if p == nil || p.names[canonical] {
		return true
	}
	return p.tags && strings.HasPrefix(canonical, colname.MapResourceTags+"_")
}

// newMeta projects a file's header.
func newMeta(key string, header []string, p *projection) *Header {
	m := &Header{key: key}
	if p == nil {
		m.index = colname.NewIndex(header)
		m.src = make([]int, len(header))
		for i := range m.src {
			m.src[i] = i
		}
		return m
	}
	var vis []string
	for i, h := range header {
		if p.keep(colname.Canonical(h)) {
			vis = append(vis, h)
			m.src = append(m.src, i)
		}
	}
	m.index = colname.NewIndex(vis)
	return m
}

// Open returns a Reader over a delivery this Resolver resolved: from S3
// through the Resolver's client and options, or from the local copy of
// NewFS. ctx governs every read.
func (r *Resolver) Open(ctx context.Context, d *Delivery, optFns ...func(*ReadOptions)) (*Reader, error) {
	if d == nil {
		return nil, awserr.New("curreader: open: nil delivery", curerr.ErrMalformed)
	}
	if b := r.st.bucketName(); b != "" && d.Bucket != "" && d.Bucket != b {
		return nil, fmt.Errorf("curreader: open %s %s: the delivery is in bucket %q, the resolver reads %q: %w", d.Report, d.Period, d.Bucket, b, curerr.ErrMalformed)
	}
	return newReader(ctx, d, readOptions(optFns), r.st.files())
}
