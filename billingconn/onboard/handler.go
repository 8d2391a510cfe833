package onboard

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base32"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

//go:embed templates/*.tmpl static/*
var assets embed.FS

// Handler serves the onboarding flow: HTML pages at Options.Prefix+"/",
// the JSON API under Options.Prefix+"/api/", the hosted template and the
// page's stylesheet and script. Make one with New; it is safe for
// concurrent use.
type Handler struct {
	o        Options
	tenant   TenantFunc
	store    Store
	clients  billingconn.Clients
	profiles []*billingconn.Profile
	pages    *template.Template
	tmplYAML []byte
	tmplJSON []byte
	csp      string
	log      *slog.Logger
	next     http.Handler
}

// New returns the Handler. tenant says which tenant each request is for,
// from the platform's authentication; store keeps the connections; clients
// make the AWS clients verification uses (billingconn.NewClients from the
// platform's own aws.Config). Invalid options are an error wrapping
// curerr.ErrMalformed.
func New(tenant TenantFunc, store Store, clients billingconn.Clients, optFns ...func(*Options)) (*Handler, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	o.Profiles = slices.Clone(o.Profiles)
	o.Stylesheets = slices.Clone(o.Stylesheets)
	o.VerifyOptions = slices.Clone(o.VerifyOptions)
	var bad []error
	fail := func(field, format string, args ...any) {
		bad = append(bad, &curerr.FieldError{Field: field, Msg: fmt.Sprintf(format, args...), Err: curerr.ErrMalformed})
	}
	if tenant == nil {
		fail("tenant", "is nil: the handler needs the platform's tenant of each request")
	}
	if store == nil {
		fail("store", "is nil")
	}
	if clients.NewSTS == nil || clients.NewS3 == nil {
		fail("clients", "need NewSTS and NewS3 (billingconn.NewClients makes them)")
	}
	o.Prefix = strings.TrimSuffix(o.Prefix, "/")
	if o.Prefix != "" && (!strings.HasPrefix(o.Prefix, "/") || strings.ContainsAny(o.Prefix, "?#\"'<> ")) {
		fail("Prefix", "%q must be a path starting with /", o.Prefix)
	}
	if o.Region == "" {
		o.Region = iampolicy.BillingRegion
	}
	if o.StackName == "" {
		o.StackName = DefaultStackName
	}
	if o.Template.RoleName == "" {
		o.Template.RoleName = iampolicy.DefaultRoleName
	}
	o.Template.Hosted = true
	if o.Template.TrustedPrincipal == "" {
		fail("Template.TrustedPrincipal", "is empty: the platform's account ID or IAM principal ARN, which the customer's role trusts")
	}
	if len(o.Profiles) == 0 {
		o.Profiles = []*billingconn.Profile{billingconn.Optima(), billingconn.Eco()}
	}
	seen := map[string]bool{}
	for i, p := range o.Profiles {
		if p == nil {
			fail(fmt.Sprintf("Profiles[%d]", i), "is nil")
			continue
		}
		if err := p.Validate(); err != nil {
			fail(fmt.Sprintf("Profiles[%d]", i), "%v", err)
		}
		if seen[p.Name] {
			fail(fmt.Sprintf("Profiles[%d]", i), "repeats the name %q", p.Name)
		}
		seen[p.Name] = true
	}
	if o.MinVerifyInterval == 0 {
		o.MinVerifyInterval = DefaultMinVerifyInterval
	}
	if o.VerifyTimeout == 0 {
		o.VerifyTimeout = DefaultVerifyTimeout
	}
	if o.VerifyTimeout < 0 {
		fail("VerifyTimeout", "is negative")
	}
	if o.Title == "" {
		o.Title = "Connect your AWS account"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// Verify only what the template grants: discovery needs the statements
	// TemplateInput.ReportDefinitions and DataExports add.
	if !o.Template.ReportDefinitions {
		clients.NewCUR = nil
	}
	if !o.Template.DataExports {
		clients.NewDataExports = nil
	}
	h := &Handler{o: o, tenant: tenant, store: store, clients: clients, profiles: o.Profiles, log: o.Logger}
	if o.Template.TrustedPrincipal != "" {
		t, err := iampolicy.CloudFormationTemplate(o.Template)
		if err != nil {
			bad = append(bad, fmt.Errorf("template: %w", err))
		} else {
			if h.tmplYAML, err = t.YAML(); err == nil {
				h.tmplJSON, err = t.JSON()
			}
			if err != nil {
				bad = append(bad, fmt.Errorf("template: %w", err))
			}
		}
	}
	if o.TemplateURL != "" {
		if _, err := iampolicy.QuickCreateURL(o.Region, o.TemplateURL, o.StackName, nil); err != nil {
			bad = append(bad, err)
		}
	} else if _, err := iampolicy.RegionPartition(o.Region); err != nil {
		bad = append(bad, err)
	}
	pages, err := parsePages(o.Templates)
	if err != nil {
		bad = append(bad, err)
	}
	h.pages = pages
	cop := http.NewCrossOriginProtection()
	for _, origin := range o.TrustedOrigins {
		if err := cop.AddTrustedOrigin(origin); err != nil {
			fail("TrustedOrigins", "%v", err)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("onboard: %w", errors.Join(bad...))
	}
	cop.SetDenyHandler(http.HandlerFunc(h.crossOrigin))
	h.csp = contentSecurityPolicy(o.Stylesheets)
	h.next = cop.Handler(http.StripPrefix(o.Prefix, h.routes()))
	return h, nil
}

// parsePages parses the handler's templates, then the platform's over them.
func parsePages(platform fs.FS) (*template.Template, error) {
	t, err := template.New("onboard").Funcs(funcs).ParseFS(assets, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("onboard: templates: %w", err)
	}
	if platform != nil {
		if t, err = t.ParseFS(platform, "*.tmpl"); err != nil {
			return nil, fmt.Errorf("onboard: Options.Templates: %w", err)
		}
	}
	return t, nil
}

// contentSecurityPolicy allows the handler's own script and styles, and
// the platform's stylesheets' origins.
func contentSecurityPolicy(stylesheets []string) string {
	styles := []string{"'self'"}
	for _, s := range stylesheets {
		if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
			if o := u.Scheme + "://" + u.Host; !slices.Contains(styles, o) {
				styles = append(styles, o)
			}
		}
	}
	return "default-src 'none'; script-src 'self'; style-src " + strings.Join(styles, " ") +
		"; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	// Pages hold the quick-create link with the external ID: no referrer
	// leaves them, and no cache keeps them.
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	if !strings.HasPrefix(r.URL.Path, h.o.Prefix+"/") {
		if r.URL.Path == h.o.Prefix && r.Method == http.MethodGet {
			http.Redirect(w, r, h.o.Prefix+"/", http.StatusFound)
			return
		}
		http.NotFound(w, r)
		return
	}
	h.next.ServeHTTP(w, r)
}

// routes are the handler's paths, under the prefix.
func (h *Handler) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/{file}", h.static)
	mux.HandleFunc("GET /template.yaml", h.template)
	mux.HandleFunc("GET /template.json", h.template)

	mux.Handle("GET /{$}", h.withTenant(h.listPage))
	mux.Handle("GET /new", h.withTenant(h.newPage))
	mux.Handle("POST /new", h.withTenant(h.createForm))
	mux.Handle("GET /c/{id}", h.withTenant(h.connectionPage))
	mux.Handle("POST /c/{id}/definition", h.withTenant(h.definitionForm))
	mux.Handle("POST /c/{id}/verify", h.withTenant(h.verifyForm))
	mux.Handle("POST /c/{id}/delete", h.withTenant(h.deleteForm))

	mux.Handle("POST /api/connections", h.withTenant(h.apiCreate))
	mux.Handle("GET /api/connections", h.withTenant(h.apiList))
	mux.Handle("GET /api/connections/{id}", h.withTenant(h.apiGet))
	mux.Handle("DELETE /api/connections/{id}", h.withTenant(h.apiDelete))
	mux.Handle("POST /api/connections/{id}/role", h.withTenant(h.apiRole))
	mux.Handle("POST /api/connections/{id}/definition", h.withTenant(h.apiDefinition))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, "", "no such API path: "+r.Method+" "+h.o.Prefix+r.URL.Path)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, "", http.StatusNotFound, "There is no such page.")
	})
	return mux
}

type tenantHandler func(w http.ResponseWriter, r *http.Request, tenant string)

// withTenant resolves the request's tenant through the platform's
// TenantFunc, or answers 401.
func (h *Handler) withTenant(next tenantHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		tenant, err := h.tenant(r)
		if err != nil || tenant == "" {
			h.log.LogAttrs(r.Context(), slog.LevelWarn, "onboard: unauthenticated request", slog.String("method", r.Method), slog.String("path", r.URL.Path))
			if isAPI(r) {
				writeJSONError(w, http.StatusUnauthorized, "", "sign in first")
				return
			}
			h.errorPage(w, r, "", http.StatusUnauthorized, "Sign in to connect an AWS account.")
			return
		}
		next(w, r, tenant)
	})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// crossOrigin answers a state change refused by CrossOriginProtection.
func (h *Handler) crossOrigin(w http.ResponseWriter, r *http.Request) {
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "onboard: cross-origin request refused", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.String("origin", r.Header.Get("Origin")))
	if strings.HasPrefix(r.URL.Path, h.o.Prefix+"/api/") {
		writeJSONError(w, http.StatusForbidden, "", "cross-origin request refused")
		return
	}
	h.errorPage(w, r, "", http.StatusForbidden, "This request came from another site, so it was refused. Go back to the page and try again.")
}

func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	data, err := assets.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(data)
}

// template serves the hosted template (it holds no customer's values).
func (h *Handler) template(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, ".json") {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(h.tmplJSON)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(h.tmplYAML)
}

// newID returns a random, URL-safe connection ID (128 bits).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// profile returns the profile with the given name.
func (h *Handler) profile(name string) *billingconn.Profile {
	for _, p := range h.profiles {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// detached returns a context that outlives the request (a verification
// and its writes finish even when the customer closes the page), with the
// request's values.
func detached(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
