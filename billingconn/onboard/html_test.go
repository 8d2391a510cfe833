package onboard_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/iampolicy"
)

func (w *world) postForm(path, tenant string, v url.Values) (*http.Response, string) {
	w.t.Helper()
	resp, body := w.do(http.MethodPost, path, tenant, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	return resp, string(body)
}

func (w *world) get(path, tenant string) (*http.Response, string) {
	w.t.Helper()
	resp, body := w.do(http.MethodGet, path, tenant, "", nil)
	return resp, string(body)
}

// inputTag returns the <input> element with the given id.
func inputTag(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<input[^>]*\sid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(page)
	require.NotEmpty(t, m, "no input #%s in\n%s", id, page)
	return m
}

// TestFormsWithoutJavaScript walks the flow with plain form posts, as a
// browser without JavaScript does: every error next to its field, every
// success a redirect to the connection's page.
func TestFormsWithoutJavaScript(t *testing.T) {
	w := newWorld(t)

	resp, page := w.get("/new", "acme")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, id := range []string{"payerAccountId", "bucket", "prefix", "reportName"} {
		assert.Contains(t, page, `<label for="`+id+`">`, "every input has its label")
		assert.Contains(t, inputTag(t, page, id), `aria-describedby="`+id+`-hint"`)
	}
	assert.Contains(t, page, `<legend>Which platform reads the report?</legend>`)
	assert.Contains(t, page, `id="profile-optima" name="profile" value="optima" checked`)
	assert.NotContains(t, page, "externalId", "the form has no external ID field")

	// Wrong values: 400, the error summary linking to each field, and each
	// error next to its field, which keeps the value typed.
	bad := url.Values{"payerAccountId": {"1234 5678"}, "bucket": {"acme billing"}, "prefix": {""}, "reportName": {"acme cur"}, "profile": {"optima"}}
	resp, page = w.postForm("/new", "acme", bad)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, `<div class="error-summary" id="error-summary" role="alert" tabindex="-1"`)
	for _, id := range []string{"payerAccountId", "bucket", "prefix", "reportName"} {
		assert.Contains(t, page, `<a href="#`+id+`">`, "the summary links to %s", id)
		assert.Contains(t, page, `<p class="field-error" id="`+id+`-error">`)
		tag := inputTag(t, page, id)
		assert.Contains(t, tag, `aria-invalid="true"`, id)
		assert.Contains(t, tag, `aria-describedby="`+id+`-hint `+id+`-error"`, id)
	}
	assert.Contains(t, inputTag(t, page, "bucket"), `value="acme billing"`)
	assert.Contains(t, page, `<a href="#prefix">optima needs the report under a prefix`, "the summary says what is wrong")

	// Good values, and an external ID the browser tries to choose: ignored.
	good := url.Values{"payerAccountId": {"1111-2222-3333"}, "bucket": {wBucket}, "prefix": {wPrefix}, "reportName": {wReport}, "profile": {"optima"},
		"externalId": {"chosen-by-the-browser"}}
	resp, _ = w.postForm("/new", "acme", good)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.Regexp(t, `^/c/[a-z2-7]{26}$`, loc)
	id := strings.TrimPrefix(loc, "/c/")
	stored, err := w.store.Get(t.Context(), "acme", id)
	require.NoError(t, err)
	assert.Equal(t, wPayer, stored.PayerAccountID, "the console's dashes are dropped")
	assert.NotEqual(t, "chosen-by-the-browser", stored.ExternalID)
	assert.Len(t, stored.ExternalID, 26)

	resp, page = w.get(loc, "acme")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
	assert.Contains(t, page, "Pending: not verified yet")
	link := regexp.MustCompile(`<a class="button" id="quick-create" href="([^"]+)"`).FindStringSubmatch(page)
	require.Len(t, link, 2)
	_, params := quickCreateParams(t, html.UnescapeString(link[1]))
	assert.Equal(t, map[string]string{"BucketName": wBucket, "ReportPrefix": wPrefix, "ExternalId": stored.ExternalID}, params)
	assert.Contains(t, page, `rel="noopener noreferrer"`)
	assert.Contains(t, page, "On AWS the template must be hosted on S3")
	derived, _ := iampolicy.RoleARN("", wPayer, iampolicy.DefaultRoleName)
	assert.Contains(t, inputTag(t, page, "roleArn"), `value="`+derived+`"`, "the derived role ARN is filled in")
	assert.Contains(t, page, `role="status" aria-live="polite"`)
	assert.Contains(t, html.UnescapeString(page), `"ReportVersioning": "CREATE_NEW_REPORT"`, "the report optima needs")
	assert.NotContains(t, html.UnescapeString(page), `null`)

	// A role in another account: 400, next to the field.
	resp, page = w.postForm(loc+"/verify", "acme", url.Values{"roleArn": {"arn:aws:iam::999988887777:role/curconnect-billing-read"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, `<p class="field-error" id="roleArn-error">`)
	assert.Contains(t, page, "This role is in account 999988887777, but the payer account is 111122223333")
	assert.Contains(t, inputTag(t, page, "roleArn"), `value="arn:aws:iam::999988887777:role/curconnect-billing-read"`)

	// Before the stack exists: the verification runs and the page shows
	// the failure with the customer's remediation (and not the hint).
	resp, _ = w.postForm(loc+"/verify", "acme", url.Values{"roleArn": {derived}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, loc+"#checks", resp.Header.Get("Location"))
	_, page = w.get(loc, "acme")
	assert.Contains(t, page, "Failing: action needed")
	assert.Contains(t, page, `<li class="check check-fail" data-check="assume-role">`)
	assert.Contains(t, page, "What to do:")
	assert.NotContains(t, page, "Clients.Credentials", "developer hints stay out of the customer's page")

	// The stack is created; verify again.
	w.sts.stack(stored.ExternalID, true)
	resp, _ = w.postForm(loc+"/verify", "acme", url.Values{"roleArn": {derived}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = w.get(loc, "acme")
	assert.Contains(t, page, "Connected: data flows")
	assert.Equal(t, 5, strings.Count(page, `class="check check-pass"`))
	assert.Contains(t, page, "Every check passed.")

	// The list shows it, with its state.
	_, page = w.get("/", "acme")
	assert.Contains(t, page, `<a href="/c/`+id+`">111122223333</a>`)
	assert.Contains(t, page, `<span class="state state-connected">Connected: data flows</span>`)

	// Another tenant: not found, and nothing of the connection shown.
	resp, page = w.get(loc, "globex")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.NotContains(t, page, stored.ExternalID)
	_, page = w.get("/", "globex")
	assert.NotContains(t, page, id)
	resp, _ = w.postForm(loc+"/verify", "globex", url.Values{"roleArn": {derived}})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = w.postForm(loc+"/delete", "globex", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = w.postForm(loc+"/definition", "globex", url.Values{"definition": {"{}"}})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	// Removing it.
	resp, _ = w.postForm(loc+"/delete", "acme", nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = w.get(loc, "acme")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestFormRateLimit(t *testing.T) {
	w := newWorld(t, func(o *onboard.Options) { o.MinVerifyInterval = time.Minute })
	c := w.create("acme")
	resp, _ := w.postForm("/c/"+c.ID+"/verify", "acme", url.Values{"roleArn": {""}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	w.advance(15 * time.Second)
	resp, page := w.postForm("/c/"+c.ID+"/verify", "acme", url.Values{"roleArn": {""}})
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "45", resp.Header.Get("Retry-After"))
	assert.Contains(t, page, `<div class="notice" id="notice" role="alert">This connection was verified moments ago. Verify again in 45 seconds.</div>`)
}

func TestDefinitionForm(t *testing.T) {
	w := newWorld(t)
	c := w.create("acme")
	loc := "/c/" + c.ID
	resp, page := w.postForm(loc+"/definition", "acme", url.Values{"definition": {"not json"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, `<p class="field-error" id="definition-error">`)
	assert.Contains(t, page, "not json</textarea>", "the pasted text is kept")

	def := `{"ReportName": "acme-cur", "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "GZIP", "S3Bucket": "acme-billing", "S3Prefix": "cur", "S3Region": "us-east-1", "ReportVersioning": "CREATE_NEW_REPORT"}`
	resp, _ = w.postForm(loc+"/definition", "acme", url.Values{"definition": {def}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, loc+"#report", resp.Header.Get("Location"))
	_, page = w.get(loc, "acme")
	assert.Contains(t, page, "Report acme-cur needs changes")
	assert.Contains(t, page, "optima needs TimeUnit HOURLY")
	assert.Contains(t, page, "The exact fix")
	assert.Contains(t, page, "aws cur put-report-definition")
	assert.Contains(t, page, `&#34;TimeUnit&#34;: &#34;HOURLY&#34;`)

	resp, page = w.postForm(loc+"/definition", "acme", url.Values{"definition": {strings.Replace(def, "acme-cur", "other-report", 1)}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, "This holds other-report, not report acme-cur")
}

// TestMountedUnderPrefix: a platform mounts the handler on its own mux
// under a path, with its own templates, stylesheet and title.
func TestMountedUnderPrefix(t *testing.T) {
	w := newWorld(t)
	store := onboard.NewMemoryStore()
	h, err := onboard.New(headerTenant, store, billingconn.Clients{
		NewSTS: func(aws.CredentialsProvider) billingconn.STSAPI { return w.sts },
		NewS3:  func(aws.CredentialsProvider) billingconn.S3API { return nil },
	}, func(o *onboard.Options) {
		o.Prefix = "/onboarding"
		o.Template.TrustedPrincipal = "451234325714"
		o.TemplateURL = "https://acme-templates.s3.us-east-1.amazonaws.com/curconnect.yaml"
		o.Title = "Acme Cloud Costs"
		o.Stylesheets = []string{"https://cdn.acme.example/brand.css"}
		o.Templates = fstest.MapFS{"brand.tmpl": {Data: []byte(`{{define "brand"}}<p class="acme-logo">Acme Cloud Costs</p>{{end}}`)}}
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/onboarding/", h)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("the platform's own page")) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	get := func(path string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("X-Tenant", "acme")
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp, b.String()
	}
	resp, page := get("/onboarding/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `<p class="acme-logo">Acme Cloud Costs</p>`, "the platform's brand template")
	assert.Contains(t, page, `<link rel="stylesheet" href="/onboarding/static/onboard.css">`+"\n"+`<link rel="stylesheet" href="https://cdn.acme.example/brand.css">`)
	assert.Contains(t, page, `<title>Your AWS payer accounts · Acme Cloud Costs</title>`)
	assert.Contains(t, page, `href="/onboarding/new"`)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "style-src 'self' https://cdn.acme.example;")
	resp, _ = get("/onboarding/static/onboard.js")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = get("/onboarding")
	assert.Equal(t, 3, resp.StatusCode/100)
	assert.Equal(t, "/onboarding/", resp.Header.Get("Location"))
	_, page = get("/elsewhere")
	assert.Equal(t, "the platform's own page", page)

	c, err := store.Create(t.Context(), onboard.Connection{ID: "c1", Tenant: "acme", Profile: "eco", PayerAccountID: wPayer, Bucket: wBucket, Prefix: "cur", ReportName: wReport, ExternalID: "EXTERNAL0000000000000000001", State: onboard.StatePending})
	require.NoError(t, err)
	_, page = get("/onboarding/c/" + c.ID)
	assert.Contains(t, page, `action="/onboarding/c/c1/verify"`)
	assert.Contains(t, page, `data-api="/onboarding/api/connections/c1/role"`)
	assert.Contains(t, page, "templateURL=https%3A%2F%2Facme-templates.s3.us-east-1.amazonaws.com%2Fcurconnect.yaml")
	assert.NotContains(t, page, "On AWS the template must be hosted on S3", "a hosted template needs no note")
	assert.Contains(t, html.UnescapeString(page), `"AdditionalArtifacts": [`, "eco's report has the Athena artifact")
}

func TestNewRefusesBadOptions(t *testing.T) {
	clients := billingconn.Clients{
		NewSTS: func(aws.CredentialsProvider) billingconn.STSAPI { return nil },
		NewS3:  func(aws.CredentialsProvider) billingconn.S3API { return nil },
	}
	for name, tc := range map[string]struct {
		tenant  onboard.TenantFunc
		store   onboard.Store
		clients billingconn.Clients
		opt     func(*onboard.Options)
		want    string
	}{
		"no tenant":            {nil, onboard.NewMemoryStore(), clients, func(o *onboard.Options) { o.Template.TrustedPrincipal = "451234325714" }, "tenant"},
		"no store":             {headerTenant, nil, clients, func(o *onboard.Options) { o.Template.TrustedPrincipal = "451234325714" }, "store"},
		"no clients":           {headerTenant, onboard.NewMemoryStore(), billingconn.Clients{}, func(o *onboard.Options) { o.Template.TrustedPrincipal = "451234325714" }, "clients"},
		"no trusted principal": {headerTenant, onboard.NewMemoryStore(), clients, func(*onboard.Options) {}, "TrustedPrincipal"},
		"wildcard principal":   {headerTenant, onboard.NewMemoryStore(), clients, func(o *onboard.Options) { o.Template.TrustedPrincipal = "*" }, "template"},
		"http template URL": {headerTenant, onboard.NewMemoryStore(), clients, func(o *onboard.Options) {
			o.Template.TrustedPrincipal = "451234325714"
			o.TemplateURL = "http://templates.example/t.yaml"
		}, "templateURL"},
		"bad prefix": {headerTenant, onboard.NewMemoryStore(), clients, func(o *onboard.Options) {
			o.Template.TrustedPrincipal = "451234325714"
			o.Prefix = "onboarding"
		}, "Prefix"},
		"bad template": {headerTenant, onboard.NewMemoryStore(), clients, func(o *onboard.Options) {
			o.Template.TrustedPrincipal = "451234325714"
			o.Templates = fstest.MapFS{"x.tmpl": {Data: []byte(`{{define "brand"}}{{.Nope`)}}
		}, "Options.Templates"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := onboard.New(tc.tenant, tc.store, tc.clients, tc.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestServedTemplateURL: without Options.TemplateURL, the link loads the
// handler's own template, over plain http only on a loopback host (a
// local demo); elsewhere the page is behind TLS, if only at a proxy.
func TestServedTemplateURL(t *testing.T) {
	w := newWorld(t)
	for host, want := range map[string]string{
		"onboard.acme.example":  "https://onboard.acme.example/template.yaml",
		"10.0.0.7:8080":         "https://10.0.0.7:8080/template.yaml",
		"127.0.0.1:8080":        "http://127.0.0.1:8080/template.yaml",
		"localhost:8080":        "http://localhost:8080/template.yaml",
		"[::1]:8080":            "http://[::1]:8080/template.yaml",
		"127.0.0.1.example.com": "https://127.0.0.1.example.com/template.yaml",
	} {
		req := httptest.NewRequest(http.MethodPost, "/api/connections", strings.NewReader(`{"payerAccountId": "111122223333", "bucket": "acme-billing", "prefix": "cur", "reportName": "acme-cur", "profile": "optima"}`))
		req.Host = host
		req.Header.Set("X-Tenant", "acme")
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusCreated, rec.Code, "%s: %s", host, rec.Body)
		var c created
		strict(t, rec.Body.Bytes(), &c)
		got, _ := quickCreateParams(t, c.QuickCreateURL)
		assert.Equal(t, want, got, host)
	}
}
