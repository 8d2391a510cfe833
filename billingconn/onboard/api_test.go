package onboard_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/iampolicy"
)

// The JSON API's shapes, exactly as DESIGN.md's contract lists them: the
// tests decode with DisallowUnknownFields.
type (
	created struct {
		ID             string `json:"id"`
		ExternalID     string `json:"externalId"`
		QuickCreateURL string `json:"quickCreateUrl"`
		State          string `json:"state"`
	}
	fieldError struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	apiErrors struct {
		Errors []fieldError `json:"errors"`
	}
	check struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		Code        string `json:"code"`
		Message     string `json:"message"`
		Remediation string `json:"remediation"`
		Retryable   bool   `json:"retryable"`
		Hint        string `json:"hint"`
	}
	verified struct {
		ID     string  `json:"id"`
		State  string  `json:"state"`
		Checks []check `json:"checks"`
	}
	listItem struct {
		ID             string `json:"id"`
		PayerAccountID string `json:"payerAccountId"`
		Bucket         string `json:"bucket"`
		Prefix         string `json:"prefix"`
		ReportName     string `json:"reportName"`
		State          string `json:"state"`
	}
	list struct {
		Connections []listItem `json:"connections"`
	}
	// one is GET /api/connections/{id}: the list item, its last checks, and
	// what a front end needs to resume the flow.
	one struct {
		listItem
		Profile        string  `json:"profile"`
		RoleARN        string  `json:"roleArn"`
		ExternalID     string  `json:"externalId"`
		QuickCreateURL string  `json:"quickCreateUrl"`
		Checks         []check `json:"checks"`
	}
)

var goodSettings = map[string]string{"payerAccountId": wPayer, "bucket": wBucket, "prefix": wPrefix, "reportName": wReport, "profile": "optima"}

func (w *world) create(tenant string) created {
	w.t.Helper()
	resp, body := w.postJSON("/api/connections", tenant, goodSettings)
	require.Equal(w.t, http.StatusCreated, resp.StatusCode, "%s", body)
	var c created
	strict(w.t, body, &c)
	return c
}

// quickCreateParams returns the param_ values of a quick-create link.
func quickCreateParams(t *testing.T, link string) (templateURL string, params map[string]string) {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	_, query, ok := strings.Cut(u.Fragment, "?")
	require.True(t, ok, link)
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	params = map[string]string{}
	for k, v := range q {
		if name, ok := strings.CutPrefix(k, "param_"); ok {
			params[name] = v[0]
		}
	}
	return q.Get("templateURL"), params
}

func TestAPIContract(t *testing.T) {
	w := newWorld(t)

	// POST /api/connections → 201 {id, externalId, quickCreateUrl, state}.
	resp, body := w.postJSON("/api/connections", "acme", goodSettings)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var c created
	strict(t, body, &c)
	assert.Equal(t, "pending", c.State)
	assert.Len(t, c.ExternalID, 26, "iampolicy.NewExternalID: 130 random bits")
	assert.NoError(t, iampolicy.ValidateExternalID(c.ExternalID))
	assert.Equal(t, "/api/connections/"+c.ID, resp.Header.Get("Location"))
	tmplURL, params := quickCreateParams(t, c.QuickCreateURL)
	assert.Equal(t, map[string]string{"BucketName": wBucket, "ReportPrefix": wPrefix, "ExternalId": c.ExternalID}, params)
	assert.Equal(t, w.srv.URL+"/template.yaml", tmplURL, "with no TemplateURL the handler serves the template")
	assert.True(t, strings.HasPrefix(c.QuickCreateURL, "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?"))
	w.advance(time.Second)

	// Two connections never share an external ID.
	c2 := w.create("acme")
	assert.NotEqual(t, c.ExternalID, c2.ExternalID)
	assert.NotEqual(t, c.ID, c2.ID)

	// GET /api/connections → {"connections": [{id, payerAccountId, bucket, prefix, reportName, state}]}.
	resp, body = w.do(http.MethodGet, "/api/connections", "acme", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var l list
	strict(t, body, &l)
	require.Len(t, l.Connections, 2)
	assert.Equal(t, listItem{ID: c.ID, PayerAccountID: wPayer, Bucket: wBucket, Prefix: wPrefix, ReportName: wReport, State: "pending"}, l.Connections[0])

	// POST …/role before the stack exists: AccessDenied at assume-role, and
	// the customer's remediation.
	resp, body = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{"roleArn": "arn:aws:iam::111122223333:role/curconnect-billing-read"})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var v verified
	strict(t, body, &v)
	assert.Equal(t, c.ID, v.ID)
	assert.Equal(t, "failing", v.State)
	require.GreaterOrEqual(t, len(v.Checks), 2)
	assert.Equal(t, check{ID: "credentials", Status: "pass", Message: v.Checks[0].Message}, v.Checks[0])
	assert.Equal(t, "assume-role", v.Checks[1].ID)
	assert.Equal(t, "fail", v.Checks[1].Status)
	assert.Equal(t, "AccessDenied", v.Checks[1].Code)
	assert.Contains(t, v.Checks[1].Remediation, "external ID")
	assert.NotEmpty(t, v.Checks[1].Hint)
	for _, ch := range v.Checks[2:] {
		assert.Equal(t, "skipped", ch.Status, ch.ID)
	}

	// The customer creates the stack; the role ARN may be left out (derived).
	w.sts.stack(c.ExternalID, true)
	resp, body = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{"roleArn": ""})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	v = verified{}
	strict(t, body, &v)
	assert.Equal(t, "connected", v.State)
	var ids []string
	for _, ch := range v.Checks {
		assert.Equal(t, "pass", ch.Status, "%s: %s", ch.ID, ch.Message)
		ids = append(ids, ch.ID)
	}
	assert.Equal(t, []string{"credentials", "assume-role", "bucket-region", "list-prefix", "manifest"}, ids)
	assert.Equal(t, []string{"acme/" + c.ID}, w.connectedEvents())

	// GET /api/connections/{id} → one, with its last checks.
	resp, body = w.do(http.MethodGet, "/api/connections/"+c.ID, "acme", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var o one
	strict(t, body, &o)
	assert.Equal(t, listItem{ID: c.ID, PayerAccountID: wPayer, Bucket: wBucket, Prefix: wPrefix, ReportName: wReport, State: "connected"}, o.listItem)
	assert.Equal(t, v.Checks, o.Checks)
	assert.Equal(t, "arn:aws:iam::111122223333:role/curconnect-billing-read", o.RoleARN)
	assert.Equal(t, c.QuickCreateURL, o.QuickCreateURL)

	// Another tenant sees none of it: 404 and an empty list.
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, "/api/connections/" + c.ID},
		{http.MethodPost, "/api/connections/" + c.ID + "/role"},
		{http.MethodPost, "/api/connections/" + c.ID + "/definition"},
		{http.MethodDelete, "/api/connections/" + c.ID},
	} {
		resp, body := w.do(req.method, req.path, "globex", "application/json", strings.NewReader(`{"roleArn": ""}`))
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s %s: %s", req.method, req.path, body)
		var e apiErrors
		strict(t, body, &e)
		assert.Equal(t, "no such connection", e.Errors[0].Message)
		assert.NotContains(t, string(body), c.ExternalID)
	}
	resp, body = w.do(http.MethodGet, "/api/connections", "globex", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"connections": []}`, string(body))
	_, body = w.do(http.MethodGet, "/api/connections/"+c.ID, "acme", "", nil)
	assert.Contains(t, string(body), `"state":"connected"`, "untouched by the other tenant")

	// DELETE by its tenant.
	resp, _ = w.do(http.MethodDelete, "/api/connections/"+c2.ID, "acme", "", nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = w.do(http.MethodGet, "/api/connections/"+c2.ID, "acme", "", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestAPIRefusesBadInput(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name   string
		body   any
		fields map[string]string // field → part of its message
	}{
		{"everything empty", map[string]string{}, map[string]string{
			"payerAccountId": "12 digits", "bucket": "bucket", "reportName": "name", "profile": "optima, eco"}},
		{"every field wrong", map[string]string{"payerAccountId": "12345", "bucket": "Acme Billing!", "prefix": "a?b", "reportName": "my report", "profile": "cloudability"},
			map[string]string{"payerAccountId": "12-digit", "bucket": "bucket name", "prefix": "prefix", "reportName": "not allow", "profile": "optima, eco"}},
		{"optima needs a prefix", map[string]string{"payerAccountId": wPayer, "bucket": wBucket, "reportName": wReport, "profile": "optima"},
			map[string]string{"prefix": "prefix"}},
		{"the external ID is the server's", map[string]string{"payerAccountId": wPayer, "bucket": wBucket, "prefix": wPrefix, "reportName": wReport, "profile": "optima", "externalId": "chosen-by-the-browser"},
			map[string]string{"externalId": "server generates"}},
		{"unknown field", `{"payerAccountId": "111122223333", "roleArn": "x"}`, map[string]string{"roleArn": "not a field"}},
		{"not JSON", `payerAccountId=111122223333`, map[string]string{"": "JSON"}},
		{"two values", `{} {}`, map[string]string{"": "more than one"}},
		// JSON's own terms, never a Go struct or type name.
		{"a number for a string", `{"payerAccountId": 111122223333}`, map[string]string{"": `field "payerAccountId" must be a string, not number`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := w.postJSON("/api/connections", "acme", tc.body)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
			var e apiErrors
			strict(t, body, &e)
			got := map[string]string{}
			for _, f := range e.Errors {
				got[f.Field] = f.Message
			}
			require.Len(t, got, len(tc.fields), "%s", body)
			for f, part := range tc.fields {
				assert.Contains(t, got[f], part, "field %s", f)
			}
		})
	}
	// Nothing was created.
	_, body := w.do(http.MethodGet, "/api/connections", "acme", "", nil)
	assert.JSONEq(t, `{"connections": []}`, string(body))

	// The role ARN: another account, not a role, a region, not an ARN.
	c := w.create("acme")
	for arn, part := range map[string]string{
		"arn:aws:iam::999988887777:role/curconnect-billing-read": "is in account 999988887777, but the payer account is 111122223333",
		"arn:aws:iam::111122223333:user/curconnect":              "not an IAM role ARN",
		// A region in an IAM ARN: refused here, as Verify refuses it,
		// rather than stored and failing every verification.
		"arn:aws:iam:us-east-1:111122223333:role/curconnect-billing-read": "not an IAM role ARN",
		"curconnect-billing-read":             "arn:aws:iam::111122223333:role/curconnect-billing-read",
		"arn:aws-cn:iam::111122223333:role/x": "aws-cn partition",
	} {
		resp, body := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{"roleArn": arn})
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s: %s", arn, body)
		var e apiErrors
		strict(t, body, &e)
		require.Len(t, e.Errors, 1)
		assert.Equal(t, "roleArn", e.Errors[0].Field)
		assert.Contains(t, e.Errors[0].Message, part)
	}
	_, body = w.do(http.MethodGet, "/api/connections/"+c.ID, "acme", "", nil)
	assert.Contains(t, string(body), `"state":"pending"`, "a refused role ARN starts no verification")
	resp, body := w.do(http.MethodGet, "/api/nope", "acme", "", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Contains(t, string(body), `"errors"`)
}

// TestAPIUnauthenticated: without the platform's tenant, nothing answers
// but 401.
func TestAPIUnauthenticated(t *testing.T) {
	w := newWorld(t)
	for _, path := range []string{"/api/connections", "/api/connections/x", "/", "/new", "/c/x"} {
		resp, body := w.do(http.MethodGet, path, "", "", nil)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
		assert.NotContains(t, string(body), "onboard:", "no internal error text")
	}
	resp, _ := w.postJSON("/api/connections", "", goodSettings)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	// The template, script and stylesheet need no tenant.
	for _, path := range []string{"/template.yaml", "/template.json", "/static/onboard.css", "/static/onboard.js"} {
		resp, _ := w.do(http.MethodGet, path, "", "", nil)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
}

// TestCrossOriginRefused: a state change a browser sends from another site
// is refused before it reaches the handler; the same request from a
// non-browser client (no Origin, no Sec-Fetch-Site) passes.
func TestCrossOriginRefused(t *testing.T) {
	w := newWorld(t)
	cross := []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}
	resp, body := w.postJSON("/api/connections", "acme", goodSettings, cross...)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s", body)
	assert.Contains(t, string(body), "cross-origin")
	resp, body = w.do(http.MethodPost, "/new", "acme", "application/x-www-form-urlencoded", strings.NewReader(url.Values{
		"payerAccountId": {wPayer}, "bucket": {wBucket}, "prefix": {wPrefix}, "reportName": {wReport}, "profile": {"optima"}}.Encode()), cross...)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(body), "another site")
	// An old browser that sends Origin alone, from elsewhere.
	resp, _ = w.postJSON("/api/connections", "acme", goodSettings, "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, body = w.do(http.MethodGet, "/api/connections", "acme", "", nil)
	assert.JSONEq(t, `{"connections": []}`, string(body), "nothing was created")

	c := w.create("acme") // no Origin: a server-side client
	resp, _ = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{}, cross...)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = w.do(http.MethodDelete, "/api/connections/"+c.ID, "acme", "", nil, cross...)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	// Same-origin browser requests pass.
	resp, body = w.postJSON("/api/connections", "acme", goodSettings, "Origin", w.srv.URL, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	// Reading cross-origin is not a state change (and CORS keeps the answer from the other site).
	resp, _ = w.do(http.MethodGet, "/api/connections", "acme", "", nil, cross...)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestVerifyRateLimited: one verification at a time per connection, and a
// least interval between two.
func TestVerifyRateLimited(t *testing.T) {
	w := newWorld(t, func(o *onboard.Options) { o.MinVerifyInterval = 30 * time.Second })
	c := w.create("acme")
	w.sts.stack(c.ExternalID, true)
	resp, body := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)

	w.advance(12 * time.Second)
	resp, body = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "%s", body)
	assert.Equal(t, "18", resp.Header.Get("Retry-After"))
	var e apiErrors
	strict(t, body, &e)
	assert.Equal(t, "This connection was verified moments ago. Verify again in 18 seconds.", e.Errors[0].Message)
	// Another connection of the tenant is not limited.
	other := w.create("acme")
	resp, _ = w.postJSON("/api/connections/"+other.ID+"/role", "acme", map[string]string{})
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	w.advance(18 * time.Second)
	// While one runs, another is refused (409), even past the interval.
	block := make(chan struct{})
	var release sync.Once
	unblock := func() { release.Do(func() { close(block) }) }
	t.Cleanup(unblock) // a failed assertion must not leave the request hanging
	w.sts.mu.Lock()
	w.sts.block, w.sts.entered = block, make(chan struct{}, 1)
	w.sts.mu.Unlock()
	first := make(chan int)
	go func() {
		resp, _ := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
		first <- resp.StatusCode
	}()
	<-w.sts.entered
	resp, body = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "%s", body)
	_, body = w.do(http.MethodGet, "/api/connections/"+c.ID, "acme", "", nil)
	assert.Contains(t, string(body), `"state":"verifying"`)
	unblock()
	assert.Equal(t, http.StatusOK, <-first)
	w.sts.mu.Lock()
	w.sts.block, w.sts.entered = nil, nil
	w.sts.mu.Unlock()
}

// TestConcurrentVerificationsDoNotInterleave: many verifications of one
// connection at once, on the SQL store: each runs alone or is refused, the
// stored checks are one run's, whole, and OnConnected fires once.
func TestConcurrentVerificationsDoNotInterleave(t *testing.T) {
	store, err := onboard.NewSQLStore(t.Context(), openSQLite(t), onboard.SQLite)
	require.NoError(t, err)
	w := newWorldStore(t, store)
	c := w.create("acme")
	w.sts.stack(c.ExternalID, true)
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	ok := 0
	for _, code := range codes {
		require.Contains(t, []int{http.StatusOK, http.StatusConflict}, code)
		if code == http.StatusOK {
			ok++
		}
	}
	assert.GreaterOrEqual(t, ok, 1)
	got, err := store.Get(t.Context(), "acme", c.ID)
	require.NoError(t, err)
	assert.Equal(t, onboard.StateConnected, got.State)
	assert.Empty(t, got.VerifyToken)
	assert.Len(t, got.Checks, 5, "one run's checks, not a mix of several")
	assert.Len(t, w.connectedEvents(), 1, "OnConnected once per transition to connected")
}

// TestOnConnectedOncePerTransition: connected, connected again (no call),
// failing, connected (a second call).
func TestOnConnectedOncePerTransition(t *testing.T) {
	w := newWorld(t)
	c := w.create("acme")
	verify := func(want string) {
		t.Helper()
		resp, body := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(body), `"state":"`+want+`"`)
	}
	w.sts.stack(c.ExternalID, true)
	verify("connected")
	verify("connected")
	assert.Len(t, w.connectedEvents(), 1)
	w.sts.stack(c.ExternalID, false) // the customer deleted the stack
	verify("failing")
	w.sts.stack(c.ExternalID, true)
	verify("connected")
	assert.Equal(t, []string{"acme/" + c.ID, "acme/" + c.ID}, w.connectedEvents())

	// Handler.Verify, for a platform's scheduler, does the same.
	got, err := w.h.Verify(t.Context(), "acme", c.ID)
	require.NoError(t, err)
	assert.Equal(t, onboard.StateConnected, got.State)
	_, err = w.h.Verify(t.Context(), "globex", c.ID)
	require.ErrorIs(t, err, onboard.ErrNotFound)
}

// TestAPIStreamsChecks: with Accept: application/x-ndjson, the plan first,
// each check as it ends, then the final object.
func TestAPIStreamsChecks(t *testing.T) {
	w := newWorld(t)
	c := w.create("acme")
	w.sts.stack(c.ExternalID, true)
	resp, body := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{"roleArn": ""}, "Accept", "application/x-ndjson")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/x-ndjson", resp.Header.Get("Content-Type"))
	var lines []map[string]json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		lines = append(lines, m)
	}
	require.Len(t, lines, 7, "%s", body)
	var plan []struct{ ID, Label string }
	require.NoError(t, json.Unmarshal(lines[0]["plan"], &plan))
	require.Len(t, plan, 5)
	for i, p := range plan {
		var ch struct {
			ID, Status, Label string
		}
		require.NoError(t, json.Unmarshal(lines[1+i]["check"], &ch))
		assert.Equal(t, p.ID, ch.ID)
		assert.Equal(t, "pass", ch.Status)
		assert.Equal(t, onboard.CheckLabel(billingconn.CheckID(p.ID)), ch.Label)
	}
	assert.JSONEq(t, `"connected"`, string(lines[6]["state"]))
	assert.JSONEq(t, `false`, string(lines[6]["waitingForDelivery"]))
}

// TestNoDeliveryYetIsWaiting: a role that works on a prefix AWS has not
// delivered to yet is failing, retryable, and the page and API say to wait.
func TestNoDeliveryYetIsWaiting(t *testing.T) {
	w := newWorld(t)
	resp, body := w.postJSON("/api/connections", "acme", map[string]string{"payerAccountId": wPayer, "bucket": wBucket, "prefix": "fresh", "reportName": wReport, "profile": "optima"})
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	var c created
	strict(t, body, &c)
	w.sts.stack(c.ExternalID, true)
	resp, body = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{}, "Accept", "application/x-ndjson")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"code":"NO_DELIVERY_YET"`)
	assert.Contains(t, string(body), `"waitingForDelivery":true`)
	_, page := w.do(http.MethodGet, "/c/"+c.ID, "acme", "", nil)
	assert.Contains(t, string(page), "Waiting for the first report delivery")
	assert.Contains(t, string(page), "24 hours")
}

// TestDefinitionAPI: a pasted definition is validated against the
// connection's profile, with its fix; one for another report or bucket is
// refused next to the field.
func TestDefinitionAPI(t *testing.T) {
	w := newWorld(t)
	c := w.create("acme")
	def := func(bucket, versioning string) string {
		return fmt.Sprintf(`{"ReportDefinitions": [{"ReportName": "acme-cur", "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP",
			"AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": %q, "S3Prefix": "cur", "S3Region": "us-east-1",
			"RefreshClosedReports": true, "ReportVersioning": %q}]}`, bucket, versioning)
	}
	resp, body := w.postJSON("/api/connections/"+c.ID+"/definition", "acme", def(wBucket, "CREATE_NEW_REPORT"))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.JSONEq(t, `{"id": "`+c.ID+`", "findings": []}`, string(body))

	resp, body = w.postJSON("/api/connections/"+c.ID+"/definition", "acme", def(wBucket, "OVERWRITE_REPORT"))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var out struct {
		Findings billingconn.Findings `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(body, &out))
	require.Len(t, out.Findings, 1)
	assert.Equal(t, billingconn.CodeVersioningNotCreate, out.Findings[0].Code)
	require.NotNil(t, out.Findings[0].Fix)
	assert.Equal(t, billingconn.FixPutReportDefinition, out.Findings[0].Fix.Action)

	resp, body = w.postJSON("/api/connections/"+c.ID+"/definition", "acme", def("other-bucket", "CREATE_NEW_REPORT"))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var e apiErrors
	strict(t, body, &e)
	assert.Equal(t, "definition", e.Errors[0].Field)
	assert.Contains(t, e.Errors[0].Message, "delivers to s3://other-bucket/cur")

	// The stored definition feeds the report-definition check.
	w.sts.stack(c.ExternalID, true)
	_, body = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
	var v verified
	strict(t, body, &v)
	last := v.Checks[len(v.Checks)-1]
	assert.Equal(t, "report-definition", last.ID)
	assert.Equal(t, "fail", last.Status)
	assert.Equal(t, string(billingconn.CodeVersioningNotCreate), last.Code)
	assert.Equal(t, "failing", v.State)
}

// TestNoSecretsInLogs: the logs name tenants, connections and states, never
// an external ID or a role session's credentials; a Connection prints
// without its external ID.
func TestNoSecretsInLogs(t *testing.T) {
	w := newWorld(t)
	c := w.create("acme")
	w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
	w.sts.stack(c.ExternalID, true)
	w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{}, "Accept", "application/x-ndjson")
	w.postJSON("/api/connections", "acme", goodSettings, "Origin", "https://evil.example")
	logs := w.logText()
	assert.Contains(t, logs, `"msg":"onboard: verified"`)
	assert.Contains(t, logs, c.ID)
	for _, secret := range []string{c.ExternalID, "role-session-secret", "role-session-token", "ASIAROLESESSION"} {
		assert.NotContains(t, logs, secret)
	}
	stored, err := w.store.Get(t.Context(), "acme", c.ID)
	require.NoError(t, err)
	j, err := json.Marshal(stored)
	require.NoError(t, err)
	for _, s := range []string{stored.String(), fmt.Sprintf("%v %+v %#v %s %q", stored, stored, stored, stored, stored), string(j)} {
		assert.NotContains(t, s, c.ExternalID)
		assert.Contains(t, s, "REDACTED")
	}
	// Pages and JSON hold no AWS credentials either.
	_, page := w.do(http.MethodGet, "/c/"+c.ID, "acme", "", nil)
	_, one := w.do(http.MethodGet, "/api/connections/"+c.ID, "acme", "", nil)
	for _, secret := range []string{"role-session-secret", "role-session-token", "ASIAROLESESSION"} {
		assert.NotContains(t, string(page), secret)
		assert.NotContains(t, string(one), secret)
	}
}

// TestLeaseExpired: a verification that outlives its lease (its process
// hung) no longer holds the connection: another one runs, and the late one's
// results are dropped (409), never written over the newer ones.
func TestLeaseExpired(t *testing.T) {
	w := newWorld(t, func(o *onboard.Options) { o.VerifyTimeout = time.Minute })
	c := w.create("acme")
	w.sts.stack(c.ExternalID, true)
	block := make(chan struct{})
	var release sync.Once
	unblock := func() { release.Do(func() { close(block) }) }
	t.Cleanup(unblock)
	w.sts.mu.Lock()
	w.sts.block, w.sts.entered = block, make(chan struct{}, 1)
	w.sts.mu.Unlock()
	late := make(chan int)
	go func() {
		resp, body := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
		assert.Contains(t, string(body), "took too long")
		late <- resp.StatusCode
	}()
	<-w.sts.entered
	w.sts.mu.Lock()
	w.sts.block, w.sts.entered = nil, nil // the next verification runs freely
	w.sts.mu.Unlock()

	resp, _ := w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "within the lease, the first one holds it")
	w.advance(2 * time.Minute) // the lease has expired
	_, body := w.do(http.MethodGet, "/api/connections/"+c.ID, "acme", "", nil)
	assert.Contains(t, string(body), `"state":"pending"`, "an expired lease shows the state the last checks say")
	w.sts.stack(c.ExternalID, false) // the newer verification sees the stack gone
	resp, body = w.postJSON("/api/connections/"+c.ID+"/role", "acme", map[string]string{})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Contains(t, string(body), `"state":"failing"`)

	unblock()
	assert.Equal(t, http.StatusConflict, <-late)
	got, err := w.store.Get(t.Context(), "acme", c.ID)
	require.NoError(t, err)
	assert.Equal(t, onboard.StateFailing, got.State, "the newer verification's outcome stands")
	assert.Empty(t, w.connectedEvents(), "the late one's pass was never written")
}
