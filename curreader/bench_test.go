package curreader

import (
	"bufio"
	stdgzip "compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/curconnect/curconnect/curreader/curtest"
)

// Benchmarks of the public Reader on generated reports (legacy CUR, about
// 150 columns). Each benchmark times its baselines in the same run and
// reports the ratio, since the machine is shared:
//
//	go test ./curreader -run '^$' -bench . -benchtime 3x
//
// Rows per file can be raised with CURCONNECT_BENCH_ROWS (default 100,000).

var (
	benchMu       sync.Mutex
	benchDir      string
	benchFixtures = map[string]*benchFixture{}
)

type benchFixture struct {
	dir   string
	res   *curtest.Result
	files []string // data files, in order
	csv   int64    // uncompressed bytes (CSV fixtures)
}

func cleanBenchFixtures() {
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
}

func benchRows() int {
	if s := os.Getenv("CURCONNECT_BENCH_ROWS"); s != "" {
		var n int
		if _, err := fmt.Sscan(s, &n); err == nil && n > 0 {
			return n
		}
	}
	return 100_000
}

// fixture generates (once per process) a legacy CUR delivery.
func fixture(b *testing.B, name string, format curtest.FileType, files int) *benchFixture {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if f, ok := benchFixtures[name]; ok {
		return f
	}
	if benchDir == "" {
		d, err := os.MkdirTemp("", "curreader-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = d
	}
	dir := filepath.Join(benchDir, name)
	res, err := curtest.Generate(context.Background(), curtest.DirSink{Root: dir}, curtest.Spec{
		Kind: curtest.LegacyCUR, Name: name, Prefix: "cur", Bucket: "bench", Width: curtest.Wide,
		Format: format, Files: files, Rows: benchRows(), Seed: 11,
	})
	if err != nil {
		b.Fatal(err)
	}
	f := &benchFixture{dir: dir, res: res}
	cur := res.Current(res.Periods()[0])
	for _, k := range cur.DataKeys {
		f.files = append(f.files, filepath.Join(dir, k))
	}
	if format == curtest.CSVGzip {
		for _, p := range f.files {
			n, err := decompressedSize(p)
			if err != nil {
				b.Fatal(err)
			}
			f.csv += n
		}
	}
	benchFixtures[name] = f
	return f
}

func decompressedSize(path string) (int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(fh, 256<<10))
	if err != nil {
		return 0, err
	}
	return io.Copy(io.Discard, zr)
}

// delivery resolves the fixture's delivery from its directory.
func (f *benchFixture) delivery(b *testing.B) (*Delivery, *Resolver) {
	b.Helper()
	fsys := os.DirFS(f.dir)
	r := NewFS(fsys, "bench")
	rep, err := r.Find(context.Background(), "cur", f.res.Spec.Name)
	if err != nil {
		b.Fatal(err)
	}
	month, _ := time.Parse("2006-01", f.res.Periods()[0])
	d, err := r.Resolve(context.Background(), rep, month)
	if err != nil {
		b.Fatal(err)
	}
	return d, r
}

// cpuStart marks the process's CPU time when a benchmark loop begins.
func cpuStart() time.Duration { return cpuTime() }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report adds rows/s, MB/s (when bytes > 0) and the cores the loop kept
// busy (process CPU time over wall time, since cpu0).
func report(b *testing.B, rows, bytes int64, cpu0 time.Duration) {
	s := b.Elapsed().Seconds()
	if cpu0 > 0 {
		b.ReportMetric((cpuTime()-cpu0).Seconds()/s, "cores")
	}
	b.ReportMetric(float64(rows)*float64(b.N)/s, "rows/s")
	if bytes > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/s/1e6, "MB/s")
	}
}

// BenchmarkReadCSVGzip: one gzip CSV file. decompress is the ceiling
// (klauspost gzip to io.Discard), encoding-csv the standard library
// (compress/gzip + encoding/csv), reader our public Reader splitting every
// field and summing lineItem/UnblendedCost exactly. reader reports its time
// as a multiple of decompress (x-decompress) and encoding-csv's as a
// multiple of reader's (csv-x-slower).
func BenchmarkReadCSVGzip(b *testing.B) {
	f := fixture(b, "csv1", curtest.CSVGzip, 1)
	path := f.files[0]
	rows := f.res.Current(f.res.Periods()[0]).Rows
	var decompressNs, readerNs float64
	b.Run("decompress", func(b *testing.B) {
		cpu0 := cpuStart()
		for b.Loop() {
			if _, err := decompressedSize(path); err != nil {
				b.Fatal(err)
			}
		}
		report(b, rows, f.csv, cpu0)
		decompressNs = float64(b.Elapsed()) / float64(b.N)
	})
	b.Run("reader", func(b *testing.B) {
		cpu0 := cpuStart()
		for b.Loop() {
			rd, err := OpenFile(b.Context(), path)
			if err != nil {
				b.Fatal(err)
			}
			if n := mustSumRows(b, rd, "lineItem/UnblendedCost"); n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
		}
		report(b, rows, f.csv, cpu0)
		readerNs = float64(b.Elapsed()) / float64(b.N)
		if decompressNs > 0 {
			b.ReportMetric(readerNs/decompressNs, "x-decompress")
		}
	})
	b.Run("encoding-csv", func(b *testing.B) {
		cpu0 := cpuStart()
		for b.Loop() {
			fh, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			zr, err := stdgzip.NewReader(bufio.NewReaderSize(fh, 256<<10))
			if err != nil {
				b.Fatal(err)
			}
			cr := csv.NewReader(zr)
			cr.ReuseRecord = true
			n := int64(-1)
			for {
				_, err := cr.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			fh.Close()
			if n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
		}
		report(b, rows, f.csv, cpu0)
		if readerNs > 0 {
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/readerNs, "csv-x-slower")
		}
	})
}

// BenchmarkReadParquet: one Snappy Parquet file of the same shape, read
// whole and with a 3-column projection (which reads only those columns'
// chunks).
func BenchmarkReadParquet(b *testing.B) {
	f := fixture(b, "pq1", curtest.Parquet, 1)
	path := f.files[0]
	rows := f.res.Current(f.res.Periods()[0]).Rows
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	var allNs float64
	b.Run("all-columns", func(b *testing.B) {
		cpu0 := cpuStart()
		for b.Loop() {
			rd, err := OpenFile(b.Context(), path)
			if err != nil {
				b.Fatal(err)
			}
			if n := mustSumRows(b, rd, "line_item_unblended_cost"); n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
		}
		report(b, rows, fi.Size(), cpu0)
		allNs = float64(b.Elapsed()) / float64(b.N)
	})
	b.Run("3-columns", func(b *testing.B) {
		cols := func(o *ReadOptions) {
			o.Columns = []string{"line_item_unblended_cost", "line_item_product_code", "line_item_usage_account_id"}
		}
		cpu0 := cpuStart()
		for b.Loop() {
			rd, err := OpenFile(b.Context(), path, cols)
			if err != nil {
				b.Fatal(err)
			}
			if n := mustSumRows(b, rd, "line_item_unblended_cost"); n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
		}
		report(b, rows, 0, cpu0)
		if allNs > 0 {
			b.ReportMetric(allNs/(float64(b.Elapsed())/float64(b.N)), "x-faster-than-all")
		}
	})
}

// BenchmarkReadDelivery: a 2-file gzip CSV delivery read one file at a
// time (concurrency-1) and two files in parallel, in manifest order
// (concurrency-2: the second file runs ahead only as far as the memory
// budget holds its rows) and unordered (rows of both files interleave).
// Each reports its speed-up over concurrency-1, which is bounded by the
// cores: one file already keeps decompression and splitting on two
// goroutines (see the cores metric).
func BenchmarkReadDelivery(b *testing.B) {
	f := fixture(b, "csv2", curtest.CSVGzip, 2)
	d, _ := f.delivery(b)
	fsys := os.DirFS(f.dir)
	rows := f.res.Current(f.res.Periods()[0]).Rows
	var oneNs float64
	for _, v := range []struct {
		name      string
		c         int
		unordered bool
	}{{"concurrency-1", 1, false}, {"concurrency-2", 2, false}, {"concurrency-2-unordered", 2, true}} {
		c := v.c
		b.Run(v.name, func(b *testing.B) {
			cpu0 := cpuStart()
			for b.Loop() {
				rd, err := openFS(b.Context(), fsys, d, func(o *ReadOptions) { o.Concurrency, o.Unordered = c, v.unordered })
				if err != nil {
					b.Fatal(err)
				}
				if n := mustSumRows(b, rd, "lineItem/UnblendedCost"); n != rows {
					b.Fatalf("%d rows, want %d", n, rows)
				}
			}
			report(b, rows, f.csv, cpu0)
			ns := float64(b.Elapsed()) / float64(b.N)
			if c == 1 {
				oneNs = ns
			} else if oneNs > 0 {
				b.ReportMetric(oneNs/ns, "x-concurrency-1")
			}
		})
	}
}
