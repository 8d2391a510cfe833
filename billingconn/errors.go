package billingconn

import (
	"errors"
	"fmt"

	"github.com/curconnect/curconnect/internal/awserr"
)

// Error categories, re-exported from curconnect's shared classification so
// that errors.Is matches across billingconn, curreader and iampolicy.
var (
	// ErrMalformed is the category of every input this package refuses: a
	// Connection or Profile that breaks a rule, a definition file that is not
	// the AWS CLI's JSON shape.
	ErrMalformed = awserr.ErrMalformed
	// ErrAccessDenied: AWS refused the caller's credentials.
	ErrAccessDenied = awserr.ErrAccessDenied
	// ErrNotFound: the resource does not exist.
	ErrNotFound = awserr.ErrNotFound
	// ErrThrottled: AWS asked the caller to slow down; retrying later can help.
	ErrThrottled = awserr.ErrThrottled
)

// FieldError names one input field that breaks a rule. Validators return all
// of them at once, joined with errors.Join: errors.As finds the first, and
// ranging over the joined error's Unwrap() []error finds every one. Every
// FieldError wraps ErrMalformed. Its message never repeats a secret.
type FieldError struct {
	// Field names the input, e.g. "PayerAccountID", "Credentials.ExternalID",
	// "timeUnit".
	Field string
	// Msg says what is wrong, in plain words.
	Msg string
	// Err is a more specific cause, if any (e.g. iampolicy.ErrNoExternalID or
	// a *json.SyntaxError).
	Err error
}

// Error returns "billingconn: <Field>: <Msg>".
func (e *FieldError) Error() string { return "billingconn: " + e.Field + ": " + e.Msg }

// Unwrap returns the specific cause, if any, and ErrMalformed.
func (e *FieldError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Err, ErrMalformed}
	}
	return []error{ErrMalformed}
}

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// joinFieldErrors returns nil for none, or errors.Join of them.
func joinFieldErrors(errs []*FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// OpError reports a failed AWS call made by this package (discovery). It
// unwraps to the AWS cause, so errors.As(err, &smithy.APIError) reaches the
// error code and request ID, and to its category (ErrAccessDenied,
// ErrNotFound, ErrThrottled), so errors.Is works.
type OpError struct {
	// Op is the AWS operation, e.g. "DescribeReportDefinitions".
	Op string
	// Resource names what the call was about, if anything (an export ARN).
	Resource string
	// Err is the cause, classified by category.
	Err error
}

// Error names the operation, the resource if any, and the cause.
func (e *OpError) Error() string {
	if e.Resource != "" {
		return "billingconn: " + e.Op + " " + e.Resource + ": " + e.Err.Error()
	}
	return "billingconn: " + e.Op + ": " + e.Err.Error()
}

// Unwrap returns the classified cause.
func (e *OpError) Unwrap() error { return e.Err }

func opErr(op, resource string, err error) error {
	return &OpError{Op: op, Resource: resource, Err: awserr.Classify(err)}
}
