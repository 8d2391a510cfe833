package billingconn

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

// CheckID names one verification step. IDs are stable: programs may switch
// on them.
type CheckID string

// Verification steps, in the order Verify runs them.
const (
	// CheckCredentials resolves the platform's own credentials (or the
	// connection's access key pair) and calls sts:GetCallerIdentity.
	CheckCredentials CheckID = "credentials"
	// CheckAssumeRole calls sts:AssumeRole with the external ID, now.
	CheckAssumeRole CheckID = "assume-role"
	// CheckBucketRegion finds the bucket's region (s3:GetBucketLocation,
	// else the region HeadBucket reports).
	CheckBucketRegion CheckID = "bucket-region"
	// CheckListPrefix lists the report prefix (s3:ListBucket).
	CheckListPrefix CheckID = "list-prefix"
	// CheckManifest resolves the newest delivery from its manifest
	// (s3:GetObject), through curreader.
	CheckManifest CheckID = "manifest"
	// CheckOrganizations calls organizations:DescribeOrganization and
	// organizations:ListAccounts.
	CheckOrganizations CheckID = "organizations"
	// CheckCostExplorer calls ce:GetReservationUtilization.
	CheckCostExplorer CheckID = "cost-explorer"
	// CheckReportDefinition validates the report definition or export
	// against VerifyOptions.Profiles.
	CheckReportDefinition CheckID = "report-definition"
)

// Status is the outcome of one check.
type Status string

// Statuses.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	// StatusSkipped: an earlier check that this one needs failed.
	StatusSkipped Status = "skipped"
)

// Codes a failed check carries when the failure is not an AWS error code.
// An AWS failure carries the service's own code (AccessDenied,
// NoSuchBucket, InvalidClientTokenId, AccessDeniedException, …).
const (
	// CheckCodeNoCredentials: the platform's credentials cannot be resolved.
	CheckCodeNoCredentials = "NO_CREDENTIALS"
	// CheckCodeNoDeliveryYet: nothing delivered under the prefix yet (the
	// first delivery can take 24 hours). Retryable.
	CheckCodeNoDeliveryYet = "NO_DELIVERY_YET"
	// CheckCodeReportNotFound: other reports are delivered under the
	// prefix, but not the connection's. Retryable (it may be new).
	CheckCodeReportNotFound = "REPORT_NOT_FOUND"
	// CheckCodeMalformedManifest: the newest manifest cannot be read.
	CheckCodeMalformedManifest = "MALFORMED_MANIFEST"
	// CheckCodeManifestEscapes: a manifest lists files outside its report.
	CheckCodeManifestEscapes = "MANIFEST_ESCAPES"
	// CheckCodeFileMissing: a manifest lists a data file that is missing.
	CheckCodeFileMissing = "FILE_MISSING"
	// CheckCodePayerMismatch: the organization's management account is not
	// the connection's PayerAccountID.
	CheckCodePayerMismatch = "PAYER_MISMATCH"
	// CheckCodeDefinitionNotFound: no report definition or export delivers
	// to the connection's bucket and prefix.
	CheckCodeDefinitionNotFound = "DEFINITION_NOT_FOUND"
	// CheckCodeEndpointUnreachable: nothing answered the step's request:
	// the connection was refused, the host name did not resolve, the TLS
	// handshake failed or the request timed out (curerr.ErrUnreachable).
	// Retryable: a network failure can clear, and it says nothing about
	// the customer's account, role or policies.
	CheckCodeEndpointUnreachable = "ENDPOINT_UNREACHABLE"
	// CheckCodeSignatureMismatch: AWS could not authenticate the request
	// (curerr.ErrSignature): a wrong secret access key, an unknown,
	// inactive or expired access key or session token, or a clock too far
	// from AWS's. No policy was evaluated, so it is never a missing
	// statement. Not retryable: the SDK has already corrected a skewed
	// clock it could measure and retried, so the same credentials fail
	// again until the credentials or the clock are fixed.
	CheckCodeSignatureMismatch = "SIGNATURE_MISMATCH"
)

// Specific conditions of a failed check. Each wraps a category, so
// errors.Is(err, curerr.ErrAccessDenied) also holds for ErrAssumeRoleDenied.
var (
	// ErrAssumeRoleDenied: STS refused AssumeRole. STS answers the same
	// AccessDenied whether the role does not exist, its trust policy does
	// not trust the caller, or the external ID does not match.
	ErrAssumeRoleDenied = curerr.New("billingconn: assume role denied", curerr.ErrAccessDenied)
	// ErrNoDeliveryYet: no complete delivery under the prefix yet.
	ErrNoDeliveryYet = curerr.New("billingconn: no delivery yet", curerr.ErrNotFound)
)

// CheckResult is the outcome of one verification step.
type CheckResult struct {
	// ID names the step.
	ID CheckID
	// Status is pass, fail, or skipped (an earlier blocking step failed).
	Status Status
	// Duration is how long the step took, retries included.
	Duration time.Duration
	// Attempts is how many times the step ran (more than one only with
	// VerifyOptions.PropagationWait).
	Attempts int
	// Code is the AWS error code of a failure (AccessDenied, NoSuchBucket,
	// …), or one of the CheckCode constants, or a finding Code for the
	// report-definition step. When a service answers with an HTTP status
	// only, it is the code of the status's category (AccessDenied,
	// NotFound, Throttling). A request nothing answered is
	// ENDPOINT_UNREACHABLE and one AWS could not authenticate is
	// SIGNATURE_MISMATCH, whatever the AWS code (which Message and Err
	// keep).
	Code string
	// RequestID is the AWS request ID of the failed call, if any.
	RequestID string
	// Message says what happened, in plain words.
	Message string
	// Remediation says what to change, or empty when the step passed.
	// It is written for the customer who owns the AWS account: plain
	// words, IAM actions, ARNs and console names, never a Go identifier,
	// an API option or a statement Sid (those are in Hint).
	Remediation string
	// Hint is for the platform's developers: the API calls, options,
	// iampolicy builders and statement Sids behind the failure, and what
	// to change in code or configuration. Empty when there is nothing to
	// add to Remediation.
	Hint string
	// Retryable reports whether running the step again later can help
	// (throttling, a first delivery not there yet, a network error).
	Retryable bool
	// Action and Resource are the IAM action and resource of the request
	// that was denied, when a step fails with AccessDenied.
	Action, Resource string
	// MissingStatement is the statement of iampolicy.CURReadPolicy (or, for
	// AssumeRole, of iampolicy.CrossAccountTrust) that grants the denied
	// request; nil when none applies.
	MissingStatement *iampolicy.Statement
	// Findings are the validation findings of the report-definition step.
	Findings Findings
	// Err is the failure as a *CheckError, or nil.
	Err error
}

// MarshalJSON writes the result with lower-case keys, the duration in
// milliseconds, and without Err (whose text Message already gives).
func (r CheckResult) MarshalJSON() ([]byte, error) {
	type out struct {
		ID               CheckID              `json:"id"`
		Status           Status               `json:"status"`
		DurationMS       float64              `json:"durationMs"`
		Attempts         int                  `json:"attempts,omitempty"`
		Code             string               `json:"code,omitempty"`
		RequestID        string               `json:"requestId,omitempty"`
		Message          string               `json:"message"`
		Remediation      string               `json:"remediation,omitempty"`
		Hint             string               `json:"hint,omitempty"`
		Retryable        bool                 `json:"retryable"`
		Action           string               `json:"action,omitempty"`
		Resource         string               `json:"resource,omitempty"`
		MissingStatement *iampolicy.Statement `json:"missingStatement,omitempty"`
		Findings         Findings             `json:"findings,omitempty"`
	}
	return json.Marshal(out{
		ID: r.ID, Status: r.Status, DurationMS: float64(r.Duration.Microseconds()) / 1000, Attempts: r.Attempts,
		Code: r.Code, RequestID: r.RequestID, Message: r.Message, Remediation: r.Remediation, Hint: r.Hint, Retryable: r.Retryable,
		Action: r.Action, Resource: r.Resource, MissingStatement: r.MissingStatement, Findings: r.Findings,
	})
}

// LogValue implements slog.LogValuer.
func (r CheckResult) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("id", string(r.ID)), slog.String("status", string(r.Status)), slog.Duration("duration", r.Duration)}
	if r.Code != "" {
		attrs = append(attrs, slog.String("code", r.Code))
	}
	if r.RequestID != "" {
		attrs = append(attrs, slog.String("requestId", r.RequestID))
	}
	attrs = append(attrs, slog.String("message", r.Message))
	return slog.GroupValue(attrs...)
}

// CheckError is the failure of one check. It unwraps to the cause (the
// AWS error, so errors.As(err, &smithy.APIError) reaches its code and
// request ID; or a curreader error) and to the specific sentinel, if any
// (ErrAssumeRoleDenied, ErrNoDeliveryYet, curerr.ErrBucketNotFound, …), and
// through them to a category (curerr.ErrAccessDenied, curerr.ErrNotFound, curerr.ErrThrottled).
// Its text never holds a secret.
type CheckError struct {
	// Check is the failed step.
	Check CheckID
	// Resource names what the step was about (an ARN or s3:// URI).
	Resource string
	// Err is the cause.
	Err error

	sentinel error
	redact   *strings.Replacer
}

// Error returns "billingconn: check <id> <resource>: <cause>".
func (e *CheckError) Error() string {
	s := "billingconn: check " + string(e.Check)
	if e.Resource != "" {
		s += " " + e.Resource
	}
	if e.Err != nil {
		s += ": " + strings.TrimPrefix(e.Err.Error(), "billingconn: ")
	} else if e.sentinel != nil {
		s += ": " + strings.TrimPrefix(e.sentinel.Error(), "billingconn: ")
	}
	if e.redact != nil {
		s = e.redact.Replace(s)
	}
	return s
}

// Unwrap returns the cause and the sentinel.
func (e *CheckError) Unwrap() []error {
	var out []error
	if e.Err != nil {
		out = append(out, e.Err)
	}
	if e.sentinel != nil && (e.Err == nil || !errors.Is(e.Err, e.sentinel)) {
		out = append(out, e.sentinel)
	}
	return out
}

// Report is the result of Verify: every check in order, and what the
// checks learnt on the way.
type Verification struct {
	// Connection is the connection verified; it marshals with its secrets
	// redacted.
	Connection Connection `json:"connection"`
	// Checks are the steps, in the order they ran.
	Checks []CheckResult `json:"checks"`
	// Caller is the ARN STS reports for the platform's credentials (or
	// the access key's user).
	Caller string `json:"caller,omitempty"`
	// BucketRegion is the bucket's region.
	BucketRegion string `json:"bucketRegion,omitempty"`
	// Organization holds the organization and its accounts, when the
	// organizations step passed and the account is in one.
	Organization *Organization `json:"organization,omitempty"`
	// Deliveries are the newest complete deliveries the manifest step
	// resolved, one per report checked.
	Deliveries []*curreader.Delivery `json:"-"`
	// Definition is the report definition or export the report-definition
	// step checked, if found.
	Definition *Definition `json:"-"`
}

// OK reports whether every check passed.
func (r *Verification) OK() bool {
	if r == nil || len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if c.Status != StatusPass {
			return false
		}
	}
	return true
}

// Failed returns the failed checks (not the skipped ones), in order.
func (r *Verification) Failed() []CheckResult {
	if r == nil {
		return nil
	}
	var out []CheckResult
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			out = append(out, c)
		}
	}
	return out
}

// Check returns the result of the step with the given ID.
func (r *Verification) Check(id CheckID) (CheckResult, bool) {
	if r != nil {
		for _, c := range r.Checks {
			if c.ID == id {
				return c, true
			}
		}
	}
	return CheckResult{}, false
}

// Err returns errors.Join of the failed checks' *CheckError, or nil when
// none failed: errors.Is(rep.Err(), curerr.ErrAccessDenied) tells whether any
// step was denied.
func (r *Verification) Err() error {
	var errs []error
	for _, c := range r.Failed() {
		if c.Err != nil {
			errs = append(errs, c.Err)
		}
	}
	return errors.Join(errs...)
}

// Retryable reports whether the report has failures and every one of them
// may pass when verification runs again later.
func (r *Verification) Retryable() bool {
	failed := r.Failed()
	for _, c := range failed {
		if !c.Retryable {
			return false
		}
	}
	return len(failed) > 0
}
