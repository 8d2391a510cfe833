package iampolicy

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// Helpers shared by the tests of package iampolicy (the internal tests).

// fieldsOf returns the Field of every *curerr.FieldError joined in err.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, curerr.ErrMalformed)
	var errs []error
	if u, ok := err.(interface{ Unwrap() []error }); ok && !isFieldError(err) {
		errs = u.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		var fe *curerr.FieldError
		require.True(t, errors.As(e, &fe), "%T %v", e, e)
		out = append(out, fe.Field)
	}
	return out
}

func isFieldError(err error) bool { _, ok := err.(*curerr.FieldError); return ok }

// mustParse parses a policy document for a test.
func mustParse(t testing.TB, doc string) Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	require.NoError(t, err, doc)
	return p
}

func stmt(effect Effect, actions, resources []string) Statement {
	return Statement{Effect: effect, Action: actions, Resource: resources}
}

func pol(sts ...Statement) Policy { return Policy{Version: Version2012, Statement: sts} }

// gapSummary is the part of a Gap a test compares.
type gapSummary struct {
	Action, Resource string
	Kind             GapKind
	Statement        int
}

func summarize(gaps []Gap) []gapSummary {
	var out []gapSummary
	for _, g := range gaps {
		out = append(out, gapSummary{g.Action, g.Resource, g.Kind, g.StatementIndex})
	}
	return out
}

// trickyStrings are values YAML reads as something else unless quoted, or
// that need escaping.
var trickyStrings = []string{
	"", "yes", "No", "on", "OFF", "y", "null", "~", "true", "0x1F", "1e3", "012", ".inf", "-.5", "2010-09-09",
	" leading", "trailing ", "a: b", "a #c", "# c", "- d", "*e", "&f", "!g", "%h", "@i", "`j", "|k", ">l", "?m", "{n}", "[o]", ",p",
	"line\nbreak", "tab\there", "cr\r", "\x00\x01\x1f\x7f", "\u0085nel", "\u2028\u2029", "\ufeffbom", "\u0080\u009f",
	"é日本🙂", `"quoted" and \back\slash`, "${AWS::Partition}", "---", "...", "'single'",
}

// requireSameTree parses j as JSON and y as YAML and requires the same
// tree. (JSON cannot simply be parsed as YAML: encoding/json leaves
// characters such as U+0085 unescaped, which YAML forbids raw.)
func requireSameTree(t *testing.T, j, y []byte) {
	t.Helper()
	var fromJSON any
	require.NoError(t, json.Unmarshal(j, &fromJSON))
	var fromYAML any
	require.NoError(t, yaml.Unmarshal(y, &fromYAML), "%s", y)
	// Normalise YAML's ints and maps through JSON.
	b, err := json.Marshal(fromYAML)
	require.NoError(t, err)
	var norm any
	require.NoError(t, json.Unmarshal(b, &norm))
	require.Equal(t, fromJSON, norm)
}
