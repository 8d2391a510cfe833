package iampolicy

import (
	"errors"
	"fmt"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// ErrTooLarge reports a document over one of IAM's size quotas (see
// [SizeError]), or over the parser's own bound on input size and nesting.
// It wraps [curerr.ErrMalformed].
var ErrTooLarge = curerr.New("iampolicy: too large", curerr.ErrMalformed)

// ErrNoExternalID reports a cross-account trust built without an external
// ID when the caller did not opt out with
// [TrustPolicyOptions.AllowNoExternalID]. It wraps [curerr.ErrMalformed].
var ErrNoExternalID = curerr.New("iampolicy: an external ID is required for cross-account trust", curerr.ErrMalformed)

func fieldErr(field, format string, args ...any) *curerr.FieldError {
	return &curerr.FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// SizeError reports a document longer than an IAM quota. It wraps
// [ErrTooLarge], and so [curerr.ErrMalformed].
type SizeError struct {
	// Quota is the quota the document is over.
	Quota Quota
	// Size is the document's length as IAM counts it (characters, without
	// whitespace).
	Size int
	// Limit is the quota's limit in characters (Quota.Limit()).
	Limit int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("iampolicy: %s is %d characters without whitespace, over IAM's limit of %d", e.Quota, e.Size, e.Limit)
}

// Unwrap returns [ErrTooLarge].
func (e *SizeError) Unwrap() error { return ErrTooLarge }

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
