package iampolicy_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/internal/awserr"
)

// TestGeneratedRoleGrantsExactlyTheReadAccess creates, in moto_server with
// IAM enforcement on, a role with the generated trust and read policies and
// checks what the platform can do with it: assume it only with the external
// ID, list and read under the prefix, and nothing else (other keys, other
// buckets, writes, deletes).
func TestGeneratedRoleGrantsExactlyTheReadAccess(t *testing.T) {
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
