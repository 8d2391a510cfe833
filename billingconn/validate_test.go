package billingconn

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// okLegacy is a definition Optima accepts as it is.
func okLegacy() curtypes.ReportDefinition {
	return curtypes.ReportDefinition{
		ReportName: aws.String("acme-cur"), TimeUnit: curtypes.TimeUnitHourly,
		Format: curtypes.ReportFormatCsv, Compression: curtypes.CompressionFormatGzip,
		AdditionalSchemaElements: []curtypes.SchemaElement{curtypes.SchemaElementResources},
		S3Bucket:                 aws.String("acme-billing"), S3Prefix: aws.String("cur"), S3Region: curtypes.AWSRegionIreland,
		RefreshClosedReports: aws.Bool(true), ReportVersioning: curtypes.ReportVersioningCreateNewReport,
	}
}

// okAthena is a definition Eco accepts as it is.
func okAthena() curtypes.ReportDefinition {
	d := okLegacy()
	d.Format, d.Compression = curtypes.ReportFormatParquet, curtypes.CompressionFormatParquet
	d.AdditionalArtifacts = []curtypes.AdditionalArtifact{curtypes.AdditionalArtifactAthena}
	d.ReportVersioning = curtypes.ReportVersioningOverwriteReport
	d.S3Region = curtypes.AWSRegionUsStandard
	return d
}

const exportARN = "arn:aws:bcm-data-exports:us-east-1:111122223333:export/acme-cur2-6f1e2d3c"

// okExport is a CUR 2.0 export that breaks no AWS rule.
func okExport() dxtypes.Export {
	return dxtypes.Export{
		ExportArn: aws.String(exportARN),
		Name:      aws.String("acme-cur2"),
		DataQuery: &dxtypes.DataQuery{
			QueryStatement: aws.String("SELECT identity_line_item_id, line_item_unblended_cost FROM COST_AND_USAGE_REPORT"),
			TableConfigurations: map[string]map[string]string{tableCUR2: {
				propTimeGranularity: "HOURLY", propIncludeResources: "FALSE", propIncludeSplitCost: "FALSE",
			}},
		},
		DestinationConfigurations: &dxtypes.DestinationConfigurations{S3Destination: &dxtypes.S3Destination{
			S3Bucket: aws.String("acme-billing"), S3Prefix: aws.String("cur2"), S3Region: aws.String("eu-west-1"),
			S3OutputConfigurations: &dxtypes.S3OutputConfigurations{
				OutputType: dxtypes.S3OutputTypeCustom, Format: dxtypes.FormatOptionParquet,
				Compression: dxtypes.CompressionOptionParquet, Overwrite: dxtypes.OverwriteOptionOverwriteReport,
			},
		}},
		RefreshCadence: &dxtypes.RefreshCadence{Frequency: dxtypes.FrequencyOptionSynchronous},
	}
}

func legacyWith(fn func(*curtypes.ReportDefinition)) Definition {
	d := okLegacy()
	fn(&d)
	return Definition{ReportDefinition: &d}
}

func athenaWith(fn func(*curtypes.ReportDefinition)) Definition {
	d := okAthena()
	fn(&d)
	return Definition{ReportDefinition: &d}
}

func exportWith(fn func(*dxtypes.Export)) Definition {
	e := okExport()
	fn(&e)
	return Definition{Export: &e}
}

func outCfg(e *dxtypes.Export) *dxtypes.S3OutputConfigurations {
	return e.DestinationConfigurations.S3Destination.S3OutputConfigurations
}

func cur2Config(e *dxtypes.Export) map[string]string {
	return e.DataQuery.TableConfigurations[tableCUR2]
}

func custom(fn func(*Profile)) *Profile {
	p := &Profile{Name: "custom"}
	fn(p)
	return p
}

type codeCase struct {
	name     string
	def      Definition
	profiles []*Profile
	code     Code
	severity Severity
	field    string
	noFix    bool      // the finding has no automatic fix
	action   FixAction // expected action, if set
}

func codeCases() []codeCase {
	cur2Only := custom(func(p *Profile) { p.Kinds = []curreader.Kind{curreader.KindCUR2}; p.ResourceIDs = RequirementRequired })
	return []codeCase{
		// Legacy: AWS's rules.
		{name: "name with space", def: legacyWith(func(d *curtypes.ReportDefinition) { d.ReportName = aws.String("acme cur") }),
			code: CodeReportNameInvalid, field: "ReportName", action: FixPutReportDefinition},
		{name: "name empty", def: legacyWith(func(d *curtypes.ReportDefinition) { d.ReportName = nil }), code: CodeReportNameInvalid, field: "ReportName"},
		{name: "name too long", def: legacyWith(func(d *curtypes.ReportDefinition) { d.ReportName = aws.String(strings.Repeat("a", 257)) }),
			code: CodeReportNameInvalid, field: "ReportName"},
		{name: "time unit lower case", def: legacyWith(func(d *curtypes.ReportDefinition) { d.TimeUnit = "hourly" }), code: CodeTimeUnitInvalid, field: "TimeUnit"},
		{name: "format csv", def: legacyWith(func(d *curtypes.ReportDefinition) { d.Format = "CSV" }), code: CodeFormatInvalid, field: "Format"},
		{name: "compression bzip2", def: legacyWith(func(d *curtypes.ReportDefinition) { d.Compression = "BZIP2" }), code: CodeCompressionInvalid, field: "Compression"},
		{name: "parquet with gzip", def: legacyWith(func(d *curtypes.ReportDefinition) { d.Format = curtypes.ReportFormatParquet }),
			code: CodeFormatCompression, field: "Compression"},
		{name: "csv with parquet compression", def: legacyWith(func(d *curtypes.ReportDefinition) { d.Compression = curtypes.CompressionFormatParquet }),
			code: CodeFormatCompression, field: "Compression"},
		{name: "schema element repeated and unknown", def: legacyWith(func(d *curtypes.ReportDefinition) {
			d.AdditionalSchemaElements = []curtypes.SchemaElement{"RESOURCES", "RESOURCES", "TAGS"}
		}), code: CodeSchemaElementInvalid, field: "AdditionalSchemaElements"},
		{name: "artifact unknown", def: legacyWith(func(d *curtypes.ReportDefinition) { d.AdditionalArtifacts = []curtypes.AdditionalArtifact{"SPARK"} }),
			code: CodeArtifactInvalid, field: "AdditionalArtifacts"},
		{name: "bucket empty", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Bucket = aws.String("") }), code: CodeS3BucketInvalid, field: "S3Bucket", noFix: true},
		{name: "bucket with slash", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Bucket = aws.String("a/b") }), code: CodeS3BucketInvalid, field: "S3Bucket", noFix: true},
		{name: "prefix with space", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Prefix = aws.String("my prefix") }), code: CodeS3PrefixInvalid, field: "S3Prefix"},
		{name: "prefix missing", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Prefix = nil }), code: CodeS3PrefixInvalid, field: "S3Prefix"},
		{name: "region invalid", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Region = "Ireland" }), code: CodeS3RegionInvalid, field: "S3Region", noFix: true},
		{name: "region invalid, profile pins it", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Region = "" }),
			profiles: []*Profile{custom(func(p *Profile) { p.Region = "us-east-1" })}, code: CodeS3RegionInvalid, field: "S3Region"},
		{name: "region unknown", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Region = "eu-west-9" }),
			code: CodeS3RegionUnknown, severity: SeverityWarning, field: "S3Region", noFix: true},
		{name: "versioning unknown", def: legacyWith(func(d *curtypes.ReportDefinition) { d.ReportVersioning = "KEEP" }), code: CodeVersioningInvalid, field: "ReportVersioning"},
		{name: "billing view malformed", def: legacyWith(func(d *curtypes.ReportDefinition) { d.BillingViewArn = aws.String("!view") }),
			code: CodeBillingViewARNInvalid, field: "BillingViewArn", noFix: true},
		{name: "athena with redshift", def: athenaWith(func(d *curtypes.ReportDefinition) {
			d.AdditionalArtifacts = []curtypes.AdditionalArtifact{"ATHENA", "REDSHIFT"}
		}), code: CodeAthenaNotOnlyArtifact, field: "AdditionalArtifacts"},
		{name: "athena without prefix", def: athenaWith(func(d *curtypes.ReportDefinition) { d.S3Prefix = aws.String("") }), code: CodeAthenaRequiresPrefix, field: "S3Prefix"},
		{name: "athena create-new", def: athenaWith(func(d *curtypes.ReportDefinition) { d.ReportVersioning = curtypes.ReportVersioningCreateNewReport }),
			code: CodeAthenaRequiresOverwrite, field: "ReportVersioning"},
		{name: "athena csv", def: athenaWith(func(d *curtypes.ReportDefinition) {
			d.Format, d.Compression = curtypes.ReportFormatCsv, curtypes.CompressionFormatGzip
		}), code: CodeAthenaRequiresParquet, field: "Format"},
		{name: "athena csv, csv profile drops athena", def: athenaWith(func(d *curtypes.ReportDefinition) {
			d.Format, d.Compression = curtypes.ReportFormatCsv, curtypes.CompressionFormatGzip
			d.ReportVersioning = curtypes.ReportVersioningCreateNewReport
		}), profiles: []*Profile{Optima()}, code: CodeAthenaRequiresParquet, field: "Format"},
		{name: "quicksight parquet", def: legacyWith(func(d *curtypes.ReportDefinition) {
			d.Format, d.Compression = curtypes.ReportFormatParquet, curtypes.CompressionFormatParquet
			d.AdditionalArtifacts = []curtypes.AdditionalArtifact{"QUICKSIGHT"}
		}), code: CodeArtifactRequiresCSV, field: "Format"},
		{name: "redshift parquet, parquet profile drops redshift", def: legacyWith(func(d *curtypes.ReportDefinition) {
			d.Format, d.Compression = curtypes.ReportFormatParquet, curtypes.CompressionFormatParquet
			d.AdditionalArtifacts = []curtypes.AdditionalArtifact{"REDSHIFT"}
		}), profiles: []*Profile{custom(func(p *Profile) { p.Format = curreader.FormatParquet })}, code: CodeArtifactRequiresCSV, field: "Format"},

		// Profiles on legacy reports.
		{name: "optima daily", def: legacyWith(func(d *curtypes.ReportDefinition) { d.TimeUnit = curtypes.TimeUnitDaily }),
			profiles: []*Profile{Optima()}, code: CodeTimeUnitNotHourly, field: "TimeUnit", action: FixPutReportDefinition},
		{name: "daily wanted", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.TimeUnit = "DAILY" })}, code: CodeTimeUnitNotDaily, field: "TimeUnit"},
		{name: "monthly wanted", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.TimeUnit = "MONTHLY" })}, code: CodeTimeUnitNotMonthly, field: "TimeUnit"},
		{name: "optima without resources", def: legacyWith(func(d *curtypes.ReportDefinition) { d.AdditionalSchemaElements = nil }),
			profiles: []*Profile{Optima()}, code: CodeResourceIDsMissing, field: "AdditionalSchemaElements", action: FixPutReportDefinition},
		{name: "resources recommended", def: legacyWith(func(d *curtypes.ReportDefinition) { d.AdditionalSchemaElements = nil }),
			profiles: []*Profile{custom(func(p *Profile) { p.ResourceIDs = RequirementRecommended })}, code: CodeResourceIDsMissing, severity: SeverityWarning, field: "AdditionalSchemaElements"},
		{name: "resources forbidden", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.ResourceIDs = RequirementForbidden })}, code: CodeResourceIDsUnwanted, field: "AdditionalSchemaElements"},
		{name: "split wanted", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.SplitCostAllocationData = RequirementRequired })}, code: CodeSplitCostMissing, field: "AdditionalSchemaElements"},
		{name: "split forbidden", def: legacyWith(func(d *curtypes.ReportDefinition) {
			d.AdditionalSchemaElements = append(d.AdditionalSchemaElements, curtypes.SchemaElementSplitCostAllocationData)
		}), profiles: []*Profile{custom(func(p *Profile) { p.SplitCostAllocationData = RequirementForbidden })}, code: CodeSplitCostUnwanted, field: "AdditionalSchemaElements"},
		{name: "optima refresh off", def: legacyWith(func(d *curtypes.ReportDefinition) { d.RefreshClosedReports = aws.Bool(false) }),
			profiles: []*Profile{Optima()}, code: CodeRefreshOff, field: "RefreshClosedReports", action: FixModifyReportDefinition},
		{name: "optima refresh unset", def: legacyWith(func(d *curtypes.ReportDefinition) { d.RefreshClosedReports = nil }),
			profiles: []*Profile{Optima()}, code: CodeRefreshOff, field: "RefreshClosedReports", action: FixModifyReportDefinition},
		{name: "refresh forbidden", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.RefreshClosedReports = RequirementForbidden })}, code: CodeRefreshUnwanted, field: "RefreshClosedReports"},
		{name: "optima overwrite", def: legacyWith(func(d *curtypes.ReportDefinition) { d.ReportVersioning = curtypes.ReportVersioningOverwriteReport }),
			profiles: []*Profile{Optima()}, code: CodeVersioningNotCreate, field: "ReportVersioning", action: FixPutReportDefinition},
		{name: "eco create-new csv", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{Eco()}, code: CodeVersioningNotOverwrite, field: "ReportVersioning", action: FixPutReportDefinition},
		{name: "optima parquet", def: legacyWith(func(d *curtypes.ReportDefinition) {
			d.Format, d.Compression = curtypes.ReportFormatParquet, curtypes.CompressionFormatParquet
		}), profiles: []*Profile{Optima()}, code: CodeFormatNotCSV, field: "Format", action: FixModifyReportDefinition},
		{name: "parquet wanted", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.Format = curreader.FormatParquet })}, code: CodeFormatNotParquet, field: "Format", action: FixModifyReportDefinition},
		{name: "optima zip", def: legacyWith(func(d *curtypes.ReportDefinition) { d.Compression = curtypes.CompressionFormatZip }),
			profiles: []*Profile{Optima()}, code: CodeCompressionNotGZIP, field: "Compression", action: FixModifyReportDefinition},
		{name: "zip wanted", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) {
				p.Kinds = []curreader.Kind{curreader.KindCUR}
				p.Compression = curreader.CompressionZip
			})}, code: CodeCompressionNotZIP, field: "Compression"},
		{name: "eco gzip", def: legacyWith(func(*curtypes.ReportDefinition) {}), profiles: []*Profile{Eco()}, code: CodeCompressionNotParquet, field: "Compression"},
		{name: "eco in ireland", def: athenaWith(func(d *curtypes.ReportDefinition) { d.S3Region = curtypes.AWSRegionIreland }),
			profiles: []*Profile{Eco()}, code: CodeRegionMismatch, field: "S3Region", action: FixModifyReportDefinition},
		{name: "eco without athena", def: athenaWith(func(d *curtypes.ReportDefinition) { d.AdditionalArtifacts = nil }),
			profiles: []*Profile{Eco()}, code: CodeAthenaMissing, field: "AdditionalArtifacts", action: FixModifyReportDefinition},
		{name: "athena forbidden", def: athenaWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.Athena = RequirementForbidden })}, code: CodeAthenaUnwanted, field: "AdditionalArtifacts", action: FixModifyReportDefinition},
		{name: "optima empty prefix", def: legacyWith(func(d *curtypes.ReportDefinition) { d.S3Prefix = aws.String("") }),
			profiles: []*Profile{Optima()}, code: CodeS3PrefixEmpty, field: "S3Prefix", action: FixModifyReportDefinition},
		{name: "name prefix", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.NamePrefix = "FlexeraOptima" })}, code: CodeNamePrefixMismatch, field: "ReportName", action: FixPutReportDefinition},
		{name: "legacy for a CUR 2.0 consumer", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{cur2Only}, code: CodeKindNotAccepted, field: "ReportDefinition", action: FixCreateExport},
		{name: "optima and eco", def: legacyWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{Optima(), Eco()}, code: CodeProfilesConflict, field: "ReportVersioning", action: FixPutReportDefinition},
		{name: "eco and optima on an athena report", def: athenaWith(func(*curtypes.ReportDefinition) {}),
			profiles: []*Profile{Optima(), Eco()}, code: CodeProfilesConflict, field: "ReportVersioning", action: FixPutReportDefinition},

		// Exports: AWS's rules.
		{name: "export name with space", def: exportWith(func(e *dxtypes.Export) { e.Name = aws.String("my export") }),
			code: CodeExportNameInvalid, field: "Name", action: FixCreateExport},
		{name: "description too long", def: exportWith(func(e *dxtypes.Export) { e.Description = aws.String(strings.Repeat("d", 1025)) }),
			code: CodeDescriptionTooLong, field: "Description", action: FixCreateExport},
		{name: "query missing", def: exportWith(func(e *dxtypes.Export) { e.DataQuery.QueryStatement = nil }), code: CodeQueryMissing, field: "QueryStatement"},
		{name: "query too long", def: exportWith(func(e *dxtypes.Export) {
			e.DataQuery.QueryStatement = aws.String("SELECT " + strings.Repeat("line_item_unblended_cost, ", 1500) + "x FROM COST_AND_USAGE_REPORT")
		}), code: CodeQueryTooLong, field: "QueryStatement", noFix: true},
		{name: "query table unknown", def: exportWith(func(e *dxtypes.Export) {
			e.DataQuery.QueryStatement = aws.String("SELECT a FROM MYSTERY_TABLE")
			e.DataQuery.TableConfigurations = map[string]map[string]string{"MYSTERY_TABLE": {}}
		}), code: CodeQueryTableUnknown, severity: SeverityWarning, field: "QueryStatement", noFix: true},
		{name: "table config missing", def: exportWith(func(e *dxtypes.Export) { e.DataQuery.TableConfigurations = nil }),
			code: CodeTableConfigMissing, field: "TableConfigurations"},
		{name: "table config missing for focus", def: exportWith(func(e *dxtypes.Export) {
			e.DataQuery.QueryStatement = aws.String("SELECT BilledCost FROM FOCUS_1_0_AWS")
			e.DataQuery.TableConfigurations = nil
		}), code: CodeTableConfigMissing, severity: SeverityWarning, field: "TableConfigurations", action: FixUpdateExport},
		{name: "table config unused", def: exportWith(func(e *dxtypes.Export) { e.DataQuery.TableConfigurations[tableFOCUS] = map[string]string{} }),
			code: CodeTableConfigUnused, severity: SeverityWarning, field: "TableConfigurations", action: FixUpdateExport},
		{name: "table property unknown", def: exportWith(func(e *dxtypes.Export) { cur2Config(e)["COLOR"] = "blue" }),
			code: CodeTablePropertyUnknown, severity: SeverityWarning, field: "TableConfigurations.COST_AND_USAGE_REPORT.COLOR", action: FixUpdateExport},
		{name: "table property not a boolean", def: exportWith(func(e *dxtypes.Export) { cur2Config(e)[propIncludeResources] = "yes" }),
			code: CodeTablePropertyInvalid, field: "TableConfigurations.COST_AND_USAGE_REPORT.INCLUDE_RESOURCES"},
		{name: "table property granularity", def: exportWith(func(e *dxtypes.Export) { cur2Config(e)[propTimeGranularity] = "daily" }),
			code: CodeTablePropertyInvalid, field: "TableConfigurations.COST_AND_USAGE_REPORT.TIME_GRANULARITY"},
		{name: "destination missing", def: exportWith(func(e *dxtypes.Export) { e.DestinationConfigurations = nil }),
			code: CodeDestinationMissing, field: "DestinationConfigurations", noFix: true},
		{name: "export bucket empty", def: exportWith(func(e *dxtypes.Export) { e.DestinationConfigurations.S3Destination.S3Bucket = nil }),
			code: CodeS3BucketInvalid, field: "S3Bucket", noFix: true},
		{name: "export prefix missing", def: exportWith(func(e *dxtypes.Export) { e.DestinationConfigurations.S3Destination.S3Prefix = nil }),
			code: CodeS3PrefixInvalid, field: "S3Prefix"},
		{name: "export region invalid", def: exportWith(func(e *dxtypes.Export) { e.DestinationConfigurations.S3Destination.S3Region = aws.String("EU") }),
			code: CodeS3RegionInvalid, field: "S3Region", noFix: true},
		{name: "bucket owner", def: exportWith(func(e *dxtypes.Export) { e.DestinationConfigurations.S3Destination.S3BucketOwner = aws.String("1234") }),
			code: CodeBucketOwnerInvalid, field: "S3BucketOwner", noFix: true},
		{name: "output type athena", def: exportWith(func(e *dxtypes.Export) { outCfg(e).OutputType = dxtypes.S3OutputTypeAthena }),
			code: CodeOutputTypeInvalid, field: "OutputType"},
		{name: "output configurations missing", def: exportWith(func(e *dxtypes.Export) { e.DestinationConfigurations.S3Destination.S3OutputConfigurations = nil }),
			code: CodeOutputTypeInvalid, field: "OutputType"},
		{name: "export format lower case", def: exportWith(func(e *dxtypes.Export) { outCfg(e).Format = "parquet" }), code: CodeFormatInvalid, field: "Format"},
		{name: "export zip", def: exportWith(func(e *dxtypes.Export) {
			outCfg(e).Format, outCfg(e).Compression = dxtypes.FormatOptionTextOrCsv, "ZIP"
		}), code: CodeCompressionInvalid, field: "Compression"},
		{name: "export parquet gzip", def: exportWith(func(e *dxtypes.Export) { outCfg(e).Compression = dxtypes.CompressionOptionGzip }),
			code: CodeFormatCompression, field: "Compression", action: FixCreateExport},
		{name: "export overwrite empty", def: exportWith(func(e *dxtypes.Export) { outCfg(e).Overwrite = "" }), code: CodeVersioningInvalid, field: "Overwrite"},
		{name: "refresh cadence missing", def: exportWith(func(e *dxtypes.Export) { e.RefreshCadence = nil }), code: CodeRefreshCadence, field: "Frequency"},

		// Profiles on exports.
		{name: "export for optima", def: exportWith(func(*dxtypes.Export) {}), profiles: []*Profile{Optima()},
			code: CodeKindNotAccepted, field: "QueryStatement", action: FixPutReportDefinition},
		{name: "focus for a CUR 2.0 consumer", def: exportWith(func(e *dxtypes.Export) {
			e.DataQuery.QueryStatement = aws.String("SELECT BilledCost FROM FOCUS_1_0_AWS")
			e.DataQuery.TableConfigurations = map[string]map[string]string{tableFOCUS: {}}
		}), profiles: []*Profile{cur2Only}, code: CodeKindNotAccepted, field: "QueryStatement", action: FixCreateExport},
		{name: "export daily", def: exportWith(func(e *dxtypes.Export) { cur2Config(e)[propTimeGranularity] = "DAILY" }),
			profiles: []*Profile{custom(func(p *Profile) { p.TimeUnit = "HOURLY" })}, code: CodeTimeUnitNotHourly,
			field: "TableConfigurations.COST_AND_USAGE_REPORT.TIME_GRANULARITY", action: FixUpdateExport},
		{name: "export without resources", def: exportWith(func(*dxtypes.Export) {}), profiles: []*Profile{cur2Only},
			code: CodeResourceIDsMissing, field: "TableConfigurations.COST_AND_USAGE_REPORT.INCLUDE_RESOURCES", action: FixUpdateExport},
		{name: "export resources not selected", def: exportWith(func(e *dxtypes.Export) { cur2Config(e)[propIncludeResources] = "TRUE" }),
			profiles: []*Profile{cur2Only}, code: CodeResourceIDColumn, field: "QueryStatement", action: FixUpdateExport},
		{name: "focus resources not selected", def: exportWith(func(e *dxtypes.Export) {
			e.DataQuery.QueryStatement = aws.String("SELECT BilledCost, ServiceName FROM FOCUS_1_0_AWS")
			e.DataQuery.TableConfigurations = map[string]map[string]string{tableFOCUS: {}}
		}), profiles: []*Profile{{Name: "focus", Kinds: []curreader.Kind{curreader.KindFOCUS}, ResourceIDs: RequirementRequired}},
			code: CodeResourceIDColumn, field: "QueryStatement", action: FixUpdateExport},
		{name: "export resources forbidden", def: exportWith(func(e *dxtypes.Export) { cur2Config(e)[propIncludeResources] = "TRUE" }),
			profiles: []*Profile{custom(func(p *Profile) { p.ResourceIDs = RequirementForbidden })}, code: CodeResourceIDsUnwanted,
			field: "TableConfigurations.COST_AND_USAGE_REPORT.INCLUDE_RESOURCES"},
		{name: "export split wanted", def: exportWith(func(*dxtypes.Export) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.SplitCostAllocationData = RequirementRequired })}, code: CodeSplitCostMissing,
			field: "TableConfigurations.COST_AND_USAGE_REPORT.INCLUDE_SPLIT_COST_ALLOCATION_DATA"},
		{name: "export split forbidden", def: exportWith(func(e *dxtypes.Export) { cur2Config(e)[propIncludeSplitCost] = "TRUE" }),
			profiles: []*Profile{custom(func(p *Profile) { p.SplitCostAllocationData = RequirementForbidden })}, code: CodeSplitCostUnwanted,
			field: "TableConfigurations.COST_AND_USAGE_REPORT.INCLUDE_SPLIT_COST_ALLOCATION_DATA"},
		{name: "export create-new wanted", def: exportWith(func(*dxtypes.Export) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.Versioning = "CREATE_NEW_REPORT" })}, code: CodeVersioningNotCreate, field: "Overwrite", action: FixUpdateExport},
		{name: "export overwrite wanted", def: exportWith(func(e *dxtypes.Export) { outCfg(e).Overwrite = dxtypes.OverwriteOptionCreateNewReport }),
			profiles: []*Profile{custom(func(p *Profile) { p.Versioning = "OVERWRITE_REPORT" })}, code: CodeVersioningNotOverwrite, field: "Overwrite"},
		{name: "export csv wanted", def: exportWith(func(*dxtypes.Export) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.Format = curreader.FormatCSV })}, code: CodeFormatNotCSV, field: "Format", action: FixUpdateExport},
		{name: "export parquet wanted", def: exportWith(func(e *dxtypes.Export) {
			outCfg(e).Format, outCfg(e).Compression = dxtypes.FormatOptionTextOrCsv, dxtypes.CompressionOptionGzip
		}), profiles: []*Profile{custom(func(p *Profile) { p.Format = curreader.FormatParquet })}, code: CodeFormatNotParquet, field: "Format"},
		{name: "export gzip wanted", def: exportWith(func(*dxtypes.Export) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.Compression = curreader.CompressionGzip })}, code: CodeCompressionNotGZIP, field: "Compression"},
		{name: "export region", def: exportWith(func(*dxtypes.Export) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.Region = "us-east-1" })}, code: CodeRegionMismatch, field: "S3Region", action: FixUpdateExport},
		{name: "export empty prefix", def: exportWith(func(e *dxtypes.Export) { e.DestinationConfigurations.S3Destination.S3Prefix = aws.String("") }),
			profiles: []*Profile{custom(func(p *Profile) { p.S3Prefix = RequirementRequired })}, code: CodeS3PrefixEmpty, field: "S3Prefix"},
		{name: "export name prefix", def: exportWith(func(*dxtypes.Export) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.NamePrefix = "vendor-" })}, code: CodeNamePrefixMismatch, field: "Name", action: FixCreateExport},
		{name: "export for two conflicting consumers", def: exportWith(func(*dxtypes.Export) {}),
			profiles: []*Profile{custom(func(p *Profile) { p.Format = curreader.FormatParquet }), {Name: "csv", Format: curreader.FormatCSV}},
			code:     CodeProfilesConflict, field: "Format", action: FixCreateExport},
	}
}

func validate(t *testing.T, d Definition, profiles []*Profile) Findings {
	t.Helper()
	fs, err := Validate(d, profiles...)
	require.NoError(t, err)
	return fs
}

// profilesNamed picks the profiles a PROFILES_CONFLICT finding's fix is for.
func profilesNamed(all []*Profile, label string) []*Profile {
	var out []*Profile
	for _, p := range all {
		if slices.Contains(strings.Split(label, "+"), p.Name) {
			out = append(out, p)
		}
	}
	return out
}

func TestValidateCodes(t *testing.T) {
	for _, tc := range codeCases() {
		t.Run(tc.name, func(t *testing.T) {
			fs := validate(t, tc.def, tc.profiles)
			i := slices.IndexFunc(fs, func(f Finding) bool { return f.Code == tc.code })
			require.GreaterOrEqual(t, i, 0, "want %s, got %v", tc.code, fs.Codes())
			f := fs[i]
			want := tc.severity
			if want == "" {
				want = SeverityError
			}
			assert.Equal(t, want, f.Severity)
			assert.Equal(t, tc.field, f.Field)
			assert.NotEmpty(t, f.Message)
			if tc.noFix {
				assert.Nil(t, f.Fix, "a %s finding has no automatic fix", tc.code)
				return
			}
			require.NotNil(t, f.Fix, "%s finding without a fix", tc.code)
			if tc.action != "" {
				assert.Equal(t, tc.action, f.Fix.Action)
			}
			assertFixShape(t, f.Fix)

			// The fix validates clean against the profiles it is for.
			recheck := tc.profiles
			if f.Code == CodeProfilesConflict {
				recheck = profilesNamed(tc.profiles, f.Profile)
				require.NotEmpty(t, recheck)
			}
			var fixed Definition
			if rd := f.Fix.ReportDefinition(); rd != nil {
				fixed.ReportDefinition = rd
			} else {
				fixed.Export = f.Fix.Export()
			}
			again := validate(t, fixed, recheck)
			var unfixable []Code
			for _, g := range fs {
				if g.Fix == nil {
					unfixable = append(unfixable, g.Code)
				}
			}
			for _, g := range again {
				assert.Contains(t, unfixable, g.Code, "the fix of %s still has %s (%s): %s", tc.code, g.Code, g.Field, g.Message)
			}
			// And every finding that shares the fix is gone after it.
			for _, g := range fs {
				if g.Fix == f.Fix {
					assert.NotContains(t, again.Codes(), g.Code, "fix did not resolve %s", g.Code)
				}
			}
		})
	}
}

// assertFixShape checks that exactly the input named by Action is set and
// that it carries what the AWS call requires.
func assertFixShape(t *testing.T, fx *Fix) {
	t.Helper()
	set := 0
	for _, b := range []bool{fx.ModifyReportDefinition != nil, fx.PutReportDefinition != nil, fx.UpdateExport != nil, fx.CreateExport != nil} {
		if b {
			set++
		}
	}
	require.Equal(t, 1, set, "one input per fix")
	switch fx.Action {
	case FixModifyReportDefinition:
		require.NotNil(t, fx.ModifyReportDefinition)
		assert.Equal(t, aws.ToString(fx.ModifyReportDefinition.ReportName), aws.ToString(fx.ModifyReportDefinition.ReportDefinition.ReportName),
			"Modify keeps the report name")
	case FixPutReportDefinition:
		require.NotNil(t, fx.PutReportDefinition)
		assert.Nil(t, fx.PutReportDefinition.ReportDefinition.ReportStatus)
	case FixUpdateExport:
		require.NotNil(t, fx.UpdateExport)
		assert.NotEmpty(t, aws.ToString(fx.UpdateExport.ExportArn))
	case FixCreateExport:
		require.NotNil(t, fx.CreateExport)
		assert.Nil(t, fx.CreateExport.Export.ExportArn, "ExportArn is output only")
	default:
		t.Fatalf("unknown action %q", fx.Action)
	}
}

// TestEveryCodeCovered parses finding.go for the Code constants and checks
// that the table above triggers each one.
func TestEveryCodeCovered(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "finding.go", nil, 0)
	require.NoError(t, err)
	var all []Code
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				s, err := strconv.Unquote(v.(*ast.BasicLit).Value)
				require.NoError(t, err)
				all = append(all, Code(s))
			}
		}
	}
	require.Greater(t, len(all), 50)
	covered := map[Code]bool{}
	for _, tc := range codeCases() {
		covered[tc.code] = true
	}
	for _, c := range all {
		assert.True(t, covered[c], "no test case for %s", c)
	}
}

func TestCleanDefinitions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		def      Definition
		profiles []*Profile
	}{
		{"optima report", legacyWith(func(*curtypes.ReportDefinition) {}), []*Profile{Optima()}},
		{"eco report", athenaWith(func(*curtypes.ReportDefinition) {}), []*Profile{Eco()}},
		{"no profile", legacyWith(func(*curtypes.ReportDefinition) {}), nil},
		{"export, no profile", exportWith(func(*dxtypes.Export) {}), nil},
		{"focus export", exportWith(func(e *dxtypes.Export) {
			e.DataQuery.QueryStatement = aws.String("select BilledCost, resourceid from focus_1_0_aws")
			e.DataQuery.TableConfigurations = map[string]map[string]string{tableFOCUS: {}}
		}), []*Profile{{Name: "focus", Kinds: []curreader.Kind{curreader.KindFOCUS}, ResourceIDs: RequirementRequired}}},
		{"two compatible profiles", legacyWith(func(*curtypes.ReportDefinition) {}),
			[]*Profile{Optima(), {Name: "any-hourly", TimeUnit: "HOURLY", S3Prefix: RequirementRecommended}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := validate(t, tc.def, tc.profiles)
			assert.Empty(t, fs)
			assert.False(t, fs.HasErrors())
		})
	}
}

func TestFixDetails(t *testing.T) {
	t.Run("mutable changes modify in place", func(t *testing.T) {
		d := okLegacy()
		d.RefreshClosedReports = aws.Bool(false)
		d.Compression = curtypes.CompressionFormatZip
		fs, err := Validate(legacyDef(d), Optima())
		require.NoError(t, err)
		require.Equal(t, []Code{CodeRefreshOff, CodeCompressionNotGZIP}, fs.Codes())
		require.Same(t, fs[0].Fix, fs[1].Fix, "one fix resolves all")
		m := fs[0].Fix.ModifyReportDefinition
		require.NotNil(t, m)
		assert.Equal(t, "acme-cur", aws.ToString(m.ReportName))
		assert.Equal(t, curtypes.CompressionFormatGzip, m.ReportDefinition.Compression)
		assert.True(t, aws.ToBool(m.ReportDefinition.RefreshClosedReports))
		assert.Equal(t, curtypes.ReportFormatCsv, d.Format, "the input is not modified")
		assert.Equal(t, curtypes.CompressionFormatZip, d.Compression, "the input is not modified")
	})
	t.Run("immutable change creates a renamed report", func(t *testing.T) {
		d := okLegacy()
		d.TimeUnit = curtypes.TimeUnitDaily
		fs, err := Validate(legacyDef(d), Optima())
		require.NoError(t, err)
		require.Len(t, fs, 1)
		p := fs[0].Fix.PutReportDefinition
		require.NotNil(t, p)
		assert.Equal(t, "acme-cur-optima", aws.ToString(p.ReportDefinition.ReportName))
		assert.Equal(t, curtypes.TimeUnitHourly, p.ReportDefinition.TimeUnit)
		assert.Contains(t, fs[0].Fix.Note, "TimeUnit")
		assert.Contains(t, fs[0].Fix.Note, `"acme-cur"`)
	})
	t.Run("region note", func(t *testing.T) {
		d := okAthena()
		d.S3Region = curtypes.AWSRegionIreland
		fs, err := Validate(legacyDef(d), Eco())
		require.NoError(t, err)
		require.Equal(t, []Code{CodeRegionMismatch}, fs.Codes())
		assert.Contains(t, fs[0].Fix.Note, "us-east-1")
		assert.Equal(t, curtypes.AWSRegionUsStandard, fs[0].Fix.ReportDefinition().S3Region)
	})
	t.Run("conflict keeps the report for the profile it serves", func(t *testing.T) {
		fs, err := Validate(legacyDef(okAthena()), Optima(), Eco())
		require.NoError(t, err)
		require.Equal(t, []Code{CodeProfilesConflict}, fs.Codes())
		assert.Equal(t, "optima", fs[0].Profile)
		assert.Contains(t, fs[0].Message, "keep it for eco")
		assert.Equal(t, "acme-cur-optima", aws.ToString(fs[0].Fix.ReportDefinition().ReportName))
		assert.Equal(t, curtypes.ReportFormatCsv, fs[0].Fix.ReportDefinition().Format)
	})
	t.Run("export update carries the ARN", func(t *testing.T) {
		e := okExport()
		outCfg(&e).Overwrite = dxtypes.OverwriteOptionCreateNewReport
		fs, err := Validate(exportDef(e), &Profile{Name: "ow", Versioning: "OVERWRITE_REPORT"})
		require.NoError(t, err)
		require.Len(t, fs, 1)
		u := fs[0].Fix.UpdateExport
		require.NotNil(t, u)
		assert.Equal(t, exportARN, aws.ToString(u.ExportArn))
		assert.Nil(t, u.Export.ExportArn)
	})
	t.Run("resource column added before FROM", func(t *testing.T) {
		e := okExport()
		fs, err := Validate(exportDef(e), &Profile{Name: "r", ResourceIDs: RequirementRequired})
		require.NoError(t, err)
		require.Equal(t, []Code{CodeResourceIDsMissing}, fs.Codes())
		q := aws.ToString(fs[0].Fix.Export().DataQuery.QueryStatement)
		assert.Equal(t, "SELECT identity_line_item_id, line_item_unblended_cost, line_item_resource_id FROM COST_AND_USAGE_REPORT", q)
	})
}

func TestValidateBadProfiles(t *testing.T) {
	_, err := Validate(legacyDef(okLegacy()), nil)
	require.ErrorIs(t, err, curerr.ErrMalformed)
	_, err = Validate(exportDef(okExport()), &Profile{Name: "x", TimeUnit: "WEEKLY"})
	var fe *curerr.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "timeUnit", fe.Field)
	_, err = Validate(Definition{})
	require.ErrorIs(t, err, curerr.ErrMalformed)
}

func TestLongNamesAndText(t *testing.T) {
	long := func(n int) string { return strings.Repeat("p", n) }
	ps := []*Profile{{Name: long(64), TimeUnit: "DAILY"}, {Name: long(63) + "q", TimeUnit: "DAILY"}, {Name: long(62) + "qq", TimeUnit: "DAILY"}}
	d := okLegacy()
	d.ReportName = aws.String(long(256))
	fs, err := Validate(legacyDef(d), ps...)
	require.NoError(t, err)
	require.Equal(t, []Code{CodeTimeUnitNotDaily}, fs.Codes())
	assert.Len(t, aws.ToString(fs[0].Fix.ReportDefinition().ReportName), 256)

	e := okExport()
	e.Name = aws.String(long(128))
	e.Description = aws.String(strings.Repeat("é", 1025))
	// The second group's name suffix alone (3×64 characters) is longer
	// than an export name may be.
	fs, err = Validate(exportDef(e), &Profile{Name: "a", Versioning: "OVERWRITE_REPORT"}, &Profile{Name: long(64), Versioning: "CREATE_NEW_REPORT"},
		&Profile{Name: long(63) + "q", Versioning: "CREATE_NEW_REPORT"}, &Profile{Name: long(62) + "qq", Versioning: "CREATE_NEW_REPORT"})
	require.NoError(t, err)
	require.Contains(t, fs.Codes(), CodeDescriptionTooLong)
	require.Contains(t, fs.Codes(), CodeProfilesConflict)
	for _, f := range fs {
		require.NotNil(t, f.Fix)
		ex := f.Fix.Export()
		assert.LessOrEqual(t, len(aws.ToString(ex.Name)), maxExportNameLen)
		assert.Equal(t, strings.Repeat("é", 1024), aws.ToString(ex.Description))
	}
}

// legacyDef wraps a legacy report definition for Validate.
func legacyDef(d curtypes.ReportDefinition) Definition { return Definition{ReportDefinition: &d} }

// exportDef wraps an export for Validate.
func exportDef(e dxtypes.Export) Definition { return Definition{Export: &e} }
