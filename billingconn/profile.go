package billingconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/jsonerr"
)

// Requirement is how much a consumer cares about an on/off setting.
type Requirement string

// Requirements. The zero value means the consumer does not care.
const (
	RequirementNone Requirement = ""
	// RequirementRequired: a definition without the setting gets an error
	// finding.
	RequirementRequired Requirement = "required"
	// RequirementRecommended: a definition without the setting gets a
	// warning finding.
	RequirementRecommended Requirement = "recommended"
	// RequirementForbidden: a definition with the setting gets an error
	// finding.
	RequirementForbidden Requirement = "forbidden"
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
	Kinds []curreader.Kind `json:"kinds,omitempty"`
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
	Format curreader.Format `json:"format,omitempty"`
	// Compression is GZIP, ZIP (legacy only) or PARQUET.
	Compression curreader.Compression `json:"compression,omitempty"`
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
		Kinds: []curreader.Kind{curreader.KindCUR},
		// The fields below follow flexera-public/rightscale-docs,
		// source/optima/getting_started/bill_connect/aws.html.md, "Use
		// Existing Cost and Usage Report" (reference §1.4, §8):
		// "Time granularity set to Hourly".
		TimeUnit: "HOURLY",
		// "Include resource IDs enabled".
		ResourceIDs: RequirementRequired,
		// "Data refresh settings enabled".
		RefreshClosedReports: RequirementRequired,
		// "Report versioning set to Create new report version".
		Versioning: "CREATE_NEW_REPORT",
		// "Compression type set to GZIP" (GZIP implies CSV in the legacy API).
		Format:      curreader.FormatCSV,
		Compression: curreader.CompressionGzip,
		// "Enter a Report Prefix. Required" (same page, "Configure New Cost
		// and Usage Report").
		S3Prefix: RequirementRequired,
		// "No boxes need to be checked under Enable report data integration
		// for": Athena is not needed, and would force Parquet and overwrite.
		Athena: RequirementNone,
	}
}

// Eco returns the profile of Spot Eco (Spot by NetApp, now Flexera). Each
// field cites its source.
func Eco() *Profile {
	return &Profile{
		Name: "eco",
		// spotinst/help, eco/getting-started/connect-your-aws-account.md
		// (reference §1.4, §8), Step 2: "Select Legacy CUR export".
		Kinds: []curreader.Kind{curreader.KindCUR},
		// Same page: "Report data time granularity: Select Hourly".
		TimeUnit: "HOURLY",
		// "Additional export details: Select Include Resource IDs".
		ResourceIDs: RequirementRequired,
		// "Data refresh settings: Select Refresh automatically".
		RefreshClosedReports: RequirementRequired,
		// "Report versioning: Select Overwrite existing report".
		Versioning: "OVERWRITE_REPORT",
		// "Report data integration: Amazon Athena" (Athena implies Parquet,
		// reference §1.3).
		Athena:      RequirementRequired,
		Format:      curreader.FormatParquet,
		Compression: curreader.CompressionParquet,
		// "AWS Region: … generating the CUR file into a bucket in us-east-1".
		Region: "us-east-1",
		// "A S3 path prefix is required to create the report".
		S3Prefix: RequirementRequired,
	}
}

// maxProfileSize bounds ParseProfile's input.
const maxProfileSize = 1 << 20

// ParseProfile decodes a JSON profile (at most 1 MiB) and validates it.
// Unknown fields are refused (a misspelt requirement must not pass
// silently). Kinds, format and compression are read in any letter case,
// and in AWS's spellings (LEGACY_CUR, TEXT_OR_CSV, GZIP). Errors wrap
// curerr.ErrMalformed; validation errors are joined *curerr.FieldError.
func ParseProfile(data []byte) (*Profile, error) {
	if len(data) > maxProfileSize {
		return nil, fieldErr("profile", "is over %d bytes", maxProfileSize)
	}
	// Kinds, format and compression are decoded as text first, so that an
	// unknown value is reported against its field, as Validate reports
	// the others.
	type profileAlias Profile
	var raw struct {
		profileAlias
		Kinds       []string `json:"kinds,omitempty"`
		Format      string   `json:"format,omitempty"`
		Compression string   `json:"compression,omitempty"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, &curerr.FieldError{Field: "profile", Msg: "is not a JSON profile: " + jsonerr.Text(err, "profileAlias."), Err: err}
	}
	if dec.More() {
		return nil, fieldErr("profile", "has data after the JSON object")
	}
	// A value in another spelling is normalized; an unknown one is kept as
	// written, for Validate to report against its field.
	p := Profile(raw.profileAlias)
	for _, k := range raw.Kinds {
		kind := curreader.Kind(k)
		_ = kind.UnmarshalText([]byte(k))
		p.Kinds = append(p.Kinds, kind) // "kinds": [] means any, as an absent list does
	}
	p.Format = curreader.Format(raw.Format)
	_ = p.Format.UnmarshalText([]byte(raw.Format))
	p.Compression = curreader.Compression(raw.Compression)
	_ = p.Compression.UnmarshalText([]byte(raw.Compression))
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
	case RequirementNone, RequirementRequired, RequirementRecommended, RequirementForbidden:
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
		case curreader.KindCUR, curreader.KindCUR2, curreader.KindFOCUS:
		default:
			bad(fmt.Sprintf("kinds[%d]", i), "%q is not one of cur, cur2, focus", k)
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
	if p.S3Prefix == RequirementForbidden {
		bad("s3Prefix", "cannot be forbidden: an empty prefix is never needed")
	}
	switch p.Versioning {
	case "", "CREATE_NEW_REPORT", "OVERWRITE_REPORT":
	default:
		bad("versioning", "%q is not one of CREATE_NEW_REPORT, OVERWRITE_REPORT", p.Versioning)
	}
	switch p.Format {
	case "", curreader.FormatCSV, curreader.FormatParquet:
	default:
		bad("format", "%q is not one of csv, parquet", p.Format)
	}
	switch p.Compression {
	case "", curreader.CompressionGzip, curreader.CompressionZip, curreader.CompressionParquet:
	default:
		bad("compression", "%q is not one of gzip, zip, parquet", p.Compression)
	}
	if p.Format == curreader.FormatParquet && (p.Compression == curreader.CompressionGzip || p.Compression == curreader.CompressionZip) {
		bad("compression", "%s cannot go with format parquet (Parquet files use Parquet compression)", p.Compression)
	}
	if p.Format == curreader.FormatCSV && p.Compression == curreader.CompressionParquet {
		bad("compression", "parquet cannot go with format csv (use gzip or zip)")
	}
	if p.Region != "" && !regionRE.MatchString(p.Region) {
		bad("region", "%q is not an AWS region code like us-east-1", p.Region)
	}
	if p.NamePrefix != "" && (len(p.NamePrefix) > 100 || !reportNameRE.MatchString(p.NamePrefix)) {
		bad("namePrefix", "%q must be up to 100 of letters, digits and !-_.*'()", p.NamePrefix)
	}
	onlyLegacy := len(p.Kinds) > 0 && !slices.ContainsFunc(p.Kinds, func(k curreader.Kind) bool { return k != curreader.KindCUR })
	if p.Compression == curreader.CompressionZip && !onlyLegacy {
		bad("compression", "ZIP exists only for legacy reports: set kinds to [\"cur\"]")
	}
	if p.Athena == RequirementRequired {
		if !onlyLegacy {
			bad("athena", "the Athena artifact exists only for legacy reports: set kinds to [\"cur\"]")
		}
		if p.Versioning == "CREATE_NEW_REPORT" {
			bad("versioning", "CREATE_NEW_REPORT conflicts with athena required (Athena reports always overwrite)")
		}
		if p.Format == curreader.FormatCSV || p.Compression == curreader.CompressionGzip || p.Compression == curreader.CompressionZip {
			bad("format", "CSV conflicts with athena required (Athena reports are Parquet)")
		}
	}
	return joinFieldErrors(errs)
}

// errNilProfile is returned for a nil *Profile argument.
var errNilProfile = errors.New("is nil")
