package billingconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Recognisable fake secrets. None of them may appear in anything the
// library formats, logs, marshals or returns.
const (
	secretPlatformKey  = "PLATFORMSECRETKEYzzzzzzzzzzzzzzzzzzzzzz1" // 40 characters
	secretConnKey      = "CONNSECRETKEYqqqqqqqqqqqqqqqqqqqqqqqqqq2" // 40 characters
	secretExternalID   = "ext-id-SECRETEXTERNALID-7f3a9c"
	secretSessionKey   = "SESSIONSECRETKEYwwwwwwwwwwwwwwwwwwwwwww3"
	secretSessionToken = "FwoGZXIvYXdzSESSIONTOKENSECRETxxxxxxxxxxxxxxxxxxxxxxxxxx4"
	// Access key IDs are not secret but must be shortened.
	connKeyID     = "AKIACONNKEYID7777777"
	connKeyMiddle = "CONNKEYID777"
)

var hostileSecrets = []string{secretPlatformKey, secretConnKey, secretExternalID, secretSessionKey, secretSessionToken, connKeyMiddle}

// secretStub is an AWS endpoint for every service Verify calls: STS
// answers GetCallerIdentity and AssumeRole (handing out the fake session
// credentials), and everything else is refused with AccessDenied, so that
// the failure paths — messages, remediations, wrapped SDK errors — run.
// It records whether the session token came back on later requests, to
// show the secrets were really used and not just absent.
type secretStub struct {
	mu          sync.Mutex
	tokenSeen   int
	assumeCalls int
}

func (s *secretStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	if r.Header.Get("X-Amz-Security-Token") == secretSessionToken {
		s.tokenSeen++
	}
	s.mu.Unlock()
	w.Header().Set("X-Amzn-RequestId", "req-secret-test")
	switch {
	case bytes.Contains(body, []byte("Action=GetCallerIdentity")):
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/platform</Arn><UserId>AIDAPLATFORM</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case bytes.Contains(body, []byte("Action=AssumeRole")):
		s.mu.Lock()
		s.assumeCalls++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIASESSIONKEYID7777</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/curconnect-read/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></AssumeRoleResponse>`, secretSessionKey, secretSessionToken)
	case r.Header.Get("X-Amz-Target") != "":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"AccessDeniedException","message":"User is not authorized to perform this action"}`)
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>req-s3</RequestId></Error>`)
	}
}

func secretClients(t *testing.T, stub http.Handler) Clients {
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAPLATFORMKEY77777", secretPlatformKey, ""),
		HTTPClient:   srv.Client(),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	return NewClients(cfg, func(o *ClientOptions) {
		o.S3 = append(o.S3, func(so *s3.Options) { so.UsePathStyle = true })
	})
}

// formatted renders v through every fmt verb, its String method, JSON
// and both slog handlers.
func formatted(t *testing.T, v any) []string {
	t.Helper()
	out := []string{
		fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v),
		fmt.Sprintf("%s", v), fmt.Sprintf("%q", v), fmt.Sprint(v), fmt.Sprintln(v),
	}
	if s, ok := v.(fmt.Stringer); ok {
		out = append(out, s.String())
	}
	if e, ok := v.(error); ok {
		out = append(out, e.Error())
	}
	j, err := json.Marshal(v)
	if err == nil {
		out = append(out, string(j))
	}
	ji, err := json.MarshalIndent(v, "", " ")
	if err == nil {
		out = append(out, string(ji))
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, &slog.HandlerOptions{Level: slog.LevelDebug})).Info("value", "v", v, slog.Any("any", v))
	slog.New(slog.NewJSONHandler(&js, &slog.HandlerOptions{Level: slog.LevelDebug})).Info("value", "v", v, slog.Group("g", "v", v))
	return append(out, text.String(), js.String())
}

// assertNoneLeaked checks every text, counting what it checked so that
// the test cannot pass by checking nothing.
func assertNoneLeaked(t *testing.T, what string, texts []string) int {
	t.Helper()
	require.NotEmpty(t, texts, what)
	found := 0
	for _, txt := range texts {
		for _, s := range hostileSecrets {
			if strings.Contains(txt, s) {
				found++
				t.Errorf("%s: secret %q leaked in %q", what, s, txt)
			}
		}
	}
	return found
}

func secretRoleConn() Connection {
	return Connection{
		PayerAccountID: "123456789012",
		Bucket:         "acme-billing",
		Prefix:         "cur",
		ReportName:     "acme-cur",
		Credentials:    Credentials{RoleARN: "arn:aws:iam::123456789012:role/curconnect-read", ExternalID: secretExternalID},
	}
}

func secretKeyConn() Connection {
	c := secretRoleConn()
	c.Credentials = Credentials{AccessKeyID: connKeyID, SecretAccessKey: secretConnKey}
	return c
}

func TestSecretsNeverFormatted(t *testing.T) {
	bad := secretRoleConn()
	bad.Credentials.AccessKeyID = connKeyID
	bad.Credentials.SecretAccessKey = secretConnKey // both kinds: invalid
	shortSecret := secretKeyConn()
	shortSecret.Credentials.SecretAccessKey = secretConnKey[:39] // wrong length, still secret
	ctrlExt := secretRoleConn()
	ctrlExt.Credentials.ExternalID = secretExternalID + "\x00\n"
	longExt := secretRoleConn()
	longExt.Credentials.ExternalID = strings.Repeat(secretExternalID, 50) // 1,500 characters; IAM allows 1,224
	badKeyID := secretKeyConn()
	badKeyID.Credentials.AccessKeyID = "AKIA" + connKeyMiddle + "!!"

	values := map[string]any{
		"role connection":         secretRoleConn(),
		"key connection":          secretKeyConn(),
		"pointer":                 ptr(secretKeyConn()),
		"credentials":             secretKeyConn().Credentials,
		"role credentials":        secretRoleConn().Credentials,
		"credentials pointer":     ptr(secretRoleConn().Credentials),
		"slice":                   []Connection{secretRoleConn(), secretKeyConn()},
		"map":                     map[string]Connection{"a": secretKeyConn()},
		"struct field":            struct{ C Connection }{secretKeyConn()},
		"invalid both":            bad,
		"secret of wrong length":  shortSecret,
		"external ID with NUL":    ctrlExt,
		"external ID too long":    longExt,
		"access key ID malformed": badKeyID,
	}
	checked := 0
	for name, v := range values {
		texts := formatted(t, v)
		checked += len(texts)
		assertNoneLeaked(t, name, texts)
	}
	// Validation errors, for every invalid shape above.
	for name, c := range map[string]Connection{"both": bad, "short": shortSecret, "ctrl": ctrlExt, "long": longExt, "keyid": badKeyID} {
		err := c.Validate()
		require.Error(t, err, name)
		require.ErrorIs(t, err, curerr.ErrMalformed, name)
		texts := formatted(t, err)
		var fe *curerr.FieldError
		if errors.As(err, &fe) {
			texts = append(texts, formatted(t, fe)...)
		}
		checked += len(texts)
		assertNoneLeaked(t, "Validate "+name, texts)

		// Verify refuses the connection before any call, with the same
		// error, and no report.
		rep, verr := Verify(t.Context(), c, secretClients(t, &secretStub{}))
		require.ErrorIs(t, verr, curerr.ErrMalformed, name)
		assert.Nil(t, rep)
		assertNoneLeaked(t, "Verify "+name, formatted(t, verr))
	}
	t.Logf("%d renderings checked, 0 secrets found", checked)
}

func TestSecretsNeverInVerify(t *testing.T) {
	for name, conn := range map[string]Connection{"role": secretRoleConn(), "access key": secretKeyConn()} {
		t.Run(name, func(t *testing.T) {
			stub := &secretStub{}
			var text, js bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&text, &slog.HandlerOptions{Level: slog.LevelDebug}))
			jlogger := slog.New(slog.NewJSONHandler(&js, &slog.HandlerOptions{Level: slog.LevelDebug}))
			clients := secretClients(t, stub)
			rep, err := Verify(t.Context(), conn, clients, func(o *VerifyOptions) { o.Logger = logger })
			require.NoError(t, err)
			require.NotNil(t, rep)
			rep2, err := Verify(t.Context(), conn, clients, func(o *VerifyOptions) { o.Logger = jlogger })
			require.NoError(t, err)

			// The stub denied S3 and the rest: the report fails, with errors.
			require.Error(t, rep.Err())
			require.NotEmpty(t, rep.Failed())
			if name == "role" {
				assert.Positive(t, stub.assumeCalls, "AssumeRole was called")
				assert.Positive(t, stub.tokenSeen, "the session token was used on later calls")
			}

			texts := []string{text.String(), js.String()}
			require.NotEmpty(t, text.String(), "the logger received records")
			texts = append(texts, formatted(t, rep)...)
			texts = append(texts, formatted(t, *rep2)...)
			texts = append(texts, formatted(t, rep.Err())...)
			for _, c := range append(rep.Checks, rep2.Checks...) {
				texts = append(texts, formatted(t, c)...)
				texts = append(texts, c.Message, c.Remediation, c.Hint, c.Code, c.Action, c.Resource)
				if c.Err != nil {
					texts = append(texts, formatted(t, c.Err)...)
					var ce *CheckError
					if errors.As(c.Err, &ce) {
						texts = append(texts, formatted(t, ce)...)
					}
				}
			}
			for _, c := range rep.Failed() {
				texts = append(texts, formatted(t, c)...)
			}
			assertNoneLeaked(t, "Verify "+name, texts)
			t.Logf("%d renderings of the report, its checks, errors and logs: 0 secrets found", len(texts))
		})
	}
}

func ptr[T any](v T) *T { return &v }
