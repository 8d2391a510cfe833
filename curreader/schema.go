package curreader

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// FileColumns reads the schema of one Parquet data file of d from its
// footer and returns the file's top-level columns in file order, each with
// the type the file declares, spelled as SQL engines over the Hive
// metastore (Athena, Trino, Presto, Hive) spell it: boolean, tinyint,
// smallint, int, bigint, float, double, decimal(p,s), string, binary,
// date, timestamp, map<k,v>, array<t> and struct<name:t,…>. It reads no
// rows: for a file in S3, one ranged GET of its last 256 KiB holds the
// footer (a larger footer takes one more).
//
// A column whose type has no such spelling (a time of day, an unsigned
// 64-bit integer, a half float, a legacy repeated field) is an error
// wrapping ErrUnsupportedFormat that names the column. A file that is not
// Parquet, or whose footer cannot be read, is a *FileError naming it.
//
// It exists so that a table over a delivery (package curreader/athena)
// declares exactly the types the files hold: AWS does not document the
// physical types of its Parquet deliveries.
func (r *Resolver) FileColumns(ctx context.Context, d *Delivery, f DataFile) (_ []Column, err error) {
	if d == nil {
		return nil, fmt.Errorf("curreader: file columns: nil delivery: %w", curerr.ErrMalformed)
	}
	if d.Format != FormatParquet {
		return nil, fmt.Errorf("curreader: file columns of %s: %w: the delivery is %s, not Parquet", f.Key, ErrUnsupportedFormat, d.Format)
	}
	defer recovered(f.Key, 0, &err)
	st := r.st.files()
	ra, size, closer, err := st.at(ctx, f)
	if err != nil {
		return nil, &FileError{File: f.Key, Err: err}
	}
	if closer != nil {
		defer closer.Close()
	}
	var ioErr atomic.Bool
	ra = ioErrAt{ra, &ioErr}
	opts := []parquet.FileOption{parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true)}
	if st.remote {
		// Every ReadAt is a GET: keep the tail, which holds the footer, and
		// skip the magic bytes at the start (checkFooter checks the ones at
		// the end).
		t := &rangeCache{ra: ra}
		if err := t.keepTail(size, 256<<10); err != nil {
			return nil, &FileError{File: f.Key, Err: err}
		}
		ra = t
		opts = append(opts, parquet.SkipMagicBytes(true))
	}
	footer, err := checkFooter(ra, size)
	if err != nil {
		return nil, &FileError{File: f.Key, Err: err}
	}
	if t, ok := ra.(*rangeCache); ok {
		t.keepFooter(size, footer)
	}
	pf, err := parquet.OpenFile(ra, size, opts...)
	if err != nil {
		if ioErr.Load() {
			return nil, &FileError{File: f.Key, Err: err} // the read failed, not the file
		}
		return nil, &FileError{File: f.Key, Err: fmt.Errorf("%w: not a readable Parquet file: %w", curerr.ErrMalformed, err)}
	}
	var cols []Column
	for _, c := range pf.Root().Columns() {
		typ, err := sqlType(c)
		if err != nil {
			return nil, &FileError{File: f.Key, Err: fmt.Errorf("%w: column %s: %w", ErrUnsupportedFormat, c.Name(), err)}
		}
		cols = append(cols, Column{Name: c.Name(), Type: typ})
	}
	return cols, nil
}

// sqlType spells a Parquet column's type as Hive DDL does.
func sqlType(c *parquet.Column) (string, error) {
	if c.Leaf() {
		if c.Repeated() {
			return "", errors.New("a repeated field outside a LIST group")
		}
		return leafType(c.Type())
	}
	if c.Repeated() {
		return "", errors.New("a repeated group outside a LIST or MAP group")
	}
	lt := c.Type().LogicalType()
	ct := c.Type().ConvertedType()
	switch {
	case lt != nil && isLogical[*format.MapType](lt), ct != nil && (*ct == deprecated.Map || *ct == deprecated.MapKeyValue):
		kids := c.Columns()
		if len(kids) != 1 || !kids[0].Repeated() || len(kids[0].Columns()) != 2 {
			return "", errors.New("a MAP group that is not a repeated group of key and value")
		}
		k, v := kids[0].Columns()[0], kids[0].Columns()[1]
		kt, err := elemType(k)
		if err != nil {
			return "", fmt.Errorf("map key: %w", err)
		}
		vt, err := elemType(v)
		if err != nil {
			return "", fmt.Errorf("map value: %w", err)
		}
		return "map<" + kt + "," + vt + ">", nil
	case lt != nil && isLogical[*format.ListType](lt), ct != nil && *ct == deprecated.List:
		kids := c.Columns()
		if len(kids) != 1 || !kids[0].Repeated() {
			return "", errors.New("a LIST group that is not a repeated element")
		}
		e := kids[0]
		if !e.Leaf() && len(e.Columns()) == 1 && e.Type().LogicalType() == nil {
			// The three-level form: list > repeated group > element.
			e = e.Columns()[0]
		}
		et, err := elemType(e)
		if err != nil {
			return "", fmt.Errorf("list element: %w", err)
		}
		return "array<" + et + ">", nil
	}
	var fields []string
	for _, k := range c.Columns() {
		kt, err := sqlType(k)
		if err != nil {
			return "", fmt.Errorf("field %s: %w", k.Name(), err)
		}
		fields = append(fields, strings.ToLower(k.Name())+":"+kt)
	}
	return "struct<" + strings.Join(fields, ",") + ">", nil
}

// elemType is the type of a map key or value or a list element: a leaf
// or group that is not itself repeated.
func elemType(c *parquet.Column) (string, error) {
	if c.Leaf() {
		return leafType(c.Type())
	}
	return sqlType(c)
}

func isLogical[T any](lt *format.LogicalType) bool {
	_, ok := lt.Value.(T)
	return ok
}

// leafType spells a primitive Parquet type, with its logical (or legacy
// converted) annotation, as Hive DDL does.
func leafType(t parquet.Type) (string, error) {
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		switch x := lt.Value.(type) {
		case *format.StringType, *format.EnumType, *format.JsonType:
			return "string", nil
		case *format.DecimalType:
			return fmt.Sprintf("decimal(%d,%d)", x.Precision, x.Scale), nil
		case *format.DateType:
			return "date", nil
		case *format.TimestampType:
			return "timestamp", nil
		case *format.IntType:
			switch {
			case x.IsSigned && x.BitWidth == 8:
				return "tinyint", nil
			case x.IsSigned && x.BitWidth == 16, !x.IsSigned && x.BitWidth == 8:
				return "smallint", nil
			case x.IsSigned && x.BitWidth == 32, !x.IsSigned && x.BitWidth == 16:
				return "int", nil
			case x.IsSigned && x.BitWidth == 64, !x.IsSigned && x.BitWidth == 32:
				return "bigint", nil
			}
			return "", fmt.Errorf("no SQL type holds %s", x)
		case *format.BsonType:
			return "binary", nil
		case *format.TimeType, *format.UUIDType, *format.Float16Type:
			return "", fmt.Errorf("no SQL type of the Hive metastore holds %s", lt)
		}
	}
	if ct := t.ConvertedType(); ct != nil {
		switch *ct {
		case deprecated.UTF8, deprecated.Enum, deprecated.Json:
			return "string", nil
		case deprecated.Date:
			return "date", nil
		case deprecated.TimestampMillis, deprecated.TimestampMicros:
			return "timestamp", nil
		case deprecated.Int8:
			return "tinyint", nil
		case deprecated.Int16, deprecated.Uint8:
			return "smallint", nil
		case deprecated.Int32, deprecated.Uint16:
			return "int", nil
		case deprecated.Int64, deprecated.Uint32:
			return "bigint", nil
		case deprecated.Uint64, deprecated.TimeMillis, deprecated.TimeMicros, deprecated.Interval:
			return "", fmt.Errorf("no SQL type of the Hive metastore holds converted type %d", int(*ct))
		}
	}
	switch t.Kind() {
	case parquet.Boolean:
		return "boolean", nil
	case parquet.Int32:
		return "int", nil
	case parquet.Int64:
		return "bigint", nil
	case parquet.Int96:
		return "timestamp", nil
	case parquet.Float:
		return "float", nil
	case parquet.Double:
		return "double", nil
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return "binary", nil
	}
	return "", fmt.Errorf("values of type %s", t)
}
