package testutil

import (
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/internal/awserr"
)

func TestStartVersity(t *testing.T) {
	v := StartVersity(t)
	ctx := t.Context()
	c := v.S3("")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("probe")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("probe"), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello")})
	require.NoError(t, err)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("probe"), Key: aws.String("a/b.txt")})
	require.NoError(t, err)
	b, err := io.ReadAll(out.Body)
	out.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "hello", string(b))

	// It checks signatures: a wrong secret is refused, as a signature
	// failure (not a missing permission).
	bad := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(v.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(v.AccessKey, "wrong-secret", "")})
	_, err = bad.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("probe")})
	require.ErrorIs(t, awserr.Classify(err), awserr.ErrSignature, "%v", err)
}
