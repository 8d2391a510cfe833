// Package onboard is the "connect your AWS account" page a cost platform
// mounts: an [http.Handler] that walks a customer through connecting a
// payer account, with a JSON API beside it for a platform's own front end,
// and the [Store] its connections live in.
//
// # Mounting it
//
// A platform supplies three things: its tenant of each request (from its
// own authentication), a store, and the AWS clients verification uses (its
// own aws.Config):
//
//	db, err := sql.Open("pgx", dsn) // or "sqlite", with modernc.org/sqlite
//	store, err := onboard.NewSQLStore(ctx, db, onboard.Postgres)
//	h, err := onboard.New(func(r *http.Request) (string, error) {
//		return session.OrgID(r) // the platform's authentication, never a form field
//	}, store, billingconn.NewClients(cfg), func(o *onboard.Options) {
//		o.Prefix = "/onboarding"
//		o.Template.TrustedPrincipal = "arn:aws:iam::451234325714:role/cost-reader"
//		o.TemplateURL = "https://acme-templates.s3.us-east-1.amazonaws.com/curconnect.yaml"
//		o.OnConnected = func(ctx context.Context, tenant string, c onboard.Connection) {
//			ingest.Start(tenant, c.BillingConn()) // read with c.BillingConn().Resolver(cfg)
//		}
//	})
//	mux.Handle("/onboarding/", h)
//
// The template at TemplateURL is the one the handler serves at
// Prefix+"/template.yaml" (iampolicy.CloudFormationTemplate with
// TemplateInput.Hosted): upload it to S3 once. Without TemplateURL, the link
// points at the handler's own copy, for a local demo.
//
// # The flow
//
// The customer, on the pages under Prefix:
//
//  1. enters the payer account, the bucket, prefix and report, and picks
//     the consumer profile (Options.Profiles: Optima's, Eco's or the
//     platform's own); each field is checked as billingconn checks a
//     Connection, and against the profile (a prefix Optima needs);
//  2. sees the report the profile needs (the exact put-report-definition
//     input), and may paste the report's definition to have it validated
//     with its exact fix (billingconn.Validate);
//  3. opens the quick-create link of the hosted template
//     (iampolicy.QuickCreateURL), whose parameters carry the bucket, the
//     prefix and an external ID the server generated
//     (iampolicy.NewExternalID), and creates the stack;
//  4. returns the role's ARN, or keeps the one derived from the account and
//     the template's role name (iampolicy.RoleARN), and verifies:
//     billingconn.Verify runs, and each check appears as it ends (with
//     JavaScript; without, the form answers with the finished page);
//  5. sees the connection connected, or failing with what to do
//     (CheckResult.Remediation), or waiting for AWS's first delivery, which
//     can take 24 hours.
//
// The list page shows every payer account of the tenant with its state:
// pending, verifying, connected or failing. Options.OnConnected tells the
// platform, once per transition, that a connection became connected, and
// Handler.Verify lets its scheduler verify a waiting connection again.
//
// # Security
//
//   - The tenant comes from the platform's TenantFunc, never from the
//     request's fields; a store reads and writes only the caller's tenant's
//     connections, so another tenant's ID is "not found" (404), in pages and
//     JSON alike.
//   - State changes are POST (or DELETE), refused from other origins by
//     [http.CrossOriginProtection] (Sec-Fetch-Site, then Origin against
//     Host); Options.TrustedOrigins adds a front end's origin. GET never
//     changes anything.
//   - External IDs are made on the server when a connection is created and
//     never taken from a request: the API refuses an externalId field, and
//     forms ignore it. The external ID is shown to its tenant (it is in the
//     link, and a customer creating the role by hand needs it), never
//     logged, and masked by Connection's String, fmt verbs and LogValue.
//     AWS credentials never pass through the handler: verification assumes
//     the role with the platform's own.
//   - Verification is limited per connection: one at a time (409, or the
//     page says so), and at least Options.MinVerifyInterval between the
//     starts of two (429 with Retry-After).
//   - Every input is validated, each error shown next to its field (with
//     an error summary linking to it) or returned as {"field", "message"}.
//   - Pages are sent with a Content-Security-Policy (the handler's own script
//     and styles, and the platform's stylesheets' origins), no referrer (the
//     link carries the external ID), and no caching.
//
// # Pages
//
// Pages are server-rendered with html/template and work without JavaScript;
// a small script (Prefix+"/static/onboard.js") adds the live checks. They
// use labels and hints tied to their inputs, error summaries that take the
// focus, a polite live region that announces each check and the outcome,
// states told in words as well as colour, and visible focus. The
// stylesheet (Prefix+"/static/onboard.css") is plain and made to be
// overridden: Options.Stylesheets are linked after it.
//
// Options.Templates replaces any template by name: "head" (the stylesheet
// links), "brand" (the header), "footer", or whole pages: "list", "new",
// "connection", "error". Each receives a *[Page].
//
// # The JSON API
//
// Under Prefix+"/api/", with the tenant from the same TenantFunc:
//
//   - POST /api/connections {"payerAccountId", "bucket", "prefix",
//     "reportName", "profile"} → 201 {"id", "externalId", "quickCreateUrl",
//     "state": "pending"}; bad input → 400 {"errors": [{"field",
//     "message"}]}.
//   - POST /api/connections/{id}/role {"roleArn"} (empty: derived) → 200
//     {"id", "state": "connected"|"failing", "checks": [{"id", "status",
//     "code", "message", "remediation", "retryable", "hint"}]}. With
//     Accept: application/x-ndjson it streams one JSON object per line:
//     {"plan": [{"id", "label"}]}, then {"check": {…, "label"}} as each
//     check ends (with "note": what the flow adds to a failure's
//     remediation), then the final object with "waitingForDelivery".
//   - GET /api/connections → {"connections": [{"id", "payerAccountId",
//     "bucket", "prefix", "reportName", "state"}]}, the caller's tenant's.
//   - GET /api/connections/{id} → the same fields with "profile",
//     "roleArn", "externalId", "quickCreateUrl" and the last "checks".
//   - POST /api/connections/{id}/definition (the AWS CLI's JSON as the
//     body) → 200 {"id", "findings"}.
//   - DELETE /api/connections/{id} → 204.
//
// Another tenant's ID is 404; a running verification 409; a rate-limited
// one 429 with Retry-After.
//
// # Stores
//
// [NewMemoryStore] keeps connections in memory; [NewSQLStore] keeps them in
// a SQL database through database/sql, SQLite (modernc.org/sqlite, pure Go)
// or PostgreSQL, creating and migrating its tables itself. Writes are
// compare-and-swap on Connection.Version, and a verification holds its
// connection under a token (a lease of Options.VerifyTimeout), so two
// verifications of one connection — on one process or on several sharing
// the database — cannot interleave their writes. Package storetest holds
// the tests a platform's own Store must pass.
//
// # Errors
//
// Store methods return [ErrNotFound] (wrapping curerr.ErrNotFound),
// [ErrExists] and [ErrConflict]. Handler.Verify returns those,
// [ErrVerifying], a *[RateLimitError], or an error wrapping
// curerr.ErrMalformed for a connection without a role. New returns an
// error wrapping curerr.ErrMalformed for invalid options.
//
// # Concurrency
//
// A Handler, MemoryStore and SQLStore are safe for concurrent use.
// Connection is a plain value.
package onboard
