package curreader

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// readAhead reads up to c files of a delivery in parallel, each on its own
// goroutine, into batches of rows that the caller's goroutine takes in
// manifest order (or as they come, when unordered). Memory is bounded: at
// most c files are in flight, each with at most k batches waiting.
type readAhead struct {
	r          *Reader
	ctx        context.Context
	cancel     context.CancelFunc
	c, k       int
	batchBytes int
	maxRows    int
	files      []*aheadFile
	started    int
	head       int       // ordered: the file being taken
	out        chan item // unordered: every worker's batches
	active     int       // unordered: files started and not finished
	free       chan *batch
	wg         sync.WaitGroup
	stopped    bool
}

type aheadFile struct {
	ch  chan *batch // ordered: this file's batches; closed at its end
	err error       // set before ch is closed
}

// item is a batch, a file's end or its error (unordered).
type item struct {
	b   *batch
	err error
	end bool
}

// maxAhead is the most batches one file may hold ahead of the reader.
const maxAhead = 1024

// maxBatchData bounds the row bytes one batch holds, so that its uint32
// offsets cannot wrap (a variable so that a test can lower it).
var maxBatchData = math.MaxUint32 / 2

func startReadAhead(r *Reader, c int) *readAhead {
	ra := &readAhead{r: r, c: c, files: make([]*aheadFile, len(r.d.Files)), maxRows: 8192}
	ra.ctx, ra.cancel = context.WithCancel(r.ctx)
	budget := r.opts.MemoryBudget
	ra.batchBytes = int(max(64<<10, min(1<<20, budget/int64(2*c))))
	// In manifest order, a file runs ahead of the one being taken by as
	// many batches as its share of the budget holds. Unordered, a few
	// batches of slack keep every goroutine busy; more only costs memory.
	// Channels are allocated whole when made, so k is capped: a budget
	// meant as "no limit" (math.MaxInt64) must not ask for 2^43 slots, and
	// 1,024 batches (up to 1 GiB) ahead of the reader is already plenty.
	ra.k = int(max(1, min(maxAhead, budget/int64(c*ra.batchBytes)-1)))
	if r.opts.Unordered {
		ra.k = min(ra.k, 8)
	}
	ra.free = make(chan *batch, c*(ra.k+2))
	if r.opts.Unordered {
		ra.out = make(chan item, c*ra.k)
	}
	for range c {
		ra.startNext()
	}
	return ra
}

func (ra *readAhead) startNext() {
	if ra.started >= len(ra.files) || ra.ctx.Err() != nil {
		return
	}
	i := ra.started
	ra.started++
	f := &aheadFile{}
	if ra.out == nil {
		f.ch = make(chan *batch, ra.k)
	}
	ra.files[i] = f
	ra.active++
	ra.wg.Add(1)
	go ra.work(i, f)
}

// rawRows is a file whose rows can be copied whole (CSV).
type rawRows interface {
	raw() (rec []byte, bounds []uint64)
	numFields() int
}

// batchPool keeps batches across Readers, so that opening many
// deliveries does not grow new ones each time.
var batchPool sync.Pool

func (ra *readAhead) getBatch(m *Header, raw bool, nf int) *batch {
	var b *batch
	select {
	case b = <-ra.free:
	default:
		if v, ok := batchPool.Get().(*batch); ok {
			b = v
		} else {
			b = &batch{}
		}
	}
	b.reset(m, raw, nf)
	if cap(b.data) < ra.batchBytes {
		// Sized up front: growing by appends costs more than the copy.
		b.data = make([]byte, 0, ra.batchBytes+ra.batchBytes/4)
	}
	return b
}

func (ra *readAhead) recycle(b *batch) {
	if b.size() > 4*ra.batchBytes+(64<<10) {
		return // grown by a huge row: let it go
	}
	select {
	case ra.free <- b:
	default:
		batchPool.Put(b)
	}
}

// send hands a batch (or the end, or an error) to the caller; false when
// reading was stopped.
func (ra *readAhead) send(f *aheadFile, it item) bool {
	if ra.out != nil {
		select {
		case ra.out <- it:
			return true
		case <-ra.ctx.Done():
			return false
		}
	}
	if it.b == nil {
		f.err = it.err
		return true
	}
	select {
	case f.ch <- it.b:
		return true
	case <-ra.ctx.Done():
		return false
	}
}

// work reads file i to its end.
func (ra *readAhead) work(i int, f *aheadFile) {
	defer ra.wg.Done()
	if f.ch != nil {
		defer close(f.ch)
	}
	stopped := func() {
		// Never let a stop look like the end of the file.
		err := &FileError{File: ra.r.d.Files[i].Key, Err: context.Cause(ra.ctx)}
		if f.ch != nil {
			f.err = err
		}
	}
	fr, err := ra.r.openFile(ra.ctx, ra.r.d.Files[i], false)
	if err != nil {
		if !ra.send(f, item{err: err}) {
			stopped()
		}
		return
	}
	defer fr.close()
	m := fr.meta()
	// Rows that keep most of their fields are copied whole (raw mode).
	rr, raw := fr.(rawRows)
	nf := m.index.Len()
	if raw {
		if nfs := rr.numFields(); len(m.src) > 8 && 2*len(m.src) >= nfs {
			nf = nfs
		} else {
			raw = false
		}
	}
	// fail hands over the rows of b, then the error (b is passed, since
	// the loop below replaces it after every full batch).
	fail := func(b *batch, err error) {
		if b.n > 0 && !ra.send(f, item{b: b}) {
			stopped()
			return
		}
		if !ra.send(f, item{err: err}) {
			stopped()
		}
	}
	tooLarge := func(b *batch) {
		fail(b, &FileError{File: m.key, Line: fr.line(), Err: fmt.Errorf("%w: a row is larger than %d MiB", curerr.ErrMalformed, maxBatchData>>20)})
	}
	b := ra.getBatch(m, raw, nf)
	perBatch := 0 // rows in the last full batch, to size the next
	for {
		err := fr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(b, err)
			return
		}
		if raw {
			rec, bounds := rr.raw()
			if len(bounds) != nf {
				fail(b, &FileError{File: m.key, Line: fr.line(), Err: fmt.Errorf("%d fields, the header has %d", len(bounds), nf)})
				return
			}
			if len(b.data)+len(rec) > maxBatchData {
				tooLarge(b)
				return
			}
			b.addRaw(fr.line(), rec, bounds)
		} else {
			data, ends := len(b.data), len(b.ends)
			for j := 0; j < b.nf; j++ {
				b.data = append(b.data, fr.field(m.src[j])...)
				b.ends = append(b.ends, uint32(len(b.data)))
			}
			if len(b.data) > maxBatchData {
				// The row's offsets may have wrapped: drop it, keep the
				// rows before it.
				b.data, b.ends = b.data[:data], b.ends[:ends]
				tooLarge(b)
				return
			}
			b.lines = append(b.lines, fr.line())
			b.n++
		}
		if b.used() >= ra.batchBytes || b.n >= ra.maxRows {
			perBatch = b.n
			if !ra.send(f, item{b: b}) {
				stopped()
				return
			}
			b = ra.getBatch(m, raw, nf)
			b.grow(perBatch + perBatch/8 + 1)
		}
	}
	if b.n > 0 {
		if !ra.send(f, item{b: b}) {
			stopped()
			return
		}
	} else {
		ra.recycle(b)
	}
	if ra.out != nil && !ra.send(f, item{end: true}) {
		stopped()
	}
}

// receive returns the next batch, nil at the end of the delivery, or the
// error that stopped a file.
func (ra *readAhead) receive() (*batch, error) {
	r := ra.r
	if ra.out != nil {
		for ra.active > 0 {
			var it item
			select {
			case it = <-ra.out:
			case <-ra.ctx.Done():
				return nil, fmt.Errorf("curreader: reading stopped: %w", context.Cause(ra.ctx))
			}
			switch {
			case it.err != nil:
				return nil, it.err
			case it.end:
				ra.active--
				r.fileDone()
				ra.startNext()
			default:
				return it.b, nil
			}
		}
		if err := ra.ctx.Err(); err != nil {
			return nil, fmt.Errorf("curreader: reading stopped: %w", context.Cause(ra.ctx))
		}
		return nil, nil
	}
	for ra.head < len(ra.files) {
		f := ra.files[ra.head]
		if f == nil {
			// Not started: only after a stop.
			return nil, fmt.Errorf("curreader: reading stopped: %w", context.Cause(ra.ctx))
		}
		if b, ok := <-f.ch; ok {
			return b, nil
		}
		if f.err != nil {
			return nil, f.err
		}
		ra.head++
		r.fileDone()
		ra.startNext()
	}
	return nil, nil
}

// stop cancels the workers and waits for them.
func (ra *readAhead) stop() {
	if ra.stopped {
		return
	}
	ra.stopped = true
	ra.cancel() // workers blocked on a send select on ctx.Done
	ra.wg.Wait()
	for {
		select {
		case b := <-ra.free:
			batchPool.Put(b)
		default:
			return
		}
	}
}

func (r *Reader) nextAhead() bool {
	for {
		if r.b != nil {
			if r.bi+1 < r.b.n {
				r.bi++
				r.row = Row{m: r.b.m, b: r.b, i: r.bi}
				r.counted()
				return true
			}
			r.ra.recycle(r.b)
			r.b = nil
		}
		b, err := r.ra.receive()
		if err != nil {
			r.finish(err)
			return false
		}
		if b == nil {
			r.finish(r.stopped())
			return false
		}
		r.b, r.bi = b, -1
	}
}
