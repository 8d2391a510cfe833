package iampolicy

import (
	"errors"
	"strings"
	"testing"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestCURReadPolicy(t *testing.T) {
	p, err := CURReadPolicy("my-cur-bucket", "cur/", func(o *ReadPolicyOptions) {
		o.KMSKeyARNs = []string{"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
		o.ReportDefinitions = true
		o.DataExports = true
	})
	require.NoError(t, err)
	require.NoError(t, p.ValidateIdentity())
	bySid := map[string]Statement{}
	for _, s := range p.Statement {
		bySid[s.Sid] = s
	}
	assert.Equal(t, Strings{"arn:aws:s3:::my-cur-bucket"}, bySid[SidListBucket].Resource)
	assert.Equal(t, Strings{"arn:aws:s3:::my-cur-bucket/cur/*"}, bySid[SidGetObjects].Resource, "trailing slash dropped")
	assert.Equal(t, Strings{"kms:Decrypt"}, bySid[SidKMSDecrypt].Action)
	assert.Equal(t, Strings{"cur:DescribeReportDefinitions"}, bySid[SidReportDefinitions].Action)
	assert.Len(t, bySid[SidDataExports].Action, 4)

	p, err = CURReadPolicy("my-cur-bucket", "", func(o *ReadPolicyOptions) { o.Partition = PartitionChina })
	require.NoError(t, err)
	assert.Equal(t, Strings{"arn:aws-cn:s3:::my-cur-bucket/*"}, p.Statement[1].Resource)
	assert.Len(t, p.Statement, 4)
}

func TestCURReadPolicyRefuses(t *testing.T) {
	_, err := CURReadPolicy("My_Bucket", "has space", func(o *ReadPolicyOptions) {
		o.Partition = "aws-moon"
		o.KMSKeyARNs = []string{"not-an-arn", "arn:aws:s3:::bucket", "arn:aws-cn:kms:cn-north-1:111122223333:key/x"}
	})
	assert.ElementsMatch(t, []string{"partition", "bucket", "prefix", "KMSKeyARNs[0]", "KMSKeyARNs[1]", "KMSKeyARNs[2]"}, fieldsOf(t, err))
}

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

func TestDeliveryBucketPolicy(t *testing.T) {
	p, err := DeliveryBucketPolicy("my-cur-bucket", "111122223333")
	require.NoError(t, err)
	require.NoError(t, p.Validate())
	require.Len(t, p.Statement, 4)
	for _, s := range p.Statement {
		assert.Equal(t, Strings{"111122223333"}, s.Condition["StringEquals"]["aws:SourceAccount"])
	}
	assert.Equal(t, Strings{billingReportsService}, p.Statement[0].Principal.Service)
	assert.Equal(t, Strings{"arn:aws:cur:us-east-1:111122223333:definition/*"}, p.Statement[0].Condition["StringLike"]["aws:SourceArn"])
	assert.Equal(t, Strings{"s3:GetBucketAcl", "s3:GetBucketPolicy"}, p.Statement[0].Action)
	assert.Equal(t, Strings{"arn:aws:s3:::my-cur-bucket/*"}, p.Statement[1].Resource)
	assert.Equal(t, Strings{dataExportsService}, p.Statement[2].Principal.Service)
	assert.Equal(t, Strings{"arn:aws:bcm-data-exports:us-east-1:111122223333:export/*"}, p.Statement[3].Condition["StringLike"]["aws:SourceArn"])

	p, err = DeliveryBucketPolicy("my-cur-bucket", "111122223333", func(o *DeliveryPolicyOptions) { o.SkipDataExports = true; o.Partition = PartitionGovCloud })
	require.NoError(t, err)
	require.Len(t, p.Statement, 2)
	assert.Equal(t, Strings{"arn:aws-us-gov:cur:us-east-1:111122223333:definition/*"}, p.Statement[0].Condition["StringLike"]["aws:SourceArn"])

	_, err = DeliveryBucketPolicy("B", "1234", func(o *DeliveryPolicyOptions) { o.SkipDataExports = true; o.SkipLegacyCUR = true })
	assert.ElementsMatch(t, []string{"bucket", "account ID", "DeliveryPolicyOptions"}, fieldsOf(t, err))
}

func TestCheckSize(t *testing.T) {
	p, err := CURReadPolicy("b-b-b", "")
	require.NoError(t, err)
	n, err := Size(p)
	require.NoError(t, err)
	require.Less(t, n, QuotaManagedPolicy.Limit())

	var keys []string
	for range 80 {
		keys = append(keys, "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	}
	_, err = CURReadPolicy("b-b-b", "", func(o *ReadPolicyOptions) { o.KMSKeyARNs = keys })
	var se *SizeError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, 6144, se.Limit)
	assert.Greater(t, se.Size, 6144)

	// Whitespace does not count.
	withSpace := Policy{Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:Get Object"}}}}
	a, _ := Size(withSpace)
	b, _ := Size(Policy{Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:GetObject"}}}})
	assert.Equal(t, b, a)
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
