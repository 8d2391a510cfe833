package billingconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/awserr"
)

// defaultRemediation is the advice for a failure no step explained.
func defaultRemediation(id CheckID, retry bool) string {
	switch {
	case retry:
		return "Verify again later: AWS answered with throttling, a server error or a network error."
	case id == CheckReportDefinition:
		return "The report-definition step reads the definitions in us-east-1 with cur:DescribeReportDefinitions, bcm-data-exports:ListExports and GetExport (iampolicy.ReadOptions.ReportDefinitions and DataExports); or pass the definition in VerifyOptions.Definition to check it offline."
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
	opts := append([]func(*iampolicy.ReadOptions){func(o *iampolicy.ReadOptions) {
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
