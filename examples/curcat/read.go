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
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/internal/decimal"
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
	fs.StringVar(&f.file, "file", "", "one local .csv, .csv.gz or .csv.zip file, in place of -bucket/-dir")
}

// open resolves the delivery the flags name and opens a Reader over it.
func (f *readFlags) open(ctx context.Context) (*curreader.Reader, error) {
	if f.file != "" {
		if f.bucket != "" || f.dir != "" {
			return nil, usageError{errors.New("-file replaces -bucket and -dir")}
		}
		fi, err := os.Stat(f.file)
		if err != nil || fi.IsDir() {
			return nil, usageError{fmt.Errorf("-file %s is not a file", f.file)}
		}
		name := filepath.Base(f.file)
		d := &curreader.Delivery{Report: name, Ready: true, Files: []curreader.DataFile{{Key: name, Size: fi.Size()}}}
		lower := strings.ToLower(name)
		switch {
		case strings.HasSuffix(lower, ".csv.gz"), strings.HasSuffix(lower, ".gz"):
			d.Format, d.Compression = curreader.FormatCSV, curreader.CompressionGzip
		case strings.HasSuffix(lower, ".csv.zip"), strings.HasSuffix(lower, ".zip"):
			d.Format, d.Compression = curreader.FormatCSV, curreader.CompressionZip
		case strings.HasSuffix(lower, ".csv"):
			d.Format, d.Compression = curreader.FormatCSV, curreader.CompressionNone
		case strings.HasSuffix(lower, ".parquet"):
			d.Format, d.Compression = curreader.FormatParquet, curreader.CompressionParquet
		default:
			return nil, usageError{fmt.Errorf("-file %s: not .csv, .csv.gz, .csv.zip or .parquet", f.file)}
		}
		return curreader.OpenFS(ctx, os.DirFS(filepath.Dir(f.file)), d)
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
	if f.dir != "" {
		return curreader.OpenFS(ctx, os.DirFS(f.dir), d)
	}
	return curreader.Open(ctx, f.client, d)
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
	rd, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer rd.Close()
	var cols []string
	if columns != "" {
		cols = strings.Split(columns, ",")
	}
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
	rd, err := f.open(ctx)
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
	progress := isTerminal(stderr)
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
		if progress && out.Rows%100000 == 0 {
			fmt.Fprintf(stderr, "\r%d rows", out.Rows)
		}
	}
	if progress {
		fmt.Fprintf(stderr, "\r%d rows\n", out.Rows)
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

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
