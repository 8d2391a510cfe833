package csvsplit

import (
	"compress/gzip"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileSource streams head, then n bytes of fill (n < 0: forever), then
// tail, without ever holding more than one small buffer. It counts what
// the reader pulled, to show the reader stopped early.
type hostileSource struct {
	head, tail []byte
	fill       byte
	n          int64 // fill bytes left; negative is endless
	pulled     int64
}

func (s *hostileSource) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var k int
	switch {
	case len(s.head) > 0:
		k = copy(p, s.head)
		s.head = s.head[k:]
	case s.n != 0:
		k = len(p)
		if s.n > 0 && int64(k) > s.n {
			k = int(s.n)
		}
		for i := range p[:k] {
			p[i] = s.fill
		}
		if s.n > 0 {
			s.n -= int64(k)
		}
	case len(s.tail) > 0:
		k = copy(p, s.tail)
		s.tail = s.tail[k:]
	default:
		return 0, io.EOF
	}
	s.pulled += int64(k)
	return k, nil
}

const hundredMB = 100 << 20

// TestHostileInputsBounded feeds a single 100 MB field (quoted and not)
// and a line that never ends into a Reader with a configurable limit,
// and checks each is refused with a typed *ParseError after reading
// little more than the limit, allocating little more than the limit.
//
// A field is measured when its record is complete, so a field larger than
// MaxRecordSize is refused by the record limit (ErrRecordTooLarge) — the
// one that bounds memory — and MaxFieldSize applies to fields of records
// that fit.
func TestHostileInputsBounded(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		name string
		src  func() *hostileSource
		opts Options
		want error
	}{
		{"100 MB unquoted field", func() *hostileSource {
			return &hostileSource{head: []byte("a,b\nx,"), fill: 'y', n: hundredMB, tail: []byte("\n")}
		}, Options{MaxRecordSize: limit}, ErrRecordTooLarge},
		{"100 MB unquoted field, default limits", func() *hostileSource {
			return &hostileSource{head: []byte("a,b\nx,"), fill: 'y', n: hundredMB, tail: []byte("\n")}
		}, Options{}, ErrRecordTooLarge},
		{"100 MB quoted field with newlines", func() *hostileSource {
			return &hostileSource{head: []byte("a,b\nx,\""), fill: '\n', n: hundredMB, tail: []byte("\"\n")}
		}, Options{MaxRecordSize: limit}, ErrRecordTooLarge},
		{"2 MB field within the record limit", func() *hostileSource {
			return &hostileSource{head: []byte("a,b\nx,"), fill: 'y', n: 2 * limit, tail: []byte("\n")}
		}, Options{MaxFieldSize: limit, MaxRecordSize: 4 * limit}, ErrFieldTooLarge},
		{"100 MB record of small fields", func() *hostileSource {
			return &hostileSource{head: []byte("a,b\nx"), fill: ',', n: hundredMB, tail: []byte("\n")}
		}, Options{MaxRecordSize: limit, FieldsPerRecord: -1}, ErrRecordTooLarge},
		{"a line with no end", func() *hostileSource {
			return &hostileSource{head: []byte("a,b\n"), fill: 'z', n: -1}
		}, Options{MaxRecordSize: limit}, ErrRecordTooLarge},
		{"an unterminated quote with no end", func() *hostileSource {
			return &hostileSource{head: []byte("a,b\n\""), fill: 'q', n: -1}
		}, Options{MaxRecordSize: limit, MaxFieldSize: 4 * limit}, ErrRecordTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := NewReader(src, &tc.opts)
			_, err := r.Read()
			require.NoError(t, err)
			_, err = r.Read()
			runtime.ReadMemStats(&after)

			require.ErrorIs(t, err, tc.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, 2, pe.StartLine, "the error names the record's line")
			assert.Contains(t, err.Error(), "too large")

			// Read no more than the limit plus one buffer of look-ahead.
			maxRec := tc.opts.MaxRecordSize
			if maxRec == 0 {
				maxRec = DefaultMaxRecordSize
			}
			bound := int64(maxRec) + 2*DefaultBufferSize
			assert.LessOrEqual(t, src.pulled, bound, "read %d bytes of a 100 MB (or endless) input", src.pulled)
			// Allocate no more than a small multiple of the limit (the
			// buffer doubles on its way up).
			alloc := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, alloc, uint64(4*bound), "allocated %d bytes", alloc)
			t.Logf("refused after reading %d bytes, allocating %d bytes: %v", src.pulled, alloc, err)
		})
	}
}

// TestHostileGzipBounded streams a gzip member that expands to a single
// 100 MB field: the gzip Pipe and the Reader refuse it without
// decompressing the rest.
func TestHostileGzipBounded(t *testing.T) {
	src := &hostileSource{head: []byte("a,b\nx,"), fill: 'y', n: hundredMB, tail: []byte("\n")}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
		_, err := io.Copy(zw, src)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	p, err := NewGzip(pr, &PipeOptions{ChunkSize: 64 << 10, Chunks: 4})
	require.NoError(t, err)
	defer p.Close()
	r := NewReader(p, &Options{MaxRecordSize: 1 << 20})
	_, err = r.Read()
	require.NoError(t, err)
	_, err = r.Read()
	require.ErrorIs(t, err, ErrRecordTooLarge)
	require.NoError(t, p.Close())
	_ = pr.CloseWithError(io.ErrClosedPipe) // stop the writer
	<-done
	assert.Less(t, src.pulled, int64(8<<20), "decompressed %d of 100 MB", src.pulled)
}
