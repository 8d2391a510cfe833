package curtest

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Kind is the kind of delivery stream AWS writes.
type Kind int

const (
	// LegacyCUR is a legacy Cost and Usage Report (API cur, headers like
	// lineItem/UnblendedCost, manifest <r>-Manifest.json).
	LegacyCUR Kind = iota
	// CUR2 is a Data Exports CUR 2.0 export (table COST_AND_USAGE_REPORT).
	CUR2
	// FOCUS10 is a Data Exports FOCUS 1.0 export (table FOCUS_1_0_AWS).
	FOCUS10
	// FOCUS12 is a Data Exports FOCUS 1.2 export (table FOCUS_1_2_AWS).
	FOCUS12
)

// String returns the kind's short name, as curreader and curcat name
// kinds: "cur", "cur2" or "focus" (FOCUS 1.0 and 1.2 alike).
func (k Kind) String() string {
	switch k {
	case LegacyCUR:
		return "cur"
	case CUR2:
		return "cur2"
	case FOCUS10, FOCUS12:
		return "focus"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Versioning is the report's versioning mode (ReportVersioning /
// S3OutputConfigurations.Overwrite).
type Versioning int

const (
	// CreateNew keeps every delivery in its own folder (an assembly for
	// legacy CUR, a <timestamp>-<executionId> folder for Data Exports) and
	// points the top-level manifest at the newest one.
	CreateNew Versioning = iota
	// Overwrite rewrites the same keys on every delivery.
	Overwrite
)

// String returns the AWS enum value.
func (v Versioning) String() string {
	if v == Overwrite {
		return "OVERWRITE_REPORT"
	}
	return "CREATE_NEW_REPORT"
}

// FileType is the file format and compression of the data files.
type FileType int

const (
	// CSVGzip is gzip-compressed CSV (.csv.gz).
	CSVGzip FileType = iota
	// CSVZip is CSV in a zip archive (.csv.zip, one member); legacy CUR only.
	CSVZip
	// Parquet is Snappy-compressed Parquet (.snappy.parquet).
	Parquet
)

// String returns "csv.gz", "csv.zip" or "parquet".
func (f FileType) String() string {
	switch f {
	case CSVGzip:
		return "csv.gz"
	case CSVZip:
		return "csv.zip"
	case Parquet:
		return "parquet"
	}
	return fmt.Sprintf("FileType(%d)", int(f))
}

// Width selects how many columns a report has.
type Width int

const (
	// Narrow is about 40 columns (legacy, CUR 2.0) or the whole FOCUS
	// column set: the default, for tests.
	Narrow Width = iota
	// Wide is about 150 columns (legacy, CUR 2.0), for benchmarks.
	Wide
)

// Numbers selects how decimal values are written in CSV cells.
type Numbers int

const (
	// MixedNumbers writes most numbers the way 2023 files do (shortest
	// form, "0.0", scientific notation below 0.001: "1.1E-5") and about one
	// row in five with fixed ten decimals ("0.0110000000"), so readers meet
	// every notation in one file. The default.
	MixedNumbers Numbers = iota
	// ShortNumbers writes every number in the 2023 style only.
	ShortNumbers
	// FixedNumbers writes every number with ten decimals, as 2020 files do.
	FixedNumbers
)

// Spec describes one delivery stream (one legacy report or one export) and
// what AWS has delivered for it. Only Name is required: the zero value of
// every other field is a sensible default (one month, 2024-03, of a legacy
// CUR in gzip CSV, create-new, one file of 20 rows).
type Spec struct {
	// Kind is the kind of report or export. The zero value is LegacyCUR.
	Kind Kind
	// Name is the report or export name (ReportName / Export.Name). It must
	// match [0-9A-Za-z!\-_.*'()]+.
	Name string
	// Bucket is the bucket that manifests and s3:// URIs name; write to the
	// same one (S3Sink.Bucket). If empty, DefaultBucket.
	Bucket string
	// Prefix is the S3 prefix (S3Prefix). It is joined to the name with a
	// "/", so a prefix ending in "/" yields "//" in keys, as AWS does. Empty
	// means the report folder is at the bucket root.
	Prefix string
	// Account is the payer (owner) account ID. If empty, "111122223333".
	Account string
	// Versioning is the versioning mode.
	Versioning Versioning
	// Format is the data file format. Legacy CUR allows all three, Data
	// Exports CSVGzip and Parquet.
	Format FileType
	// Athena writes the legacy Athena-integration layout
	// (<p>/<r>/<r>/year=YYYY/month=M/, crawler-cfn.yml,
	// cost_and_usage_data_status). It requires LegacyCUR, Parquet,
	// Overwrite and a non-empty Prefix, as AWS does.
	Athena bool
	// AthenaUpdating writes UPDATING instead of READY in the Athena status
	// file.
	AthenaUpdating bool
	// Start is the first billing period, "YYYY-MM". If empty, "2024-03".
	Start string
	// Months is the number of consecutive billing periods. If zero, 1.
	Months int
	// Versions is the number of complete deliveries (assemblies,
	// executions, or successive overwrites) per period, each a complete
	// month-to-date snapshot. If zero, 1.
	Versions int
	// Files is the number of data files per delivery. If zero, 1.
	Files int
	// Rows is the number of rows per data file. If zero, 20.
	Rows int
	// Seed makes the output deterministic: the same Spec writes the same
	// bytes.
	Seed uint64
	// Width is the column set.
	Width Width
	// Numbers is the notation of decimal values in CSV.
	Numbers Numbers

	// Redshift writes the Redshift artifacts (<r>-RedshiftCommands.sql,
	// <r>-RedshiftManifest.json) with each delivery and lists them in
	// additionalArtifactKeys. Legacy CSV only.
	Redshift bool
	// AccessTestObject writes AWS's aws-programmatic-access-test-object at
	// the prefix root.
	AccessTestObject bool
	// UnpaddedNumbers names legacy files <r>-1.csv.gz as old reports did,
	// instead of <r>-00001.csv.gz.
	UnpaddedNumbers bool
	// UUIDAssemblies uses UUID assemblyIds (older reports) instead of
	// YYYYMMDDTHHMMSSZ timestamps. Legacy only.
	UUIDAssemblies bool
	// EmptyFiles makes the last EmptyFiles data files of every delivery
	// 0-row files (a header only, for CSV). It must not exceed Files.
	EmptyFiles int
	// ShrinkBy makes every delivery but the last of a period have ShrinkBy
	// more data files than the last one. With Overwrite, the last refresh
	// rewrites fewer chunks than the one before and the surplus chunks are
	// left in place, not listed in the manifest (see StaleEmpty). Requires
	// Overwrite and Versions >= 2.
	ShrinkBy int
	// StaleEmpty rewrites the surplus chunks of a shrinking refresh as
	// 0-row files, as AWS's delivery documentation describes. By default
	// they keep the data of the earlier refresh, the harder case for a
	// reader that lists the folder instead of following the manifest.
	StaleEmpty bool
	// Incomplete adds, in the last period, one more delivery whose data
	// files are written but whose manifests are not: the top-level manifest
	// still points at the previous delivery. Requires CreateNew.
	Incomplete bool
	// SchemaDrift varies the legacy schema between billing periods, as AWS
	// does when Savings Plans or tags come and go: the 1st, 3rd, … periods
	// lack the savingsPlan/* columns and the resourceTags/user:Environment
	// tag column. Legacy CUR only (CUR 2.0 and FOCUS have fixed schemas).
	SchemaDrift bool
	// Restate adds, in the first period, one more complete delivery made
	// after the month closed, with different totals (AWS refreshes closed
	// months after credits and refunds). Requires Months >= 2.
	Restate bool
}

// DefaultBucket is the bucket of a Spec that names none, and the bucket a
// [Server] holds when NewServer is given none.
const DefaultBucket = "curtest-billing-111122223333"

// Defaults of the other Spec fields; Result.Spec shows them filled in.
const (
	defaultAccount = "111122223333"
	defaultStart   = "2024-03"
	defaultRows    = 20
)

var (
	nameRE    = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()]+$`)
	prefixRE  = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()/]*$`)
	bucketRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

// resolve fills defaults and checks the Spec. It reports every problem.
func (s Spec) resolve() (Spec, time.Time, error) {
	if s.Bucket == "" {
		s.Bucket = DefaultBucket
	}
	if s.Account == "" {
		s.Account = defaultAccount
	}
	if s.Start == "" {
		s.Start = defaultStart
	}
	if s.Months == 0 {
		s.Months = 1
	}
	if s.Versions == 0 {
		s.Versions = 1
	}
	if s.Files == 0 {
		s.Files = 1
	}
	if s.Rows == 0 {
		s.Rows = defaultRows
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("curtest: spec %s: "+format, append([]any{field}, args...)...))
	}
	start, err := time.Parse("2006-01", s.Start)
	if err != nil {
		bad("Start", "%q is not YYYY-MM", s.Start)
	}
	if s.Kind < LegacyCUR || s.Kind > FOCUS12 {
		bad("Kind", "unknown kind %d", int(s.Kind))
	}
	if !nameRE.MatchString(s.Name) || len(s.Name) > 128 {
		bad("Name", "%q is not a valid report or export name", s.Name)
	}
	if !prefixRE.MatchString(s.Prefix) || len(s.Prefix) > 256 {
		bad("Prefix", "%q is not a valid S3 prefix", s.Prefix)
	}
	if !bucketRE.MatchString(s.Bucket) {
		bad("Bucket", "%q is not a valid bucket name", s.Bucket)
	}
	if !accountRE.MatchString(s.Account) {
		bad("Account", "%q is not a 12-digit account ID", s.Account)
	}
	if s.Versioning != CreateNew && s.Versioning != Overwrite {
		bad("Versioning", "unknown versioning %d", int(s.Versioning))
	}
	switch s.Format {
	case CSVGzip, Parquet:
	case CSVZip:
		if s.Kind != LegacyCUR {
			bad("Format", "Data Exports do not write ZIP")
		}
	default:
		bad("Format", "unknown format %d", int(s.Format))
	}
	if s.Width != Narrow && s.Width != Wide {
		bad("Width", "unknown width %d", int(s.Width))
	}
	if s.Numbers < MixedNumbers || s.Numbers > FixedNumbers {
		bad("Numbers", "unknown notation %d", int(s.Numbers))
	}
	if s.Months < 0 || s.Months > 240 {
		bad("Months", "%d is out of range 1..240", s.Months)
	}
	if s.Versions < 0 || s.Versions > 100 {
		bad("Versions", "%d is out of range 1..100", s.Versions)
	}
	if s.Files < 0 || s.Files > 99999 {
		bad("Files", "%d is out of range 1..99999", s.Files)
	}
	if s.Rows < 0 {
		bad("Rows", "%d is negative", s.Rows)
	}
	if s.EmptyFiles < 0 || s.EmptyFiles > s.Files {
		bad("EmptyFiles", "%d is out of range 0..Files (%d)", s.EmptyFiles, s.Files)
	}
	if s.Athena {
		if s.Kind != LegacyCUR || s.Format != Parquet || s.Versioning != Overwrite || s.Prefix == "" || s.Redshift {
			bad("Athena", "requires LegacyCUR, Parquet, Overwrite, a non-empty Prefix and no other artifact")
		}
	} else if s.AthenaUpdating {
		bad("AthenaUpdating", "requires Athena")
	}
	if s.Redshift && (s.Kind != LegacyCUR || s.Format == Parquet) {
		bad("Redshift", "requires a legacy CSV report")
	}
	if s.UUIDAssemblies && s.Kind != LegacyCUR {
		bad("UUIDAssemblies", "applies to legacy CUR only")
	}
	if s.ShrinkBy < 0 || (s.ShrinkBy > 0 && (s.Versioning != Overwrite || s.Versions < 2 || s.Files+s.ShrinkBy > 99999)) {
		bad("ShrinkBy", "requires Overwrite and Versions >= 2")
	}
	if s.StaleEmpty && s.ShrinkBy == 0 {
		bad("StaleEmpty", "requires ShrinkBy")
	}
	if s.Incomplete && s.Versioning != CreateNew {
		bad("Incomplete", "requires CreateNew (an overwrite has no separate folder)")
	}
	if s.SchemaDrift && s.Kind != LegacyCUR {
		bad("SchemaDrift", "applies to legacy CUR only")
	}
	if s.Restate && s.Months < 2 {
		bad("Restate", "requires Months >= 2 (the first month must be closed)")
	}
	return s, start, errors.Join(errs...)
}
