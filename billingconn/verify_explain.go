package billingconn

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/awserr"
)

// Remediation and Hint (see CheckResult): a remediation is shown to the
// customer who owns the AWS account, so it uses plain words, IAM actions,
// ARNs and console names only; what a developer needs (API and option
// names, iampolicy builders, statement Sids, policy JSON) goes in the hint.
// The package's TestMain (verify_plain_test.go) holds every remediation its
// tests produce to that rule.

// notYours is said to a customer about a failure no setting of theirs causes.
const notYours = "This is not caused by your AWS account, role or policies"

// propagationAdvice closes a remediation about IAM.
const propagationAdvice = " If you created or changed the role a moment ago, wait a minute and verify again: IAM takes a few seconds to apply a change everywhere."

// propagationHint names the option that waits for IAM.
const propagationHint = " VerifyOptions.PropagationWait retries a denial for a bounded time, for a role created a moment ago."

// defaultRemediation is the advice for a failure no step explained.
func defaultRemediation(id CheckID, retry bool) (remediation, hint string) {
	switch {
	case retry:
		return "AWS was busy or had a temporary error: verify again in a few minutes.",
			"The SDK's retries ran out on throttling or a server error; the clients' Retryer sets how long they try."
	case id == CheckReportDefinition:
		return "The platform could not read your report's settings from AWS (the message gives AWS's answer). If the role's policy does not allow cur:DescribeReportDefinitions, bcm-data-exports:ListExports and bcm-data-exports:GetExport, add them.",
			"The report-definition step calls DescribeReportDefinitions, ListExports and GetExport in us-east-1 (iampolicy.CURReadPolicy grants them with ReportDefinitions and DataExports set); or pass the definition in VerifyOptions.Definition to check it offline."
	}
	return "See the message for AWS's answer.", ""
}

// serviceName names the AWS service of a failed SDK call for a customer,
// and op names the call for a developer ("STS GetCallerIdentity").
func serviceName(err error) (name, op string) {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return "AWS", ""
	}
	op = oe.Service() + " " + oe.Operation()
	switch oe.Service() {
	case "STS":
		return "AWS STS", op
	case "S3":
		return "Amazon S3", op
	case "Organizations":
		return "AWS Organizations", op
	case "Cost Explorer":
		return "AWS Cost Explorer", op
	case "Cost and Usage Report Service":
		return "AWS Cost and Usage Reports", op
	case "BCM Data Exports":
		return "AWS Data Exports", op
	}
	return "AWS", op
}

// transportDetail is the innermost description of a transport failure
// (the dial, DNS or TLS error), without the SDK's and net/http's wrapping.
func transportDetail(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) && se.Err != nil {
		return se.Err.Error()
	}
	return err.Error()
}

// explainUnreachable fills r for a request nothing answered. It is never
// blamed on a policy: the step's action, resource and statement are
// cleared.
func (v *verifier) explainUnreachable(r *CheckResult, err error) {
	svc, op := serviceName(err)
	host := awserr.Host(err)
	var why string
	switch awserr.UnreachableReason(err) {
	case awserr.ReasonDNS:
		why = "its host name does not resolve"
	case awserr.ReasonTLS:
		why = "the secure connection (TLS) could not be set up"
		var ua x509.UnknownAuthorityError
		var cv *tls.CertificateVerificationError
		if errors.As(err, &ua) || errors.As(err, &cv) {
			why = "its certificate is not trusted"
		}
	case awserr.ReasonRefused:
		why = "the connection was refused"
	case awserr.ReasonTimeout:
		why = "it did not answer in time"
	default:
		why = "the request could not be sent"
	}
	at := ""
	if host != "" {
		at = " at " + host
	}
	r.Code = CheckCodeEndpointUnreachable
	r.Retryable = true
	r.Action, r.Resource, r.MissingStatement = "", "", nil
	r.Message = "could not reach " + svc + at + ": " + why
	r.Remediation = "The platform could not reach " + svc + " over the network. " + notYours +
		": verify again in a few minutes, and contact the platform's support if it keeps failing."
	if op == "" {
		op = "the request"
	}
	r.Hint = "Nothing answered " + op + at + " (" + transportDetail(err) + "). Check the endpoint the clients are built with " +
		"(aws.Config.BaseEndpoint, AWS_ENDPOINT_URL*, an -endpoint flag, ClientOptions), the network path (firewall, HTTPS_PROXY), " +
		"DNS, and the TLS trust store. errors.Is(CheckResult.Err, curerr.ErrUnreachable) holds; the SDK already retried."
}

// explainSignature fills r for a request AWS could not authenticate. It is
// never blamed on a policy: no policy was evaluated.
func (v *verifier) explainSignature(r *CheckResult, err error) {
	svc, op := serviceName(err)
	if op == "" {
		op = "the request"
	}
	code := awsCode(err)
	r.Code = CheckCodeSignatureMismatch
	r.Retryable = false
	r.Action, r.Resource, r.MissingStatement = "", "", nil
	keyConn := v.conn.Credentials.Kind() == CredentialsAccessKey
	switch {
	case awserr.ClockSkew(err):
		r.Message = svc + " refused the request's time: the clock of the platform's server is off (" + awsMessage(err) + ")"
		r.Remediation = "The clock of the platform's server is off, so AWS refuses its requests. " + notYours + ": contact the platform's support."
		r.Hint = op + " failed with " + code + ": the signing time is too far from AWS's. Synchronize the host's clock (NTP); " +
			"the SDK corrects only a skew it can measure from a response's Date header, and it already retried."
	case keyConn:
		r.Message = svc + " could not authenticate the connection's access key pair (" + awsMessage(err) + ")"
		r.Remediation = "AWS did not accept the access key pair. Check that the access key ID and the secret access key were copied exactly as AWS showed them when the key was created, " +
			"and that the access key is active (IAM console, the user's security credentials); if in doubt, create a new key and give it to the platform. " +
			"Prefer a role with an external ID: access keys are long-lived secrets."
		r.Hint = op + " signed with Credentials.AccessKeyID and SecretAccessKey failed with " + code +
			" (SignatureDoesNotMatch: the secret does not match the key; InvalidClientTokenId or InvalidAccessKeyId: AWS does not know the key or it is inactive)."
	case r.ID == CheckCredentials || r.ID == CheckAssumeRole:
		r.Message = svc + " could not authenticate the platform's own credentials (" + awsMessage(err) + ")"
		r.Remediation = "AWS did not accept the platform's own credentials, which it uses to reach your role. " + notYours + ": contact the platform's support."
		r.Hint = op + " signed with Clients.Credentials failed with " + code +
			": a wrong secret access key, an unknown or inactive access key ID, or an expired session token. Renew the platform's credentials " +
			"(environment, shared config or SSO session, instance or task role); a temporary key needs its session token."
	default:
		r.Message = svc + " could not authenticate the role's session credentials (" + awsMessage(err) + ")"
		r.Remediation = "AWS did not accept the temporary credentials it issued for your role. " + notYours + ": verify again, and contact the platform's support if it keeps failing."
		r.Hint = op + " signed with the session credentials sts:AssumeRole returned failed with " + code +
			": the session expired during verification, a proxy changed the signed request, or this service's endpoint is a different server from STS's (BaseEndpoint, AWS_ENDPOINT_URL*)."
	}
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
// is at fault: in the customer's words in remediation, with the builder,
// Sid and policy JSON in hint.
func (v *verifier) explainDenied(action, resource string, reqCtx map[string][]string) (st *iampolicy.Statement, remediation, hint string) {
	head := fmt.Sprintf("The role's policies do not allow %s on %s.", action, resource)
	required, err := v.requiredPolicy()
	if err != nil {
		return nil, head + " Add a statement that allows it." + propagationAdvice, "iampolicy.CURReadPolicy: " + err.Error() + "." + propagationHint
	}
	req := iampolicy.Request{Action: action, Resource: resource, Context: reqCtx}
	d := iampolicy.Evaluate(req, required)
	if !d.IsAllowed() || d.Statement == nil {
		return nil, head + " Add a statement that allows it." + propagationAdvice, "iampolicy.CURReadPolicy does not grant it either." + propagationHint
	}
	s := *d.Statement
	var rem, h strings.Builder
	rem.WriteString(head)
	fmt.Fprintf(&h, "iampolicy.CURReadPolicy grants %s in statement %q: %s.", action, s.Sid, statementJSON(s))
	if len(v.o.Policies) > 0 {
		set := iampolicy.PolicySet{Identity: v.o.Policies}
		if dec := set.Evaluate(req); dec.IsAllowed() {
			rem.WriteString(" The role's policies as given allow it, so the refusal comes from elsewhere: the bucket policy, a permissions boundary, a service control policy or a KMS key policy.")
			h.WriteString(" VerifyOptions.Policies allow it: " + sentence(dec.Reason))
		} else {
			var gap *iampolicy.Gap
			for _, g := range set.Check(iampolicy.Policy{Version: iampolicy.Version2012, Statement: []iampolicy.Statement{s}}) {
				if strings.EqualFold(g.Action, action) {
					gap = &g
					break
				}
			}
			rem.WriteString(" In the role's policies: " + gapForCustomer(gap, action, resource, patterns(s.Resource)))
			if gap != nil {
				h.WriteString(" In VerifyOptions.Policies: " + sentence(gap.Explanation))
			} else {
				h.WriteString(" In VerifyOptions.Policies: " + sentence(dec.Reason))
			}
		}
	} else {
		fmt.Fprintf(&rem, " Add a statement that allows %s on %s to the role's policy (the policy the platform gave you has it). "+
			"If the policy already has it, look for an explicit Deny of %s on %s in the role's policies, a permissions boundary, the bucket policy or a service control policy.",
			patterns(s.Action), patterns(s.Resource), action, resource)
		h.WriteString(" iampolicy.CloudFormationTemplate creates the role with it; pass the role's policies in VerifyOptions.Policies to have them checked.")
	}
	rem.WriteString(propagationAdvice)
	h.WriteString(propagationHint)
	return &s, rem.String(), h.String()
}

// gapForCustomer says in plain words what is wrong with the role's
// policies (iampolicy's Gap.Explanation names statements by index and
// Sid, for the hint).
func gapForCustomer(g *iampolicy.Gap, action, resource, required string) string {
	kind := iampolicy.GapKind(0)
	if g != nil {
		kind = g.Kind
		if g.RequiredResource != "" {
			required = g.RequiredResource
		}
	}
	switch kind {
	case iampolicy.GapExplicitDeny:
		return "a Deny statement matches " + action + " on " + resource + " and overrides every Allow: narrow or remove that Deny."
	case iampolicy.GapBucketARNWithoutObjects:
		return "the statement for " + action + " names the bucket itself, not its objects: it must name " + required + "."
	case iampolicy.GapObjectsInsteadOfBucket:
		return "the statement for " + action + " names the bucket's objects, not the bucket: it must name " + required + "."
	case iampolicy.GapPrefixMismatch:
		return "the statement for " + action + " covers another part of the bucket: it must cover " + required + "."
	case iampolicy.GapResourceMismatch:
		return "the statement for " + action + " covers other resources: it must cover " + required + "."
	case iampolicy.GapConditionNotMet:
		return "the statement for " + action + " allows it only under a condition this request does not meet: correct or remove the condition."
	case iampolicy.GapUnsupported:
		return "the statement for " + action + " cannot be evaluated as written, and IAM would refuse it: correct it."
	}
	return "no statement allows " + action + ": add one that allows it on " + required + "."
}

// patterns lists a statement's actions or resources for a sentence.
func patterns(s iampolicy.Strings) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// sentence ends s with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
