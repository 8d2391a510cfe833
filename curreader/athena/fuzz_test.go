package athena

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// unliteral reads back a Hive string literal as literal writes it.
func unliteral(t *testing.T, s string) string {
	require.True(t, len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'', s)
	var b strings.Builder
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		require.NotEqual(t, byte('\''), c, "an unescaped quote inside %s", s)
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		require.Less(t, i, len(body), "a trailing backslash in %s", s)
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(body[i])
		}
	}
	return b.String()
}

// FuzzNames: whatever a report or header is called, table and column
// names are Athena names (lower-case letters, digits, '_'), column names
// are unique and never the partition key, DDL literals read back to their
// text, and a destination is validated without panicking.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"acme-cur", "lineItem/UnblendedCost", "resourceTags/user:Cost Center", "BilledCost", "billing_period", "", "__", "ÄÖ", "a'b\\c\nd"} {
		f.Add(s, "s3://links/x/")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		require.Regexp(t, `^[a-z0-9_]+$`, TableName(a))
		names := csvColumnNames([]string{a, b, a, PartitionKey, strings.ToUpper(a)})
		seen := map[string]bool{}
		for _, n := range names {
			require.Regexp(t, `^[a-z0-9_]+$`, n)
			require.NotEqual(t, PartitionKey, n)
			require.False(t, seen[n], "duplicate column %s in %v", n, names)
			seen[n] = true
		}
		require.Equal(t, a, unliteral(t, literal(a)))
		require.Equal(t, "`"+strings.ReplaceAll(a, "`", "``")+"`", ident(a))
		_ = Destination{Database: a, SymlinkURI: b}.Validate()
	})
}
