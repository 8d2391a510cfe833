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
	"slices"
	"sync/atomic"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/decimal"
)

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
	// check, when set, checks each row before Next hands it over (the
	// billing period and line items of historical files).
	check func(Row) error
	bytes atomic.Int64
	total int64

	// one file at a time
	next int
	cur  fileRows
	meta *Header
	pq   *parquetRows // cur, when it is Parquet and Next may step within its segment

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
	proj := newProjection(o.Columns)
	var check func(Row) error
	if d.Kind == KindHistorical {
		// Every row's billing period, and line items repeated across
		// files, are checked: the columns that takes are read too.
		if proj != nil {
			proj = newProjection(append(slices.Clone(o.Columns), "bill/BillingPeriodStartDate", "identity/LineItemId", "identity/TimeInterval"))
		}
		check = newHistoricalCheck(d).check
	}
	r := &Reader{d: d, st: st, opts: o, proj: proj, total: d.TotalSize(), cols: cols, pendingCols: pending, check: check}
	r.ctx, r.cancel = context.WithCancel(ctx)
	if c := min(o.Concurrency, len(d.Files)); c > 1 {
		r.ra = startReadAhead(r, c)
	}
	return r, nil
}

// openFile opens one data file for reading rows. With ahead, the caller
// reads its rows directly and a file that can use a goroutine of its own
// to decode ahead of it (Parquet) does.
func (r *Reader) openFile(ctx context.Context, f DataFile, ahead bool) (fileRows, error) {
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
		fr, err = openParquet(ctx, st, f, r.proj, r.opts, ahead)
	} else {
		comp := r.d.Compression
		if comp == "" {
			// Files compressed in different ways (historical files placed
			// by hand): each file's own, from its name.
			_, comp, _ = formatOfName(f.Key)
		}
		fr, err = openCSV(ctx, st, comp, f, r.proj, r.opts)
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
		if _, err := r.cols.check(name); err != nil {
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
	// The common case of a Parquet file: the next row of the segment at
	// hand, when nothing is due (a look at ctx every 4,096 rows, progress)
	// and no row check is set.
	if p := r.pq; p != nil && p.r+1 < p.seg.n && r.rows&4095 != 4095 {
		p.r++
		p.row++
		r.rows++
		return true
	}
	if !r.nextRow() {
		return false
	}
	if r.check != nil {
		if err := r.check(r.row); err != nil {
			r.finish(err)
			return false
		}
	}
	return true
}

func (r *Reader) nextRow() bool {
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
			fr, err := r.openFile(r.ctx, r.d.Files[r.next], r.opts.Concurrency > 1)
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
			r.cur, r.pq = nil, nil
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
		p, _ := r.cur.(*parquetRows)
		r.row = Row{m: r.meta, src: r.cur, pq: p}
		r.counted()
		if r.check == nil && r.opts.Progress == nil {
			r.pq = p
		}
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
	r.pq = nil
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

// fileRows reads the rows of one data file.
type fileRows interface {
	meta() *Header
	// next reads the next row: io.EOF at the clean end, otherwise a
	// *ParseError or *FileError.
	next() error
	// field returns field i of the file's row (not of the projection).
	field(i int) []byte
	// decimalAt reads field i as Row.DecimalAt does, without its text
	// where the file's types allow; handled is false where they do not.
	decimalAt(i int) (d decimal.Decimal, ok, handled bool)
	line() int
	close()
}

// Open returns a Reader over a delivery this Resolver resolved: from S3
// through the Resolver's client and options, or from the local copy of
// NewFS. ctx governs every read.
func (r *Resolver) Open(ctx context.Context, d *Delivery, optFns ...func(*ReadOptions)) (*Reader, error) {
	if d == nil {
		return nil, curerr.New("curreader: open: nil delivery", curerr.ErrMalformed)
	}
	if b := r.st.bucketName(); b != "" && d.Bucket != "" && d.Bucket != b {
		return nil, fmt.Errorf("curreader: open %s %s: the delivery is in bucket %q, the resolver reads %q: %w", d.Report, d.Period, d.Bucket, b, curerr.ErrMalformed)
	}
	return newReader(ctx, d, readOptions(optFns), r.st.files())
}
