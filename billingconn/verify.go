package billingconn

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/awserr"
)

// DefaultRoleSessionName is the session name Verify passes to AssumeRole.
const DefaultRoleSessionName = "curconnect-verify"

// VerifyOptions tune Verify. The zero value runs every check that the
// Clients can run, without retries.
type VerifyOptions struct {
	// Profiles, when set, add the report-definition step: the definition
	// (VerifyOptions.Definition, or the one Discover finds for the
	// connection) is validated against them.
	Profiles []*Profile
	// Definition is the report definition or export to validate in the
	// report-definition step, when the platform already has it; otherwise
	// the step discovers it with the CUR and Data Exports clients (which
	// need cur:DescribeReportDefinitions and bcm-data-exports:ListExports
	// and GetExport: iampolicy.ReadPolicyOptions.ReportDefinitions and
	// DataExports).
	Definition *Definition
	// Policies are the role's identity policies, if the platform knows them
	// (for instance, the ones it generated). When set, an AccessDenied is
	// explained with iampolicy's evaluator: the Gap that names the
	// statement at fault (a missing action, GetObject on the bucket ARN
	// without /*, an explicit Deny, …).
	Policies []iampolicy.Policy
	// ReadOptions are the options the role's read policy was generated
	// with (KMS keys, partition); the statement a failure names comes
	// from iampolicy.CURReadPolicy with these options.
	ReadOptions []func(*iampolicy.ReadPolicyOptions)
	// RoleSessionName is AssumeRole's session name; if empty,
	// DefaultRoleSessionName.
	RoleSessionName string
	// PropagationWait, when positive, retries a step that fails with
	// AccessDenied (and AssumeRole's AccessDenied) until this much time has
	// passed: IAM changes take a few seconds to reach every region, so a
	// role created a moment ago can be refused at first. Zero (the default)
	// never retries.
	PropagationWait time.Duration
	// PropagationDelay is the first wait between attempts; it doubles up
	// to 8 seconds. If zero, one second.
	PropagationDelay time.Duration
	// Now returns the current time (the Cost Explorer step asks for last
	// month); if nil, time.Now.
	Now func() time.Time
	// Logger, if set, receives one record per check (at Info for a pass,
	// Warn otherwise). Records never hold secrets.
	Logger *slog.Logger
	// OnCheck, if set, is called with each check's result as soon as the
	// step ends (skipped steps included), in order, on Verify's goroutine
	// and before the next step starts: a page can show the checks as they
	// run. The result holds no secrets.
	OnCheck func(CheckResult)
	// OrganizationsOptions and CostExplorerOptions are applied to those
	// calls after Verify's own, which set the region to us-east-1 (the
	// endpoints of both in the aws partition).
	OrganizationsOptions []func(*organizations.Options)
	CostExplorerOptions  []func(*costexplorer.Options)
}

// Verify checks that conn works, step by step, as a platform would use it,
// and says for each step what passed, what failed, why, and what to change:
//
//  1. credentials: the platform's own credentials resolve and STS accepts
//     them (sts:GetCallerIdentity); for a legacy access key pair, the pair
//     itself;
//  2. assume-role: sts:AssumeRole with the external ID, called now rather
//     than lazily, so that a trust failure is not hidden inside a later S3
//     error. STS answers one AccessDenied for three different causes — the
//     role does not exist, its trust policy does not trust the caller, or
//     the external ID does not match — and does not say which;
//  3. bucket-region: s3:GetBucketLocation (falling back to the region
//     HeadBucket reports, so that later steps still run);
//  4. list-prefix: s3:ListBucket on the report prefix;
//  5. manifest: the newest complete delivery of the report (of every report
//     under the prefix when the connection names none), resolved from its
//     manifest by curreader; nothing delivered yet is NO_DELIVERY_YET,
//     retryable: the first delivery can take 24 hours;
//  6. organizations: organizations:DescribeOrganization and ListAccounts
//     (Report.Organization);
//  7. cost-explorer: ce:GetReservationUtilization for last month;
//  8. report-definition, when VerifyOptions.Profiles are set: the
//     definition validated against them (its findings in the result).
//
// The assume-role step exists only for role connections, and a step whose
// client factory is nil is left out. A failed credentials, assume-role or
// list-prefix step — or a bucket-region step that found no region — makes
// the S3 steps after it skipped; the other steps run regardless. For an
// AccessDenied the result names the statement of iampolicy.CURReadPolicy
// (or of iampolicy.CrossAccountTrust) that grants the denied request. A
// request nothing answered fails with ENDPOINT_UNREACHABLE and one AWS
// could not authenticate with SIGNATURE_MISMATCH, never blamed on a
// policy. Remediation is written for the customer, Hint for the platform's
// developers (see CheckResult).
//
// The Report is non-nil whenever the checks ran, even when some fail; see
// Report.OK and Report.Err. The error is reserved for "could not run": an
// invalid connection or options (errors wrapping curerr.ErrMalformed, with no
// report), or ctx ending (ctx's error, with the checks run so far). Nothing
// Verify returns or logs holds the secret access key, the session
// credentials or the external ID.
func Verify(ctx context.Context, conn Connection, clients Clients, optFns ...func(*VerifyOptions)) (*Verification, error) {
	var o VerifyOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.Profiles = slices.Clone(o.Profiles)
	o.Policies = slices.Clone(o.Policies)
	if err := conn.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var bad []*curerr.FieldError
	if clients.NewS3 == nil {
		bad = append(bad, fieldErr("Clients.NewS3", "is nil: every verification reads the bucket"))
	}
	if clients.NewSTS == nil {
		bad = append(bad, fieldErr("Clients.NewSTS", "is nil: verification starts with STS"))
	}
	if o.PropagationWait < 0 || o.PropagationDelay < 0 {
		bad = append(bad, fieldErr("PropagationWait", "is negative"))
	}
	if err := joinFieldErrors(bad); err != nil {
		return nil, err
	}
	profiles, err := checkProfiles(o.Profiles)
	if err != nil {
		return nil, err
	}
	if o.RoleSessionName == "" {
		o.RoleSessionName = DefaultRoleSessionName
	}
	if o.PropagationDelay == 0 {
		o.PropagationDelay = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	v := &verifier{conn: conn, clients: clients, o: o, profiles: profiles, rep: &Verification{Connection: conn}}
	v.secrets = []string{conn.Credentials.ExternalID, conn.Credentials.SecretAccessKey}
	v.partition = "aws"
	if a, err := iampolicy.ParseARN(conn.Credentials.RoleARN); err == nil {
		v.partition = a.Partition
	}
	v.buildRedactor()
	return v.rep, v.run(ctx)
}

type verifier struct {
	conn     Connection
	clients  Clients
	o        VerifyOptions
	profiles []*Profile
	rep      *Verification

	partition string
	secrets   []string
	redact    *strings.Replacer

	caller string                  // the platform's ARN
	creds  aws.CredentialsProvider // the role's or the access key's
	s3c    S3API
	region string
}

func (v *verifier) buildRedactor() {
	var pairs []string
	for _, s := range v.secrets {
		if len(s) >= 4 {
			pairs = append(pairs, s, redacted)
		}
	}
	if id := v.conn.Credentials.AccessKeyID; len(id) > 8 {
		pairs = append(pairs, id, maskKeyID(id))
	}
	v.redact = strings.NewReplacer(pairs...)
}

// resultHook, when set, sees every check result Verify records. Only the
// package's tests set it, before any test runs (TestMain), to hold every
// remediation they produce to the plain-words rule.
var resultHook func(CheckResult)

// gate says which later steps a failed step stops.
type gate int

const (
	gateNone gate = iota // later steps run regardless
	gateAll              // no identity to call AWS with: every later step is skipped
	gateS3               // the later S3 steps are skipped
)

// PlannedChecks returns the checks Verify runs for conn with clients and
// the options, in order, without running them: a page can list them as
// pending before the first result. A check that a failure skips is still
// listed (Verify reports it as skipped).
func PlannedChecks(conn Connection, clients Clients, optFns ...func(*VerifyOptions)) []CheckID {
	var o VerifyOptions
	for _, fn := range optFns {
		fn(&o)
	}
	v := &verifier{conn: conn, clients: clients, o: o, profiles: o.Profiles}
	var ids []CheckID
	for _, st := range v.steps() {
		if st.enabled {
			ids = append(ids, st.id)
		}
	}
	return ids
}

// step is one check of the run, in order.
type step struct {
	id      CheckID
	s3      bool // uses the bucket: skipped once an S3 gate has failed
	gate    gate // what a failure stops, unless the step says it found another way
	enabled bool
	fn      func(context.Context, *CheckResult) error
}

func (v *verifier) steps() []step {
	return []step{
		{CheckCredentials, false, gateAll, true, v.checkCredentials},
		{CheckAssumeRole, false, gateAll, v.conn.Credentials.Kind() == CredentialsRole, v.checkAssumeRole},
		{CheckBucketRegion, true, gateS3, true, v.checkBucketRegion},
		{CheckListPrefix, true, gateS3, true, v.checkListPrefix},
		{CheckManifest, true, gateNone, true, v.checkManifest},
		{CheckOrganizations, false, gateNone, v.clients.NewOrganizations != nil, v.checkOrganizations},
		{CheckCostExplorer, false, gateNone, v.clients.NewCostExplorer != nil, v.checkCostExplorer},
		{CheckReportDefinition, false, gateNone, len(v.profiles) > 0 && (v.o.Definition != nil || v.clients.NewCUR != nil || v.clients.NewDataExports != nil), v.checkDefinition},
	}
}

func (v *verifier) run(ctx context.Context) error {
	var allBlock, s3Block CheckID // the failed step that stops every later step, or the S3 ones
	for _, st := range v.steps() {
		if !st.enabled {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		res := CheckResult{ID: st.id}
		switch {
		case allBlock != "":
			res.Status = StatusSkipped
			res.Message = "skipped: the " + string(allBlock) + " step failed"
		case st.s3 && s3Block != "":
			res.Status = StatusSkipped
			res.Message = "skipped: the " + string(s3Block) + " step failed"
		default:
			var blocks bool
			res, blocks = v.runStep(ctx, st.id, st.fn)
			if err := ctx.Err(); err != nil {
				return err
			}
			if blocks && st.gate == gateAll {
				allBlock = st.id
			} else if blocks && st.gate == gateS3 {
				s3Block = st.id
			}
		}
		v.rep.Checks = append(v.rep.Checks, res)
		if resultHook != nil {
			resultHook(res)
		}
		v.log(ctx, res)
		if v.o.OnCheck != nil {
			v.o.OnCheck(res)
		}
	}
	return nil
}

func (v *verifier) log(ctx context.Context, r CheckResult) {
	if v.o.Logger == nil {
		return
	}
	level := slog.LevelInfo
	if r.Status != StatusPass {
		level = slog.LevelWarn
	}
	v.o.Logger.LogAttrs(ctx, level, "billingconn: verify", slog.Any("check", r))
}

// runStep runs fn, retrying AccessDenied within PropagationWait, and turns
// its error into the result's fields. blocks reports that the step failed
// and did not say that later steps can still run (a *stepError with
// proceed set).
func (v *verifier) runStep(ctx context.Context, id CheckID, fn func(context.Context, *CheckResult) error) (CheckResult, bool) {
	start := time.Now()
	delay := v.o.PropagationDelay
	attempts := 0
	for {
		attempts++
		res := CheckResult{ID: id}
		err := fn(ctx, &res)
		if err != nil && v.o.PropagationWait > 0 && errors.Is(awserr.Classify(err), curerr.ErrAccessDenied) && ctx.Err() == nil &&
			time.Since(start)+delay <= v.o.PropagationWait {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
				delay = min(2*delay, 8*time.Second)
				continue
			}
		}
		res.Attempts = attempts
		res.Duration = time.Since(start)
		if err == nil && res.Status != StatusFail {
			res.Status = StatusPass
			res.Action, res.Resource, res.MissingStatement = "", "", nil
		} else {
			v.fail(&res, err)
		}
		res.Message = v.redact.Replace(res.Message)
		res.Remediation = v.redact.Replace(res.Remediation)
		res.Hint = v.redact.Replace(res.Hint)
		var se *stepError
		proceed := errors.As(err, &se) && se.proceed
		return res, res.Status == StatusFail && !proceed
	}
}

// stepError carries what a step knows about its failure.
type stepError struct {
	err      error
	sentinel error
	resource string
	// proceed: the step failed, but found what the later steps need
	// another way (the bucket-region step, the region from HeadBucket),
	// so its failure stops none of them.
	proceed bool
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() []error {
	if e.sentinel != nil {
		return []error{e.err, e.sentinel}
	}
	return []error{e.err}
}

func (v *verifier) fail(res *CheckResult, err error) {
	res.Status = StatusFail
	if err == nil {
		return
	}
	var se *stepError
	cause, sentinel, resource := err, error(nil), res.Resource
	if errors.As(err, &se) {
		cause, sentinel = se.err, se.sentinel
		if se.resource != "" {
			resource = se.resource
		}
	}
	cause = awserr.Classify(cause)
	// Nothing answered, or AWS could not authenticate the request: the
	// same words whatever the step set, and never a policy statement.
	switch {
	case errors.Is(cause, curerr.ErrUnreachable):
		v.explainUnreachable(res, cause)
	case errors.Is(cause, curerr.ErrSignature):
		v.explainSignature(res, cause)
	}
	if res.Code == "" {
		res.Code = awsCode(cause)
	}
	if res.RequestID == "" {
		res.RequestID = awserr.RequestID(cause)
	}
	if !res.Retryable {
		res.Retryable = awserr.Retryable(cause)
	}
	if res.Message == "" {
		if res.Action != "" && errors.Is(cause, curerr.ErrAccessDenied) {
			res.Message = res.Action + " on " + res.Resource + " was denied: " + awsMessage(cause)
		} else {
			res.Message = "failed: " + awsMessage(cause)
		}
	}
	if res.Remediation == "" && errors.Is(cause, curerr.ErrAccessDenied) && res.Action != "" {
		res.MissingStatement, res.Remediation, res.Hint = v.explainDenied(res.Action, res.Resource, nil)
	}
	if res.Remediation == "" {
		var hint string
		res.Remediation, hint = defaultRemediation(res.ID, res.Retryable)
		if res.Hint == "" {
			res.Hint = hint
		}
	}
	res.Err = &CheckError{Check: res.ID, Resource: resource, Err: cause, sentinel: sentinel, redact: v.redact}
}
