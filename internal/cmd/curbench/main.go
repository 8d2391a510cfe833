// Command curbench measures the CSV read path of curreader against its
// ceiling and against the standard library.
//
// It generates (deterministically, streaming to a temporary file) a
// legacy-CUR-like gzip CSV, then times in the same run, each variant in a
// child process of its own so that peak memory is measured separately:
//
//	decompress  klauspost gzip, decompress only, to io.Discard (the ceiling)
//	stdlib      compress/gzip + encoding/csv (ReuseRecord), every record
//	ours        klauspost gzip on its own goroutine → csvsplit, every field,
//	            exact decimal sum of lineItem/UnblendedCost
//
// and prints wall times, rows/s, MB/s of uncompressed CSV, the ratios
// ours/decompress and stdlib/ours, and each child's peak RSS (VmHWM).
// It also times the machine's own ceilings in the same run (ceiling.go):
// decompression while a splitter keeps the other core busy, and two files
// decompressed at once against one after the other; then Parquet against
// its ceilings and against the same rows as gzip CSV (parquet.go: the
// Reader, parquet-go, curcat and, with -duckdb, DuckDB); then a 2-file
// delivery.
//
// Usage:
//
//	go run ./internal/cmd/curbench [-rows 1000000] [-cols 150] [-runs 3] [-file PATH] [-keep]
//		[-csv=false] [-parquet=false] [-delivery=false] [-duckdb DIR]
package main

import (
	"bufio"
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/colname"
	"github.com/curconnect/curconnect/internal/csvsplit"
)

func main() {
	log.SetFlags(0)
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// result is what a child reports.
type result struct {
	Variant  string  `json:"variant"`
	Seconds  float64 `json:"seconds"`
	Rows     int64   `json:"rows"`
	Bytes    int64   `json:"bytes"`
	Sum      string  `json:"sum,omitempty"`
	VmHWMKiB int64   `json:"vmhwm_kib"`
	GoSysMiB float64 `json:"go_sys_mib"`
	CPU      float64 `json:"-"` // user+system seconds of the child, filled by the parent
	// Pipe waits of the ours variant: which side waited for the other.
	ProducerWait float64 `json:"producer_wait,omitempty"`
	ConsumerWait float64 `json:"consumer_wait,omitempty"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("curbench", flag.ContinueOnError)
	rows := fs.Int("rows", 1_000_000, "rows to generate")
	cols := fs.Int("cols", 150, "columns to generate (at least 30)")
	runs := fs.Int("runs", 3, "runs of each variant (the fastest is reported)")
	file := fs.String("file", "", "use (or create, if missing) this .csv.gz instead of a temporary file")
	keep := fs.Bool("keep", false, "keep the generated files (with -parquet, the pair's directory is printed)")
	seed := fs.Uint64("seed", 1, "generator seed")
	child := fs.String("child", "", "internal: run one variant on -file and print JSON")
	csvToo := fs.Bool("csv", true, "time the CSV variants against decompression (-file)")
	parquetToo := fs.Bool("parquet", true, "also time Parquet against its ceilings and the same rows as gzip CSV (see parquet.go)")
	duckdb := fs.String("duckdb", "", "with -parquet: a directory holding node_modules/@duckdb/node-api, to time DuckDB's GROUP BY too")
	deliveryToo := fs.Bool("delivery", true, "also time a 2-file delivery (-rows/2 rows each) at Concurrency 1 and 2")
	cpuprofile := fs.String("cpuprofile", "", "with -child: write a CPU profile of the variant to this file")
	memprofile := fs.String("memprofile", "", "with -child: write a heap profile (as of the variant's last GC) to this file")
	fs.IntVar(&chunkSize, "chunk", 0, "pipe chunk size in bytes for the ours variant (0: default)")
	fs.IntVar(&chunks, "chunks", 0, "pipe chunk count for the ours variant (0: default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *child != "" {
		if *cpuprofile != "" {
			pf, err := os.Create(*cpuprofile)
			if err != nil {
				return err
			}
			defer pf.Close()
			if err := pprof.StartCPUProfile(pf); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		if *child == "busy-split" {
			return busySplit(*file, stdout)
		}
		res, err := runVariant(*child, *file)
		if err != nil {
			return err
		}
		if *memprofile != "" {
			pf, err := os.Create(*memprofile)
			if err != nil {
				return err
			}
			defer pf.Close()
			if err := pprof.Lookup("heap").WriteTo(pf, 0); err != nil {
				return err
			}
		}
		return json.NewEncoder(stdout).Encode(res)
	}

	fmt.Fprintf(stdout, "GOMAXPROCS=%d NumCPU=%d %s\n", runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version())
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if *csvToo {
		if err := benchCSV(ctx, stdout, exe, *file, *rows, *cols, *runs, *seed, *keep); err != nil {
			return err
		}
	}
	if *parquetToo {
		if err := benchParquetPair(ctx, stdout, exe, *rows, *runs, *duckdb, *keep); err != nil {
			return err
		}
	}
	if *deliveryToo {
		if err := benchDelivery(ctx, stdout, exe, *rows, *runs); err != nil {
			return err
		}
	}
	return nil
}

// runChild runs one variant in a child process and returns its result,
// with the child's CPU time.
func runChild(ctx context.Context, exe, v, path string) (result, error) {
	cmd := exec.CommandContext(ctx, exe, "-child", v, "-file", path,
		"-chunk", strconv.Itoa(chunkSize), "-chunks", strconv.Itoa(chunks))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("variant %s: %w", v, err)
	}
	var res result
	if err := json.Unmarshal(out, &res); err != nil {
		return result{}, fmt.Errorf("variant %s: %w", v, err)
	}
	res.CPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return res, nil
}

// Pipe geometry of the "ours" variant (flags -chunk, -chunks; zero = the
// package defaults).
var chunkSize, chunks int

func runVariant(v, path string) (result, error) {
	f, err := os.Open(path)
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	res := result{Variant: v}
	start := time.Now()
	switch v {
	case "decompress":
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
		if err != nil {
			return res, err
		}
		res.Bytes, err = io.Copy(io.Discard, zr)
		if err != nil {
			return res, err
		}
	case "stdlib":
		zr, err := stdgzip.NewReader(bufio.NewReaderSize(f, 256<<10))
		if err != nil {
			return res, err
		}
		cr := csv.NewReader(zr)
		cr.ReuseRecord = true
		if _, err := cr.Read(); err != nil {
			return res, err
		}
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return res, err
			}
			res.Rows++
		}
	case "ours":
		p, err := csvsplit.NewGzip(bufio.NewReaderSize(f, 256<<10), &csvsplit.PipeOptions{ChunkSize: chunkSize, Chunks: chunks})
		if err != nil {
			return res, err
		}
		defer p.Close()
		r := csvsplit.NewReader(p, nil)
		if err := r.Next(); err != nil {
			return res, err
		}
		names := make([]string, r.NumField())
		for i := range names {
			names[i] = string(r.Field(i))
		}
		cols := colname.NewIndex(names).Lookup("line_item_unblended_cost")
		if len(cols) != 1 {
			return res, fmt.Errorf("cost column: %v", cols)
		}
		ci := cols[0]
		var sum decimal.Decimal
		for {
			err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return res, err
			}
			res.Rows++
			f := r.Field(ci)
			if len(f) == 0 {
				continue
			}
			d, err := decimal.ParseBytes(f)
			if err != nil {
				return res, fmt.Errorf("line %d: %s: %w", r.Line(), names[ci], err)
			}
			sum = sum.Add(d)
		}
		res.Sum = sum.String()
		p.Close()
		st := p.Stats()
		res.ProducerWait, res.ConsumerWait = st.ProducerWait.Seconds(), st.ConsumerWait.Seconds()
	case "inflate-read":
		// Diagnostic: decompress with Read into a 512 KiB buffer (one
		// copy out of the decompressor's window, as a pipe must do).
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
		if err != nil {
			return res, err
		}
		buf := make([]byte, 512<<10)
		for {
			n, err := io.ReadFull(zr, buf)
			res.Bytes += int64(n)
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				return res, err
			}
		}
	case "inflate-ring":
		// Diagnostic: the producer side of the pipe alone — decompress
		// with Read into a ring of 4 × 512 KiB buffers, as the pipe's
		// goroutine does, with nobody reading them.
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
		if err != nil {
			return res, err
		}
		var ring [4][]byte
		for i := range ring {
			ring[i] = make([]byte, 512<<10)
		}
		for i := 0; ; i++ {
			n, err := io.ReadFull(zr, ring[i%len(ring)])
			res.Bytes += int64(n)
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				return res, err
			}
		}
	case "splitmem":
		// Diagnostic: the split side alone, on one thread, over up to
		// 512 MB decompressed into memory beforehand (not timed).
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
		if err != nil {
			return res, err
		}
		data, err := io.ReadAll(io.LimitReader(zr, 512<<20))
		if err != nil {
			return res, err
		}
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			data = data[:i+1]
		}
		res.Bytes = int64(len(data))
		start = time.Now()
		r := csvsplit.NewReader(bytes.NewReader(data), nil)
		if err := r.Next(); err != nil {
			return res, err
		}
		var sum decimal.Decimal
		ci := 0
		for i := range r.NumField() {
			if string(r.Field(i)) == costColumn {
				ci = i
			}
		}
		for {
			err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return res, err
			}
			res.Rows++
			if f := r.Field(ci); len(f) > 0 {
				d, err := decimal.ParseBytes(f)
				if err != nil {
					return res, err
				}
				sum = sum.Add(d)
			}
		}
		res.Sum = sum.String()
	case "pq-ceiling", "pq-rowreader", "pq-sum", "pq-sum-c1", "pq-all-pos":
		r, err := runPqVariant(v, path)
		if err != nil {
			return r, err
		}
		res = r
		start = time.Now().Add(-time.Duration(r.Seconds * float64(time.Second)))
	default:
		r, err := runReader(context.Background(), v, path)
		if err != nil {
			return r, err
		}
		res = r
		start = time.Now().Add(-time.Duration(r.Seconds * float64(time.Second)))
	}
	res.Seconds = time.Since(start).Seconds()
	res.VmHWMKiB = vmHWM()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.GoSysMiB = float64(ms.Sys) / (1 << 20)
	return res, nil
}

// vmHWM returns the peak resident set size of this process in KiB, or -1.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			fields := strings.Fields(string(rest))
			if len(fields) > 0 {
				n, err := strconv.ParseInt(fields[0], 10, 64)
				if err == nil {
					return n
				}
			}
		}
	}
	return -1
}

// benchCSV times the CSV variants against decompression (see the package
// documentation).
func benchCSV(ctx context.Context, stdout io.Writer, exe, file string, rows, cols, runs int, seed uint64, keep bool) error {
	path := file
	var want decimal.Decimal
	var size int64
	haveSum := false
	if path == "" {
		dir, err := os.MkdirTemp("", "curbench")
		if err != nil {
			return err
		}
		if !keep {
			defer os.RemoveAll(dir)
		}
		path = filepath.Join(dir, "bench-00001.csv.gz")
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		start := time.Now()
		want, size, err = generate(path, rows, cols, seed)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		haveSum = true
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %s: %d rows × %d columns, %.1f MB CSV, %.1f MB gzip, in %.1fs\n",
			path, rows, cols, float64(size)/1e6, float64(fi.Size())/1e6, time.Since(start).Seconds())
		if keep {
			fmt.Fprintf(stdout, "kept %s\n", path)
		}
	}

	loadBefore, _ := os.ReadFile("/proc/loadavg")
	loadBefore = bytes.TrimSpace(loadBefore)
	best := map[string]result{}
	walls := map[string][]float64{}
	variants := []string{"decompress", "stdlib", "ours", "reader"}
	var beside []float64 // decompress beside busy-split, one per round
	for r := 0; r < runs; r++ {
		res, err := besideSplit(ctx, exe, path)
		if err != nil {
			return err
		}
		beside = append(beside, res.Seconds)
		for _, v := range variants {
			res, err := runChild(ctx, exe, v, path)
			if err != nil {
				return err
			}
			walls[v] = append(walls[v], res.Seconds)
			if b, ok := best[v]; !ok || res.Seconds < b.Seconds {
				if ok {
					res.VmHWMKiB = max(res.VmHWMKiB, b.VmHWMKiB)
				}
				best[v] = res
			} else {
				b.VmHWMKiB = max(res.VmHWMKiB, b.VmHWMKiB)
				best[v] = b
			}
		}
	}
	bytesCSV := best["decompress"].Bytes
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(stdout, "load average before/after: %s / %s", loadBefore, load)
	}
	fmt.Fprintf(stdout, "%-11s %9s %9s %12s %9s %13s %12s\n", "variant", "wall", "CPU", "rows/s", "MB/s", "peak RSS", "Go Sys")
	for _, v := range variants {
		b := best[v]
		rps := "-"
		if b.Rows > 0 {
			rps = strconv.FormatFloat(float64(b.Rows)/b.Seconds, 'f', 0, 64)
		}
		fmt.Fprintf(stdout, "%-11s %8.3fs %8.3fs %12s %9.1f %9.1f MiB %8.1f MiB\n", v, b.Seconds, b.CPU, rps,
			float64(bytesCSV)/1e6/b.Seconds, float64(b.VmHWMKiB)/1024, b.GoSysMiB)
	}
	a, s, o, rd := best["decompress"], best["stdlib"], best["ours"], best["reader"]
	median := func(v string) float64 {
		w := slices.Clone(walls[v])
		slices.Sort(w)
		return w[len(w)/2]
	}
	for _, v := range variants {
		fmt.Fprintf(stdout, "%-11s all runs:", v)
		for _, w := range walls[v] {
			fmt.Fprintf(stdout, " %.3fs", w)
		}
		fmt.Fprintf(stdout, " (median %.3fs)\n", median(v))
	}
	fmt.Fprintf(stdout, "medians: ours/decompress = %.3f, stdlib/ours = %.2f, reader/decompress = %.3f, stdlib/reader = %.2f\n",
		median("ours")/median("decompress"), median("stdlib")/median("ours"),
		median("reader")/median("decompress"), median("stdlib")/median("reader"))
	fmt.Fprintf(stdout, "decompress beside a splitter on the other core, all runs:")
	for _, w := range beside {
		fmt.Fprintf(stdout, " %.3fs", w)
	}
	fmt.Fprintf(stdout, " (median %.3fs)\n", medianOf(beside))
	fmt.Fprintf(stdout, "this machine's 2-stage ceiling: decompression slows %.3f× when the other core splits; reader/(decompress beside a splitter) = %.3f (medians)\n",
		medianOf(beside)/median("decompress"), median("reader")/medianOf(beside))
	fmt.Fprintf(stdout, "fastest runs:\n")
	fmt.Fprintf(stdout, "ours/decompress = %.3f (target ≤ 1.05)\n", o.Seconds/a.Seconds)
	fmt.Fprintf(stdout, "stdlib/ours     = %.2f (target ≥ 2.8)\n", s.Seconds/o.Seconds)
	fmt.Fprintf(stdout, "ours peak RSS   = %.1f MiB (target ≤ 64)\n", float64(o.VmHWMKiB)/1024)
	fmt.Fprintf(stdout, "reader (public curreader.OpenFile): reader/decompress = %.3f, stdlib/reader = %.2f, peak RSS %.1f MiB\n",
		rd.Seconds/a.Seconds, s.Seconds/rd.Seconds, float64(rd.VmHWMKiB)/1024)
	fmt.Fprintf(stdout, "ours pipe waits: splitter waited %.3fs for data, decompressor waited %.3fs for the splitter\n", o.ConsumerWait, o.ProducerWait)
	fmt.Fprintf(stdout, "rows: ours %d, stdlib %d (excluding header)\n", o.Rows, s.Rows)
	fmt.Fprintf(stdout, "sum of %s = %s\n", costColumn, o.Sum)
	if rd.Sum != o.Sum || rd.Rows != o.Rows {
		return fmt.Errorf("reader disagrees with ours: %d rows sum %s, ours %d rows sum %s", rd.Rows, rd.Sum, o.Rows, o.Sum)
	}
	if haveSum {
		if o.Sum != want.String() {
			return fmt.Errorf("sum mismatch: reader %s, generator %s", o.Sum, want)
		}
		fmt.Fprintf(stdout, "sum equals the generator's exact sum\n")
	}
	if o.Rows != s.Rows {
		return fmt.Errorf("row count mismatch: ours %d, encoding/csv %d", o.Rows, s.Rows)
	}
	return nil
}
