// Package s3io reads S3 objects robustly: a sequential [Reader] that resumes
// a body broken mid-stream from the byte it reached, and a [ReaderAt] over
// ranged GETs for formats read from the end (Parquet, zip).
//
// Both pin the object's ETag: every GET after the first carries If-Match
// and its answer is checked, so an object replaced during the read is
// reported as [ErrObjectChanged] instead of yielding a mix of two versions.
// A body that ends before the object's size is never taken for the end of
// the object.
//
// # Errors
//
// Every error is an [*Error] naming the bucket, key and offset. It unwraps
// to the cause (a smithy.APIError from the SDK, io.ErrUnexpectedEOF, a
// context error) and to a category where one applies: [ErrObjectChanged],
// or awserr's ErrNotFound, ErrAccessDenied, ErrThrottled.
package s3io

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curconnect/curconnect/internal/awserr"
)

// GetObjectAPI is the S3 GetObject method set.
type GetObjectAPI interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// HeadObjectAPI is the S3 HeadObject method set.
type HeadObjectAPI interface {
	HeadObject(ctx context.Context, params *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// API is what [NewReaderAt] needs when the size is not known.
type API interface {
	GetObjectAPI
	HeadObjectAPI
}

var _ API = (*s3.Client)(nil)

// ErrObjectChanged reports that the object's ETag changed during the read
// (S3 answered 412 PreconditionFailed to If-Match, or returned another
// ETag or size): the bytes already read belong to another version.
var ErrObjectChanged = errors.New("s3io: object changed during read")

// Defaults for [Options].
const (
	DefaultMaxRetries = 5
	DefaultMinBackoff = 50 * time.Millisecond
	DefaultMaxBackoff = 2 * time.Second
)

// Options configure a [Reader] or [ReaderAt]. The zero value selects the
// defaults.
type Options struct {
	// MaxRetries bounds the consecutive failed attempts (a GET that fails
	// or a body that breaks before delivering a byte) before giving up.
	// Progress resets the count. If zero, DefaultMaxRetries; negative
	// means no retry.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential wait between
	// attempts. If zero, DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// ETag, when known (from a listing or a manifest), is required of the
	// object from the first GET on.
	ETag string
	// VersionID reads a specific version of the object.
	VersionID string
	// ClientOptions are applied to every S3 call.
	ClientOptions []func(*s3.Options)
}

func resolve(optFns []func(*Options)) Options {
	var o Options
	for _, f := range optFns {
		f(&o)
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	o.ClientOptions = slices.Clone(o.ClientOptions)
	return o
}

// Error is the error of a read: which object, where, and why.
type Error struct {
	Op     string // "get", "head" or "read"
	Bucket string
	Key    string
	Offset int64 // byte offset the read had reached
	Err    error

	category error
}

func (e *Error) Error() string {
	return fmt.Sprintf("s3io: %s s3://%s/%s at byte %d: %v", e.Op, e.Bucket, e.Key, e.Offset, e.Err)
}

// Unwrap returns the cause and, when it has one not already in the cause,
// the category (ErrObjectChanged, awserr.ErrNotFound, …).
func (e *Error) Unwrap() []error {
	if e.category == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.category}
}

func newError(op, bucket, key string, off int64, err error) *Error {
	e := &Error{Op: op, Bucket: bucket, Key: key, Offset: off, Err: err}
	if c := category(err); c != nil && !errors.Is(err, c) {
		e.category = c
	}
	return e
}

func category(err error) error {
	if isPreconditionFailed(err) {
		return ErrObjectChanged
	}
	return awserr.Category(err)
}

func isPreconditionFailed(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}

// retryable reports whether another attempt may succeed: awserr's rule
// (yes for throttling, 5xx and transport errors; no for a denial, a missing
// object, a request AWS could not authenticate, bad input), except that a
// changed object is never retried, and a read that broke for a reason
// nothing recognizes is retried (bounded by MaxRetries): a stream of bytes
// from S3 has few ways to fail that another attempt cannot mend.
func retryable(ctx context.Context, err error) bool {
	if errors.Is(err, errClosed) || ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, ErrObjectChanged) || isPreconditionFailed(err) {
		return false
	}
	if awserr.Retryable(err) {
		return true
	}
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	return awserr.Category(err) == nil && !errors.As(err, &ae) && !errors.As(err, &re)
}

// withCtx returns err joined with ctx's error when ctx ended while the
// attempt failed, so that a caller that gave up (canceled, deadline) sees
// errors.Is(err, context.Canceled) rather than only the last AWS error.
func withCtx(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return errors.Join(cerr, err)
	}
	return err
}

func backoff(ctx context.Context, o *Options, attempt int) error {
	d := o.MinBackoff << min(attempt, 20)
	if d > o.MaxBackoff || d <= 0 {
		d = o.MaxBackoff
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// object is what both readers know about the object being read.
type object struct {
	client GetObjectAPI
	bucket string
	key    string
	opts   Options
}

// get issues a GET for bytes [off, end) (end < 0: to the end of the
// object) and checks the answer against etag and size (when known).
func (ob *object) get(ctx context.Context, off, end int64, etag string, size int64) (*s3.GetObjectOutput, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(ob.bucket), Key: aws.String(ob.key)}
	if ob.opts.VersionID != "" {
		in.VersionId = aws.String(ob.opts.VersionID)
	}
	if etag != "" {
		in.IfMatch = aws.String(etag)
	}
	ranged := off > 0 || end >= 0 || size >= 0 // a resume is always ranged, so its answer can be checked
	if ranged {
		if end >= 0 {
			in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, end-1))
		} else {
			in.Range = aws.String(fmt.Sprintf("bytes=%d-", off))
		}
	}
	out, err := ob.client.GetObject(ctx, in, ob.opts.ClientOptions...)
	if err != nil {
		return nil, err
	}
	if etag != "" && out.ETag != nil && *out.ETag != etag {
		out.Body.Close()
		return nil, fmt.Errorf("%w: ETag %s, was %s", ErrObjectChanged, *out.ETag, etag)
	}
	if ranged {
		start, total, ok := parseContentRange(aws.ToString(out.ContentRange))
		if !ok || start != off {
			out.Body.Close()
			return nil, fmt.Errorf("s3io: asked for bytes from %d, got Content-Range %q", off, aws.ToString(out.ContentRange))
		}
		if size >= 0 && total >= 0 && total != size {
			out.Body.Close()
			return nil, fmt.Errorf("%w: size %d, was %d", ErrObjectChanged, total, size)
		}
	}
	return out, nil
}

// parseContentRange parses "bytes START-END/TOTAL" (TOTAL may be "*",
// reported as -1).
func parseContentRange(s string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	first, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, total, true
}

// Retry runs fn until it succeeds, fails with an error another attempt
// cannot mend (a denial, a missing object, a bad request, a canceled
// context), or fails MaxRetries times in a row, waiting with exponential
// backoff between attempts. It is for calls other than GetObject that read
// a body — a listing page cut mid-body is a transport error the SDK's own
// retryer does not repeat.
func Retry(ctx context.Context, fn func() error, optFns ...func(*Options)) error {
	o := resolve(optFns)
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || attempt >= o.MaxRetries || !retryable(ctx, err) {
			return withCtx(ctx, err)
		}
		if berr := backoff(ctx, &o, attempt); berr != nil {
			return withCtx(ctx, err)
		}
	}
}
