package awserr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cannedServer answers every request with status and body.
func cannedServer(t *testing.T, status int, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("x-amz-request-id", "REQ123")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			fmt.Fprint(w, body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func s3Err(t *testing.T, status int, code string) error {
	url := cannedServer(t, status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>m</Message><RequestId>REQ123</RequestId></Error>`)
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")})
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	require.Error(t, err)
	return err
}

func TestClassifyThroughSDKDeserializers(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   error
	}{
		{403, "AccessDenied", ErrAccessDenied},
		{403, "AllAccessDisabled", ErrAccessDenied},
		{403, "SignatureDoesNotMatch", ErrSignature},
		{403, "InvalidAccessKeyId", ErrSignature},
		{400, "ExpiredToken", ErrSignature},
		{403, "RequestTimeTooSkewed", ErrSignature},
		{400, "InvalidToken", ErrSignature},
		{404, "NoSuchKey", ErrNotFound},
		{404, "NoSuchBucket", ErrBucketNotFound},
		{503, "SlowDown", ErrThrottled},
		{400, "InvalidArgument", nil},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			err := s3Err(t, tc.status, tc.code)
			got := Classify(err)
			if tc.want == nil {
				assert.Equal(t, err, got, "no category: unchanged")
				assert.Nil(t, Category(err))
				return
			}
			require.ErrorIs(t, got, tc.want)
			var ae smithy.APIError
			require.True(t, errors.As(got, &ae), "the smithy cause stays reachable")
			assert.Equal(t, tc.code, ae.ErrorCode())
			assert.Equal(t, tc.code, Code(got))
			assert.Equal(t, "REQ123", RequestID(got))
			assert.Equal(t, got, Classify(got), "classifying twice changes nothing")
		})
	}
	require.ErrorIs(t, ErrBucketNotFound, ErrNotFound)
}

func TestClassifyByStatusWhenCodeIsUnknown(t *testing.T) {
	// moto's IAM/STS answer 403 with a body the SDK cannot map: UnknownError.
	url := cannedServer(t, http.StatusForbidden, `<html>denied</html>`)
	c := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")})
	_, err := c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/r"), RoleSessionName: aws.String("s")})
	require.Error(t, err)
	require.ErrorIs(t, Classify(err), ErrAccessDenied)
}

func TestClassifyPassesContextAndNil(t *testing.T) {
	assert.Nil(t, Classify(nil))
	err := fmt.Errorf("get: %w", context.Canceled)
	assert.Equal(t, err, Classify(err))
	assert.Nil(t, Category(err))
	plain := errors.New("plain")
	assert.Equal(t, plain, Classify(plain))
	assert.Equal(t, "", Code(plain))
	assert.Equal(t, "", RequestID(plain))
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"throttled", &smithy.GenericAPIError{Code: "SlowDown"}, true},
		{"server fault", &smithy.GenericAPIError{Code: "InternalError", Fault: smithy.FaultServer}, true},
		{"denied", &smithy.GenericAPIError{Code: "AccessDenied"}, false},
		{"signature", &smithy.GenericAPIError{Code: "SignatureDoesNotMatch"}, false},
		{"missing", &smithy.GenericAPIError{Code: "NoSuchKey"}, false},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{"body cut while decoding", &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}, true},
		{"canceled", context.Canceled, false},
		{"deadline", context.DeadlineExceeded, false},
		{"malformed input", fmt.Errorf("x: %w", ErrMalformed), false},
		{"unknown", errors.New("something else"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Retryable(tc.err))
		})
	}
}
