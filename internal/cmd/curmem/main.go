// Command curmem measures the peak memory of reading a large generated
// delivery through the public curreader Reader.
//
// It generates a legacy CUR delivery of one gzip CSV file with -rows rows
// (curreader/curtest, streamed to a temporary directory), then runs itself
// as a child that resolves the delivery with curreader.NewFS, reads every
// row with Resolver.Open and sums the cost column exactly. The child
// reports its peak resident set size (VmHWM from /proc/self/status); the
// parent checks the sum against the generator's ground truth and the peak
// against -limit-mib, and exits 1 if either fails.
//
// Usage:
//
//	go run ./internal/cmd/curmem [-rows 10000000] [-limit-mib 64] [-dir DIR] [-keep]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// result is what the child reports.
type result struct {
	Rows     int64   `json:"rows"`
	Sum      string  `json:"sum"`
	Seconds  float64 `json:"seconds"`
	VmHWMKiB int64   `json:"vmhwm_kib"`
	HeapMiB  float64 `json:"heap_sys_mib"`
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "curmem:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("curmem", flag.ContinueOnError)
	rows := fs.Int("rows", 10_000_000, "rows to generate")
	limit := fs.Int64("limit-mib", 64, "peak RSS limit of the reading process, MiB")
	dir := fs.String("dir", "", "directory for the generated delivery (default: a temporary one)")
	keep := fs.Bool("keep", false, "keep the generated delivery")
	child := fs.String("child", "", "internal: read the delivery under this directory and report")
	cost := fs.String("cost", "", "internal: cost column")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *child != "" {
		return read(ctx, *child, *cost, stdout)
	}

	root := *dir
	if root == "" {
		d, err := os.MkdirTemp("", "curmem-")
		if err != nil {
			return err
		}
		root = d
	}
	if !*keep {
		defer os.RemoveAll(root)
	}
	t0 := time.Now()
	res, err := curtest.Generate(ctx, curtest.DirSink{Root: root}, curtest.Spec{
		Kind: curtest.LegacyCUR, Name: "mem", Prefix: "cur", Format: curtest.CSVGzip,
		Files: 1, Rows: *rows, Seed: 1,
	})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	truth := res.Deliveries[len(res.Deliveries)-1]
	var size int64
	for _, k := range truth.DataKeys {
		if st, err := os.Stat(filepath.Join(root, filepath.FromSlash(k))); err == nil {
			size += st.Size()
		}
	}
	fmt.Fprintf(stdout, "generated %d rows, %d columns, %.1f MiB gzip in %.1fs\n",
		truth.Rows, len(truth.Columns), float64(size)/(1<<20), time.Since(t0).Seconds())

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, "-child", root, "-cost", truth.CostColumn)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("reader process: %w", err)
	}
	var r result
	if err := json.Unmarshal(out, &r); err != nil {
		return fmt.Errorf("reader output %q: %w", out, err)
	}
	want, err := decimal.Parse(truth.Total)
	if err != nil {
		return err
	}
	peak := float64(r.VmHWMKiB) / 1024
	fmt.Fprintf(stdout, "read %d rows in %.1fs (%.0f rows/s); sum %s (truth %s); peak RSS (VmHWM) %.1f MiB, Go heap sys %.1f MiB, limit %d MiB\n",
		r.Rows, r.Seconds, float64(r.Rows)/r.Seconds, r.Sum, want.String(), peak, r.HeapMiB, *limit)
	var errs []error
	if r.Rows != truth.Rows {
		errs = append(errs, fmt.Errorf("read %d rows, the delivery has %d", r.Rows, truth.Rows))
	}
	if r.Sum != want.String() {
		errs = append(errs, fmt.Errorf("sum %s, the truth is %s", r.Sum, want.String()))
	}
	if peak >= float64(*limit) {
		errs = append(errs, fmt.Errorf("peak RSS %.1f MiB is over the limit of %d MiB", peak, *limit))
	}
	return errors.Join(errs...)
}

// read is the child: resolve, read and sum, then report VmHWM.
func read(ctx context.Context, root, costCol string, stdout io.Writer) error {
	t0 := time.Now()
	fsys := os.DirFS(root)
	r := curreader.NewFS(fsys, curtest.DefaultBucket)
	rep, err := r.Find(ctx, "cur", "mem")
	if err != nil {
		return err
	}
	ds, err := r.Latest(ctx, rep)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return errors.New("no delivery")
	}
	rd, err := r.Open(ctx, ds[len(ds)-1])
	if err != nil {
		return err
	}
	defer rd.Close()
	var res result
	var sum decimal.Decimal
	for rd.Next() {
		v, ok, err := rd.Row().Decimal(costCol)
		if err != nil {
			return err
		}
		if ok {
			sum = sum.Add(v)
		}
		res.Rows++
	}
	if err := rd.Err(); err != nil {
		return err
	}
	res.Seconds = time.Since(t0).Seconds()
	res.Sum = sum.String()
	res.VmHWMKiB = vmHWM()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapMiB = float64(ms.HeapSys) / (1 << 20)
	return json.NewEncoder(stdout).Encode(res)
}

// vmHWM returns the process's peak resident set size in KiB, or -1.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}
