package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// The Parquet comparison (issue 17): one curtest legacy CUR of -rows rows
// written twice, as Snappy Parquet and as gzip CSV (the same rows), and
// each read timed against its own baseline in the same run:
//
//	pq-ceiling   parquet-go's own page decode of the two columns curcat sum
//	             reads (line_item_unblended_cost, line_item_product_code),
//	             summed per product as float64: the in-process ceiling
//	pq-sum       the Reader with Columns = those two, an exact decimal sum
//	             per product by position (curcat sum's loop, in process);
//	             the pages are decoded ahead on a second goroutine
//	pq-sum-c1    the same with Concurrency 1: every page decoded on the
//	             caller's goroutine
//	pq-rowreader parquet-go's generic row reader (parquet.Reader.ReadRows)
//	             over every column, every value looked at
//	pq-all-pos   the Reader over every column, every value taken by
//	             position (Row.Bytes), and the cost column summed exactly
//	parquet-all  the Reader over every column, the cost summed by name
//	decompress   the gzip CSV decompressed only (the CSV ceiling)
//
// and, as whole processes (wall time and peak RSS of the process), curcat
// sum -by lineItem/ProductCode and curcat rows > /dev/null on both files,
// the pq-ceiling child, and DuckDB's GROUP BY when -duckdb names a
// directory holding the npm package @duckdb/node-api.

// sumColumns are the columns of the sum shape: the group, then the cost.
var sumColumns = []string{"line_item_product_code", "line_item_unblended_cost"}

//go:embed duckdb.js
var duckdbScript string

// pqFiles are the two files of the comparison.
type pqFiles struct {
	dir, parquet, csv string
	want              string // curtest's exact total
}

func genPair(ctx context.Context, rows int) (*pqFiles, error) {
	dir, err := os.MkdirTemp("", "curbench-parquet")
	if err != nil {
		return nil, err
	}
	p := &pqFiles{dir: dir}
	for _, f := range []curtest.FileType{curtest.Parquet, curtest.CSVGzip} {
		sub := filepath.Join(dir, "pq")
		suffix := ".parquet"
		if f == curtest.CSVGzip {
			sub, suffix = filepath.Join(dir, "csv"), ".csv.gz"
		}
		want, err := genCurtest(ctx, sub, f, 1, rows)
		if err != nil {
			return p, err
		}
		files, err := dataFiles(sub, suffix)
		if err != nil || len(files) != 1 {
			return p, fmt.Errorf("generated %s: %v %v", suffix, files, err)
		}
		if p.want != "" && p.want != want {
			return p, fmt.Errorf("curtest totals differ: parquet %s, csv %s", p.want, want)
		}
		p.want = want
		if f == curtest.Parquet {
			p.parquet = files[0]
		} else {
			p.csv = files[0]
		}
	}
	return p, nil
}

// runPqVariant runs the in-process Parquet variants on path (a .parquet
// file).
func runPqVariant(v, path string) (result, error) {
	res := result{Variant: v, Bytes: fileSize(path)}
	start := time.Now()
	var err error
	switch v {
	case "pq-ceiling":
		res.Rows, res.Sum, err = pqCeiling(path)
	case "pq-rowreader":
		res.Rows, res.Sum, err = pqRowReader(path)
	case "pq-sum":
		res.Rows, res.Sum, err = pqSum(path, 0)
	case "pq-sum-c1":
		res.Rows, res.Sum, err = pqSum(path, 1)
	case "pq-all-pos":
		res.Rows, res.Sum, err = pqAllPos(path)
	default:
		return res, fmt.Errorf("unknown variant %q", v)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, err
}

// openPQ opens path with parquet-go as the baselines read it: no page
// index, no bloom filters. The caller closes the file.
func openPQ(path string) (*parquet.File, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil {
		var pf *parquet.File
		if pf, err = parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true)); err == nil {
			return pf, f, nil
		}
	}
	f.Close()
	return nil, nil, err
}

// pqCeiling decodes the pages of the two sum columns with parquet-go and
// sums the cost per product as float64 (not exact: the ceiling).
func pqCeiling(path string) (int64, string, error) {
	pf, f, err := openPQ(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	keyCol, costCol := pf.Root().Column(sumColumns[0]), pf.Root().Column(sumColumns[1])
	if keyCol == nil || costCol == nil {
		return 0, "", errors.New("pq-ceiling: the file lacks the sum columns")
	}
	groups := map[string]int32{}
	var names []string
	var sums []float64
	var rows int64
	var keys []int32
	var costs []float64
	for _, rg := range pf.RowGroups() {
		n := int(rg.NumRows())
		keys, costs = keys[:0], costs[:0]
		// The group column: a key id per row (-1 for null).
		err := eachPage(rg.ColumnChunks()[keyCol.Index()], func(p parquet.Page) error {
			defs := p.DefinitionLevels()
			var dict []byte
			var doffs []uint32
			var idx []int32
			data, offs := []byte(nil), []uint32(nil)
			vals := p.Data()
			if d := p.Dictionary(); d != nil {
				dv := d.Page().Data()
				dict, doffs = dv.ByteArray()
				idx = vals.Int32()
			} else {
				data, offs = vals.ByteArray()
			}
			k := 0
			for r := range int(p.NumRows()) {
				if len(defs) > 0 && defs[r] == 0 {
					keys = append(keys, -1)
					continue
				}
				var b []byte
				if idx != nil {
					j := idx[k]
					b = dict[doffs[j]:doffs[j+1]]
				} else {
					b = data[offs[k]:offs[k+1]]
				}
				k++
				id, ok := groups[string(b)]
				if !ok {
					id = int32(len(names))
					groups[string(b)] = id
					names = append(names, string(b))
					sums = append(sums, 0)
				}
				keys = append(keys, id)
			}
			return nil
		})
		if err != nil {
			return 0, "", err
		}
		err = eachPage(rg.ColumnChunks()[costCol.Index()], func(p parquet.Page) error {
			defs := p.DefinitionLevels()
			data := p.Data()
			vals := data.Double()
			k := 0
			for r := range int(p.NumRows()) {
				if len(defs) > 0 && defs[r] == 0 {
					costs = append(costs, 0)
					continue
				}
				costs = append(costs, vals[k])
				k++
			}
			return nil
		})
		if err != nil {
			return 0, "", err
		}
		if len(keys) != n || len(costs) != n {
			return 0, "", fmt.Errorf("pq-ceiling: %d keys, %d costs for %d rows", len(keys), len(costs), n)
		}
		for r, id := range keys {
			if id >= 0 {
				sums[id] += costs[r]
			}
		}
		rows += int64(n)
	}
	var total float64
	for _, s := range sums {
		total += s
	}
	return rows, fmt.Sprintf("%.4f (float64)", total), nil
}

func eachPage(c parquet.ColumnChunk, fn func(parquet.Page) error) error {
	pages := c.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		err = fn(p)
		parquet.Release(p)
		if err != nil {
			return err
		}
	}
}

// pqRowReader reads every row with parquet-go's generic row reader and
// looks at every value: the non-null count, the bytes of byte arrays, and
// a float64 sum of the cost column.
func pqRowReader(path string) (int64, string, error) {
	pf, f, err := openPQ(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	cost := pf.Root().Column(sumColumns[1]).Index()
	r := parquet.NewReader(pf)
	defer r.Close()
	buf := make([]parquet.Row, 256)
	var rows, nonNull, bytes int64
	var sum float64
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			for _, v := range row {
				if v.IsNull() {
					continue
				}
				nonNull++
				switch v.Kind() {
				case parquet.ByteArray:
					bytes += int64(len(v.ByteArray()))
				case parquet.Double:
					if v.Column() == cost {
						sum += v.Double()
					}
				}
			}
		}
		rows += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, "", err
		}
	}
	return rows, fmt.Sprintf("%.4f (float64; %d values, %d bytes)", sum, nonNull, bytes), nil
}

// pqSum is curcat sum's loop in process: the Reader projected to the two
// sum columns, an exact sum per group read by position, with the given
// Concurrency (0: the default).
func pqSum(path string, concurrency int) (int64, string, error) {
	rd, err := curreader.OpenFile(context.Background(), path, func(o *curreader.ReadOptions) {
		o.Columns, o.Concurrency = sumColumns, concurrency
	})
	if err != nil {
		return 0, "", err
	}
	defer rd.Close()
	type acc struct{ total decimal.Decimal }
	groups := map[string]*acc{}
	var h *curreader.Header
	var key, cost int
	var rows int64
	var total decimal.Decimal
	for rd.Next() {
		row := rd.Row()
		if row.Header() != h {
			h = row.Header()
			key, cost = h.Index(sumColumns[0]), h.Index(sumColumns[1])
			if key < 0 || cost < 0 {
				return 0, "", fmt.Errorf("pq-sum: %s lacks the sum columns", path)
			}
		}
		rows++
		g := groups[string(row.Bytes(key))]
		if g == nil {
			g = &acc{}
			groups[string(row.Bytes(key))] = g
		}
		d, ok, err := row.DecimalAt(cost)
		if err != nil {
			return rows, "", err
		}
		if ok {
			g.total = g.total.Add(d)
		}
	}
	for _, g := range groups {
		total = total.Add(g.total)
	}
	return rows, total.String(), rd.Err()
}

// pqAllPos reads every column of every row by position, and sums the
// cost column exactly.
func pqAllPos(path string) (int64, string, error) {
	rd, err := curreader.OpenFile(context.Background(), path)
	if err != nil {
		return 0, "", err
	}
	defer rd.Close()
	var h *curreader.Header
	cost := -1
	var rows, nonEmpty, bytes int64
	var total decimal.Decimal
	for rd.Next() {
		row := rd.Row()
		if row.Header() != h {
			h = row.Header()
			cost = h.Index(sumColumns[1])
		}
		rows++
		for i := range h.Len() {
			if b := row.Bytes(i); len(b) > 0 {
				nonEmpty++
				bytes += int64(len(b))
			}
		}
		if cost >= 0 {
			d, ok, err := row.DecimalAt(cost)
			if err != nil {
				return rows, "", err
			}
			if ok {
				total = total.Add(d)
			}
		}
	}
	_ = nonEmpty
	return rows, total.String(), rd.Err()
}

// procResult is a whole process: its wall time and peak RSS.
type procResult struct {
	seconds float64
	rssKiB  int64
	out     string // stdout, unless it went to /dev/null
	extra   string // DuckDB's own query time, from its stderr
}

// runProc runs a command as a whole process; stdout to /dev/null when
// devnull, else captured. Its peak RSS comes from GNU time when
// /usr/bin/time exists: the rusage of a child this process starts
// directly counts this process's own peak too (Linux records the old
// memory's peak at exec, and Go starts children with vfork), so that
// figure is only an upper bound.
func runProc(ctx context.Context, devnull bool, name string, args ...string) (procResult, error) {
	var rssFile string
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		f, err := os.CreateTemp("", "curbench-rss")
		if err != nil {
			return procResult{}, err
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		args = append([]string{"-f", "%M", "-o", rssFile, name}, args...)
		name = "/usr/bin/time"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb strings.Builder
	if devnull {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return procResult{}, err
		}
		defer null.Close()
		cmd.Stdout = null
	} else {
		cmd.Stdout = &out
	}
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	if err != nil {
		return procResult{}, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, errb.String())
	}
	res := procResult{seconds: wall, out: out.String(), extra: strings.TrimSpace(errb.String())}
	if rssFile != "" {
		b, err := os.ReadFile(rssFile)
		if err == nil {
			_, err = fmt.Sscan(string(b), &res.rssKiB)
		}
		if err != nil {
			return res, fmt.Errorf("peak RSS from /usr/bin/time: %w (%q)", err, b)
		}
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.rssKiB = ru.Maxrss
	}
	return res, nil
}

// buildCurcat builds examples/curcat into dir.
func buildCurcat(ctx context.Context, dir string) (string, error) {
	exe := filepath.Join(dir, "curcat")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", exe, "github.com/curconnect/curconnect/examples/curcat")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build curcat (run curbench inside the module): %w", err)
	}
	return exe, nil
}

// series holds the runs of each measurement, in process (children's own
// timing) or as whole processes.
type series struct {
	order []string
	wall  map[string][]float64
	rss   map[string]int64
	note  map[string]string
}

func newSeries() *series {
	return &series{wall: map[string][]float64{}, rss: map[string]int64{}, note: map[string]string{}}
}

func (s *series) add(name string, sec float64, rssKiB int64) {
	if _, ok := s.wall[name]; !ok {
		s.order = append(s.order, name)
	}
	s.wall[name] = append(s.wall[name], sec)
	s.rss[name] = max(s.rss[name], rssKiB)
}

func (s *series) med(name string) float64 {
	if len(s.wall[name]) == 0 {
		return 0
	}
	return medianOf(s.wall[name])
}

func benchParquetPair(ctx context.Context, w io.Writer, exe string, rows, runs int, duckdb string, keep bool) error {
	start := time.Now()
	p, err := genPair(ctx, rows)
	if p != nil && !keep {
		defer os.RemoveAll(p.dir)
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	curcat, err := buildCurcat(ctx, p.dir)
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(w, "\nkept: %s (Parquet %s, gzip CSV %s)\n", p.dir, p.parquet, p.csv)
	}
	fmt.Fprintf(w, "\nParquet against CSV: %d rows of one curtest wide legacy CUR, as Snappy Parquet (%.1f MB, %d columns) and gzip CSV (%.1f MB), generated in %.1fs\n",
		rows, float64(fileSize(p.parquet))/1e6, pqWidth(p.parquet), float64(fileSize(p.csv))/1e6, time.Since(start).Seconds())
	in, proc := newSeries(), newSeries()
	sums := map[string]string{}
	for range max(1, runs) {
		for _, v := range []string{"pq-ceiling", "pq-sum", "pq-sum-c1", "pq-rowreader", "pq-all-pos", "parquet-all"} {
			path := p.parquet
			if v == "parquet-all" {
				path = filepath.Join(p.dir, "pq")
			}
			t0 := time.Now()
			res, err := runChild(ctx, exe, v, path)
			if err != nil {
				return err
			}
			in.add(v, res.Seconds, res.VmHWMKiB)
			proc.add(v, time.Since(t0).Seconds(), res.VmHWMKiB)
			sums[v] = res.Sum
		}
		res, err := runChild(ctx, exe, "decompress", p.csv)
		if err != nil {
			return err
		}
		in.add("decompress", res.Seconds, res.VmHWMKiB)
		for _, c := range []struct {
			name   string
			devnul bool
			args   []string
		}{
			{"curcat sum parquet", false, []string{"sum", "-file", p.parquet, "-by", "lineItem/ProductCode"}},
			{"curcat sum csv.gz", false, []string{"sum", "-file", p.csv, "-by", "lineItem/ProductCode"}},
			{"curcat rows parquet", true, []string{"rows", "-file", p.parquet}},
			{"curcat rows csv.gz", true, []string{"rows", "-file", p.csv}},
		} {
			r, err := runProc(ctx, c.devnul, curcat, c.args...)
			if err != nil {
				return err
			}
			proc.add(c.name, r.seconds, r.rssKiB)
			if !c.devnul {
				sums[c.name] = r.out
			}
		}
		if duckdb != "" {
			script := filepath.Join(p.dir, "duckdb.js")
			if err := os.WriteFile(script, []byte(duckdbScript), 0o644); err != nil {
				return err
			}
			r, err := runProc(ctx, false, "node", script, duckdb, p.parquet, sumColumns[0], sumColumns[1])
			if err != nil {
				return err
			}
			proc.add("duckdb (node)", r.seconds, r.rssKiB)
			var q float64
			if _, err := fmt.Sscanf(r.extra, "query %f", &q); err == nil {
				in.add("duckdb query", q, 0)
			}
			r, err = runProc(ctx, false, "node", "-e", "")
			if err != nil {
				return err
			}
			proc.add("node -e ''", r.seconds, r.rssKiB)
		}
	}
	// rates gives rows/s and MB/s of the file read (the Parquet file, or
	// the gzip CSV for the CSV reads).
	rates := func(name string, sec float64) string {
		if sec <= 0 || strings.HasPrefix(name, "node") {
			return ""
		}
		size := fileSize(p.parquet)
		if strings.Contains(name, "csv") || name == "decompress" {
			size = fileSize(p.csv)
		}
		return fmt.Sprintf("%6.2f M rows/s %7.1f MB/s", float64(rows)/sec/1e6, float64(size)/1e6/sec)
	}
	row := func(s *series, name, base string, target string) {
		ratio := "-"
		if base != "" && s.med(base) > 0 {
			ratio = fmt.Sprintf("%.2f × %s", s.med(name)/s.med(base), base)
		}
		fmt.Fprintf(w, "  %-22s %8.3fs  %-34s %8.1f MiB  %s  %s\n", name, s.med(name), ratio, float64(s.rss[name])/1024, rates(name, s.med(name)), target)
	}
	fmt.Fprintf(w, "in process (medians of %d runs; each variant in its own child):\n", max(1, runs))
	row(in, "pq-ceiling", "", "ceiling: parquet-go decodes the 2 sum columns")
	row(in, "pq-sum", "pq-ceiling", "target ≤ 2 (pages decoded on a 2nd goroutine)")
	row(in, "pq-sum-c1", "pq-ceiling", "the same on one goroutine (Concurrency 1)")
	if _, ok := in.wall["duckdb query"]; ok {
		row(in, "duckdb query", "pq-sum", "DuckDB's GROUP BY, its own timing")
	}
	row(in, "pq-rowreader", "", "parquet-go's row reader, every column")
	row(in, "pq-all-pos", "pq-rowreader", "target ≤ 1.3, peak RSS ≤ 64 MiB")
	row(in, "parquet-all", "pq-rowreader", "every column, cost summed by name")
	row(in, "decompress", "", "the gzip CSV, decompressed only")
	fmt.Fprintf(w, "whole processes (wall time from start to exit, peak RSS of the process):\n")
	row(proc, "pq-ceiling", "", "the ceiling as a process")
	row(proc, "curcat sum parquet", "pq-ceiling", "target ≤ 2")
	row(proc, "curcat sum csv.gz", "curcat sum parquet", "")
	if _, ok := proc.wall["duckdb (node)"]; ok {
		row(proc, "duckdb (node)", "curcat sum parquet", "")
		row(proc, "node -e ''", "", "node's own start")
	}
	fmt.Fprintf(w, "  curcat rows csv.gz    %8.3fs  %.2f × decompress (in process)      %8.1f MiB  %s  target ≤ 3\n",
		proc.med("curcat rows csv.gz"), proc.med("curcat rows csv.gz")/in.med("decompress"), float64(proc.rss["curcat rows csv.gz"])/1024,
		rates("curcat rows csv.gz", proc.med("curcat rows csv.gz")))
	row(proc, "curcat rows parquet", "curcat rows csv.gz", "target ≤ 1")
	// Exactness: every exact sum is curtest's, and curcat prints the same
	// totals, digit for digit, from both files.
	for _, v := range []string{"pq-sum", "pq-sum-c1", "pq-all-pos", "parquet-all"} {
		if sums[v] != p.want {
			return fmt.Errorf("%s: sum %s, curtest wrote %s", v, sums[v], p.want)
		}
	}
	a, b := sums["curcat sum parquet"], sums["curcat sum csv.gz"]
	if a != b || !strings.Contains(a, p.want) {
		return fmt.Errorf("curcat sum differs between Parquet and CSV (or from curtest's %s):\n%s\n%s", p.want, a, b)
	}
	fmt.Fprintf(w, "every exact sum equals curtest's total %s; curcat sum prints the same table from both files\n", p.want)
	return nil
}

// pqWidth returns the number of top-level columns of a Parquet file.
func pqWidth(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return 0
	}
	return len(pf.Root().Columns())
}
