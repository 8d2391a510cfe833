package curreader

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/curconnect/curconnect/curreader/curtest"
)

// FuzzParquetFile reads arbitrary bytes as a delivery's one Parquet data
// file through the public Reader. It must never panic, and must end either
// cleanly or with a *FileError or *ParseError that names the file.
func FuzzParquetFile(f *testing.F) {
	for i, spec := range []curtest.Spec{
		{Kind: curtest.LegacyCUR, Width: curtest.Narrow, Rows: 3},
		{Kind: curtest.CUR2, Width: curtest.Narrow, Rows: 2},
		{Kind: curtest.FOCUS12, Rows: 1},
		{Kind: curtest.LegacyCUR, Width: curtest.Narrow, Rows: 3, EmptyFiles: 1},
	} {
		spec.Format, spec.Name, spec.Seed = curtest.Parquet, "r", uint64(i+1)
		sink := curtest.NewMapSink()
		res, err := curtest.Generate(context.Background(), sink, spec)
		if err != nil {
			f.Fatal(err)
		}
		data, ok := sink.Get(res.Deliveries[0].DataKeys[0])
		if !ok {
			f.Fatal("no data file")
		}
		f.Add(data)
		for _, n := range []int{len(data) / 2, len(data) - 9, 12} {
			f.Add(data[:n])
		}
		f.Add(append(data[:len(data)/3:len(data)/3], data[len(data)/2:]...))
	}
	f.Add([]byte("PAR1PAR1"))
	f.Add([]byte{})
	const key = "cur/r/20240301-20240401/a/r-00001.snappy.parquet"
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{key: &fstest.MapFile{Data: data}}
		d := &Delivery{Bucket: "b", Format: FormatParquet, Compression: CompressionParquet, Ready: true,
			Files: []DataFile{{Key: key, Size: int64(len(data))}}}
		rd, err := openFS(t.Context(), fsys, d, func(o *ReadOptions) { o.Concurrency = 1 })
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		rows := 0
		for rd.Next() {
			row := rd.Row()
			if row.File() != key {
				t.Fatalf("row names %q", row.File())
			}
			for _, c := range row.Columns() {
				row.Get(c)
			}
			row.Decimal("line_item_unblended_cost")
			row.Time("line_item_usage_start_date")
			row.TimeInterval()
			row.Tag("user_team")
			_ = row.Clone()
			if rows++; rows > 100000 {
				t.Fatal("too many rows from a small file")
			}
		}
		err = rd.Err()
		if err == nil {
			return
		}
		var fe *FileError
		var pe *ParseError
		switch {
		case errors.As(err, &fe):
			if fe.File != key {
				t.Fatalf("error names %q: %v", fe.File, err)
			}
		case errors.As(err, &pe):
			if pe.File != key {
				t.Fatalf("error names %q: %v", pe.File, err)
			}
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}
