package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

// TestReadThroughRoleMoto: curcat reads a customer's bucket as a platform
// does, against moto_server with IAM enforcement on. The platform's own
// identity (an IAM user, from the standard chain) assumes a role built by
// iampolicy's builders with -external-id; sum, list and sync go through the
// role, exactly. A wrong external ID fails at the assume step, with exit 1.
func TestReadThroughRoleMoto(t *testing.T) {
	m := testutil.StartMoto(t)
	ctx := t.Context()
	const bkt = "acme-billing"
	admin := m.AWSConfig()
	s3c := s3.NewFromConfig(admin, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bkt)})
	require.NoError(t, err)
	res, err := curtest.Generate(ctx, curtest.S3Sink{Client: s3c, Bucket: bkt},
		curtest.Spec{Kind: curtest.LegacyCUR, Name: "acme-cur", Prefix: "cur", Bucket: bkt, Months: 2, Rows: 30, Files: 2, Seed: 5})
	require.NoError(t, err)

	iamc := iam.NewFromConfig(admin)
	u, err := m.CreatePlatformUser(ctx)
	require.NoError(t, err)
	externalID := iampolicy.NewExternalID()
	trust, err := iampolicy.CrossAccountTrust(u.ARN, externalID)
	require.NoError(t, err)
	read, err := iampolicy.CURReadPolicy(bkt, "cur")
	require.NoError(t, err)
	trustJSON, err := trust.CompactJSON()
	require.NoError(t, err)
	readJSON, err := read.CompactJSON()
	require.NoError(t, err)
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("curconnect-billing-read"), AssumeRolePolicyDocument: aws.String(string(trustJSON))})
	require.NoError(t, err)
	_, err = iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role.Role.RoleName, PolicyName: aws.String("read"), PolicyDocument: aws.String(string(readJSON))})
	require.NoError(t, err)
	require.NoError(t, m.EnableAuth(ctx))
	t.Cleanup(func() { _ = m.DisableAuth(context.Background()) })

	// The platform's own identity, from the standard chain.
	t.Setenv("AWS_ACCESS_KEY_ID", u.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", u.SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	extraS3Options = []func(*s3.Options){func(o *s3.Options) { o.HTTPSignerV4 = testutil.MotoSigner{} }}
	t.Cleanup(func() { extraS3Options = nil })

	base := []string{"-bucket", bkt, "-prefix", "cur", "-endpoint", m.Endpoint, "-path-style", "-role-arn", aws.ToString(role.Role.Arn)}
	for _, p := range res.Periods() {
		var out, errOut bytes.Buffer
		args := append([]string{"sum"}, append(base, "-external-id", externalID, "-report", "acme-cur", "-period", p, "-by", "lineItem/ProductCode", "-json")...)
		require.NoError(t, run(ctx, args, &out, &errOut), errOut.String())
		var got sumOutput
		require.NoError(t, json.Unmarshal(out.Bytes(), &got))
		cur := res.Current(p)
		assert.Equal(t, decimal.MustParse(cur.Total).String(), got.Total, p)
		assert.Equal(t, cur.Rows, got.Rows, p)
	}
	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, append([]string{"sync"}, append(base, "-external-id", externalID, "-json", "-state", t.TempDir()+"/state.json")...), &out, &errOut), errOut.String())
	assert.Equal(t, 2, bytes.Count(out.Bytes(), []byte("\n")), "both months on the first sync")

	// The platform's identity alone cannot read the bucket; a wrong
	// external ID fails at the assume step.
	out.Reset()
	errOut.Reset()
	err = run(ctx, append([]string{"list"}, append(base, "-external-id", "WRONG-external-id-000000000")...), &out, &errOut)
	require.Error(t, err)
	assert.Equal(t, exitFindings, exitCode(err, &errOut))
	assert.Contains(t, errOut.String(), "AssumeRole")
	assert.ErrorIs(t, err, curerr.ErrAccessDenied)

	out.Reset()
	errOut.Reset()
	err = run(ctx, []string{"list", "-bucket", bkt, "-prefix", "cur", "-endpoint", m.Endpoint, "-path-style"}, &out, &errOut)
	require.ErrorIs(t, err, curerr.ErrAccessDenied, "without the role, the platform's user may not list")
}
