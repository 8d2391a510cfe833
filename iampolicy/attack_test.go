package iampolicy

import (
	"errors"
	"strings"
	"testing"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// controlChars are characters no AWS name or ID may hold and that could
// forge log lines, split headers or hide text in a console.
var controlChars = map[string]string{
	"NUL": "\x00", "newline": "\n", "carriage return": "\r", "tab": "\t",
	"escape": "\x1b[31m", "DEL": "\x7f", "C1 NEL": "\u0085", "bidi override": "\u202e",
	"zero-width space": "\u200b", "line separator": "\u2028", "invalid UTF-8": "\xff",
}

// TestControlCharactersRefused puts each control character at the start,
// middle and end of every name and ID the builders take, and checks each
// is refused with a *curerr.FieldError that wraps curerr.ErrMalformed and names the
// field — never accepted into a policy or template.
func TestControlCharactersRefused(t *testing.T) {
	inputs := []struct {
		field string
		valid string
		call  func(string) error
	}{
		{"external ID", "curconnect-7f3a9c21", ValidateExternalID},
		{"bucket", "acme-billing", ValidateBucketName},
		{"prefix", "cur/reports", ValidatePrefix},
		{"account ID", "123456789012", ValidateAccountID},
		{"role ARN", "arn:aws:iam::123456789012:role/curconnect-read", func(s string) error { _, err := ParseARN(s); return err }},
		{"trusted principal", "arn:aws:iam::123456789012:role/platform", func(s string) error {
			_, err := CrossAccountTrust(s, "curconnect-7f3a9c21")
			return err
		}},
		{"trust external ID", "curconnect-7f3a9c21", func(s string) error {
			_, err := CrossAccountTrust("123456789012", s)
			return err
		}},
		{"read bucket", "acme-billing", func(s string) error { _, err := CURReadPolicy(s, "cur"); return err }},
		{"read prefix", "cur", func(s string) error { _, err := CURReadPolicy("acme-billing", s); return err }},
		{"KMS key ARN", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", func(s string) error {
			_, err := CURReadPolicy("acme-billing", "cur", func(o *ReadPolicyOptions) { o.KMSKeyARNs = []string{s} })
			return err
		}},
		{"delivery account", "123456789012", func(s string) error { _, err := DeliveryBucketPolicy("acme-billing", s); return err }},
		{"template role name", "CurConnectRead", func(s string) error {
			_, err := CloudFormationTemplate(TemplateInput{Bucket: "acme-billing", TrustedPrincipal: "123456789012", ExternalID: "curconnect-7f3a9c21", RoleName: s})
			return err
		}},
		{"template external ID", "curconnect-7f3a9c21", func(s string) error {
			_, err := CloudFormationTemplate(TemplateInput{Bucket: "acme-billing", TrustedPrincipal: "123456789012", ExternalID: s})
			return err
		}},
	}
	refused := 0
	for _, in := range inputs {
		require.NoError(t, in.call(in.valid), "%s: the valid value is accepted", in.field)
		for cname, c := range controlChars {
			mid := len(in.valid) / 2
			for pos, v := range map[string]string{"start": c + in.valid, "middle": in.valid[:mid] + c + in.valid[mid:], "end": in.valid + c} {
				err := in.call(v)
				if !assert.Error(t, err, "%s with %s at the %s: %q accepted", in.field, cname, pos, v) {
					continue
				}
				assert.ErrorIs(t, err, curerr.ErrMalformed, "%s %s %s", in.field, cname, pos)
				var fe *curerr.FieldError
				assert.True(t, errors.As(err, &fe), "%s %s %s: %T %v", in.field, cname, pos, err, err)
				// The message must not echo the raw control character.
				if c != "\xff" {
					assert.NotContains(t, err.Error(), c, "%s %s %s: the error echoes the raw character", in.field, cname, pos)
				}
				refused++
			}
		}
	}
	t.Logf("%d hostile names refused", refused)
}

// TestHostilePolicyJSON: oversized and deeply nested policy documents,
// including nesting hidden in Conditions, are refused with ErrTooLarge
// before they are decoded; brackets inside strings do not count. (Parse
// reads policies that already exist in an account, so it does not police
// the characters of their strings; the builders do, above.)
func TestHostilePolicyJSON(t *testing.T) {
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
