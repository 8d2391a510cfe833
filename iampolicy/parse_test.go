package iampolicy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
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

// TestParseBoundsSizeAndNesting: oversized and deeply nested policy documents,
// including nesting hidden in Conditions, are refused with ErrTooLarge
// before they are decoded; brackets inside strings do not count. (Parse
// reads policies that already exist in an account, so it does not police
// the characters of their strings; the builders do: see
// TestControlCharactersRefused.)
func TestParseBoundsSizeAndNesting(t *testing.T) {
	deepCond := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"k":` +
		strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000) + `}}}]}`
	tooBig := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},`, MaxDocumentBytes/50) + `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	padded := `{"Version":"2012-10-17","Statement":[]` + strings.Repeat(" ", MaxDocumentBytes) + `}`
	for name, tc := range map[string]struct {
		doc  string
		want error
	}{
		"a million open brackets":        {strings.Repeat("[", 1_000_000), ErrTooLarge},
		"a million nested objects":       {strings.Repeat(`{"a":`, 1_000_000), ErrTooLarge},
		"nesting inside a condition":     {deepCond, ErrTooLarge},
		"twenty thousand statements":     {tooBig, ErrTooLarge},
		"a megabyte of whitespace":       {padded, ErrTooLarge},
		"brackets inside strings only":   {`{"Version":"2012-10-17","Id":"` + strings.Repeat("[{", 5000) + `","Statement":[]}`, nil},
		"unbalanced closing brackets":    {strings.Repeat("]", 1000), curerr.ErrMalformed},
		"raw control byte in the source": {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\x01\"}]}", curerr.ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			assert.Less(t, len(err.Error()), 1000, "the error does not echo the document")
		})
	}
}
