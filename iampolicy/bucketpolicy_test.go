package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
