package iampolicy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

func TestExternalID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := NewExternalID()
		require.NoError(t, ValidateExternalID(id))
		require.GreaterOrEqual(t, len(id), 26, "26 base32 characters carry 130 bits")
		require.False(t, seen[id], "external IDs must not repeat")
		seen[id] = true
	}
	for _, ok := range []string{"ab", "A_b+=,.@:/-9", strings.Repeat("x", 1224)} {
		assert.NoError(t, ValidateExternalID(ok))
	}
	for _, bad := range []string{"Q", strings.Repeat("x", 1225), "has space", "semi;colon", "tab\there", "nul\x00", "ünïcode"} {
		err := ValidateExternalID(bad)
		require.ErrorIs(t, err, curerr.ErrMalformed, "%q", bad)
		assert.NotContains(t, err.Error(), bad, "the error must not echo the external ID")
	}
	require.ErrorIs(t, ValidateExternalID(""), ErrNoExternalID)
}
