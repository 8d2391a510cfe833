package curreader

import (
	"errors"
	"fmt"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/s3io"
)

// Specific conditions. Each wraps one of the categories above.
var (
	// ErrManifestNotFound: a billing period has data but no top-level
	// manifest, or the report has no billing period at all: nothing has
	// been delivered completely yet (the first delivery can take 24 hours).
	ErrManifestNotFound = curerr.New("curreader: manifest not found", curerr.ErrNotFound)
	// ErrMalformedManifest: a manifest is not valid JSON or lacks what a
	// delivery needs (data files, a billing period).
	ErrMalformedManifest = curerr.New("curreader: malformed manifest", curerr.ErrMalformed)
	// ErrManifestEscapes: a manifest lists a data file in another bucket,
	// outside the report's own prefix, with a ".." segment or an odd URI.
	// Reading it could read someone else's data; it is refused.
	ErrManifestEscapes = curerr.New("curreader: manifest points outside its report", curerr.ErrMalformed)
	// ErrFileMissing: a manifest lists a data file that does not exist.
	ErrFileMissing = curerr.New("curreader: listed data file missing", curerr.ErrNotFound)
	// ErrReportNotFound: no report or export of that name under the prefix.
	ErrReportNotFound = curerr.New("curreader: report not found", curerr.ErrNotFound)
	// ErrObjectChanged: a data file or manifest was replaced while it was
	// read (its ETag changed): the bytes read so far belong to another
	// version. AWS rewrites overwrite-mode deliveries in place; resolve
	// the delivery again and read it anew.
	ErrObjectChanged = errObjectChanged
	// ErrPeriodNotFound: the report has no delivery for that billing period.
	ErrPeriodNotFound = curerr.New("curreader: billing period not found", curerr.ErrNotFound)
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

// ErrMalformedRow: a data file's row cannot be read (bad CSV, a value
// that is not a number where one is asked for). It wraps curerr.ErrMalformed.
var ErrMalformedRow = curerr.New("curreader: malformed row", curerr.ErrMalformed)

// ErrUnsupportedFormat: the reader cannot read this delivery's format.
var ErrUnsupportedFormat = curerr.New("curreader: unsupported format", curerr.ErrMalformed)

// ErrNotReady: the delivery is still being updated (Delivery.Ready false).
var ErrNotReady = errors.New("curreader: delivery not ready")

// ErrBadTime: a cell is not a time the reader knows.
var ErrBadTime = curerr.New("curreader: not a time", curerr.ErrMalformed)

// ParseError names the file, line and field of a row that cannot be read.
// For Parquet, Line is the row's 1-based position in the file.
type ParseError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("curreader: %s: line %d", e.File, e.Line)
	if e.Field != "" {
		s += ": field " + e.Field
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause and ErrMalformedRow.
func (e *ParseError) Unwrap() []error { return []error{e.Err, ErrMalformedRow} }

// FileError reports a data file that could not be read to its end (a
// denied or failed GET, a truncated or corrupt gzip or Parquet file, a file
// that changed while it was read). It is never a short read that looks
// like the end. Line is the last line (CSV) or row (Parquet) read.
type FileError struct {
	File string
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("curreader: %s: %v", e.File, e.Err)
	}
	unit := "line"
	if strings.HasSuffix(strings.ToLower(e.File), ".parquet") {
		unit = "row"
	}
	return fmt.Sprintf("curreader: %s: after %s %d: %v", e.File, unit, e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// ErrUnknownColumn: a column name that is neither in the delivery nor a
// documented column of legacy CUR, CUR 2.0 or FOCUS — a typo, which would
// otherwise read as absent everywhere and sum to zero. A documented column
// that a delivery lacks is not an error (AWS leaves out the columns no usage
// of the month touched): it reads as absent. It wraps curerr.ErrMalformed.
var ErrUnknownColumn = curerr.New("curreader: unknown column", curerr.ErrMalformed)

// ColumnError names a column that is not known, and the closest names that
// are (from the delivery and the documented columns).
type ColumnError struct {
	// Column is the name as given.
	Column string
	// Closest are the nearest real names, nearest first (at most 3).
	Closest []string
}

func (e *ColumnError) Error() string {
	s := fmt.Sprintf("curreader: unknown column %q: not in this delivery and not a documented column of legacy CUR, CUR 2.0 or FOCUS", e.Column)
	if len(e.Closest) > 0 {
		s += " (closest: " + strings.Join(e.Closest, ", ") + ")"
	}
	return s
}

// Unwrap returns ErrUnknownColumn.
func (e *ColumnError) Unwrap() error { return ErrUnknownColumn }

// errObjectChanged is the value the resumable readers return; exported as
// ErrObjectChanged.
var errObjectChanged = s3io.ErrObjectChanged
