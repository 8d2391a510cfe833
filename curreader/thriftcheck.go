package curreader

import (
	"errors"
	"fmt"
)

// parquet-go's thrift decoder trusts the sizes a Parquet footer or page
// header declares: it makes a list's slice, a map and a binary's buffer at
// their declared sizes before it reads an element, and it recurses once
// per nested struct. Thirty bytes declaring a list of 2^31-1 structs ask
// the runtime for hundreds of GiB and end the process ("fatal error: out of
// memory" cannot be recovered), and a few MiB of nested struct headers
// overflow the goroutine stack. checkThrift walks the same compact-protocol
// bytes first, without allocating, and refuses what would cost more than
// the bytes themselves justify.

// Weights, in bytes, of what one element costs parquet-go once decoded.
// thriftStructWeight is at least the size of the largest struct in
// parquet-go's format package (format.ColumnChunk: 560 bytes in v0.32.0;
// TestThriftWeightsCoverFormatStructs keeps it so).
const (
	thriftScalarWeight    = 8
	thriftContainerWeight = 24 // a slice, string or map header
	thriftStructWeight    = 1024
	thriftMaxDepth        = 32 // Parquet's own metadata nests at most ~8 deep
)

// errThriftShort reports that the bytes end before the struct does: the
// caller may have more to read.
var errThriftShort = errors.New("thrift struct runs past the bytes read")

// thriftWalk is one pass over compact-protocol bytes.
type thriftWalk struct {
	b       []byte
	pos     int
	cost    int64
	maxCost int64
}

// checkThrift walks one compact-protocol struct at the start of b and
// returns its encoded length. It returns errThriftShort when b ends inside
// the struct, and another error when the bytes are malformed or would cost
// parquet-go more than maxCost bytes to decode: a list, set, map or binary
// larger than the bytes left, nesting deeper than thriftMaxDepth, an
// unknown type.
func checkThrift(b []byte, maxCost int64) (int, error) {
	w := &thriftWalk{b: b, maxCost: maxCost}
	if err := w.charge(1, thriftStructWeight); err != nil {
		return 0, err
	}
	if err := w.structure(1); err != nil {
		return 0, err
	}
	return w.pos, nil
}

func (w *thriftWalk) left() int { return len(w.b) - w.pos }

func (w *thriftWalk) byte1() (byte, error) {
	if w.pos >= len(w.b) {
		return 0, errThriftShort
	}
	c := w.b[w.pos]
	w.pos++
	return c, nil
}

func (w *thriftWalk) skip(n int) error {
	if n > w.left() {
		return errThriftShort
	}
	w.pos += n
	return nil
}

// uvarint reads a base-128 varint of at most 10 bytes.
func (w *thriftWalk) uvarint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		c, err := w.byte1()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("varint longer than 10 bytes at offset %d", w.pos)
}

// size reads a list, map or binary length; parquet-go refuses one above
// MaxInt32, and so does the walk.
func (w *thriftWalk) size(what string) (int, error) {
	at := w.pos
	n, err := w.uvarint()
	if err != nil {
		return 0, err
	}
	if n > 1<<31-1 {
		return 0, fmt.Errorf("%s of %d at offset %d", what, n, at)
	}
	return int(n), nil
}

func (w *thriftWalk) charge(n int, weight int64) error {
	w.cost += int64(n) * weight
	if w.cost > w.maxCost {
		return fmt.Errorf("thrift metadata would take more than %d MiB to decode (offset %d)", w.maxCost>>20, w.pos)
	}
	return nil
}

func (w *thriftWalk) structure(depth int) error {
	if depth > thriftMaxDepth {
		return fmt.Errorf("thrift structs nested deeper than %d at offset %d", thriftMaxDepth, w.pos)
	}
	for {
		h, err := w.byte1()
		if err != nil {
			return err
		}
		if h == 0 { // STOP
			return nil
		}
		typ := h & 0x0f
		if h>>4 == 0 { // the field id follows as a zigzag varint
			if _, err := w.uvarint(); err != nil {
				return err
			}
		}
		if typ == 1 || typ == 2 { // a bool field's value is its type
			continue
		}
		if err := w.value(typ, depth); err != nil {
			return err
		}
	}
}

// value walks one value of type typ (compact-protocol type ids).
func (w *thriftWalk) value(typ byte, depth int) error {
	switch typ {
	case 1, 2, 3: // a bool inside a list or map, or an i8
		return w.skip(1)
	case 4, 5, 6: // i16, i32, i64
		_, err := w.uvarint()
		return err
	case 7: // double
		return w.skip(8)
	case 13: // uuid
		return w.skip(16)
	case 8: // binary
		at := w.pos
		n, err := w.size("binary")
		if err != nil {
			return err
		}
		if n > w.left() {
			if n > len(w.b) {
				// Longer than everything read: the caller's retry with
				// more bytes can only help up to its own limit.
				return fmt.Errorf("%w: a binary of %d bytes at offset %d", errThriftShort, n, at)
			}
			return errThriftShort
		}
		if err := w.charge(1, int64(n)); err != nil {
			return err
		}
		w.pos += n
		return nil
	case 9, 10: // list, set
		at := w.pos
		h, err := w.byte1()
		if err != nil {
			return err
		}
		n, et := int(h>>4), h&0x0f
		if n == 15 {
			if n, err = w.size("list"); err != nil {
				return err
			}
		}
		// Every element takes at least one byte.
		if n > w.left() {
			if n > len(w.b) {
				return fmt.Errorf("%w: a list of %d elements at offset %d", errThriftShort, n, at)
			}
			return errThriftShort
		}
		if err := w.charge(n, elemWeight(et)); err != nil {
			return err
		}
		for range n {
			if err := w.value(et, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 11: // map
		at := w.pos
		n, err := w.size("map")
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		kv, err := w.byte1()
		if err != nil {
			return err
		}
		if 2*n > w.left() {
			if 2*n > len(w.b) {
				return fmt.Errorf("%w: a map of %d entries at offset %d", errThriftShort, n, at)
			}
			return errThriftShort
		}
		kt, vt := kv>>4, kv&0x0f
		if err := w.charge(n, elemWeight(kt)+elemWeight(vt)+thriftContainerWeight); err != nil {
			return err
		}
		for range n {
			if err := w.value(kt, depth+1); err != nil {
				return err
			}
			if err := w.value(vt, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 12: // struct
		return w.structure(depth + 1)
	default:
		return fmt.Errorf("unknown thrift type %d at offset %d", typ, w.pos-1)
	}
}

func elemWeight(typ byte) int64 {
	switch typ {
	case 8, 9, 10, 11:
		return thriftContainerWeight
	case 12:
		return thriftStructWeight
	default:
		return thriftScalarWeight
	}
}
