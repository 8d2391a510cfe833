package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/internal/testutil"
)

// syncBuffer is a bytes.Buffer safe for the program's goroutine and the
// test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var openRE = regexp.MustCompile(`onboard: open (http://127\.0\.0\.1:\d+)/`)

// program is examples/onboard running in-process.
type program struct {
	URL            string
	stdout, stderr *syncBuffer
	stop           func() error
}

// start runs the program with args (and -addr 127.0.0.1:0) until the test
// ends or stop is called, and waits until it listens.
func start(t *testing.T, args ...string) *program {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &program{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), p.stdout, p.stderr) }()
	var once sync.Once
	var runErr error
	p.stop = func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() { _ = p.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := openRE.FindStringSubmatch(p.stdout.String()); m != nil {
			p.URL = m[1]
			return p
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("the program stopped: %v\nstdout: %s\nstderr: %s", err, p.stdout, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("the program did not listen: %s %s", p.stdout, p.stderr)
	return nil
}

// call sends a JSON request as tenant (the -tenant default when empty) and
// decodes the answer into out, if given.
func (p *program) call(t *testing.T, method, path, tenant string, body any, out any, hdr ...string) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, p.URL+path, r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if tenant != "" {
		req.Header.Set("X-Tenant", tenant)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(out), "%s", data)
	}
	return resp.StatusCode
}

type created struct {
	ID             string `json:"id"`
	ExternalID     string `json:"externalId"`
	QuickCreateURL string `json:"quickCreateUrl"`
	State          string `json:"state"`
}

type check struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Code        string `json:"code"`
	Message     string `json:"message"`
	Remediation string `json:"remediation"`
	Retryable   bool   `json:"retryable"`
	Hint        string `json:"hint"`
}

type verified struct {
	ID     string  `json:"id"`
	State  string  `json:"state"`
	Checks []check `json:"checks"`
}

type listItem struct {
	ID             string `json:"id"`
	PayerAccountID string `json:"payerAccountId"`
	Bucket         string `json:"bucket"`
	Prefix         string `json:"prefix"`
	ReportName     string `json:"reportName"`
	State          string `json:"state"`
}

type list struct {
	Connections []listItem `json:"connections"`
}

func settings(bucket, prefix string) map[string]string {
	return map[string]string{"payerAccountId": demoPayer, "bucket": bucket, "prefix": prefix, "reportName": demoReport, "profile": "optima"}
}

// TestDemo: with no -endpoint the program runs on the embedded S3, and the
// JSON API of DESIGN.md works end to end: a connection that passes, one
// whose bucket is wrong, one waiting for its first delivery, and a second
// tenant that sees none of them.
func TestDemo(t *testing.T) {
	p := start(t, "-db", "sqlite:"+filepath.Join(t.TempDir(), "onboard.db"))
	assert.Contains(t, p.stdout.String(), "no AWS account is used")

	var c created
	require.Equal(t, http.StatusCreated, p.call(t, http.MethodPost, "/api/connections", "", settings(demoBucket, demoPrefix), &c))
	assert.Equal(t, "pending", c.State)
	assert.Contains(t, c.QuickCreateURL, "templateURL="+strings.ReplaceAll(strings.ReplaceAll(p.URL, ":", "%3A"), "/", "%2F")+"%2Ftemplate.yaml")
	var v verified
	require.Equal(t, http.StatusOK, p.call(t, http.MethodPost, "/api/connections/"+c.ID+"/role", "", map[string]string{"roleArn": ""}, &v))
	assert.Equal(t, "connected", v.State, "%+v", v.Checks)
	require.Len(t, v.Checks, 5)
	assert.Contains(t, p.stdout.String(), "onboard: tenant demo connected payer account 111122223333")

	// A bucket that does not exist: the role is assumed, the bucket is not found.
	var bad created
	require.Equal(t, http.StatusCreated, p.call(t, http.MethodPost, "/api/connections", "", settings("acme-billing-old", demoPrefix), &bad))
	require.Equal(t, http.StatusOK, p.call(t, http.MethodPost, "/api/connections/"+bad.ID+"/role", "", map[string]string{}, &v))
	assert.Equal(t, "failing", v.State)
	assert.Equal(t, "pass", v.Checks[1].Status)
	assert.Equal(t, "fail", v.Checks[2].Status)
	assert.Equal(t, "NoSuchBucket", v.Checks[2].Code)
	assert.Contains(t, v.Checks[2].Message, "acme-billing-old")
	assert.Contains(t, v.Checks[2].Remediation, "Check the bucket name")

	// A report created today: the role works, the first delivery is not there yet.
	var fresh created
	require.Equal(t, http.StatusCreated, p.call(t, http.MethodPost, "/api/connections", "", settings(demoBucket, demoFreshPrefix), &fresh))
	require.Equal(t, http.StatusOK, p.call(t, http.MethodPost, "/api/connections/"+fresh.ID+"/role", "", map[string]string{}, &v))
	assert.Equal(t, "failing", v.State)
	assert.Equal(t, "NO_DELIVERY_YET", v.Checks[4].Code)
	assert.True(t, v.Checks[4].Retryable)

	var l list
	require.Equal(t, http.StatusOK, p.call(t, http.MethodGet, "/api/connections", "", nil, &l))
	require.Len(t, l.Connections, 3)
	assert.Equal(t, listItem{ID: c.ID, PayerAccountID: demoPayer, Bucket: demoBucket, Prefix: demoPrefix, ReportName: demoReport, State: "connected"}, l.Connections[0])

	// Another tenant (X-Tenant) sees none of it.
	l = list{}
	require.Equal(t, http.StatusOK, p.call(t, http.MethodGet, "/api/connections", "globex", nil, &l))
	assert.Empty(t, l.Connections)
	assert.Equal(t, http.StatusNotFound, p.call(t, http.MethodGet, "/api/connections/"+c.ID, "globex", nil, nil))
	assert.Equal(t, http.StatusNotFound, p.call(t, http.MethodPost, "/api/connections/"+c.ID+"/role", "globex", map[string]string{}, nil))

	// A browser on another site cannot change anything.
	assert.Equal(t, http.StatusForbidden, p.call(t, http.MethodPost, "/api/connections", "", settings(demoBucket, demoPrefix), nil,
		"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"))

	// The page and the template are served.
	resp, err := http.Get(p.URL + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "Waiting for the first report delivery")
	resp, err = http.Get(p.URL + "/template.yaml")
	require.NoError(t, err)
	tmpl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(tmpl), `"arn:aws:iam::451234325714:root"`)

	require.NoError(t, p.stop(), "an interrupt stops the program cleanly")
	assert.NotContains(t, p.stderr.String(), c.ExternalID, "the log never holds an external ID")
}

// TestPostgresKeepsConnections: with -db postgres://…, a connection
// outlives the program.
func TestPostgresKeepsConnections(t *testing.T) {
	pg := testutil.StartPostgres(t)
	admin, err := sql.Open("pgx", pg.DSN("postgres"))
	require.NoError(t, err)
	_, err = admin.ExecContext(t.Context(), "CREATE DATABASE onboard_example")
	require.NoError(t, err)
	admin.Close()
	dsn := pg.DSN("onboard_example")

	p := start(t, "-db", dsn, "-tenant", "acme")
	var c created
	require.Equal(t, http.StatusCreated, p.call(t, http.MethodPost, "/api/connections", "", settings(demoBucket, demoPrefix), &c))
	require.NoError(t, p.stop())

	p = start(t, "-db", dsn, "-tenant", "acme")
	var l list
	require.Equal(t, http.StatusOK, p.call(t, http.MethodGet, "/api/connections", "", nil, &l))
	require.Len(t, l.Connections, 1)
	assert.Equal(t, c.ID, l.Connections[0].ID)
	assert.Equal(t, "pending", l.Connections[0].State)
	l = list{}
	require.Equal(t, http.StatusOK, p.call(t, http.MethodGet, "/api/connections", "demo", nil, &l))
	assert.Empty(t, l.Connections, "X-Tenant wins over -tenant")
}

// TestEndpointMoto: with -endpoint, every call goes to moto_server (its
// IAM enforcement off here; billingconn/onboard's browser test turns it
// on).
func TestEndpointMoto(t *testing.T) {
	m := testutil.StartMoto(t)
	cfg := m.AWSConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("moto-billing")})
	require.NoError(t, err)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	p := start(t, "-endpoint", m.Endpoint, "-path-style", "-trusted-account", testutil.MotoAccountID)
	assert.NotContains(t, p.stdout.String(), "embedded")
	var c created
	body := map[string]string{"payerAccountId": testutil.MotoAccountID, "bucket": "moto-billing", "prefix": "cur", "reportName": "acme-cur", "profile": "optima"}
	require.Equal(t, http.StatusCreated, p.call(t, http.MethodPost, "/api/connections", "", body, &c))
	var v verified
	require.Equal(t, http.StatusOK, p.call(t, http.MethodPost, "/api/connections/"+c.ID+"/role", "", map[string]string{}, &v))
	// With its IAM enforcement off, moto lets any caller assume any role,
	// so the checks reach the bucket, which holds no report yet.
	byID := map[string]check{}
	for _, ch := range v.Checks {
		byID[ch.ID] = ch
	}
	assert.Equal(t, "pass", byID["credentials"].Status)
	assert.Equal(t, "pass", byID["list-prefix"].Status, "%+v", byID["list-prefix"])
	assert.Equal(t, "NO_DELIVERY_YET", byID["manifest"].Code)
}

func TestBadFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown db":              {"-db", "mysql://x"},
		"sqlite without a path":   {"-db", "sqlite:"},
		"two trusted":             {"-trusted-account", "451234325714", "-trusted-principal", "arn:aws:iam::451234325714:root"},
		"bad account":             {"-trusted-account", "4512"},
		"endpoint without trust":  {"-endpoint", "http://127.0.0.1:1"},
		"aws and endpoint":        {"-aws", "-endpoint", "http://127.0.0.1:1", "-trusted-account", "451234325714"},
		"empty tenant":            {"-tenant", ""},
		"an argument":             {"extra"},
		"http template elsewhere": {"-template-url", "http://templates.example/t.yaml"},
		"bad addr":                {"-addr", "127.0.0.1:99999"},
	} {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(t.Context(), args, io.Discard, &stderr)
			require.Error(t, err)
			assert.Equal(t, exitBadInput, exitCode(err, &stderr), "%v", err)
		})
	}
	var stderr bytes.Buffer
	assert.Equal(t, exitOK, exitCode(run(t.Context(), []string{"-h"}, io.Discard, &stderr), &stderr))
	assert.Contains(t, stderr.String(), "usage: onboard")
}
