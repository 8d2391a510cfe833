package billingconn

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// closedEndpoint is an http:// URL on which nothing listens any more.
func closedEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// canned is the error of one real S3 ListObjectsV2 call answered with an
// S3 error document carrying code, through the SDK's own deserializers.
func canned(t *testing.T, code string) error {
	t.Helper()
	c := s3.New(s3.Options{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>m</Message><RequestId>req-canned</RequestId></Error>`
			return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Content-Type": {"application/xml"}, "X-Amz-Request-Id": {"req-canned"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})})
	_, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("b")})
	require.Error(t, err)
	return err
}

// s3Error answers S3 requests that match with an S3 error document.
func s3Error(match func(*http.Request) bool, status int, code string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			w.Header().Set("X-Amz-Request-Id", "req-s3-err")
			w.WriteHeader(status)
			if r.Method != http.MethodHead {
				fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>The request signature we calculated does not match the signature you provided.</Message><RequestId>req-s3-err</RequestId></Error>`, code)
			}
		})
	}
}

func isListing(r *http.Request) bool { return r.URL.Query().Get("list-type") == "2" }

// assertNotBlamedOnPolicy checks that a failed check names no policy
// statement and no denied action, in any field.
func assertNotBlamedOnPolicy(t *testing.T, c CheckResult) {
	t.Helper()
	assert.Nil(t, c.MissingStatement)
	assert.Empty(t, c.Action)
	assert.Empty(t, c.Resource)
	for _, s := range []string{c.Message, c.Remediation, c.Hint} {
		for _, blame := range []string{"policies do not allow", "statement", "was denied", "AccessDenied"} {
			assert.NotContains(t, s, blame)
		}
	}
	require.Error(t, c.Err)
	assert.NotErrorIs(t, c.Err, curerr.ErrAccessDenied)
	assert.Empty(t, codeInCustomerText(c.Remediation))
}

func TestVerifyEndpointUnreachable(t *testing.T) {
	t.Run("every endpoint refuses: the first step that reaches AWS says so", func(t *testing.T) {
		for name, conn := range map[string]Connection{"role": stubRoleConn(), "access key": stubKeyConn()} {
			t.Run(name, func(t *testing.T) {
				w := newStubWorld(t)
				cfg := w.cfg.Copy()
				closed := closedEndpoint(t)
				cfg.BaseEndpoint = aws.String(closed)
				cl := NewClients(cfg, func(o *ClientOptions) {
					o.S3 = append(o.S3, func(so *s3.Options) { so.UsePathStyle = true })
				})
				rep, err := Verify(t.Context(), conn, cl, func(o *VerifyOptions) { o.PropagationWait = time.Minute })
				require.NoError(t, err, "a network failure is a failed check, not an error of Verify")
				c := mustCheck(t, rep, CheckCredentials)
				require.Equal(t, StatusFail, c.Status)
				assert.Equal(t, CheckCodeEndpointUnreachable, c.Code)
				assert.True(t, c.Retryable)
				assert.Equal(t, 1, c.Attempts, "PropagationWait waits for IAM, not for the network")
				host := strings.TrimPrefix(closed, "http://")
				assert.Equal(t, "could not reach AWS STS at "+host+": the connection was refused", c.Message)
				assert.Equal(t, "The platform could not reach AWS STS over the network. This is not caused by your AWS account, role or policies: "+
					"verify again in a few minutes, and contact the platform's support if it keeps failing.", c.Remediation)
				assert.NotContains(t, c.Remediation, "renew", "the credentials were never refused")
				assert.Contains(t, c.Hint, "STS GetCallerIdentity at "+host)
				assert.Contains(t, c.Hint, "connection refused")
				assert.Contains(t, c.Hint, "BaseEndpoint")
				assertNotBlamedOnPolicy(t, c)
				require.ErrorIs(t, c.Err, curerr.ErrUnreachable)
				var op *net.OpError
				require.ErrorAs(t, c.Err, &op, "the dial error stays reachable")
				var oe *smithy.OperationError
				require.ErrorAs(t, c.Err, &oe)
				for _, later := range rep.Checks[1:] {
					assert.Equal(t, StatusSkipped, later.Status, later.ID)
				}
				assert.True(t, rep.Retryable(), "the only failure may clear by itself")
				require.ErrorIs(t, rep.Err(), curerr.ErrUnreachable)
			})
		}
	})

	t.Run("S3 unreachable after STS: the bucket step says so and blocks the S3 steps", func(t *testing.T) {
		w := newStubWorld(t)
		cl := w.clients()
		closed := closedEndpoint(t)
		base := cl.NewS3
		cl.NewS3 = func(p aws.CredentialsProvider) S3API {
			c := base(p).(*s3.Client)
			return s3.New(c.Options(), func(o *s3.Options) { o.BaseEndpoint = aws.String(closed) })
		}
		rep, err := Verify(t.Context(), stubRoleConn(), cl)
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckBucketRegion)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, CheckCodeEndpointUnreachable, c.Code)
		assert.Contains(t, c.Message, "could not reach Amazon S3")
		assertNotBlamedOnPolicy(t, c)
		assert.Equal(t, StatusSkipped, mustCheck(t, rep, CheckListPrefix).Status)
		assert.Equal(t, StatusSkipped, mustCheck(t, rep, CheckManifest).Status)
		assert.Equal(t, StatusPass, mustCheck(t, rep, CheckOrganizations).Status, "another endpoint")
	})

	t.Run("Organizations refused, Cost Explorer's host unknown, S3 behind an untrusted certificate", func(t *testing.T) {
		w := newStubWorld(t)
		tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
		tlsSrv.Config.ErrorLog = discardLog()
		tlsSrv.StartTLS()
		t.Cleanup(tlsSrv.Close)
		closed := closedEndpoint(t)
		cl := NewClients(w.cfg, func(o *ClientOptions) {
			o.STS = append(o.STS, func(so *sts.Options) { so.BaseEndpoint = aws.String(w.urls["sts"]) })
			o.S3 = append(o.S3, func(so *s3.Options) { so.BaseEndpoint = aws.String(tlsSrv.URL); so.UsePathStyle = true })
			o.Organizations = append(o.Organizations, func(so *organizations.Options) { so.BaseEndpoint = aws.String(closed) })
			o.CostExplorer = append(o.CostExplorer, func(so *costexplorer.Options) { so.BaseEndpoint = aws.String("http://nonexistent.invalid") })
		})
		rep, err := Verify(t.Context(), stubRoleConn(), cl)
		require.NoError(t, err)

		b := mustCheck(t, rep, CheckBucketRegion)
		assert.Equal(t, CheckCodeEndpointUnreachable, b.Code)
		assert.Contains(t, b.Message, "its certificate is not trusted")
		assertNotBlamedOnPolicy(t, b)

		org := mustCheck(t, rep, CheckOrganizations)
		require.Equal(t, StatusFail, org.Status)
		assert.Equal(t, CheckCodeEndpointUnreachable, org.Code)
		assert.Contains(t, org.Message, "could not reach AWS Organizations at "+strings.TrimPrefix(closed, "http://"))
		assertNotBlamedOnPolicy(t, org)

		ce := mustCheck(t, rep, CheckCostExplorer)
		require.Equal(t, StatusFail, ce.Status)
		assert.Equal(t, CheckCodeEndpointUnreachable, ce.Code)
		assert.Equal(t, "could not reach AWS Cost Explorer at nonexistent.invalid: its host name does not resolve", ce.Message)
		assertNotBlamedOnPolicy(t, ce)
		assert.True(t, rep.Retryable())
	})
}

func TestVerifySignatureMismatch(t *testing.T) {
	t.Run("STS: the platform's own secret is wrong", func(t *testing.T) {
		w := newStubWorld(t)
		w.sts.failAction, w.sts.failCode, w.sts.failMessage = "GetCallerIdentity", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients(), func(o *VerifyOptions) { o.PropagationWait = time.Minute })
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckCredentials)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, CheckCodeSignatureMismatch, c.Code)
		assert.False(t, c.Retryable)
		assert.Equal(t, 1, c.Attempts, "not retried as if IAM were propagating")
		assert.Equal(t, "req-sts-err", c.RequestID)
		assert.Contains(t, c.Message, "could not authenticate the platform's own credentials (SignatureDoesNotMatch:")
		assert.Contains(t, c.Remediation, "contact the platform's support")
		assert.Contains(t, c.Hint, "Clients.Credentials")
		assertNotBlamedOnPolicy(t, c)
		require.ErrorIs(t, c.Err, curerr.ErrSignature)
		var ae smithy.APIError
		require.ErrorAs(t, c.Err, &ae)
		assert.Equal(t, "SignatureDoesNotMatch", ae.ErrorCode())
		assert.Equal(t, StatusSkipped, mustCheck(t, rep, CheckAssumeRole).Status)
		assert.False(t, rep.Retryable())
	})

	t.Run("STS refuses with a bare 403: GetCallerIdentity needs no permission, so it is the credentials", func(t *testing.T) {
		w := newStubWorld(t)
		cl := w.clients()
		cl.NewSTS = func(p aws.CredentialsProvider) STSAPI {
			return sts.New(sts.Options{Region: "us-east-1", Credentials: p, RetryMaxAttempts: 1,
				HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
					// A body the SDK cannot read: UnknownError, status 403.
					return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Content-Type": {"text/html"}},
						Body: io.NopCloser(strings.NewReader("<html>Forbidden</html>")), Request: r}, nil
				})})
		}
		rep, err := Verify(t.Context(), stubKeyConn(), cl)
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckCredentials)
		assert.Equal(t, CheckCodeSignatureMismatch, c.Code)
		assert.Contains(t, c.Remediation, "access key is active", "the customer's own key")
		assertNotBlamedOnPolicy(t, c)
		require.ErrorIs(t, c.Err, curerr.ErrSignature)
		var re *smithyhttp.ResponseError
		require.ErrorAs(t, c.Err, &re)
		assert.Equal(t, http.StatusForbidden, re.HTTPStatusCode())
	})

	t.Run("S3 listing: SignatureDoesNotMatch is not a denied ListBucket", func(t *testing.T) {
		w := newStubWorld(t)
		w.s3.Wrap(s3Error(isListing, http.StatusForbidden, "SignatureDoesNotMatch"))
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients(), func(o *VerifyOptions) { o.PropagationWait = time.Minute })
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckListPrefix)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, CheckCodeSignatureMismatch, c.Code)
		assert.Equal(t, 1, c.Attempts)
		assert.Contains(t, c.Message, "could not authenticate the role's session credentials")
		assert.Contains(t, c.Hint, "S3 ListObjectsV2")
		assertNotBlamedOnPolicy(t, c)
		assert.Equal(t, StatusSkipped, mustCheck(t, rep, CheckManifest).Status)
	})

	t.Run("S3: a skewed clock", func(t *testing.T) {
		w := newStubWorld(t)
		w.s3.Wrap(s3Error(isListing, http.StatusForbidden, "RequestTimeTooSkewed"))
		rep, err := Verify(t.Context(), stubKeyConn(), w.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckListPrefix)
		assert.Equal(t, CheckCodeSignatureMismatch, c.Code)
		assert.Contains(t, c.Message, "the clock of the platform's server is off")
		assert.Contains(t, c.Remediation, "contact the platform's support")
		assert.NotContains(t, c.Remediation, "access key", "the key is not at fault")
		assert.Contains(t, c.Hint, "NTP")
		assertNotBlamedOnPolicy(t, c)
	})

	t.Run("Cost Explorer: an unknown client", func(t *testing.T) {
		w := newStubWorld(t)
		w.ce.failCode = "UnrecognizedClientException"
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckCostExplorer)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, CheckCodeSignatureMismatch, c.Code)
		assertNotBlamedOnPolicy(t, c)
	})
}

// Discover and ListAccounts carry the same categories in their *OpError.
func TestDiscoverUnreachable(t *testing.T) {
	w := newStubWorld(t)
	cfg := w.cfg.Copy()
	cfg.BaseEndpoint = aws.String(closedEndpoint(t))
	cl := NewClients(cfg)
	_, err := Discover(t.Context(), cl.NewCUR(cfg.Credentials), nil, stubRoleConn())
	require.ErrorIs(t, err, curerr.ErrUnreachable)
	assert.NotErrorIs(t, err, curerr.ErrAccessDenied)
	var oe *OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "DescribeReportDefinitions", oe.Op)
	var op *net.OpError
	require.ErrorAs(t, err, &op)

	_, err = ListAccounts(t.Context(), cl.NewOrganizations(cfg.Credentials))
	require.ErrorIs(t, err, curerr.ErrUnreachable)
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "ListAccounts", oe.Op)
}
