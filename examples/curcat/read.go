package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// readFlags are the flags of rows and sum.
type readFlags struct {
	source
	report, period, file string
}

func (f *readFlags) register(fs *flag.FlagSet) {
	f.source.register(fs)
	fs.StringVar(&f.report, "report", "", "the report or export name")
	fs.StringVar(&f.period, "period", "", "the billing period, YYYY-MM")
	fs.StringVar(&f.file, "file", "", "one local .csv, .csv.gz, .csv.zip or .parquet file, in place of -bucket/-dir")
}

// open resolves the delivery the flags name and opens a Reader over it.
func (f *readFlags) open(ctx context.Context, opts ...func(*curreader.ReadOptions)) (*curreader.Reader, error) {
	if f.file != "" {
		if f.bucket != "" || f.dir != "" {
			return nil, usageError{errors.New("-file replaces -bucket and -dir")}
		}
		fi, err := os.Stat(f.file)
		if err != nil || fi.IsDir() {
			return nil, usageError{fmt.Errorf("-file %s is not a file", f.file)}
		}
		rd, err := curreader.OpenFile(ctx, f.file, opts...)
		if errors.Is(err, curreader.ErrUnsupportedFormat) {
			return nil, usageError{fmt.Errorf("-file %s: not .csv, .csv.gz, .csv.zip or .parquet", f.file)}
		}
		return rd, err
	}
	if f.report == "" || f.period == "" {
		return nil, usageError{errors.New("-report and -period are required (or -file)")}
	}
	month, err := time.Parse("2006-01", f.period)
	if err != nil {
		return nil, usageError{fmt.Errorf("-period %q is not YYYY-MM", f.period)}
	}
	r, err := f.resolver(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := r.Find(ctx, f.prefix, f.report)
	if err != nil {
		return nil, err
	}
	d, err := r.Resolve(ctx, rep, month)
	if err != nil {
		return nil, err
	}
	return r.Open(ctx, d, opts...)
}

func parseSub(name string, args []string, stderr io.Writer, register func(*flag.FlagSet)) error {
	fs := flag.NewFlagSet("curcat "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}
	return nil
}

func runRows(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f readFlags
	var columns, format string
	if err := parseSub("rows", args, stderr, func(fs *flag.FlagSet) {
		f.register(fs)
		fs.StringVar(&columns, "columns", "", "comma-separated columns to print, in either naming scheme (default: all)")
		fs.StringVar(&format, "format", "csv", "csv or jsonl")
	}); err != nil {
		return err
	}
	if format != "csv" && format != "jsonl" {
		return usageError{fmt.Errorf("-format %q: want csv or jsonl", format)}
	}
	var cols []string
	if columns != "" {
		cols = strings.Split(columns, ",")
	}
	rd, err := f.open(ctx, func(o *curreader.ReadOptions) { o.Columns = cols })
	if err != nil {
		return err
	}
	defer rd.Close()
	cw := csv.NewWriter(stdout)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	headerDone := false
	for row, err := range rd.Rows() {
		if err != nil {
			return err
		}
		names := cols
		if names == nil {
			names = row.Columns()
		}
		vals := make([]string, len(names))
		for i, c := range names {
			vals[i], _ = row.Get(c)
		}
		if format == "jsonl" {
			obj := make(map[string]string, len(names))
			for i, c := range names {
				obj[c] = vals[i]
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
			continue
		}
		if !headerDone {
			if err := cw.Write(names); err != nil {
				return err
			}
			headerDone = true
		}
		if err := cw.Write(vals); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// sumOutput is `sum -json`.
type sumOutput struct {
	Rows   int64      `json:"rows"`
	Total  string     `json:"total"`
	Groups []sumGroup `json:"groups"`
}

type sumGroup struct {
	Key   string `json:"key"`
	Rows  int64  `json:"rows"`
	Total string `json:"total"`
}

func runSum(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f readFlags
	var by, cost string
	if err := parseSub("sum", args, stderr, func(fs *flag.FlagSet) {
		f.register(fs)
		fs.StringVar(&by, "by", "", "the column to group by, in either naming scheme")
		fs.StringVar(&cost, "cost", "lineItem/UnblendedCost", "the cost column (FOCUS: BilledCost)")
	}); err != nil {
		return err
	}
	if by == "" {
		return usageError{errors.New("-by is required")}
	}
	progress := isTerminal(stderr)
	rd, err := f.open(ctx, func(o *curreader.ReadOptions) {
		o.Columns = []string{by, cost}
		if progress {
			o.Progress = func(p curreader.Progress) { fmt.Fprint(stderr, progressLine(p)) }
		}
	})
	if err != nil {
		return err
	}
	defer rd.Close()
	type acc struct {
		rows  int64
		total decimal.Decimal
	}
	groups := map[string]*acc{}
	var out sumOutput
	var total decimal.Decimal
	for row, err := range rd.Rows() {
		if err != nil {
			return err
		}
		out.Rows++
		key, _ := row.Get(by)
		g := groups[key]
		if g == nil {
			g = &acc{}
			groups[key] = g
		}
		g.rows++
		v, ok, err := row.Decimal(cost)
		if err != nil {
			return err
		}
		if ok {
			g.total = g.total.Add(v)
			total = total.Add(v)
		}
	}
	out.Total = total.String()
	for k, g := range groups {
		out.Groups = append(out.Groups, sumGroup{Key: k, Rows: g.rows, Total: g.total.String()})
	}
	sort.Slice(out.Groups, func(i, j int) bool {
		a, b := decimal.MustParse(out.Groups[i].Total), decimal.MustParse(out.Groups[j].Total)
		if c := a.Cmp(b); c != 0 {
			return c > 0
		}
		return out.Groups[i].Key < out.Groups[j].Key
	})
	if f.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "%-40s %10s %20s\n", strings.ToUpper(by), "ROWS", "TOTAL")
	for _, g := range out.Groups {
		key := g.Key
		if key == "" {
			key = "(none)"
		}
		fmt.Fprintf(stdout, "%-40s %10d %20s\n", key, g.Rows, g.Total)
	}
	fmt.Fprintf(stdout, "%-40s %10d %20s\n", "TOTAL", out.Rows, out.Total)
	return nil
}

// progressLine renders a progress report as one terminal line ("\r" to
// redraw it; a newline after the last).
func progressLine(p curreader.Progress) string {
	s := fmt.Sprintf("\r%d rows, file %d of %d, %.1f MB", p.Rows, min(p.FilesDone+1, p.Files), p.Files, float64(p.Bytes)/1e6)
	if p.TotalBytes > 0 {
		s += fmt.Sprintf(" of %.1f MB (%.0f%%)", float64(p.TotalBytes)/1e6, 100*float64(p.Bytes)/float64(p.TotalBytes))
	}
	if p.Done {
		s += "\n"
	}
	return s
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
