package curreader

import (
	"time"
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
)

// Format of the data files.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)

// Compression of the data files.
const (
	CompressionGzip    = "gzip"
	CompressionZip     = "zip"
	CompressionParquet = "parquet"
	CompressionNone    = "none"
)

// Report is one legacy report or export found under a prefix.
type Report struct {
	// Name is the report or export name.
	Name string
	// Root is the key prefix of everything the report writes, ending in
	// "/", exactly as stored (it may hold "//").
	Root string
	// Layout is how its periods are laid out.
	Layout Layout
	// Kind is KindCUR for legacy layouts. For exports it is known once a
	// manifest has been read (see Delivery.Kind); until then KindExport.
	Kind Kind

	idx *reportIndex // the listing the report was found with
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
	// Bucket holds the files.
	Bucket string
	// Period is the billing period.
	Period Period
	// Version identifies this delivery: the legacy assemblyId, the Data
	// Exports executionId, or, when the manifest has neither (overwrite
	// mode), "etag:" and the manifest's ETag. It changes whenever AWS
	// delivers again (restating a closed month included).
	Version string
	// Format is FormatCSV or FormatParquet; Compression one of the
	// Compression constants.
	Format, Compression string
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
