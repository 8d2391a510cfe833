package iampolicy

import (
	"errors"
	"fmt"

	"github.com/curconnect/curconnect/internal/awserr"
)

// ErrMalformed is the category of every input this package refuses: a
// policy document that is not valid IAM JSON, a builder input that breaks
// AWS's rules, a document over IAM's size limits. It is the same value as
// curreader.ErrMalformed and billingconn.ErrMalformed.
var ErrMalformed = awserr.ErrMalformed

// ErrTooLarge reports a document over one of IAM's size limits, or over the
// parser's own bound on input size and nesting. It wraps ErrMalformed.
var ErrTooLarge = fmt.Errorf("iampolicy: too large: %w", ErrMalformed)

// ErrNoExternalID reports a cross-account trust built without an external ID
// when the caller did not opt out with TrustOptions.AllowNoExternalID.
var ErrNoExternalID = fmt.Errorf("iampolicy: an external ID is required for cross-account trust: %w", ErrMalformed)

// FieldError names one input field that breaks a rule. Builders and
// validators return all of them at once, joined with errors.Join, so
// errors.As finds the first and a type switch over Unwrap() []error finds
// all. Every FieldError wraps ErrMalformed.
type FieldError struct {
	// Field is the name of the input, e.g. "bucket", "Statement[2].Effect".
	Field string
	// Msg says what is wrong, in plain words.
	Msg string
	// Err is a more specific cause, if any (e.g. ErrNoExternalID).
	Err error
}

func (e *FieldError) Error() string { return "iampolicy: " + e.Field + ": " + e.Msg }

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

// SizeError reports a document longer than an IAM quota.
type SizeError struct {
	// Kind names the quota, e.g. "managed policy" or "role trust policy".
	Kind string
	// Size is the document's length as IAM counts it (characters, without
	// whitespace).
	Size int
	// Limit is the quota.
	Limit int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("iampolicy: %s is %d characters without whitespace, over IAM's limit of %d", e.Kind, e.Size, e.Limit)
}

// Unwrap returns ErrTooLarge.
func (e *SizeError) Unwrap() error { return ErrTooLarge }

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
