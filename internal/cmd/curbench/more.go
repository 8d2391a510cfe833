package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// The public Reader's variants:
//
//	reader      curreader.OpenFile on the same .csv.gz, every field split,
//	            exact sum of lineItem/UnblendedCost
//	parquet-all curreader.OpenFile on a Snappy Parquet file of the same
//	            shape (curtest, wide legacy CUR), every column
//	parquet3    the same file with a 3-column projection
//	c1, c2, c2u a 2-file gzip CSV delivery (curtest, half the rows in each
//	            file) read with Concurrency 1, 2 (manifest order) and 2
//	            Unordered

// pqColumns is the 3-column projection of the parquet3 variant.
var pqColumns = []string{"line_item_unblended_cost", "line_item_product_code", "line_item_usage_account_id"}

// genCurtest writes a curtest legacy CUR (wide) under dir and returns the
// exact cost total curtest reports.
func genCurtest(ctx context.Context, dir string, format curtest.FileType, files, rowsPerFile int) (string, error) {
	res, err := curtest.Generate(ctx, curtest.DirSink{Root: dir}, curtest.Spec{
		Kind: curtest.LegacyCUR, Name: "bench", Prefix: "cur", Bucket: "bench", Width: curtest.Wide,
		Format: format, Files: files, Rows: rowsPerFile, Seed: 5,
	})
	if err != nil {
		return "", err
	}
	cur := res.Current(res.Periods()[0])
	return decimal.MustParse(cur.Total).String(), nil
}

// dataFiles lists the data files curtest wrote under dir, in order.
func dataFiles(dir, suffix string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

// runReader runs a variant that goes through the public curreader API.
func runReader(ctx context.Context, v, path string) (result, error) {
	res := result{Variant: v}
	var opts []func(*curreader.ReadOptions)
	cost := costColumn
	start := time.Now()
	var rd *curreader.Reader
	var err error
	switch v {
	case "reader":
		rd, err = curreader.OpenFile(ctx, path)
	case "parquet-all", "parquet3":
		cost = "line_item_unblended_cost"
		if v == "parquet3" {
			opts = append(opts, func(o *curreader.ReadOptions) { o.Columns = pqColumns })
		}
		files, ferr := dataFiles(path, ".parquet")
		if ferr != nil || len(files) != 1 {
			return res, fmt.Errorf("%s: want one parquet file under %s (%v)", v, path, ferr)
		}
		rd, err = curreader.OpenFile(ctx, files[0], opts...)
		res.Bytes = fileSize(files[0])
	case "c1", "c2", "c2u":
		c := 1
		if v != "c1" {
			c = 2
		}
		r := curreader.NewFS(os.DirFS(path), "bench")
		rep, ferr := r.Find(ctx, "cur", "bench")
		if ferr != nil {
			return res, ferr
		}
		ds, ferr := r.Latest(ctx, rep)
		if ferr != nil || len(ds) == 0 {
			return res, fmt.Errorf("%s: no delivery under %s (%v)", v, path, ferr)
		}
		d := ds[len(ds)-1]
		start = time.Now()
		rd, err = r.Open(ctx, d, func(o *curreader.ReadOptions) { o.Concurrency, o.Unordered = c, v == "c2u" })
	default:
		return res, fmt.Errorf("unknown variant %q", v)
	}
	if err != nil {
		return res, err
	}
	defer rd.Close()
	var sum decimal.Decimal
	for rd.Next() {
		res.Rows++
		d, ok, err := rd.Row().Decimal(cost)
		if err != nil {
			return res, err
		}
		if ok {
			sum = sum.Add(d)
		}
	}
	if err := rd.Err(); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	res.Sum = sum.String()
	return res, nil
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// runSeries runs the variants runs times each, interleaved, and returns
// each variant's runs.
func runSeries(ctx context.Context, exe, path string, variants []string, runs int) (map[string][]result, error) {
	out := map[string][]result{}
	for range max(1, runs) {
		for _, v := range variants {
			res, err := runChild(ctx, exe, v, path)
			if err != nil {
				return nil, err
			}
			out[v] = append(out[v], res)
		}
	}
	return out, nil
}

// medianRun returns the run with the median wall time, and the peak RSS
// over all runs.
func medianRun(rs []result) (result, float64) {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int { return cmp.Compare(a.Seconds, b.Seconds) })
	var peak int64
	for _, r := range rs {
		peak = max(peak, r.VmHWMKiB)
	}
	return s[len(s)/2], float64(peak) / 1024
}

func printRun(w io.Writer, v string, r result, peakMiB float64, bytes int64) {
	mbs := "-"
	if bytes > 0 {
		mbs = strconv.FormatFloat(float64(bytes)/1e6/r.Seconds, 'f', 1, 64)
	}
	fmt.Fprintf(w, "%-11s %8.3fs %8.3fs %5.2f cores %12.0f rows/s %9s MB/s %9.1f MiB peak RSS\n",
		v, r.Seconds, r.CPU, r.CPU/r.Seconds, float64(r.Rows)/r.Seconds, mbs, peakMiB)
}

func benchDelivery(ctx context.Context, w io.Writer, exe string, rows, runs int) error {
	dir, err := os.MkdirTemp("", "curbench-delivery")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	want, err := genCurtest(ctx, dir, curtest.CSVGzip, 2, rows/2)
	if err != nil {
		return fmt.Errorf("generate delivery: %w", err)
	}
	fmt.Fprintf(w, "\n2-file delivery: 2 × %d rows (curtest wide legacy CUR, gzip CSV), generated in %.1fs\n", rows/2, time.Since(start).Seconds())
	gz, err := dataFiles(dir, ".csv.gz")
	if err != nil || len(gz) != 2 {
		return fmt.Errorf("generated delivery: %v %v", gz, err)
	}
	var serial, pair []float64
	series := map[string][]result{}
	for range max(1, runs) {
		s, p, err := decompressPair(ctx, exe, gz[0], gz[1])
		if err != nil {
			return err
		}
		serial, pair = append(serial, s), append(pair, p)
		one, err := runSeries(ctx, exe, dir, []string{"c1", "c2", "c2u"}, 1)
		if err != nil {
			return err
		}
		for v, rs := range one {
			series[v] = append(series[v], rs...)
		}
	}
	c1, c1Peak := medianRun(series["c1"])
	c2, c2Peak := medianRun(series["c2"])
	c2u, c2uPeak := medianRun(series["c2u"])
	printRun(w, "c1", c1, c1Peak, 0)
	printRun(w, "c2", c2, c2Peak, 0)
	printRun(w, "c2u", c2u, c2uPeak, 0)
	fmt.Fprintf(w, "throughput over concurrency 1 (medians; target ≥ 1.8 on 2 cores): ordered %.2f×, unordered %.2f×\n", c1.Seconds/c2.Seconds, c1.Seconds/c2u.Seconds)
	fmt.Fprintf(w, "ceiling on %d cores: %.2f× (concurrency 1 already keeps %.2f cores busy)\n", runtime.NumCPU(), float64(runtime.NumCPU())/(c1.CPU/c1.Seconds), c1.CPU/c1.Seconds)
	scale := medianOf(serial) / medianOf(pair)
	fmt.Fprintf(w, "this machine's own 2-way scaling: the 2 files decompressed (only) one after the other %.3fs, both at once %.3fs = %.2f× (medians; 2.00 would be two independent cores)\n",
		medianOf(serial), medianOf(pair), scale)
	fmt.Fprintf(w, "unordered concurrency 2 reaches %.0f%% of that scaling\n", 100*(c1.Seconds/c2u.Seconds)/scale)
	for _, r := range []result{c1, c2, c2u} {
		if r.Sum != want || int(r.Rows) != 2*(rows/2) {
			return fmt.Errorf("%s: %d rows sum %s, curtest wrote %d rows sum %s", r.Variant, r.Rows, r.Sum, 2*(rows/2), want)
		}
	}
	fmt.Fprintf(w, "both sums equal curtest's exact total %s\n", want)
	return nil
}
