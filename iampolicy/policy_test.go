package iampolicy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONIsDeterministicAndUnescaped(t *testing.T) {
	p := Policy{Version: Version2012, Statement: []Statement{{
		Sid: "A", Effect: EffectAllow, Principal: &Principal{Service: Strings{"b.amazonaws.com"}, AWS: Strings{"arn:aws:iam::111122223333:root"}},
		Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/<x>&y/*"},
		Condition: Condition{"StringLike": {"z": Strings{"1"}, "a": Strings{"2", "3"}}, "Bool": {"k": Strings{"true"}}},
	}}}
	b, err := p.CompactJSON()
	require.NoError(t, err)
	assert.Equal(t, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root","Service":"b.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/<x>&y/*","Condition":{"Bool":{"k":"true"},"StringLike":{"a":["2","3"],"z":"1"}}}]}`, string(b))
	for range 20 {
		b2, err := p.CompactJSON()
		require.NoError(t, err)
		require.Equal(t, string(b), string(b2))
	}
	assert.Equal(t, string(b), p.String())
}

func TestStringsUnmarshal(t *testing.T) {
	var s Strings
	require.NoError(t, json.Unmarshal([]byte(`"a"`), &s))
	assert.Equal(t, Strings{"a"}, s)
	require.NoError(t, json.Unmarshal([]byte(`["a", false, 1.5]`), &s))
	assert.Equal(t, Strings{"a", "false", "1.5"}, s)
	require.Error(t, json.Unmarshal([]byte(`null`), &s))
	require.Error(t, json.Unmarshal([]byte(`{}`), &s))
	b, err := json.Marshal(Strings{"x"})
	require.NoError(t, err)
	assert.Equal(t, `"x"`, string(b))
	b, err = json.Marshal(Strings{"x", "y"})
	require.NoError(t, err)
	assert.Equal(t, `["x","y"]`, string(b))
}

// TestEffect: Effect is a string type, so the JSON is IAM's; a value other
// than Allow or Deny still parses and writes back unchanged, for Validate
// to report and Evaluate to warn about.
func TestEffect(t *testing.T) {
	b, err := Policy{Statement: []Statement{{Effect: EffectDeny, Action: Strings{"s3:*"}, Resource: Strings{"*"}}}}.CompactJSON()
	require.NoError(t, err)
	assert.Equal(t, `{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, string(b))

	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}]}`
	p, err := Parse([]byte(doc))
	require.NoError(t, err)
	assert.Equal(t, Effect("Permit"), p.Statement[0].Effect)
	back, err := p.CompactJSON()
	require.NoError(t, err)
	assert.Equal(t, doc, string(back))

	assert.Equal(t, []string{"Statement[0].Effect"}, fieldsOf(t, p.Validate()))
	d := Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, p)
	assert.Equal(t, OutcomeImplicitDeny, d.Outcome)
	require.Len(t, d.Warnings, 1)
	assert.Contains(t, d.Warnings[0].Msg, `Effect "Permit"`)
}
