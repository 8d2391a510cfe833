package billingconn

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

// motoSigner signs S3 requests the way moto_server checks them while its
// auth is on. moto decodes the query string before it recomputes the
// signature, so a "/" in a query value (prefix=cur/, delimiter=/) must be
// sent, and signed, unescaped; otherwise every listing curreader makes
// fails with SignatureDoesNotMatch. Everything else is plain SigV4. Only
// the tests use it: real S3 takes the SDK's own signer.
type motoSigner struct{}

func sigEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), "%2F", "/")
}

func hmacSHA256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

func (motoSigner) SignHTTP(_ context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, _ ...func(*v4.SignerOptions)) error {
	amzDate := t.UTC().Format("20060102T150405Z")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, sigEscape(k)+"="+sigEscape(v))
		}
	}
	query := strings.Join(pairs, "&")
	r.URL.RawQuery = query
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	signed := []string{"host", "x-amz-content-sha256", "x-amz-date"}
	headers := map[string]string{"host": host, "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate}
	if c.SessionToken != "" {
		signed = append(signed, "x-amz-security-token")
		headers["x-amz-security-token"] = c.SessionToken
	}
	var canonHeaders strings.Builder
	for _, h := range signed {
		canonHeaders.WriteString(h + ":" + headers[h] + "\n")
	}
	canonical := strings.Join([]string{r.Method, r.URL.EscapedPath(), query, canonHeaders.String(), strings.Join(signed, ";"), payloadHash}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	scope := amzDate[:8] + "/" + region + "/" + service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+c.SecretAccessKey), amzDate[:8])
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "aws4_request")
	r.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		c.AccessKeyID, scope, strings.Join(signed, ";"), hex.EncodeToString(hmacSHA256(key, toSign))))
	return nil
}

// costExplorerAPI stubs Cost Explorer at the HTTP layer in its JSON 1.1
// shape, and records who called it.
type costExplorerAPI struct {
	mu       sync.Mutex
	keyIDs   []string // access key ID of each call
	tokens   []string // session token of each call
	bodies   []string
	failCode string
}

func (c *costExplorerAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	// Authorization: AWS4-HMAC-SHA256 Credential=<key ID>/<scope>, …
	keyID, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="), "/")
	c.mu.Lock()
	c.keyIDs = append(c.keyIDs, keyID)
	c.tokens = append(c.tokens, r.Header.Get("X-Amz-Security-Token"))
	c.bodies = append(c.bodies, string(raw))
	fail := c.failCode
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "req-ce")
	if r.Header.Get("X-Amz-Target") != "AWSInsightsIndexService.GetReservationUtilization" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"UnknownOperationException","message":"unknown"}`)
		return
	}
	if fail != "" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"%s","message":"User is not authorized to perform ce:GetReservationUtilization"}`, fail)
		return
	}
	total := `{"UtilizationPercentage":"87.5","PurchasedHours":"720","TotalActualHours":"630","UnusedHours":"90","NetRISavings":"12.5"}`
	fmt.Fprintf(w, `{"UtilizationsByTime":[{"TimePeriod":{"Start":"2024-03-01","End":"2024-04-01"},"Groups":[],"Total":%s}],"Total":%s}`, total, total)
}

// motoVerify is moto_server with auth on, holding a delivered legacy
// report, an organization, a platform user and one role per case, all
// created with iampolicy's builders.
type motoVerify struct {
	moto       *testutil.Moto
	roles      map[string]string // name → ARN
	policies   map[string]iampolicy.Policy
	externalID string
	userCreds  aws.CredentialsProvider
	userSecret string
	billing    *billingAPI
	ce         *costExplorerAPI
	billingURL string
	ceURL      string
	accounts   []string // member account IDs created
}

const (
	vBucket = "acme-billing"
	vReport = "acme-cur"
)

var manifestKey = "cur/acme-cur/20240301-20240401/acme-cur-Manifest.json"

func setupMotoVerify(t *testing.T) *motoVerify {
	t.Helper()
	m := testutil.StartMoto(t)
	ctx := t.Context()
	cfg := m.AWSConfig()
	iamc := iam.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	orgc := organizations.NewFromConfig(cfg)

	manifest, err := os.ReadFile("testdata/verify/acme-cur-Manifest.json")
	require.NoError(t, err)
	objects := map[string][]byte{
		"cur/aws-programmatic-access-test-object": []byte("test"),
		manifestKey: manifest,
		"cur/acme-cur/20240301-20240401/a1b2c3d4-0000-4000-8000-000000000001/acme-cur-Manifest.json": manifest,
		"cur/acme-cur/20240301-20240401/a1b2c3d4-0000-4000-8000-000000000001/acme-cur-00001.csv.gz":  []byte("not read by verification"),
		"fresh/aws-programmatic-access-test-object":                                                  []byte("test"),
	}
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(vBucket)})
	require.NoError(t, err)
	for k, b := range objects {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(vBucket), Key: aws.String(k), Body: bytes.NewReader(b)})
		require.NoError(t, err)
	}

	_, err = orgc.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	require.NoError(t, err)
	v := &motoVerify{moto: m, roles: map[string]string{}, policies: map[string]iampolicy.Policy{}}
	for i, name := range []string{"acme-prod", "acme-dev"} {
		out, err := orgc.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(fmt.Sprintf("aws+%d@acme.example", i))})
		require.NoError(t, err)
		v.accounts = append(v.accounts, aws.ToString(out.CreateAccountStatus.AccountId))
	}

	u, err := m.CreatePlatformUser(ctx)
	require.NoError(t, err)
	v.userSecret = u.SecretAccessKey
	v.userCreds = u.Credentials()

	v.externalID = iampolicy.NewExternalID()
	trust, err := iampolicy.CrossAccountTrust(u.ARN, v.externalID)
	require.NoError(t, err)
	trustJSON, err := trust.CompactJSON()
	require.NoError(t, err)

	read := func(prefix string) iampolicy.Policy {
		p, err := iampolicy.CURReadPolicy(vBucket, prefix)
		require.NoError(t, err)
		return p
	}
	full := read("cur")
	noGet := full
	noGet.Statement = nil
	for _, st := range full.Statement {
		if st.Sid != iampolicy.SidGetObjects {
			noGet.Statement = append(noGet.Statement, st)
		}
	}
	deny := full
	deny.Statement = append(append([]iampolicy.Statement(nil), full.Statement...), iampolicy.Statement{
		Sid: "DenyBillingBucket", Effect: iampolicy.EffectDeny, Action: iampolicy.Strings{"s3:*"},
		Resource: iampolicy.Strings{"arn:aws:s3:::" + vBucket, "arn:aws:s3:::" + vBucket + "/*"},
	})
	for name, p := range map[string]iampolicy.Policy{"cur-reader": full, "no-getobject": noGet, "deny-bucket": deny, "fresh-reader": read("fresh")} {
		doc, err := p.CompactJSON()
		require.NoError(t, err)
		role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(string(trustJSON))})
		require.NoError(t, err)
		mp, err := iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(string(doc))})
		require.NoError(t, err)
		_, err = iamc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: mp.Policy.Arn})
		require.NoError(t, err)
		v.roles[name] = aws.ToString(role.Role.Arn)
		v.policies[name] = p
	}

	v.billing = &billingAPI{}
	bsrv := httptest.NewServer(v.billing)
	t.Cleanup(bsrv.Close)
	v.billingURL = bsrv.URL
	v.ce = &costExplorerAPI{}
	csrv := httptest.NewServer(v.ce)
	t.Cleanup(csrv.Close)
	v.ceURL = csrv.URL

	require.NoError(t, m.EnableAuth(ctx))
	t.Cleanup(func() { _ = m.DisableAuth(context.Background()) })
	return v
}

// clients points STS, S3 and Organizations at moto, Cost Explorer, CUR and
// Data Exports at the HTTP stubs.
func (v *motoVerify) clients() Clients {
	c := NewClients(v.moto.ConfigWithCredentials(v.userCreds), func(o *ClientOptions) {
		o.S3 = append(o.S3, func(so *s3.Options) { so.UsePathStyle = true; so.HTTPSignerV4 = motoSigner{} })
		o.CostExplorer = append(o.CostExplorer, func(co *costexplorer.Options) { co.BaseEndpoint = aws.String(v.ceURL) })
		o.CUR = append(o.CUR, func(co *cur.Options) { co.BaseEndpoint = aws.String(v.billingURL) })
		o.DataExports = append(o.DataExports, func(do *dx.Options) { do.BaseEndpoint = aws.String(v.billingURL) })
	})
	return c
}

func (v *motoVerify) conn(role, prefix string) Connection {
	return Connection{
		PayerAccountID: testutil.MotoAccountID, Bucket: vBucket, Prefix: prefix, ReportName: vReport,
		Credentials: Credentials{RoleARN: v.roles[role], ExternalID: v.externalID},
	}
}

func statuses(rep *Verification) map[CheckID]Status {
	out := map[CheckID]Status{}
	for _, c := range rep.Checks {
		out[c.ID] = c.Status
	}
	return out
}

func ids(rep *Verification) []CheckID {
	var out []CheckID
	for _, c := range rep.Checks {
		out = append(out, c.ID)
	}
	return out
}

func mustCheck(t *testing.T, rep *Verification, id CheckID) CheckResult {
	t.Helper()
	c, ok := rep.Check(id)
	require.True(t, ok, "no check %s in %v", id, ids(rep))
	return c
}

// noSecrets asserts that none of the secrets appears in the report, its
// JSON, its errors or the log.
func noSecrets(t *testing.T, rep *Verification, logs string, secrets ...string) {
	t.Helper()
	j, err := json.Marshal(rep)
	require.NoError(t, err)
	var texts []string
	texts = append(texts, string(j), logs, fmt.Sprintf("%v %+v", rep.Connection, rep.Connection))
	for _, c := range rep.Checks {
		texts = append(texts, c.Message, c.Remediation, c.Hint)
		if c.Err != nil {
			texts = append(texts, c.Err.Error())
		}
	}
	if err := rep.Err(); err != nil {
		texts = append(texts, err.Error())
	}
	for _, s := range secrets {
		require.NotEmpty(t, s)
		for _, txt := range texts {
			assert.NotContains(t, txt, s)
		}
	}
}

func TestVerifyMoto(t *testing.T) {
	v := setupMotoVerify(t)
	ctx := t.Context()
	all := []CheckID{CheckCredentials, CheckAssumeRole, CheckBucketRegion, CheckListPrefix, CheckManifest, CheckOrganizations, CheckCostExplorer, CheckReportDefinition}

	t.Run("all checks pass", func(t *testing.T) {
		var logs bytes.Buffer
		rep, err := Verify(ctx, v.conn("cur-reader", "cur"), v.clients(), func(o *VerifyOptions) {
			o.Profiles = []*Profile{Optima()}
			o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			o.Now = func() time.Time { return time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC) }
		})
		require.NoError(t, err)
		require.NotNil(t, rep)
		for _, c := range rep.Checks {
			assert.Equal(t, StatusPass, c.Status, "%s: %s %s %s", c.ID, c.Code, c.Message, c.Remediation)
			assert.Equal(t, 1, c.Attempts)
			assert.Positive(t, c.Duration)
		}
		require.Equal(t, all, ids(rep))
		assert.True(t, rep.OK())
		assert.NoError(t, rep.Err())
		assert.False(t, rep.Retryable())

		assert.Contains(t, rep.Caller, ":user/platform")
		assert.Equal(t, "us-east-1", rep.BucketRegion)
		require.Len(t, rep.Deliveries, 1)
		d := rep.Deliveries[0]
		assert.Equal(t, vReport, d.Report)
		assert.Equal(t, "2024-03", d.Period.String())
		assert.Equal(t, manifestKey, d.ManifestKey)
		require.Len(t, d.Files, 1)

		// Organizations metadata: every account, keyed for a join on
		// lineItem/UsageAccountId.
		require.NotNil(t, rep.Organization)
		assert.Equal(t, testutil.MotoAccountID, rep.Organization.ManagementAccountID)
		accts := rep.Organization.Accounts
		require.Len(t, accts, 3)
		assert.Equal(t, "acme-prod", accts.Name(v.accounts[0]))
		assert.Equal(t, "aws+1@acme.example", accts[v.accounts[1]].Email)
		assert.Equal(t, "ACTIVE", accts[v.accounts[0]].Status)
		assert.False(t, accts[v.accounts[0]].Joined.IsZero())
		assert.Equal(t, "999999999999", accts.Name("999999999999"), "unknown accounts keep their ID")

		// Cost Explorer was called with the role's session, for last month.
		v.ce.mu.Lock()
		require.Len(t, v.ce.keyIDs, 1)
		assert.NotEmpty(t, v.ce.tokens[0], "a session token: the assumed role's credentials")
		assert.NotEqual(t, mustRetrieve(t, v.userCreds).AccessKeyID, v.ce.keyIDs[0])
		assert.JSONEq(t, `{"TimePeriod":{"Start":"2024-03-01","End":"2024-04-01"}}`, v.ce.bodies[0])
		v.ce.mu.Unlock()
		assert.Contains(t, mustCheck(t, rep, CheckCostExplorer).Message, "87.5%")

		def := mustCheck(t, rep, CheckReportDefinition)
		assert.Contains(t, def.Message, `"acme-cur" meets optima`)
		require.NotNil(t, rep.Definition)
		assert.Equal(t, vReport, rep.Definition.Name())

		assert.Equal(t, 8, strings.Count(logs.String(), `"msg":"billingconn: verify"`))
		noSecrets(t, rep, logs.String(), v.externalID, v.userSecret)

		// The JSON form.
		var decoded struct {
			Checks []map[string]any `json:"checks"`
		}
		j, err := json.Marshal(rep)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(j, &decoded))
		require.Len(t, decoded.Checks, 8)
		assert.Equal(t, "credentials", decoded.Checks[0]["id"])
		assert.Equal(t, "pass", decoded.Checks[0]["status"])
		assert.Equal(t, false, decoded.Checks[0]["retryable"])
	})

	t.Run("no GetObject statement fails at the manifest", func(t *testing.T) {
		for _, withPolicies := range []bool{false, true} {
			rep, err := Verify(ctx, v.conn("no-getobject", "cur"), v.clients(), func(o *VerifyOptions) {
				if withPolicies {
					o.Policies = []iampolicy.Policy{v.policies["no-getobject"]}
				}
			})
			require.NoError(t, err)
			st := statuses(rep)
			assert.Equal(t, StatusPass, st[CheckListPrefix])
			assert.Equal(t, StatusPass, st[CheckOrganizations])
			assert.Equal(t, StatusPass, st[CheckCostExplorer])
			c := mustCheck(t, rep, CheckManifest)
			require.Equal(t, StatusFail, c.Status, c.Message)
			assert.Equal(t, "AccessDenied", c.Code)
			assert.NotEmpty(t, c.RequestID)
			assert.False(t, c.Retryable)
			assert.Equal(t, "s3:GetObject", c.Action)
			assert.Equal(t, "arn:aws:s3:::"+vBucket+"/"+manifestKey, c.Resource)
			require.NotNil(t, c.MissingStatement)
			assert.Equal(t, iampolicy.SidGetObjects, c.MissingStatement.Sid)
			// The customer reads the action and the ARN to allow; the
			// developer the builder's statement and its JSON.
			assert.Contains(t, c.Remediation, "arn:aws:s3:::acme-billing/cur/*")
			assert.NotContains(t, c.Remediation, "ReadBillingReports")
			assert.Contains(t, c.Hint, `statement "ReadBillingReports"`)
			assert.Contains(t, c.Hint, `"Resource":"arn:aws:s3:::acme-billing/cur/*"`)
			if withPolicies {
				assert.Contains(t, c.Remediation, "In the role's policies: no statement allows s3:GetObject")
				assert.Contains(t, c.Hint, "In VerifyOptions.Policies: ")
			}
			require.ErrorIs(t, rep.Err(), curerr.ErrAccessDenied)
			var ce *CheckError
			require.ErrorAs(t, c.Err, &ce)
			assert.Equal(t, CheckManifest, ce.Check)
			var ae smithy.APIError
			require.ErrorAs(t, c.Err, &ae)
			assert.Equal(t, "AccessDenied", ae.ErrorCode())
			assert.False(t, rep.OK())
		}
	})

	t.Run("a denied bucket fails at the bucket region", func(t *testing.T) {
		rep, err := Verify(ctx, v.conn("deny-bucket", "cur"), v.clients(), func(o *VerifyOptions) {
			o.Policies = []iampolicy.Policy{v.policies["deny-bucket"]}
		})
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckBucketRegion)
		require.Equal(t, StatusFail, c.Status, c.Message)
		assert.Equal(t, "AccessDenied", c.Code)
		assert.Equal(t, "s3:GetBucketLocation", c.Action)
		assert.Equal(t, "arn:aws:s3:::"+vBucket, c.Resource)
		require.NotNil(t, c.MissingStatement)
		assert.Equal(t, iampolicy.SidListBucket, c.MissingStatement.Sid)
		assert.Contains(t, c.Remediation, "a Deny statement matches s3:GetBucketLocation")
		assert.Contains(t, c.Hint, "DenyBillingBucket", "the Deny statement at fault is named, for the developer")
		st := statuses(rep)
		assert.Equal(t, StatusSkipped, st[CheckListPrefix])
		assert.Equal(t, StatusSkipped, st[CheckManifest])
		assert.Equal(t, StatusPass, st[CheckOrganizations], "not an S3 step")
		assert.Equal(t, StatusPass, st[CheckCostExplorer])
		assert.Contains(t, mustCheck(t, rep, CheckManifest).Message, "bucket-region")
	})

	t.Run("a wrong external ID fails at AssumeRole", func(t *testing.T) {
		conn := v.conn("cur-reader", "cur")
		conn.Credentials.ExternalID = "WRONG-external-id-4242"
		var logs bytes.Buffer
		rep, err := Verify(ctx, conn, v.clients(), func(o *VerifyOptions) {
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckAssumeRole)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, "AccessDenied", c.Code)
		assert.False(t, c.Retryable)
		assert.Contains(t, c.Message, "the role does not exist, its trust policy does not trust")
		assert.Contains(t, c.Message, "or the external ID does not match")
		require.NotNil(t, c.MissingStatement)
		assert.Equal(t, iampolicy.SidTrust, c.MissingStatement.Sid)
		assert.Contains(t, c.Remediation, "sts:ExternalId equals the external ID the platform gave you")
		assert.Contains(t, c.Hint, `"sts:ExternalId":"REDACTED"`)
		assert.Contains(t, c.Hint, "iampolicy.CrossAccountTrust")
		require.ErrorIs(t, c.Err, ErrAssumeRoleDenied)
		require.ErrorIs(t, c.Err, curerr.ErrAccessDenied)
		assert.Equal(t, StatusPass, mustCheck(t, rep, CheckCredentials).Status)
		for _, id := range all[2:7] {
			assert.Equal(t, StatusSkipped, mustCheck(t, rep, id).Status, id)
		}
		noSecrets(t, rep, logs.String(), "WRONG-external-id-4242", v.userSecret)
	})

	t.Run("a wrong secret is a signature mismatch, not a policy gap", func(t *testing.T) {
		user := mustRetrieve(t, v.userCreds)
		wrong := credentials.NewStaticCredentialsProvider(user.AccessKeyID, "WRONGsecretWRONGsecretWRONGsecret0000000", "")
		// The platform's own secret is wrong: a role connection.
		cl := v.clients()
		cl.Credentials = aws.NewCredentialsCache(wrong)
		rep, err := Verify(ctx, v.conn("cur-reader", "cur"), cl, func(o *VerifyOptions) { o.PropagationWait = time.Minute })
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckCredentials)
		require.Equal(t, StatusFail, c.Status, c.Message)
		assert.Equal(t, CheckCodeSignatureMismatch, c.Code)
		assert.Equal(t, 1, c.Attempts)
		assert.False(t, c.Retryable)
		assert.Contains(t, c.Message, "the platform's own credentials")
		assertNotBlamedOnPolicy(t, c)
		require.ErrorIs(t, c.Err, curerr.ErrSignature)
		for _, id := range all[1:7] {
			assert.Equal(t, StatusSkipped, mustCheck(t, rep, id).Status, id)
		}
		noSecrets(t, rep, "", v.externalID, v.userSecret, "WRONGsecretWRONGsecretWRONGsecret0000000")

		// A legacy access key pair: the customer's own secret is wrong,
		// or the key does not exist.
		for _, keyID := range []string{user.AccessKeyID, "AKIAUNKNOWNKEYZZZZZZ"} {
			conn := Connection{PayerAccountID: testutil.MotoAccountID, Bucket: vBucket, Prefix: "cur", ReportName: vReport,
				Credentials: Credentials{AccessKeyID: keyID, SecretAccessKey: "WRONGsecretWRONGsecretWRONGsecret0000000"}}
			rep, err := Verify(ctx, conn, v.clients())
			require.NoError(t, err)
			c := mustCheck(t, rep, CheckCredentials)
			require.Equal(t, StatusFail, c.Status, c.Message)
			assert.Equal(t, CheckCodeSignatureMismatch, c.Code, keyID)
			assert.Contains(t, c.Remediation, "access key is active")
			assertNotBlamedOnPolicy(t, c)
			noSecrets(t, rep, "", "WRONGsecretWRONGsecretWRONGsecret0000000", v.userSecret)
		}
	})

	t.Run("the propagation retry is bounded", func(t *testing.T) {
		conn := v.conn("cur-reader", "cur")
		conn.Credentials.ExternalID = "WRONG-external-id-4242"
		// It retries (a second attempt starts once a round trip and the
		// first 50ms wait fit in the 2s window, even with round trips of
		// over a second under -race on a busy 2-core machine), and it
		// stops: no attempt starts after the window, so the whole step
		// ends within the window and one more round trip.
		start := time.Now()
		rep, err := Verify(ctx, conn, v.clients(), func(o *VerifyOptions) {
			o.PropagationWait = 2 * time.Second
			o.PropagationDelay = 50 * time.Millisecond
		})
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckAssumeRole)
		assert.Equal(t, StatusFail, c.Status)
		assert.GreaterOrEqual(t, c.Attempts, 2)
		assert.Less(t, c.Attempts, 10, "bounded by the window")
		assert.Less(t, time.Since(start), 10*time.Second)
	})

	t.Run("no manifest yet", func(t *testing.T) {
		rep, err := Verify(ctx, v.conn("fresh-reader", "fresh"), v.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckManifest)
		require.Equal(t, StatusFail, c.Status)
		assert.Equal(t, CheckCodeNoDeliveryYet, c.Code)
		assert.True(t, c.Retryable)
		assert.Contains(t, c.Message, "no delivery yet: the first one can take 24 hours")
		require.ErrorIs(t, c.Err, ErrNoDeliveryYet)
		assert.Equal(t, StatusPass, mustCheck(t, rep, CheckListPrefix).Status)
		assert.True(t, rep.Retryable(), "the only failure is a wait")
		require.Len(t, rep.Failed(), 1)
	})

	t.Run("another report under the prefix", func(t *testing.T) {
		conn := v.conn("cur-reader", "cur")
		conn.ReportName = "acme-other"
		rep, err := Verify(ctx, conn, v.clients())
		require.NoError(t, err)
		c := mustCheck(t, rep, CheckManifest)
		assert.Equal(t, CheckCodeReportNotFound, c.Code)
		assert.Contains(t, c.Message, "found: acme-cur")
		assert.True(t, c.Retryable)
	})
}

func mustRetrieve(t *testing.T, p aws.CredentialsProvider) aws.Credentials {
	t.Helper()
	c, err := p.Retrieve(t.Context())
	require.NoError(t, err)
	return c
}
