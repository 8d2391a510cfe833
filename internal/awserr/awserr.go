// Package awserr classifies AWS API errors into the small set of categories
// that curconnect's packages expose. The categories are defined once here and
// re-exported by value from iampolicy, curreader and billingconn, so that
// errors.Is matches across packages.
package awserr

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Error categories. Every error a curconnect package returns for a failed AWS
// call, or for input it refuses, wraps at most one of these.
var (
	// ErrAccessDenied: the caller's credentials were refused (HTTP 403,
	// AccessDenied, Forbidden, AllAccessDisabled, …).
	ErrAccessDenied = errors.New("access denied")
	// ErrNotFound: the object, key or resource does not exist.
	ErrNotFound = errors.New("not found")
	// ErrBucketNotFound: the bucket does not exist. It wraps ErrNotFound.
	ErrBucketNotFound = fmt.Errorf("bucket not found: %w", ErrNotFound)
	// ErrMalformed: input (a document, manifest, row, flag) cannot be parsed
	// or breaks a rule.
	ErrMalformed = errors.New("malformed input")
	// ErrThrottled: the service asked the caller to slow down (SlowDown,
	// Throttling, HTTP 503/429). Retrying later can help.
	ErrThrottled = errors.New("throttled")
)

// ClassifiedError carries an AWS error together with its category, so that
// errors.Is(err, category) holds and errors.As(err, &smithy.APIError) still
// reaches the original cause (and its request ID).
type ClassifiedError struct {
	Category error
	Err      error
}

func (e *ClassifiedError) Error() string { return e.Err.Error() }

// Unwrap returns both the cause and the category.
func (e *ClassifiedError) Unwrap() []error { return []error{e.Err, e.Category} }

// Category returns the category of err, or nil when err fits none. Context
// errors are returned as they are.
func Category(err error) error {
	if err == nil {
		return nil
	}
	for _, c := range []error{ErrBucketNotFound, ErrAccessDenied, ErrNotFound, ErrMalformed, ErrThrottled} {
		if errors.Is(err, c) {
			return c
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "Forbidden", "AllAccessDisabled",
			"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidClientTokenId",
			"UnauthorizedOperation", "AccountProblem":
			return ErrAccessDenied
		case "NoSuchBucket":
			return ErrBucketNotFound
		case "NoSuchKey", "NotFound", "NoSuchEntity", "ResourceNotFoundException":
			return ErrNotFound
		case "SlowDown", "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded":
			return ErrThrottled
		}
	}
	// IAM/STS errors from some servers reach the SDK as UnknownError with an
	// HTTP status only: classify by status as well as by code.
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusForbidden, http.StatusUnauthorized:
			return ErrAccessDenied
		case http.StatusNotFound:
			return ErrNotFound
		case http.StatusServiceUnavailable, http.StatusTooManyRequests:
			return ErrThrottled
		}
	}
	return nil
}

// Classify wraps err with its category when it has one and does not already
// carry it. It returns nil for nil and err unchanged when no category fits.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	c := Category(err)
	if c == nil || errors.Is(err, c) {
		return err
	}
	return &ClassifiedError{Category: c, Err: err}
}

// RequestID returns the AWS request ID carried by err, or "".
func RequestID(err error) string {
	var rid interface{ ServiceRequestID() string }
	if errors.As(err, &rid) {
		return rid.ServiceRequestID()
	}
	return ""
}

// Code returns the AWS error code carried by err, or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
