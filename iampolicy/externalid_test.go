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

// TestExternalIDWarning: short external IDs stay valid (a platform may use
// an ID the customer already has), but are warned about, naming the
// confused-deputy risk and never the ID itself.
func TestExternalIDWarning(t *testing.T) {
	for _, id := range []string{"Zq", "o-a1b2c3d4e5", "123456789012", strings.Repeat("x", 15)} {
		require.NoError(t, ValidateExternalID(id), "a short ID is still valid")
		w := ExternalIDWarning(id)
		assert.Contains(t, w, "confused-deputy", "%q", id)
		assert.Contains(t, w, "16 characters")
		assert.NotContains(t, w, id, "the warning does not repeat the ID")
	}
	for _, id := range []string{strings.Repeat("x", 16), NewExternalID(), strings.Repeat("y", 1224)} {
		assert.Empty(t, ExternalIDWarning(id), "%d characters", len(id))
	}
	for _, invalid := range []string{"", "Q", "has space"} {
		assert.Empty(t, ExternalIDWarning(invalid), "an invalid ID is ValidateExternalID's to report: %q", invalid)
	}
}
