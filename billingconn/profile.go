package billingconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// ExportKind names a kind of billing export.
type ExportKind string

// Kinds of export a Profile can accept.
const (
	// KindLegacyCUR is a legacy Cost and Usage Report (costandusagereportservice).
	KindLegacyCUR ExportKind = "LEGACY_CUR"
	// KindCUR2 is a Data Exports export of the COST_AND_USAGE_REPORT table (CUR 2.0).
	KindCUR2 ExportKind = "CUR2"
	// KindFOCUS is a Data Exports export of a FOCUS_* table.
	KindFOCUS ExportKind = "FOCUS"
	// KindOther is a Data Exports export of any other table. A profile
	// cannot ask for it; it is what discovery reports for unknown tables.
	KindOther ExportKind = "OTHER"
)

// Requirement is how much a consumer cares about an on/off setting.
type Requirement string

// Requirements. The zero value means the consumer does not care.
const (
	NoPreference Requirement = ""
	// Required: a definition without the setting gets an error finding.
	Required Requirement = "required"
	// Recommended: a definition without the setting gets a warning finding.
	Recommended Requirement = "recommended"
	// Forbidden: a definition with the setting gets an error finding.
	Forbidden Requirement = "forbidden"
)

// Profile values for formats and compressions (neutral spellings that map to
// the legacy API's textORcsv/Parquet and Data Exports' TEXT_OR_CSV/PARQUET).
const (
	FormatCSV          = "CSV"
	FormatParquet      = "PARQUET"
	CompressionGZIP    = "GZIP"
	CompressionZIP     = "ZIP"
	CompressionParquet = "PARQUET"
)

// Profile describes what one consumer of billing data needs from a report or
// export. The zero value of each field means "no preference". A Profile is
// plain data: it can be built in Go, taken from Optima or Eco, or loaded from
// JSON with ParseProfile / LoadProfile (field names as in the json tags).
type Profile struct {
	// Name identifies the profile in findings and in the names of proposed
	// second reports: 1–64 of letters, digits, '-' and '_'.
	Name string `json:"name"`
	// Kinds lists the export kinds the consumer can read. Empty means any.
	Kinds []ExportKind `json:"kinds,omitempty"`
	// TimeUnit is the required granularity: HOURLY, DAILY or MONTHLY
	// (legacy TimeUnit; Data Exports TIME_GRANULARITY).
	TimeUnit string `json:"timeUnit,omitempty"`
	// ResourceIDs: legacy AdditionalSchemaElements RESOURCES; CUR 2.0
	// INCLUDE_RESOURCES and the line_item_resource_id column; FOCUS the
	// ResourceId column.
	ResourceIDs Requirement `json:"resourceIds,omitempty"`
	// SplitCostAllocationData: legacy SPLIT_COST_ALLOCATION_DATA; CUR 2.0
	// INCLUDE_SPLIT_COST_ALLOCATION_DATA. Not checked on FOCUS exports,
	// which have no such setting.
	SplitCostAllocationData Requirement `json:"splitCostAllocationData,omitempty"`
	// RefreshClosedReports: legacy RefreshClosedReports. Data Exports
	// always refresh the previous period, so exports satisfy Required and
	// Recommended and cannot satisfy Forbidden.
	RefreshClosedReports Requirement `json:"refreshClosedReports,omitempty"`
	// Versioning is CREATE_NEW_REPORT or OVERWRITE_REPORT (legacy
	// ReportVersioning; Data Exports Overwrite).
	Versioning string `json:"versioning,omitempty"`
	// Format is CSV or PARQUET.
	Format string `json:"format,omitempty"`
	// Compression is GZIP, ZIP (legacy only) or PARQUET.
	Compression string `json:"compression,omitempty"`
	// Region is the region the destination bucket must be in (S3Region).
	Region string `json:"region,omitempty"`
	// Athena: the legacy ATHENA additional artifact. Required implies
	// Parquet, OVERWRITE_REPORT and a legacy report.
	Athena Requirement `json:"athena,omitempty"`
	// S3Prefix: whether the definition must have a non-empty S3Prefix.
	// Forbidden is not allowed.
	S3Prefix Requirement `json:"s3Prefix,omitempty"`
	// NamePrefix, if set, is a prefix the report or export name must start
	// with (for consumers that find reports by name).
	NamePrefix string `json:"namePrefix,omitempty"`
}

// Optima returns the profile of Flexera Optima (Flexera One Cloud Cost
// Optimization). Each field cites its source.
func Optima() *Profile {
	return &Profile{
		Name: "optima",
		// "Flexera One supports legacy CUR only":
		// docs.flexera.com/flexera/EN/Optima/OptimaBillConnectConfigsAWS.htm
		// (reference §1.4).
		Kinds: []ExportKind{KindLegacyCUR},
		// The fields below follow flexera-public/rightscale-docs,
		// source/optima/getting_started/bill_connect/aws.html.md, "Use
		// Existing Cost and Usage Report" (reference §1.4, §8):
		// "Time granularity set to Hourly".
		TimeUnit: "HOURLY",
		// "Include resource IDs enabled".
		ResourceIDs: Required,
		// "Data refresh settings enabled".
		RefreshClosedReports: Required,
		// "Report versioning set to Create new report version".
		Versioning: "CREATE_NEW_REPORT",
		// "Compression type set to GZIP" (GZIP implies CSV in the legacy API).
		Format:      FormatCSV,
		Compression: CompressionGZIP,
		// "Enter a Report Prefix. Required" (same page, "Configure New Cost
		// and Usage Report").
		S3Prefix: Required,
		// "No boxes need to be checked under Enable report data integration
		// for": Athena is not needed, and would force Parquet and overwrite.
		Athena: NoPreference,
	}
}

// Eco returns the profile of Spot Eco (Spot by NetApp, now Flexera). Each
// field cites its source.
func Eco() *Profile {
	return &Profile{
		Name: "eco",
		// spotinst/help, eco/getting-started/connect-your-aws-account.md
		// (reference §1.4, §8), Step 2: "Select Legacy CUR export".
		Kinds: []ExportKind{KindLegacyCUR},
		// Same page: "Report data time granularity: Select Hourly".
		TimeUnit: "HOURLY",
		// "Additional export details: Select Include Resource IDs".
		ResourceIDs: Required,
		// "Data refresh settings: Select Refresh automatically".
		RefreshClosedReports: Required,
		// "Report versioning: Select Overwrite existing report".
		Versioning: "OVERWRITE_REPORT",
		// "Report data integration: Amazon Athena" (Athena implies Parquet,
		// reference §1.3).
		Athena:      Required,
		Format:      FormatParquet,
		Compression: CompressionParquet,
		// "AWS Region: … generating the CUR file into a bucket in us-east-1".
		Region: "us-east-1",
		// "A S3 path prefix is required to create the report".
		S3Prefix: Required,
	}
}

// BuiltinProfile returns a new copy of the built-in profile with the given
// name ("optima" or "eco", case-insensitive).
func BuiltinProfile(name string) (*Profile, bool) {
	switch strings.ToLower(name) {
	case "optima":
		return Optima(), true
	case "eco":
		return Eco(), true
	}
	return nil, false
}

// maxProfileSize bounds LoadProfile's input.
const maxProfileSize = 1 << 20

// LoadProfile reads a JSON profile from r (at most 1 MiB) and validates it.
func LoadProfile(r io.Reader) (*Profile, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxProfileSize+1))
	if err != nil {
		return nil, fmt.Errorf("billingconn: read profile: %w", err)
	}
	if len(data) > maxProfileSize {
		return nil, fieldErr("profile", "is over %d bytes", maxProfileSize)
	}
	return ParseProfile(data)
}

// ParseProfile decodes a JSON profile and validates it. Unknown fields are
// refused (a misspelt requirement must not pass silently). Errors wrap
// curerr.ErrMalformed; validation errors are joined *curerr.FieldError.
func ParseProfile(data []byte) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, &curerr.FieldError{Field: "profile", Msg: "is not a JSON profile: " + err.Error(), Err: err}
	}
	if dec.More() {
		return nil, fieldErr("profile", "has data after the JSON object")
	}
	if len(p.Kinds) == 0 {
		p.Kinds = nil // "kinds": [] means any, as an absent list does
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

var (
	profileNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	regionRE      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
)

func validRequirement(r Requirement) bool {
	switch r {
	case NoPreference, Required, Recommended, Forbidden:
		return true
	}
	return false
}

// Validate checks the profile itself: known values, and no requirement that
// AWS's own rules make impossible to meet together (Athena with CSV or
// CREATE_NEW_REPORT, Parquet with GZIP, ZIP for Data Exports, …). It returns
// all problems as errors.Join of *curerr.FieldError, with the json field names.
func (p *Profile) Validate() error {
	var errs []*curerr.FieldError
	bad := func(field, format string, args ...any) { errs = append(errs, fieldErr(field, format, args...)) }
	if !profileNameRE.MatchString(p.Name) {
		bad("name", "%q must be 1 to 64 letters, digits, '-' or '_'", p.Name)
	}
	for i, k := range p.Kinds {
		switch k {
		case KindLegacyCUR, KindCUR2, KindFOCUS:
		default:
			bad(fmt.Sprintf("kinds[%d]", i), "%q is not one of LEGACY_CUR, CUR2, FOCUS", k)
		}
	}
	switch p.TimeUnit {
	case "", "HOURLY", "DAILY", "MONTHLY":
	default:
		bad("timeUnit", "%q is not one of HOURLY, DAILY, MONTHLY", p.TimeUnit)
	}
	for _, r := range []struct {
		field string
		v     Requirement
	}{
		{"resourceIds", p.ResourceIDs}, {"splitCostAllocationData", p.SplitCostAllocationData},
		{"refreshClosedReports", p.RefreshClosedReports}, {"athena", p.Athena}, {"s3Prefix", p.S3Prefix},
	} {
		if !validRequirement(r.v) {
			bad(r.field, "%q is not one of required, recommended, forbidden (or empty)", r.v)
		}
	}
	if p.S3Prefix == Forbidden {
		bad("s3Prefix", "cannot be forbidden: an empty prefix is never needed")
	}
	switch p.Versioning {
	case "", "CREATE_NEW_REPORT", "OVERWRITE_REPORT":
	default:
		bad("versioning", "%q is not one of CREATE_NEW_REPORT, OVERWRITE_REPORT", p.Versioning)
	}
	switch p.Format {
	case "", FormatCSV, FormatParquet:
	default:
		bad("format", "%q is not one of CSV, PARQUET", p.Format)
	}
	switch p.Compression {
	case "", CompressionGZIP, CompressionZIP, CompressionParquet:
	default:
		bad("compression", "%q is not one of GZIP, ZIP, PARQUET", p.Compression)
	}
	if p.Format == FormatParquet && (p.Compression == CompressionGZIP || p.Compression == CompressionZIP) {
		bad("compression", "%s cannot go with format PARQUET (Parquet files use Parquet compression)", p.Compression)
	}
	if p.Format == FormatCSV && p.Compression == CompressionParquet {
		bad("compression", "PARQUET cannot go with format CSV (use GZIP or ZIP)")
	}
	if p.Region != "" && !regionRE.MatchString(p.Region) {
		bad("region", "%q is not an AWS region code like us-east-1", p.Region)
	}
	if p.NamePrefix != "" && (len(p.NamePrefix) > 100 || !reportNameRE.MatchString(p.NamePrefix)) {
		bad("namePrefix", "%q must be up to 100 of letters, digits and !-_.*'()", p.NamePrefix)
	}
	onlyLegacy := len(p.Kinds) > 0 && !slices.ContainsFunc(p.Kinds, func(k ExportKind) bool { return k != KindLegacyCUR })
	if p.Compression == CompressionZIP && !onlyLegacy {
		bad("compression", "ZIP exists only for legacy reports: set kinds to [\"LEGACY_CUR\"]")
	}
	if p.Athena == Required {
		if !onlyLegacy {
			bad("athena", "the Athena artifact exists only for legacy reports: set kinds to [\"LEGACY_CUR\"]")
		}
		if p.Versioning == "CREATE_NEW_REPORT" {
			bad("versioning", "CREATE_NEW_REPORT conflicts with athena required (Athena reports always overwrite)")
		}
		if p.Format == FormatCSV || p.Compression == CompressionGZIP || p.Compression == CompressionZIP {
			bad("format", "CSV conflicts with athena required (Athena reports are Parquet)")
		}
	}
	return joinFieldErrors(errs)
}

// errNilProfile is returned for a nil *Profile argument.
var errNilProfile = errors.New("is nil")
