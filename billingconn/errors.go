package billingconn

import (
	"errors"
	"fmt"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/awserr"
)

func fieldErr(field, format string, args ...any) *curerr.FieldError {
	return &curerr.FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// joinFieldErrors returns nil for none, or errors.Join of them.
func joinFieldErrors(errs []*curerr.FieldError) error {
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
// error code and request ID, and to its category (curerr.ErrAccessDenied,
// curerr.ErrNotFound, curerr.ErrThrottled, curerr.ErrUnreachable,
// curerr.ErrSignature), so errors.Is works.
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
