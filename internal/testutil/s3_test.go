package testutil_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/internal/testutil"
)

func TestS3PutGetAndCount(t *testing.T) {
	ctx := context.Background()
	s := testutil.NewS3(t, "bkt")
	s.Put(t, "bkt", "a/one.txt", []byte("hello"))
	_, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/two//x.txt"), Body: strings.NewReader("hi")})
	require.NoError(t, err)

	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/one.txt")})
	require.NoError(t, err)
	body, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	require.NoError(t, out.Body.Close())
	assert.Equal(t, "hello", string(body))

	_, err = s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/two//x.txt")})
	require.NoError(t, err, "a key with // is stored and found exactly")

	l, err := s.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("a/")})
	require.NoError(t, err)
	assert.Len(t, l.Contents, 2)

	assert.Equal(t, map[string]int{"PutObject": 1, "GetObject": 1, "HeadObject": 1, "ListObjectsV2": 1}, s.Requests())
	assert.Equal(t, 4, s.Total())
	s.ResetRequests()
	assert.Equal(t, 0, s.Total())
}

func TestS3Deny(t *testing.T) {
	ctx := context.Background()
	s := testutil.NewS3(t, "bkt")
	s.Put(t, "bkt", "secret/k", []byte("x"))
	s.Put(t, "bkt", "open/k", []byte("y"))
	s.Deny("secret/")

	for name, call := range map[string]func() error{
		"get": func() error {
			_, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("secret/k")})
			return err
		},
		"head": func() error {
			_, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("secret/k")})
			return err
		},
		"list": func() error {
			_, err := s.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("secret/")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.Error(t, err)
			var re interface{ HTTPStatusCode() int }
			require.True(t, errors.As(err, &re))
			assert.Equal(t, http.StatusForbidden, re.HTTPStatusCode())
			if name != "head" { // HEAD responses carry no error body
				var ae smithy.APIError
				require.True(t, errors.As(err, &ae))
				assert.Equal(t, "AccessDenied", ae.ErrorCode())
			}
		})
	}

	_, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("open/k")})
	require.NoError(t, err, "keys outside the denied prefix are served")
}

func TestS3Wrap(t *testing.T) {
	s := testutil.NewS3(t, "bkt")
	s.Put(t, "bkt", "k", []byte("x"))
	s.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>`)
		})
	})
	s.Put(t, "bkt", "k2", []byte("y")) // seeding is not wrapped
	s.Deny("k3")
	s.Put(t, "bkt", "k3", []byte("z")) // nor denied
	_, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "NoSuchKey", ae.ErrorCode())
	assert.Equal(t, map[string]int{"GetObject": 1}, s.Requests(), "wrapped requests are still counted, seeding is not")
}
