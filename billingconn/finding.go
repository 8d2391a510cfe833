package billingconn

import (
	"encoding/json"

	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
)

// Severity says whether a finding breaks the definition for its consumer
// (error) or only weakens it (warning).
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Code identifies a kind of finding. Codes are stable: programs may switch on
// them.
type Code string

// Finding codes for AWS's own rules on a legacy ReportDefinition (reference
// §1.2–1.3). A definition with an error from this group cannot exist in AWS:
// its fix is a PutReportDefinition.
const (
	CodeReportNameInvalid       Code = "REPORT_NAME_INVALID"         // ReportName: empty, over 256, or outside [0-9A-Za-z!-_.*'()]
	CodeTimeUnitInvalid         Code = "TIME_UNIT_INVALID"           // TimeUnit: not HOURLY, DAILY, MONTHLY
	CodeFormatInvalid           Code = "FORMAT_INVALID"              // Format: not textORcsv/Parquet (TEXT_OR_CSV/PARQUET for exports)
	CodeCompressionInvalid      Code = "COMPRESSION_INVALID"         // Compression: not ZIP/GZIP/Parquet (GZIP/PARQUET for exports)
	CodeFormatCompression       Code = "FORMAT_COMPRESSION_MISMATCH" // Parquet format ⇔ Parquet compression
	CodeSchemaElementInvalid    Code = "SCHEMA_ELEMENT_INVALID"      // AdditionalSchemaElements: unknown or repeated value
	CodeArtifactInvalid         Code = "ARTIFACT_INVALID"            // AdditionalArtifacts: unknown or repeated value
	CodeS3BucketInvalid         Code = "S3_BUCKET_INVALID"           // S3Bucket: empty or malformed (no automatic fix)
	CodeS3PrefixInvalid         Code = "S3_PREFIX_INVALID"           // S3Prefix: too long or characters AWS refuses
	CodeS3RegionInvalid         Code = "S3_REGION_INVALID"           // S3Region: empty or not a region code
	CodeS3RegionUnknown         Code = "S3_REGION_UNKNOWN"           // S3Region: region-shaped but not in this SDK's list (warning)
	CodeVersioningInvalid       Code = "VERSIONING_INVALID"          // ReportVersioning / Overwrite: unknown value
	CodeBillingViewARNInvalid   Code = "BILLING_VIEW_ARN_INVALID"    // BillingViewArn: malformed (no automatic fix)
	CodeAthenaNotOnlyArtifact   Code = "ATHENA_NOT_ONLY_ARTIFACT"    // rule 1: ATHENA must be the only artifact
	CodeAthenaRequiresPrefix    Code = "ATHENA_REQUIRES_PREFIX"      // rule 2: ATHENA needs a non-empty S3Prefix
	CodeAthenaRequiresOverwrite Code = "ATHENA_REQUIRES_OVERWRITE"   // rule 3: ATHENA needs OVERWRITE_REPORT
	CodeAthenaRequiresParquet   Code = "ATHENA_REQUIRES_PARQUET"     // rule 4: ATHENA needs Parquet
	CodeArtifactRequiresCSV     Code = "ARTIFACT_REQUIRES_CSV"       // rule 5: REDSHIFT/QUICKSIGHT need textORcsv
)

// Finding codes for AWS's own rules on a Data Exports Export (reference §4).
// Format, compression, bucket, prefix, region and versioning problems use the
// codes above, with the Data Exports field names.
const (
	CodeExportNameInvalid    Code = "EXPORT_NAME_INVALID"     // Name: empty, over 128, or outside [0-9A-Za-z!-_.*'()]
	CodeDescriptionTooLong   Code = "DESCRIPTION_TOO_LONG"    // Description: over 1024 characters
	CodeQueryMissing         Code = "QUERY_MISSING"           // DataQuery.QueryStatement: empty
	CodeQueryTooLong         Code = "QUERY_TOO_LONG"          // DataQuery.QueryStatement: over 36000 characters (no automatic fix)
	CodeQueryTableUnknown    Code = "QUERY_TABLE_UNKNOWN"     // no FROM <table>, or a table this package does not know (warning)
	CodeTableConfigMissing   Code = "TABLE_CONFIG_MISSING"    // TableConfigurations has no entry for the queried table
	CodeTableConfigUnused    Code = "TABLE_CONFIG_UNUSED"     // TableConfigurations has an entry for a table the query does not read (warning)
	CodeTablePropertyUnknown Code = "TABLE_PROPERTY_UNKNOWN"  // a property the table does not have (warning)
	CodeTablePropertyInvalid Code = "TABLE_PROPERTY_INVALID"  // a property value the table does not accept
	CodeDestinationMissing   Code = "DESTINATION_MISSING"     // DestinationConfigurations.S3Destination: absent (no automatic fix)
	CodeOutputTypeInvalid    Code = "OUTPUT_TYPE_INVALID"     // S3OutputConfigurations.OutputType: not CUSTOM
	CodeBucketOwnerInvalid   Code = "S3_BUCKET_OWNER_INVALID" // S3BucketOwner: not a 12-digit account (no automatic fix)
	CodeRefreshCadence       Code = "REFRESH_CADENCE_INVALID" // RefreshCadence.Frequency: not SYNCHRONOUS
)

// Finding codes for a profile's requirements, on either kind of definition.
const (
	CodeKindNotAccepted        Code = "KIND_NOT_ACCEPTED"               // the profile cannot read this kind of export
	CodeTimeUnitNotHourly      Code = "TIME_UNIT_NOT_HOURLY"            // TimeUnit / TIME_GRANULARITY
	CodeTimeUnitNotDaily       Code = "TIME_UNIT_NOT_DAILY"             // TimeUnit / TIME_GRANULARITY
	CodeTimeUnitNotMonthly     Code = "TIME_UNIT_NOT_MONTHLY"           // TimeUnit / TIME_GRANULARITY
	CodeResourceIDsMissing     Code = "RESOURCE_IDS_MISSING"            // RESOURCES / INCLUDE_RESOURCES
	CodeResourceIDsUnwanted    Code = "RESOURCE_IDS_UNWANTED"           // RESOURCES / INCLUDE_RESOURCES
	CodeResourceIDColumn       Code = "RESOURCE_ID_COLUMN_NOT_SELECTED" // the query does not select line_item_resource_id
	CodeSplitCostMissing       Code = "SPLIT_COST_MISSING"              // SPLIT_COST_ALLOCATION_DATA / INCLUDE_SPLIT_COST_ALLOCATION_DATA
	CodeSplitCostUnwanted      Code = "SPLIT_COST_UNWANTED"             // SPLIT_COST_ALLOCATION_DATA / INCLUDE_SPLIT_COST_ALLOCATION_DATA
	CodeRefreshOff             Code = "REFRESH_CLOSED_REPORTS_OFF"      // RefreshClosedReports
	CodeRefreshUnwanted        Code = "REFRESH_CLOSED_REPORTS_UNWANTED" // RefreshClosedReports
	CodeVersioningNotCreate    Code = "VERSIONING_NOT_CREATE_NEW"       // ReportVersioning / Overwrite
	CodeVersioningNotOverwrite Code = "VERSIONING_NOT_OVERWRITE"        // ReportVersioning / Overwrite
	CodeFormatNotCSV           Code = "FORMAT_NOT_CSV"                  // Format
	CodeFormatNotParquet       Code = "FORMAT_NOT_PARQUET"              // Format
	CodeCompressionNotGZIP     Code = "COMPRESSION_NOT_GZIP"            // Compression
	CodeCompressionNotZIP      Code = "COMPRESSION_NOT_ZIP"             // Compression
	CodeCompressionNotParquet  Code = "COMPRESSION_NOT_PARQUET"         // Compression
	CodeRegionMismatch         Code = "REGION_MISMATCH"                 // S3Region (the fix keeps S3Bucket: move to a bucket in the region)
	CodeAthenaMissing          Code = "ATHENA_MISSING"                  // AdditionalArtifacts
	CodeAthenaUnwanted         Code = "ATHENA_UNWANTED"                 // AdditionalArtifacts
	CodeS3PrefixEmpty          Code = "S3_PREFIX_EMPTY"                 // S3Prefix
	CodeNamePrefixMismatch     Code = "NAME_PREFIX_MISMATCH"            // ReportName / Name
	// CodeProfilesConflict: two profiles need settings one definition
	// cannot hold at once; the fix is a second report for the other one.
	CodeProfilesConflict Code = "PROFILES_CONFLICT"
)

// Finding is one problem with a definition.
type Finding struct {
	// Code is stable: programs may switch on it.
	Code Code `json:"code"`
	// Severity is error or warning.
	Severity Severity `json:"severity"`
	// Field is the AWS API field name (TimeUnit, ReportVersioning, S3Prefix,
	// DataQuery.QueryStatement, …).
	Field string `json:"field"`
	// Message says what is wrong and why, in plain words.
	Message string `json:"message"`
	// Profile names the profile that asked for the setting; empty for AWS's
	// own rules.
	Profile string `json:"profile,omitempty"`
	// Fix is the exact AWS call that resolves the finding, or nil when no
	// value can be chosen for the user (a missing bucket, a query too long).
	Fix *Fix `json:"fix,omitempty"`
}

// Findings is the result of a validation, in a stable order.
type Findings []Finding

// HasErrors reports whether any finding has SeverityError.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Codes returns the findings' codes, in order.
func (fs Findings) Codes() []Code {
	out := make([]Code, len(fs))
	for i, f := range fs {
		out[i] = f.Code
	}
	return out
}

// FixAction is the AWS operation a Fix calls.
type FixAction string

// Fix actions.
const (
	// FixModifyReportDefinition changes a legacy report in place.
	FixModifyReportDefinition FixAction = "ModifyReportDefinition"
	// FixPutReportDefinition creates a legacy report: the definition as given
	// cannot exist, or a setting AWS will not change in place (TimeUnit,
	// ReportVersioning, AdditionalSchemaElements, ReportName) must change.
	FixPutReportDefinition FixAction = "PutReportDefinition"
	// FixUpdateExport replaces an existing export's settings.
	FixUpdateExport FixAction = "UpdateExport"
	// FixCreateExport creates an export: the export as given cannot exist,
	// its name must change, or it has no ExportArn to update.
	FixCreateExport FixAction = "CreateExport"
)

// Fix is the exact AWS call that resolves a finding: one of the four inputs
// is set, as Action says. All fixable findings of one validation share the
// same *Fix, which resolves all of them at once: re-validating
// Fix.ReportDefinition() or Fix.Export() against the same profiles finds
// nothing fixable. The exception is a PROFILES_CONFLICT finding, whose Fix
// creates the second report, clean against the profiles the finding names.
//
// A Fix whose NeedsInput is not empty cannot be sent as it is: a value the
// user must choose is missing (Eco needs the report in us-east-1, and
// S3Region must be the bucket's own region, so the fix keeps the old
// bucket's name until the user names a bucket in us-east-1). Ready tells.
type Fix struct {
	// Action names the AWS operation and so which input is set.
	Action FixAction
	// Note says what the input alone cannot: e.g. that S3Bucket must be
	// replaced by a bucket in another region, or that the old report can be
	// deleted once the new one delivers.
	Note string
	// NeedsInput lists the fields of the input the user must set before
	// sending it, each with what it must hold; nil when the input can be
	// sent as it is.
	NeedsInput []FixInput

	// ModifyReportDefinition is set for FixModifyReportDefinition.
	ModifyReportDefinition *cur.ModifyReportDefinitionInput
	// PutReportDefinition is set for FixPutReportDefinition.
	PutReportDefinition *cur.PutReportDefinitionInput
	// UpdateExport is set for FixUpdateExport.
	UpdateExport *dx.UpdateExportInput
	// CreateExport is set for FixCreateExport.
	CreateExport *dx.CreateExportInput
}

// FixInput is a value a Fix cannot choose for the user.
type FixInput struct {
	// Path is the field in the fix's input, in the AWS CLI's
	// --cli-input-json shape (the "input" of the Fix's JSON), as
	// dot-separated keys: "ReportDefinition.S3Bucket" or
	// "Export.DestinationConfigurations.S3Destination.S3Bucket".
	Path string `json:"path"`
	// Need says in plain words what the value must be.
	Need string `json:"need"`
}

// Ready reports whether the fix's input can be sent as it is: f is not nil
// and needs no input from the user.
func (f *Fix) Ready() bool { return f != nil && len(f.NeedsInput) == 0 }

// ReportDefinition returns the corrected legacy definition the fix sends, or
// nil when the fix is for an export.
func (f *Fix) ReportDefinition() *curtypes.ReportDefinition {
	switch {
	case f == nil:
		return nil
	case f.ModifyReportDefinition != nil:
		return f.ModifyReportDefinition.ReportDefinition
	case f.PutReportDefinition != nil:
		return f.PutReportDefinition.ReportDefinition
	}
	return nil
}

// Export returns the corrected export the fix sends, or nil when the fix is
// for a legacy report.
func (f *Fix) Export() *dxtypes.Export {
	switch {
	case f == nil:
		return nil
	case f.UpdateExport != nil:
		return f.UpdateExport.Export
	case f.CreateExport != nil:
		return f.CreateExport.Export
	}
	return nil
}

// MarshalJSON writes {"action", "note", "needsInput", "input"}, where input
// is in the AWS CLI's --cli-input-json shape for the action (e.g. aws cur
// modify-report-definition --cli-input-json) and needsInput, present only
// when the input cannot be sent as it is, lists {"path", "need"}: the
// fields of input the user must set first.
func (f *Fix) MarshalJSON() ([]byte, error) {
	var input any
	switch {
	case f.ModifyReportDefinition != nil:
		in := f.ModifyReportDefinition
		input = struct {
			ReportName       *string               `json:"ReportName,omitempty"`
			ReportDefinition *reportDefinitionJSON `json:"ReportDefinition,omitempty"`
		}{in.ReportName, encodeReportDefinition(in.ReportDefinition)}
	case f.PutReportDefinition != nil:
		input = struct {
			ReportDefinition *reportDefinitionJSON `json:"ReportDefinition,omitempty"`
		}{encodeReportDefinition(f.PutReportDefinition.ReportDefinition)}
	case f.UpdateExport != nil:
		in := f.UpdateExport
		input = struct {
			ExportArn *string     `json:"ExportArn,omitempty"`
			Export    *exportJSON `json:"Export,omitempty"`
		}{in.ExportArn, encodeExport(in.Export)}
	case f.CreateExport != nil:
		input = struct {
			Export *exportJSON `json:"Export,omitempty"`
		}{encodeExport(f.CreateExport.Export)}
	}
	return json.Marshal(struct {
		Action     FixAction  `json:"action"`
		Note       string     `json:"note,omitempty"`
		NeedsInput []FixInput `json:"needsInput,omitempty"`
		Input      any        `json:"input"`
	}{f.Action, f.Note, f.NeedsInput, input})
}
