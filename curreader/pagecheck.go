package curreader

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// maxPageValues bounds the values one Parquet page may claim. parquet-go
// sizes its buffers from a page header's value count before decoding, so a
// corrupt header claiming hundreds of millions of values costs seconds and
// hundreds of MB before the page fails. Writers keep pages far smaller
// (parquet-mr and Arrow: at most 20,000 rows per page by default).
const maxPageValues = 1 << 22

// errBadPage marks a page header refused before parquet-go decodes it.
var errBadPage = errors.New("corrupt page header")

// checkChunk walks the page headers of one column chunk, reading only the
// headers, and refuses what parquet-go would trust blindly: a page with a
// negative size or one past the chunk's end, more values than maxPageValues
// or than the chunk declares, and, for a column with one value per row
// (flat), a chunk whose value count differs from the row group's rows.
func checkChunk(ra io.ReaderAt, md *format.ColumnMetaData, rows int64, flat bool) error {
	if md.NumValues < 0 || (flat && md.NumValues != rows) {
		return fmt.Errorf("%w: column %v holds %d values for %d rows", errBadPage, md.PathInSchema, md.NumValues, rows)
	}
	start := md.DataPageOffset
	if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < start {
		start = md.DictionaryPageOffset
	}
	end := start + md.TotalCompressedSize
	if start < 0 || md.TotalCompressedSize < 0 || end < start {
		return fmt.Errorf("%w: column %v spans [%d, %d)", errBadPage, md.PathInSchema, start, end)
	}
	var proto thrift.CompactProtocol
	buf := make([]byte, 4096)
	var values int64
	for pos := start; pos < end; {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if n == 0 && err != nil {
			return err
		}
		br := bytes.NewReader(buf[:n])
		var h format.PageHeader
		if derr := thrift.NewDecoder(proto.NewReader(br)).Decode(&h); derr != nil {
			if n == len(buf) && len(buf) < 1<<20 {
				buf = make([]byte, 2*len(buf)) // a header with large statistics
				continue
			}
			return fmt.Errorf("%w: column %v at offset %d: %v", errBadPage, md.PathInSchema, pos, derr)
		}
		hdr := int64(n - br.Len())
		if h.CompressedPageSize < 0 || h.UncompressedPageSize < 0 || pos+hdr+int64(h.CompressedPageSize) > end {
			return fmt.Errorf("%w: column %v at offset %d: page of %d bytes in a chunk ending at %d", errBadPage, md.PathInSchema, pos, h.CompressedPageSize, end)
		}
		var nv int32
		if d, ok := h.DataPageHeader.Get(); ok {
			nv = d.NumValues
		} else if d, ok := h.DataPageHeaderV2.Get(); ok {
			nv = d.NumValues
		}
		values += int64(nv)
		if nv < 0 || nv > maxPageValues || values > md.NumValues {
			return fmt.Errorf("%w: column %v at offset %d: a page of %d values (chunk: %d)", errBadPage, md.PathInSchema, pos, nv, md.NumValues)
		}
		pos += hdr + int64(h.CompressedPageSize)
	}
	return nil
}

// checkFooter refuses a file whose footer length (the 4 bytes before the
// closing magic) reaches outside the file: parquet-go allocates the footer
// before it reads it, so a corrupt length would cost up to 4 GiB.
func checkFooter(ra io.ReaderAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("%w: %d bytes is too short for a Parquet file", ErrMalformed, size)
	}
	var b [8]byte
	if n, err := ra.ReadAt(b[:], size-8); n < len(b) {
		return err
	}
	switch string(b[4:]) {
	case "PAR1":
	case "PARE":
		return fmt.Errorf("%w: the Parquet footer is encrypted", ErrUnsupportedFormat)
	default:
		return fmt.Errorf("%w: the file does not end in the Parquet magic bytes", ErrMalformed)
	}
	if n := int64(binary.LittleEndian.Uint32(b[:4])); n > size-12 {
		return fmt.Errorf("%w: the Parquet footer claims %d bytes in a file of %d", ErrMalformed, n, size)
	}
	return nil
}
