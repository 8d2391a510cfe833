package curreader

import (
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/awserr"
	"github.com/curconnect/curconnect/internal/s3io"
)

// Specific conditions. Each wraps one of the categories above.
var (
	// ErrManifestNotFound: a billing period has data but no top-level
	// manifest, or the report has no billing period at all: nothing has
	// been delivered completely yet (the first delivery can take 24 hours).
	ErrManifestNotFound = awserr.New("curreader: manifest not found", curerr.ErrNotFound)
	// ErrMalformedManifest: a manifest is not valid JSON or lacks what a
	// delivery needs (data files, a billing period).
	ErrMalformedManifest = awserr.New("curreader: malformed manifest", curerr.ErrMalformed)
	// ErrManifestEscapes: a manifest lists a data file in another bucket,
	// outside the report's own prefix, with a ".." segment or an odd URI.
	// Reading it could read someone else's data; it is refused.
	ErrManifestEscapes = awserr.New("curreader: manifest points outside its report", curerr.ErrMalformed)
	// ErrFileMissing: a manifest lists a data file that does not exist.
	ErrFileMissing = awserr.New("curreader: listed data file missing", curerr.ErrNotFound)
	// ErrReportNotFound: no report or export of that name under the prefix.
	ErrReportNotFound = awserr.New("curreader: report not found", curerr.ErrNotFound)
	// ErrObjectChanged: a data file or manifest was replaced while it was
	// read (its ETag changed): the bytes read so far belong to another
	// version. AWS rewrites overwrite-mode deliveries in place; resolve
	// the delivery again and read it anew.
	ErrObjectChanged = s3io.ErrObjectChanged
	// ErrPeriodNotFound: the report has no delivery for that billing period.
	ErrPeriodNotFound = awserr.New("curreader: billing period not found", curerr.ErrNotFound)
)

// ManifestError says which manifest (or, for ErrFileMissing, which data
// file of which manifest) a problem concerns. It unwraps to the cause and to
// the specific sentinel, so both errors.Is(err, ErrManifestEscapes) and
// errors.As(err, &smithy.APIError) work.
type ManifestError struct {
	// Bucket and Key locate the manifest.
	Bucket, Key string
	// File is the data file concerned, if any.
	File string
	// Err is the cause.
	Err error

	kind error // the specific sentinel, or nil when Err carries the category (an AWS error)
}

func (e *ManifestError) Error() string {
	s := "curreader: manifest " + location(e.Bucket, e.Key)
	if e.File != "" {
		s += ": file " + e.File
	}
	switch e.kind {
	case ErrMalformedManifest:
		s += ": malformed"
	case ErrManifestEscapes:
		s += ": outside the report"
	}
	return s + ": " + e.Err.Error()
}

// location names an object: s3://bucket/key, or the key alone for a local
// copy read without a bucket name.
func location(bucket, key string) string {
	if bucket == "" {
		return key
	}
	return "s3://" + bucket + "/" + key
}

// Unwrap returns the cause and the specific sentinel.
func (e *ManifestError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.kind}
}

// ListError reports a failed listing of a prefix.
type ListError struct {
	Bucket, Prefix string
	Err            error
}

func (e *ListError) Error() string {
	return "curreader: list " + location(e.Bucket, e.Prefix) + ": " + e.Err.Error()
}

// Unwrap returns the cause (classified: errors.Is(err, curerr.ErrAccessDenied)
// works).
func (e *ListError) Unwrap() error { return e.Err }
