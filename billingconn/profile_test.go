package billingconn

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuiltinProfiles(t *testing.T) {
	for _, p := range []*Profile{Optima(), Eco()} {
		require.NoError(t, p.Validate(), p.Name)
		// A copy each time: callers may change theirs.
		q := map[string]func() *Profile{"optima": Optima, "eco": Eco}[p.Name]()
		assert.Equal(t, p, q)
		q.Kinds[0] = curreader.KindCUR2
		assert.Equal(t, curreader.KindCUR, map[string]func() *Profile{"optima": Optima, "eco": Eco}[p.Name]().Kinds[0])

		// The JSON form round-trips through ParseProfile.
		j, err := json.Marshal(p)
		require.NoError(t, err)
		back, err := ParseProfile(j)
		require.NoError(t, err)
		assert.Equal(t, p, back)
	}

	o, e := Optima(), Eco()
	assert.Equal(t, "CREATE_NEW_REPORT", o.Versioning)
	assert.Equal(t, curreader.CompressionGzip, o.Compression)
	assert.Equal(t, "OVERWRITE_REPORT", e.Versioning)
	assert.Equal(t, RequirementRequired, e.Athena)
	assert.Equal(t, "us-east-1", e.Region)
}

func TestParseProfileFile(t *testing.T) {
	data, err := os.ReadFile("testdata/profile-opencost.json")
	require.NoError(t, err)
	p, err := ParseProfile(data)
	require.NoError(t, err)
	assert.Equal(t, "opencost", p.Name)
	assert.Equal(t, "DAILY", p.TimeUnit)
	assert.Equal(t, RequirementRecommended, p.S3Prefix)

	_, err = ParseProfile(bytes.Repeat([]byte(" "), maxProfileSize+1))
	require.ErrorIs(t, err, curerr.ErrMalformed)
}

// Kinds, format and compression are read in AWS's and older profiles'
// spellings, and an unknown value is reported against its field.
func TestParseProfileSpellings(t *testing.T) {
	p, err := ParseProfile([]byte(`{"name":"x","kinds":["LEGACY_CUR","CUR2"],"format":"TEXT_OR_CSV","compression":"GZIP"}`))
	require.NoError(t, err)
	assert.Equal(t, []curreader.Kind{curreader.KindCUR, curreader.KindCUR2}, p.Kinds)
	assert.Equal(t, curreader.FormatCSV, p.Format)
	assert.Equal(t, curreader.CompressionGzip, p.Compression)

	_, err = ParseProfile([]byte(`{"name":"x","kinds":["cur","CUR3"],"format":"avro","compression":"lz4"}`))
	var fields []string
	for _, fe := range curerr.Fields(err) {
		fields = append(fields, fe.Field)
	}
	assert.Equal(t, []string{"kinds[1]", "format", "compression"}, fields)

	// A value of the wrong JSON type names the field, not a Go type.
	_, err = ParseProfile([]byte(`{"name":"x","timeUnit":3}`))
	require.ErrorIs(t, err, curerr.ErrMalformed)
	assert.Contains(t, err.Error(), `field "timeUnit" must be a string, not number`)
	assert.NotContains(t, err.Error(), "Go struct")
}

func TestParseProfileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		fields     []string
	}{
		{"not json", `{`, []string{"profile"}},
		{"trailing data", `{"name":"a"} {}`, []string{"profile"}},
		{"unknown field", `{"name":"a","timeUnits":"HOURLY"}`, []string{"profile"}},
		{"wrong type", `{"name":"a","kinds":"CUR2"}`, []string{"profile"}},
		{"bad values", `{"name":"a b","kinds":["CUR3"],"timeUnit":"WEEKLY","resourceIds":"yes","versioning":"KEEP","format":"ORC","compression":"BZIP2","region":"Europe","namePrefix":"a b"}`,
			[]string{"name", "kinds[0]", "timeUnit", "resourceIds", "versioning", "format", "compression", "region", "namePrefix"}},
		{"prefix forbidden", `{"name":"a","s3Prefix":"forbidden"}`, []string{"s3Prefix"}},
		{"parquet gzip", `{"name":"a","format":"PARQUET","compression":"GZIP"}`, []string{"compression"}},
		{"csv parquet", `{"name":"a","format":"CSV","compression":"PARQUET"}`, []string{"compression"}},
		{"zip for exports", `{"name":"a","compression":"ZIP"}`, []string{"compression"}},
		{"athena impossible", `{"name":"a","athena":"required","versioning":"CREATE_NEW_REPORT","format":"CSV","kinds":["CUR2"]}`,
			[]string{"athena", "versioning", "format"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProfile([]byte(tc.json))
			require.ErrorIs(t, err, curerr.ErrMalformed)
			var fields []string
			for _, fe := range curerr.Fields(err) {
				fields = append(fields, fe.Field)
			}
			assert.Equal(t, tc.fields, fields)
		})
	}
}

func TestProfileGrouping(t *testing.T) {
	groups := groupProfiles([]*Profile{Optima(), Eco(), {Name: "hourly", TimeUnit: "HOURLY"}, {Name: "daily", TimeUnit: "DAILY"}})
	require.Len(t, groups, 3)
	assert.Equal(t, []string{"optima", "hourly"}, groups[0].names)
	assert.Equal(t, []string{"eco"}, groups[1].names)
	assert.Equal(t, []string{"daily"}, groups[2].names)

	// Recommended and forbidden merge to forbidden; required and forbidden conflict.
	g := groupProfiles([]*Profile{{Name: "a", ResourceIDs: RequirementRecommended}, {Name: "b", ResourceIDs: RequirementForbidden}, {Name: "c", ResourceIDs: RequirementRequired}})
	require.Len(t, g, 2)
	assert.Equal(t, RequirementForbidden, g[0].resourceIDs)
	assert.Equal(t, RequirementRequired, g[1].resourceIDs)

	// Name prefixes merge when one extends the other.
	g = groupProfiles([]*Profile{{Name: "a", NamePrefix: "acme"}, {Name: "b", NamePrefix: "acme-cur"}, {Name: "c", NamePrefix: "other"}})
	require.Len(t, g, 2)
	assert.Equal(t, "acme-cur", g[0].namePrefix)

	// Kinds intersect.
	g = groupProfiles([]*Profile{{Name: "a", Kinds: []curreader.Kind{curreader.KindCUR2, curreader.KindFOCUS}}, {Name: "b", Kinds: []curreader.Kind{curreader.KindFOCUS, curreader.KindCUR}}, {Name: "c", Kinds: []curreader.Kind{curreader.KindCUR2}}})
	require.Len(t, g, 2)
	assert.Equal(t, []curreader.Kind{curreader.KindFOCUS}, g[0].kinds)
}
