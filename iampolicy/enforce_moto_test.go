package iampolicy_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/awserr"
	"github.com/curconnect/curconnect/internal/testutil"
)

// motoAccess is a moto_server with IAM enforcement on, holding a billing
// bucket, another bucket, a platform user and a customer role created from
// iampolicy's builders.
type motoAccess struct {
	moto       *testutil.Moto
	roleARN    string // the role with the generated read policy
	roleARNs   map[string]string
	externalID string
	userCreds  aws.CredentialsProvider
	policy     iampolicy.Policy
}

const (
	enfBucket = "cur-billing-bucket"
	enfOther  = "other-bucket"
	enfPrefix = "cur"
)

// Object keys seeded in moto. moto breaks on "/" in S3 query values while
// auth is on, so listings below use prefixes without "/".
var enfKeys = map[string][]string{
	enfBucket: {"cur/report/20240301-20240401/report-Manifest.json", "cur/report/20240301-20240401/a/report-00001.csv.gz", "private/secret.txt"},
	enfOther:  {"cur/x.csv"},
}

// setupMotoAccess creates the role "cur-reader" with CURReadPolicy, and one
// role per entry of extra with that policy, all trusting the platform user
// with the same external ID; then it turns moto's auth on.
func setupMotoAccess(t *testing.T, extra map[string]iampolicy.Policy) *motoAccess {
	t.Helper()
	m := testutil.StartMoto(t)
	ctx := t.Context()
	cfg := m.AWSConfig()
	iamc := iam.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	for b, keys := range enfKeys {
		_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		require.NoError(t, err)
		for _, k := range keys {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader("data of " + k)})
			require.NoError(t, err)
		}
	}

	// The platform's principal: moto matches a trust policy only against
	// the caller's exact ARN, so the platform is a user of the account.
	u, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("platform")})
	require.NoError(t, err)
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("platform")})
	require.NoError(t, err)
	_, err = iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("platform"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)})
	require.NoError(t, err)

	externalID := iampolicy.NewExternalID()
	trust, err := iampolicy.CrossAccountTrust(aws.ToString(u.User.Arn), externalID)
	require.NoError(t, err)
	policy, err := iampolicy.CURReadPolicy(enfBucket, enfPrefix)
	require.NoError(t, err)
	trustJSON, err := trust.CompactJSON()
	require.NoError(t, err)
	policyJSON, err := policy.CompactJSON()
	require.NoError(t, err)

	roleARNs := map[string]string{}
	createRole := func(name string, doc []byte) {
		role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(string(trustJSON))})
		require.NoError(t, err)
		mp, err := iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(string(doc))})
		require.NoError(t, err)
		_, err = iamc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: mp.Policy.Arn})
		require.NoError(t, err)
		roleARNs[name] = aws.ToString(role.Role.Arn)
	}
	createRole("cur-reader", policyJSON)
	for name, p := range extra {
		doc, err := p.CompactJSON()
		require.NoError(t, err)
		createRole(name, doc)
	}

	require.NoError(t, m.EnableAuth(ctx))
	t.Cleanup(func() { _ = m.DisableAuth(context.Background()) })
	return &motoAccess{
		moto:       m,
		roleARN:    roleARNs["cur-reader"],
		roleARNs:   roleARNs,
		externalID: externalID,
		userCreds:  credentials.NewStaticCredentialsProvider(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""),
		policy:     policy,
	}
}

// assume returns an S3 client with credentials from AssumeRole with the
// given external ID, or the AssumeRole error.
func (a *motoAccess) assume(ctx context.Context, externalID string) (*s3.Client, error) {
	return a.assumeRole(ctx, a.roleARN, externalID)
}

func (a *motoAccess) assumeRole(ctx context.Context, roleARN, externalID string) (*s3.Client, error) {
	stsc := sts.NewFromConfig(a.moto.ConfigWithCredentials(a.userCreds))
	prov := stscreds.NewAssumeRoleProvider(stsc, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(externalID)
	})
	if _, err := prov.Retrieve(ctx); err != nil { // explicitly, so a trust failure is not hidden in a later call
		return nil, err
	}
	return s3.NewFromConfig(a.moto.ConfigWithCredentials(prov), func(o *s3.Options) { o.UsePathStyle = true }), nil
}

func TestMotoEnforcesGeneratedPolicies(t *testing.T) {
	a := setupMotoAccess(t, nil)
	ctx := t.Context()

	t.Run("wrong external ID is refused", func(t *testing.T) {
		_, err := a.assume(ctx, "not-the-external-id")
		require.Error(t, err)
		require.ErrorIs(t, awserr.Classify(err), awserr.ErrAccessDenied, "%v", err)
	})

	s3c, err := a.assume(ctx, a.externalID)
	require.NoError(t, err)

	t.Run("list the prefix", func(t *testing.T) {
		out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(enfBucket), Prefix: aws.String(enfPrefix)})
		require.NoError(t, err)
		require.Len(t, out.Contents, 2)
	})
	t.Run("get objects under the prefix", func(t *testing.T) {
		for _, k := range enfKeys[enfBucket][:2] {
			out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(enfBucket), Key: aws.String(k)})
			require.NoError(t, err, k)
			out.Body.Close()
		}
	})
	refused := []struct {
		name string
		call func() error
	}{
		{"get outside the prefix", func() error {
			_, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(enfBucket), Key: aws.String("private/secret.txt")})
			return err
		}},
		{"put into the bucket", func() error {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(enfBucket), Key: aws.String("cur/new.csv"), Body: strings.NewReader("x")})
			return err
		}},
		{"list another bucket", func() error {
			_, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(enfOther)})
			return err
		}},
		{"get from another bucket", func() error {
			_, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(enfOther), Key: aws.String("cur/x.csv")})
			return err
		}},
		{"delete from the bucket", func() error {
			_, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(enfBucket), Key: aws.String(enfKeys[enfBucket][0])})
			return err
		}},
	}
	for _, tc := range refused {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			require.ErrorIs(t, awserr.Classify(err), awserr.ErrAccessDenied, "%v", err)
			var re *smithyhttp.ResponseError
			require.True(t, errors.As(err, &re))
			require.Equal(t, http.StatusForbidden, re.HTTPStatusCode())
		})
	}
}
