package onboard

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/iampolicy"
)

// TenantFunc returns the tenant a request is made for, from the platform's
// own authentication (its session cookie, its token): never from a form
// field or a header the browser controls. An error or an empty tenant
// answers 401 Unauthorized; return ErrUnauthenticated, or the platform's
// own error (only its presence counts: its text is not shown).
type TenantFunc func(r *http.Request) (tenant string, err error)

// ErrUnauthenticated is what a TenantFunc returns for a request that carries
// no identity.
var ErrUnauthenticated = errors.New("onboard: unauthenticated")

// Defaults.
const (
	// DefaultStackName is the stack name the quick-create link proposes.
	DefaultStackName = "curconnect-billing-read"
	// DefaultMinVerifyInterval is the least time between two verifications
	// of one connection.
	DefaultMinVerifyInterval = 10 * time.Second
	// DefaultVerifyTimeout bounds one verification; it is also the lease a
	// verification holds on its connection.
	DefaultVerifyTimeout = 2 * time.Minute
	// DefaultPropagationWait is how long a verification retries
	// AccessDenied, for a role created a moment ago (IAM takes seconds to
	// propagate a new role).
	DefaultPropagationWait = 10 * time.Second
)

// Options tune the Handler. Only Template.TrustedPrincipal is required.
type Options struct {
	// Prefix is the path the handler is mounted at, e.g. "/onboarding";
	// the handler serves Prefix+"/" and below, and writes its links with
	// it. Empty mounts it at the root.
	Prefix string

	// Template is the hosted template every customer's stack is created
	// from (iampolicy.CloudFormationTemplate with Hosted set, which the
	// handler sets). TrustedPrincipal, the platform's account ID or IAM
	// principal ARN, is required; RoleName defaults to
	// iampolicy.DefaultRoleName and is the name the handler derives role
	// ARNs from. The handler serves it at Prefix+"/template.yaml" and
	// "/template.json", for the platform to upload to S3. Verification
	// discovers the report definition (Clients.NewCUR, NewDataExports)
	// only when ReportDefinitions (DataExports) grants the role the calls;
	// otherwise the customer may paste it.
	Template iampolicy.TemplateInput
	// TemplateURL is where the template is hosted, on S3 (https): the
	// quick-create link loads it. If empty, the link points at the
	// handler's own /template.yaml, and the page says that on AWS the
	// template must be hosted on S3 (the console loads templates from S3
	// only): right for a local demo, not for customers.
	TemplateURL string
	// Region is the region of the CloudFormation console the link opens.
	// If empty, iampolicy.BillingRegion (us-east-1).
	Region string
	// StackName is the stack name the link proposes. If empty,
	// DefaultStackName.
	StackName string

	// Profiles are the consumer profiles a customer may choose between; the
	// first is the default. If empty, billingconn.Optima and
	// billingconn.Eco.
	Profiles []*billingconn.Profile

	// OnConnected, if set, is called once each time a connection becomes
	// connected (every check passed, after any other state), after the
	// state is stored: the platform starts reading. It runs on the
	// request's goroutine with a context that outlives the request; a
	// slow hook delays the customer's answer, so hand long work off.
	OnConnected func(ctx context.Context, tenant string, c Connection)

	// MinVerifyInterval is the least time between the starts of two
	// verifications of one connection; one connection also never runs two
	// at once. If zero, DefaultMinVerifyInterval; negative disables the
	// interval (not the one-at-a-time rule).
	MinVerifyInterval time.Duration
	// VerifyTimeout bounds one verification, and is the lease it holds on
	// the connection: a verification whose process stopped holds it no
	// longer than this. If zero, DefaultVerifyTimeout.
	VerifyTimeout time.Duration
	// VerifyOptions are applied to every billingconn.Verify call after the
	// handler's own (Profiles: the connection's profile; Definition: the
	// pasted one; PropagationWait: DefaultPropagationWait; OnCheck).
	VerifyOptions []func(*billingconn.VerifyOptions)

	// Templates, if set, holds html/template files (*.tmpl) parsed over the
	// handler's own, so that a {{define "name"}} in them replaces the
	// handler's template of that name: "head" (title, stylesheets),
	// "brand" (the header), "footer", or whole pages ("list", "new",
	// "connection"). See the package documentation for the names and the
	// data each receives.
	Templates fs.FS
	// Stylesheets are URLs of the platform's stylesheets, linked after the
	// handler's own (Prefix+"/static/onboard.css"), so their rules win.
	// Set NoDefaultStylesheet to link only these.
	Stylesheets         []string
	NoDefaultStylesheet bool
	// Title names the page in its header and title. If empty, "Connect
	// your AWS account".
	Title string

	// TrustedOrigins are origins (scheme://host[:port]) besides the
	// handler's own from which browsers may send state changes, for a
	// front end served elsewhere. Every other cross-origin POST or DELETE
	// is refused (http.CrossOriginProtection).
	TrustedOrigins []string

	// Logger receives one record per state change and per refused
	// request, without external IDs or credentials. If nil, nothing is
	// logged.
	Logger *slog.Logger
	// Now returns the current time; if nil, time.Now.
	Now func() time.Time
}
