package billingconn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

// Recognisable fake secrets: none may appear in any output.
const (
	vfKeyID  = "AKIAFAKEFAKEFAKE2345"
	vfSecret = "FAKESECRETfakesecretFAKESECRETfakesecret"
	vfExtID  = "EXTIDfakeEXTIDfake42"
	vfToken  = "FAKESESSIONTOKENfakesessiontoken"
	vfRoleSK = "ROLESECRETrolesecretROLESECRETrolesecret"
	vfRoleID = "ASIAFAKEROLEFAKE2345"
)

// stsAPI stubs STS at the HTTP layer in its awsquery XML shapes. A hostile
// or buggy server may echo secrets in its messages: failMessage does.
type stsAPI struct {
	mu          sync.Mutex
	calls       []string
	externalIDs []string
	failAction  string
	failCode    string
	failMessage string
	callerARN   string
}

func (s *stsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(raw))
	action := form.Get("Action")
	s.mu.Lock()
	s.calls = append(s.calls, action)
	s.externalIDs = append(s.externalIDs, form.Get("ExternalId"))
	fail := s.failAction == action
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if fail {
		w.Header().Set("X-Amzn-Requestid", "req-sts-err")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-sts-err</RequestId></ErrorResponse>`, s.failCode, s.failMessage)
		return
	}
	switch action {
	case "GetCallerIdentity":
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>req-gci</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, s.callerARN)
	case "AssumeRole":
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/billing/curconnect-verify</Arn><AssumedRoleId>AROAEXAMPLE:curconnect-verify</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>req-ar</RequestId></ResponseMetadata></AssumeRoleResponse>`, vfRoleID, vfRoleSK, vfToken, exp)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse><Error><Code>InvalidAction</Code><Message>unknown</Message></Error></ErrorResponse>`)
	}
}

// orgAPI stubs AWS Organizations in its JSON 1.1 shapes, with ListAccounts
// in two pages.
type orgAPI struct {
	denied     bool
	notInUse   bool
	management string
	mu         sync.Mutex
	tokens     []string
}

func (o *orgAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct{ NextToken string }
	raw, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(raw, &body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	target := r.Header.Get("X-Amz-Target")
	if o.denied && target == "AWSOrganizationsV20161128.ListAccounts" {
		w.Header().Set("X-Amzn-Requestid", "req-org")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"AccessDeniedException","Message":"You don't have permissions to access this resource."}`)
		return
	}
	if o.notInUse {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"AWSOrganizationsNotInUseException","Message":"Your account is not a member of an organization."}`)
		return
	}
	switch target {
	case "AWSOrganizationsV20161128.DescribeOrganization":
		fmt.Fprintf(w, `{"Organization":{"Id":"o-exampleorg","Arn":"arn:aws:organizations::%[1]s:organization/o-exampleorg","FeatureSet":"ALL","MasterAccountId":"%[1]s","MasterAccountEmail":"root@acme.example"}}`, o.management)
	case "AWSOrganizationsV20161128.ListAccounts":
		o.mu.Lock()
		o.tokens = append(o.tokens, body.NextToken)
		o.mu.Unlock()
		if body.NextToken == "" {
			fmt.Fprint(w, `{"Accounts":[{"Id":"111122223333","Arn":"arn:aws:organizations::111122223333:account/o-exampleorg/111122223333","Email":"root@acme.example","Name":"acme-payer","Status":"ACTIVE","State":"ACTIVE","JoinedMethod":"CREATED","JoinedTimestamp":1.5778368E9}],"NextToken":"accounts-2"}`)
		} else {
			fmt.Fprint(w, `{"Accounts":[{"Id":"444455556666","Arn":"arn:aws:organizations::111122223333:account/o-exampleorg/444455556666","Email":"prod@acme.example","Name":"acme-prod","Status":"SUSPENDED","JoinedMethod":"INVITED","JoinedTimestamp":1.6094592E9}]}`)
		}
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"UnknownOperationException","message":"%s"}`, target)
	}
}

// stubWorld is every service stubbed: STS and Organizations, Cost Explorer,
// CUR and Data Exports at the HTTP layer, S3 as gofakes3.
type stubWorld struct {
	sts     *stsAPI
	org     *orgAPI
	ce      *costExplorerAPI
	billing *billingAPI
	s3      *testutil.S3
	cfg     aws.Config
	urls    map[string]string
}

func newStubWorld(t *testing.T) *stubWorld {
	t.Helper()
	w := &stubWorld{
		sts: &stsAPI{callerARN: "arn:aws:iam::999988887777:user/platform"}, org: &orgAPI{management: "111122223333"},
		ce: &costExplorerAPI{}, billing: &billingAPI{}, urls: map[string]string{},
	}
	for name, h := range map[string]http.Handler{"sts": w.sts, "org": w.org, "ce": w.ce, "billing": w.billing} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		w.urls[name] = srv.URL
	}
	w.s3 = testutil.NewS3(t, "acme-billing")
	manifest, err := os.ReadFile("testdata/verify/acme-cur-Manifest.json")
	require.NoError(t, err)
	w.s3.Put(t, "acme-billing", manifestKey, manifest)
	w.s3.Put(t, "acme-billing", "cur/acme-cur/20240301-20240401/a1b2c3d4-0000-4000-8000-000000000001/acme-cur-Manifest.json", manifest)
	w.s3.Put(t, "acme-billing", "cur/acme-cur/20240301-20240401/a1b2c3d4-0000-4000-8000-000000000001/acme-cur-00001.csv.gz", []byte("x"))
	w.cfg = aws.Config{
		Region:                     "eu-west-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIAPLATFORMEXAMPLE1", "platform-secret-platform-secret-platfor", ""),
		Retryer:                    func() aws.Retryer { return aws.NopRetryer{} },
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	return w
}

func (w *stubWorld) clients() Clients {
	return NewClients(w.cfg, func(o *ClientOptions) {
		o.STS = append(o.STS, func(so *sts.Options) { so.BaseEndpoint = aws.String(w.urls["sts"]) })
		o.S3 = append(o.S3, func(so *s3.Options) { so.BaseEndpoint = aws.String(w.s3.URL); so.UsePathStyle = true })
		o.Organizations = append(o.Organizations, func(so *organizations.Options) { so.BaseEndpoint = aws.String(w.urls["org"]) })
		o.CostExplorer = append(o.CostExplorer, func(so *costexplorer.Options) { so.BaseEndpoint = aws.String(w.urls["ce"]) })
		o.CUR = append(o.CUR, func(so *cur.Options) { so.BaseEndpoint = aws.String(w.urls["billing"]) })
		o.DataExports = append(o.DataExports, func(so *dx.Options) { so.BaseEndpoint = aws.String(w.urls["billing"]) })
	})
}

func stubRoleConn() Connection {
	return Connection{PayerAccountID: "111122223333", Bucket: "acme-billing", Prefix: "cur", ReportName: "acme-cur",
		Credentials: Credentials{RoleARN: "arn:aws:iam::111122223333:role/billing", ExternalID: vfExtID}}
}

func stubKeyConn() Connection {
	return Connection{PayerAccountID: "111122223333", Bucket: "acme-billing", Prefix: "cur", ReportName: "acme-cur",
		Credentials: Credentials{AccessKeyID: vfKeyID, SecretAccessKey: vfSecret}}
}

var allSecrets = []string{vfKeyID, vfSecret, vfExtID, vfToken, vfRoleSK, vfRoleID}

func TestVerifyStubs(t *testing.T) {
	t.Run("role: every step, organizations paged, secrets never shown", func(t *testing.T) {
		w := newStubWorld(t)
		var logs bytes.Buffer
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients(), func(o *VerifyOptions) {
			o.Profiles = []*Profile{Optima()}
			o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		require.NoError(t, err)
		for _, c := range rep.Checks {
			assert.Equal(t, StatusPass, c.Status, "%s: %s", c.ID, c.Message)
		}
		assert.True(t, rep.OK())
		assert.Equal(t, []string{"GetCallerIdentity", "AssumeRole"}, w.sts.calls)
		assert.Equal(t, vfExtID, w.sts.externalIDs[1], "AssumeRole carries the external ID")
		assert.Equal(t, []string{"", "accounts-2"}, w.org.tokens)
		accts := rep.Organization.Accounts
		assert.Equal(t, []string{"111122223333", "444455556666"}, accts.IDs())
		assert.Equal(t, Account{ID: "444455556666", ARN: "arn:aws:organizations::111122223333:account/o-exampleorg/444455556666",
			Name: "acme-prod", Email: "prod@acme.example", Status: "SUSPENDED", JoinedMethod: "INVITED",
			Joined: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}, accts["444455556666"], "State absent: Status is used")
		assert.Equal(t, vfRoleID, w.ce.keyIDs[0], "Cost Explorer is called as the role")
		noSecrets(t, rep, logs.String(), allSecrets...)
	})

	t.Run("access key refused; the server's echo of secrets is scrubbed", func(t *testing.T) {
		w := newStubWorld(t)
		w.sts.failAction, w.sts.failCode = "GetCallerIdentity", "InvalidClientTokenId"
		w.sts.failMessage = "The security token included in the request is invalid: " + vfKeyID + " " + vfSecret
		var logs bytes.Buffer
		rep, err := Verify(t.Context(), stubKeyConn(), w.clients(), func(o *VerifyOptions) {
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckCredentials)
		assert.Equal(t, StatusFail, c.Status)
		assert.Equal(t, CheckCodeSignatureMismatch, c.Code, "the AWS code is in the message and the error")
		assert.Contains(t, c.Message, "InvalidClientTokenId")
		assert.Equal(t, "req-sts-err", c.RequestID)
		assert.False(t, c.Retryable)
		assert.Contains(t, c.Remediation, "access key is active")
		assert.Nil(t, c.MissingStatement)
		require.ErrorIs(t, c.Err, curerr.ErrSignature)
		assert.NotErrorIs(t, c.Err, curerr.ErrAccessDenied, "AWS could not authenticate the key: no permission was evaluated")
		_, hasAssume := rep.Check(CheckAssumeRole)
		assert.False(t, hasAssume, "no role to assume")
		for _, c := range rep.Checks[1:] {
			assert.Equal(t, StatusSkipped, c.Status, c.ID)
		}
		noSecrets(t, rep, logs.String(), allSecrets...)
	})

	t.Run("access key: Cost Explorer denied, not in an organization, definition findings", func(t *testing.T) {
		w := newStubWorld(t)
		w.sts.callerARN = "arn:aws:iam::111122223333:user/legacy-billing"
		w.org.notInUse = true
		w.ce.failCode = "AccessDeniedException"
		rep, err := Verify(t.Context(), stubKeyConn(), w.clients(), func(o *VerifyOptions) { o.Profiles = []*Profile{Eco()} })
		require.NoError(t, err)
		st := statuses(rep)
		assert.Equal(t, StatusPass, st[CheckManifest])
		org := mustCheck(t, rep, CheckOrganizations)
		assert.Equal(t, StatusPass, org.Status)
		assert.Contains(t, org.Message, "not in an organization")
		assert.Nil(t, rep.Organization)

		ce := mustCheck(t, rep, CheckCostExplorer)
		require.Equal(t, StatusFail, ce.Status)
		assert.Equal(t, "AccessDeniedException", ce.Code)
		assert.Equal(t, "req-ce", ce.RequestID)
		require.NotNil(t, ce.MissingStatement)
		assert.Equal(t, iampolicy.SidCostExplorer, ce.MissingStatement.Sid)
		assert.Contains(t, ce.Remediation, "Cost Explorer must also be enabled")
		assert.Equal(t, vfKeyID, w.ce.keyIDs[0], "called with the access key")

		def := mustCheck(t, rep, CheckReportDefinition)
		require.Equal(t, StatusFail, def.Status)
		require.True(t, def.Findings.HasErrors())
		assert.Equal(t, string(def.Findings[0].Code), def.Code, "the first error finding's code")
		assert.Contains(t, def.Message, `"acme-cur" does not meet eco`)
		assert.Contains(t, def.Remediation, "change them in the Billing and Cost Management console")
		assert.Contains(t, def.Hint, "Apply Finding.Fix")
		require.ErrorIs(t, def.Err, curerr.ErrMalformed)
		assert.ElementsMatch(t, []CheckResult{ce, def}, rep.Failed())
	})

	t.Run("definition given, not discovered", func(t *testing.T) {
		w := newStubWorld(t)
		defs, err := ParseDefinitions([]byte(`{"ReportName":"acme-cur","TimeUnit":"DAILY","Format":"textORcsv","Compression":"GZIP","AdditionalSchemaElements":["RESOURCES"],"S3Bucket":"acme-billing","S3Prefix":"cur","S3Region":"eu-west-1","RefreshClosedReports":true,"ReportVersioning":"CREATE_NEW_REPORT"}`))
		require.NoError(t, err)
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients(), func(o *VerifyOptions) {
			o.Profiles = []*Profile{Optima()}
			o.Definition = &defs[0]
		})
		require.NoError(t, err)
		def := mustCheck(t, rep, CheckReportDefinition)
		assert.Equal(t, string(CodeTimeUnitNotHourly), def.Code)
		assert.Empty(t, w.billing.calls, "no discovery call")
	})

	t.Run("a fix that needs a bucket in another region says so", func(t *testing.T) {
		w := newStubWorld(t)
		defs, err := ParseDefinitions([]byte(`{"ReportName":"acme-cur","TimeUnit":"HOURLY","Format":"Parquet","Compression":"Parquet","AdditionalSchemaElements":["RESOURCES"],"AdditionalArtifacts":["ATHENA"],"S3Bucket":"acme-billing","S3Prefix":"cur","S3Region":"eu-west-1","RefreshClosedReports":true,"ReportVersioning":"OVERWRITE_REPORT"}`))
		require.NoError(t, err)
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients(), func(o *VerifyOptions) {
			o.Profiles = []*Profile{Eco()}
			o.Definition = &defs[0]
		})
		require.NoError(t, err)
		def := mustCheck(t, rep, CheckReportDefinition)
		require.Equal(t, StatusFail, def.Status)
		assert.Equal(t, string(CodeRegionMismatch), def.Code)
		assert.Contains(t, def.Remediation, "The corrected settings need a bucket in us-east-1")
		assert.Contains(t, def.Hint, "set ReportDefinition.S3Bucket (Fix.NeedsInput)")
		require.NotEmpty(t, def.Findings)
		assert.False(t, def.Findings[0].Fix.Ready())
	})

	t.Run("discovery denied names the statement", func(t *testing.T) {
		w := newStubWorld(t)
		w.billing.failOp, w.billing.failCode = "DescribeReportDefinitions", "AccessDeniedException"
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients(), func(o *VerifyOptions) { o.Profiles = []*Profile{Optima()} })
		require.NoError(t, err)
		def := mustCheck(t, rep, CheckReportDefinition)
		require.Equal(t, StatusFail, def.Status)
		assert.Equal(t, "AccessDeniedException", def.Code)
		require.NotNil(t, def.MissingStatement)
		assert.Equal(t, iampolicy.SidReportDefinitions, def.MissingStatement.Sid)
	})

	t.Run("no such bucket", func(t *testing.T) {
		w := newStubWorld(t)
		conn := stubRoleConn()
		conn.Bucket = "acme-missing"
		rep, err := Verify(t.Context(), conn, w.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckBucketRegion)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, "NoSuchBucket", c.Code)
		require.ErrorIs(t, c.Err, curerr.ErrBucketNotFound)
		require.ErrorIs(t, c.Err, curerr.ErrNotFound)
		assert.Equal(t, StatusSkipped, mustCheck(t, rep, CheckListPrefix).Status)
		assert.Equal(t, StatusSkipped, mustCheck(t, rep, CheckManifest).Status)
	})

	t.Run("GetBucketLocation denied, the region from HeadBucket: later steps still run", func(t *testing.T) {
		w := newStubWorld(t)
		var mu sync.Mutex
		var scopes []string
		w.s3.Wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				mu.Lock()
				if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
					scopes = append(scopes, r.Method+" "+m[1])
				}
				mu.Unlock()
				if _, ok := r.URL.Query()["location"]; ok {
					rw.Header().Set("X-Amz-Request-Id", "req-loc")
					rw.WriteHeader(http.StatusForbidden)
					fmt.Fprint(rw, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>req-loc</RequestId></Error>`)
					return
				}
				if r.Method == http.MethodHead && strings.Trim(r.URL.Path, "/") == "acme-billing" {
					rw.Header().Set("X-Amz-Bucket-Region", "eu-central-1")
				}
				next.ServeHTTP(rw, r)
			})
		})
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckBucketRegion)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, "AccessDenied", c.Code)
		assert.Equal(t, "req-loc", c.RequestID)
		assert.Equal(t, iampolicy.SidListBucket, c.MissingStatement.Sid)
		assert.Contains(t, c.Message, "HeadBucket says the bucket is in eu-central-1")
		assert.Equal(t, "eu-central-1", rep.BucketRegion)
		assert.Equal(t, StatusPass, mustCheck(t, rep, CheckListPrefix).Status)
		assert.Equal(t, StatusPass, mustCheck(t, rep, CheckManifest).Status)
		mu.Lock()
		assert.Contains(t, scopes, "GET eu-central-1", "later S3 calls go to the bucket's region")
		mu.Unlock()
	})

	t.Run("Cost Explorer without data passes", func(t *testing.T) {
		w := newStubWorld(t)
		w.ce.failCode = "DataUnavailableException"
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckCostExplorer)
		assert.Equal(t, StatusPass, c.Status)
		assert.Contains(t, c.Message, "no reservation data")
	})

	t.Run("ListAccounts denied", func(t *testing.T) {
		w := newStubWorld(t)
		w.org.denied = true
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckOrganizations)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, "AccessDeniedException", c.Code)
		assert.Equal(t, "req-org", c.RequestID)
		assert.Equal(t, "organizations:ListAccounts", c.Action)
		require.NotNil(t, c.MissingStatement)
		assert.Equal(t, iampolicy.SidOrganizations, c.MissingStatement.Sid)
		assert.Contains(t, c.Remediation, "management (payer) account")
		var oe *OpError
		require.ErrorAs(t, c.Err, &oe)
		assert.Equal(t, "ListAccounts", oe.Op)

		_, err = ListAccounts(t.Context(), w.clients().NewOrganizations(w.cfg.Credentials))
		require.ErrorIs(t, err, curerr.ErrAccessDenied)
		require.ErrorAs(t, err, &oe)
	})

	t.Run("payer mismatch", func(t *testing.T) {
		w := newStubWorld(t)
		w.org.management = "777788889999"
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckOrganizations)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, CheckCodePayerMismatch, c.Code)
		assert.Contains(t, c.Remediation, "777788889999")
	})

	t.Run("factories left nil leave their steps out", func(t *testing.T) {
		w := newStubWorld(t)
		cl := w.clients()
		cl.NewOrganizations, cl.NewCostExplorer = nil, nil
		rep, err := Verify(t.Context(), stubRoleConn(), cl)
		require.NoError(t, err)
		assert.Equal(t, []CheckID{CheckCredentials, CheckAssumeRole, CheckBucketRegion, CheckListPrefix, CheckManifest}, ids(rep))
	})

	t.Run("no platform credentials", func(t *testing.T) {
		w := newStubWorld(t)
		cl := w.clients()
		cl.Credentials = nil
		rep, err := Verify(t.Context(), stubRoleConn(), cl)
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckCredentials)
		assert.Equal(t, CheckCodeNoCredentials, c.Code)
		assert.Equal(t, StatusSkipped, mustCheck(t, rep, CheckAssumeRole).Status)
	})
}

func TestVerifyCouldNotRun(t *testing.T) {
	w := newStubWorld(t)
	for _, tc := range []struct {
		name    string
		conn    Connection
		clients func() Clients
		opts    func(*VerifyOptions)
	}{
		{"invalid connection", Connection{Bucket: "acme-billing"}, w.clients, nil},
		{"no S3 factory", stubRoleConn(), func() Clients { c := w.clients(); c.NewS3 = nil; return c }, nil},
		{"invalid profile", stubRoleConn(), w.clients, func(o *VerifyOptions) { o.Profiles = []*Profile{{}} }},
		{"negative wait", stubRoleConn(), w.clients, func(o *VerifyOptions) { o.PropagationWait = -time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []func(*VerifyOptions)
			if tc.opts != nil {
				opts = append(opts, tc.opts)
			}
			rep, err := Verify(t.Context(), tc.conn, tc.clients(), opts...)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			assert.Nil(t, rep)
		})
	}
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Verify(ctx, stubRoleConn(), w.clients())
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("canceled while retrying", func(t *testing.T) {
		w.sts.failAction, w.sts.failCode = "AssumeRole", "AccessDenied"
		defer func() { w.sts.failAction = "" }()
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		rep, err := Verify(ctx, stubRoleConn(), w.clients(), func(o *VerifyOptions) { o.PropagationWait = time.Minute })
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotNil(t, rep, "the checks run so far")
		assert.Equal(t, []CheckID{CheckCredentials}, ids(rep))
	})
}

func TestCheckErrorText(t *testing.T) {
	e := &CheckError{Check: CheckManifest, Resource: "s3://b/k", Err: ErrNoDeliveryYet}
	assert.Equal(t, "billingconn: check manifest s3://b/k: no delivery yet", e.Error())
	assert.ErrorIs(t, e, curerr.ErrNotFound)
	assert.False(t, strings.HasSuffix(e.Error(), "."))
}

// TestVerifyOnCheck: OnCheck sees every result as its step ends, in order,
// before the next step starts (so a page can show each one as it runs),
// skipped steps included, and the results are the ones Verify returns.
func TestVerifyOnCheck(t *testing.T) {
	for _, fail := range []bool{false, true} {
		w := newStubWorld(t)
		if fail {
			w.sts.failAction, w.sts.failCode = "AssumeRole", "AccessDenied"
		}
		var seen []CheckResult
		var stsCallsAtCheck []int
		opts := func(o *VerifyOptions) {
			o.Profiles = []*Profile{Optima()}
			o.OnCheck = func(r CheckResult) {
				seen = append(seen, r)
				stsCallsAtCheck = append(stsCallsAtCheck, len(w.sts.calls))
			}
		}
		rep, err := Verify(t.Context(), stubRoleConn(), w.clients(), opts)
		require.NoError(t, err)
		require.Equal(t, rep.Checks, seen, "fail=%v", fail)
		// PlannedChecks listed them, in order, before any ran (skipped
		// ones included).
		var ran []CheckID
		for _, r := range rep.Checks {
			ran = append(ran, r.ID)
		}
		assert.Equal(t, ran, PlannedChecks(stubRoleConn(), w.clients(), opts))
		assert.Len(t, ran, 8, "every step of a role connection with every client")
		assert.Equal(t, []CheckID{CheckCredentials, CheckAssumeRole, CheckBucketRegion, CheckListPrefix, CheckManifest, CheckOrganizations, CheckCostExplorer},
			PlannedChecks(stubRoleConn(), w.clients()), "no profile: no report-definition step")
		// The credentials step's result arrives before AssumeRole is called.
		assert.Equal(t, 1, stsCallsAtCheck[0])
		assert.Equal(t, 2, stsCallsAtCheck[1])
		if fail {
			assert.Equal(t, StatusFail, seen[1].Status)
			assert.Equal(t, StatusSkipped, seen[2].Status)
		}
	}
}
