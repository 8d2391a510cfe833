package billingconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuiltinProfiles(t *testing.T) {
	for _, p := range []*Profile{Optima(), Eco()} {
		require.NoError(t, p.Validate(), p.Name)
		// A copy each time: callers may change theirs.
		q, ok := BuiltinProfile(strings.ToUpper(p.Name))
		require.True(t, ok)
		assert.Equal(t, p, q)
		q.Kinds[0] = KindCUR2
		r, _ := BuiltinProfile(p.Name)
		assert.Equal(t, KindLegacyCUR, r.Kinds[0])

		// The JSON form round-trips through ParseProfile.
		j, err := json.Marshal(p)
		require.NoError(t, err)
		back, err := ParseProfile(j)
		require.NoError(t, err)
		assert.Equal(t, p, back)
	}
	_, ok := BuiltinProfile("opencost")
	assert.False(t, ok)

	o, e := Optima(), Eco()
	assert.Equal(t, "CREATE_NEW_REPORT", o.Versioning)
	assert.Equal(t, CompressionGZIP, o.Compression)
	assert.Equal(t, "OVERWRITE_REPORT", e.Versioning)
	assert.Equal(t, Required, e.Athena)
	assert.Equal(t, "us-east-1", e.Region)
}

func TestLoadProfile(t *testing.T) {
	f, err := os.Open("testdata/profile-opencost.json")
	require.NoError(t, err)
	defer f.Close()
	p, err := LoadProfile(f)
	require.NoError(t, err)
	assert.Equal(t, "opencost", p.Name)
	assert.Equal(t, "DAILY", p.TimeUnit)
	assert.Equal(t, Recommended, p.S3Prefix)

	_, err = LoadProfile(bytes.NewReader(bytes.Repeat([]byte(" "), maxProfileSize+1)))
	require.ErrorIs(t, err, curerr.ErrMalformed)
	_, err = LoadProfile(iotestErrReader{})
	require.Error(t, err)
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

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
			errs := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok && !isFieldError(err) {
				errs = j.Unwrap()
			}
			for _, e := range errs {
				var fe *curerr.FieldError
				require.ErrorAs(t, e, &fe)
				fields = append(fields, fe.Field)
			}
			assert.Equal(t, tc.fields, fields)
		})
	}
}

func isFieldError(err error) bool {
	_, ok := err.(*curerr.FieldError)
	return ok
}

func TestProfileGrouping(t *testing.T) {
	groups := groupProfiles([]*Profile{Optima(), Eco(), {Name: "hourly", TimeUnit: "HOURLY"}, {Name: "daily", TimeUnit: "DAILY"}})
	require.Len(t, groups, 3)
	assert.Equal(t, []string{"optima", "hourly"}, groups[0].names)
	assert.Equal(t, []string{"eco"}, groups[1].names)
	assert.Equal(t, []string{"daily"}, groups[2].names)

	// Recommended and forbidden merge to forbidden; required and forbidden conflict.
	g := groupProfiles([]*Profile{{Name: "a", ResourceIDs: Recommended}, {Name: "b", ResourceIDs: Forbidden}, {Name: "c", ResourceIDs: Required}})
	require.Len(t, g, 2)
	assert.Equal(t, Forbidden, g[0].resourceIDs)
	assert.Equal(t, Required, g[1].resourceIDs)

	// Name prefixes merge when one extends the other.
	g = groupProfiles([]*Profile{{Name: "a", NamePrefix: "acme"}, {Name: "b", NamePrefix: "acme-cur"}, {Name: "c", NamePrefix: "other"}})
	require.Len(t, g, 2)
	assert.Equal(t, "acme-cur", g[0].namePrefix)

	// Kinds intersect.
	g = groupProfiles([]*Profile{{Name: "a", Kinds: []ExportKind{KindCUR2, KindFOCUS}}, {Name: "b", Kinds: []ExportKind{KindFOCUS, KindLegacyCUR}}, {Name: "c", Kinds: []ExportKind{KindCUR2}}})
	require.Len(t, g, 2)
	assert.Equal(t, []ExportKind{KindFOCUS}, g[0].kinds)
}
