package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	bw := bufio.NewWriterSize(stdout, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	headerDone := false
	var h *curreader.Header
	var out []outColumn
	var single []int // each column's one position, when every column has one
	var line []byte
	for row, err := range rd.Rows() {
		if err != nil {
			return err
		}
		if row.Header() != h {
			// Each file has its own header: where each printed column
			// is, resolved once per file rather than by name per cell.
			h = row.Header()
			names := cols
			if names == nil {
				names = row.Columns()
			}
			out = outColumns(h, names)
			single = make([]int, len(out))
			for k, c := range out {
				if len(c.pos) != 1 {
					single = nil
					break
				}
				single[k] = c.pos[0]
			}
		}
		if format == "jsonl" {
			obj := make(map[string]string, len(out))
			for _, c := range out {
				obj[c.name] = string(c.value(row))
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
			continue
		}
		line = line[:0]
		if !headerDone {
			for i, c := range out {
				if i > 0 {
					line = append(line, ',')
				}
				line = appendCSVField(line, []byte(c.name))
			}
			line = append(line, '\n')
			headerDone = true
		}
		if single != nil {
			// Every column at one position (the usual case): no merging.
			for k, i := range single {
				if k > 0 {
					line = append(line, ',')
				}
				line = appendCSVField(line, row.Bytes(i))
			}
		} else {
			for i, c := range out {
				if i > 0 {
					line = append(line, ',')
				}
				line = appendCSVField(line, c.value(row))
			}
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// outColumn is a column rows prints, and where a file has it.
type outColumn struct {
	name string
	// pos are the positions sharing the column's name, the first
	// non-empty of which is its value (as Row.Get merges them); nil when
	// the column has no position of its own (a key of a CUR 2.0 map
	// column, or a column the file lacks): then Row.Get finds it.
	pos []int
}

func outColumns(h *curreader.Header, names []string) []outColumn {
	out := make([]outColumn, len(names))
	for i, name := range names {
		out[i] = outColumn{name: name, pos: positions(h, name)}
	}
	return out
}

// positions returns the positions Row.Get merges for name: the column
// Header.Index finds and every other sharing its canonical name, unless
// name is spelt exactly as one of those (then that one alone).
func positions(h *curreader.Header, name string) []int {
	at := h.Index(name)
	if at < 0 {
		return nil
	}
	canon := h.Canonical(at)
	var pos []int
	for i := range h.Len() {
		if h.Canonical(i) == canon {
			pos = append(pos, i)
		}
	}
	if len(pos) > 1 {
		for _, i := range pos {
			if h.Name(i) == name {
				return []int{i}
			}
		}
	}
	return pos
}

func (c outColumn) value(row curreader.Row) []byte {
	if c.pos == nil {
		v, _ := row.Get(c.name)
		return []byte(v)
	}
	for _, i := range c.pos {
		if b := row.Bytes(i); len(b) > 0 {
			return b
		}
	}
	return nil
}

// appendCSVField appends a field as encoding/csv's Writer writes it (comma
// separator, "\n" line ends): quoted when it holds a quote, a comma or a
// line break, starts with a space, or is `\.`; quotes doubled inside.
func appendCSVField(dst, f []byte) []byte {
	if !needsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for {
		i := bytes.IndexByte(f, '"')
		if i < 0 {
			break
		}
		dst = append(dst, f[:i+1]...)
		dst = append(dst, '"')
		f = f[i+1:]
	}
	dst = append(dst, f...)
	return append(dst, '"')
}

// special marks the bytes that make a CSV field need quotes.
var special = [256]bool{'"': true, ',': true, '\n': true, '\r': true}

// needsQuotes reports whether field f must be quoted, as encoding/csv
// decides: a quote, comma, CR or LF in it, a leading space, or `\.`.
func needsQuotes(f []byte) bool {
	if len(f) == 0 {
		return false
	}
	// Eight bytes at a time: the four special bytes are all below ','+1,
	// which most bytes of CUR values (digits, letters, '.', '-', '/', ':')
	// are not; a word holding a byte below it is checked byte by byte.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(f); i += 8 {
		x := binary.LittleEndian.Uint64(f[i:])
		if (x-ones*(','+1))&^x&highs == 0 {
			continue
		}
		for _, c := range f[i : i+8] {
			if special[c] {
				return true
			}
		}
	}
	for _, c := range f[i:] {
		if special[c] {
			return true
		}
	}
	if f[0] < utf8.RuneSelf {
		return f[0] == ' ' || f[0] == '\t' || f[0] == '\n' || f[0] == '\v' || f[0] == '\f' || f[0] == '\r' ||
			(len(f) == 2 && f[0] == '\\' && f[1] == '.')
	}
	r, _ := utf8.DecodeRune(f)
	return unicode.IsSpace(r)
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
	var h *curreader.Header
	var keyAt, costAt []int
	for row, err := range rd.Rows() {
		if err != nil {
			return err
		}
		if row.Header() != h {
			// Positions once per file, not a lookup by name per row.
			h = row.Header()
			keyAt, costAt = positions(h, by), positions(h, cost)
		}
		out.Rows++
		var key []byte
		if len(keyAt) == 1 {
			key = row.Bytes(keyAt[0])
		} else {
			v, _ := row.Get(by)
			key = []byte(v)
		}
		g := groups[string(key)]
		if g == nil {
			g = &acc{}
			groups[string(key)] = g
		}
		g.rows++
		var v decimal.Decimal
		var ok bool
		if len(costAt) == 1 {
			v, ok, err = row.DecimalAt(costAt[0])
		} else {
			// Absent here, a map key, or several columns to merge:
			// Decimal tells a typo from an absent column too.
			v, ok, err = row.Decimal(cost)
		}
		if err != nil {
			return err
		}
		if ok {
			g.total = g.total.Add(v)
		}
	}
	for k, g := range groups {
		total = total.Add(g.total) // exact: the same total, an addition per group rather than per row
		out.Groups = append(out.Groups, sumGroup{Key: k, Rows: g.rows, Total: g.total.String()})
	}
	out.Total = total.String()
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
