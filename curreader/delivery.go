package curreader

import (
	"fmt"
	"strings"
	"time"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// Kind is the kind of a report or export.
type Kind string

// Kinds of deliveries. The values are those `curcat list -json` prints.
const (
	// KindCUR is a legacy Cost and Usage Report.
	KindCUR Kind = "cur"
	// KindCUR2 is a Data Exports CUR 2.0 export.
	KindCUR2 Kind = "cur2"
	// KindFOCUS is a Data Exports FOCUS export.
	KindFOCUS Kind = "focus"
	// KindExport is another Data Exports table (or an export whose
	// manifest does not tell).
	KindExport Kind = "export"
	// KindHistorical is legacy CUR CSV files a customer placed under the
	// prefix by hand, with no manifest.
	KindHistorical Kind = "historical"
)

// Layout is how a report lays out its billing periods.
type Layout string

// Layouts.
const (
	// LayoutLegacy: <prefix>/<report>/<YYYYMMDD-YYYYMMDD>/… with a top-level
	// manifest per period (create-new or overwrite).
	LayoutLegacy Layout = "legacy"
	// LayoutAthena: the legacy Athena integration,
	// <prefix>/<report>/<report>/year=YYYY/month=M/…, Parquet, overwrite,
	// with a cost_and_usage_data_status file.
	LayoutAthena Layout = "athena"
	// LayoutExport: Data Exports, <prefix>/<export>/data|metadata/BILLING_PERIOD=YYYY-MM/….
	LayoutExport Layout = "export"
	// LayoutHistorical: legacy CUR CSV files placed under the prefix by
	// hand, without a manifest; their rows tell their billing period.
	LayoutHistorical Layout = "historical"
)

// Format is the file format of a delivery's data files.
type Format string

// Formats. The values are those `curcat list -json` prints.
const (
	FormatCSV     Format = "csv"
	FormatParquet Format = "parquet"
)

// Compression is how a delivery's data files are compressed.
type Compression string

// Compressions. The values are those `curcat list -json` prints.
const (
	CompressionGzip    Compression = "gzip"
	CompressionZip     Compression = "zip"
	CompressionParquet Compression = "parquet"
	CompressionNone    Compression = "none"
)

// UnmarshalText accepts a Kind in any letter case, and the spellings
// AWS's APIs and older profiles use: LEGACY_CUR for KindCUR, OTHER for
// KindExport.
func (k *Kind) UnmarshalText(b []byte) error {
	s := strings.ToLower(string(b))
	switch s {
	case string(KindCUR), string(KindCUR2), string(KindFOCUS), string(KindExport), string(KindHistorical):
		*k = Kind(s)
	case "legacy_cur", "legacy":
		*k = KindCUR
	case "other":
		*k = KindExport
	default:
		return fmt.Errorf("%w: unknown kind %q (cur, cur2, focus, export, historical)", curerr.ErrMalformed, b)
	}
	return nil
}

// UnmarshalText accepts a Format in any letter case, and AWS's spellings
// (textORcsv, TEXT_OR_CSV).
func (f *Format) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "csv", "textorcsv", "text_or_csv":
		*f = FormatCSV
	case "parquet":
		*f = FormatParquet
	default:
		return fmt.Errorf("%w: unknown format %q (csv, parquet)", curerr.ErrMalformed, b)
	}
	return nil
}

// UnmarshalText accepts a Compression in any letter case.
func (c *Compression) UnmarshalText(b []byte) error {
	s := Compression(strings.ToLower(string(b)))
	switch s {
	case CompressionGzip, CompressionZip, CompressionParquet, CompressionNone:
		*c = s
	default:
		return fmt.Errorf("%w: unknown compression %q (gzip, zip, parquet, none)", curerr.ErrMalformed, b)
	}
	return nil
}

// Report is one legacy report or export found under a prefix.
type Report struct {
	// Name is the report or export name.
	Name string
	// Prefix is the report prefix it lies under, as the report
	// definition's S3Prefix or the export's S3Prefix spells it ("cur",
	// "cost/", or "" at the bucket's top).
	Prefix string
	// Root is the key prefix of everything the report writes, ending in
	// "/", exactly as stored (it may hold "//").
	Root string
	// Layout is how its periods are laid out.
	Layout Layout
	// Kind is KindCUR for legacy layouts. For exports it is known once a
	// manifest has been read (see Delivery.Kind); until then KindExport.
	Kind Kind

	idx  *reportIndex // the listing the report was found with
	hist *histIndex   // for the historical report: its files
}

// Period is one billing period of a report.
type Period struct {
	// Month is the first instant of the billing month, UTC.
	Month time.Time
	// Folder is the key prefix of the period (the legacy
	// YYYYMMDD-YYYYMMDD/ folder, the BILLING_PERIOD=YYYY-MM/ metadata
	// folder, or the Athena year=YYYY/month=M/ folder).
	Folder string
}

// String returns the period as YYYY-MM.
func (p Period) String() string { return p.Month.Format("2006-01") }

// DataFile is one data file of a delivery.
type DataFile struct {
	// Key is the object key, exactly as stored.
	Key string
	// Size in bytes, from the listing; -1 when unknown.
	Size int64
	// ETag from the listing, if known.
	ETag string
}

// Delivery is the newest complete delivery of one billing period of a
// report: exactly the files its top-level manifest lists, never a mix of
// versions.
type Delivery struct {
	Kind   Kind
	Layout Layout
	// Report is the report or export name.
	Report string
	// Prefix is the report prefix (Report.Prefix).
	Prefix string
	// Bucket holds the files.
	Bucket string
	// Period is the billing period.
	Period Period
	// Version identifies this delivery: the legacy assemblyId, the Data
	// Exports executionId, or, when the manifest has neither (overwrite
	// mode), "etag:" and the manifest's ETag. It changes whenever AWS
	// delivers again (restating a closed month included).
	Version string
	// Format and Compression of the data files.
	Format      Format
	Compression Compression
	// Columns are the columns the manifest declares (legacy names are
	// category/Name).
	Columns []Column
	// Files are the data files in manifest order.
	Files []DataFile
	// ManifestKey is the key of the manifest this delivery comes from;
	// ManifestETag its ETag.
	ManifestKey, ManifestETag string
	// Ready is false when AWS reports the delivery as still being updated
	// (the Athena layout's cost_and_usage_data_status says UPDATING):
	// reading it now may see a partial month.
	Ready bool
	// CoveredBy names, for a historical delivery, the manifest-backed
	// reports under the same prefix that deliver the same billing period,
	// so that a platform can prefer them for the months they have and the
	// historical files for the months before.
	CoveredBy []string
}

// TotalSize is the sum of the files' sizes, or -1 if any is unknown.
func (d *Delivery) TotalSize() int64 {
	var n int64
	for _, f := range d.Files {
		if f.Size < 0 {
			return -1
		}
		n += f.Size
	}
	return n
}
