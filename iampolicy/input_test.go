package iampolicy

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

func TestBucketNames(t *testing.T) {
	for _, ok := range []string{"abc", "my-cur-bucket", "a.b.c", "123bucket", strings.Repeat("a", 63)} {
		assert.NoError(t, ValidateBucketName(ok), ok)
	}
	for _, bad := range []string{"", "ab", strings.Repeat("a", 64), "Upper", "under_score", "-lead", "trail-", "a..b", "192.168.1.1", "xn--abc", "sthree-x", "amzn-s3-demo-x", "x-s3alias", "x--ol-s3", "x.mrap", "x--x-s3", "x--table-s3", "a\nb"} {
		err := ValidateBucketName(bad)
		assert.Error(t, err, bad)
		var fe *curerr.FieldError
		if assert.ErrorAs(t, err, &fe) {
			assert.Equal(t, "bucket", fe.Field)
		}
	}
}

func TestParseARN(t *testing.T) {
	a, err := ParseARN("arn:aws:iam::451234325714:role/path/name")
	require.NoError(t, err)
	assert.Equal(t, ARN{Partition: "aws", Service: "iam", AccountID: "451234325714", Resource: "role/path/name"}, a)
	assert.Equal(t, "arn:aws:iam::451234325714:role/path/name", a.String())
	for _, bad := range []string{"", "arn:aws:iam", "arn:aws-x:iam::451234325714:root", "arn:aws:iam::45:root", "arn:aws::::x", "arn:aws:s3:::"} {
		_, err := ParseARN(bad)
		require.ErrorIs(t, err, curerr.ErrMalformed, bad)
	}
}

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
