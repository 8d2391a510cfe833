package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ecoIreland is Eco's report as it should be, but delivered to a bucket in
// eu-west-1: the fix moves it to us-east-1 and needs a bucket there.
const ecoIreland = `{"ReportDefinition": {"ReportName": "eco-cur", "TimeUnit": "HOURLY", "Format": "Parquet", "Compression": "Parquet",
"AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "acme-eco-billing", "S3Prefix": "eco", "S3Region": "eu-west-1",
"AdditionalArtifacts": ["ATHENA"], "RefreshClosedReports": true, "ReportVersioning": "OVERWRITE_REPORT"}}`

type fixJSON struct {
	Action     string `json:"action"`
	Note       string `json:"note"`
	NeedsInput []struct {
		Path string `json:"path"`
		Need string `json:"need"`
	} `json:"needsInput"`
	Input map[string]any `json:"input"`
}

// A script follows fixId to a finding's fix, which is given once.
func TestValidateJSONFixesGivenOnce(t *testing.T) {
	dir := t.TempDir()
	eco := filepath.Join(dir, "eco-ireland.json")
	require.NoError(t, os.WriteFile(eco, []byte(ecoIreland), 0o600))
	noBucket := filepath.Join(dir, "no-bucket.json")
	require.NoError(t, os.WriteFile(noBucket, []byte(strings.Replace(ecoIreland, `"acme-eco-billing"`, `""`, 1)), 0o600))
	daily := testdata + "legacy-daily-wrapped.json"
	r := runValidate(t, "", "-json", "-profile", "optima", "-profile", "eco", daily, eco, testdata+"legacy-broken-athena.json", noBucket)
	require.Equal(t, exitFindings, r.code, r.stderr)
	out := decodeStrict(t, r.stdout)
	require.NotEmpty(t, out.Findings)

	fixes := map[int]fixJSON{} // fixId → the fix, from the finding that carries it
	files := map[int]string{}
	regionFix := 0 // fixId of eco-ireland.json's REGION_MISMATCH
	noFix := 0
	for _, f := range out.Findings {
		if f.File == eco && f.Code == "REGION_MISMATCH" {
			require.NotNil(t, f.FixID)
			regionFix = *f.FixID
		}
		if f.FixID == nil {
			assert.Equal(t, "null", string(f.Fix), "no fixId, no fix: %s", f.Code)
			noFix++
			continue
		}
		if string(f.Fix) == "null" {
			_, ok := fixes[*f.FixID]
			assert.True(t, ok, "%s %s: fixId %d refers to a fix given before it", f.File, f.Code, *f.FixID)
			assert.Equal(t, files[*f.FixID], f.File, "a fix is for one definition")
			continue
		}
		_, dup := fixes[*f.FixID]
		assert.False(t, dup, "fixId %d given twice", *f.FixID)
		var fx fixJSON
		require.NoError(t, json.Unmarshal(f.Fix, &fx))
		fixes[*f.FixID], files[*f.FixID] = fx, f.File
	}
	assert.Equal(t, len(fixes), strings.Count(r.stdout, `"action"`), "each fix's JSON once")
	assert.GreaterOrEqual(t, len(fixes), 3, "one fix per file at least")
	assert.Positive(t, noFix, "no fix can choose a bucket for an empty S3Bucket")
	for id := 1; id <= len(fixes); id++ {
		assert.Contains(t, fixes, id, "ids are 1..n in order")
	}

	// Eco's report in eu-west-1: its fix cannot be sent as it is, and says
	// which field of the input to set.
	require.Contains(t, fixes, regionFix)
	ecoFix := fixes[regionFix]
	require.Len(t, ecoFix.NeedsInput, 1)
	assert.Equal(t, "ReportDefinition.S3Bucket", ecoFix.NeedsInput[0].Path)
	assert.Contains(t, ecoFix.NeedsInput[0].Need, "a bucket in us-east-1")
	rd, _ := ecoFix.Input["ReportDefinition"].(map[string]any)
	assert.Equal(t, "acme-eco-billing", rd["S3Bucket"], "the path leads to the value to replace")
	assert.Equal(t, "us-east-1", rd["S3Region"])

	// The text output says it too.
	r = runValidate(t, "", "-profile", "eco", eco)
	assert.Contains(t, r.stdout, "before sending: set ReportDefinition.S3Bucket to a bucket in us-east-1")
}
