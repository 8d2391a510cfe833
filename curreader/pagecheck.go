package curreader

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/klauspost/compress/snappy"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// maxPageValues bounds the values one Parquet page may claim. parquet-go
// sizes its buffers from a page header's value count before decoding, so a
// corrupt header claiming hundreds of millions of values costs seconds and
// hundreds of MB before the page fails. Writers keep pages far smaller
// (parquet-mr and Arrow: at most 20,000 rows per page by default).
const maxPageValues = 1 << 22

// Limits on what one page header may take: its encoded bytes, and what
// parquet-go would allocate to decode it (statistics included).
const (
	maxPageHeader     = 1 << 20
	maxPageHeaderCost = 4 << 20
)

// maxPageBytes bounds a page's uncompressed size. A page is decompressed
// into a buffer of the size its header claims, so a corrupt header of a
// few bytes claiming a gigabyte would cost a gigabyte (parquet-go
// allocates it before decompressing). Writers keep pages near 1 MiB
// (parquet-mr, Arrow and parquet-go alike).
const maxPageBytes = 64 << 20

// Limits on the footer: its encoded bytes, and what parquet-go would
// allocate to decode it. A CUR file of 20 row groups of 200 columns has a
// footer near 1 MiB that costs about 5 MiB decoded.
const (
	maxFooter     = 16 << 20
	maxFooterCost = 256 << 20
)

// chunkStart returns where a column chunk's first page header is, as
// parquet-go reads it: at the dictionary page offset whenever that is set,
// else at the data page offset. A dictionary page after the data pages, or
// a negative offset, is refused: checkChunk must vet the very bytes
// parquet-go decodes, and no writer puts the dictionary last.
func chunkStart(md *format.ColumnMetaData) (int64, error) {
	start := md.DataPageOffset
	if md.DictionaryPageOffset != 0 {
		if md.DictionaryPageOffset > md.DataPageOffset {
			return 0, fmt.Errorf("%w: column %v has its dictionary page at %d, after its data pages at %d", errBadPage, md.PathInSchema, md.DictionaryPageOffset, md.DataPageOffset)
		}
		start = md.DictionaryPageOffset
	}
	if start < 0 {
		return 0, fmt.Errorf("%w: column %v starts at offset %d", errBadPage, md.PathInSchema, start)
	}
	return start, nil
}

// errBadPage marks a page header refused before parquet-go decodes it.
var errBadPage = errors.New("corrupt page header")

// checkChunk walks the page headers of one column chunk, reading only the
// headers, and refuses what parquet-go would trust blindly: a page with a
// negative size or one past the chunk's end, an uncompressed size over
// maxPageBytes, more values than maxPageValues or than the chunk declares
// (a dictionary: more than maxPageValues), and, for a column with one value
// per row (flat), a chunk whose value count differs from the row group's
// rows. When locs is not nil, each page is appended to it, for a reader
// that decodes the pages itself (flat columns).
func checkChunk(ra io.ReaderAt, md *format.ColumnMetaData, rows int64, flat bool, locs *[]pageLoc) error {
	if md.NumValues < 0 || (flat && md.NumValues != rows) {
		return fmt.Errorf("%w: column %v holds %d values for %d rows", errBadPage, md.PathInSchema, md.NumValues, rows)
	}
	start, err := chunkStart(md)
	if err != nil {
		return err
	}
	end := start + md.TotalCompressedSize
	if md.TotalCompressedSize < 0 || end < start {
		return fmt.Errorf("%w: column %v spans [%d, %d)", errBadPage, md.PathInSchema, start, end)
	}
	var proto thrift.CompactProtocol
	var pc *pageCodecs // pages parquet-go decodes, in codecs other than Snappy
	buf := make([]byte, 4096)
	var values int64
	for pos := start; pos < end; {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if n == 0 && err != nil {
			return err
		}
		// Walk the header before parquet-go's decoder trusts the sizes
		// it declares (a binary of 2 GiB in 30 bytes).
		if _, werr := checkThrift(buf[:n], maxPageHeaderCost); werr != nil {
			if errors.Is(werr, errThriftShort) && n == len(buf) && len(buf) < maxPageHeader {
				buf = make([]byte, 2*len(buf)) // a header with large statistics
				continue
			}
			return fmt.Errorf("%w: column %v at offset %d: %v", errBadPage, md.PathInSchema, pos, werr)
		}
		br := bytes.NewReader(buf[:n])
		var h format.PageHeader
		if derr := thrift.NewDecoder(proto.NewReader(br)).Decode(&h); derr != nil {
			return fmt.Errorf("%w: column %v at offset %d: %v", errBadPage, md.PathInSchema, pos, derr)
		}
		hdr := int64(n - br.Len())
		if h.CompressedPageSize < 0 || h.UncompressedPageSize < 0 || pos+hdr+int64(h.CompressedPageSize) > end {
			return fmt.Errorf("%w: column %v at offset %d: page of %d bytes in a chunk ending at %d", errBadPage, md.PathInSchema, pos, h.CompressedPageSize, end)
		}
		if h.UncompressedPageSize > maxPageBytes {
			return fmt.Errorf("%w: column %v at offset %d: a page of %d bytes uncompressed, more than this reader's limit of %d MiB", errBadPage, md.PathInSchema, pos, h.UncompressedPageSize, maxPageBytes>>20)
		}
		loc := pageLoc{off: pos + hdr, size: h.CompressedPageSize, usize: h.UncompressedPageSize, typ: h.Type, crc: h.CRC}
		var nv int32
		if d, ok := h.DataPageHeader.Get(); ok {
			nv = d.NumValues
			loc.enc, loc.defEnc = d.Encoding, d.DefinitionLevelEncoding
		} else if d, ok := h.DataPageHeaderV2.Get(); ok {
			nv = d.NumValues
			loc.enc, loc.defLen, loc.repLen, loc.compressed = d.Encoding, d.DefinitionLevelsByteLength, d.RepetitionLevelsByteLength, !d.IsCompressed.Valid || d.IsCompressed.V
		} else if d, ok := h.DictionaryPageHeader.Get(); ok {
			if d.NumValues < 0 || d.NumValues > maxPageValues {
				return fmt.Errorf("%w: column %v at offset %d: a dictionary of %d values", errBadPage, md.PathInSchema, pos, d.NumValues)
			}
			loc.values, loc.enc = d.NumValues, d.Encoding
		}
		values += int64(nv)
		if nv < 0 || nv > maxPageValues || values > md.NumValues {
			return fmt.Errorf("%w: column %v at offset %d: a page of %d values (chunk: %d)", errBadPage, md.PathInSchema, pos, nv, md.NumValues)
		}
		if locs == nil && md.Codec != format.Uncompressed {
			// parquet-go decodes this page with its own codecs, which grow
			// their output as the data says, not as the header does (its
			// Snappy decoder allocates the length a block declares; its LZ4
			// decoder doubles its buffer on any error, without end). A
			// Snappy block's length is checked; a page in another codec is
			// decompressed once here, bounded by the header's size.
			var err error
			if md.Codec == format.Snappy {
				err = checkSnappyLen(ra, buf[:n], pos, hdr, &loc)
			} else {
				if pc == nil {
					pc = new(pageCodecs)
					defer pc.close()
				}
				err = checkDecompresses(ra, pc, md.Codec, pos, hdr, &loc)
			}
			if err != nil {
				return fmt.Errorf("%w: column %v at offset %d: %w", errBadPage, md.PathInSchema, pos, err)
			}
		}
		if locs != nil {
			if loc.typ != format.DictionaryPage {
				loc.values = nv
			}
			*locs = append(*locs, loc)
		}
		pos += hdr + int64(h.CompressedPageSize)
	}
	return nil
}

// compressedPart returns where a page's compressed bytes start (from pos,
// after its header of hdr bytes) and how many there are: a data page v2's
// levels are not compressed. size is 0 when nothing is.
func compressedPart(hdr int64, loc *pageLoc) (at, size int64) {
	at = hdr // data page v1 and dictionary page: the whole page
	if loc.typ == format.DataPageV2 {
		if !loc.compressed {
			return at, 0
		}
		at += int64(max(loc.repLen, 0)) + int64(max(loc.defLen, 0))
	}
	return at, max(0, hdr+int64(loc.size)-at)
}

// checkDecompresses refuses a page (at pos, its header hdr bytes long,
// described by loc) whose data does not decompress with codec to exactly
// the size its header states.
func checkDecompresses(ra io.ReaderAt, pc *pageCodecs, codec format.CompressionCodec, pos, hdr int64, loc *pageLoc) error {
	at, size := compressedPart(hdr, loc)
	if size == 0 {
		return nil
	}
	src := make([]byte, size)
	if n, err := ra.ReadAt(src, pos+at); n < len(src) {
		return shortRead(err)
	}
	n := int64(loc.usize) - (at - hdr) // a v2 page's levels count in its uncompressed size
	if n < 0 {
		return fmt.Errorf("levels of %d bytes in a page of %d uncompressed", at-hdr, loc.usize)
	}
	_, err := pc.decompress(nil, codec, src, int(n))
	return err
}

// checkSnappyLen refuses a Snappy-compressed page (at pos, its header of
// hdr bytes read into buf, described by loc) whose block declares more
// bytes than the page's uncompressed size.
func checkSnappyLen(ra io.ReaderAt, buf []byte, pos, hdr int64, loc *pageLoc) error {
	at, size := compressedPart(hdr, loc)
	if size == 0 {
		return nil
	}
	var head [binary.MaxVarintLen64]byte
	b := head[:min(int64(len(head)), size)]
	if at+int64(len(b)) <= int64(len(buf)) {
		b = buf[at : at+int64(len(b))]
	} else if n, err := ra.ReadAt(b, pos+at); n < len(b) {
		return shortRead(err)
	}
	if n, err := snappy.DecodedLen(b); err == nil && n > int(loc.usize) {
		return fmt.Errorf("a Snappy block of %d bytes in a page of %d", n, loc.usize)
	}
	return nil // a block that does not parse fails where it is decoded
}

// checkFooter refuses a file whose footer length (the 4 bytes before the
// closing magic) reaches outside the file or past maxFooter (parquet-go
// allocates the footer before it reads it, so a corrupt length would cost
// up to 4 GiB), and a footer whose thrift declares lists, binaries or
// nesting its bytes cannot hold (see checkThrift), which would make
// parquet-go's decoder allocate without bound or overflow its stack.
//
// It returns the footer's bytes, so that a remote reader can keep them for
// parquet-go's own read instead of fetching them again.
func checkFooter(ra io.ReaderAt, size int64) ([]byte, error) {
	if size < 12 {
		return nil, fmt.Errorf("%w: %d bytes is too short for a Parquet file", curerr.ErrMalformed, size)
	}
	var b [8]byte
	if got, err := ra.ReadAt(b[:], size-8); got < len(b) {
		return nil, shortRead(err)
	}
	switch string(b[4:]) {
	case "PAR1":
	case "PARE":
		return nil, fmt.Errorf("%w: the Parquet footer is encrypted", ErrUnsupportedFormat)
	default:
		return nil, fmt.Errorf("%w: the file does not end in the Parquet magic bytes", curerr.ErrMalformed)
	}
	n := int64(binary.LittleEndian.Uint32(b[:4]))
	if n > size-12 {
		return nil, fmt.Errorf("%w: the Parquet footer claims %d bytes in a file of %d", curerr.ErrMalformed, n, size)
	}
	if n > maxFooter {
		return nil, fmt.Errorf("%w: the Parquet footer claims %d bytes, more than this reader's limit of %d MiB", curerr.ErrMalformed, n, maxFooter>>20)
	}
	footer := make([]byte, n)
	if got, err := ra.ReadAt(footer, size-8-n); int64(got) < n {
		return nil, shortRead(err)
	}
	if _, err := checkThrift(footer, maxFooterCost); err != nil {
		return nil, fmt.Errorf("%w: the Parquet footer: %v", curerr.ErrMalformed, err)
	}
	return footer, nil
}

// shortRead is the error of a ReadAt that returned fewer bytes than asked:
// its own, or io.ErrUnexpectedEOF from a reader that broke the contract.
func shortRead(err error) error {
	if err == nil || err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
