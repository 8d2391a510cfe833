// Package curerr defines the error categories and the field error that every
// curconnect package returns, once, so that one errors.Is or errors.As works
// across iampolicy, curreader and billingconn (as gocloud.dev/gcerrors does
// for its portable types).
//
// # Categories
//
// Every error a curconnect package returns for a failed AWS call, or for input
// it refuses, wraps at most one category:
//
//   - [ErrAccessDenied]: AWS authenticated the request and refused it (HTTP
//     403, AccessDenied, Forbidden, …): a permission is missing, or a trust
//     policy or external ID does not match.
//   - [ErrNotFound]: the object, key or resource does not exist;
//     [ErrBucketNotFound] (which wraps it) for a missing bucket.
//   - [ErrThrottled]: AWS asked the caller to slow down and retries ran out;
//     retrying later can help.
//   - [ErrUnreachable]: nothing answered: the connection was refused, a DNS
//     name did not resolve, a TLS handshake failed, or the request timed out.
//   - [ErrSignature]: AWS could not authenticate the request: a wrong secret
//     key, an expired or unknown token, or a clock too far from AWS's.
//     It is not a missing permission.
//   - [ErrMalformed]: input cannot be used: a document, manifest, row, flag or
//     option that breaks a rule.
//
// Each package wraps these in its own specific sentinels
// (curreader.ErrManifestNotFound wraps ErrNotFound,
// billingconn.ErrAssumeRoleDenied wraps ErrAccessDenied) and in typed errors
// that carry the context (the file, the key, the check). The AWS error stays in
// the chain, so errors.As(err, &apiErr) with a smithy.APIError still reaches the
// error code and request ID.
//
// # Field errors
//
// Validators and builders report every invalid input at once, as errors.Join of
// [*FieldError] values, each naming its field and wrapping ErrMalformed.
//
// The package lives under curreader because the module root holds only
// documentation; it imports nothing of curconnect's, and iampolicy and
// billingconn use it as curreader does.
package curerr

import (
	"errors"
	"fmt"
)

// Error categories. See the package documentation for what each means.
var (
	ErrAccessDenied   = errors.New("access denied")
	ErrNotFound       = errors.New("not found")
	ErrBucketNotFound = fmt.Errorf("bucket %w", ErrNotFound)
	ErrThrottled      = errors.New("throttled")
	ErrUnreachable    = errors.New("unreachable")
	ErrSignature      = errors.New("request not authenticated")
	ErrMalformed      = errors.New("malformed")
)

// FieldError names one input field that breaks a rule. Validators and builders
// return all of them at once, joined with errors.Join: errors.As finds the
// first, and ranging over the joined error's Unwrap() []error finds every one.
// Every FieldError wraps ErrMalformed. Its message never repeats a secret.
type FieldError struct {
	// Field names the input: a builder argument ("bucket"), a struct field
	// ("Credentials.ExternalID"), a JSON field ("timeUnit") or an element
	// of a document ("Statement[2].Effect").
	Field string
	// Msg says what is wrong, in plain words.
	Msg string
	// Err is a more specific cause, if any (iampolicy.ErrNoExternalID, a
	// *json.SyntaxError, …).
	Err error
}

// Error returns "<Field>: <Msg>".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Unwrap returns the specific cause, if any, and ErrMalformed.
func (e *FieldError) Unwrap() []error {
	if e.Err != nil && !errors.Is(e.Err, ErrMalformed) {
		return []error{e.Err, ErrMalformed}
	}
	if e.Err != nil {
		return []error{e.Err}
	}
	return []error{ErrMalformed}
}

// Fields returns every *FieldError in err's tree, in order (for instance the
// joined result of a validator), or nil when there is none.
func Fields(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if fe, ok := err.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// New returns an error with the text msg that wraps category, so that
// errors.Is(err, category) holds without the category's text being repeated
// ("curreader: manifest not found", never "…: not found"). Each curconnect
// package defines its specific conditions with it; an embedder may define
// its own the same way.
func New(msg string, category error) error { return &specific{msg: msg, category: category} }

type specific struct {
	msg      string
	category error
}

func (s *specific) Error() string { return s.msg }
func (s *specific) Unwrap() error { return s.category }
