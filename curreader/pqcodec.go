package curreader

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// pageCodecs decompresses the pages of flat columns into a buffer of
// exactly the size a page's header states, which checkChunk has bounded by
// maxPageBytes: a block claiming more (a Snappy length, a gzip stream that
// does not end) is refused rather than followed. parquet-go's own codecs
// grow their output until the input ends (its LZ4 codec doubles its buffer
// on any error, without end), so they are not used here.
//
// The decoders are kept from page to page; a pageCodecs is used by one
// goroutine at a time.
type pageCodecs struct {
	gz   *gzip.Reader
	zstd *zstd.Decoder
	br   *brotli.Reader
	src  bytes.Reader
}

var errPageSize = errors.New("the page's data does not decompress to the size its header states")

// decompress returns src decompressed by codec: n bytes in dst (grown if
// needed), or src itself when it is not compressed.
func (pc *pageCodecs) decompress(dst []byte, codec format.CompressionCodec, src []byte, n int) ([]byte, error) {
	if codec == format.Uncompressed {
		if len(src) != n {
			return nil, errPageSize
		}
		return src, nil
	}
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	switch codec {
	case format.Snappy:
		if m, err := snappy.DecodedLen(src); err != nil {
			return nil, err
		} else if m != n {
			return nil, errPageSize
		}
		out, err := snappy.Decode(dst, src)
		if err != nil {
			return nil, err
		}
		if len(out) != n || (n > 0 && &out[0] != &dst[0]) {
			return nil, errPageSize
		}
		return dst, nil
	case format.Lz4Raw:
		m, err := lz4.UncompressBlock(src, dst)
		if err != nil {
			return nil, err
		}
		if m != n {
			return nil, errPageSize
		}
		return dst, nil
	case format.Zstd:
		if pc.zstd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxMemory(maxPageBytes), zstd.WithDecoderMaxWindow(maxPageBytes))
			if err != nil {
				return nil, err
			}
			pc.zstd = d
		}
		out, err := pc.zstd.DecodeAll(src, dst[:0])
		if err != nil {
			return nil, err
		}
		if len(out) != n {
			return nil, errPageSize
		}
		return out, nil
	case format.Gzip, format.Brotli:
		pc.src.Reset(src)
		var r io.Reader
		if codec == format.Gzip {
			if pc.gz == nil {
				pc.gz = new(gzip.Reader)
			}
			if err := pc.gz.Reset(&pc.src); err != nil {
				return nil, err
			}
			r = pc.gz
		} else {
			if pc.br == nil {
				pc.br = brotli.NewReader(&pc.src)
			} else if err := pc.br.Reset(&pc.src); err != nil {
				return nil, err
			}
			r = pc.br
		}
		if _, err := io.ReadFull(r, dst); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = errPageSize
			}
			return nil, err
		}
		var one [1]byte
		if m, err := r.Read(one[:]); m != 0 || (err != nil && err != io.EOF) {
			if err == nil {
				err = errPageSize
			}
			return nil, err
		}
		return dst, nil
	}
	return nil, fmt.Errorf("%w: pages compressed with %s", ErrUnsupportedFormat, codec)
}

// close releases the decoders' resources (zstd keeps goroutines).
func (pc *pageCodecs) close() {
	if pc.zstd != nil {
		pc.zstd.Close()
		pc.zstd = nil
	}
}
