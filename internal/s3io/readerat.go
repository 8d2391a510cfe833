package s3io

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ReaderAt reads byte ranges of an object with ranged GETs, one per ReadAt
// call, resuming a range whose body breaks. It is safe for concurrent use.
// The object's ETag is pinned by the first answer (or [Options.ETag]).
type ReaderAt struct {
	ctx  context.Context
	ob   object
	size int64

	mu   sync.Mutex
	etag string
}

// NewReaderAt returns a ReaderAt for s3://bucket/key. If size is negative
// it calls HeadObject (client must then implement [HeadObjectAPI]) to learn
// the size and ETag. ctx governs every later GET (io.ReaderAt has no
// context of its own).
func NewReaderAt(ctx context.Context, client GetObjectAPI, bucket, key string, size int64, optFns ...func(*Options)) (*ReaderAt, error) {
	ra := &ReaderAt{ctx: ctx, ob: object{client: client, bucket: bucket, key: key, opts: resolve(optFns)}, size: size}
	ra.etag = ra.ob.opts.ETag
	if size >= 0 {
		return ra, nil
	}
	head, ok := client.(HeadObjectAPI)
	if !ok {
		return nil, newError("head", bucket, key, 0, errors.New("size unknown and client has no HeadObject"))
	}
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if ra.ob.opts.VersionID != "" {
		in.VersionId = aws.String(ra.ob.opts.VersionID)
	}
	if ra.etag != "" {
		in.IfMatch = aws.String(ra.etag)
	}
	for failures := 0; ; failures++ {
		out, err := head.HeadObject(ctx, in, ra.ob.opts.ClientOptions...)
		if err == nil {
			if out.ContentLength == nil {
				return nil, newError("head", bucket, key, 0, errors.New("HeadObject answer has no Content-Length"))
			}
			ra.size = *out.ContentLength
			if ra.etag == "" {
				ra.etag = aws.ToString(out.ETag)
			}
			return ra, nil
		}
		if !retryable(ctx, err) || failures >= ra.ob.opts.MaxRetries {
			return nil, newError("head", bucket, key, 0, withCtx(ctx, err))
		}
		if berr := backoff(ctx, &ra.ob.opts, failures); berr != nil {
			return nil, newError("head", bucket, key, 0, berr)
		}
	}
}

// Size returns the size of the object.
func (ra *ReaderAt) Size() int64 { return ra.size }

// ETag returns the pinned ETag ("" before the first answer when none was
// given).
func (ra *ReaderAt) ETag() string {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	return ra.etag
}

// ReadAt implements io.ReaderAt. A range reaching past the end of the
// object returns the bytes up to the end and io.EOF.
func (ra *ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, newError("read", ra.ob.bucket, ra.ob.key, off, errors.New("negative offset"))
	}
	if off >= ra.size {
		if len(p) == 0 && off == ra.size {
			return 0, nil
		}
		return 0, io.EOF
	}
	want := p
	if rest := ra.size - off; int64(len(want)) > rest {
		want = want[:rest]
	}
	n := 0
	failures := 0
	for n < len(want) {
		pos := off + int64(n)
		m, err := ra.readRange(want[n:], pos)
		n += m
		if m > 0 {
			failures = 0
		}
		if err == nil {
			continue
		}
		if !retryable(ra.ctx, err) || failures >= ra.ob.opts.MaxRetries {
			return n, newError("read", ra.ob.bucket, ra.ob.key, off+int64(n), withCtx(ra.ctx, err))
		}
		if m == 0 {
			if berr := backoff(ra.ctx, &ra.ob.opts, failures); berr != nil {
				return n, newError("read", ra.ob.bucket, ra.ob.key, off+int64(n), berr)
			}
			failures++
		}
	}
	if len(want) < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readRange does one GET of len(p) bytes at off and reads its body.
func (ra *ReaderAt) readRange(p []byte, off int64) (int, error) {
	ra.mu.Lock()
	etag := ra.etag
	ra.mu.Unlock()
	out, err := ra.ob.get(ra.ctx, off, off+int64(len(p)), etag, ra.size)
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	if etag == "" {
		ra.mu.Lock()
		if ra.etag == "" {
			ra.etag = aws.ToString(out.ETag)
		} else if got := aws.ToString(out.ETag); got != ra.etag {
			ra.mu.Unlock()
			return 0, ErrObjectChanged
		}
		ra.mu.Unlock()
	}
	n, err := io.ReadFull(out.Body, p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
