package billingconn

import (
	"encoding/json"
	"strings"
	"testing"

	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inputAt follows a FixInput.Path through the "input" of a Fix's JSON.
func inputAt(t *testing.T, fix *Fix, path string) any {
	t.Helper()
	j, err := json.Marshal(fix)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(j, &doc))
	var v any = doc["input"]
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		require.True(t, ok, "%s: %q is not an object in %s", path, k, j)
		v, ok = m[k]
		require.True(t, ok, "%s: no %q in %s", path, k, j)
	}
	return v
}

// A fix that moves the report to the region a profile needs keeps the old
// bucket's name (S3Region must be the bucket's own region, and no bucket
// can be chosen for the user): it says so in NeedsInput, which a program
// reads, not only in the Note.
func TestFixNeedsInput(t *testing.T) {
	t.Run("eco: a legacy report in eu-west-1", func(t *testing.T) {
		d := okAthena()
		d.S3Region = curtypes.AWSRegionIreland
		fs, err := Validate(legacyDef(d), Eco())
		require.NoError(t, err)
		require.Equal(t, []Code{CodeRegionMismatch}, fs.Codes())
		fix := fs[0].Fix
		require.NotNil(t, fix)
		assert.False(t, fix.Ready())
		require.Equal(t, []FixInput{{Path: "ReportDefinition.S3Bucket",
			Need: "a bucket in us-east-1, with the bucket policy that lets AWS deliver reports to it"}}, fix.NeedsInput)
		assert.Equal(t, "acme-billing", inputAt(t, fix, fix.NeedsInput[0].Path), "the path names the value to replace")
		assert.Equal(t, "us-east-1", inputAt(t, fix, "ReportDefinition.S3Region"))

		j, err := json.Marshal(fix)
		require.NoError(t, err)
		assert.Contains(t, string(j), `"needsInput":[{"path":"ReportDefinition.S3Bucket","need":"a bucket in us-east-1`)
	})

	t.Run("an export pinned to us-east-1", func(t *testing.T) {
		fs, err := Validate(exportDef(okExport()), custom(func(p *Profile) { p.Region = "us-east-1" }))
		require.NoError(t, err)
		require.Equal(t, []Code{CodeRegionMismatch}, fs.Codes())
		fix := fs[0].Fix
		require.Len(t, fix.NeedsInput, 1)
		assert.Equal(t, "Export.DestinationConfigurations.S3Destination.S3Bucket", fix.NeedsInput[0].Path)
		assert.Equal(t, "acme-billing", inputAt(t, fix, fix.NeedsInput[0].Path))
	})

	t.Run("a second report for a conflicting profile", func(t *testing.T) {
		d := okLegacy()
		d.S3Region = curtypes.AWSRegionIreland
		fs, err := Validate(legacyDef(d), Optima(), Eco())
		require.NoError(t, err)
		var conflict *Finding
		for i := range fs {
			if fs[i].Code == CodeProfilesConflict {
				conflict = &fs[i]
			}
		}
		require.NotNil(t, conflict)
		require.False(t, conflict.Fix.Ready(), "eco's report must go to a bucket in us-east-1")
		assert.Equal(t, "ReportDefinition.S3Bucket", conflict.Fix.NeedsInput[0].Path)
	})

	t.Run("a fix that changes no region can be sent as it is", func(t *testing.T) {
		d := okLegacy()
		d.TimeUnit = curtypes.TimeUnitDaily
		fs, err := Validate(legacyDef(d), Optima())
		require.NoError(t, err)
		require.NotEmpty(t, fs)
		assert.True(t, fs[0].Fix.Ready())
		assert.Nil(t, fs[0].Fix.NeedsInput)
		j, err := json.Marshal(fs[0].Fix)
		require.NoError(t, err)
		assert.NotContains(t, string(j), "needsInput")
		assert.False(t, (*Fix)(nil).Ready())
	})
}
