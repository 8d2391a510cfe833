package curtest

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"
)

// gzipPool reuses gzip writers: a new one allocates its compressor's
// tables, which dominates the cost of small files.
var gzipPool = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// tally accumulates the ground truth of one delivery.
type tally struct {
	rows      int64
	total     acc
	byProduct map[string]*acc
	byAccount map[string]*acc
}

func newTally() *tally {
	return &tally{byProduct: map[string]*acc{}, byAccount: map[string]*acc{}}
}

func (t *tally) add(r *record) {
	t.rows++
	t.total.add(r.cost)
	p := t.byProduct[r.prod.code]
	if p == nil {
		p = &acc{}
		t.byProduct[r.prod.code] = p
	}
	p.add(r.cost)
	a := t.byAccount[r.acct.id]
	if a == nil {
		a = &acc{}
		t.byAccount[r.acct.id] = a
	}
	a.add(r.cost)
}

// fileJob is one data file to write.
type fileJob struct {
	cols       []column
	format     FileType
	rows       int
	gen        *gen
	tally      *tally // nil: do not count (a stale or overwritten file)
	timeLayout string
	member     string    // zip member name
	modified   time.Time // zip member time
}

// renderText renders a cell as CSV text.
func renderText(c *cell, fixed bool, layout string) string {
	switch c.kind {
	case cStr:
		return c.s
	case cDec, cRate:
		if fixed {
			return fmtFixed(c.n)
		}
		return fmtShort(c.n)
	case cTime:
		return c.t.Format(layout)
	case cMap:
		return renderMap(c.m)
	}
	return ""
}

// renderMap renders a map column as JSON text with sorted keys (how CSV
// Data Exports carry map columns). String values are JSON strings; numeric
// values (the discount maps) are JSON numbers.
func renderMap(m []kv) string {
	b := []byte{'{'}
	for i, e := range m {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(e.k)
		b = append(b, k...)
		b = append(b, ':')
		if e.v == "" {
			b = append(b, fmtShort(e.n)...)
		} else {
			v, _ := json.Marshal(e.v)
			b = append(b, v...)
		}
	}
	return string(append(b, '}'))
}

func (j *fileJob) write(w io.Writer) error {
	switch j.format {
	case CSVGzip:
		gz := gzipPool.Get().(*gzip.Writer)
		defer gzipPool.Put(gz)
		gz.Reset(w)
		if err := j.writeCSV(gz); err != nil {
			return err
		}
		return gz.Close()
	case CSVZip:
		zw := zip.NewWriter(w)
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: j.member, Method: zip.Deflate, Modified: j.modified})
		if err != nil {
			return err
		}
		if err := j.writeCSV(fw); err != nil {
			return err
		}
		return zw.Close()
	case Parquet:
		return j.writeParquet(w)
	}
	return fmt.Errorf("curtest: unknown format %d", int(j.format))
}

func (j *fileJob) writeCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	rec := make([]string, len(j.cols))
	for i, c := range j.cols {
		rec[i] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	var r record
	for range j.rows {
		j.gen.next(&r)
		for i := range j.cols {
			c := j.cols[i].get(&r)
			rec[i] = renderText(&c, r.fixed, j.timeLayout)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		if j.tally != nil {
			j.tally.add(&r)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// orderedGroup is a Parquet group that keeps its fields in the given order
// (parquet.Group sorts them by name), so Parquet files list columns in the
// same order as the manifest.
type orderedGroup struct {
	parquet.Group
	names []string
}

func (g orderedGroup) Fields() []parquet.Field {
	fs := make([]parquet.Field, len(g.names))
	for i, n := range g.names {
		fs[i] = orderedField{g.Group[n], n}
	}
	return fs
}

type orderedField struct {
	parquet.Node
	name string
}

func (f orderedField) Name() string                      { return f.name }
func (f orderedField) Value(reflect.Value) reflect.Value { return reflect.Value{} }

func parquetSchema(cols []column) *parquet.Schema {
	g := orderedGroup{Group: parquet.Group{}}
	for _, c := range cols {
		var n parquet.Node
		switch c.typ {
		case tDouble:
			n = parquet.Optional(parquet.Leaf(parquet.DoubleType))
		case tTimestamp:
			n = parquet.Optional(parquet.Timestamp(parquet.Millisecond))
		case tMapString:
			n = parquet.Optional(parquet.Map(parquet.String(), parquet.Optional(parquet.String())))
		case tMapDouble:
			n = parquet.Optional(parquet.Map(parquet.String(), parquet.Optional(parquet.Leaf(parquet.DoubleType))))
		default:
			n = parquet.Optional(parquet.String())
		}
		g.Group[c.name] = n
		g.names = append(g.names, c.name)
	}
	return parquet.NewSchema("schema", g)
}

// appendValue appends the Parquet values of one cell, whose first leaf
// column is col, and returns the next leaf column index.
func appendValue(row parquet.Row, c *cell, typ ptype, col int, fixed bool) (parquet.Row, int) {
	switch typ {
	case tMapString, tMapDouble:
		if c.kind != cMap {
			return append(row, parquet.Value{}.Level(0, 0, col), parquet.Value{}.Level(0, 0, col+1)), col + 2
		}
		if len(c.m) == 0 {
			return append(row, parquet.Value{}.Level(0, 1, col), parquet.Value{}.Level(0, 1, col+1)), col + 2
		}
		for i, e := range c.m {
			row = append(row, parquet.ByteArrayValue([]byte(e.k)).Level(min(i, 1), 2, col))
		}
		for i, e := range c.m {
			var v parquet.Value
			if typ == tMapDouble {
				v = parquet.DoubleValue(toFloat(e.n))
			} else {
				v = parquet.ByteArrayValue([]byte(e.v))
			}
			row = append(row, v.Level(min(i, 1), 3, col+1))
		}
		return row, col + 2
	}
	var v parquet.Value
	switch {
	case c.kind == cNull:
		return append(row, parquet.Value{}.Level(0, 0, col)), col + 1
	case typ == tDouble && (c.kind == cDec || c.kind == cRate):
		v = parquet.DoubleValue(toFloat(c.n))
	case typ == tTimestamp && c.kind == cTime:
		v = parquet.Int64Value(c.t.UnixMilli())
	default:
		v = parquet.ByteArrayValue([]byte(renderText(c, fixed, "2006-01-02T15:04:05.000Z")))
	}
	return append(row, v.Level(0, 1, col)), col + 1
}

const parquetBatch = 512

func (j *fileJob) writeParquet(w io.Writer) error {
	schema := parquetSchema(j.cols)
	pw := parquet.NewWriter(w, schema,
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(64<<10),
		parquet.CreatedBy("curtest", "1", ""),
	)
	batch := make([]parquet.Row, 0, parquetBatch)
	var r record
	for n := 0; n < j.rows; n++ {
		j.gen.next(&r)
		row := make(parquet.Row, 0, len(j.cols)+8)
		col := 0
		for i := range j.cols {
			c := j.cols[i].get(&r)
			row, col = appendValue(row, &c, j.cols[i].typ, col, false)
		}
		batch = append(batch, row)
		if j.tally != nil {
			j.tally.add(&r)
		}
		if len(batch) == parquetBatch {
			if _, err := pw.WriteRows(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if _, err := pw.WriteRows(batch); err != nil {
			return err
		}
	}
	return pw.Close()
}

// writeStatus writes the Athena cost_and_usage_data_status file: one
// column, status, one row.
func writeStatus(w io.Writer, status string) error {
	g := orderedGroup{Group: parquet.Group{"status": parquet.Optional(parquet.String())}, names: []string{"status"}}
	pw := parquet.NewWriter(w, parquet.NewSchema("schema", g), parquet.Compression(&parquet.Snappy), parquet.CreatedBy("curtest", "1", ""))
	if _, err := pw.WriteRows([]parquet.Row{{parquet.ByteArrayValue([]byte(status)).Level(0, 1, 0)}}); err != nil {
		return err
	}
	return pw.Close()
}
