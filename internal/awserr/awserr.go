// Package awserr classifies AWS API errors into the categories of
// curreader/curerr, which every curconnect package returns.
//
// Classification looks only at types and AWS error codes (errors.As with
// smithy.APIError, *smithyhttp.ResponseError, *smithyhttp.RequestSendError
// and the net, crypto/tls and crypto/x509 error types), never at an error's
// text, and always keeps the original error in the chain.
package awserr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"

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

// codes maps AWS error codes to categories.
//
// The signature codes are those AWS documents for a request it could not
// authenticate — the common errors of every service (IncompleteSignature,
// InvalidClientTokenId, MissingAuthenticationToken, RequestExpired,
// ExpiredTokenException), S3's (SignatureDoesNotMatch, InvalidAccessKeyId,
// ExpiredToken, InvalidToken, TokenRefreshRequired, RequestTimeTooSkewed,
// InvalidSecurity), the JSON protocol services' (InvalidSignatureException,
// UnrecognizedClientException) and EC2's AuthFailure. None of them is a
// missing permission: AWS did not get as far as evaluating a policy.
var codes = map[string]error{
	"AccessDenied": ErrAccessDenied, "AccessDeniedException": ErrAccessDenied, "Forbidden": ErrAccessDenied,
	"AllAccessDisabled": ErrAccessDenied, "UnauthorizedOperation": ErrAccessDenied, "AccountProblem": ErrAccessDenied,

	"SignatureDoesNotMatch": ErrSignature, "InvalidSignatureException": ErrSignature, "IncompleteSignature": ErrSignature,
	"InvalidAccessKeyId": ErrSignature, "InvalidClientTokenId": ErrSignature, "UnrecognizedClientException": ErrSignature,
	"ExpiredToken": ErrSignature, "ExpiredTokenException": ErrSignature, "InvalidToken": ErrSignature,
	"TokenRefreshRequired": ErrSignature, "MissingAuthenticationToken": ErrSignature,
	"MissingAuthenticationTokenException": ErrSignature, "InvalidSecurity": ErrSignature, "AuthFailure": ErrSignature,
	"RequestTimeTooSkewed": ErrSignature, "RequestExpired": ErrSignature, "RequestInTheFuture": ErrSignature,

	"NoSuchBucket": ErrBucketNotFound,
	"NoSuchKey":    ErrNotFound, "NotFound": ErrNotFound, "NoSuchEntity": ErrNotFound, "ResourceNotFoundException": ErrNotFound,

	"SlowDown": ErrThrottled, "Throttling": ErrThrottled, "ThrottlingException": ErrThrottled,
	"TooManyRequestsException": ErrThrottled, "RequestLimitExceeded": ErrThrottled,
}

// clockCodes are the signature codes that name a clock too far from AWS's
// rather than a wrong secret or token.
var clockCodes = map[string]bool{"RequestTimeTooSkewed": true, "RequestExpired": true, "RequestInTheFuture": true}

// Category returns the category of err, or nil when err fits none.
//
// An error that already wraps a category keeps it. A canceled context is
// returned as nil (the caller gave up; nothing is wrong with AWS). An AWS
// error code decides when there is one. A request that got no answer — the
// SDK's *smithyhttp.RequestSendError, a *net.DNSError, a refused or failed
// dial, a TLS handshake or certificate error, a timeout inside the
// transport — is ErrUnreachable. An SDK call whose own context ended
// carries no transport error (the SDK reports the context's error), so a
// bare context.DeadlineExceeded is nil, not ErrUnreachable. Last, a bare
// HTTP status decides (moto's IAM and STS errors reach the SDK as
// UnknownError with a status only).
func Category(err error) error {
	if err == nil {
		return nil
	}
	for _, c := range []error{ErrBucketNotFound, ErrAccessDenied, ErrNotFound, ErrMalformed, ErrThrottled, ErrUnreachable, ErrSignature} {
		if errors.Is(err, c) {
			return c
		}
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if c, ok := codes[ae.ErrorCode()]; ok {
			return c
		}
	}
	if UnreachableReason(err) != NotUnreachable {
		return ErrUnreachable
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
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

// Reason says why a request got no answer.
type Reason int

// Reasons, from the most specific.
const (
	// NotUnreachable: err is not a transport failure.
	NotUnreachable Reason = iota
	// ReasonDNS: the host name did not resolve (*net.DNSError).
	ReasonDNS
	// ReasonTLS: the TLS handshake failed, or the server's certificate
	// was not trusted (crypto/tls and crypto/x509 errors).
	ReasonTLS
	// ReasonRefused: nothing listens at the address (ECONNREFUSED).
	ReasonRefused
	// ReasonTimeout: the connection or the answer took too long (an
	// error whose Timeout method reports true, as net.Error's does: a
	// dial, TLS handshake or HTTP client timeout).
	ReasonTimeout
	// ReasonOther: some other failure to connect, send the request or
	// read the answer's headers (a failed dial, a reset connection, the
	// SDK's *smithyhttp.RequestSendError).
	ReasonOther
)

// UnreachableReason classifies a transport failure by the types in err's
// chain, or returns NotUnreachable when err carries none (an AWS error, a
// canceled context, a malformed answer).
func UnreachableReason(err error) Reason {
	if err == nil {
		return NotUnreachable
	}
	// An error code or an HTTP status means something answered (the SDK
	// wraps a failed send in a ResponseError too, with status 0).
	// A *smithy.CanceledError is the SDK saying the call's own context
	// ended: the caller's deadline, not the network's.
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	var ce *smithy.CanceledError
	if errors.As(err, &ae) || (errors.As(err, &re) && re.HTTPStatusCode() != 0) || errors.As(err, &ce) || errors.Is(err, context.Canceled) {
		return NotUnreachable
	}
	var (
		dnsErr     *net.DNSError
		verifyErr  *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		echErr     *tls.ECHRejectionError
		authority  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		opErr      *net.OpError
		sendErr    *smithyhttp.RequestSendError
		timeoutErr interface{ Timeout() bool }
	)
	switch {
	case errors.As(err, &dnsErr):
		return ReasonDNS
	case errors.As(err, &verifyErr), errors.As(err, &recordErr), errors.As(err, &alertErr), errors.As(err, &echErr),
		errors.As(err, &authority), errors.As(err, &hostname), errors.As(err, &invalid):
		return ReasonTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return ReasonRefused
	case errors.As(err, &timeoutErr) && timeoutErr.Timeout() && timeoutErr != any(context.DeadlineExceeded):
		return ReasonTimeout
	case errors.As(err, &opErr) && opErr.Op == "dial", errors.As(err, &sendErr):
		return ReasonOther
	}
	return NotUnreachable
}

// Host returns the host a transport failure was about (from the request's
// URL, the dialed address or the name looked up), or "".
func Host(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	var de *net.DNSError
	if errors.As(err, &de) && de.Name != "" {
		return de.Name
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Addr != nil {
		return oe.Addr.String()
	}
	return ""
}

// ClockSkew reports whether err is a signature failure that AWS blamed on
// the request's time (RequestTimeTooSkewed, RequestExpired,
// RequestInTheFuture): the caller's clock is off, not its secret.
func ClockSkew(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && clockCodes[ae.ErrorCode()]
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

// Retryable reports whether the same request, made again later, may
// succeed: yes for throttling, server errors (5xx, 408), transport failures
// (ErrUnreachable, a body cut while the SDK decoded it, a reset connection,
// an unexpected EOF, a network timeout); no for a denial, a missing
// resource, a request AWS could not authenticate (the SDK already retried a
// skewed clock), bad input, a canceled context, and anything else it cannot
// tell. Callers add their own rules on top (s3io never retries an object
// that changed).
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch Category(err) {
	case ErrNotFound, ErrAccessDenied, ErrMalformed, ErrSignature:
		return false
	case ErrThrottled, ErrUnreachable:
		return true
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return true // a body cut mid-way, whatever status preceded it
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == http.StatusRequestTimeout
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorFault() == smithy.FaultServer
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}
