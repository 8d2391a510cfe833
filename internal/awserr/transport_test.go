package awserr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// getObject makes one real S3 GetObject call to endpoint, without retries.
func getObject(ctx context.Context, t *testing.T, endpoint string, httpClient aws.HTTPClient) error {
	t.Helper()
	o := s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
	if httpClient != nil {
		o.HTTPClient = httpClient
	}
	_, err := s3.New(o).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	require.Error(t, err)
	return err
}

// closedAddr is an address on which nothing listens any more.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// assertUnreachable checks what every transport failure shares: the
// category, the reason, and the SDK's error still in the chain.
func assertUnreachable(t *testing.T, err error, want Reason) error {
	t.Helper()
	got := Classify(err)
	require.ErrorIs(t, got, ErrUnreachable)
	assert.NotErrorIs(t, got, ErrAccessDenied)
	assert.NotErrorIs(t, got, ErrSignature)
	assert.Equal(t, want, UnreachableReason(got))
	var oe *smithy.OperationError
	require.ErrorAs(t, got, &oe, "the SDK's error stays in the chain")
	assert.Equal(t, "GetObject", oe.Operation())
	var se *smithyhttp.RequestSendError
	require.ErrorAs(t, got, &se)
	assert.Equal(t, "", Code(got))
	assert.Same(t, got, Classify(got).(*ClassifiedError), "classifying twice changes nothing")
	return got
}

func TestClassifyTransportFailures(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		addr := closedAddr(t)
		err := assertUnreachable(t, getObject(t.Context(), t, "http://"+addr, nil), ReasonRefused)
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		var op *net.OpError
		require.ErrorAs(t, err, &op)
		assert.Equal(t, "dial", op.Op)
		assert.Equal(t, addr, Host(err))
	})

	t.Run("DNS", func(t *testing.T) {
		err := assertUnreachable(t, getObject(t.Context(), t, "http://nonexistent.invalid", nil), ReasonDNS)
		var de *net.DNSError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, "nonexistent.invalid", Host(err))
	})

	t.Run("TLS: an untrusted certificate", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Error("no request gets through an untrusted handshake")
		}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
		t.Cleanup(srv.Close)
		err := assertUnreachable(t, getObject(t.Context(), t, srv.URL, nil), ReasonTLS)
		var ua x509.UnknownAuthorityError
		require.ErrorAs(t, err, &ua)
		var cv *tls.CertificateVerificationError
		require.ErrorAs(t, err, &cv)
		assert.Equal(t, strings.TrimPrefix(srv.URL, "https://"), Host(err))
	})

	t.Run("https to a plain HTTP server", func(t *testing.T) {
		// net/http reports this one with a bare errors.New: no TLS type
		// to go by, but still the SDK's RequestSendError.
		srv := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		assertUnreachable(t, getObject(t.Context(), t, strings.Replace(srv.URL, "http://", "https://", 1), nil), ReasonOther)
	})

	t.Run("TLS: a server that is not TLS at all", func(t *testing.T) {
		// Something that answers garbage to a ClientHello: the handshake
		// fails on the record header.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				_, _ = c.Write([]byte("SSH-2.0-not-tls\r\n"))
				c.Close()
			}
		}()
		err = assertUnreachable(t, getObject(t.Context(), t, "https://"+l.Addr().String(), nil), ReasonTLS)
		var rh tls.RecordHeaderError
		require.ErrorAs(t, err, &rh)
	})

	t.Run("timeout: the server never answers", func(t *testing.T) {
		addr := silentServer(t)
		hc := awshttp.NewBuildableClient().WithTimeout(200 * time.Millisecond)
		err := assertUnreachable(t, getObject(t.Context(), t, "http://"+addr, hc), ReasonTimeout)
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())
	})

	t.Run("the caller's deadline is the caller's, not unreachable", func(t *testing.T) {
		addr := silentServer(t)
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		err := getObject(ctx, t, "http://"+addr, nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Nil(t, Category(err))
		assert.Equal(t, err, Classify(err))
		assert.Equal(t, NotUnreachable, UnreachableReason(err))
	})

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := getObject(ctx, t, "http://"+closedAddr(t), nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, Category(err))
		assert.Equal(t, NotUnreachable, UnreachableReason(err))
	})

	t.Run("an answer is never unreachable", func(t *testing.T) {
		err := s3Err(t, http.StatusForbidden, "AccessDenied")
		assert.Equal(t, NotUnreachable, UnreachableReason(err))
		assert.Equal(t, "", Host(err))
		status := cannedServer(t, http.StatusInternalServerError, `<html>oops</html>`)
		err = getObject(t.Context(), t, status, nil)
		assert.Equal(t, NotUnreachable, UnreachableReason(err))
		assert.NotErrorIs(t, Classify(err), ErrUnreachable)
	})
}

// stsErr answers one STS call with an awsquery error document.
func stsErr(t *testing.T, status int, code string) error {
	c := sts.New(sts.Options{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			body := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>` + code +
				`</Code><Message>m</Message></Error><RequestId>REQ-STS</RequestId></ErrorResponse>`
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}, "X-Amzn-Requestid": {"REQ-STS"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})})
	_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.Error(t, err)
	return err
}

// orgErr answers one Organizations call (JSON 1.1) with an error document.
func orgErr(t *testing.T, status int, code string) error {
	c := organizations.New(organizations.Options{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"REQ-ORG"}},
				Body: io.NopCloser(strings.NewReader(fmt.Sprintf(`{"__type":%q,"message":"m"}`, code))), Request: r}, nil
		})})
	_, err := c.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	require.Error(t, err)
	return err
}

func TestClassifySignatureFailures(t *testing.T) {
	for _, tc := range []struct {
		protocol string
		call     func(*testing.T, int, string) error
		status   int
		code     string
		clock    bool
	}{
		{"s3", s3Err, 403, "SignatureDoesNotMatch", false},
		{"s3", s3Err, 403, "InvalidAccessKeyId", false},
		{"s3", s3Err, 400, "ExpiredToken", false},
		{"s3", s3Err, 400, "TokenRefreshRequired", false},
		{"s3", s3Err, 403, "RequestTimeTooSkewed", true},
		{"query", stsErr, 403, "SignatureDoesNotMatch", false},
		{"query", stsErr, 403, "InvalidClientTokenId", false},
		{"query", stsErr, 400, "ExpiredToken", false},
		{"query", stsErr, 400, "IncompleteSignature", false},
		{"query", stsErr, 403, "MissingAuthenticationToken", false},
		{"query", stsErr, 400, "RequestExpired", true},
		{"json", orgErr, 400, "UnrecognizedClientException", false},
		{"json", orgErr, 400, "InvalidSignatureException", false},
		{"json", orgErr, 400, "ExpiredTokenException", false},
	} {
		t.Run(tc.protocol+"/"+tc.code, func(t *testing.T) {
			err := tc.call(t, tc.status, tc.code)
			got := Classify(err)
			require.ErrorIs(t, got, ErrSignature)
			assert.NotErrorIs(t, got, ErrAccessDenied, "a signature failure is not a missing permission")
			assert.Equal(t, tc.code, Code(got))
			assert.NotEmpty(t, RequestID(got))
			assert.Equal(t, tc.clock, ClockSkew(got))
			assert.Equal(t, NotUnreachable, UnreachableReason(got))
		})
	}
	t.Run("a denial is not a signature failure", func(t *testing.T) {
		for _, err := range []error{s3Err(t, 403, "AccessDenied"), stsErr(t, 403, "AccessDenied"), orgErr(t, 400, "AccessDeniedException")} {
			got := Classify(err)
			require.ErrorIs(t, got, ErrAccessDenied)
			assert.NotErrorIs(t, got, ErrSignature)
			assert.False(t, ClockSkew(got))
		}
	})
}

func TestUnreachableReasonWithoutSDK(t *testing.T) {
	// Errors built by hand, as a custom HTTP client or transport might
	// return them: the types decide, not the text.
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route")}
	assert.Equal(t, ReasonOther, UnreachableReason(dial))
	assert.Equal(t, ReasonOther, UnreachableReason(&smithyhttp.RequestSendError{Err: errors.New("eof")}))
	assert.Equal(t, NotUnreachable, UnreachableReason(errors.New("dial tcp: connection refused")), "never the text")
	assert.Equal(t, NotUnreachable, UnreachableReason(nil))
	assert.Equal(t, NotUnreachable, UnreachableReason(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("reset")}),
		"a body cut after the answer began is not unreachable")
	assert.Nil(t, Category(errors.New("connection refused")))
}
