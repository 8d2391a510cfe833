package curreader

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/csvsplit"
)

// csvRows reads one CSV data file (plain, gzip or zip).
type csvRows struct {
	m      *Header
	body   io.Closer
	dec    io.Closer
	csv    *csvsplit.Reader
	fields int // the header's field count
}

func openCSV(ctx context.Context, st fileStore, compression Compression, f DataFile, p *projection, o ReadOptions) (fileRows, error) {
	c := &csvRows{}
	var src io.Reader
	switch compression {
	case CompressionZip:
		// A zip is read from its end: through ranged reads (S3) or the
		// file's own ReadAt (a local copy), never buffered whole.
		ra, size, closer, err := st.at(ctx, f)
		if err != nil {
			return nil, &FileError{File: f.Key, Err: err}
		}
		c.body = closer
		members, err := csvsplit.ZipMembers(ra, size)
		if err == nil && len(members) != 1 {
			err = fmt.Errorf("zip holds %d data files, expected one CSV", len(members))
		}
		if err != nil {
			c.close()
			return nil, &FileError{File: f.Key, Err: fmt.Errorf("%w: %w", curerr.ErrMalformed, err)}
		}
		rc, err := members[0].Open()
		if err != nil {
			c.close()
			return nil, &FileError{File: f.Key, Err: err}
		}
		c.dec, src = rc, rc
	default:
		body, err := st.open(ctx, f)
		if err != nil {
			return nil, &FileError{File: f.Key, Err: err}
		}
		c.body, src = body, body
		if compression == CompressionGzip {
			pipe, err := csvsplit.NewGzip(src, nil)
			if err != nil {
				c.close()
				return nil, &FileError{File: f.Key, Err: err}
			}
			c.dec, src = pipe, pipe
		}
	}
	c.csv = csvsplit.NewReader(src, &csvsplit.Options{FieldsPerRecord: -1, MaxRecordSize: o.MaxRecordSize, MaxFieldSize: o.MaxFieldSize})
	c.m = &Header{key: f.Key}
	if err := c.csv.Next(); err != nil {
		if err == io.EOF {
			// A 0-row file with no header at all.
			c.m = newMeta(f.Key, nil, p)
			return c, nil
		}
		e := c.wrap(err)
		c.close()
		return nil, e
	}
	header := make([]string, c.csv.NumField())
	for i := range header {
		header[i] = string(c.csv.Field(i))
	}
	c.fields = len(header)
	c.m = newMeta(f.Key, header, p)
	return c, nil
}

func (c *csvRows) meta() *Header { return c.m }

func (c *csvRows) next() error {
	if c.fields == 0 {
		return io.EOF
	}
	err := c.csv.Next()
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return c.wrap(err)
	}
	if c.csv.NumField() != c.fields {
		return &ParseError{File: c.m.key, Line: c.csv.Line(), Err: fmt.Errorf("%d fields, the header has %d", c.csv.NumField(), c.fields)}
	}
	return nil
}

func (c *csvRows) field(i int) []byte { return c.csv.Field(i) }

func (c *csvRows) line() int { return c.csv.Line() }

// decimalAt: a CSV field is its text.
func (c *csvRows) decimalAt(int) (decimal.Decimal, bool, bool) {
	return decimal.Decimal{}, false, false
}

func (c *csvRows) raw() ([]byte, []uint64) { return c.csv.Raw() }

func (c *csvRows) numFields() int { return c.fields }

func (c *csvRows) wrap(err error) error {
	var pe *csvsplit.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: c.m.key, Line: pe.StartLine, Err: err}
	}
	return &FileError{File: c.m.key, Line: c.csv.Line(), Err: err}
}

func (c *csvRows) close() {
	if c.dec != nil {
		c.dec.Close()
		c.dec = nil
	}
	if c.body != nil {
		c.body.Close()
		c.body = nil
	}
}
