// Package awserr classifies AWS API errors into the categories of
// curreader/curerr, which every curconnect package returns.
package awserr

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// The categories, defined once in curreader/curerr (the public package
// callers match against).
var (
	ErrAccessDenied   = curerr.ErrAccessDenied
	ErrNotFound       = curerr.ErrNotFound
	ErrBucketNotFound = curerr.ErrBucketNotFound
	ErrMalformed      = curerr.ErrMalformed
	ErrThrottled      = curerr.ErrThrottled
	ErrUnreachable    = curerr.ErrUnreachable
	ErrSignature      = curerr.ErrSignature
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

// sentinel is a specific error condition whose text is its own and which
// wraps a category, so that errors.Is(err, category) holds without the
// category's text being repeated ("manifest not found", never "manifest
// not found: not found").
type sentinel struct {
	msg      string
	category error
}

func (s *sentinel) Error() string { return s.msg }
func (s *sentinel) Unwrap() error { return s.category }

// New returns a sentinel error with text msg that wraps category.
func New(msg string, category error) error { return &sentinel{msg: msg, category: category} }
