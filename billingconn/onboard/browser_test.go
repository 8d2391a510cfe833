package onboard_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

// artifactDir is where a test keeps its screenshots: under
// $CURCONNECT_ARTIFACTS (which .ci/run sets) when set, else a temporary
// directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("CURCONNECT_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// gatedS3 holds the manifest step's GetObject while a gate is set, so
// that the browser can be seen in the middle of a verification.
type gatedS3 struct {
	billingconn.S3API
	gate *atomic.Pointer[chan struct{}]
}

func (g gatedS3) GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if ch := g.gate.Load(); ch != nil {
		select {
		case <-*ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.S3API.GetObject(ctx, in, optFns...)
}

// sessionTenant plays the platform's authentication: a session cookie.
func sessionTenant(r *http.Request) (string, error) {
	c, err := r.Cookie("session")
	if err != nil {
		return "", onboard.ErrUnauthenticated
	}
	switch c.Value {
	case "acme-session":
		return "acme", nil
	case "globex-session":
		return "globex", nil
	}
	return "", onboard.ErrUnauthenticated
}

const (
	bTemplateBucket = "curconnect-templates"
	bTemplateURL    = "https://" + bTemplateBucket + ".s3.us-east-1.amazonaws.com/billing-read.yaml"
	bStack          = "curconnect-billing-read"
)

// TestBrowserFlow clicks the whole flow through in headless Chromium,
// against moto_server with IAM enforcement on: a customer enters settings
// (first wrongly), checks the report's definition, follows the quick-create
// link (the stack is created in moto's CloudFormation from the hosted
// template with exactly the link's parameters, as the console would), returns
// the role ARN and watches the checks pass one by one; then a wrong external
// ID and a wrong bucket (this one without JavaScript) are shown as the
// customer sees them; and a second tenant sees none of it, in pages or JSON.
// Every step's screenshot is kept under artifactDir.
func TestBrowserFlow(t *testing.T) {
	testutil.Chromium(t) // skip before starting anything else
	m := testutil.StartMoto(t)
	ctx := t.Context()
	shots := artifactDir(t)

	// moto's one account plays the customer's payer account: the billing
	// bucket with a delivered legacy report, an organization, and the
	// platform's user, which may assume roles.
	cfg := m.AWSConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{wBucket, bTemplateBucket} {
		_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		require.NoError(t, err)
	}
	_, err := curtest.Generate(ctx, curtest.S3Sink{Client: s3c, Bucket: wBucket}, curtest.Spec{Kind: curtest.LegacyCUR, Name: wReport,
		Bucket: wBucket, Prefix: wPrefix, Account: testutil.MotoAccountID, Versioning: curtest.CreateNew, Format: curtest.CSVGzip, Rows: 10, AccessTestObject: true})
	require.NoError(t, err)
	_, err = organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	require.NoError(t, err)
	iamc := iam.NewFromConfig(cfg)
	user, err := m.CreatePlatformUser(ctx)
	require.NoError(t, err)
	platform := user.Credentials()
	cfn, err := m.CloudFormation(ctx)
	require.NoError(t, err)

	// The platform: its clients reach moto (S3 signed as moto checks while
	// its auth is on); moto has no Cost Explorer, so that step is left out.
	var gate atomic.Pointer[chan struct{}]
	clients := billingconn.NewClients(m.ConfigWithCredentials(platform), func(o *billingconn.ClientOptions) {
		o.S3 = append(o.S3, func(so *s3.Options) { so.UsePathStyle = true; so.HTTPSignerV4 = testutil.MotoSigner{} })
	})
	clients.NewCostExplorer = nil
	newS3 := clients.NewS3
	clients.NewS3 = func(p aws.CredentialsProvider) billingconn.S3API { return gatedS3{newS3(p), &gate} }
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(t.TempDir(), "onboard.db")))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	store, err := onboard.NewSQLStore(ctx, db, onboard.SQLite)
	require.NoError(t, err)
	var mu sync.Mutex
	var connected []string
	h, err := onboard.New(sessionTenant, store, clients, func(o *onboard.Options) {
		// moto's IAM enforcement matches a trust policy's principal to the
		// caller's exact ARN: the platform's user.
		o.Template.TrustedPrincipal = user.ARN
		o.TemplateURL = bTemplateURL
		o.VerifyOptions = append(o.VerifyOptions, func(vo *billingconn.VerifyOptions) { vo.PropagationWait = 0 }) // moto propagates at once
		o.OnConnected = func(_ context.Context, tenant string, c onboard.Connection) {
			mu.Lock()
			defer mu.Unlock()
			connected = append(connected, tenant+"/"+c.PayerAccountID)
		}
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	// The platform hosts its template on S3: what the handler serves.
	resp, err := http.Get(srv.URL + "/template.yaml")
	require.NoError(t, err)
	tmpl, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bTemplateBucket), Key: aws.String("billing-read.yaml"), Body: strings.NewReader(string(tmpl))})
	require.NoError(t, err)

	require.NoError(t, m.EnableAuth(ctx))
	t.Cleanup(func() { _ = m.DisableAuth(context.Background()) })

	// The browser.
	browser := testutil.Browser(t, 3*time.Minute)
	b := &page{t: t, ctx: browser, dir: shots}

	// 1. The list, empty; the settings, first with mistakes.
	b.do(b.signIn(srv.URL, "acme-session"), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1")), b.shot("list-empty"))
	b.do(chromedp.Click(chromedp.CSS(`a[href="/new"]`)), chromedp.WaitVisible(chromedp.ID("payerAccountId")), b.shot("settings"))
	b.do(b.fill("1111 2222", "acme billing", "", wReport), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("error-summary")), b.shot("settings-errors"))
	assert.Equal(t, "error-summary", b.eval(`document.activeElement.id`), "the error summary takes the focus")
	assert.Contains(t, b.text("#payerAccountId-error"), "12-digit")
	assert.Contains(t, b.text("#bucket-error"), "not a valid S3 bucket name")
	assert.Contains(t, b.text("#prefix-error"), "optima needs the report under a prefix")
	b.do(b.fill(testutil.MotoAccountID, wBucket, wPrefix, wReport), chromedp.Click(chromedp.ID("profile-optima")),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("state")))
	pageURL := b.location()
	require.Regexp(t, `/c/[a-z2-7]{26}$`, pageURL)
	firstID := pageURL[strings.LastIndex(pageURL, "/")+1:]
	assert.Equal(t, "Pending: not verified yet", b.text("#state-text"))
	b.do(b.shot("connection-pending"))

	// 2. The report: a definition with a wrong setting gets its exact fix;
	// the corrected one passes and feeds the report-definition check.
	def := func(timeUnit string) string {
		return `{"ReportDefinitions": [{"ReportName": "acme-cur", "TimeUnit": "` + timeUnit + `", "Format": "textORcsv", "Compression": "GZIP", ` +
			`"AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "acme-billing", "S3Prefix": "cur", "S3Region": "us-east-1", ` +
			`"RefreshClosedReports": true, "ReportVersioning": "CREATE_NEW_REPORT"}]}`
	}
	b.do(chromedp.SetValue(chromedp.ID("definition"), def("DAILY")), chromedp.Click(chromedp.CSS(`#report form button`)),
		b.waitText("#definition-result", "needs changes"), chromedp.ScrollIntoView(chromedp.ID("report")), b.shot("report-findings"))
	assert.Contains(t, b.text("#definition-result"), "optima needs TimeUnit HOURLY")
	assert.Contains(t, b.text("#definition-result"), `"TimeUnit": "HOURLY"`)
	assert.Contains(t, b.text("#definition-result"), "aws cur put-report-definition --region us-east-1 --cli-input-json file://fix.json")
	b.do(chromedp.SetValue(chromedp.ID("definition"), def("HOURLY")), chromedp.Click(chromedp.CSS(`#report form button`)),
		b.waitText("#definition-result", "has the settings optima needs"))

	// 3. The quick-create link: the console creates the stack from the
	// hosted template with exactly the link's parameters.
	link := b.attr("#quick-create", "href")
	tmplURL, params := quickCreateParams(t, link)
	assert.Equal(t, bTemplateURL, tmplURL)
	stored, err := store.Get(ctx, "acme", firstID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"BucketName": wBucket, "ReportPrefix": wPrefix, "ExternalId": stored.ExternalID}, params)
	createStack := func(params map[string]string) string {
		t.Helper()
		require.NoError(t, m.DisableAuth(ctx)) // the customer's console session, not the platform
		defer func() { require.NoError(t, m.EnableAuth(ctx)) }()
		require.NoError(t, cfn.CreateStack(ctx, bStack, tmplURL, params))
		st, err := cfn.WaitStack(ctx, bStack)
		require.NoError(t, err)
		require.Equal(t, "CREATE_COMPLETE", st.StackStatus, "%s\n%s", st.StackStatusReason, m.Output())
		return st.Output(iampolicy.OutputRoleARN)
	}
	roleARN := createStack(params)
	derived, err := iampolicy.RoleARN("", testutil.MotoAccountID, iampolicy.DefaultRoleName)
	require.NoError(t, err)
	assert.Equal(t, derived, roleARN, "the page's derived ARN is the stack's")

	// 4. The role ARN back, and the checks as they run: the manifest step
	// is held until the screenshot of the running checks is taken.
	hold := make(chan struct{})
	gate.Store(&hold)
	b.do(chromedp.Clear(chromedp.ID("roleArn")), chromedp.SendKeys(chromedp.ID("roleArn"), roleARN),
		chromedp.Click(chromedp.ID("verify-button")),
		chromedp.WaitVisible(chromedp.CSS(`li[data-check="manifest"].check-running`)),
		chromedp.ScrollIntoView(chromedp.ID("checks")), b.shot("checks-running"))
	assert.Equal(t, "Verifying", b.text("#state-text"))
	assert.Equal(t, 4, b.count(`#check-list .check-pass`), "the first steps passed while the manifest step runs")
	assert.Equal(t, 1, b.count(`#check-list .check-running`))
	assert.Contains(t, b.textContent("#live"), "The role lists the report prefix: passed.")
	gate.Store(nil)
	close(hold)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#state-text.state-connected`)), b.shot("connected"))
	assert.Equal(t, 7, b.count(`#check-list .check-pass`), "credentials, assume-role, bucket-region, list-prefix, manifest, organizations, report-definition")
	assert.Equal(t, "Connected: every check passed.", b.textContent("#live"))
	here, _, _ := strings.Cut(b.location(), "#")
	assert.Equal(t, pageURL, here, "the script verified in place: no form post")
	mu.Lock()
	assert.Equal(t, []string{"acme/" + testutil.MotoAccountID}, connected)
	mu.Unlock()

	// 5. The wrong external ID: a second connection, whose customer pastes
	// the role of the first stack instead of creating one from its own link.
	b.do(chromedp.Navigate(srv.URL+"/new"), chromedp.WaitVisible(chromedp.ID("payerAccountId")),
		b.fill(testutil.MotoAccountID, wBucket, wPrefix, wReport), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("state")),
		chromedp.Clear(chromedp.ID("roleArn")), chromedp.SendKeys(chromedp.ID("roleArn"), roleARN),
		chromedp.Click(chromedp.ID("verify-button")), chromedp.WaitVisible(chromedp.CSS(`#state-text.state-failing`)),
		chromedp.ScrollIntoView(chromedp.ID("checks")), b.shot("wrong-external-id"))
	assert.Equal(t, "Failed", b.text(`li[data-check="assume-role"] .badge`))
	assert.Contains(t, b.text(`li[data-check="assume-role"] .remediation`), "external ID")
	assert.Equal(t, "Skipped", b.text(`li[data-check="manifest"] .badge`))
	assert.Contains(t, b.text(`li[data-check="assume-role"] .check-note`), "trusts that link's external ID")
	assert.Contains(t, b.textContent("#live"), "Failing: action needed")

	// 6. A bucket that does not exist, in a browser without JavaScript: the
	// form posts and the page comes back finished. The old stack is deleted
	// and one is created from this connection's link.
	b.do(b.scripts(false),
		chromedp.Navigate(srv.URL+"/new"), chromedp.WaitVisible(chromedp.ID("payerAccountId")),
		b.fill(testutil.MotoAccountID, "acme-billing-old", wPrefix, wReport), chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("quick-create")))
	_, params = quickCreateParams(t, b.attr("#quick-create", "href"))
	// The customer deletes the first stack. moto's DeleteStack deletes the
	// role before detaching its managed policy, which IAM refuses; detach
	// it first.
	require.NoError(t, m.DisableAuth(ctx))
	attached, err := iamc.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(iampolicy.DefaultRoleName)})
	require.NoError(t, err)
	for _, p := range attached.AttachedPolicies {
		_, err := iamc.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(iampolicy.DefaultRoleName), PolicyArn: p.PolicyArn})
		require.NoError(t, err)
	}
	require.NoError(t, cfn.DeleteStack(ctx, bStack))
	require.NoError(t, m.EnableAuth(ctx))
	roleARN = createStack(params)
	b.do(chromedp.SetValue(chromedp.ID("roleArn"), roleARN), chromedp.Click(chromedp.ID("verify-button")),
		chromedp.WaitVisible(chromedp.CSS(`li[data-check="bucket-region"]`)), chromedp.WaitVisible(chromedp.CSS(`#state-text.state-failing`)),
		b.shot("bad-bucket-no-javascript"))
	assert.True(t, strings.HasSuffix(b.location(), "#checks"), "the form posted and was redirected: %s", b.location())
	assert.Equal(t, "Passed", b.text(`li[data-check="assume-role"] .badge`))
	assert.Equal(t, "Failed", b.text(`li[data-check="bucket-region"] .badge`))
	assert.Contains(t, b.text(`li[data-check="bucket-region"]`), "acme-billing-old")
	assert.Contains(t, b.text(`li[data-check="bucket-region"] .remediation`), "Check the bucket name")
	b.do(b.scripts(true))

	// 7. The tenant's list: three payer-account connections and their state.
	b.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("table.connections")), b.shot("list"))
	assert.Equal(t, 3, b.count("table.connections tbody tr"))
	assert.Equal(t, 1, b.count("table.connections .state-connected"))
	assert.Equal(t, 2, b.count("table.connections .state-failing"))

	// 8. Another tenant sees nothing of it: the list, the page, the JSON API.
	b.do(b.signIn(srv.URL, "globex-session"), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1")), b.shot("second-tenant-list"))
	assert.Contains(t, b.text("main"), "No payer account is connected yet.")
	b.do(chromedp.Navigate(srv.URL+"/c/"+firstID), chromedp.WaitVisible(chromedp.CSS("h1")), b.shot("second-tenant-page"))
	assert.Equal(t, "Not Found", b.text("h1"))
	status, err := chromedp.Run(browser, chromedp.Evaluate[[]int](`Promise.all([
		fetch('/api/connections/`+firstID+`').then(r => r.status),
		fetch('/api/connections/`+firstID+`/role', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{"roleArn": ""}'}).then(r => r.status),
		fetch('/api/connections').then(r => r.json()).then(j => j.connections.length)])`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	assert.Equal(t, []int{http.StatusNotFound, http.StatusNotFound, 0}, status, "the browser's own API calls, as globex")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/connections/"+firstID, nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "globex-session"})
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	got, err := store.Get(ctx, "acme", firstID)
	require.NoError(t, err)
	assert.Equal(t, onboard.StateConnected, got.State, "untouched by the other tenant")
	t.Logf("screenshots: %s", shots)
}

// page drives the browser's tab for a test, and keeps its screenshots.
type page struct {
	t   *testing.T
	ctx context.Context
	dir string
	n   int
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.ctx, steps...))
}

// shot saves a screenshot of the whole page as NN-name.png.
func (p *page) shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		p.n++
		return os.WriteFile(filepath.Join(p.dir, fmt.Sprintf("%02d-%s.png", p.n, name)), png, 0o644)
	})
}

// signIn sets the platform's session cookie.
func (p *page) signIn(url, session string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		httpOnly := true
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: "session", Value: session, URL: url, HTTPOnly: &httpOnly})
		return err
	})
}

// scripts turns the page's JavaScript on or off.
func (p *page) scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// fill types the settings into the new-connection form.
func (p *page) fill(payer, bucket, prefix, report string) chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for _, f := range [][2]string{{"payerAccountId", payer}, {"bucket", bucket}, {"prefix", prefix}, {"reportName", report}} {
		steps = append(steps, chromedp.Clear(chromedp.ID(f[0])))
		if f[1] != "" {
			steps = append(steps, chromedp.SendKeys(chromedp.ID(f[0]), f[1]))
		}
	}
	return chromedp.Steps(steps...)
}

// waitText waits until the element sel holds the text part (a page that
// a form post replaces holds the same elements before and after).
func (p *page) waitText(sel, part string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, part)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(30 * time.Second)
		for {
			// While the page navigates, evaluating fails: try again.
			ok, err := chromedp.Evaluate[bool](js)(ctx, t)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s never held %q (last error: %v)", sel, part, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(p.t, err, sel)
	return s
}

// textContent reads an element that may be visually hidden (the live
// region).
func (p *page) textContent(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector(`+fmt.Sprintf("%q", sel)+`).textContent`))
	require.NoError(p.t, err, sel)
	return s
}

func (p *page) attr(sel, name string) string {
	p.t.Helper()
	a, err := chromedp.Run(p.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	require.NoError(p.t, err, sel)
	require.True(p.t, a.Exists, "%s has no %s", sel, name)
	return a.Value
}

func (p *page) location() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Location())
	require.NoError(p.t, err)
	return s
}

func (p *page) eval(js string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	require.NoError(p.t, err, js)
	return s
}

// count counts the elements sel matches.
func (p *page) count(sel string) int {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+fmt.Sprintf("%q", sel)+`).length`))
	require.NoError(p.t, err, sel)
	return n
}
