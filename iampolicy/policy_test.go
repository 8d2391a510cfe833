package iampolicy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVariants(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Policy
	}{
		{
			name: "statement object, scalar fields",
			in:   `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			want: Policy{Version: Version2012, Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/*"}}}},
		},
		{
			name: "statement list, list fields, Id",
			in:   `{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["s3:*","iam:*"],"NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`,
			want: Policy{Version: Version2012, ID: "p1", Statement: []Statement{{Sid: "A", Effect: EffectDeny, NotAction: Strings{"s3:*", "iam:*"}, NotResource: Strings{"arn:aws:s3:::b", "arn:aws:s3:::b/*"}}}},
		},
		{
			name: "wildcard principal",
			in:   `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`,
			want: Policy{Statement: []Statement{{Effect: EffectAllow, Principal: &Principal{Wildcard: true}, Action: Strings{"sts:AssumeRole"}}}},
		},
		{
			name: "principal map with every kind, NotPrincipal",
			in: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","444455556666"],"Service":"billingreports.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"sts:AssumeRole"},` +
				`{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}]}`,
			want: Policy{Statement: []Statement{
				{Effect: EffectAllow, Principal: &Principal{AWS: Strings{"arn:aws:iam::111122223333:root", "444455556666"}, Service: Strings{"billingreports.amazonaws.com"}, Federated: Strings{"cognito-identity.amazonaws.com"}, CanonicalUser: Strings{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}, Action: Strings{"sts:AssumeRole"}},
				{Effect: EffectDeny, NotPrincipal: &Principal{AWS: Strings{"*"}}, Action: Strings{"s3:*"}, Resource: Strings{"*"}},
			}},
		},
		{
			name: "condition with lists, bools and numbers",
			in:   `{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":["cur/*","focus/*"]},"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":1000}}}]}`,
			want: Policy{Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:ListBucket"}, Resource: Strings{"arn:aws:s3:::b"}, Condition: Condition{
				"StringLike":      {"s3:prefix": Strings{"cur/*", "focus/*"}},
				"Bool":            {"aws:SecureTransport": Strings{"true"}},
				"NumericLessThan": {"s3:max-keys": Strings{"1000"}},
			}}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			// Round trip: write, read, write gives the same bytes.
			b1, err := got.JSON()
			require.NoError(t, err)
			again, err := Parse(b1)
			require.NoError(t, err)
			assert.Equal(t, got, again)
			b2, err := again.JSON()
			require.NoError(t, err)
			assert.Equal(t, string(b1), string(b2))
		})
	}
}

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

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		name string
		in   string
		is   error
	}{
		{"not json", `{`, curerr.ErrMalformed},
		{"typo in statement key", `{"Statement":[{"Effect":"Allow","Principle":"*","Action":"s3:*"}]}`, curerr.ErrMalformed},
		{"unknown top-level key", `{"Version":"2012-10-17","Statements":[]}`, curerr.ErrMalformed},
		{"no statement", `{"Version":"2012-10-17"}`, curerr.ErrMalformed},
		{"null statement", `{"Statement":null}`, curerr.ErrMalformed},
		{"principal string not star", `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"sts:AssumeRole"}]}`, curerr.ErrMalformed},
		{"unknown principal kind", `{"Statement":[{"Effect":"Allow","Principal":{"Robot":"x"},"Action":"sts:AssumeRole"}]}`, curerr.ErrMalformed},
		{"object as action", `{"Statement":[{"Effect":"Allow","Action":{"a":1},"Resource":"*"}]}`, curerr.ErrMalformed},
		{"null in list", `{"Statement":[{"Effect":"Allow","Action":[null],"Resource":"*"}]}`, curerr.ErrMalformed},
		{"too deep", strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1), ErrTooLarge},
		{"too big", `{"Id":"` + strings.Repeat("x", MaxDocumentBytes) + `"}`, ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			require.Error(t, err)
			require.ErrorIs(t, err, tc.is)
			require.ErrorIs(t, err, curerr.ErrMalformed)
		})
	}
}

func TestValidate(t *testing.T) {
	good, err := CURReadPolicy("my-cur-bucket", "cur")
	require.NoError(t, err)
	require.NoError(t, good.Validate())
	require.NoError(t, good.ValidateIdentity())
	require.Error(t, good.ValidateTrust())

	bad := Policy{Version: "2013-01-01", Statement: []Statement{
		{Sid: "a-b", Effect: "allow", Action: Strings{"GetObject"}, NotAction: Strings{"s3:*"}, Resource: Strings{"bucket"}, NotResource: Strings{"*"}},
		{Sid: "a-b", Effect: EffectAllow, Principal: &Principal{}, NotPrincipal: &Principal{Wildcard: true}, Condition: Condition{"StringEquals": {}}},
	}}
	err = bad.Validate()
	require.ErrorIs(t, err, curerr.ErrMalformed)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *curerr.FieldError
		require.True(t, errors.As(e, &fe))
		fields = append(fields, fe.Field)
	}
	assert.ElementsMatch(t, []string{
		"Version", "Statement[0].Effect", "Statement[0].Sid", "Statement[0].Action", "Statement[0].Action[0]",
		"Statement[0].Resource", "Statement[0].Resource[0]",
		"Statement[1].Sid", "Statement[1].Sid", "Statement[1].Action", "Statement[1].Principal", "Statement[1].Principal", "Statement[1].Condition.StringEquals",
	}, fields)
	require.ErrorIs(t, Policy{}.Validate(), curerr.ErrMalformed)
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
