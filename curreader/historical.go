package curreader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// HistoricalReport is the report name of historical files: legacy CUR CSV
// files (.csv, .csv.gz, .csv.zip) that a customer placed under the prefix by
// hand, without a manifest — as Spot Eco asks customers to do with the
// months before their export began. [Resolver.Reports] lists them as one
// report of this name, of kind [KindHistorical] and layout
// [LayoutHistorical], with one delivery per billing period.
const HistoricalReport = "historical"

// ErrDuplicateLineItems: two historical files of one billing period hold
// the same line items (a second copy of a month, or two versions of it):
// summing both would count them twice. It wraps curerr.ErrMalformed.
var ErrDuplicateLineItems = curerr.New("curreader: the same line items in two files", curerr.ErrMalformed)

// DuplicateError names the two files of a billing period that repeat the
// same line items.
type DuplicateError struct {
	// Period is the billing period, YYYY-MM.
	Period string
	// Files are the two files, in key order.
	Files [2]string
	// Line is the line of Files[1] where the repetition was found, or 0 when
	// it was found by comparing the files' first rows.
	Line int
}

func (e *DuplicateError) Error() string {
	s := fmt.Sprintf("curreader: historical files %s and %s both hold line items of %s", e.Files[0], e.Files[1], e.Period)
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d of the second)", e.Line)
	}
	return s + ": one is a copy of the other, or of another version of the month; remove one"
}

// Unwrap returns ErrDuplicateLineItems.
func (e *DuplicateError) Unwrap() error { return ErrDuplicateLineItems }

// histIndex is what Reports found of historical files, and what reading
// their first rows told.
type histIndex struct {
	prefix  string
	files   []object            // candidate files, by key
	covered map[string][]string // period → manifest-backed reports that deliver it

	once  sync.Once
	byP   map[string][]histFile // period → files
	notCU []string              // CSV files that are not CUR (no bill/BillingPeriodStartDate)
	err   error
}

// histFile is one historical file and what its first rows say.
type histFile struct {
	obj    object
	period time.Time
	keys   []string // identity/LineItemId|identity/TimeInterval of its first rows
}

// histSample is how many first rows of each file are compared to find a
// second copy of a month before any file is read in full.
const histSample = 64

// isHistoricalName reports whether a key names a CUR CSV file.
func isHistoricalName(key string) bool {
	if ignoredKey(key) {
		return false
	}
	k := strings.ToLower(key)
	return strings.HasSuffix(k, ".csv") || strings.HasSuffix(k, ".csv.gz") || strings.HasSuffix(k, ".csv.zip")
}

// historicalReport builds the historical report from the objects no report
// owns, or returns nil when none is a CSV file. reports are the
// manifest-backed reports under the same prefix: their periods (from the
// listing they were found with, without another request) make a historical
// period covered.
func (r *Resolver) historicalReport(prefix string, loose []object, reports []Report) *Report {
	ix := &histIndex{prefix: prefix, covered: map[string][]string{}}
	seen := map[string]bool{}
	for _, o := range loose {
		if isHistoricalName(o.Key) && !seen[r.st.canon(o.Key)] {
			seen[r.st.canon(o.Key)] = true
			ix.files = append(ix.files, o)
		}
	}
	if len(ix.files) == 0 {
		return nil
	}
	sort.Slice(ix.files, func(i, j int) bool { return ix.files[i].Key < ix.files[j].Key })
	for _, rep := range reports {
		for _, o := range rep.idx.order {
			if p, ok := periodOf(rep, o.Key[len(rep.Root):]); ok {
				names := ix.covered[p.String()]
				if !slices.Contains(names, rep.Name) {
					ix.covered[p.String()] = append(names, rep.Name)
				}
			}
		}
	}
	for _, names := range ix.covered {
		sort.Strings(names)
	}
	return &Report{Name: HistoricalReport, Root: prefix, Prefix: strings.TrimSuffix(prefix, "/"),
		Layout: LayoutHistorical, Kind: KindHistorical, hist: ix}
}

// historical returns the report's index, finding the report again when the
// caller built the Report value itself.
func (r *Resolver) historical(ctx context.Context, rep Report) (*histIndex, error) {
	if rep.hist != nil {
		return rep.hist, nil
	}
	reps, err := r.Reports(ctx, rep.Root)
	if err != nil {
		return nil, err
	}
	for _, x := range reps {
		if x.Layout == LayoutHistorical {
			return x.hist, nil
		}
	}
	return nil, fmt.Errorf("%w: no historical files under %s", ErrReportNotFound, location(r.st.bucketName(), rep.Root))
}

// scan reads the first rows of every historical file, once: the billing
// period of its rows (bill/BillingPeriodStartDate, never the file's name)
// and the keys of its first line items. One GET per file.
func (r *Resolver) scan(ctx context.Context, ix *histIndex) error {
	ix.once.Do(func() {
		ix.byP = map[string][]histFile{}
		st := r.st.files()
		for _, o := range ix.files {
			hf, ok, err := r.scanFile(ctx, st, o)
			if err != nil {
				ix.err = err
				return
			}
			if !ok {
				ix.notCU = append(ix.notCU, o.Key)
				continue
			}
			p := hf.period.Format("2006-01")
			ix.byP[p] = append(ix.byP[p], hf)
		}
	})
	if ix.err != nil && ctx.Err() != nil {
		// A canceled scan is not the index's final word: scan again next time.
		err := ix.err
		ix.once, ix.err = sync.Once{}, nil
		return err
	}
	return ix.err
}

// scanFile reads a file's header and first rows. ok is false for a CSV file
// that is not a CUR file (no bill/BillingPeriodStartDate column) or holds no
// rows.
func (r *Resolver) scanFile(ctx context.Context, st fileStore, o object) (histFile, bool, error) {
	_, comp, _ := formatOfName(o.Key)
	f := DataFile{Key: o.Key, Size: o.Size, ETag: o.ETag}
	fr, err := openCSV(ctx, st, comp, f, nil, ReadOptions{})
	if err != nil {
		return histFile{}, false, err
	}
	defer fr.close()
	h := fr.meta()
	period, id, interval := h.Index("bill/BillingPeriodStartDate"), h.Index("identity/LineItemId"), h.Index("identity/TimeInterval")
	if period < 0 {
		return histFile{}, false, nil
	}
	hf := histFile{obj: o}
	for n := 0; n < histSample; n++ {
		err := fr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return histFile{}, false, err
		}
		row := Row{m: h, src: fr}
		if n == 0 {
			raw := strings.TrimSpace(string(row.Bytes(period)))
			t, err := parseTime(raw)
			if err != nil {
				return histFile{}, false, &ParseError{File: o.Key, Line: fr.line(), Field: "bill/BillingPeriodStartDate", Err: err}
			}
			hf.period = monthOf(t)
		}
		if id >= 0 {
			k := string(row.Bytes(id))
			if interval >= 0 {
				k += "|" + string(row.Bytes(interval))
			}
			hf.keys = append(hf.keys, k)
		}
	}
	if hf.period.IsZero() {
		return histFile{}, false, nil // a header and no rows: nothing to count
	}
	return hf, true, nil
}

// historicalPeriods returns the billing periods the historical files hold.
func (r *Resolver) historicalPeriods(ctx context.Context, rep Report) ([]Period, error) {
	ix, err := r.historical(ctx, rep)
	if err != nil {
		return nil, err
	}
	if err := r.scan(ctx, ix); err != nil {
		return nil, err
	}
	out := make([]Period, 0, len(ix.byP))
	for _, files := range ix.byP {
		out = append(out, Period{Month: files[0].period, Folder: ix.prefix})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month.Before(out[j].Month) })
	return out, nil
}

// resolveHistorical makes one period's historical files a delivery, after
// checking that no two of them begin with the same line items.
func (r *Resolver) resolveHistorical(ctx context.Context, rep Report, p Period) (*Delivery, error) {
	ix, err := r.historical(ctx, rep)
	if err != nil {
		return nil, err
	}
	if err := r.scan(ctx, ix); err != nil {
		return nil, err
	}
	files := ix.byP[p.String()]
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: the historical files hold no period %s", ErrPeriodNotFound, p)
	}
	first := map[string]string{} // line item key → file
	for _, f := range files {
		for _, k := range f.keys {
			if other, dup := first[k]; dup && other != f.obj.Key {
				return nil, &DuplicateError{Period: p.String(), Files: [2]string{other, f.obj.Key}}
			}
			first[k] = f.obj.Key
		}
	}
	d := &Delivery{Kind: KindHistorical, Layout: LayoutHistorical, Report: HistoricalReport, Prefix: rep.Prefix,
		Bucket: r.st.bucketName(), Period: Period{Month: p.Month, Folder: ix.prefix}, Format: FormatCSV, Ready: true,
		CoveredBy: slices.Clone(ix.covered[p.String()])}
	h := sha256.New()
	for i, f := range files {
		_, comp, _ := formatOfName(f.obj.Key)
		if i == 0 {
			d.Compression = comp
		} else if d.Compression != comp {
			d.Compression = "" // mixed: each file's own, from its name
		}
		d.Files = append(d.Files, DataFile{Key: f.obj.Key, Size: f.obj.Size, ETag: f.obj.ETag})
		fmt.Fprintf(h, "%s %s %d\n", f.obj.Key, f.obj.ETag, f.obj.Size)
	}
	d.Version = "files:" + hex.EncodeToString(h.Sum(nil))[:16]
	return d, nil
}

// historicalCheck checks every row of a historical delivery as it is read:
// its billing period is the delivery's (a file's first rows chose its
// period), and no line item of one file appears in another. It keeps a
// 64-bit hash per line item of a multi-file period (about 20 bytes a row).
type historicalCheck struct {
	period      string // YYYY-MM-DD of the period's start
	periodBytes []byte // the same, to compare a row's bytes without a copy
	multi       bool
	seen        map[uint64]int // line item hash → index of the file it came from
	files       []string
	index       map[*Header]int // each file's index in files (rows of files interleave when Unordered)
	h           *Header
	bp          int
	id, iv      int
	file        int
}

func newHistoricalCheck(d *Delivery) *historicalCheck {
	period := d.Period.Month.Format("2006-01-02")
	c := &historicalCheck{period: period, periodBytes: []byte(period), multi: len(d.Files) > 1, index: map[*Header]int{}}
	if c.multi {
		c.seen = map[uint64]int{}
	}
	return c
}

func (c *historicalCheck) check(row Row) error {
	if row.Header() != c.h {
		c.h = row.Header()
		c.bp, c.id, c.iv = c.h.Index("bill/BillingPeriodStartDate"), c.h.Index("identity/LineItemId"), c.h.Index("identity/TimeInterval")
		i, ok := c.index[c.h]
		if !ok {
			i = len(c.files)
			c.index[c.h] = i
			c.files = append(c.files, row.File())
		}
		c.file = i
	}
	if c.bp < 0 {
		return &FileError{File: row.File(), Err: fmt.Errorf("%w: no bill/BillingPeriodStartDate column: not a CUR file", curerr.ErrMalformed)}
	}
	if v := bytes.TrimSpace(row.Bytes(c.bp)); !bytes.HasPrefix(v, c.periodBytes) {
		return &ParseError{File: row.File(), Line: row.Line(), Field: "bill/BillingPeriodStartDate",
			Err: fmt.Errorf("%w: %q is not this delivery's billing period (starting %s, read from the file's first rows): a file holds one month", curerr.ErrMalformed, v, c.period)}
	}
	if !c.multi || c.id < 0 {
		return nil
	}
	k := fnv64(row.Bytes(c.id))
	if c.iv >= 0 {
		k = fnv64add(fnv64add(k, []byte{'|'}), row.Bytes(c.iv))
	}
	if prev, dup := c.seen[k]; dup && prev != c.file {
		files := [2]string{c.files[prev], c.files[c.file]}
		return &DuplicateError{Period: c.period[:7], Files: files, Line: row.Line()}
	}
	c.seen[k] = c.file
	return nil
}

func fnv64(b []byte) uint64 { return fnv64add(14695981039346656037, b) }

func fnv64add(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
