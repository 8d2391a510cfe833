package curreader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/curconnect/curconnect/curreader/curerr"
)

// Options are the optional settings of a Resolver. They govern every S3
// call it makes: listings, manifests, and the data files of the Readers it
// opens.
type Options struct {
	// PageSize is MaxKeys for every listing; zero means S3's default (1,000).
	PageSize int32
	// ClientOptions are applied to every S3 call.
	ClientOptions []func(*s3.Options)
	// MaxRetries bounds the consecutive failed attempts to read an object
	// (a GET that fails, or a body that breaks before the object's end,
	// which is resumed from the byte it reached) before the read fails.
	// Progress resets the count. Zero means 5; negative means no retry.
	// These retries come on top of the SDK's own (ClientOptions may set
	// its Retryer), which end when a body starts to arrive.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential wait between those
	// attempts. Zero means 50ms and 2s.
	MinBackoff, MaxBackoff time.Duration
}

// Resolver finds reports and exports under a bucket prefix and resolves
// the newest complete delivery of each billing period from its manifest.
// It never picks files by globbing keys: a delivery is exactly the files its
// manifest lists.
//
// A Resolver holds no state between calls beyond its options; a [Report]
// carries the listing it was found with, so call [Resolver.Reports] again to
// see new deliveries. It is safe for concurrent use.
type Resolver struct {
	st   store
	opts Options
}

// New returns a Resolver over an S3 bucket.
func New(client S3API, bucket string, optFns ...func(*Options)) *Resolver {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	o.ClientOptions = slices.Clone(o.ClientOptions)
	return &Resolver{st: &s3Store{client: client, bucket: bucket, opts: o}, opts: o}
}

// NewFS returns a Resolver over a local directory that mirrors a bucket's
// layout (for example os.DirFS of a folder filled by `aws s3 sync`). bucket
// is the bucket the reports were delivered to: manifests that name another
// bucket are refused; empty accepts the bucket the manifests name.
func NewFS(fsys fs.FS, bucket string) *Resolver {
	return &Resolver{st: &fsStore{fsys: fsys, bucket: bucket}}
}

// Bucket returns the bucket the resolver reads.
func (r *Resolver) Bucket() string { return r.st.bucketName() }

// reportIndex is a report's full listing.
type reportIndex struct {
	objs  map[string]object // by canonical key
	order []object
}

func (ix *reportIndex) lookup(st store, key string) (object, bool) {
	o, ok := ix.objs[st.canon(key)]
	return o, ok
}

// Files and folders AWS writes beside the data that are never data.
func ignoredKey(key string) bool {
	base := path.Base(key)
	switch {
	case base == "aws-programmatic-access-test-object",
		base == "crawler-cfn.yml",
		strings.HasSuffix(base, "-RedshiftCommands.sql"),
		strings.HasSuffix(base, "-RedshiftManifest.json"),
		strings.HasSuffix(base, "-create-table.sql"):
		return true
	}
	return false
}

var (
	legacyPeriodRE = regexp.MustCompile(`^([0-9]{8})-([0-9]{8})/$`)
	exportPeriodRE = regexp.MustCompile(`^BILLING_PERIOD=([0-9]{4}-[0-9]{2})/$`)
	athenaYearRE   = regexp.MustCompile(`^year=([0-9]{4})/$`)
	athenaMonthRE  = regexp.MustCompile(`^month=([0-9]{1,2})/$`)
)

// Reports returns every legacy report and export under prefix, of every
// kind, side by side, sorted by name. prefix is the report prefix of the
// report definitions or exports (S3Prefix), or a report's own root; "" is
// the bucket's top. A trailing "/" is optional: AWS writes "cost//name/…"
// for the prefix "cost/", and both spellings find those keys.
//
// It lists prefix with a delimiter, then each report's subtree once, page
// by page: a few requests per report, whatever else the bucket holds.
func (r *Resolver) Reports(ctx context.Context, prefix string) ([]Report, error) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	roots, loose, err := r.candidateRoots(ctx, prefix, 0)
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, root := range roots {
		rep, ok, objs, err := r.classify(ctx, root)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rep)
		} else {
			loose = append(loose, objs...) // a folder no report owns
		}
	}
	if h := r.historicalReport(prefix, loose, out); h != nil {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Root < out[j].Root
	})
	return out, nil
}

// candidateRoots returns the prefixes that may be report roots, and the
// objects directly under prefix (which no report owns).
func (r *Resolver) candidateRoots(ctx context.Context, prefix string, depth int) ([]string, []object, error) {
	objs, children, err := r.st.list(ctx, prefix, "/")
	if err != nil {
		return nil, nil, err
	}
	// Is prefix itself a report root?
	if prefix != "" {
		for _, c := range children {
			rel := c[len(prefix):]
			if legacyPeriodRE.MatchString(rel) || rel == "data/" || rel == "metadata/" || rel == "cost_and_usage_data_status/" {
				return []string{prefix}, nil, nil
			}
		}
	}
	var roots []string
	for _, c := range children {
		if c[len(prefix):] == "/" {
			// An empty segment: a prefix that ended in "/" (or an empty
			// prefix and keys with a leading "/"). Look one level down.
			if depth < 2 {
				more, moreObjs, err := r.candidateRoots(ctx, c, depth+1)
				if err != nil {
					return nil, nil, err
				}
				roots = append(roots, more...)
				objs = append(objs, moreObjs...)
			}
			continue
		}
		roots = append(roots, c)
	}
	return roots, objs, nil
}

// classify lists root recursively and decides what it holds. When it holds
// no report, it returns the objects it listed.
func (r *Resolver) classify(ctx context.Context, root string) (Report, bool, []object, error) {
	objs, _, err := r.st.list(ctx, root, "")
	if err != nil {
		return Report{}, false, nil, err
	}
	name := path.Base(strings.TrimSuffix(root, "/"))
	ix := &reportIndex{objs: make(map[string]object, len(objs)), order: objs}
	var legacy, athena, export bool
	for _, o := range objs {
		ix.objs[r.st.canon(o.Key)] = o
		rel := o.Key[len(root):]
		switch {
		case strings.HasPrefix(rel, "metadata/BILLING_PERIOD="), strings.HasPrefix(rel, "data/BILLING_PERIOD="):
			export = true
		case strings.HasPrefix(rel, name+"/year="), strings.HasPrefix(rel, "cost_and_usage_data_status/"):
			athena = true
		default:
			if i := strings.IndexByte(rel, '/'); i > 0 && legacyPeriodRE.MatchString(rel[:i+1]) && strings.HasSuffix(rel, "/"+name+"-Manifest.json") {
				legacy = true
			}
		}
	}
	rep := Report{Name: name, Root: root, Prefix: reportPrefix(root, name), idx: ix}
	switch {
	case export:
		rep.Layout, rep.Kind = LayoutExport, KindExport
	case athena:
		rep.Layout, rep.Kind = LayoutAthena, KindCUR
	case legacy:
		rep.Layout, rep.Kind = LayoutLegacy, KindCUR
	default:
		return Report{}, false, objs, nil
	}
	return rep, true, nil, nil
}

// reportPrefix is the report prefix a report's root lies under, as the
// definition's S3Prefix spells it: "cur" for "cur/name/", "cur/" for
// "cur//name/" (AWS doubles the slash of a prefix that ends in one), "" at
// the bucket's top.
func reportPrefix(root, name string) string {
	p := strings.TrimSuffix(root, name+"/")
	if p == root {
		return strings.TrimSuffix(root, "/")
	}
	return strings.TrimSuffix(p, "/")
}

// Find returns the report or export called name under prefix, or an error
// wrapping ErrReportNotFound.
func (r *Resolver) Find(ctx context.Context, prefix, name string) (Report, error) {
	reps, err := r.Reports(ctx, prefix)
	if err != nil {
		return Report{}, err
	}
	for _, rep := range reps {
		if rep.Name == name {
			return rep, nil
		}
	}
	names := make([]string, len(reps))
	for i, rep := range reps {
		names[i] = rep.Name
	}
	return Report{}, fmt.Errorf("%w: %q under %s (found: %s)", ErrReportNotFound, name, location(r.st.bucketName(), prefix), strings.Join(names, ", "))
}

func (r *Resolver) index(ctx context.Context, rep *Report) (*reportIndex, error) {
	if rep.idx != nil {
		return rep.idx, nil
	}
	again, ok, _, err := r.classify(ctx, rep.Root)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: nothing under %s", ErrReportNotFound, location(r.st.bucketName(), rep.Root))
	}
	rep.idx = again.idx
	return rep.idx, nil
}

// Periods returns the report's billing periods, oldest first.
func (r *Resolver) Periods(ctx context.Context, rep Report) ([]Period, error) {
	if rep.Layout == LayoutHistorical {
		return r.historicalPeriods(ctx, rep)
	}
	ix, err := r.index(ctx, &rep)
	if err != nil {
		return nil, err
	}
	seen := map[string]Period{}
	for _, o := range ix.order {
		rel := o.Key[len(rep.Root):]
		if p, ok := periodOf(rep, rel); ok {
			if _, dup := seen[p.String()]; !dup {
				seen[p.String()] = p
			}
		}
	}
	out := make([]Period, 0, len(seen))
	for _, p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month.Before(out[j].Month) })
	return out, nil
}

// periodOf reads the billing period from a key relative to the report's
// root, for the report's layout.
func periodOf(rep Report, rel string) (Period, bool) {
	first, rest, ok := strings.Cut(rel, "/")
	if !ok {
		return Period{}, false
	}
	switch rep.Layout {
	case LayoutLegacy:
		m := legacyPeriodRE.FindStringSubmatch(first + "/")
		if m == nil {
			return Period{}, false
		}
		start, err1 := time.Parse("20060102", m[1])
		end, err2 := time.Parse("20060102", m[2])
		if err1 != nil || err2 != nil || start.Day() != 1 || !end.After(start) {
			return Period{}, false
		}
		return Period{Month: start, Folder: rep.Root + first + "/"}, true
	case LayoutExport:
		if first != "metadata" && first != "data" {
			return Period{}, false
		}
		second, _, ok := strings.Cut(rest, "/")
		if !ok {
			return Period{}, false
		}
		m := exportPeriodRE.FindStringSubmatch(second + "/")
		if m == nil {
			return Period{}, false
		}
		t, err := time.Parse("2006-01", m[1])
		if err != nil {
			return Period{}, false
		}
		return Period{Month: t, Folder: rep.Root + "metadata/" + second + "/"}, true
	case LayoutAthena:
		if first != rep.Name {
			return Period{}, false
		}
		y, rest2, ok := strings.Cut(rest, "/")
		if !ok {
			return Period{}, false
		}
		mo, _, ok := strings.Cut(rest2, "/")
		if !ok {
			return Period{}, false
		}
		ym := athenaYearRE.FindStringSubmatch(y + "/")
		mm := athenaMonthRE.FindStringSubmatch(mo + "/")
		if ym == nil || mm == nil {
			return Period{}, false
		}
		year, _ := strconv.Atoi(ym[1])
		month, _ := strconv.Atoi(mm[1])
		if month < 1 || month > 12 {
			return Period{}, false
		}
		return Period{Month: time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), Folder: rep.Root + first + "/" + y + "/" + mo + "/"}, true
	}
	return Period{}, false
}

// Resolve returns the newest complete delivery of the billing period that
// contains month, or an error wrapping ErrPeriodNotFound,
// ErrManifestNotFound, ErrMalformedManifest, ErrManifestEscapes or
// ErrFileMissing (each a *ManifestError naming the manifest), or an S3 error
// (curerr.ErrAccessDenied, …).
func (r *Resolver) Resolve(ctx context.Context, rep Report, month time.Time) (*Delivery, error) {
	periods, err := r.Periods(ctx, rep)
	if err != nil {
		return nil, err
	}
	want := monthOf(month.UTC())
	for _, p := range periods {
		if p.Month.Equal(want) {
			return r.resolvePeriod(ctx, rep, p)
		}
	}
	return nil, fmt.Errorf("%w: %s has no period %s", ErrPeriodNotFound, rep.Name, want.Format("2006-01"))
}

// Latest resolves every billing period of the report, oldest first.
func (r *Resolver) Latest(ctx context.Context, rep Report) ([]*Delivery, error) {
	periods, err := r.Periods(ctx, rep)
	if err != nil {
		return nil, err
	}
	out := make([]*Delivery, 0, len(periods))
	for _, p := range periods {
		d, err := r.resolvePeriod(ctx, rep, p)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (r *Resolver) resolvePeriod(ctx context.Context, rep Report, p Period) (*Delivery, error) {
	if rep.Layout == LayoutHistorical {
		return r.resolveHistorical(ctx, rep, p)
	}
	ix, err := r.index(ctx, &rep)
	if err != nil {
		return nil, err
	}
	switch rep.Layout {
	case LayoutLegacy:
		return r.resolveLegacy(ctx, rep, ix, p, p.Folder+rep.Name+"-Manifest.json")
	case LayoutAthena:
		return r.resolveAthena(ctx, rep, ix, p)
	default:
		return r.resolveExport(ctx, rep, ix, p)
	}
}

func (r *Resolver) getManifest(ctx context.Context, key string) ([]byte, string, error) {
	b, etag, err := r.st.get(ctx, key, maxManifestBytes)
	if err != nil {
		var kind error
		if errors.Is(err, curerr.ErrNotFound) {
			kind = ErrManifestNotFound
		}
		return nil, "", &ManifestError{Bucket: r.st.bucketName(), Key: key, Err: err, kind: kind}
	}
	return b, etag, nil
}

func (r *Resolver) resolveLegacy(ctx context.Context, rep Report, ix *reportIndex, p Period, key string) (*Delivery, error) {
	if _, ok := ix.lookup(r.st, key); !ok {
		return nil, &ManifestError{Bucket: r.st.bucketName(), Key: key, Err: errors.New("no top-level manifest: this period has no complete delivery yet"), kind: ErrManifestNotFound}
	}
	data, etag, err := r.getManifest(ctx, key)
	if err != nil {
		return nil, err
	}
	m, err := parseLegacyManifest(data)
	if err != nil {
		return nil, &ManifestError{Bucket: r.st.bucketName(), Key: key, Err: err, kind: ErrMalformedManifest}
	}
	if len(m.ReportKeys) == 0 {
		return nil, &ManifestError{Bucket: r.st.bucketName(), Key: key, Err: errors.New("reportKeys is empty"), kind: ErrMalformedManifest}
	}
	d := &Delivery{Kind: KindCUR, Layout: rep.Layout, Report: rep.Name, Prefix: rep.Prefix, Bucket: r.st.bucketName(), Period: p,
		Version: m.AssemblyID, Columns: m.Columns, ManifestKey: key, ManifestETag: etag, Ready: true}
	if d.Version == "" {
		d.Version = "etag:" + strings.Trim(etag, `"`)
	}
	if err := r.addFiles(d, rep, ix, key, m.ReportKeys, nil); err != nil {
		return nil, err
	}
	d.Format, d.Compression = formatOf(d.Files[0].Key, m.Compression)
	return d, nil
}

func (r *Resolver) resolveAthena(ctx context.Context, rep Report, ix *reportIndex, p Period) (*Delivery, error) {
	ready := true
	statusKey := rep.Root + "cost_and_usage_data_status/cost_and_usage_data_status.parquet"
	if o, ok := ix.lookup(r.st, statusKey); ok {
		status, err := r.readStatus(ctx, statusKey, o.Size)
		if err != nil {
			return nil, err
		}
		ready = status == "READY"
	}
	// The manifest AWS delivers into the month folder, or the legacy
	// period folder's top-level one.
	candidates := []string{p.Folder + rep.Name + "-Manifest.json"}
	next := p.Month.AddDate(0, 1, 0)
	candidates = append(candidates, rep.Root+p.Month.Format("20060102")+"-"+next.Format("20060102")+"/"+rep.Name+"-Manifest.json")
	for _, key := range candidates {
		if _, ok := ix.lookup(r.st, key); ok {
			d, err := r.resolveLegacy(ctx, rep, ix, p, key)
			if err != nil {
				return nil, err
			}
			d.Ready = ready
			return d, nil
		}
	}
	// No manifest: the Athena folder is overwritten in place and holds
	// exactly the current files.
	d := &Delivery{Kind: KindCUR, Layout: LayoutAthena, Report: rep.Name, Prefix: rep.Prefix, Bucket: r.st.bucketName(), Period: p,
		Format: FormatParquet, Compression: CompressionParquet, Ready: ready}
	h := sha256.New()
	for _, o := range ix.order {
		if strings.HasPrefix(o.Key, p.Folder) && strings.HasSuffix(o.Key, ".parquet") && !strings.Contains(o.Key[len(p.Folder):], "/") {
			d.Files = append(d.Files, DataFile{Key: o.Key, Size: o.Size, ETag: o.ETag})
			fmt.Fprintf(h, "%s %s\n", o.Key, o.ETag)
		}
	}
	if len(d.Files) == 0 {
		return nil, &ManifestError{Bucket: r.st.bucketName(), Key: candidates[0], Err: errors.New("no manifest and no data files"), kind: ErrManifestNotFound}
	}
	d.Version = "files:" + hex.EncodeToString(h.Sum(nil))[:16]
	return d, nil
}

func (r *Resolver) resolveExport(ctx context.Context, rep Report, ix *reportIndex, p Period) (*Delivery, error) {
	name := rep.Name + "-Manifest.json"
	key := p.Folder + name
	if _, ok := ix.lookup(r.st, key); !ok {
		// Create-new: one <timestamp>-<executionId>/ folder per execution.
		// A manifest is written after all of its data files, so the newest
		// folder that has one is the newest complete execution.
		key = ""
		for _, o := range ix.order {
			rel, ok := strings.CutPrefix(o.Key, p.Folder)
			if !ok {
				continue
			}
			if dir, base, ok := strings.Cut(rel, "/"); ok && base == name && dir != "" && o.Key > key {
				key = o.Key
			}
		}
		if key == "" {
			return nil, &ManifestError{Bucket: r.st.bucketName(), Key: p.Folder + name, Err: errors.New("no manifest: this period has no complete delivery yet"), kind: ErrManifestNotFound}
		}
	}
	data, etag, err := r.getManifest(ctx, key)
	if err != nil {
		return nil, err
	}
	m, err := parseExportManifest(data)
	if err != nil {
		return nil, &ManifestError{Bucket: r.st.bucketName(), Key: key, Err: err, kind: ErrMalformedManifest}
	}
	d := &Delivery{Kind: exportKind(m.Columns), Layout: LayoutExport, Report: rep.Name, Prefix: rep.Prefix, Bucket: r.st.bucketName(), Period: p,
		Version: m.ExecutionID, Columns: m.Columns, ManifestKey: key, ManifestETag: etag, Ready: true}
	if d.Version == "" {
		d.Version = "etag:" + strings.Trim(etag, `"`)
	}
	keys := make([]string, len(m.DataFiles))
	sizes := make([]int64, len(m.DataFiles))
	for i, f := range m.DataFiles {
		keys[i], sizes[i] = f.URI, f.Size
	}
	if err := r.addFiles(d, rep, ix, key, keys, sizes); err != nil {
		return nil, err
	}
	if len(d.Files) > 0 {
		d.Format, d.Compression = formatOf(d.Files[0].Key, m.Compression)
	} else {
		d.Format, d.Compression = FormatCSV, CompressionGzip
	}
	return d, nil
}

// exportKind tells CUR 2.0 from FOCUS from other tables by their columns.
func exportKind(cols []Column) Kind {
	for _, c := range cols {
		n := strings.ToLower(c.Name)
		switch {
		case n == "billedcost" || n == "effectivecost":
			return KindFOCUS
		case strings.HasPrefix(n, "line_item_"):
			return KindCUR2
		}
	}
	return KindExport
}

// addFiles checks every listed key against the report's root and the
// listing, and appends them to d in manifest order.
func (r *Resolver) addFiles(d *Delivery, rep Report, ix *reportIndex, manifestKey string, refs []string, sizes []int64) error {
	seen := make(map[string]bool, len(refs))
	for i, ref := range refs {
		key, err := r.keyOf(rep, ref)
		if err != nil {
			return &ManifestError{Bucket: r.st.bucketName(), Key: manifestKey, File: ref, Err: err, kind: ErrManifestEscapes}
		}
		// Keys that name the same object (on a local directory, "/a//b"
		// and "a/b") are one file: listing it twice would count it twice.
		ck := r.st.canon(key)
		if ignoredKey(key) || seen[ck] {
			continue
		}
		seen[ck] = true
		o, ok := ix.lookup(r.st, key)
		if !ok {
			return &ManifestError{Bucket: r.st.bucketName(), Key: manifestKey, File: key, Err: errors.New("the manifest lists it but it does not exist"), kind: ErrFileMissing}
		}
		f := DataFile{Key: key, Size: o.Size, ETag: o.ETag}
		if sizes != nil && sizes[i] >= 0 && sizes[i] != o.Size {
			return &ManifestError{Bucket: r.st.bucketName(), Key: manifestKey, File: key, Err: fmt.Errorf("the manifest says %d bytes, the object has %d", sizes[i], o.Size), kind: ErrMalformedManifest}
		}
		d.Files = append(d.Files, f)
	}
	if len(d.Files) == 0 && d.Layout != LayoutExport {
		return &ManifestError{Bucket: r.st.bucketName(), Key: manifestKey, Err: errors.New("lists no data files"), kind: ErrMalformedManifest}
	}
	return nil
}

// keyOf turns a manifest's file reference into a key of this bucket under
// the report's root, or says why it may not be read.
func (r *Resolver) keyOf(rep Report, ref string) (string, error) {
	key := ref
	if strings.Contains(ref, "://") {
		rest, ok := strings.CutPrefix(ref, "s3://")
		if !ok {
			return "", fmt.Errorf("%q is not an s3:// URI", ref)
		}
		bucket, k, ok := strings.Cut(rest, "/")
		if !ok || k == "" {
			return "", fmt.Errorf("%q names no key", ref)
		}
		if b := r.st.bucketName(); b != "" && bucket != b {
			return "", fmt.Errorf("%q is in bucket %q, not %q", ref, bucket, b)
		}
		key = k
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == ".." || seg == "." {
			return "", fmt.Errorf("%q has a %q segment", ref, seg)
		}
	}
	for _, c := range key {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "", fmt.Errorf("%q has a control character or backslash", ref)
		}
	}
	if !strings.HasPrefix(r.st.canon(key), r.st.canon(rep.Root)) {
		return "", fmt.Errorf("%q is outside the report's prefix %q", ref, rep.Root)
	}
	return key, nil
}

// formatOfName tells a data file's format and compression from its name:
// .parquet (.snappy.parquet, .gz.parquet), .gz (.csv.gz), .gzip, .zip
// (.csv.zip), .csv.
func formatOfName(name string) (Format, Compression, bool) {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".parquet"):
		return FormatParquet, CompressionParquet, true
	case strings.HasSuffix(n, ".gz"), strings.HasSuffix(n, ".gzip"):
		return FormatCSV, CompressionGzip, true
	case strings.HasSuffix(n, ".zip"):
		return FormatCSV, CompressionZip, true
	case strings.HasSuffix(n, ".csv"):
		return FormatCSV, CompressionNone, true
	}
	return "", "", false
}

// formatOf derives format and compression from a data file's name, with
// the manifest's compression as a fallback.
func formatOf(key, compression string) (Format, Compression) {
	if f, c, ok := formatOfName(key); ok {
		return f, c
	}
	switch strings.ToLower(compression) {
	case "gzip":
		return FormatCSV, CompressionGzip
	case "zip":
		return FormatCSV, CompressionZip
	case "parquet":
		return FormatParquet, CompressionParquet
	}
	return FormatCSV, CompressionNone
}
