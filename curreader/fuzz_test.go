package curreader

// Every fuzz target of the package. Seeds come from generated files and the
// cases below; crashers are kept in testdata/fuzz/<target>/.

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
)

// FuzzManifest feeds arbitrary bytes to both manifest parsers and to the
// resolver's key checks: no panic, and every failure wraps
// ErrMalformedManifest (or, for keys, ErrManifestEscapes).
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"assemblyId":"a","reportKeys":["cur/r/20240301-20240401/a/r-1.csv.gz"],"billingPeriod":{"start":"20240301T000000.000Z","end":"20240401T000000.000Z"},"additionalArtifactKeys":[{"artifactType":"RedshiftCommands","name":"x"}]}`))
	f.Add([]byte(`{"assemblyId":"a","reportKeys":[],"additionalArtifactKeys":["x","y"],"billingPeriod":{"start":"2024-03-01T00:00:00Z"}}`))
	f.Add([]byte(`{"executionId":"e","columns":[{"name":"line_item_unblended_cost","type":"DOUBLE"}],"dataFiles":["s3://billing-bucket/cur/r/data/x.csv.gz",{"key":"cur/r/y","size":3}],"billingPeriod":"2024-03"}`))
	f.Add([]byte(`{"dataFiles":[{"uri":"s3://other/x"}],"billingPeriod":{"start":"20240301T000000Z"}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lm, err := parseLegacyManifest(data)
		if err != nil && !errors.Is(err, ErrMalformedManifest) {
			t.Fatalf("legacy: error does not wrap ErrMalformedManifest: %v", err)
		}
		em, err2 := parseExportManifest(data)
		if err2 != nil && !errors.Is(err2, ErrMalformedManifest) {
			t.Fatalf("export: error does not wrap ErrMalformedManifest: %v", err2)
		}
		r := NewFS(nil, testBucket)
		rep := Report{Name: "r", Root: "cur/r/", Layout: LayoutLegacy}
		check := func(ref string) {
			key, err := r.keyOf(rep, ref)
			if err != nil {
				return
			}
			if !strings.HasPrefix(r.st.canon(key), r.st.canon(rep.Root)) {
				t.Fatalf("key %q accepted outside the root", key)
			}
			for _, seg := range strings.Split(key, "/") {
				if seg == ".." {
					t.Fatalf("key %q accepted with ..", key)
				}
			}
		}
		if err == nil {
			for _, k := range lm.ReportKeys {
				check(k)
			}
		}
		if err2 == nil {
			for _, d := range em.DataFiles {
				check(d.URI)
			}
			_ = exportKind(em.Columns)
		}
		_ = parseExportPeriod(data)
		_, _ = formatOf(string(data), string(data))
	})
}

// FuzzCSVRows reads arbitrary bytes as a delivery's CSV data file through
// the public Reader. It must never panic, and must end either cleanly or
// with a *ParseError or *FileError that names the file.
func FuzzCSVRows(f *testing.F) {
	for _, s := range []string{
		"identity/LineItemId,lineItem/UnblendedCost,resourceTags/user:team\nabc,1.5,x\ndef,-2e-3,\n",
		"line_item_unblended_cost,resource_tags\n0.1,\"{\"\"user_team\"\":\"\"a\"\"}\"\n",
		"a,b\n\"unterminated\n",
		"\ufeffBilledCost,x\n1E+2,\"q\"\"q\"\n",
		"lineItem/UnblendedCost\nnot-a-number\n",
		"a,b\n1,2,3\n",
		"",
	} {
		f.Add([]byte(s))
	}
	const key = "cur/r/20240301-20240401/a/r-00001.csv"
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{key: &fstest.MapFile{Data: data}}
		d := &Delivery{Bucket: "b", Format: FormatCSV, Compression: CompressionNone, Ready: true,
			Files: []DataFile{{Key: key, Size: int64(len(data))}}}
		rd, err := openFS(t.Context(), fsys, d, func(o *ReadOptions) { o.MaxRecordSize, o.MaxFieldSize = 1<<16, 1<<12 })
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
			_ = row.Columns()
			for _, c := range []string{"lineItem/UnblendedCost", "line_item_unblended_cost", "BilledCost", "a"} {
				_, _ = row.Get(c)
				_, _, _ = row.Decimal(c)
			}
			_, _ = row.Tag("user:team")
			rows++
		}
		err = rd.Err()
		if err == nil {
			return
		}
		requireNamesFile(t, err, key)
		var fe *FileError
		if !errors.Is(err, curerr.ErrMalformed) && !errors.As(err, &fe) {
			t.Fatalf("not a malformed-input error: %v", err)
		}
	})
}

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
		// On the caller's goroutine, and decoded ahead on one of its own:
		// the same rows, and the same end.
		rows1, err1 := fuzzReadParquet(t, key, data, 1)
		rows2, err2 := fuzzReadParquet(t, key, data, 2)
		if rows1 != rows2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("one goroutine: %d rows, %v; two: %d rows, %v", rows1, err1, rows2, err2)
		}
	})
}

// fuzzReadParquet reads a Parquet file as FuzzParquetFile does, with the
// given concurrency, and checks what it returns.
func fuzzReadParquet(t *testing.T, key string, data []byte, concurrency int) (int, error) {
	fsys := fstest.MapFS{key: &fstest.MapFile{Data: data}}
	d := &Delivery{Bucket: "b", Format: FormatParquet, Compression: CompressionParquet, Ready: true,
		Files: []DataFile{{Key: key, Size: int64(len(data))}}}
	rd, err := openFS(t.Context(), fsys, d, func(o *ReadOptions) { o.Concurrency = concurrency })
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
		for i := range row.Header().Len() {
			row.DecimalAt(i)
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
		return rows, nil
	}
	requireNamesFile(t, err, key)
	return rows, err
}

// requireNamesFile fails t unless err is a *ParseError or *FileError that
// names the file key.
func requireNamesFile(t *testing.T, err error, key string) {
	t.Helper()
	var pe *ParseError
	var fe *FileError
	switch {
	case errors.As(err, &pe):
		if pe.File != key {
			t.Fatalf("ParseError names %q: %v", pe.File, err)
		}
	case errors.As(err, &fe):
		if fe.File != key {
			t.Fatalf("FileError names %q: %v", fe.File, err)
		}
	default:
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

// FuzzCheckThrift holds checkThrift to its promise on arbitrary bytes: it
// never panics, never claims more bytes than it was given, and what it
// accepts parquet-go decodes for no more than the cost limit allows.
func FuzzCheckThrift(f *testing.F) {
	footers := generatedFooters(f)
	for _, footer := range footers {
		f.Add(footer)
		f.Add(footer[:len(footer)/2])
	}
	f.Add([]byte{0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07})
	f.Add([]byte{0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x2c, 0x15, 0x02, 0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x1c, 0x18, 0x05, 'a', 'b', 'c', 'd', 'e', 0, 0, 0})
	const limit = 1 << 20
	// Warm parquet-go's decoder caches so that they are not counted below.
	var proto thrift.CompactProtocol
	var warm format.FileMetaData
	_ = thrift.Unmarshal(&proto, footers[0], &warm)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := checkThrift(b, limit)
		if err != nil {
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("walked %d of %d bytes", n, len(b))
		}
		for _, target := range []any{new(format.FileMetaData), new(format.PageHeader)} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_ = thrift.Unmarshal(&proto, b[:n], target)
			runtime.ReadMemStats(&after)
			// Slack for the decoder's own working state.
			if got := after.TotalAlloc - before.TotalAlloc; got > 4*limit+1<<20 {
				t.Fatalf("%d bytes accepted, then decoding %T allocated %d bytes", n, target, got)
			}
		}
	})
}
