package billingconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Recognisable fake secrets: AWS's documentation example key pair and a
// made-up external ID. None may appear in any printed or marshalled form.
const (
	fakeKeyID      = "AKIAIOSFODNN7EXAMPLE"
	fakeSecret     = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	fakeExternalID = "ext-id-SUPERSECRET-4711"
)

func roleConn() Connection {
	return Connection{
		PayerAccountID: "012345678901", Bucket: "acme-billing", Prefix: "cur", ReportName: "acme-cur",
		Credentials: Credentials{RoleARN: "arn:aws:iam::012345678901:role/CostReader", ExternalID: fakeExternalID},
	}
}

func keyConn() Connection {
	c := roleConn()
	c.Credentials = Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret}
	return c
}

func TestConnectionValidate(t *testing.T) {
	require.NoError(t, roleConn().Validate())
	require.NoError(t, keyConn().Validate())
	assert.Equal(t, CredentialsRole, roleConn().Credentials.Kind())
	assert.Equal(t, CredentialsAccessKey, keyConn().Credentials.Kind())
	assert.Equal(t, CredentialsNone, Credentials{}.Kind())

	for _, tc := range []struct {
		name   string
		mutate func(*Connection)
		fields []string
	}{
		{"everything wrong at once", func(c *Connection) {
			c.PayerAccountID, c.Bucket, c.Prefix, c.ReportName = "12345", "bad bucket", "has space", "a/b"
			c.Credentials.RoleARN, c.Credentials.ExternalID = "arn:aws:iam::012345678901:user/bob", "x"
		}, []string{"PayerAccountID", "Bucket", "Prefix", "ReportName", "Credentials.RoleARN", "Credentials.ExternalID"}},
		{"empty", func(c *Connection) { *c = Connection{} }, []string{"PayerAccountID", "Bucket", "Credentials"}},
		{"role without external ID", func(c *Connection) { c.Credentials.ExternalID = "" }, []string{"Credentials.ExternalID"}},
		{"role ARN not an ARN", func(c *Connection) { c.Credentials.RoleARN = "CostReader" }, []string{"Credentials.RoleARN"}},
		{"both kinds", func(c *Connection) { c.Credentials.AccessKeyID, c.Credentials.SecretAccessKey = fakeKeyID, fakeSecret }, []string{"Credentials"}},
		{"key pair half", func(c *Connection) { c.Credentials = Credentials{SecretAccessKey: fakeSecret} }, []string{"Credentials.AccessKeyID"}},
		{"key pair malformed", func(c *Connection) {
			c.Credentials = Credentials{AccessKeyID: "AKIA" + fakeSecret[:10], SecretAccessKey: fakeSecret[:39], ExternalID: fakeExternalID}
		}, []string{"Credentials.ExternalID", "Credentials.AccessKeyID", "Credentials.SecretAccessKey"}},
		{"report name too long", func(c *Connection) { c.ReportName = string(bytes.Repeat([]byte("a"), 257)) }, []string{"ReportName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := roleConn()
			tc.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			var fields []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var fe *curerr.FieldError
				require.ErrorAs(t, e, &fe)
				fields = append(fields, fe.Field)
			}
			assert.Equal(t, tc.fields, fields)
			assertNoSecrets(t, err.Error())
		})
	}
	t.Run("legacy us-east-1 bucket names", func(t *testing.T) {
		c := roleConn()
		c.Bucket = "Old_Billing.Bucket"
		require.NoError(t, c.Validate())
		c.Bucket = "ab"
		require.ErrorIs(t, c.Validate(), curerr.ErrMalformed)
	})
	t.Run("missing external ID keeps iampolicy's sentinel", func(t *testing.T) {
		c := roleConn()
		c.Credentials.ExternalID = ""
		require.ErrorIs(t, c.Validate(), iampolicy.ErrNoExternalID)
	})
}

func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{fakeSecret, fakeExternalID, fakeKeyID, "SUPERSECRET", "EXAMPLEKEY", fakeSecret[:20]} {
		assert.NotContains(t, s, secret)
	}
}

func TestConnectionRedaction(t *testing.T) {
	for _, c := range []Connection{roleConn(), keyConn()} {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, c.Credentials), fmt.Sprintf(verb, &c))
		}
		outs = append(outs, c.String(), fmt.Sprint(c), fmt.Sprintln(c.Credentials))
		// Nested in another value.
		outs = append(outs, fmt.Sprintf("%+v", struct{ Conn Connection }{c}), fmt.Sprintf("%v", []Connection{c}))
		j, err := json.Marshal(c)
		require.NoError(t, err)
		outs = append(outs, string(j))
		j, err = json.Marshal(map[string]any{"c": &c, "creds": c.Credentials})
		require.NoError(t, err)
		outs = append(outs, string(j))
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("connect", "conn", c)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("connect", "conn", c, "creds", c.Credentials)
		outs = append(outs, buf.String())
		outs = append(outs, fmt.Errorf("billingconn: verify %v: %w", c, errors.New("x")).Error())
		for _, s := range outs {
			assertNoSecrets(t, s)
		}
	}

	t.Run("shows what is set", func(t *testing.T) {
		s := keyConn().String()
		assert.Contains(t, s, "AKIA…MPLE")
		assert.Contains(t, s, "SecretAccessKey=REDACTED")
		s = roleConn().String()
		assert.Contains(t, s, "arn:aws:iam::012345678901:role/CostReader")
		assert.Contains(t, s, "ExternalID=REDACTED")
		assert.Contains(t, s, "012345678901")
	})
	t.Run("json shape", func(t *testing.T) {
		j, err := json.Marshal(keyConn())
		require.NoError(t, err)
		var back map[string]any
		require.NoError(t, json.Unmarshal(j, &back))
		assert.Equal(t, "012345678901", back["payerAccountId"])
		assert.Equal(t, map[string]any{"accessKeyId": "AKIA…MPLE", "secretAccessKey": "REDACTED"}, back["credentials"])
	})
	t.Run("json decodes real values", func(t *testing.T) {
		var c Connection
		require.NoError(t, json.Unmarshal([]byte(`{"payerAccountId":"012345678901","bucket":"b","credentials":{"roleArn":"arn:aws:iam::012345678901:role/r","externalId":"`+fakeExternalID+`"}}`), &c))
		assert.Equal(t, fakeExternalID, c.Credentials.ExternalID)
	})
}
