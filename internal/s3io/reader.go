package s3io

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/curconnect/curconnect/internal/awserr"
)

// Reader reads an object from start to end. When the body breaks, it
// re-GETs from the byte it reached (Range: bytes=N-, If-Match: the ETag)
// with bounded retries and exponential backoff. It knows the object's size
// from the first answer, so a body that ends early is resumed, never
// reported as the end of the object.
//
// Read is for one goroutine; Close may be called from another to interrupt
// it.
type Reader struct {
	ctx context.Context
	ob  object

	etag string
	size int64
	off  int64

	mu     sync.Mutex // guards body and closed against Close
	body   io.ReadCloser
	closed bool

	failures int // consecutive failed attempts
	err      error
}

// NewReader issues the first GET of s3://bucket/key and returns a Reader
// of its body. ctx governs this and every later GET. Errors (the object is
// missing, access is denied, …) are *Error values, returned here rather
// than at the first Read. The first GET is retried like the later ones.
func NewReader(ctx context.Context, client GetObjectAPI, bucket, key string, optFns ...func(*Options)) (*Reader, error) {
	r := &Reader{ctx: ctx, ob: object{client: client, bucket: bucket, key: key, opts: resolve(optFns)}, size: -1}
	r.etag = r.ob.opts.ETag
	for {
		err := r.open()
		if err == nil {
			return r, nil
		}
		if err := r.fail(err); err != nil {
			return nil, err
		}
	}
}

// fail counts a failed attempt and waits before the next one, or returns
// the final error.
func (r *Reader) fail(err error) error {
	if !retryable(r.ctx, err) || r.failures >= r.ob.opts.MaxRetries {
		op := "read"
		if r.size < 0 {
			op = "get"
		}
		return newError(op, r.ob.bucket, r.ob.key, r.off, withCtx(r.ctx, err))
	}
	if berr := backoff(r.ctx, &r.ob.opts, r.failures); berr != nil {
		return newError("read", r.ob.bucket, r.ob.key, r.off, berr)
	}
	r.failures++
	return nil
}

func (r *Reader) open() error {
	end := int64(-1)
	out, err := r.ob.get(r.ctx, r.off, end, r.etag, r.size)
	if err != nil {
		return err
	}
	if r.size < 0 {
		// First answer: learn the size and the ETag.
		if r.off != 0 {
			out.Body.Close()
			return errors.New("s3io: internal error: unknown size after offset 0")
		}
		if out.ContentLength == nil {
			out.Body.Close()
			return fmt.Errorf("s3io: %w: the GetObject answer has no Content-Length, so its end cannot be told from a cut", awserr.ErrMalformed)
		}
		r.size = *out.ContentLength
		if r.etag == "" {
			r.etag = aws.ToString(out.ETag)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		out.Body.Close()
		return errClosed
	}
	r.body = out.Body
	return nil
}

var errClosed = errors.New("s3io: read from closed reader")

// Size returns the size of the object in bytes.
func (r *Reader) Size() int64 { return r.size }

// ETag returns the ETag the read is pinned to.
func (r *Reader) ETag() string { return r.etag }

// Offset returns the number of bytes read so far.
func (r *Reader) Offset() int64 { return r.off }

// Read implements io.Reader. It returns io.EOF only once Size bytes have
// been read; errors are *Error values and are sticky.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if r.off >= r.size {
			r.closeBody()
			return 0, io.EOF
		}
		r.mu.Lock()
		need := r.body == nil
		r.mu.Unlock()
		if need {
			if err := r.open(); err != nil {
				if ferr := r.fail(err); ferr != nil {
					r.err = ferr
					return 0, ferr
				}
				continue
			}
		}
		if rest := r.size - r.off; int64(len(p)) > rest {
			p = p[:rest]
		}
		r.mu.Lock()
		body, closed := r.body, r.closed
		r.mu.Unlock()
		if closed {
			r.err = newError("read", r.ob.bucket, r.ob.key, r.off, errClosed)
			return 0, r.err
		}
		if body == nil {
			continue
		}
		n, err := body.Read(p)
		r.off += int64(n)
		if n > 0 {
			r.failures = 0
		}
		if err == nil {
			return n, nil
		}
		r.closeBody()
		if err == io.EOF {
			if r.off == r.size {
				return n, io.EOF
			}
			err = io.ErrUnexpectedEOF // the body ended before the object did
		}
		if n > 0 {
			// Hand over the bytes; the next Read resumes (or fails).
			if !retryable(r.ctx, err) {
				r.err = newError("read", r.ob.bucket, r.ob.key, r.off, withCtx(r.ctx, err))
			}
			return n, nil
		}
		if ferr := r.fail(err); ferr != nil {
			r.err = ferr
			return 0, ferr
		}
	}
}

func (r *Reader) closeBody() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
}

// Close closes the body. It is idempotent and may be called while Read is
// blocked, which then fails.
func (r *Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.body != nil {
		err := r.body.Close()
		r.body = nil
		return err
	}
	return nil
}

// String describes the reader for logs.
func (r *Reader) String() string {
	return fmt.Sprintf("s3://%s/%s@%d/%d", r.ob.bucket, r.ob.key, r.off, r.size)
}
