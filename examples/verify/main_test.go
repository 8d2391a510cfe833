package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

const (
	bucket     = "acme-billing"
	externalID = "curconnect-example-external-id"
)

// legacyManifest is a legacy CUR manifest as AWS writes it (trimmed).
const legacyManifest = `{"assemblyId":"a1b2","account":"123456789012","columns":[{"category":"identity","name":"LineItemId"},{"category":"lineItem","name":"UnblendedCost","type":"BigDecimal"}],
"charset":"UTF-8","compression":"GZIP","contentType":"text/csv","reportId":"r1","reportName":"acme-cur",
"billingPeriod":{"start":"20240301T000000.000Z","end":"20240401T000000.000Z"},"bucket":"acme-billing",
"reportKeys":["cur/acme-cur/20240301-20240401/a1b2/acme-cur-00001.csv.gz"]}`

// setup starts moto_server with a delivered report, an organization and a
// role made from iampolicy's builders, and points the AWS configuration
// chain at it. Cost Explorer (not in moto) is an HTTP stub in its JSON
// shape, reached through AWS_ENDPOINT_URL_COST_EXPLORER.
func setup(t *testing.T) (endpoint, roleARN string) {
	m := testutil.StartMoto(t)
	ctx := t.Context()
	cfg := m.AWSConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	for k, v := range map[string]string{
		"cur/acme-cur/20240301-20240401/acme-cur-Manifest.json":      legacyManifest,
		"cur/acme-cur/20240301-20240401/a1b2/acme-cur-Manifest.json": legacyManifest,
		"cur/acme-cur/20240301-20240401/a1b2/acme-cur-00001.csv.gz":  "x",
		"fresh/aws-programmatic-access-test-object":                  "test",
	} {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(v)})
		require.NoError(t, err)
	}
	_, err = organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	require.NoError(t, err)

	iamc := iam.NewFromConfig(cfg)
	trust, err := iampolicy.CrossAccountTrust(testutil.MotoAccountID, externalID)
	require.NoError(t, err)
	read, err := iampolicy.CURReadPolicy(bucket, "cur")
	require.NoError(t, err)
	trustJSON, err := trust.CompactJSON()
	require.NoError(t, err)
	readJSON, err := read.CompactJSON()
	require.NoError(t, err)
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("billing-read"), AssumeRolePolicyDocument: aws.String(string(trustJSON))})
	require.NoError(t, err)
	_, err = iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("billing-read"), PolicyName: aws.String("read"), PolicyDocument: aws.String(string(readJSON))})
	require.NoError(t, err)

	ce := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, `{"UtilizationsByTime":[],"Total":{"UtilizationPercentage":"100"}}`)
	}))
	t.Cleanup(ce.Close)

	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_COST_EXPLORER": ce.URL,
	} {
		t.Setenv(k, v)
	}
	return m.Endpoint, aws.ToString(role.Role.Arn)
}

func runVerify(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = exitCode(run(t.Context(), args, &out, &errb), &errb)
	return out.String(), errb.String(), code
}

func TestVerifyAgainstMoto(t *testing.T) {
	endpoint, roleARN := setup(t)
	base := []string{"-role-arn", roleARN, "-external-id", externalID, "-bucket", bucket, "-endpoint", endpoint, "-path-style"}

	t.Run("all pass: exit 0 and a table", func(t *testing.T) {
		out, errOut, code := runVerify(t, append(base, "-prefix", "cur", "-report", "acme-cur")...)
		require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
		for _, id := range []string{"credentials", "assume-role", "bucket-region", "list-prefix", "manifest", "organizations", "cost-explorer"} {
			assert.Regexp(t, `(?m)^`+id+`\s+pass\s`, out)
		}
		assert.Contains(t, out, "All 7 checks passed.")
		assert.Contains(t, out, "acme-cur 2024-03")
		assert.NotContains(t, out, externalID)
	})

	t.Run("all pass: -json", func(t *testing.T) {
		out, _, code := runVerify(t, append(base, "-prefix", "cur", "-json")...)
		require.Equal(t, 0, code, out)
		var got struct {
			Checks []map[string]any `json:"checks"`
		}
		dec := json.NewDecoder(strings.NewReader(out))
		require.NoError(t, dec.Decode(&got))
		require.Len(t, got.Checks, 7)
		for _, c := range got.Checks {
			assert.Len(t, c, 7, "exactly id, status, code, message, remediation, hint, retryable: %v", c)
			assert.Equal(t, "pass", c["status"])
			assert.Equal(t, false, c["retryable"])
			assert.Equal(t, "", c["hint"])
		}
		assert.Equal(t, "credentials", got.Checks[0]["id"])
	})

	t.Run("no delivery yet: exit 1", func(t *testing.T) {
		out, _, code := runVerify(t, append(base, "-prefix", "fresh", "-json")...)
		require.Equal(t, 1, code, out)
		var got struct {
			Checks []struct {
				ID, Status, Code, Message, Remediation, Hint string
				Retryable                                    bool
			} `json:"checks"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		var manifest = got.Checks[4]
		assert.Equal(t, "manifest", manifest.ID)
		assert.Equal(t, "fail", manifest.Status)
		assert.Equal(t, "NO_DELIVERY_YET", manifest.Code)
		assert.True(t, manifest.Retryable)
		assert.Contains(t, manifest.Message, "no delivery yet: the first one can take 24 hours")
		assert.NotContains(t, manifest.Remediation, "iampolicy.", "code names are in the hint")
		assert.Contains(t, manifest.Hint, "iampolicy.DeliveryBucketPolicy")
	})

	t.Run("the payer account defaults to the role's; -payer-account overrides it", func(t *testing.T) {
		out, _, code := runVerify(t, append(base, "-prefix", "cur", "-json")...)
		require.Equal(t, 0, code, out)
		assert.Contains(t, roleARN, ":"+testutil.MotoAccountID+":", "moto's organization is managed by the role's account")

		out, _, code = runVerify(t, append(base, "-prefix", "cur", "-json", "-payer-account", "777788889999")...)
		require.Equal(t, 1, code, out)
		var got struct {
			Checks []struct{ ID, Status, Code, Remediation, Hint string } `json:"checks"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		var org = got.Checks[5]
		require.Equal(t, "organizations", org.ID)
		assert.Equal(t, "fail", org.Status)
		assert.Equal(t, "PAYER_MISMATCH", org.Code)
		assert.Contains(t, org.Remediation, testutil.MotoAccountID)
		assert.Contains(t, org.Hint, "777788889999")
	})

	t.Run("missing bucket: exit 1 and the remediation", func(t *testing.T) {
		args := []string{"-role-arn", roleARN, "-external-id", externalID, "-bucket", "no-such-billing-bucket", "-endpoint", endpoint, "-path-style"}
		out, _, code := runVerify(t, args...)
		require.Equal(t, 1, code, out)
		assert.Regexp(t, `(?m)^bucket-region\s+fail\s+NoSuchBucket`, out)
		assert.Regexp(t, `(?m)^manifest\s+skipped`, out)
		assert.Contains(t, out, "bucket-region failed")
		assert.Contains(t, out, "Check the bucket name")
	})

	t.Run("profile check", func(t *testing.T) {
		// The CUR API is not in moto: the definition check fails to reach
		// it (here, moto answers an unknown operation), which is a failed
		// check, not bad input.
		out, _, code := runVerify(t, append(base, "-prefix", "cur", "-profile", "optima")...)
		assert.Equal(t, 1, code, out)
		assert.Regexp(t, `(?m)^report-definition\s+fail`, out)
	})
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "missing -bucket, -external-id, -role-arn"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"bad role ARN", []string{"-role-arn", "arn:aws:s3:::x", "-external-id", "abcdef", "-bucket", "acme-billing"}, `-role-arn: "arn:aws:s3:::x" is not an IAM role ARN`},
		{"bad external ID", []string{"-role-arn", "arn:aws:iam::123456789012:role/r", "-external-id", "a b", "-bucket", "acme-billing"}, "-external-id: "},
		{"bad payer account", []string{"-role-arn", "arn:aws:iam::123456789012:role/r", "-external-id", "abcdef", "-bucket", "acme-billing", "-payer-account", "12345"}, "-payer-account: "},
		{"unknown profile", []string{"-role-arn", "arn:aws:iam::123456789012:role/r", "-external-id", "abcdef", "-bucket", "acme-billing", "-profile", "nosuch"}, "-profile nosuch"},
		{"extra argument", []string{"-role-arn", "arn:aws:iam::123456789012:role/r", "-external-id", "abcdef", "-bucket", "acme-billing", "extra"}, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runVerify(t, tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			assert.NotContains(t, errOut, "PayerAccountID", "the program has flags, not struct fields")
			assert.NotContains(t, errOut, "Credentials.")
		})
	}
}
