package csvsplit

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zip"
)

// Defaults for [PipeOptions].
const (
	DefaultChunkSize = 512 << 10
	DefaultChunks    = 4
)

// ErrClosed is returned by reads from a closed [Pipe].
var ErrClosed = errors.New("csvsplit: read from closed pipe")

// PipeOptions size the buffers of a [Pipe]. Memory use is ChunkSize ×
// Chunks. The zero value selects the defaults.
type PipeOptions struct {
	// ChunkSize is the size of one buffer. If zero or negative, DefaultChunkSize.
	ChunkSize int
	// Chunks is the number of buffers (at least 2). If zero or negative, DefaultChunks.
	Chunks int
}

type chunk struct {
	b       []byte     // headroom, then the data
	err     error      // error of the source after the data
	trailer *gzTrailer // the data ends a gzip member with this trailer
}

// Pipe reads a source on its own goroutine into a fixed set of buffers and
// serves the bytes through Read, so that producing the bytes (decompressing,
// receiving) overlaps with consuming them. Errors of the source, including
// io.ErrUnexpectedEOF, reach the reader after all bytes read before them.
// A Pipe is an io.ReadCloser for one consumer goroutine.
type Pipe struct {
	full   chan chunk
	free   chan []byte
	done   chan struct{}
	exited chan struct{}
	once   sync.Once
	head   int          // headroom before the data of each chunk
	onExit func() error // run by Close after the goroutine has exited

	// gzip integrity check, done by the consumer: decompression is the
	// bottleneck of the pipeline, so the CRC-32 is computed on the other
	// side, which has time to spare.
	verify bool
	crc    uint32 // CRC-32 of the current member so far
	isize  uint32 // its length mod 2^32

	cur, held []byte
	err       error

	producerWait time.Duration // written by the producer only
	consumerWait time.Duration // written by the consumer only
}

// NewPipe starts reading src on a new goroutine. A nil opts selects the
// defaults. Close stops the goroutine after its current read of src returns;
// to interrupt a read blocked on the network, close the source first.
func NewPipe(src io.Reader, opts *PipeOptions) *Pipe {
	p := newPipe(opts)
	go p.run(func(b []byte) (int, *gzTrailer, error) {
		n, err := fill(src, b)
		return n, nil, err
	})
	return p
}

func newPipe(opts *PipeOptions) *Pipe {
	var o PipeOptions
	if opts != nil {
		o = *opts
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.Chunks <= 0 {
		o.Chunks = DefaultChunks
	}
	if o.Chunks < 2 {
		o.Chunks = 2
	}
	p := &Pipe{
		full:   make(chan chunk, o.Chunks),
		free:   make(chan []byte, o.Chunks),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
		head:   min(maxHeadroom, o.ChunkSize),
	}
	for range o.Chunks {
		p.free <- make([]byte, p.head+o.ChunkSize)
	}
	return p
}

// run fills chunks with produce until it fails or the Pipe is closed.
func (p *Pipe) run(produce func([]byte) (int, *gzTrailer, error)) {
	defer close(p.exited)
	for {
		var b []byte
		select {
		case b = <-p.free:
		default:
			t := time.Now()
			select {
			case b = <-p.free:
			case <-p.done:
				return
			}
			p.producerWait += time.Since(t)
		}
		n, tr, err := produce(b[p.head:])
		c := chunk{b: b[:p.head+n], err: err, trailer: tr}
		select {
		case p.full <- c:
		case <-p.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// fill reads until b is full or src fails; io.EOF is returned as is.
func fill(src io.Reader, b []byte) (int, error) {
	n, empty := 0, 0
	for n < len(b) {
		m, err := src.Read(b[n:])
		if m < 0 || m > len(b)-n {
			return n, errors.New("csvsplit: source returned an invalid count")
		}
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			if empty++; empty >= 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// maxHeadroom bounds the room reserved before the data of each chunk, so
// that a [Reader] consuming chunks directly can put the unfinished record of
// the previous chunk in front of the next one instead of copying every
// byte. The headroom of a Pipe is min(maxHeadroom, ChunkSize), so the bytes
// moved per chunk never exceed the chunk's own.
const maxHeadroom = 64 << 10

// nextChunk hands the next chunk to a Reader (data at c[p.head:]); the
// Reader gives it back with releaseChunk. It must not be mixed with Read.
func (p *Pipe) nextChunk() (c []byte, err error) {
	ch, ok := p.receive()
	if !ok {
		return nil, ErrClosed
	}
	return ch.b, p.account(ch.b[p.head:], &ch)
}

// receive takes the next chunk, timing the wait when there is one.
func (p *Pipe) receive() (chunk, bool) {
	select {
	case ch := <-p.full:
		return ch, true
	default:
	}
	t := time.Now()
	defer func() { p.consumerWait += time.Since(t) }()
	select {
	case <-p.done:
		return chunk{}, false
	case ch := <-p.full:
		return ch, true
	}
}

// PipeStats tell which side of a Pipe waited for the other.
type PipeStats struct {
	// ProducerWait is the time the producing goroutine waited for a free
	// buffer: the consumer was the bottleneck.
	ProducerWait time.Duration
	// ConsumerWait is the time the consumer waited for data: the
	// producer (decompression, the network) was the bottleneck.
	ConsumerWait time.Duration
}

// Stats returns the waits so far. Call it from the consuming goroutine; the
// producer's figure is exact once the source is exhausted or after Close.
func (p *Pipe) Stats() PipeStats {
	select {
	case <-p.exited:
		return PipeStats{ProducerWait: p.producerWait, ConsumerWait: p.consumerWait}
	default:
		return PipeStats{ConsumerWait: p.consumerWait}
	}
}

// releaseChunk returns a chunk obtained from nextChunk.
func (p *Pipe) releaseChunk(c []byte) {
	p.free <- c[:cap(c)] // never blocks: free has room for every buffer
}

// account runs the consumer-side checks on a chunk's data and returns the
// error to report after it.
func (p *Pipe) account(data []byte, c *chunk) error {
	if !p.verify {
		return c.err
	}
	p.crc = crc32.Update(p.crc, crc32.IEEETable, data)
	p.isize += uint32(len(data))
	if c.trailer != nil {
		if c.trailer.crc != p.crc || c.trailer.isize != p.isize {
			return fmt.Errorf("csvsplit: %w (the data does not match the gzip trailer)", gzip.ErrChecksum)
		}
		p.crc, p.isize = 0, 0
	}
	return c.err
}

// Read implements io.Reader.
func (p *Pipe) Read(b []byte) (int, error) {
	select {
	case <-p.done:
		return 0, ErrClosed
	default:
	}
	for len(p.cur) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.held != nil {
			p.free <- p.held[:cap(p.held)] // never blocks: free has room for every buffer
			p.held = nil
		}
		if c, ok := p.receive(); ok {
			p.cur, p.held, p.err = c.b[p.head:], c.b, p.account(c.b[p.head:], &c)
		} else {
			p.err = ErrClosed
		}
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// Close stops the goroutine, waits for it, and then runs the cleanup of the
// constructor that made the Pipe (for [NewGzip], closing the decompressor).
// It is idempotent; later Reads return ErrClosed.
func (p *Pipe) Close() error {
	var err error
	p.once.Do(func() {
		close(p.done)
		<-p.exited
		if p.onExit != nil {
			err = p.onExit()
		}
	})
	return err
}

// NewGzip reads the gzip header of src (returning gzip.ErrHeader and the
// like at once), then decompresses every member of the stream (multistream,
// as concatenated gzip files are valid) on a Pipe's goroutine. A stream cut
// short yields io.ErrUnexpectedEOF after the bytes before the cut; a
// corrupt one yields the decompressor's error (flate.CorruptInputError) or
// gzip.ErrChecksum when a member's CRC-32 or length does not match its
// trailer. Close does not close src.
//
// The CRC-32 of each member is computed by the Pipe's reader, not by the
// decompressing goroutine, which is the bottleneck of the pipeline.
func NewGzip(src io.Reader, opts *PipeOptions) (*Pipe, error) {
	br, ok := src.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(src, 64<<10)
	}
	if err := readGzipHeader(br); err != nil {
		return nil, fmt.Errorf("csvsplit: reading the gzip header: %w", err)
	}
	g := &gzipStream{br: br, fr: flate.NewReader(br)}
	p := newPipe(opts)
	p.verify = true
	p.onExit = func() error {
		_ = g.fr.Close() // repeats the decompression error Read already returned
		return nil
	}
	go p.run(g.fill)
	return p, nil
}

// gzTrailer is the end of a gzip member: CRC-32 and length mod 2^32 of
// the member's data.
type gzTrailer struct {
	crc, isize uint32
}

// gzipStream decompresses a multistream gzip file member by member.
type gzipStream struct {
	br *bufio.Reader
	fr io.ReadCloser // klauspost flate reader, also a flate.Resetter
}

// fill decompresses into b, stopping early at the end of a member.
func (g *gzipStream) fill(b []byte) (int, *gzTrailer, error) {
	n, empty := 0, 0
	for n < len(b) {
		m, err := g.fr.Read(b[n:])
		n += m
		if err == io.EOF {
			tr, err := g.endMember()
			return n, tr, err
		}
		if err != nil {
			return n, nil, err
		}
		if m == 0 {
			if empty++; empty >= 100 {
				return n, nil, io.ErrNoProgress
			}
		}
	}
	return n, nil, nil
}

// endMember reads a member's trailer and the header of the next member,
// if any. It returns io.EOF at the clean end of the stream.
func (g *gzipStream) endMember() (*gzTrailer, error) {
	var t [8]byte
	if _, err := io.ReadFull(g.br, t[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	tr := &gzTrailer{crc: binary.LittleEndian.Uint32(t[:4]), isize: binary.LittleEndian.Uint32(t[4:])}
	if _, err := g.br.Peek(1); err != nil {
		return tr, err // io.EOF: the last member
	}
	if err := readGzipHeader(g.br); err != nil {
		return tr, err
	}
	if err := g.fr.(flate.Resetter).Reset(g.br, nil); err != nil {
		return tr, err
	}
	return tr, nil
}

// readGzipHeader reads and checks a gzip member header (RFC 1952),
// including its CRC-16 when the FHCRC flag asks for one (a mismatch is
// gzip.ErrHeader, as with compress/gzip). Names and comments of any length
// are accepted; compress/gzip refuses those longer than 511 bytes.
func readGzipHeader(br *bufio.Reader) error {
	var h [10]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // an empty object is not a gzip file
		}
		return err
	}
	if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 { // reserved flag bits are ignored, as by compress/gzip
		return gzip.ErrHeader
	}
	flg := h[3]
	digest := crc32.ChecksumIEEE(h[:])
	if flg&0x04 != 0 { // FEXTRA
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return unexpected(err)
		}
		digest = crc32.Update(digest, crc32.IEEETable, l[:])
		for n := int(binary.LittleEndian.Uint16(l[:])); n > 0; {
			b, err := br.Peek(min(n, br.Size()))
			if len(b) == 0 {
				return unexpected(err)
			}
			digest = crc32.Update(digest, crc32.IEEETable, b)
			n -= len(b)
			_, _ = br.Discard(len(b))
		}
	}
	for _, bit := range []byte{0x08, 0x10} { // FNAME, FCOMMENT: zero-terminated
		if flg&bit == 0 {
			continue
		}
		for {
			b, err := br.ReadSlice(0)
			digest = crc32.Update(digest, crc32.IEEETable, b)
			if err == nil {
				break
			}
			if err != bufio.ErrBufferFull {
				return unexpected(err)
			}
		}
	}
	if flg&0x02 != 0 { // FHCRC: the low 16 bits of the CRC-32 of the header so far
		var c [2]byte
		if _, err := io.ReadFull(br, c[:]); err != nil {
			return unexpected(err)
		}
		if binary.LittleEndian.Uint16(c[:]) != uint16(digest) {
			return gzip.ErrHeader
		}
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ZipMembers opens a zip archive and returns its data members in archive
// order: regular files other than macOS resource forks (`__MACOSX/`, `._*`).
// Members are read with (*zip.File).Open, which reports a checksum mismatch
// or a truncated member as an error at the end of the member.
func ZipMembers(ra io.ReaderAt, size int64) ([]*zip.File, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("csvsplit: zip: %w", err)
	}
	var out []*zip.File
	for _, f := range zr.File {
		name := f.Name
		if f.FileInfo().IsDir() || strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._") {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}
