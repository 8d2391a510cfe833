// Package billingconn checks the AWS side of a cost platform's "connect your
// AWS account" flow: the Connection a platform stores, the consumer Profile
// that says what it needs from a Cost and Usage Report, offline validation of
// legacy report definitions and Data Exports against AWS's rules and a
// profile, discovery of the reports and exports a payer account has, and
// step-by-step verification that the connection works.
//
// # Connections
//
// A [Connection] names the payer account, the bucket (and its region) and
// prefix the reports land in, the report or export, and the [Credentials]: a
// role ARN with an external ID (preferred) or an IAM user's access key pair
// (legacy). [Connection.Validate] checks every field at once. A Connection
// never shows its secrets: String, every fmt verb, slog and encoding/json
// print the secret access key and the external ID as REDACTED.
//
// [Connection.Config] turns the platform's own aws.Config into one that reads
// as the connection: the role assumed with the external ID under a session
// name the customer's CloudTrail shows, cached and renewed before it expires
// ([SessionOptions]), or the access key pair as is. [Connection.Resolver]
// wraps it in a curreader.Resolver over the bucket, so that a stored
// Connection is a few lines from exact rows:
//
//	r, err := conn.Resolver(cfg)                // cfg: the platform's own configuration
//	reps, err := r.Reports(ctx, conn.Prefix)
//	changes, err := r.Changes(ctx, reps[0], state) // state: the platform's curreader.SyncState
//	rd, err := r.Open(ctx, changes[0])
//
// # Profiles
//
// A [Profile] is what one consumer needs: export kinds, time unit, resource
// IDs, split cost allocation data, refresh of closed months, versioning,
// format and compression, bucket region, the Athena artifact, a non-empty
// prefix, a name prefix. [Optima] and [Eco] are built in, each setting citing
// the vendor guide it comes from; [ParseProfile] reads a platform's own from
// JSON. Kinds, formats and compressions are curreader's [curreader.Kind],
// [curreader.Format] and [curreader.Compression]: one vocabulary across the
// packages.
//
// # Validation
//
// [Validate] checks a [Definition] — the SDK's own
// costandusagereportservice/types.ReportDefinition or
// bcmdataexports/types.Export — against AWS's rules and profiles;
// [ParseDefinitions] reads them from the AWS CLI's JSON. Each [Finding] has a stable [Code], a [Severity], the AWS field
// name, a plain message and a [Fix]: the exact ModifyReportDefinition,
// PutReportDefinition, UpdateExport or CreateExport input that resolves it.
// All fixable findings of one validation share one Fix that resolves them
// all; re-validating Fix.ReportDefinition or Fix.Export finds nothing
// fixable. A Fix that cannot be sent as it is says so in Fix.NeedsInput, the
// fields of its input the user must set first, by path (Fix.Ready reports
// false): Eco's REGION_MISMATCH fix moves the report to us-east-1 but keeps
// the old bucket's name, to be replaced by a bucket in us-east-1. When profiles conflict (Optima and Eco cannot share a report), a
// PROFILES_CONFLICT finding proposes a second report.
//
// # Discovery
//
// [Discover] lists legacy report definitions and Data Exports through the
// narrow [CURAPI] and [DataExportsAPI] interfaces, always in us-east-1,
// keeps those delivering to the connection's bucket and prefix, and ranks
// them against profiles.
//
// # Verifying a connection
//
// [Verify] runs the connection as a platform would, one named check after
// another, and returns a [Verification] of [CheckResult] values (pass, fail, or
// skipped because an earlier step it needs failed), each with its
// duration, the AWS error code and request ID, a plain message, a
// remediation and whether retrying later can help:
//
//	credentials → assume-role → bucket-region → list-prefix → manifest → organizations → cost-explorer → report-definition
//
// VerifyOptions.OnCheck sees each result as soon as its step ends, so that a
// page can show the checks as they run (package billingconn/onboard does).
//
// AssumeRole is called explicitly, with the external ID, before anything
// else uses the role: lazily fetched credentials would turn a trust failure
// into an opaque S3 error later on. STS returns one and the same
// AccessDenied when the role does not exist, when its trust policy does not
// trust the caller, and when the external ID does not match; it never says
// which, and neither can Verify, so its remediation lists all three.
//
// The manifest step resolves the newest complete delivery with curreader,
// from the manifest AWS writes last. Nothing delivered yet is the code
// NO_DELIVERY_YET ("no delivery yet: the first one can take 24 hours"),
// retryable. For an AccessDenied the result names the statement that grants
// the denied request — from iampolicy.CURReadPolicy (for example
// "ReadBillingReports" for s3:GetObject) or iampolicy.CrossAccountTrust — in
// MissingStatement; given the role's actual policies
// (VerifyOptions.Policies), iampolicy's evaluator says what in them is wrong
// (the action missing, GetObject on the bucket ARN without /*, an explicit
// Deny). VerifyOptions.PropagationWait retries AccessDenied for a bounded
// time, for roles created a moment ago; it is off by default.
//
// Each failed check says what to do twice. Remediation is for the customer
// who owns the AWS account, to be shown as it is: plain words, the IAM
// actions and ARNs to allow, console pages; never a Go identifier, an API
// option or a statement Sid. Hint is for the platform's developers: the
// API calls, iampolicy builders, statement Sids and policy JSON, the
// VerifyOptions and Clients fields to change.
//
// Two failures are never explained as a missing statement, because no
// policy was evaluated. ENDPOINT_UNREACHABLE (CheckCodeEndpointUnreachable,
// curerr.ErrUnreachable): nothing answered — the connection was refused,
// the host name did not resolve, the TLS handshake failed or the request
// timed out; retryable. SIGNATURE_MISMATCH (CheckCodeSignatureMismatch,
// curerr.ErrSignature): AWS could not authenticate the request — a wrong
// secret, an unknown, inactive or expired key or token, or a clock too far
// from AWS's; not retryable, since the SDK has already corrected a clock
// skew it could measure. Their remediation says whose credentials or
// network is at fault (the platform's, the customer's access key, the
// role's session), and the AWS code stays in Message and in Err.
//
// Verify reaches AWS through narrow interfaces with the SDK's own method
// sets ([STSAPI] embeds stscreds.AssumeRoleAPIClient, [S3API] embeds
// curreader.S3API, [OrganizationsAPI], [CostExplorerAPI], [CURAPI],
// [DataExportsAPI]), made per credentials by the factories in [Clients];
// [NewClients] builds them from an aws.Config. The organizations step keeps
// the organization's accounts in Verification.Organization; [ListAccounts] lists
// them on its own, as [Accounts] keyed by the account ID that
// lineItem/UsageAccountId holds. The Cost Explorer step makes one
// GetReservationUtilization request, which AWS bills (about one cent).
//
// Nothing Verify returns, marshals or logs holds the secret access key,
// session credentials or the external ID: messages, remediations, hints and error
// texts are scrubbed of them, even when a server echoes them back.
//
// # Errors
//
// Validation problems in a definition are findings, not errors. Errors are
// for input that cannot be used and for failed AWS calls:
//
//   - [curerr.ErrMalformed] is the category of every refused input.
//     [Connection.Validate], [Connection.Config], [Profile.Validate] and
//     [ParseProfile] return errors.Join of [*curerr.FieldError] (each naming
//     its field; the missing external ID also wraps
//     iampolicy.ErrNoExternalID). [ParseDefinitions] returns a
//     *curerr.FieldError whose Err is the *json.SyntaxError or
//     *json.UnmarshalTypeError, and whose message names the JSON field.
//     Validate returns an error only for a Definition that holds neither
//     kind, or a nil or invalid profile.
//   - [Discover] returns an [*OpError] naming the AWS operation (and export
//     ARN). It unwraps to the SDK's error, so errors.As(err,
//     &smithy.APIError) gives the code and request ID, and to its category:
//     errors.Is(err, [curerr.ErrAccessDenied]), [curerr.ErrNotFound],
//     [curerr.ErrThrottled], [curerr.ErrUnreachable] (nothing answered) or
//     [curerr.ErrSignature] (AWS could not authenticate the request).
//     Context cancellation is returned as is
//     (errors.Is(err, context.Canceled)). [ListAccounts] fails the same way,
//     naming ListAccounts.
//   - [Verify] reports failed checks in the Verification, not as its error.
//     Each failed CheckResult.Err is a [*CheckError] naming the check and the
//     resource; it unwraps to the AWS error (errors.As(err,
//     &smithy.APIError) reaches the code and request ID) or the curreader
//     error, to a specific sentinel — [ErrAssumeRoleDenied] (wraps
//     curerr.ErrAccessDenied), [ErrNoDeliveryYet] (wraps curerr.ErrNotFound)
//     — and to its category, [curerr.ErrUnreachable] and
//     [curerr.ErrSignature] among them. [Verification.Err] joins them, so
//     errors.Is(v.Err(), curerr.ErrAccessDenied) asks whether any step was
//     denied. Verify's own error is for what kept it from running: an
//     invalid Connection, Clients or options (wrapping curerr.ErrMalformed,
//     with a nil Verification), or ctx's error (with the checks run so far).
//
// The categories are defined once, in package curreader/curerr, so
// errors.Is matches across billingconn, curreader and iampolicy.
//
// # Concurrency
//
// Connection, Profile, Definition, Finding, Fix, Verification and CheckResult are plain values: safe to
// share for reading, not for writing. Validation functions neither modify
// their arguments nor keep them, and may run concurrently. Optima and Eco
// return a new Profile on each call. Discover makes its AWS calls one after
// another on the calling goroutine and may run concurrently with other
// Discover calls on the same clients (the SDK clients are safe for concurrent
// use). The same holds for Verify and ListAccounts: each runs its calls in
// order on the calling goroutine, and any number may run at once on shared
// Clients. A Report is a plain value once Verify returns.
package billingconn
