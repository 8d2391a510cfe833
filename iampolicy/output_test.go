package iampolicy_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
)

// TestPolicyOutputIsStable checks every builder case against its file in
// testdata byte for byte, and that the file reads back as a valid policy of
// its kind that writes back to the same bytes.
func TestPolicyOutputIsStable(t *testing.T) {
	for _, tc := range policyCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.build()
			require.NoError(t, err)
			got, err := p.JSON()
			require.NoError(t, err)
			want := checkGolden(t, tc.name+".golden.json", got)

			// The golden file reads back as a valid policy of its kind and
			// writes back to the same bytes.
			back, err := iampolicy.Parse(want)
			require.NoError(t, err)
			switch tc.kind {
			case identityPolicy:
				assert.NoError(t, back.ValidateIdentity())
			case trustPolicy:
				assert.NoError(t, back.ValidateTrust())
			default:
				assert.NoError(t, back.Validate())
				for i, s := range back.Statement {
					assert.False(t, s.Principal.IsZero(), "Statement[%d] of a bucket policy needs a Principal", i)
					assert.NotEmpty(t, s.Resource, "Statement[%d] of a bucket policy needs a Resource", i)
				}
			}
			assert.Equal(t, p, back)
			again, err := back.JSON()
			require.NoError(t, err)
			assert.Equal(t, string(want), string(again))
		})
	}
}

// TestTemplateOutputIsStable checks every template variant's JSON and YAML
// against testdata byte for byte, that the JSON reads back into a Template
// with no unknown field, and that the YAML holds the JSON's tree.
func TestTemplateOutputIsStable(t *testing.T) {
	for _, tc := range templateCases() {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := iampolicy.CloudFormationTemplate(tc.in)
			require.NoError(t, err)
			j, err := tmpl.JSON()
			require.NoError(t, err)
			y, err := tmpl.YAML()
			require.NoError(t, err)
			wantJSON := checkGolden(t, tc.name+".golden.json", j)
			wantYAML := checkGolden(t, tc.name+".golden.yaml", y)

			// The JSON golden reads back into a Template with no unknown
			// field and writes back to the same bytes.
			var back iampolicy.Template
			dec := json.NewDecoder(bytes.NewReader(wantJSON))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&back))
			again, err := back.JSON()
			require.NoError(t, err)
			assert.Equal(t, string(wantJSON), string(again))

			// The YAML golden holds exactly the JSON's tree (JSON is YAML,
			// so YAMLEq parses both with the same YAML parser).
			assert.YAMLEq(t, string(wantJSON), string(wantYAML))
		})
	}
}
