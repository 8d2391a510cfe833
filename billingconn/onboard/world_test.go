package onboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/iampolicy"
)

const (
	wPayer    = "111122223333"
	wBucket   = "acme-billing"
	wPrefix   = "cur"
	wReport   = "acme-cur"
	wPlatform = "arn:aws:iam::451234325714:user/platform"
)

// fakeSTS plays the customer's account: AssumeRole succeeds for the
// template's role once a stack "exists" for the external ID (stack), and
// is refused otherwise, as STS refuses a wrong external ID.
type fakeSTS struct {
	mu       sync.Mutex
	stacks   map[string]bool // external IDs the role trusts
	calls    int
	block    chan struct{} // if set, AssumeRole waits on it
	entered  chan struct{} // if set, AssumeRole signals it started
	roleName string
}

func (f *fakeSTS) stack(externalID string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stacks[externalID] = ok
}

func (f *fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Arn: aws.String(wPlatform), Account: aws.String("451234325714"), UserId: aws.String("AIDAPLATFORM")}, nil
}

func (f *fakeSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	f.mu.Lock()
	f.calls++
	block, entered := f.block, f.entered
	ok := f.stacks[aws.ToString(in.ExternalId)]
	f.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	want, _ := iampolicy.RoleARN("", wPayer, f.roleName)
	if aws.ToString(in.RoleArn) != want || !ok {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: " + wPlatform + " is not authorized to perform: sts:AssumeRole on resource: " + aws.ToString(in.RoleArn)}
	}
	exp := time.Now().Add(time.Hour)
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{AccessKeyId: aws.String("ASIAROLESESSION00001"),
		SecretAccessKey: aws.String("role-session-secret-role-session-secret0"), SessionToken: aws.String("role-session-token"), Expiration: &exp}}, nil
}

// world is a handler over an in-memory S3 holding one delivered legacy
// report, a fake STS and a chosen store.
type world struct {
	t      *testing.T
	srv    *httptest.Server
	h      *onboard.Handler
	sts    *fakeSTS
	store  onboard.Store
	logs   *bytes.Buffer
	logMu  sync.Mutex
	mu     sync.Mutex
	events []string // OnConnected calls: tenant/id
	now    time.Time
	nowMu  sync.Mutex
	s3     *curtest.Server
}

type lockedBuf struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func newWorld(t *testing.T, optFns ...func(*onboard.Options)) *world {
	t.Helper()
	return newWorldStore(t, onboard.NewMemoryStore(), optFns...)
}

func newWorldStore(t *testing.T, store onboard.Store, optFns ...func(*onboard.Options)) *world {
	t.Helper()
	s3srv, err := curtest.NewServer(wBucket)
	require.NoError(t, err)
	t.Cleanup(s3srv.Close)
	_, err = s3srv.Generate(t.Context(), curtest.Spec{Kind: curtest.LegacyCUR, Name: wReport, Bucket: wBucket, Prefix: wPrefix, Account: wPayer,
		Versioning: curtest.CreateNew, Format: curtest.CSVGzip, Rows: 5, AccessTestObject: true})
	require.NoError(t, err)
	w := &world{t: t, sts: &fakeSTS{stacks: map[string]bool{}, roleName: iampolicy.DefaultRoleName}, logs: &bytes.Buffer{}, s3: s3srv,
		now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	w.store = store
	clients := billingconn.Clients{
		Credentials: credentials.NewStaticCredentialsProvider("AKIAPLATFORMEXAMPLE1", "platform-secret-platform-secret-platfor", ""),
		NewSTS:      func(aws.CredentialsProvider) billingconn.STSAPI { return w.sts },
		NewS3: func(p aws.CredentialsProvider) billingconn.S3API {
			return s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: p,
				RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
				ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}, func(o *s3.Options) {
				o.BaseEndpoint = aws.String(s3srv.URL)
				o.UsePathStyle = true
			})
		},
	}
	h, err := onboard.New(headerTenant, w.store, clients, append([]func(*onboard.Options){func(o *onboard.Options) {
		o.Template.TrustedPrincipal = wPlatform
		o.Logger = slog.New(slog.NewJSONHandler(lockedBuf{&w.logMu, w.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.MinVerifyInterval = -1
		o.Now = w.clock
		o.VerifyOptions = append(o.VerifyOptions, func(vo *billingconn.VerifyOptions) { vo.PropagationWait = 0 })
		o.OnConnected = func(_ context.Context, tenant string, c onboard.Connection) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.events = append(w.events, tenant+"/"+c.ID)
		}
	}}, optFns...)...)
	require.NoError(t, err)
	w.h = h
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) clock() time.Time {
	w.nowMu.Lock()
	defer w.nowMu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.nowMu.Lock()
	defer w.nowMu.Unlock()
	w.now = w.now.Add(d)
}

func (w *world) connectedEvents() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.events...)
}

func (w *world) logText() string {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	return w.logs.String()
}

// headerTenant is the tests' stand-in for a platform's authentication.
func headerTenant(r *http.Request) (string, error) {
	if t := r.Header.Get("X-Tenant"); t != "" {
		return t, nil
	}
	return "", onboard.ErrUnauthenticated
}

// do sends a request as tenant (none if empty) and returns the response
// and its body.
func (w *world) do(method, path, tenant, contentType string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	w.t.Helper()
	req, err := http.NewRequestWithContext(w.t.Context(), method, w.srv.URL+path, body)
	require.NoError(w.t, err)
	if tenant != "" {
		req.Header.Set("X-Tenant", tenant)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(w.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(w.t, err)
	return resp, data
}

func (w *world) postJSON(path, tenant string, v any, hdr ...string) (*http.Response, []byte) {
	w.t.Helper()
	var body io.Reader
	switch x := v.(type) {
	case string:
		body = strings.NewReader(x)
	default:
		j, err := json.Marshal(v)
		require.NoError(w.t, err)
		body = bytes.NewReader(j)
	}
	return w.do(http.MethodPost, path, tenant, "application/json", body, hdr...)
}

// strict decodes data into v, refusing fields v does not have: the
// contract lists every field.
func strict(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), "%s", data)
}
