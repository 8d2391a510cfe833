package curreader

import (
	"io"
	"slices"
	"sync/atomic"
)

// ioErrAt records that a read of the file failed, so that decoding errors
// (curerr.ErrMalformed) can be told from I/O errors parquet-go passes on.
type ioErrAt struct {
	io.ReaderAt
	failed *atomic.Bool
}

func (r ioErrAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.ReaderAt.ReadAt(p, off)
	if err != nil && err != io.EOF {
		r.failed.Store(true)
	}
	return n, err
}

// byteRange is [start, end) of a file.
type byteRange struct{ start, end int64 }

// rangeCache serves ReadAt from byte ranges fetched ahead (a row group's
// column chunks, merged where close), and passes other reads through.
type rangeCache struct {
	ra      io.ReaderAt
	limit   int64
	regions []region
	tail    region // the file's tail (footer), kept throughout
}

// keepTail reads the last n bytes of the file (all of a smaller file).
func (c *rangeCache) keepTail(size, n int64) error {
	n = min(n, size)
	if n <= 0 {
		return nil
	}
	buf := make([]byte, n)
	got, err := c.ra.ReadAt(buf, size-n)
	if int64(got) < n {
		return shortRead(err)
	}
	c.tail = region{size - n, buf}
	return nil
}

// keepFooter widens the kept tail to the whole footer when the footer is
// longer than the tail read first, so that parquet-go's read of it is not
// a second GET of bytes checkFooter already fetched.
func (c *rangeCache) keepFooter(size int64, footer []byte) {
	start := size - 8 - int64(len(footer))
	if start >= c.tail.off || len(c.tail.data) < 8 {
		return
	}
	c.tail = region{start, append(footer[:len(footer):len(footer)], c.tail.data[len(c.tail.data)-8:]...)}
}

type region struct {
	off  int64
	data []byte
}

// prefetch replaces the cached regions with the given ranges, merged when
// less than 1 MiB apart, as far as the limit allows (the rest is read on
// demand).
func (c *rangeCache) prefetch(rs []byteRange) error {
	c.regions = c.regions[:0]
	slices.SortFunc(rs, func(a, b byteRange) int { return int(min(max(a.start-b.start, -1), 1)) })
	// Whole chunks, in file order, as many as the limit holds; chunks less
	// than 1 MiB apart share a GET. The rest are read on demand.
	var merged []byteRange
	var used int64
	for _, r := range rs {
		n := r.end - r.start
		if n <= 0 || r.start < 0 || used+n > c.limit {
			continue
		}
		if k := len(merged); k > 0 && r.start >= merged[k-1].end && r.start-merged[k-1].end < 1<<20 &&
			used+(r.start-merged[k-1].end)+n <= c.limit {
			used += r.end - merged[k-1].end
			merged[k-1].end = r.end
			continue
		}
		if k := len(merged); k > 0 && r.start < merged[k-1].end {
			// Overlapping chunks (corrupt metadata): extend, never read twice.
			if r.end > merged[k-1].end {
				used += r.end - merged[k-1].end
				merged[k-1].end = r.end
			}
			continue
		}
		used += n
		merged = append(merged, r)
	}
	for _, r := range merged {
		n := r.end - r.start
		buf := make([]byte, n)
		got, err := c.ra.ReadAt(buf, r.start)
		if int64(got) < n {
			return shortRead(err)
		}
		c.regions = append(c.regions, region{r.start, buf})
	}
	return nil
}

// slice returns the n bytes at off when a fetched region holds them, as a
// slice of it (valid until the next prefetch).
func (c *rangeCache) slice(off, n int64) ([]byte, bool) {
	for _, r := range c.regions {
		if off >= r.off && off+n <= r.off+int64(len(r.data)) {
			return r.data[off-r.off:][:n:n], true
		}
	}
	return nil, false
}

func (c *rangeCache) ReadAt(p []byte, off int64) (int, error) {
	for _, r := range c.regions {
		if off >= r.off && off+int64(len(p)) <= r.off+int64(len(r.data)) {
			return copy(p, r.data[off-r.off:]), nil
		}
	}
	if r := c.tail; off >= r.off && off+int64(len(p)) <= r.off+int64(len(r.data)) {
		return copy(p, r.data[off-r.off:]), nil
	}
	return c.ra.ReadAt(p, off)
}
