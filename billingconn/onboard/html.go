package onboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/hostcheck"
)

// Page is what every page template receives. Templates may use any field;
// the handler's own show what each is for.
type Page struct {
	// Name is the page: "list", "new", "connection" or "error".
	Name string
	// Title is Options.Title; Heading is the page's own heading.
	Title, Heading string
	// Base is Options.Prefix: every link starts with it.
	Base string
	// Stylesheets are the stylesheets to link, the handler's first.
	Stylesheets []string
	// Tenant is the tenant the page is for.
	Tenant string
	// Connections are the tenant's connections (the list page).
	Connections []ConnectionView
	// Conn is the connection the page is about (the connection page).
	Conn *ConnectionView
	// Profiles are the profiles to choose from (the new page).
	Profiles []ProfileView
	// Values are the submitted form's values, to show again.
	Values map[string]string
	// Errors are the refused inputs, in the form's order; ErrorFor gives
	// the one for a field.
	Errors []*curerr.FieldError
	// Notice is a message about the request as a whole (a rate limit).
	Notice string
	// Status is the HTTP status of an error page.
	Status int
}

// ErrorFor returns the message for a field, or "".
func (p Page) ErrorFor(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Msg
		}
	}
	return ""
}

// ProfileView is a profile to choose.
type ProfileView struct {
	Name, Description string
	Checked           bool
}

// ConnectionView is a connection as the pages show it.
type ConnectionView struct {
	Connection
	// State is the effective state; StateText says it in words.
	State     State
	StateText string
	// Waiting: the role works, the first delivery has not arrived yet.
	Waiting bool
	// URL is the connection's page.
	URL string
	// QuickCreateURL opens the CloudFormation console's quick-create page;
	// Params are the parameters it fills in, for the customer to see.
	QuickCreateURL string
	Params         []Param
	StackName      string
	RoleName       string
	// TemplateURL is where the link loads the template from; LocalTemplate
	// is true when the handler serves it itself (no Options.TemplateURL).
	TemplateURL   string
	LocalTemplate bool
	// DerivedRoleARN is the ARN the stack's role has; RoleARNValue is what
	// the role ARN field shows.
	DerivedRoleARN, RoleARNValue string
	// Recommended is the report definition the profile needs, as input to
	// aws cur put-report-definition --cli-input-json, and RecommendedNote
	// what to change in it.
	Recommended, RecommendedNote string
	// Findings are the pasted definition's findings; FixJSON is the input
	// of the AWS CLI command FixCommand that resolves them, FixNote what
	// the fix cannot say by itself, and FixNeeds the values to fill in
	// first.
	Findings   billingconn.Findings
	FixJSON    string
	FixCommand string
	FixNote    string
	FixNeeds   []billingconn.FixInput
	DefinedAs  string // the pasted definition's name, if any
	Checks     []CheckView
	VerifiedAt string
	// Plan are the checks a verification runs, for the page to show as
	// waiting.
	Plan []CheckView
}

// Param is one parameter the link fills in.
type Param struct{ Name, Value string }

// CheckView is a check as the page shows it.
type CheckView struct {
	Check
	// Label names the step for the customer; StatusText says its status
	// in words, and Class is the status for styling ("notyet" for a
	// delivery that has not arrived yet).
	Label, StatusText, Class string
	// Note adds what the onboarding flow knows to a failure's remediation.
	Note string
}

// notYet reports a check that failed only because AWS has not delivered
// yet.
func notYet(c Check) bool {
	return c.Status == billingconn.StatusFail && (c.Code == billingconn.CheckCodeNoDeliveryYet || c.Code == billingconn.CheckCodeReportNotFound)
}

// checkNote is what the flow adds to a failed check's remediation: the
// failures onboarding itself causes.
func checkNote(c Check) string {
	if c.Status != billingconn.StatusFail {
		return ""
	}
	switch {
	case c.ID == billingconn.CheckAssumeRole && c.Code == "AccessDenied":
		return "A stack created from another link (an earlier connection's) trusts that link's external ID, not this one's. " +
			"Create the stack from this page's link (step 3), or change the existing stack's ExternalId parameter to the one step 3 shows."
	case c.ID == billingconn.CheckBucketRegion && c.Code == "NoSuchBucket":
		return "If the bucket's name was mistyped here, start again with the right settings; the stack must be created for the right bucket too."
	}
	return ""
}

var funcs = template.FuncMap{
	"stateText":     stateText,
	"field":         fieldInput,
	"optionalField": optionalInput,
	"roleField":     roleInput,
}

func stateText(s State) string {
	switch s {
	case StatePending:
		return "Pending: not verified yet"
	case StateVerifying:
		return "Verifying"
	case StateConnected:
		return "Connected: data flows"
	case StateFailing:
		return "Failing: action needed"
	}
	return string(s)
}

func statusText(s billingconn.Status) string {
	switch s {
	case billingconn.StatusPass:
		return "Passed"
	case billingconn.StatusFail:
		return "Failed"
	case billingconn.StatusSkipped:
		return "Skipped"
	}
	return "Waiting"
}

func checkViews(checks []Check) []CheckView {
	var out []CheckView
	for _, c := range checks {
		v := CheckView{Check: c, Label: CheckLabel(c.ID), StatusText: statusText(c.Status), Class: string(c.Status), Note: checkNote(c)}
		if notYet(c) {
			v.StatusText, v.Class = "Not yet", "notyet"
		}
		out = append(out, v)
	}
	return out
}

// page returns a Page with the common fields set.
func (h *Handler) page(name, heading, tenant string) *Page {
	p := &Page{Name: name, Title: h.o.Title, Heading: heading, Base: h.o.Prefix, Tenant: tenant}
	if !h.o.NoDefaultStylesheet {
		p.Stylesheets = append(p.Stylesheets, h.o.Prefix+"/static/onboard.css")
	}
	p.Stylesheets = append(p.Stylesheets, h.o.Stylesheets...)
	return p
}

// render writes a page; a template error is logged and answered 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p *Page) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, p.Name, p); err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelError, "onboard: template", slog.String("page", p.Name), slog.String("error", err.Error()))
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, tenant string, status int, msg string) {
	p := h.page("error", http.StatusText(status), tenant)
	p.Notice, p.Status = msg, status
	h.render(w, r, status, p)
}

// view builds a connection's view for its page.
func (h *Handler) view(r *http.Request, c Connection) (*ConnectionView, error) {
	now := h.o.Now()
	v := &ConnectionView{Connection: c, State: c.EffectiveState(now, h.o.VerifyTimeout), URL: h.o.Prefix + "/c/" + c.ID,
		StackName: h.o.StackName, RoleName: h.o.Template.RoleName}
	v.StateText = stateText(v.State)
	v.Waiting = v.State == StateFailing && c.WaitingForDelivery()
	if v.Waiting {
		v.StateText = "Waiting for the first report delivery"
	}
	link, err := h.quickCreateURL(r, c)
	if err != nil {
		return nil, err
	}
	v.QuickCreateURL = link
	v.TemplateURL, v.LocalTemplate = h.templateURL(r)
	v.Params = h.quickCreateParams(c)
	v.DerivedRoleARN, _ = iampolicy.RoleARN(h.partition(), c.PayerAccountID, h.o.Template.RoleName)
	v.RoleARNValue = c.RoleARN
	if v.RoleARNValue == "" {
		v.RoleARNValue = v.DerivedRoleARN
	}
	v.Checks = checkViews(c.Checks)
	for _, id := range h.plan(c) {
		v.Plan = append(v.Plan, CheckView{Check: Check{ID: id}, Label: CheckLabel(id), StatusText: "Waiting", Class: "waiting"})
	}
	if !c.VerifiedAt.IsZero() {
		v.VerifiedAt = c.VerifiedAt.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	v.Recommended, v.RecommendedNote = h.recommended(c)
	if c.Definition != "" {
		if defs, err := billingconn.ParseDefinitions([]byte(c.Definition)); err == nil && len(defs) == 1 {
			v.DefinedAs = defs[0].Name()
			if f, err := h.validateDefinition(c, defs[0]); err == nil {
				v.Findings = f
				for _, x := range f {
					if x.Fix != nil {
						if j, err := cliInput(x.Fix); err == nil {
							v.FixJSON, v.FixNote, v.FixNeeds = j, x.Fix.Note, x.Fix.NeedsInput
							v.FixCommand = fixCommands[x.Fix.Action]
						}
						break
					}
				}
			}
		}
	}
	return v, nil
}

// recommended returns the report definition the connection's profile
// needs, as a fix of a definition with only the name and destination set,
// and what the customer must check in it.
func (h *Handler) recommended(c Connection) (string, string) {
	p := h.profile(c.Profile)
	if p == nil {
		return "", ""
	}
	region := p.Region
	note := ""
	if region == "" {
		region = iampolicy.BillingRegion
		note = "Set S3Region to your bucket's region."
	}
	d := billingconn.Definition{ReportDefinition: &curtypes.ReportDefinition{ReportName: aws.String(c.ReportName),
		S3Bucket: aws.String(c.Bucket), S3Prefix: aws.String(c.Prefix), S3Region: curtypes.AWSRegion(region)}}
	if len(p.Kinds) > 0 && !slices.Contains(p.Kinds, curreader.KindCUR) {
		return "", "" // a Data Exports profile: no legacy definition to propose
	}
	f, err := billingconn.Validate(d, p)
	if err != nil || len(f) == 0 || f[0].Fix == nil || f[0].Fix.PutReportDefinition == nil {
		return "", ""
	}
	j, err := cliInput(f[0].Fix)
	if err != nil {
		return "", ""
	}
	return string(j), note
}

// fixCommands are the AWS CLI commands that send each fix's input.
var fixCommands = map[billingconn.FixAction]string{
	billingconn.FixPutReportDefinition:    "aws cur put-report-definition --region us-east-1 --cli-input-json file://fix.json",
	billingconn.FixModifyReportDefinition: "aws cur modify-report-definition --region us-east-1 --cli-input-json file://fix.json",
	billingconn.FixCreateExport:           "aws bcm-data-exports create-export --region us-east-1 --cli-input-json file://fix.json",
	billingconn.FixUpdateExport:           "aws bcm-data-exports update-export --region us-east-1 --cli-input-json file://fix.json",
}

// cliInput returns a fix's input in the AWS CLI's --cli-input-json shape.
func cliInput(f *billingconn.Fix) (string, error) {
	j, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	var x struct {
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(j, &x); err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, x.Input, "", "  "); err != nil {
		return "", err
	}
	return b.String(), nil
}

// templateURL returns where the quick-create link loads the template from.
func (h *Handler) templateURL(r *http.Request) (string, bool) {
	if h.o.TemplateURL != "" {
		return h.o.TemplateURL, false
	}
	// Plain http only on a loopback host (a local demo): anywhere else the
	// page is served over TLS, if only by a proxy in front, and a link to
	// an http template would be refused.
	scheme := "https"
	if r.TLS == nil && hostcheck.Loopback(r.Host) {
		scheme = "http"
	}
	return scheme + "://" + r.Host + h.o.Prefix + "/template.yaml", true
}

// quickCreateParams are the customer's values the link passes.
func (h *Handler) quickCreateParams(c Connection) []Param {
	return []Param{
		{iampolicy.ParamBucketName, c.Bucket},
		{iampolicy.ParamReportPrefix, strings.Trim(c.Prefix, "/")},
		{iampolicy.ParamExternalID, c.ExternalID},
	}
}

// quickCreateURL returns the connection's quick-create link.
func (h *Handler) quickCreateURL(r *http.Request, c Connection) (string, error) {
	tmpl, _ := h.templateURL(r)
	params := map[string]string{}
	for _, p := range h.quickCreateParams(c) {
		params[p.Name] = p.Value
	}
	link, err := iampolicy.QuickCreateURL(h.o.Region, tmpl, h.o.StackName, params)
	if err != nil {
		return "", fmt.Errorf("onboard: quick-create link: %w", err)
	}
	return link, nil
}

// notFound answers a connection that is not the tenant's.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, tenant string) {
	h.errorPage(w, r, tenant, http.StatusNotFound, "There is no such connection.")
}

func (h *Handler) listPage(w http.ResponseWriter, r *http.Request, tenant string) {
	conns, err := h.store.List(r.Context(), tenant)
	if err != nil {
		h.serverError(w, r, tenant, err)
		return
	}
	p := h.page("list", "Your AWS payer accounts", tenant)
	for _, c := range conns {
		st := c.EffectiveState(h.o.Now(), h.o.VerifyTimeout)
		v := ConnectionView{Connection: c, State: st, StateText: stateText(st), URL: h.o.Prefix + "/c/" + c.ID}
		if st == StateFailing && c.WaitingForDelivery() {
			v.Waiting, v.StateText = true, "Waiting for the first report delivery"
		}
		p.Connections = append(p.Connections, v)
	}
	h.render(w, r, http.StatusOK, p)
}

func (h *Handler) profileViews(checked string) []ProfileView {
	var out []ProfileView
	for i, p := range h.profiles {
		out = append(out, ProfileView{Name: p.Name, Description: profileDescription(p), Checked: p.Name == checked || (checked == "" && i == 0)})
	}
	return out
}

// profileDescription says in a line what a profile needs.
func profileDescription(p *billingconn.Profile) string {
	var parts []string
	if p.TimeUnit != "" {
		parts = append(parts, strings.ToLower(p.TimeUnit))
	}
	if p.ResourceIDs == billingconn.RequirementRequired {
		parts = append(parts, "resource IDs")
	}
	switch p.Versioning {
	case "CREATE_NEW_REPORT":
		parts = append(parts, "new report versions")
	case "OVERWRITE_REPORT":
		parts = append(parts, "overwritten reports")
	}
	if p.Format != "" {
		parts = append(parts, string(p.Format))
	}
	if p.Athena == billingconn.RequirementRequired {
		parts = append(parts, "Athena integration")
	}
	if p.Region != "" {
		parts = append(parts, "bucket in "+p.Region)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Needs " + strings.Join(parts, ", ") + "."
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request, tenant string) {
	p := h.page("new", "Connect a payer account", tenant)
	p.Profiles = h.profileViews(r.URL.Query().Get("profile"))
	p.Values = map[string]string{}
	h.render(w, r, http.StatusOK, p)
}

// formSettings reads the settings form. Every other field, an externalId
// among them, is ignored.
func formSettings(r *http.Request) Settings {
	return Settings{PayerAccountID: r.PostFormValue("payerAccountId"), Bucket: r.PostFormValue("bucket"), Prefix: r.PostFormValue("prefix"),
		ReportName: r.PostFormValue("reportName"), Profile: r.PostFormValue("profile")}
}

func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxDefinition+64<<10)
	return r.ParseForm()
}

func (h *Handler) createForm(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := h.parseForm(w, r); err != nil {
		h.errorPage(w, r, tenant, http.StatusBadRequest, "The form could not be read.")
		return
	}
	s := formSettings(r)
	c, err := h.create(r.Context(), tenant, s)
	var in *inputError
	if errors.As(err, &in) {
		p := h.page("new", "Connect a payer account", tenant)
		p.Profiles = h.profileViews(s.Profile)
		p.Values = map[string]string{"payerAccountId": s.PayerAccountID, "bucket": s.Bucket, "prefix": s.Prefix, "reportName": s.ReportName}
		p.Errors = in.fields
		h.render(w, r, http.StatusBadRequest, p)
		return
	}
	if err != nil {
		h.serverError(w, r, tenant, err)
		return
	}
	http.Redirect(w, r, h.o.Prefix+"/c/"+c.ID, http.StatusSeeOther)
}

func (h *Handler) connectionPage(w http.ResponseWriter, r *http.Request, tenant string) {
	c, err := h.store.Get(r.Context(), tenant, r.PathValue("id"))
	if errors.Is(err, ErrNotFound) {
		h.notFound(w, r, tenant)
		return
	}
	if err != nil {
		h.serverError(w, r, tenant, err)
		return
	}
	h.renderConnection(w, r, tenant, http.StatusOK, c, nil, "", nil)
}

func (h *Handler) renderConnection(w http.ResponseWriter, r *http.Request, tenant string, status int, c Connection, errs []*curerr.FieldError, notice string, values map[string]string) {
	v, err := h.view(r, c)
	if err != nil {
		h.serverError(w, r, tenant, err)
		return
	}
	p := h.page("connection", "Payer account "+c.PayerAccountID, tenant)
	p.Conn, p.Errors, p.Notice, p.Values = v, errs, notice, values
	if p.Values == nil {
		p.Values = map[string]string{}
	}
	h.render(w, r, status, p)
}

func (h *Handler) definitionForm(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := h.parseForm(w, r); err != nil {
		h.errorPage(w, r, tenant, http.StatusBadRequest, "The form could not be read: a report definition is at most 1 MB.")
		return
	}
	id := r.PathValue("id")
	raw := r.PostFormValue("definition")
	_, _, err := h.saveDefinition(r.Context(), tenant, id, raw)
	h.afterForm(w, r, tenant, id, err, map[string]string{"definition": raw}, "#report")
}

func (h *Handler) verifyForm(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := h.parseForm(w, r); err != nil {
		h.errorPage(w, r, tenant, http.StatusBadRequest, "The form could not be read.")
		return
	}
	id := r.PathValue("id")
	raw := r.PostFormValue("roleArn")
	c, err := h.claim(r.Context(), tenant, id, raw)
	if err == nil {
		_, err = h.verify(r.Context(), c, nil)
	}
	h.afterForm(w, r, tenant, id, err, map[string]string{"roleArn": raw}, "#checks")
}

// afterForm redirects to the connection's page after a successful form, or
// shows the page again with the errors next to their fields.
func (h *Handler) afterForm(w http.ResponseWriter, r *http.Request, tenant, id string, err error, values map[string]string, anchor string) {
	var in *inputError
	var rl *RateLimitError
	status, notice := 0, ""
	switch {
	case err == nil:
		http.Redirect(w, r, h.o.Prefix+"/c/"+id+anchor, http.StatusSeeOther)
		return
	case errors.Is(err, ErrNotFound):
		h.notFound(w, r, tenant)
		return
	case errors.As(err, &in):
		status = http.StatusBadRequest
	case errors.Is(err, ErrVerifying):
		status, notice = http.StatusConflict, "A verification of this connection is running. Wait for it to finish, then reload the page."
	case errors.Is(err, ErrLeaseLost):
		status, notice = http.StatusConflict, "This verification took too long and another one started. Reload the page for its result."
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", fmt.Sprint(rl.seconds()))
		status, notice = http.StatusTooManyRequests, fmt.Sprintf("This connection was verified moments ago. Verify again in %d seconds.", rl.seconds())
	default:
		h.serverError(w, r, tenant, err)
		return
	}
	c, gerr := h.store.Get(r.Context(), tenant, id)
	if gerr != nil {
		h.serverError(w, r, tenant, gerr)
		return
	}
	var fields []*curerr.FieldError
	if in != nil {
		fields = in.fields
	}
	h.renderConnection(w, r, tenant, status, c, fields, notice, values)
}

func (h *Handler) deleteForm(w http.ResponseWriter, r *http.Request, tenant string) {
	err := h.store.Delete(r.Context(), tenant, r.PathValue("id"))
	if errors.Is(err, ErrNotFound) {
		h.notFound(w, r, tenant)
		return
	}
	if err != nil {
		h.serverError(w, r, tenant, err)
		return
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "onboard: connection deleted", slog.String("tenant", tenant), slog.String("id", r.PathValue("id")))
	http.Redirect(w, r, h.o.Prefix+"/", http.StatusSeeOther)
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, tenant string, err error) {
	h.log.LogAttrs(r.Context(), slog.LevelError, "onboard: request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	h.errorPage(w, r, tenant, http.StatusInternalServerError, "Something went wrong on our side. Try again in a moment.")
}

// inputView is one text input for the "input" template.
type inputView struct {
	Name, Label, Hint, Value, Error, Mode, Describe string
	Optional                                        bool
}

func newInput(p *Page, name, label, hint, mode string, optional bool) inputView {
	in := inputView{Name: name, Label: label, Hint: hint, Mode: mode, Optional: optional, Error: p.ErrorFor(name)}
	if p.Values != nil {
		in.Value = p.Values[name]
	}
	var ids []string
	if hint != "" {
		ids = append(ids, name+"-hint")
	}
	if in.Error != "" {
		ids = append(ids, name+"-error")
	}
	in.Describe = strings.Join(ids, " ")
	return in
}

// fieldInput is a required text input.
func fieldInput(p *Page, name, label, hint, mode string) inputView {
	return newInput(p, name, label, hint, mode, false)
}

// optionalInput is an optional text input.
func optionalInput(p *Page, name, label, hint string) inputView {
	return newInput(p, name, label, hint, "", true)
}

// roleInput is the role ARN's input: what the customer sent, or the stored
// or derived ARN.
func roleInput(p *Page, c *ConnectionView) inputView {
	in := newInput(p, "roleArn", "Role ARN", "The RoleARN output of the stack (on its Outputs tab). If you kept the role's name it is "+c.DerivedRoleARN+", filled in below.", "", false)
	if v, ok := p.Values["roleArn"]; ok {
		in.Value = v
	} else {
		in.Value = c.RoleARNValue
	}
	return in
}
