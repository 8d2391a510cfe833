package billingconn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curconnect/curconnect/curreader"
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
// (or of iampolicy.CrossAccountTrust) that grants the denied request.
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

	caller  string                  // the platform's ARN
	creds   aws.CredentialsProvider // the role's or the access key's
	s3c     S3API
	region  string
	s3Block string // the failed step that blocks the S3 steps

	softFail bool // set by a step whose failure does not block later ones
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

func (v *verifier) run(ctx context.Context) error {
	steps := []struct {
		id      CheckID
		s3      bool // needs the S3 client and is skipped after an S3 block
		blocks  bool // a failure blocks the S3 steps after it
		enabled bool
		fn      func(context.Context, *CheckResult) error
	}{
		{CheckCredentials, false, true, true, v.checkCredentials},
		{CheckAssumeRole, false, true, v.conn.Credentials.Kind() == CredentialsRole, v.checkAssumeRole},
		{CheckBucketRegion, true, true, true, v.checkBucketRegion},
		{CheckListPrefix, true, true, true, v.checkListPrefix},
		{CheckManifest, true, false, true, v.checkManifest},
		{CheckOrganizations, false, false, v.clients.NewOrganizations != nil, v.checkOrganizations},
		{CheckCostExplorer, false, false, v.clients.NewCostExplorer != nil, v.checkCostExplorer},
		{CheckReportDefinition, false, false, len(v.profiles) > 0 && (v.o.Definition != nil || v.clients.NewCUR != nil || v.clients.NewDataExports != nil), v.checkDefinition},
	}
	credsFailed := ""
	for _, st := range steps {
		if !st.enabled {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		res := CheckResult{ID: st.id}
		switch {
		case credsFailed != "" && st.id != CheckCredentials:
			res.Status = StatusSkipped
			res.Message = "skipped: the " + credsFailed + " step failed"
		case st.s3 && v.s3Block != "":
			res.Status = StatusSkipped
			res.Message = "skipped: the " + v.s3Block + " step failed"
		default:
			res = v.runStep(ctx, st.id, st.fn)
			if err := ctx.Err(); err != nil {
				return err
			}
			if res.Status == StatusFail && st.blocks && !v.softFail {
				if st.id == CheckCredentials || st.id == CheckAssumeRole {
					credsFailed = string(st.id)
				} else {
					v.s3Block = string(st.id)
				}
			}
		}
		v.rep.Checks = append(v.rep.Checks, res)
		v.log(ctx, res)
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
// its error into the result's fields.
func (v *verifier) runStep(ctx context.Context, id CheckID, fn func(context.Context, *CheckResult) error) CheckResult {
	start := time.Now()
	delay := v.o.PropagationDelay
	attempts := 0
	for {
		attempts++
		v.softFail = false
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
		return res
	}
}

// stepError carries what a step knows about its failure.
type stepError struct {
	err      error
	sentinel error
	resource string
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
	if res.Code == "" {
		res.Code = awsCode(cause)
	}
	if res.RequestID == "" {
		res.RequestID = awserr.RequestID(cause)
	}
	if !res.Retryable {
		res.Retryable = retryable(cause)
	}
	if res.Message == "" {
		if res.Action != "" && errors.Is(cause, curerr.ErrAccessDenied) {
			res.Message = res.Action + " on " + res.Resource + " was denied: " + awsMessage(cause)
		} else {
			res.Message = "failed: " + awsMessage(cause)
		}
	}
	if res.Remediation == "" && errors.Is(cause, curerr.ErrAccessDenied) && res.Action != "" {
		res.MissingStatement, res.Remediation = v.explainDenied(res.Action, res.Resource, nil)
	}
	if res.Remediation == "" {
		res.Remediation = defaultRemediation(res.ID, res.Retryable)
	}
	res.Err = &CheckError{Check: res.ID, Resource: resource, Err: cause, sentinel: sentinel, redact: v.redact}
}

// defaultRemediation is the advice for a failure no step explained.
func defaultRemediation(id CheckID, retry bool) string {
	switch {
	case retry:
		return "Verify again later: AWS answered with throttling, a server error or a network error."
	case id == CheckReportDefinition:
		return "The report-definition step reads the definitions in us-east-1 with cur:DescribeReportDefinitions, bcm-data-exports:ListExports and GetExport (iampolicy.ReadPolicyOptions.ReportDefinitions and DataExports); or pass the definition in VerifyOptions.Definition to check it offline."
	}
	return "See the message for AWS's answer."
}

// plural writes "1 file", "2 files".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// awsCode is the AWS error code, or the code of the error's category when
// the service answered with an HTTP status only.
func awsCode(err error) string {
	code := awserr.Code(err)
	if code != "" && code != "UnknownError" {
		return code
	}
	switch {
	case errors.Is(err, curerr.ErrBucketNotFound):
		return "NoSuchBucket"
	case errors.Is(err, curerr.ErrAccessDenied):
		return "AccessDenied"
	case errors.Is(err, curerr.ErrNotFound):
		return "NotFound"
	case errors.Is(err, curerr.ErrThrottled):
		return "Throttling"
	}
	return code
}

// awsMessage is the AWS error message, or the error's text.
func awsMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "" {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

// retryable: throttling, server errors, network errors and timeouts.
func retryable(err error) bool {
	if errors.Is(err, curerr.ErrThrottled) {
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// requiredPolicy is the read policy the connection's role should have.
func (v *verifier) requiredPolicy() (iampolicy.Policy, error) {
	opts := append([]func(*iampolicy.ReadPolicyOptions){func(o *iampolicy.ReadPolicyOptions) {
		o.Partition = v.partition
		o.ReportDefinitions = len(v.profiles) > 0
		o.DataExports = len(v.profiles) > 0
	}}, v.o.ReadOptions...)
	return iampolicy.CURReadPolicy(v.conn.Bucket, v.conn.Prefix, opts...)
}

// statementJSON writes one statement as IAM JSON.
func statementJSON(st iampolicy.Statement) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return st.Sid
	}
	return strings.TrimSpace(b.String())
}

// explainDenied names the statement of the required policy that grants
// action on resource and, when the role's policies are known, what in them
// is at fault.
func (v *verifier) explainDenied(action, resource string, reqCtx map[string][]string) (*iampolicy.Statement, string) {
	required, err := v.requiredPolicy()
	if err != nil {
		return nil, fmt.Sprintf("The role's policies do not allow %s on %s.", action, resource)
	}
	req := iampolicy.Request{Action: action, Resource: resource, Context: reqCtx}
	d := iampolicy.Evaluate(req, required)
	if !d.IsAllowed() || d.Statement == nil {
		return nil, fmt.Sprintf("The role's policies do not allow %s on %s.", action, resource)
	}
	st := *d.Statement
	var b strings.Builder
	fmt.Fprintf(&b, "The role's policies do not allow %s on %s. iampolicy.CURReadPolicy grants it in statement %q: %s.", action, resource, st.Sid, statementJSON(st))
	if len(v.o.Policies) > 0 {
		set := iampolicy.PolicySet{Identity: v.o.Policies}
		if dec := set.Evaluate(req); dec.IsAllowed() {
			b.WriteString(" The role's policies as given allow it, so the denial comes from elsewhere: the bucket policy, a permissions boundary, a service control policy or a KMS key policy.")
		} else {
			explained := false
			for _, g := range set.Check(iampolicy.Policy{Version: iampolicy.Version2012, Statement: []iampolicy.Statement{st}}) {
				if strings.EqualFold(g.Action, action) {
					b.WriteString(" In the role's policies: " + sentence(g.Explanation))
					explained = true
					break
				}
			}
			if !explained {
				b.WriteString(" In the role's policies: " + sentence(dec.Reason))
			}
		}
	} else {
		fmt.Fprintf(&b, " Add that statement to the role's policy (iampolicy.CloudFormationTemplate creates the role with it). If the policy already has it, look for an explicit Deny of %s on %s in the role's policies, a permissions boundary, the bucket policy or a service control policy.", action, resource)
	}
	b.WriteString(" Right after a role or policy is created, IAM can take a few seconds to propagate: retry (VerifyOptions.PropagationWait).")
	return &st, b.String()
}

// sentence ends s with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func (v *verifier) checkCredentials(ctx context.Context, r *CheckResult) error {
	var p aws.CredentialsProvider
	if v.conn.Credentials.Kind() == CredentialsAccessKey {
		p = credentials.NewStaticCredentialsProvider(v.conn.Credentials.AccessKeyID, v.conn.Credentials.SecretAccessKey, "")
	} else {
		p = v.clients.Credentials
		if p == nil {
			r.Code = CheckCodeNoCredentials
			r.Message = "the platform has no AWS credentials to call sts:AssumeRole with"
			r.Remediation = "Configure the platform's own AWS credentials (environment variables, shared config or SSO, or an instance or task role) and pass them in Clients.Credentials (NewClients takes them from the aws.Config)."
			return errors.New("billingconn: no credentials")
		}
		c, err := p.Retrieve(ctx)
		if err != nil {
			r.Code = CheckCodeNoCredentials
			r.Message = "the platform's AWS credentials cannot be resolved: " + err.Error()
			r.Remediation = "Configure the platform's own AWS credentials (environment variables, shared config or SSO, or an instance or task role)."
			return err
		}
		v.secrets = append(v.secrets, c.SecretAccessKey, c.SessionToken)
		v.buildRedactor()
	}
	out, err := v.clients.NewSTS(p).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if v.conn.Credentials.Kind() == CredentialsAccessKey {
			r.Message = "STS refused the connection's access key pair: " + awsMessage(err)
			r.Remediation = "Check that the access key is active (IAM console, the user's Security credentials) and that the secret access key is the one AWS showed when the key was created; rotate the key if in doubt. Prefer a role with an external ID: access keys are long-lived secrets."
		} else {
			r.Message = "STS refused the platform's own credentials: " + awsMessage(err)
			r.Remediation = "The platform's AWS credentials are invalid or expired: renew them (the connection's role is assumed with them)."
		}
		return err
	}
	v.caller = aws.ToString(out.Arn)
	v.rep.Caller = v.caller
	r.Message = "the platform calls AWS as " + v.caller
	if v.conn.Credentials.Kind() == CredentialsAccessKey {
		v.creds = p
		r.Message = "the connection's access key belongs to " + v.caller
		if a, err := iampolicy.ParseARN(v.caller); err == nil {
			v.partition = a.Partition
		}
	}
	return nil
}

// trustPrincipal is what the trust policy should name for the caller: the
// user or role ARN, or the account for an assumed-role session (whose role
// path STS does not give).
func trustPrincipal(caller string) string {
	a, err := iampolicy.ParseARN(caller)
	if err != nil {
		return caller
	}
	if a.Service == "iam" && (strings.HasPrefix(a.Resource, "user/") || strings.HasPrefix(a.Resource, "role/")) {
		return caller
	}
	return a.AccountID
}

func (v *verifier) checkAssumeRole(ctx context.Context, r *CheckResult) error {
	role := v.conn.Credentials.RoleARN
	r.Action, r.Resource = "sts:AssumeRole", role
	prov := stscreds.NewAssumeRoleProvider(v.clients.NewSTS(v.clients.Credentials), role, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(v.conn.Credentials.ExternalID)
		o.RoleSessionName = v.o.RoleSessionName
	})
	c, err := prov.Retrieve(ctx) // now, not lazily: a trust failure must not hide in a later S3 error
	if err != nil {
		if !errors.Is(awserr.Classify(err), curerr.ErrAccessDenied) {
			r.Message = "sts:AssumeRole failed: " + awsMessage(err)
			return &stepError{err: err, resource: role}
		}
		r.Message = "STS refused AssumeRole on " + role + " with the external ID. STS gives this one AccessDenied for three causes and does not say which: the role does not exist, its trust policy does not trust " + v.caller + ", or the external ID does not match."
		var st *iampolicy.Statement
		trust, terr := iampolicy.CrossAccountTrust(trustPrincipal(v.caller), v.conn.Credentials.ExternalID)
		if terr == nil && len(trust.Statement) > 0 {
			s := trust.Statement[0]
			// Show the statement without the external ID's value.
			for op, kv := range s.Condition {
				for k := range kv {
					if strings.EqualFold(k, "sts:ExternalId") {
						s.Condition = iampolicy.Condition{op: {k: iampolicy.Strings{redacted}}}
					}
				}
			}
			st = &s
		}
		rem := "Check, in account " + accountOf(role) + ", that the role " + role + " exists; that its trust policy allows " + v.caller + " to call sts:AssumeRole"
		if st != nil {
			rem += " (statement " + fmt.Sprintf("%q", st.Sid) + " of iampolicy.CrossAccountTrust: " + statementJSON(*st) + ", with the external ID the platform gave, shown here as REDACTED)"
		}
		rem += "; and that the external ID in the trust policy is exactly the one the platform stores. A role created a moment ago may not have propagated yet: retry (VerifyOptions.PropagationWait)."
		r.Remediation = rem
		r.MissingStatement = st
		return &stepError{err: err, sentinel: ErrAssumeRoleDenied, resource: role}
	}
	v.secrets = append(v.secrets, c.SecretAccessKey, c.SessionToken, c.AccessKeyID)
	v.buildRedactor()
	v.creds = credentials.StaticCredentialsProvider{Value: c}
	r.Message = "assumed " + role + " with the external ID"
	if !c.Expires.IsZero() {
		r.Message += fmt.Sprintf(" (session valid until %s)", c.Expires.UTC().Format(time.RFC3339))
	}
	return nil
}

func accountOf(arn string) string {
	if a, err := iampolicy.ParseARN(arn); err == nil {
		return a.AccountID
	}
	return "?"
}

func (v *verifier) bucketARN() string { return "arn:" + v.partition + ":s3:::" + v.conn.Bucket }

func (v *verifier) s3opts() []func(*s3.Options) {
	if v.region == "" {
		return nil
	}
	region := v.region
	return []func(*s3.Options){func(o *s3.Options) { o.Region = region }}
}

func (v *verifier) checkBucketRegion(ctx context.Context, r *CheckResult) error {
	if v.s3c == nil {
		v.s3c = v.clients.NewS3(v.creds)
	}
	bucket := v.conn.Bucket
	r.Action, r.Resource = "s3:GetBucketLocation", v.bucketARN()
	out, err := v.s3c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err == nil {
		v.region = bucketRegion(string(out.LocationConstraint))
		v.rep.BucketRegion = v.region
		r.Message = "bucket s3://" + bucket + " is in " + v.region
		return nil
	}
	cerr := awserr.Classify(err)
	if errors.Is(cerr, curerr.ErrBucketNotFound) {
		r.Message = "there is no bucket named " + bucket
		r.Remediation = "Check the bucket name: it must be the report definition's or export's S3 bucket (S3Bucket), in the payer account."
		return &stepError{err: err, sentinel: curerr.ErrBucketNotFound}
	}
	// HeadBucket reports the region in a header, even with a 403.
	hb, herr := v.s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	region := ""
	if herr == nil {
		region = aws.ToString(hb.BucketRegion)
	} else {
		var re *smithyhttp.ResponseError
		if errors.As(herr, &re) && re.Response != nil {
			region = re.Response.Header.Get("X-Amz-Bucket-Region")
		}
	}
	if region != "" {
		v.region = region
		v.rep.BucketRegion = region
		v.softFail = true
		r.Message = "s3:GetBucketLocation failed (" + awsMessage(err) + "); HeadBucket says the bucket is in " + region
	}
	return err
}

// bucketRegion maps a LocationConstraint to a region: empty is us-east-1,
// EU is eu-west-1.
func bucketRegion(lc string) string {
	switch lc {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return lc
}

// listPrefix is the key prefix a report prefix's keys start with.
func listPrefix(p string) string {
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

func (v *verifier) checkListPrefix(ctx context.Context, r *CheckResult) error {
	p := listPrefix(v.conn.Prefix)
	r.Action, r.Resource = "s3:ListBucket", v.bucketARN()
	out, err := v.s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(v.conn.Bucket), Prefix: aws.String(p), MaxKeys: aws.Int32(100)}, v.s3opts()...)
	if err != nil {
		return err
	}
	n := len(out.Contents)
	switch {
	case n == 0:
		r.Message = "listed s3://" + v.conn.Bucket + "/" + p + ": no objects yet"
	case aws.ToBool(out.IsTruncated):
		r.Message = fmt.Sprintf("listed s3://%s/%s: more than %d objects", v.conn.Bucket, p, n)
	default:
		r.Message = fmt.Sprintf("listed s3://%s/%s: %s", v.conn.Bucket, p, plural(n, "object"))
	}
	return nil
}

func (v *verifier) checkManifest(ctx context.Context, r *CheckResult) error {
	res := curreader.New(v.s3c, v.conn.Bucket, func(o *curreader.Options) { o.ClientOptions = v.s3opts() })
	where := "s3://" + v.conn.Bucket + "/" + listPrefix(v.conn.Prefix)
	reps, err := res.Reports(ctx, v.conn.Prefix)
	if err != nil {
		return v.manifestErr(r, err)
	}
	targets := reps
	if v.conn.ReportName != "" {
		targets = nil
		for _, rep := range reps {
			if rep.Name == v.conn.ReportName {
				targets = append(targets, rep)
			}
		}
	}
	noDelivery := func(msg string) error {
		r.Code = CheckCodeNoDeliveryYet
		r.Retryable = true
		r.Message = "no delivery yet: the first one can take 24 hours (" + msg + ")"
		r.Remediation = "Wait for AWS's first delivery (up to 24 hours after the report or export is created) and verify again. If it has been longer, check that the report definition or export delivers to " + where + " and that the bucket policy lets billingreports.amazonaws.com / bcm-data-exports.amazonaws.com write (iampolicy.DeliveryBucketPolicy)."
		return &stepError{err: ErrNoDeliveryYet, resource: where}
	}
	if len(targets) == 0 {
		if len(reps) == 0 || v.conn.ReportName == "" {
			return noDelivery("nothing under " + where)
		}
		found := make([]string, len(reps))
		for i, rep := range reps {
			found[i] = rep.Name
		}
		r.Code = CheckCodeReportNotFound
		r.Retryable = true
		r.Message = fmt.Sprintf("no delivery of %q under %s (found: %s)", v.conn.ReportName, where, strings.Join(found, ", "))
		r.Remediation = "Check the connection's report name and prefix against the report definition or export. If it was created in the last 24 hours, its first delivery may not have arrived yet: verify again later."
		return &stepError{err: curreader.ErrReportNotFound, sentinel: ErrNoDeliveryYet, resource: where}
	}
	var msgs []string
	for _, rep := range targets {
		periods, err := res.Periods(ctx, rep)
		if err != nil {
			return v.manifestErr(r, err)
		}
		var d *curreader.Delivery
		// The newest period may be mid-delivery (no top-level manifest
		// yet): fall back to the newest complete one.
		for i := len(periods) - 1; i >= 0 && d == nil; i-- {
			got, err := res.Resolve(ctx, rep, periods[i].Month)
			switch {
			case err == nil:
				d = got
			case errors.Is(err, curreader.ErrManifestNotFound) && !errors.Is(err, curerr.ErrAccessDenied):
				continue
			default:
				return v.manifestErr(r, err)
			}
		}
		if d == nil {
			return noDelivery(rep.Name + " has no complete delivery under " + where)
		}
		v.rep.Deliveries = append(v.rep.Deliveries, d)
		m := fmt.Sprintf("%s %s: version %s, %s, manifest s3://%s/%s", rep.Name, d.Period, d.Version, plural(len(d.Files), "file"), v.conn.Bucket, d.ManifestKey)
		if !d.Ready {
			m += " (AWS is still updating this delivery)"
		}
		msgs = append(msgs, m)
	}
	r.Message = "newest delivery: " + strings.Join(msgs, "; ")
	return nil
}

// manifestErr fills r for a failure of the manifest step.
func (v *verifier) manifestErr(r *CheckResult, err error) error {
	var me *curreader.ManifestError
	var le *curreader.ListError
	switch {
	case errors.As(err, &me):
		r.Resource = "s3://" + me.Bucket + "/" + me.Key
		switch {
		case errors.Is(err, curerr.ErrAccessDenied):
			r.Action, r.Resource = "s3:GetObject", "arn:"+v.partition+":s3:::"+me.Bucket+"/"+me.Key
			r.Message = "s3:GetObject on the manifest s3://" + me.Bucket + "/" + me.Key + " was denied: " + awsMessage(err)
		case errors.Is(err, curreader.ErrManifestEscapes):
			r.Code = CheckCodeManifestEscapes
			r.Message = "the manifest s3://" + me.Bucket + "/" + me.Key + " lists a file outside its report; it was not read: " + err.Error()
			r.Remediation = "Inspect the manifest: AWS never writes such a manifest, so someone else wrote into the report's prefix. Restrict s3:PutObject on the bucket to the delivery services (iampolicy.DeliveryBucketPolicy)."
		case errors.Is(err, curreader.ErrFileMissing):
			r.Code = CheckCodeFileMissing
			r.Message = "the manifest s3://" + me.Bucket + "/" + me.Key + " lists a file that does not exist: " + me.File
			r.Remediation = "Check the bucket's lifecycle rules and replication: a delivery's files must stay as long as its manifest."
		case errors.Is(err, curreader.ErrMalformedManifest):
			r.Code = CheckCodeMalformedManifest
			r.Message = "the manifest s3://" + me.Bucket + "/" + me.Key + " cannot be read: " + err.Error()
			r.Remediation = "Inspect the manifest; if another tool rewrote it, let AWS deliver again (it restates the month)."
		}
		return &stepError{err: err, resource: r.Resource}
	case errors.As(err, &le):
		r.Resource = v.bucketARN()
		if errors.Is(err, curerr.ErrAccessDenied) {
			r.Action = "s3:ListBucket"
			r.Message = "s3:ListBucket on s3://" + le.Bucket + "/" + le.Prefix + " was denied: " + awsMessage(err)
		}
		return err
	}
	return err
}

func (v *verifier) checkOrganizations(ctx context.Context, r *CheckResult) error {
	c := v.clients.NewOrganizations(v.creds)
	r.Action, r.Resource = "organizations:DescribeOrganization", "*"
	out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, organizationsOpts(v.o.OrganizationsOptions)...)
	if err != nil {
		if awserr.Code(err) == "AWSOrganizationsNotInUseException" {
			r.Message = "the account is not in an organization: its reports cover its own usage only"
			return nil
		}
		v.orgRemediation(r)
		return err
	}
	r.Action = "organizations:ListAccounts"
	accts, err := ListAccounts(ctx, c, v.o.OrganizationsOptions...)
	if err != nil {
		v.orgRemediation(r)
		return err
	}
	org := &Organization{Accounts: accts}
	if out.Organization != nil {
		org.ID = aws.ToString(out.Organization.Id)
		org.ManagementAccountID = aws.ToString(out.Organization.MasterAccountId)
	}
	v.rep.Organization = org
	r.Action, r.Resource = "", ""
	if org.ManagementAccountID != "" && org.ManagementAccountID != v.conn.PayerAccountID {
		r.Code = CheckCodePayerMismatch
		r.Message = fmt.Sprintf("the organization %s is managed by account %s, not by the connection's payer account %s", org.ID, org.ManagementAccountID, v.conn.PayerAccountID)
		r.Remediation = "Set the connection's PayerAccountID to the management account " + org.ManagementAccountID + ", and create the role and the report there: only the management account sees every member's costs."
		return &stepError{err: errors.New("billingconn: payer account mismatch"), resource: org.ID}
	}
	r.Message = fmt.Sprintf("organization %s (management account %s): %s", org.ID, org.ManagementAccountID, plural(len(accts), "account"))
	return nil
}

func (v *verifier) orgRemediation(r *CheckResult) {
	st, rem := v.explainDenied(r.Action, "*", nil)
	r.MissingStatement = st
	r.Remediation = rem + " Organizations answers only the management (payer) account: the role must be in account " + v.conn.PayerAccountID + " and it must be the organization's management account."
}

func (v *verifier) checkCostExplorer(ctx context.Context, r *CheckResult) error {
	c := v.clients.NewCostExplorer(v.creds)
	now := v.o.Now().UTC()
	end := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(0, -1, 0)
	r.Action, r.Resource = "ce:GetReservationUtilization", "*"
	opts := append([]func(*costexplorer.Options){func(o *costexplorer.Options) { o.Region = iampolicy.BillingRegion }}, v.o.CostExplorerOptions...)
	out, err := c.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{
		TimePeriod: &cetypes.DateInterval{Start: aws.String(start.Format(time.DateOnly)), End: aws.String(end.Format(time.DateOnly))},
	}, opts...)
	if err != nil {
		var du *cetypes.DataUnavailableException
		if errors.As(err, &du) {
			r.Message = "Cost Explorer answered with no reservation data for " + start.Format("2006-01") + " (the permission works)"
			return nil
		}
		if errors.Is(awserr.Classify(err), curerr.ErrAccessDenied) {
			st, rem := v.explainDenied(r.Action, r.Resource, nil)
			r.MissingStatement = st
			r.Remediation = rem + " Cost Explorer must also be enabled in the payer account (Billing and Cost Management console, Cost Explorer); its data can take 24 hours to appear after it is first enabled."
		}
		return err
	}
	util := ""
	if out.Total != nil && out.Total.UtilizationPercentage != nil {
		util = ", utilization " + aws.ToString(out.Total.UtilizationPercentage) + "%"
	}
	r.Message = fmt.Sprintf("Cost Explorer answered for %s: %s%s", start.Format("2006-01"), plural(len(out.UtilizationsByTime), "period"), util)
	return nil
}

// discoveryAction maps a Discover operation to its IAM action.
func discoveryAction(op string) string {
	switch op {
	case "DescribeReportDefinitions":
		return "cur:DescribeReportDefinitions"
	case "ListExports", "GetExport":
		return "bcm-data-exports:" + op
	}
	return op
}

func (v *verifier) checkDefinition(ctx context.Context, r *CheckResult) error {
	def := v.o.Definition
	if def == nil {
		var firstErr error
		try := func(curc CURAPI, dxc DataExportsAPI) {
			if def != nil || (curc == nil && dxc == nil) {
				return
			}
			cands, err := Discover(ctx, curc, dxc, v.conn, func(o *DiscoverOptions) { o.Profiles = v.profiles })
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			for i := range cands {
				c := cands[i]
				if c.DeliversHere && (v.conn.ReportName == "" || c.NameMatches) {
					d := c.Definition
					def = &d
					return
				}
			}
		}
		var curc CURAPI
		var dxc DataExportsAPI
		if v.clients.NewCUR != nil {
			curc = v.clients.NewCUR(v.creds)
		}
		if v.clients.NewDataExports != nil {
			dxc = v.clients.NewDataExports(v.creds)
		}
		try(curc, nil)
		try(nil, dxc)
		if def == nil && firstErr != nil {
			var oe *OpError
			if errors.As(firstErr, &oe) && errors.Is(firstErr, curerr.ErrAccessDenied) {
				r.Action, r.Resource = discoveryAction(oe.Op), "*"
			}
			return firstErr
		}
		if def == nil {
			r.Code = CheckCodeDefinitionNotFound
			name := "no report definition or export"
			if v.conn.ReportName != "" {
				name = fmt.Sprintf("no report definition or export named %q", v.conn.ReportName)
			}
			r.Message = name + " delivers to s3://" + v.conn.Bucket + "/" + v.conn.Prefix
			r.Remediation = "Create one that delivers there (Validate's fixes give the exact PutReportDefinition or CreateExport input), or correct the connection's bucket, prefix and report name."
			return &stepError{err: fmt.Errorf("billingconn: %s: %w", r.Message, curerr.ErrNotFound)}
		}
	}
	v.rep.Definition = def
	findings, err := Validate(*def, v.profiles...)
	if err != nil {
		return err
	}
	r.Findings = findings
	names := make([]string, len(v.profiles))
	for i, p := range v.profiles {
		names[i] = p.Name
	}
	var errs []string
	for _, f := range findings {
		if f.Severity == SeverityError {
			errs = append(errs, fmt.Sprintf("%s (%s)", f.Code, f.Field))
		}
	}
	if len(errs) == 0 {
		r.Message = fmt.Sprintf("%q meets %s (%s)", def.Name(), strings.Join(names, ", "), plural(len(findings), "warning"))
		return nil
	}
	for _, f := range findings {
		if f.Severity == SeverityError {
			r.Code = string(f.Code)
			if f.Fix != nil {
				r.Remediation = "Apply the fix: " + string(f.Fix.Action) + " (Finding.Fix holds the exact input; examples/validate prints the AWS CLI command)."
				if f.Fix.Note != "" {
					r.Remediation += " " + f.Fix.Note
				}
			} else {
				r.Remediation = f.Message
			}
			break
		}
	}
	r.Message = fmt.Sprintf("%q does not meet %s: %s", def.Name(), strings.Join(names, ", "), strings.Join(errs, ", "))
	return &stepError{err: fmt.Errorf("billingconn: %d error findings: %w", len(errs), curerr.ErrMalformed), resource: def.Name()}
}
