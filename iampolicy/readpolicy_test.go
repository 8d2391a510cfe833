package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
