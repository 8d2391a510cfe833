package billingconn

import (
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader"
	"github.com/stretchr/testify/require"
)

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func randomLegacy(r *rand.Rand) curtypes.ReportDefinition {
	subset := func(pool ...string) []string {
		var out []string
		for _, v := range pool {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		if r.IntN(10) == 0 && len(out) > 0 {
			out = append(out, out[0]) // a repeat
		}
		return out
	}
	d := curtypes.ReportDefinition{
		ReportName:               pick(r, aws.String("acme-cur"), aws.String("bad name"), nil, aws.String("FlexeraOptima-x")),
		TimeUnit:                 pick[curtypes.TimeUnit](r, "HOURLY", "DAILY", "MONTHLY", "", "hourly"),
		Format:                   pick[curtypes.ReportFormat](r, "textORcsv", "Parquet", "", "PARQUET", "orc"),
		Compression:              pick[curtypes.CompressionFormat](r, "GZIP", "ZIP", "Parquet", "", "bz2"),
		AdditionalSchemaElements: enums[curtypes.SchemaElement](subset("RESOURCES", "SPLIT_COST_ALLOCATION_DATA", "MANUAL_DISCOUNT_COMPATIBILITY", "TAGS")),
		S3Bucket:                 aws.String("acme-billing"),
		S3Prefix:                 pick(r, aws.String("cur"), aws.String(""), nil, aws.String("a b"), aws.String("x/")),
		S3Region:                 pick[curtypes.AWSRegion](r, "us-east-1", "eu-west-1"),
		AdditionalArtifacts:      enums[curtypes.AdditionalArtifact](subset("ATHENA", "REDSHIFT", "QUICKSIGHT", "SPARK")),
		RefreshClosedReports:     pick(r, aws.Bool(true), aws.Bool(false), nil),
		ReportVersioning:         pick[curtypes.ReportVersioning](r, "CREATE_NEW_REPORT", "OVERWRITE_REPORT", "", "KEEP"),
	}
	return d
}

func randomExport(r *rand.Rand) dxtypes.Export {
	table := pick(r, tableCUR2, tableFOCUS, tableFOCUS2)
	tc := map[string]string{}
	for _, k := range []string{propTimeGranularity, propIncludeResources, propIncludeSplitCost, "COLOR"} {
		if r.IntN(2) == 0 {
			tc[k] = pick(r, "TRUE", "FALSE", "HOURLY", "DAILY", "yes")
		}
	}
	e := dxtypes.Export{
		ExportArn: pick(r, aws.String(exportARN), nil),
		Name:      pick(r, aws.String("acme-cur2"), aws.String("bad name")),
		DataQuery: &dxtypes.DataQuery{
			QueryStatement:      pick(r, aws.String("SELECT a, b FROM "+table), aws.String(""), aws.String("select line_item_resource_id from "+table)),
			TableConfigurations: pick(r, map[string]map[string]string{table: tc}, nil, map[string]map[string]string{table: tc, tableFOCUS: {}}),
		},
		DestinationConfigurations: &dxtypes.DestinationConfigurations{S3Destination: &dxtypes.S3Destination{
			S3Bucket: aws.String("acme-billing"), S3Prefix: pick(r, aws.String("cur"), aws.String(""), nil),
			S3Region: pick(r, aws.String("us-east-1"), aws.String("eu-west-1")),
			S3OutputConfigurations: pick(r, nil, &dxtypes.S3OutputConfigurations{
				OutputType:  pick[dxtypes.S3OutputType](r, "CUSTOM", "ATHENA", ""),
				Format:      pick[dxtypes.FormatOption](r, "TEXT_OR_CSV", "PARQUET", "csv", ""),
				Compression: pick[dxtypes.CompressionOption](r, "GZIP", "PARQUET", "ZIP", ""),
				Overwrite:   pick[dxtypes.OverwriteOption](r, "CREATE_NEW_REPORT", "OVERWRITE_REPORT", ""),
			}),
		}},
		RefreshCadence: pick(r, nil, &dxtypes.RefreshCadence{Frequency: "SYNCHRONOUS"}),
	}
	return e
}

func randomProfiles(r *rand.Rand) []*Profile {
	custom := &Profile{
		Name:                    "custom",
		TimeUnit:                pick(r, "", "HOURLY", "DAILY"),
		ResourceIDs:             pick(r, RequirementNone, RequirementRequired, RequirementRecommended, RequirementForbidden),
		SplitCostAllocationData: pick(r, RequirementNone, RequirementRequired, RequirementForbidden),
		RefreshClosedReports:    pick(r, RequirementNone, RequirementRequired, RequirementForbidden),
		Versioning:              pick(r, "", "CREATE_NEW_REPORT", "OVERWRITE_REPORT"),
		Format:                  pick(r, "", curreader.FormatCSV, curreader.FormatParquet),
		Region:                  pick(r, "", "us-east-1"),
		S3Prefix:                pick(r, RequirementNone, RequirementRequired),
		NamePrefix:              pick(r, "", "vendor-"),
		Athena:                  pick(r, RequirementNone, RequirementForbidden),
	}
	return pick(r, nil, []*Profile{Optima()}, []*Profile{Eco()}, []*Profile{Optima(), Eco()}, []*Profile{custom})
}

// TestFixesResolveRandomDefinitions checks, over many generated
// definitions and profiles, that each fix is shaped for its action and that
// re-validating it leaves only the findings that had no fix.
func TestFixesResolveRandomDefinitions(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 1000 {
		var d Definition
		if i%2 == 0 {
			rd := randomLegacy(r)
			d.ReportDefinition = &rd
		} else {
			e := randomExport(r)
			d.Export = &e
		}
		ps := randomProfiles(r)
		fs, err := Validate(d, ps...)
		require.NoError(t, err)
		var unfixable []Code
		for _, f := range fs {
			// A conflict between the profiles stays whatever the definition.
			if f.Fix == nil || f.Code == CodeProfilesConflict {
				unfixable = append(unfixable, f.Code)
			}
		}
		for _, f := range fs {
			if f.Fix == nil {
				continue
			}
			assertFixShape(t, f.Fix)
			recheck := ps
			if f.Code == CodeProfilesConflict {
				recheck = profilesNamed(ps, f.Profile)
			}
			fixed := Definition{ReportDefinition: f.Fix.ReportDefinition(), Export: f.Fix.Export()}
			again, err := Validate(fixed, recheck...)
			require.NoError(t, err)
			for _, g := range again {
				require.Contains(t, unfixable, g.Code, "case %d: fix for %s (%v) leaves %s: %s\ndefinition: %s", i, f.Code, fs.Codes(), g.Code, g.Message, mustJSON(d))
			}
		}
	}
}

func mustJSON(d Definition) string {
	j, _ := d.MarshalJSON()
	return string(j)
}
