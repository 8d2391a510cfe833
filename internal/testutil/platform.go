package testutil

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// PlatformUser is the IAM user standing for the platform in moto tests:
// moto matches a trust policy's principal only against the caller's exact
// ARN, so the platform is a user of the server's account.
type PlatformUser struct {
	ARN, AccessKeyID, SecretAccessKey string
}

// Credentials returns the user's access key as a credentials provider.
func (u PlatformUser) Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(u.AccessKeyID, u.SecretAccessKey, "")
}

// CreatePlatformUser creates the user "platform" with an access key,
// allowed sts:AssumeRole on any role and what the extra statements (IAM
// policy statements as JSON objects) allow. Call it while IAM enforcement
// is off.
func (m *Moto) CreatePlatformUser(ctx context.Context, extra ...string) (PlatformUser, error) {
	iamc := iam.NewFromConfig(m.AWSConfig())
	u, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("platform")})
	if err != nil {
		return PlatformUser{}, err
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("platform")})
	if err != nil {
		return PlatformUser{}, err
	}
	statements := append([]string{`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`}, extra...)
	_, err = iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("platform"), PolicyName: aws.String("platform"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`)})
	if err != nil {
		return PlatformUser{}, err
	}
	return PlatformUser{ARN: aws.ToString(u.User.Arn), AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}, nil
}
