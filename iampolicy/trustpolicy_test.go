package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

func TestCrossAccountTrust(t *testing.T) {
	cases := []struct {
		trusted, want string
		opt           func(*TrustPolicyOptions)
	}{
		{"451234325714", "arn:aws:iam::451234325714:root", nil},
		{"012345678901", "arn:aws-us-gov:iam::012345678901:root", func(o *TrustPolicyOptions) { o.Partition = PartitionGovCloud }},
		{"arn:aws:iam::451234325714:role/platform-reader", "arn:aws:iam::451234325714:role/platform-reader", nil},
		{"arn:aws:iam::451234325714:user/onboarding", "arn:aws:iam::451234325714:user/onboarding", nil},
		{"arn:aws-cn:iam::451234325714:root", "arn:aws-cn:iam::451234325714:root", func(o *TrustPolicyOptions) { o.Partition = PartitionChina }},
	}
	for _, tc := range cases {
		t.Run(tc.trusted, func(t *testing.T) {
			var opts []func(*TrustPolicyOptions)
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			p, err := CrossAccountTrust(tc.trusted, "ext-123", opts...)
			require.NoError(t, err)
			require.NoError(t, p.ValidateTrust())
			require.Len(t, p.Statement, 1)
			s := p.Statement[0]
			assert.Equal(t, Strings{tc.want}, s.Principal.AWS)
			assert.Equal(t, Strings{"sts:AssumeRole"}, s.Action)
			assert.Equal(t, Condition{"StringEquals": {"sts:ExternalId": Strings{"ext-123"}}}, s.Condition)
		})
	}
}

func TestCrossAccountTrustRefuses(t *testing.T) {
	_, err := CrossAccountTrust("451234325714", "")
	require.ErrorIs(t, err, ErrNoExternalID)
	assert.Equal(t, []string{"external ID"}, fieldsOf(t, err))

	p, err := CrossAccountTrust("451234325714", "", func(o *TrustPolicyOptions) { o.AllowNoExternalID = true })
	require.NoError(t, err)
	assert.Nil(t, p.Statement[0].Condition, "opting out leaves no condition")

	for _, tc := range []struct {
		trusted, ext string
		fields       []string
	}{
		{"45123432571", "ok-id", []string{"trusted principal"}},
		{"arn:aws:s3:::bucket", "ok-id", []string{"trusted principal"}},
		{"arn:aws:iam::451234325714:group/admins", "ok-id", []string{"trusted principal"}},
		{"arn:aws-cn:iam::451234325714:root", "ok-id", []string{"trusted principal"}},
		{"acct\x1b[31m", "bad id!", []string{"trusted principal", "external ID"}},
	} {
		_, err := CrossAccountTrust(tc.trusted, tc.ext)
		assert.ElementsMatch(t, tc.fields, fieldsOf(t, err), tc.trusted)
	}
}

// TestCrossAccountTrustRefusesWildcardPrincipal: IAM refuses a wildcard in
// part of a principal ARN ("you cannot use a wildcard to match part of a
// principal name or ARN"), so the builder refuses it up front, wherever the
// wildcard sits, rather than write a policy IAM will not take.
func TestCrossAccountTrustRefusesWildcardPrincipal(t *testing.T) {
	for _, trusted := range []string{
		"arn:aws:iam::123456789012:role/*",
		"arn:aws:iam::123456789012:role/platform-*",
		"arn:aws:iam::123456789012:user/onboard?",
		"arn:aws:iam::123456789012:role/path/*/reader",
		"arn:aws:iam::*:root",
		"arn:aws:iam::12345678901?:root",
		"arn:*:iam::123456789012:root",
		"*",
		"12345678901*",
	} {
		t.Run(trusted, func(t *testing.T) {
			p, err := CrossAccountTrust(trusted, "ext-123")
			require.ErrorIs(t, err, curerr.ErrMalformed)
			var fe *curerr.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "trusted principal", fe.Field)
			assert.Contains(t, fe.Msg, "wildcard")
			assert.Equal(t, []string{"trusted principal"}, fieldsOf(t, err), "one error for the principal")
			assert.Empty(t, p.Statement)
		})
	}
	// The refusal joins the other input errors.
	_, err := CrossAccountTrust("arn:aws:iam::123456789012:role/*", "bad id!")
	assert.ElementsMatch(t, []string{"trusted principal", "external ID"}, fieldsOf(t, err))
}
