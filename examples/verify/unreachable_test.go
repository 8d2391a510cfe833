package main

import (
	"encoding/json"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A closed port: nothing answers. The first step that reaches AWS says so,
// in words the customer can act on, and blames no policy.
func TestVerifyEndpointUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAPLATFORMKEY77777", "AWS_SECRET_ACCESS_KEY": "platform-secret", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"), "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL": "", "AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(k, v)
	}
	args := []string{"-role-arn", "arn:aws:iam::123456789012:role/curconnect-read", "-external-id", "ext-id-0123456789abcdef",
		"-bucket", "acme-billing", "-prefix", "cur", "-endpoint", "http://" + addr, "-path-style"}

	out, errOut, code := runVerify(t, append(args, "-json")...)
	require.Equal(t, 1, code, "a failed check, not bad input: %s %s", out, errOut)
	var got struct {
		Checks []map[string]any `json:"checks"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.NotEmpty(t, got.Checks)
	first := got.Checks[0]
	assert.Len(t, first, 7, "id, status, code, message, remediation, hint, retryable")
	assert.Equal(t, "credentials", first["id"])
	assert.Equal(t, "fail", first["status"])
	assert.Equal(t, "ENDPOINT_UNREACHABLE", first["code"])
	assert.Equal(t, true, first["retryable"])
	assert.Equal(t, "could not reach AWS STS at "+addr+": the connection was refused", first["message"])
	rem, _ := first["remediation"].(string)
	assert.Contains(t, rem, "could not reach AWS STS over the network")
	assert.NotContains(t, rem, "renew")
	assert.NotRegexp(t, regexp.MustCompile(`[A-Za-z]\.[A-Z]|iampolicy|billingconn|[a-z][A-Z]`), rem, "customer words only")
	hint, _ := first["hint"].(string)
	assert.Contains(t, hint, addr)
	assert.Contains(t, hint, "-endpoint")
	for _, c := range got.Checks[1:] {
		assert.Equal(t, "skipped", c["status"], c["id"])
	}

	out, _, code = runVerify(t, args...)
	require.Equal(t, 1, code)
	assert.Regexp(t, `(?m)^credentials\s+fail\s+ENDPOINT_UNREACHABLE`, out)
	assert.Contains(t, out, "retrying later can help")
	assert.Contains(t, out, "  hint: ")
	assert.True(t, strings.HasSuffix(strings.TrimSpace(out), "every failure may clear by itself: verify again later."), out)
}
