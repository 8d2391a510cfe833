package billingconn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/require"
)

func addSeeds(f *testing.F, glob string) {
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	require.NoError(f, err)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
}

// FuzzParseDefinitions: any input either parses or fails with curerr.ErrMalformed;
// whatever parses validates without panicking, under each built-in profile
// and both together; and every fix resolves the findings that share it.
func FuzzParseDefinitions(f *testing.F) {
	addSeeds(f, "*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, err := ParseDefinitions(data)
		if err != nil {
			require.ErrorIs(t, err, curerr.ErrMalformed)
			return
		}
		for _, d := range defs {
			for _, ps := range [][]*Profile{nil, {Optima()}, {Eco()}, {Optima(), Eco()}} {
				fs, err := Validate(d, ps...)
				require.NoError(t, err)
				for _, fd := range fs {
					require.NotEmpty(t, fd.Code)
					if fd.Fix == nil || fd.Code == CodeProfilesConflict || fd.Code == CodeKindNotAccepted {
						continue
					}
					_, err := json.Marshal(fd.Fix)
					require.NoError(t, err)
					fixed := Definition{ReportDefinition: fd.Fix.ReportDefinition(), Export: fd.Fix.Export()}
					again, err := Validate(fixed, ps...)
					require.NoError(t, err)
					require.NotContains(t, again.Codes(), fd.Code, "fix did not resolve %s", fd.Code)
				}
			}
		}
	})
}

// FuzzParseProfile: a profile either parses (and then is valid and
// round-trips) or fails with curerr.ErrMalformed.
func FuzzParseProfile(f *testing.F) {
	addSeeds(f, "profile-*.json")
	for _, p := range []*Profile{Optima(), Eco()} {
		j, err := json.Marshal(p)
		require.NoError(f, err)
		f.Add(j)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data)
		if err != nil {
			require.ErrorIs(t, err, curerr.ErrMalformed)
			return
		}
		require.NoError(t, p.Validate())
		j, err := json.Marshal(p)
		require.NoError(t, err)
		q, err := ParseProfile(j)
		require.NoError(t, err)
		require.Equal(t, p, q)
	})
}
