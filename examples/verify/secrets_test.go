package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fakePlatformSecret = "PLATFORMSECRETKEYzzzzzzzzzzzzzzzzzzzzzz1"
	fakeExternalID     = "ext-id-SECRETEXTERNALID-7f3a9c"
	fakeSessionSecret  = "SESSIONSECRETKEYwwwwwwwwwwwwwwwwwwwwwww3"
	fakeSessionToken   = "FwoGZXIvYXdzSESSIONTOKENSECRETxxxxxxxxxxxxxxxxxxxxxxxxxx4"
)

// TestVerifyOutputHoldsNoSecrets runs the program against a stub AWS that
// hands out recognisable session credentials and then denies everything,
// as a table and as JSON, and finds none of the secrets in its output.
func TestVerifyOutputHoldsNoSecrets(t *testing.T) {
	var tokenSeen atomic.Int32
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Amz-Security-Token") == fakeSessionToken {
			tokenSeen.Add(1)
		}
		switch {
		case bytes.Contains(body, []byte("Action=GetCallerIdentity")):
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/platform</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
		case bytes.Contains(body, []byte("Action=AssumeRole")):
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIASESSIONKEYID7777</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`, fakeSessionSecret, fakeSessionToken)
		case r.Header.Get("X-Amz-Target") != "":
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"AccessDeniedException","message":"not authorized"}`)
		default:
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>req</RequestId></Error>`)
		}
	}))
	t.Cleanup(stub.Close)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAPLATFORMKEY77777", "AWS_SECRET_ACCESS_KEY": fakePlatformSecret, "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"), "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_COST_EXPLORER": stub.URL, "AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(k, v)
	}
	base := []string{"-role-arn", "arn:aws:iam::123456789012:role/curconnect-read", "-external-id", fakeExternalID,
		"-bucket", "acme-billing", "-prefix", "cur", "-endpoint", stub.URL, "-path-style"}
	for _, extra := range [][]string{nil, {"-json"}, {"-report", "acme-cur"}} {
		out, errOut, code := runVerify(t, append(append([]string{}, base...), extra...)...)
		assert.NotEqual(t, 0, code, "the stub denies: the program reports failure")
		require.NotEmpty(t, out+errOut)
		for _, s := range []string{fakePlatformSecret, fakeExternalID, fakeSessionSecret, fakeSessionToken} {
			assert.False(t, strings.Contains(out, s) || strings.Contains(errOut, s), "%v: secret %q in the output:\n%s\n%s", extra, s, out, errOut)
		}
	}
	assert.Positive(t, tokenSeen.Load(), "the assumed role's session token was used")
}
