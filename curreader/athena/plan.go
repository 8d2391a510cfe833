package athena

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/colname"
)

// Hive classes the tables use. AWS documents each in its S3 Inventory and
// Athena guides (see the package documentation).
const (
	// InputFormat reads a partition's symlink files, each listing data
	// files by URI, one per line, and then those files.
	InputFormat = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat"
	// OutputFormat is the output format symlink tables declare; Athena
	// never writes through it.
	OutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	// SerDeCSV reads CSV deliveries.
	SerDeCSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
	// SerDeParquet reads Parquet deliveries, matching columns by name.
	SerDeParquet = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
)

// Parameters this package sets on tables and partitions, so that a later
// run knows what it published: the report a table was made for, and the
// delivery version each partition reads.
const (
	ParamReport   = "curconnect.report"
	ParamPrefix   = "curconnect.prefix"
	ParamBucket   = "curconnect.bucket"
	ParamKind     = "curconnect.kind"
	ParamVersion  = "curconnect.version"
	ParamManifest = "curconnect.manifest"
	ParamFiles    = "curconnect.files"
)

// SymlinkName is the name of the symlink file in each partition's folder.
const SymlinkName = "symlink.txt"

// Options are the optional settings of NewPlan and Publish.
type Options struct {
	// Report, when set, plans only the report or export of that name
	// (curreader.ErrReportNotFound when there is none).
	Report string
	// TableName names a report's table. If nil, TableName(rep.Name). It
	// must return lower-case letters, digits and '_'.
	TableName func(rep curreader.Report) string
	// Published records the deliveries already published by this package
	// (Plan.Commit records them). Their partitions are planned again, with
	// Changed false, but their CSV rows are not scanned again and only one
	// Parquet footer of each is read. Publish sets it from the catalog.
	Published *curreader.SyncState
	// ReadOptions apply to the scan of a CSV delivery's rows (Concurrency,
	// MemoryBudget, MaxFieldSize…).
	ReadOptions []func(*curreader.ReadOptions)
}

// Column is a column of a table.
type Column struct {
	// Name is the column's name in the table: lower-case letters, digits
	// and '_'.
	Name string
	// Type is its Hive type: string, double, timestamp, map<string,string>…
	Type string
	// Comment says where a CSV column comes from (its header spelling) and
	// the type AWS documents for it, where that is not string.
	Comment string
}

// Table is the table of one report.
type Table struct {
	Database, Name string
	// Report is the report or export; ReportPrefix its report prefix
	// (curreader.Report.Prefix), Bucket the bucket it is delivered to.
	Report, ReportPrefix, Bucket string
	// Kind and Format are those of its newest delivery; every partition
	// shares the format.
	Kind   curreader.Kind
	Format curreader.Format
	// Columns are the data columns. The partition column is PartitionKey,
	// a string.
	Columns []Column
	// SerDe and SerDeParameters read the data files; InputFormat and
	// OutputFormat are the package constants.
	SerDe           string
	SerDeParameters map[string]string
	InputFormat     string
	OutputFormat    string
	// Location is s3://BUCKET/PREFIX/<database>/<table>/.
	Location string
	// Parameters are the table properties (TBLPROPERTIES).
	Parameters map[string]string
	// Partitions are the billing periods, oldest first. A table may have
	// none when every period was left out.
	Partitions []*Partition
	// Warnings are things a reader of the table should know that do not
	// make it read wrong: a Parquet type that differs from the one AWS
	// documents, files of a delivery with different column sets, keys
	// with "//".
	Warnings []string
}

// Partition is one billing period of a table.
type Partition struct {
	// Period is the billing period, YYYY-MM: the value of PartitionKey.
	Period string
	// Location is the partition's folder,
	// s3://BUCKET/PREFIX/<database>/<table>/billing_period=YYYY-MM/.
	Location string
	// SymlinkBucket and SymlinkKey locate its symlink file (SymlinkName in
	// Location).
	SymlinkBucket, SymlinkKey string
	// Delivery is the delivery it reads: exactly the files of its manifest.
	Delivery *curreader.Delivery
	// Files are the data files' s3:// URIs in manifest order: the symlink
	// file's lines.
	Files []string
	// Changed reports that the delivery is not the one Options.Published
	// records: its symlink file must be (re)written.
	Changed bool
	// Parameters are the partition's properties (ParamVersion,
	// ParamManifest, ParamFiles…).
	Parameters map[string]string
}

// Symlink returns the symlink file's content: the data files' URIs, one
// per line, in manifest order.
func (p *Partition) Symlink() []byte {
	var b strings.Builder
	for _, f := range p.Files {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Plan is every table to publish for the reports under a prefix, and every
// report or period left out.
type Plan struct {
	Database   string
	SymlinkURI string
	Tables     []*Table
	// Problems are the reports and periods left out, each a *PeriodError.
	Problems []*PeriodError
}

// Commit records every partition's delivery in state, as published. Call
// it once the symlink files are written and the catalog holds the
// partitions (Publish keeps its own record in the catalog instead).
func (p *Plan) Commit(state *curreader.SyncState) {
	for _, t := range p.Tables {
		for _, part := range t.Partitions {
			state.Commit(part.Delivery)
		}
	}
}

// NewPlan works out, without writing anything, the Athena tables that make
// every report and export under prefix queryable exactly as its manifests
// say: one table per report, partitioned by billing period, each
// partition's data a symlink file listing exactly the current files of
// that period. See the package documentation for the layout, the types
// and what is refused.
//
// It reads what it needs through r: every period's manifest, the rows of
// each CSV delivery not in Options.Published (to find line breaks and
// backslashes, which Athena would misread), the header of the others, and
// the footer of every file of each Parquet delivery not in
// Options.Published (one footer of the others).
//
// The error is for what stops the whole plan: a bad destination (joined
// *curerr.FieldError), a failed listing of the prefix, a canceled context.
// Reports and periods left out are in Plan.Problems.
func NewPlan(ctx context.Context, r *curreader.Resolver, prefix string, dest Destination, optFns ...func(*Options)) (*Plan, error) {
	o := resolveOptions(optFns)
	loc, err := dest.parse()
	if err != nil {
		return nil, err
	}
	reps, err := listReports(ctx, r, prefix, o.Report)
	if err != nil {
		return nil, err
	}
	return planReports(ctx, r, reps, loc, o)
}

func resolveOptions(optFns []func(*Options)) Options {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.TableName == nil {
		o.TableName = func(rep curreader.Report) string { return TableName(rep.Name) }
	}
	return o
}

func listReports(ctx context.Context, r *curreader.Resolver, prefix, only string) ([]curreader.Report, error) {
	if only != "" {
		rep, err := r.Find(ctx, prefix, only)
		if err != nil {
			return nil, err
		}
		return []curreader.Report{rep}, nil
	}
	return r.Reports(ctx, prefix)
}

// named is a report with its table's name.
type named struct {
	rep   curreader.Report
	table string
}

// nameTables names each report's table; reports that collide are left out.
func nameTables(reps []curreader.Report, o Options) ([]named, []*PeriodError) {
	byName := map[string][]curreader.Report{}
	var order []string
	for _, rep := range reps {
		n := o.TableName(rep)
		if _, ok := byName[n]; !ok {
			order = append(order, n)
		}
		byName[n] = append(byName[n], rep)
	}
	var out []named
	var probs []*PeriodError
	for _, n := range order {
		rs := byName[n]
		if len(rs) == 1 {
			out = append(out, named{rs[0], n})
			continue
		}
		for _, rep := range rs {
			probs = append(probs, &PeriodError{Report: rep.Name, Table: n, Keep: true,
				Err: fmt.Errorf("%w: table %q, from %s", ErrTableNameCollision, n, reportList(rs))})
		}
	}
	return out, probs
}

func reportList(rs []curreader.Report) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Root)
	}
	return strings.Join(s, " and ")
}

func planReports(ctx context.Context, r *curreader.Resolver, reps []curreader.Report, loc location, o Options) (*Plan, error) {
	if r.Bucket() == "" {
		return nil, &curerr.FieldError{Field: "Resolver", Msg: "the resolver names no bucket, and symlink files list s3:// URIs", Err: curerr.ErrMalformed}
	}
	p := &Plan{Database: loc.database, SymlinkURI: loc.uri(loc.prefix)}
	tables, probs := nameTables(reps, o)
	p.Problems = probs
	for _, nt := range tables {
		if err := checkOverlap(r.Bucket(), nt.rep, loc); err != nil {
			return nil, err
		}
	}
	pl := &planner{r: r, loc: loc, o: o}
	for _, nt := range tables {
		if !plainName.MatchString(nt.table) || len(nt.table) > 255 {
			return nil, &curerr.FieldError{Field: "TableName", Msg: fmt.Sprintf("table name %q for report %s is not 1 to 255 lower-case letters, digits and '_'", nt.table, nt.rep.Name), Err: curerr.ErrMalformed}
		}
		t, probs, err := pl.table(ctx, nt.rep, nt.table)
		if err != nil {
			return nil, err
		}
		p.Problems = append(p.Problems, probs...)
		if t != nil {
			p.Tables = append(p.Tables, t)
		}
	}
	return p, nil
}

// checkOverlap refuses a symlink location inside a report's folder (its
// files would be taken for the report's) or around one.
func checkOverlap(bucket string, rep curreader.Report, loc location) error {
	if bucket != loc.bucket {
		return nil
	}
	ours := loc.prefix + loc.database + "/"
	if strings.HasPrefix(ours, rep.Root) || strings.HasPrefix(rep.Root, ours) {
		return &curerr.FieldError{Field: "SymlinkURI", Msg: fmt.Sprintf("the symlink files would go under s3://%s/%s, which overlaps report %s at s3://%s/%s", loc.bucket, ours, rep.Name, bucket, rep.Root), Err: curerr.ErrMalformed}
	}
	return nil
}

type planner struct {
	r   *curreader.Resolver
	loc location
	o   Options
}

// candidate is a delivery that passed its own checks, with its columns.
type candidate struct {
	d      *curreader.Delivery
	header []string   // CSV: the header, in file order
	cols   []pqColumn // Parquet: the files' columns
	warn   []string
}

// pqColumn is a Parquet column: its name in the table (lower-cased), its
// name in the files, and its type.
type pqColumn struct{ name, orig, typ string }

// table plans one report's table. It returns a nil table only when the
// report has no delivery at all.
func (pl *planner) table(ctx context.Context, rep curreader.Report, name string) (*Table, []*PeriodError, error) {
	var probs []*PeriodError
	problem := func(period string, keep bool, err error) {
		probs = append(probs, &PeriodError{Report: rep.Name, Table: name, Period: period, Keep: keep, Err: err})
	}
	periods, err := pl.r.Periods(ctx, rep)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		problem("", true, err)
		return nil, probs, nil
	}
	var ds []*curreader.Delivery
	for _, per := range periods {
		d, err := pl.r.Resolve(ctx, rep, per.Month)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			problem(per.String(), true, err)
			continue
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		return nil, probs, nil
	}
	newest := ds[len(ds)-1]
	t := &Table{
		Database: pl.loc.database, Name: name,
		Report: rep.Name, ReportPrefix: rep.Prefix, Bucket: pl.r.Bucket(),
		Kind: newest.Kind, Format: newest.Format,
		InputFormat: InputFormat, OutputFormat: OutputFormat,
		Location: pl.loc.uri(pl.loc.tableKey(name)),
		Parameters: map[string]string{
			"EXTERNAL": "TRUE", "classification": string(newest.Format),
			ParamReport: rep.Name, ParamPrefix: rep.Prefix, ParamBucket: pl.r.Bucket(), ParamKind: string(newest.Kind),
		},
	}
	switch t.Format {
	case curreader.FormatCSV:
		t.SerDe = SerDeCSV
		// AWS's documented defaults, spelled out: AWS's CSV quotes with '"'
		// and doubles a quote inside a field, which OpenCSVSerDe reads; the
		// escape character cannot be turned off, so fields holding it are
		// refused (ErrEscapeChar).
		t.SerDeParameters = map[string]string{"separatorChar": ",", "quoteChar": `"`, "escapeChar": `\`}
		t.Parameters["skip.header.line.count"] = "1"
	case curreader.FormatParquet:
		t.SerDe = SerDeParquet
		t.SerDeParameters = map[string]string{"serialization.format": "1"}
	}

	// Each delivery on its own, newest first.
	var cands []*candidate
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		period := d.Period.String()
		if !d.Ready {
			problem(period, true, fmt.Errorf("%w: AWS reports the period as still being updated; the next run publishes it", curreader.ErrNotReady))
			continue
		}
		if perr := pl.checkFiles(d, t.Format); perr != nil {
			perr.Report, perr.Table, perr.Period = rep.Name, name, period
			probs = append(probs, perr)
			continue
		}
		changed := pl.o.Published == nil || pl.o.Published.Changed(d)
		var c *candidate
		var perr *PeriodError
		if t.Format == curreader.FormatCSV {
			c, perr, err = pl.csvCandidate(ctx, d, changed)
		} else {
			c, perr, err = pl.parquetCandidate(ctx, d, changed)
		}
		if err != nil {
			return nil, nil, err
		}
		if perr != nil {
			perr.Report, perr.Table, perr.Period = rep.Name, name, period
			probs = append(probs, perr)
			continue
		}
		cands = append(cands, c)
	}

	// The table's columns, and the deliveries that fit them.
	var accepted []*candidate
	if t.Format == curreader.FormatCSV {
		var cols []string
		for _, c := range cands {
			switch {
			case isPrefix(c.header, cols):
			case isPrefix(cols, c.header):
				cols = c.header
			default:
				problem(c.d.Period.String(), false, fmt.Errorf("%w: %s", ErrColumnOrder, firstDifference(cols, c.header)))
				continue
			}
			accepted = append(accepted, c)
		}
		t.Columns = csvTableColumns(cols, t.Kind)
	} else {
		var union []pqColumn
		have := map[string]string{}
		for _, c := range cands {
			if err := fits(c.cols, have); err != nil {
				problem(c.d.Period.String(), false, err)
				continue
			}
			for _, col := range c.cols {
				if _, ok := have[col.name]; !ok {
					have[col.name] = col.typ
					union = append(union, col)
				}
			}
			accepted = append(accepted, c)
		}
		for _, col := range union {
			t.Columns = append(t.Columns, Column{Name: col.name, Type: col.typ})
			if doc := documentedType(col.orig, t.Kind); doc != "" && doc != col.typ {
				t.Warnings = append(t.Warnings, fmt.Sprintf("column %s is %s in the files; AWS documents %s: the table follows the files", col.name, col.typ, doc))
			}
		}
	}
	slices.SortFunc(accepted, func(a, b *candidate) int { return a.d.Period.Month.Compare(b.d.Period.Month) })
	doubleSlash := false
	for _, c := range accepted {
		t.Warnings = append(t.Warnings, c.warn...)
		t.Partitions = append(t.Partitions, pl.partition(t, c.d))
		doubleSlash = doubleSlash || slices.ContainsFunc(c.d.Files, func(f curreader.DataFile) bool { return strings.Contains(f.Key, "//") })
	}
	if doubleSlash {
		t.Warnings = append(t.Warnings, `the data files' keys hold "//" (a report prefix ending in "/"), listed as they are; AWS does not document whether Athena keeps "//" in a symlinked path (Hadoop's Path collapses it)`)
	}
	slices.SortStableFunc(probs, func(a, b *PeriodError) int { return strings.Compare(a.Period, b.Period) })
	return t, probs, nil
}

func (pl *planner) partition(t *Table, d *curreader.Delivery) *Partition {
	period := d.Period.String()
	folder := pl.loc.tableKey(t.Name) + PartitionKey + "=" + period + "/"
	p := &Partition{
		Period: period, Location: pl.loc.uri(folder),
		SymlinkBucket: pl.loc.bucket, SymlinkKey: folder + SymlinkName,
		Delivery: d,
		Changed:  pl.o.Published == nil || pl.o.Published.Changed(d),
		Parameters: map[string]string{
			ParamVersion: d.Version, ParamManifest: d.ManifestKey, ParamFiles: strconv.Itoa(len(d.Files)),
		},
	}
	if t.Format == curreader.FormatCSV {
		p.Parameters["skip.header.line.count"] = "1"
	}
	bucket := d.Bucket
	if bucket == "" {
		bucket = t.Bucket
	}
	for _, f := range d.Files {
		p.Files = append(p.Files, "s3://"+bucket+"/"+f.Key)
	}
	return p
}

// checkFiles refuses what Athena cannot read whatever the files hold.
func (pl *planner) checkFiles(d *curreader.Delivery, format curreader.Format) *PeriodError {
	if d.Format != format {
		return &PeriodError{Err: fmt.Errorf("%w: %s, the table's is %s", ErrFormatChange, d.Format, format)}
	}
	if d.Compression == curreader.CompressionZip {
		return &PeriodError{Err: ErrZip}
	}
	for _, f := range d.Files {
		if strings.ContainsAny(f.Key, "\r\n") {
			return &PeriodError{File: f.Key, Err: ErrKey}
		}
		if d.Format == curreader.FormatCSV {
			// Athena picks a text file's codec by its extension, and
			// recognises only lower-case ones.
			gz := strings.HasSuffix(f.Key, ".gz")
			if (d.Compression == curreader.CompressionGzip) != gz {
				return &PeriodError{File: f.Key, Err: fmt.Errorf("%w: a %s file named %s", ErrExtension, d.Compression, f.Key)}
			}
		}
	}
	return nil
}

// csvCandidate reads a CSV delivery's header, and when it changed, scans
// every row for what OpenCSVSerDe would misread.
func (pl *planner) csvCandidate(ctx context.Context, d *curreader.Delivery, changed bool) (*candidate, *PeriodError, error) {
	opts := pl.o.ReadOptions
	if !changed {
		opts = append(slices.Clip(opts), func(o *curreader.ReadOptions) { o.Concurrency = 1 })
	}
	rd, err := pl.r.Open(ctx, d, opts...)
	if err != nil {
		return nil, readProblem(err), ctxErr(ctx)
	}
	defer rd.Close()
	c := &candidate{d: d}
	var h *curreader.Header
	var first string
	for rd.Next() {
		row := rd.Row()
		if row.Header() != h {
			h = row.Header()
			names := make([]string, h.Len())
			for i := range names {
				names[i] = h.Name(i)
			}
			if c.header == nil {
				c.header, first = names, row.File()
			} else if !slices.Equal(c.header, names) {
				return nil, &PeriodError{File: row.File(), Err: fmt.Errorf("%w: its header differs from %s's: %s", ErrColumnOrder, first, firstDifference(c.header, names))}, nil
			}
		}
		if !changed {
			break
		}
		for i := range h.Len() {
			b := row.Bytes(i)
			for _, ch := range b {
				switch ch {
				case '\n', '\r':
					return nil, &PeriodError{File: row.File(), Line: row.Line(), Column: h.Name(i), Err: ErrLineBreak}, nil
				case '\\':
					return nil, &PeriodError{File: row.File(), Line: row.Line(), Column: h.Name(i), Err: ErrEscapeChar}, nil
				}
			}
		}
	}
	if err := rd.Err(); err != nil {
		return nil, readProblem(err), ctxErr(ctx)
	}
	if c.header == nil {
		// No file has a row: the manifest's columns stand for the header.
		for _, col := range d.Columns {
			c.header = append(c.header, col.FullName())
		}
	}
	return c, nil, nil
}

// parquetCandidate reads the footers of a Parquet delivery's files (only
// the first file's when the delivery is already published).
func (pl *planner) parquetCandidate(ctx context.Context, d *curreader.Delivery, changed bool) (*candidate, *PeriodError, error) {
	c := &candidate{d: d}
	files := d.Files
	if !changed && len(files) > 1 {
		files = files[:1]
	}
	types := map[string]string{}
	from := map[string]string{}
	var firstCols []string
	for i, f := range files {
		cols, err := pl.r.FileColumns(ctx, d, f)
		if err != nil {
			if errors.Is(err, curreader.ErrUnsupportedFormat) {
				return nil, &PeriodError{File: f.Key, Err: fmt.Errorf("%w: %w", ErrUnsupportedType, err)}, nil
			}
			return nil, readProblem(err), ctxErr(ctx)
		}
		var names []string
		seen := map[string]bool{}
		for _, col := range cols {
			n := strings.ToLower(col.Name)
			if seen[n] {
				return nil, &PeriodError{File: f.Key, Column: col.Name, Err: fmt.Errorf("%w: two columns named %s, but for the letter case", ErrSchemaConflict, n)}, nil
			}
			seen[n] = true
			names = append(names, n)
			if typ, ok := types[n]; ok {
				if typ != col.Type {
					return nil, &PeriodError{File: f.Key, Column: col.Name, Err: fmt.Errorf("%w: %s here, %s in %s", ErrSchemaConflict, col.Type, typ, from[n])}, nil
				}
				continue
			}
			types[n], from[n] = col.Type, f.Key
			c.cols = append(c.cols, pqColumn{name: n, orig: col.Name, typ: col.Type})
			if !plainName.MatchString(n) {
				c.warn = append(c.warn, fmt.Sprintf("column %q of %s holds characters other than a-z, 0-9 and '_', which Athena does not support in column names", col.Name, f.Key))
			}
		}
		if i == 0 {
			firstCols = names
		} else if !sameSet(firstCols, names) {
			c.warn = append(c.warn, fmt.Sprintf("%s: the files' columns differ (%s has %d, %s has %d); the partition has all of them, and a file lacking one reads it as NULL",
				d.Period, files[0].Key, len(firstCols), f.Key, len(names)))
		}
	}
	return c, nil, nil
}

// readProblem turns an error reading a delivery into a PeriodError: a
// file that cannot be parsed would not be read right by Athena either
// (removed); anything else (access, network) may pass (kept).
func readProblem(err error) *PeriodError {
	pe := &PeriodError{Err: err, Keep: !errors.Is(err, curerr.ErrMalformed)}
	var fe *curreader.FileError
	if errors.As(err, &fe) {
		pe.File, pe.Line = fe.File, fe.Line
	}
	var pr *curreader.ParseError
	if errors.As(err, &pr) {
		pe.File, pe.Line, pe.Column = pr.File, pr.Line, pr.Field
	}
	return pe
}

func ctxErr(ctx context.Context) error { return ctx.Err() }

// fits checks a delivery's Parquet columns against the table's so far.
func fits(cols []pqColumn, have map[string]string) error {
	for _, c := range cols {
		if c.name == PartitionKey {
			return fmt.Errorf("%w: a column is named %s, the partition key", ErrSchemaConflict, PartitionKey)
		}
		if typ, ok := have[c.name]; ok && typ != c.typ {
			return fmt.Errorf("%w: column %s is %s here and %s in a newer billing period", ErrSchemaConflict, c.name, c.typ, typ)
		}
	}
	return nil
}

func isPrefix(short, long []string) bool {
	return len(short) <= len(long) && slices.Equal(short, long[:len(short)])
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// firstDifference describes where two headers part.
func firstDifference(table, got []string) string {
	for i := range min(len(table), len(got)) {
		if table[i] != got[i] {
			return fmt.Sprintf("column %d is %s, the table's is %s", i+1, got[i], table[i])
		}
	}
	return fmt.Sprintf("%d columns, the table has %d", len(got), len(table))
}

// csvTableColumns are the table columns of a CSV header: all string (the
// only type OpenCSVSerDe reads from every AWS value; see the package
// documentation), commented with the header spelling and the type AWS
// documents.
func csvTableColumns(header []string, kind curreader.Kind) []Column {
	names := csvColumnNames(header)
	cols := make([]Column, len(header))
	for i, h := range header {
		var notes []string
		if names[i] != h {
			notes = append(notes, h)
		}
		if doc := documentedType(h, kind); doc != "" && doc != "string" {
			notes = append(notes, "documented type "+doc+", read from CSV as string")
		}
		c := strings.Join(notes, "; ")
		if len(c) > 255 {
			c = c[:255]
		}
		cols[i] = Column{Name: names[i], Type: "string", Comment: c}
	}
	return cols
}

// documentedType is the type AWS's data dictionaries give a CUR 2.0 or
// FOCUS column (FOCUS's timestamp_milliseconds spelled timestamp), or "".
func documentedType(name string, kind curreader.Kind) string {
	switch kind {
	case curreader.KindCUR2:
		if t, ok := colname.CUR2Type(name); ok {
			return t
		}
	case curreader.KindFOCUS:
		if t, ok := colname.FOCUSType(name); ok {
			if t == "timestamp_milliseconds" {
				return "timestamp"
			}
			return t
		}
	}
	return ""
}
