package billingconn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseFile(t *testing.T, name string) []Definition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	defs, err := ParseDefinitions(data)
	require.NoError(t, err)
	return defs
}

func TestParseDefinitionsCLIShapes(t *testing.T) {
	t.Run("bare legacy", func(t *testing.T) {
		defs := parseFile(t, "legacy-optima-ok.json")
		require.Len(t, defs, 1)
		d := defs[0].ReportDefinition
		require.NotNil(t, d)
		assert.Equal(t, "acme-cur", aws.ToString(d.ReportName))
		assert.Equal(t, curtypes.TimeUnitHourly, d.TimeUnit)
		assert.Equal(t, []curtypes.SchemaElement{curtypes.SchemaElementResources}, d.AdditionalSchemaElements)
		assert.Equal(t, curtypes.AWSRegionIreland, d.S3Region)
		assert.True(t, aws.ToBool(d.RefreshClosedReports))
		fs, err := Validate(defs[0], Optima())
		require.NoError(t, err)
		assert.Empty(t, fs)
	})
	t.Run("modify-report-definition input", func(t *testing.T) {
		defs := parseFile(t, "legacy-daily-wrapped.json")
		require.Len(t, defs, 1)
		d := defs[0].ReportDefinition
		assert.Equal(t, curtypes.TimeUnitDaily, d.TimeUnit)
		assert.False(t, aws.ToBool(d.RefreshClosedReports))
		require.NotNil(t, d.RefreshClosedReports)
		assert.Equal(t, []curtypes.SchemaElement{}, d.AdditionalSchemaElements)
	})
	t.Run("wrapped with status", func(t *testing.T) {
		d := parseFile(t, "legacy-eco-ok.json")[0].ReportDefinition
		require.NotNil(t, d.ReportStatus)
		assert.Equal(t, curtypes.LastStatusSuccess, d.ReportStatus.LastStatus)
		assert.Equal(t, "20240305T061512Z", aws.ToString(d.ReportStatus.LastDelivery))
		fs, err := Validate(Definition{ReportDefinition: d}, Eco())
		require.NoError(t, err)
		assert.Empty(t, fs)
	})
	t.Run("describe-report-definitions output", func(t *testing.T) {
		defs := parseFile(t, "describe-report-definitions.json")
		require.Len(t, defs, 2)
		assert.Equal(t, "finance-monthly", defs[1].Name())
	})
	t.Run("get-export output", func(t *testing.T) {
		defs := parseFile(t, "export-cur2.json")
		require.Len(t, defs, 1)
		e := defs[0].Export
		require.NotNil(t, e)
		assert.Equal(t, "acme-cur2", aws.ToString(e.Name))
		assert.Equal(t, "DAILY", e.DataQuery.TableConfigurations[tableCUR2][propTimeGranularity])
		oc := e.DestinationConfigurations.S3Destination.S3OutputConfigurations
		assert.Equal(t, dxtypes.FormatOptionParquet, oc.Format)
		assert.Equal(t, dxtypes.OverwriteOptionOverwriteReport, oc.Overwrite)
		assert.Equal(t, dxtypes.FrequencyOptionSynchronous, e.RefreshCadence.Frequency)
		assert.Contains(t, aws.ToString(e.ExportArn), ":export/acme-cur2-")
		assert.Equal(t, curreader.KindCUR2, exportKind(e))
	})
	t.Run("bare export", func(t *testing.T) {
		defs := parseFile(t, "export-focus-bare.json")
		require.Len(t, defs, 1)
		assert.Equal(t, curreader.KindFOCUS, exportKind(defs[0].Export))
		fs, err := Validate(defs[0])
		require.NoError(t, err)
		assert.Empty(t, fs)
	})
	t.Run("broken", func(t *testing.T) {
		fs, err := Validate(parseFile(t, "legacy-broken-athena.json")[0])
		require.NoError(t, err)
		assert.Equal(t, []Code{CodeReportNameInvalid, CodeFormatCompression, CodeAthenaNotOnlyArtifact,
			CodeAthenaRequiresPrefix, CodeAthenaRequiresOverwrite, CodeAthenaRequiresParquet}, fs.Codes())
		fix := fs[0].Fix
		require.NotNil(t, fix)
		assert.Equal(t, FixPutReportDefinition, fix.Action)
		rd := fix.ReportDefinition()
		assert.Equal(t, "athena-cur", aws.ToString(rd.ReportName))
		assert.Equal(t, []curtypes.AdditionalArtifact{curtypes.AdditionalArtifactAthena}, rd.AdditionalArtifacts)
		assert.Equal(t, "cur", aws.ToString(rd.S3Prefix))
	})
}

func TestParseDefinitionsErrors(t *testing.T) {
	for _, in := range []string{
		`not json`, `null`, `[]`, `{"Foo": 1}`, `{"ReportDefinition": null}`, `{"ReportDefinition": {"ReportName": 5}}`,
		`{"Export": {"DataQuery": "x"}}`, `{"ReportDefinitions": {}}`, `{"ReportDefinitions": [{"TimeUnit": 1}, 2]}`,
		`{"Name": ["a"]}`, `{"ReportName": "a"} x`,
	} {
		t.Run(in, func(t *testing.T) {
			defs, err := ParseDefinitions([]byte(in))
			require.ErrorIs(t, err, curerr.ErrMalformed)
			var fe *curerr.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Nil(t, defs)
		})
	}
	_, err := ParseDefinitions(make([]byte, MaxDefinitionSize+1))
	require.ErrorIs(t, err, curerr.ErrMalformed)
}

func TestDefinitionJSONRoundTrip(t *testing.T) {
	ath := okAthena()
	ath.BillingViewArn = aws.String("arn:aws:billing::111122223333:billingview/primary")
	ath.ReportStatus = &curtypes.ReportStatus{LastDelivery: aws.String("20240305T061512Z"), LastStatus: curtypes.LastStatusErrorPermissions}
	exp := okExport()
	exp.Description = aws.String("for the dashboards")
	exp.DestinationConfigurations.S3Destination.S3BucketOwner = aws.String("111122223333")
	for _, d := range []Definition{{ReportDefinition: &ath}, {Export: &exp}} {
		j, err := json.Marshal(d)
		require.NoError(t, err)
		back, err := ParseDefinitions(j)
		require.NoError(t, err)
		require.Len(t, back, 1)
		assert.Equal(t, d, back[0])
	}
	j, err := json.Marshal(Definition{})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(j))
}

func TestFixJSONIsCLIInput(t *testing.T) {
	d := okLegacy()
	d.RefreshClosedReports = aws.Bool(false)
	fs, err := Validate(legacyDef(d), Optima())
	require.NoError(t, err)
	require.Len(t, fs, 1)
	j, err := json.Marshal(fs[0].Fix)
	require.NoError(t, err)
	assert.JSONEq(t, `{"action":"ModifyReportDefinition","input":{"ReportName":"acme-cur","ReportDefinition":{
		"ReportName":"acme-cur","TimeUnit":"HOURLY","Format":"textORcsv","Compression":"GZIP",
		"AdditionalSchemaElements":["RESOURCES"],"S3Bucket":"acme-billing","S3Prefix":"cur","S3Region":"eu-west-1",
		"RefreshClosedReports":true,"ReportVersioning":"CREATE_NEW_REPORT"}}}`, string(j))

	// The input part is what ParseDefinitions (and the AWS CLI) reads.
	var wrapped struct{ Input json.RawMessage }
	require.NoError(t, json.Unmarshal(j, &wrapped))
	back, err := ParseDefinitions(wrapped.Input)
	require.NoError(t, err)
	assert.Equal(t, fs[0].Fix.ReportDefinition(), back[0].ReportDefinition)

	e := okExport()
	outCfg(&e).Overwrite = dxtypes.OverwriteOptionCreateNewReport
	efs, err := Validate(exportDef(e), &Profile{Name: "ow", Versioning: "OVERWRITE_REPORT"})
	require.NoError(t, err)
	j, err = json.Marshal(efs[0].Fix)
	require.NoError(t, err)
	var got struct {
		Action string
		Input  struct {
			ExportArn string
			Export    json.RawMessage
		}
	}
	require.NoError(t, json.Unmarshal(j, &got))
	assert.Equal(t, "UpdateExport", got.Action)
	assert.Equal(t, exportARN, got.Input.ExportArn)
	back, err = ParseDefinitions(got.Input.Export)
	require.NoError(t, err)
	assert.Equal(t, efs[0].Fix.Export(), back[0].Export)
}
