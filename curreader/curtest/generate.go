package curtest

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// Result is the ground truth of one Generate call: every key written and
// every delivery with the exact totals it holds.
type Result struct {
	// Spec is the Spec with defaults filled in.
	Spec Spec
	// Root is the report's folder, <prefix>/<name> (or <name>).
	Root string
	// Keys is every object key written, sorted and without duplicates
	// (what a listing of the bucket shows, for this stream).
	Keys []string
	// Puts is the number of PUTs made (overwrites count each time).
	Puts int
	// Deliveries lists every delivery, by period, then in delivery order.
	Deliveries []*Delivery
}

// Delivery is the ground truth of one delivery (one version of one billing
// period).
type Delivery struct {
	// Kind is the report kind.
	Kind Kind
	// Name is the report or export name.
	Name string
	// Period is the billing period, "YYYY-MM".
	Period string
	// Version is the assemblyId (legacy) or executionId (Data Exports)
	// the delivery's manifest carries.
	Version string
	// Seq is the delivery's position within its period, from 0.
	Seq int
	// Delivered is when AWS would have written it.
	Delivered time.Time
	// Current reports that the period's top-level manifest points at this
	// delivery once generation is done.
	Current bool
	// Complete reports that the delivery's manifests were written. An
	// incomplete delivery (Spec.Incomplete) has data files and no manifest.
	Complete bool
	// InBucket reports that the delivery's data files still hold its data.
	// It is false for overwrite-mode deliveries that a later one replaced.
	InBucket bool
	// Restated reports a delivery made after its month closed
	// (Spec.Restate).
	Restated bool
	// ManifestKey is the key of the manifest that describes this delivery:
	// the assembly or execution manifest in create-new mode, the top-level
	// manifest in overwrite mode. Empty when not Complete.
	ManifestKey string
	// TopManifestKey is the period's top-level manifest key (which, for an
	// incomplete delivery, still describes an earlier one).
	TopManifestKey string
	// DataKeys are the data files, in manifest order.
	DataKeys []string
	// StaleKeys are data files left in the delivery's folder by an earlier,
	// larger refresh and not listed in its manifest (Spec.ShrinkBy).
	StaleKeys []string
	// ArtifactKeys are the additional artifacts (Redshift files).
	ArtifactKeys []string
	// RowsPerFile is the number of data rows of each DataKeys entry.
	RowsPerFile []int
	// Rows is the total number of data rows.
	Rows int64
	// Columns are the column names in file order.
	Columns []string
	// CostColumn, ProductColumn and AccountColumn name the columns the
	// totals are computed from: the unblended cost (BilledCost for FOCUS),
	// the product code (x_ServiceCode for FOCUS) and the usage account
	// (SubAccountId for FOCUS).
	CostColumn, ProductColumn, AccountColumn string
	// Total is the exact sum of the cost column, as a plain decimal ("12.5",
	// "0", "-0.0001"). Parquet files store the same values as DOUBLE; each
	// converts back exactly with strconv.FormatFloat(v, 'g', -1, 64).
	Total string
	// ByProduct and ByAccount are exact sums of the cost column per product
	// code and per usage account.
	ByProduct, ByAccount map[string]string
}

// Current returns the delivery the top-level manifest of period ("YYYY-MM")
// points at, or nil.
func (r *Result) Current(period string) *Delivery {
	for _, d := range r.Deliveries {
		if d.Period == period && d.Current {
			return d
		}
	}
	return nil
}

// Periods returns the billing periods, "YYYY-MM", in order.
func (r *Result) Periods() []string {
	var out []string
	for _, d := range r.Deliveries {
		if len(out) == 0 || out[len(out)-1] != d.Period {
			out = append(out, d.Period)
		}
	}
	return out
}

// Generate writes the deliveries a Spec describes to sink, data files
// first and manifests last (as AWS does), and returns the ground truth.
// Several calls may share one sink to put several reports and exports in one
// bucket. The output depends only on the Spec: the same Spec writes the same
// bytes to the same keys.
func Generate(ctx context.Context, sink Sink, spec Spec) (*Result, error) {
	s, start, err := spec.resolve()
	if err != nil {
		return nil, err
	}
	g := &generator{ctx: ctx, sink: sink, s: s, keys: map[string]bool{}}
	g.res = &Result{Spec: s, Root: join(s.Prefix, s.Name)}
	if err := g.run(start); err != nil {
		return nil, err
	}
	for k := range g.keys {
		g.res.Keys = append(g.res.Keys, k)
	}
	sort.Strings(g.res.Keys)
	return g.res, nil
}

// join joins a prefix and a name with "/", keeping a trailing "/" of the
// prefix (so "cur/" and "r" give "cur//r", as AWS's keys do).
func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "/" + name
}

type generator struct {
	ctx  context.Context
	sink Sink
	s    Spec
	res  *Result
	keys map[string]bool
	ids  *rand.Rand // identifiers: report ID, ARNs, assembly and execution IDs

	reportID  string
	exportARN string
}

func (g *generator) put(key string, write func(io.Writer) error) error {
	if err := g.ctx.Err(); err != nil {
		return err
	}
	if err := g.sink.Put(g.ctx, key, write); err != nil {
		return fmt.Errorf("curtest: put %s: %w", key, err)
	}
	g.keys[key] = true
	g.res.Puts++
	return nil
}

func (g *generator) putBytes(key string, b []byte) error {
	return g.put(key, func(w io.Writer) error { _, err := w.Write(b); return err })
}

func nameHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// mix derives a seed from several numbers (splitmix64 finaliser).
func mix(xs ...uint64) uint64 {
	var z uint64 = 0x9e3779b97f4a7c15
	for _, x := range xs {
		z ^= x + 0x9e3779b97f4a7c15 + (z << 6) + (z >> 2)
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
	}
	return z
}

// plan is one delivery to make.
type plan struct {
	d        *Delivery
	files    int
	cutoff   time.Time
	closed   bool
	folder   string // version folder name ("" in overwrite mode)
	complete bool
}

func (g *generator) run(start time.Time) error {
	s := &g.s
	g.ids = rand.New(rand.NewPCG(s.Seed, mix(nameHash(s.Name), uint64(s.Kind))))
	g.reportID = hexString(g.ids, 64)
	g.exportARN = "arn:aws:bcm-data-exports:us-east-1:" + s.Account + ":export/" + s.Name + "-" + uuidString(g.ids)

	if s.AccessTestObject {
		key := "aws-programmatic-access-test-object"
		if s.Prefix != "" {
			key = s.Prefix + "/" + key
		}
		if err := g.putBytes(key, []byte("Test object written by the AWS Billing and Cost Management service to validate access.\n")); err != nil {
			return err
		}
	}
	if s.Athena {
		if err := g.putBytes(g.res.Root+"/crawler-cfn.yml", crawlerTemplate(s, g.res.Root)); err != nil {
			return err
		}
	}
	for pi := range s.Months {
		ps := start.AddDate(0, pi, 0)
		if err := g.period(pi, ps, ps.AddDate(0, 1, 0), pi == s.Months-1); err != nil {
			return err
		}
	}
	if s.Athena {
		status := "READY"
		if s.AthenaUpdating {
			status = "UPDATING"
		}
		key := g.res.Root + "/cost_and_usage_data_status/cost_and_usage_data_status.parquet"
		if err := g.put(key, func(w io.Writer) error { return writeStatus(w, status) }); err != nil {
			return err
		}
	}
	return nil
}

// period plans and writes every delivery of one billing period.
func (g *generator) period(pi int, ps, pe time.Time, last bool) error {
	s := &g.s
	n := s.Versions
	extraIncomplete := last && s.Incomplete
	restate := pi == 0 && s.Restate
	var plans []*plan
	span := pe.Sub(ps)
	count := n
	if extraIncomplete {
		count++
	}
	for v := range count {
		var at time.Time
		closed := !last
		if last {
			// an open month: deliveries spread over the month so far
			at = ps.Add(span * time.Duration(v+1) / time.Duration(count+1))
		} else {
			// a closed month: the last regular delivery comes just after it ends
			at = ps.Add(span*time.Duration(v+1)/time.Duration(count) + 6*time.Hour)
		}
		at = at.Add(time.Duration(g.ids.IntN(3600)) * time.Second).Truncate(time.Second)
		cutoff := at.Add(-6 * time.Hour).Truncate(time.Hour)
		if cutoff.After(pe) {
			cutoff = pe
		}
		if cutoff.Before(ps.Add(time.Hour)) {
			cutoff = ps.Add(time.Hour)
		}
		plans = append(plans, &plan{d: &Delivery{Delivered: at}, cutoff: cutoff, closed: closed && !cutoff.Before(pe), complete: v < n})
	}
	if restate {
		at := pe.AddDate(0, 0, 9).Add(time.Duration(g.ids.IntN(3600)) * time.Second)
		plans = append(plans, &plan{d: &Delivery{Delivered: at, Restated: true}, cutoff: pe, closed: true, complete: true})
	}
	lastComplete := -1
	for i, p := range plans {
		if p.complete {
			lastComplete = i
		}
	}
	for i, p := range plans {
		p.files = s.Files
		if s.ShrinkBy > 0 && i != lastComplete {
			p.files += s.ShrinkBy
		}
		d := p.d
		d.Kind, d.Name, d.Seq = s.Kind, s.Name, i
		d.Period = ps.Format("2006-01")
		d.Complete = p.complete
		d.Current = i == lastComplete
		d.InBucket = s.Versioning == CreateNew || i == lastComplete
		if s.Kind == LegacyCUR {
			if s.UUIDAssemblies {
				d.Version = uuidString(g.ids)
			} else {
				d.Version = d.Delivered.UTC().Format("20060102T150405Z")
			}
			if s.Versioning == CreateNew {
				p.folder = d.Version
			}
		} else {
			d.Version = uuidString(g.ids)
			if s.Versioning == CreateNew {
				p.folder = d.Delivered.UTC().Format("20060102T150405Z") + "-" + d.Version
			}
		}
		g.res.Deliveries = append(g.res.Deliveries, d)
	}
	var prev *plan
	for i, p := range plans {
		if err := g.deliver(pi, i, ps, pe, p, prev); err != nil {
			return err
		}
		if p.complete {
			prev = p
		}
	}
	return nil
}

// Layout helpers.

func (g *generator) periodDir(ps, pe time.Time) string {
	s := &g.s
	switch {
	case s.Athena:
		return fmt.Sprintf("%s/%s/year=%d/month=%d", g.res.Root, s.Name, ps.Year(), int(ps.Month()))
	case s.Kind == LegacyCUR:
		return g.res.Root + "/" + ps.Format("20060102") + "-" + pe.Format("20060102")
	}
	return g.res.Root + "/data/BILLING_PERIOD=" + ps.Format("2006-01")
}

func (g *generator) metadataDir(ps time.Time) string {
	return g.res.Root + "/metadata/BILLING_PERIOD=" + ps.Format("2006-01")
}

func (g *generator) fileName(i int) string {
	s := &g.s
	num := fmt.Sprintf("%05d", i)
	if s.UnpaddedNumbers {
		num = fmt.Sprint(i)
	}
	switch s.Format {
	case CSVZip:
		return s.Name + "-" + num + ".csv.zip"
	case Parquet:
		return s.Name + "-" + num + ".snappy.parquet"
	}
	return s.Name + "-" + num + ".csv.gz"
}

// columns returns the columns of period pi's files.
func (g *generator) columns(pi int) []column {
	s := &g.s
	switch s.Kind {
	case CUR2:
		return cur2Columns(s.Width)
	case FOCUS10, FOCUS12:
		return focusColumns(s.Kind)
	}
	cols := legacyColumns(s.Width, s.Format == Parquet)
	if s.SchemaDrift && pi%2 == 0 {
		kept := cols[:0]
		for _, c := range cols {
			if c.category == "savingsPlan" || (c.category == "resourceTags" && c.short == "user:Environment") ||
				strings.HasPrefix(c.name, "savings_plan_") || c.name == "resource_tags_user_environment" {
				continue
			}
			kept = append(kept, c)
		}
		cols = kept
	}
	return cols
}

func (g *generator) timeLayout() string {
	if g.s.Kind == FOCUS10 || g.s.Kind == FOCUS12 {
		return "2006-01-02T15:04:05Z"
	}
	return "2006-01-02T15:04:05.000Z"
}

// deliver writes one delivery: data files, artifacts, then manifests.
func (g *generator) deliver(pi, vi int, ps, pe time.Time, p *plan, prev *plan) error {
	s := &g.s
	d := p.d
	cols := g.columns(pi)
	for _, c := range cols {
		d.Columns = append(d.Columns, c.name)
	}
	d.CostColumn, d.ProductColumn, d.AccountColumn = truthColumns(s.Kind, s.Format == Parquet)
	dir := g.periodDir(ps, pe)
	if p.folder != "" {
		dir += "/" + p.folder
	}
	t := newTally()
	for fi := 1; fi <= p.files; fi++ {
		rows := s.Rows
		if fi > p.files-s.EmptyFiles {
			rows = 0
		}
		name := g.fileName(fi)
		key := dir + "/" + name
		job := &fileJob{
			cols:       cols,
			format:     s.Format,
			rows:       rows,
			gen:        newGen(s, s.Seed, mix(nameHash(s.Name), uint64(s.Kind), uint64(pi), uint64(vi), uint64(fi)), ps, pe, p.cutoff, p.closed),
			tally:      t,
			timeLayout: g.timeLayout(),
			member:     strings.TrimSuffix(name, ".zip"),
			modified:   d.Delivered,
		}
		if err := g.put(key, job.write); err != nil {
			return err
		}
		d.DataKeys = append(d.DataKeys, key)
		d.RowsPerFile = append(d.RowsPerFile, rows)
	}
	// A shrinking overwrite leaves the previous refresh's surplus chunks.
	if s.Versioning == Overwrite && prev != nil && prev.files > p.files {
		for fi := p.files + 1; fi <= prev.files; fi++ {
			key := dir + "/" + g.fileName(fi)
			d.StaleKeys = append(d.StaleKeys, key)
			if s.StaleEmpty {
				job := &fileJob{cols: cols, format: s.Format, gen: newGen(s, 0, 0, ps, pe, p.cutoff, false), timeLayout: g.timeLayout(),
					member: strings.TrimSuffix(g.fileName(fi), ".zip"), modified: d.Delivered}
				if err := g.put(key, job.write); err != nil {
					return err
				}
			}
		}
	}
	d.Rows = t.rows
	d.Total = t.total.String()
	d.ByProduct = map[string]string{}
	for k, v := range t.byProduct {
		d.ByProduct[k] = v.String()
	}
	d.ByAccount = map[string]string{}
	for k, v := range t.byAccount {
		d.ByAccount[k] = v.String()
	}

	if s.Redshift {
		if err := g.redshift(d, dir, ps); err != nil {
			return err
		}
	}
	var top, own string
	if s.Kind == LegacyCUR {
		top = g.periodDir(ps, pe) + "/" + s.Name + "-Manifest.json"
		own = dir + "/" + s.Name + "-Manifest.json"
	} else {
		top = g.metadataDir(ps) + "/" + s.Name + "-Manifest.json"
		own = top
		if p.folder != "" {
			own = g.metadataDir(ps) + "/" + p.folder + "/" + s.Name + "-Manifest.json"
		}
	}
	d.TopManifestKey = top
	if !p.complete {
		return nil
	}
	d.ManifestKey = own
	var body []byte
	var err error
	if s.Kind == LegacyCUR {
		body, err = g.legacyManifest(d, cols, ps, pe)
	} else {
		body, err = g.exportManifest(d, cols, ps, pe)
	}
	if err != nil {
		return err
	}
	if own != top {
		if err := g.putBytes(own, body); err != nil {
			return err
		}
	}
	return g.putBytes(top, body)
}

func (g *generator) redshift(d *Delivery, dir string, ps time.Time) error {
	s := &g.s
	table := "AWSBilling" + ps.Format("200601")
	var entries []map[string]any
	for _, k := range d.DataKeys {
		entries = append(entries, map[string]any{"url": "s3://" + s.Bucket + "/" + k, "mandatory": true})
	}
	rm, err := json.MarshalIndent(map[string]any{"entries": entries}, "", "  ")
	if err != nil {
		return err
	}
	mkey := dir + "/" + s.Name + "-RedshiftManifest.json"
	ckey := dir + "/" + s.Name + "-RedshiftCommands.sql"
	var sql strings.Builder
	fmt.Fprintf(&sql, "create table %s(\n", table)
	for i, c := range d.Columns {
		sep := ","
		if i == len(d.Columns)-1 {
			sep = ""
		}
		fmt.Fprintf(&sql, "  %s VARCHAR(512)%s\n", athenaName(c), sep)
	}
	fmt.Fprintf(&sql, ");\n\ncopy %s from 's3://%s/%s' credentials 'aws_iam_role=<AWS_ROLE>' region '<S3_BUCKET_REGION>' GZIP CSV IGNOREHEADER 1 TIMEFORMAT 'auto' manifest;\n", table, s.Bucket, mkey)
	if err := g.putBytes(mkey, append(rm, '\n')); err != nil {
		return err
	}
	if err := g.putBytes(ckey, []byte(sql.String())); err != nil {
		return err
	}
	d.ArtifactKeys = []string{ckey, mkey}
	return nil
}

// Manifest documents, with fields in the order AWS writes them.

type legacyColumn struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Type     string `json:"type"`
}

type legacyArtifact struct {
	ArtifactType string `json:"artifactType"`
	Name         string `json:"name"`
}

type legacyPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type legacyManifest struct {
	AssemblyID             string           `json:"assemblyId"`
	Account                string           `json:"account"`
	Columns                []legacyColumn   `json:"columns"`
	Charset                string           `json:"charset"`
	Compression            string           `json:"compression"`
	ContentType            string           `json:"contentType"`
	ReportID               string           `json:"reportId"`
	ReportName             string           `json:"reportName"`
	BillingPeriod          legacyPeriod     `json:"billingPeriod"`
	Bucket                 string           `json:"bucket"`
	ReportKeys             []string         `json:"reportKeys"`
	AdditionalArtifactKeys []legacyArtifact `json:"additionalArtifactKeys"`
}

const legacyPeriodLayout = "20060102T150405.000Z"

func (g *generator) legacyManifest(d *Delivery, cols []column, ps, pe time.Time) ([]byte, error) {
	s := &g.s
	m := legacyManifest{
		AssemblyID:             d.Version,
		Account:                s.Account,
		Charset:                "UTF-8",
		ReportID:               g.reportID,
		ReportName:             s.Name,
		BillingPeriod:          legacyPeriod{ps.Format(legacyPeriodLayout), pe.Format(legacyPeriodLayout)},
		Bucket:                 s.Bucket,
		ReportKeys:             d.DataKeys,
		AdditionalArtifactKeys: []legacyArtifact{},
	}
	switch s.Format {
	case CSVGzip:
		m.Compression, m.ContentType = "GZIP", "text/csv"
	case CSVZip:
		m.Compression, m.ContentType = "ZIP", "text/csv"
	case Parquet:
		m.Compression, m.ContentType = "Parquet", "Parquet"
	}
	for _, c := range cols {
		m.Columns = append(m.Columns, legacyColumn{c.category, c.short, c.ltype})
	}
	if len(d.ArtifactKeys) == 2 {
		m.AdditionalArtifactKeys = []legacyArtifact{{"RedshiftCommands", d.ArtifactKeys[0]}, {"RedshiftManifest", d.ArtifactKeys[1]}}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

type exportColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type exportPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type exportManifest struct {
	ExportARN     string         `json:"exportArn"`
	ExecutionID   string         `json:"executionId"`
	BillingPeriod exportPeriod   `json:"billingPeriod"`
	Columns       []exportColumn `json:"columns"`
	DataFiles     []string       `json:"dataFiles"`
}

func (g *generator) exportManifest(d *Delivery, cols []column, ps, pe time.Time) ([]byte, error) {
	s := &g.s
	m := exportManifest{
		ExportARN:     g.exportARN,
		ExecutionID:   d.Version,
		BillingPeriod: exportPeriod{ps.Format("2006-01-02T15:04:05.000Z"), pe.Format("2006-01-02T15:04:05.000Z")},
		DataFiles:     []string{},
	}
	for _, c := range cols {
		m.Columns = append(m.Columns, exportColumn{c.name, c.typ.typeName()})
	}
	for _, k := range d.DataKeys {
		m.DataFiles = append(m.DataFiles, "s3://"+s.Bucket+"/"+k)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

// crawlerTemplate is the CloudFormation template AWS writes beside an
// Athena-integrated report (abridged: the Glue database, the crawler and
// the status table).
func crawlerTemplate(s *Spec, root string) []byte {
	db := "athenacurcfn_" + strings.ToLower(athenaName(s.Name))
	return []byte(fmt.Sprintf(`AWSTemplateFormatVersion: 2010-09-09
Resources:
  AWSCURDatabase:
    Type: 'AWS::Glue::Database'
    Properties:
      DatabaseInput:
        Name: '%[1]s'
      CatalogId: !Ref AWS::AccountId
  AWSCURCrawler:
    Type: 'AWS::Glue::Crawler'
    DependsOn:
      - AWSCURDatabase
    Properties:
      Name: AWSCURCrawler-%[2]s
      Description: A recurring crawler that keeps your CUR table in Athena up-to-date.
      DatabaseName: '%[1]s'
      Targets:
        S3Targets:
          - Path: 's3://%[3]s/%[4]s/%[2]s'
            Exclusions:
              - '**.json'
              - '**.yml'
              - '**.sql'
              - '**.csv'
              - '**.gz'
              - '**.zip'
  AWSCURReportStatusTable:
    Type: 'AWS::Glue::Table'
    Properties:
      DatabaseName: '%[1]s'
      CatalogId: !Ref AWS::AccountId
      TableInput:
        Name: 'cost_and_usage_data_status'
        TableType: 'EXTERNAL_TABLE'
        StorageDescriptor:
          Columns:
            - Name: status
              Type: 'string'
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
          SerdeInfo:
            SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
          Location: 's3://%[3]s/%[4]s/cost_and_usage_data_status/'
`, db, s.Name, s.Bucket, root))
}
