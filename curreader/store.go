package curreader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/awserr"
	"github.com/curconnect/curconnect/internal/s3io"
)

// S3API is the part of the S3 client the resolver and readers use. The
// method sets are the SDK's own, so an *s3.Client satisfies it, and so does
// any wrapper a caller writes for tests or metrics.
type S3API interface {
	ListObjectsV2(ctx context.Context, params *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, params *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// object is one listed object.
type object struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
}

// store is what the resolver needs of a bucket: an S3 bucket or a local
// directory that mirrors one.
type store interface {
	bucketName() string
	// list returns every object and common prefix under prefix, across
	// all pages. An empty delimiter lists recursively.
	list(ctx context.Context, prefix, delimiter string) ([]object, []string, error)
	// get reads a whole object of at most max bytes.
	get(ctx context.Context, key string, max int64) ([]byte, string, error)
	// canon maps a key as written in a manifest to the form list returns.
	canon(key string) string
	// files opens the data files of a delivery of this store.
	files() fileStore
}

type s3Store struct {
	client S3API
	bucket string
	opts   Options
}

// readOpts are the s3io options of every object read: the Resolver's
// retries and client options, and the object's ETag when known.
func (s *s3Store) readOpts(etag string) func(*s3io.Options) {
	return func(so *s3io.Options) {
		so.ETag = etag
		so.MaxRetries, so.MinBackoff, so.MaxBackoff = s.opts.MaxRetries, s.opts.MinBackoff, s.opts.MaxBackoff
		so.ClientOptions = s.opts.ClientOptions
	}
}

func (s *s3Store) files() fileStore {
	return fileStore{
		remote: true,
		open: func(ctx context.Context, f DataFile) (io.ReadCloser, error) {
			return s3io.NewReader(ctx, s.client, s.bucket, f.Key, s.readOpts(f.ETag))
		},
		at: func(ctx context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error) {
			ra, err := s3io.NewReaderAt(ctx, s.client, s.bucket, f.Key, f.Size, s.readOpts(f.ETag))
			if err != nil {
				return nil, 0, nil, err
			}
			return ra, ra.Size(), nil, nil
		},
	}
}

func (s *fsStore) files() fileStore {
	return fsStoreOf(func(key string) (fs.File, error) { return s.fsys.Open(s.canon(key)) })
}

func (s *s3Store) bucketName() string      { return s.bucket }
func (s *s3Store) canon(key string) string { return key }

func (s *s3Store) list(ctx context.Context, prefix, delimiter string) ([]object, []string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	if s.opts.PageSize > 0 {
		in.MaxKeys = aws.Int32(s.opts.PageSize)
	}
	var objs []object
	var prefixes []string
	seen := map[string]bool{}
	for page := 0; ; page++ {
		var out *s3.ListObjectsV2Output
		err := s3io.Retry(ctx, func() (err error) {
			out, err = s.client.ListObjectsV2(ctx, in, s.opts.ClientOptions...)
			return err
		}, s.readOpts(""))
		if err != nil {
			return nil, nil, &ListError{Bucket: s.bucket, Prefix: prefix, Err: awserr.Classify(err)}
		}
		for _, o := range out.Contents {
			objs = append(objs, object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag), LastModified: aws.ToTime(o.LastModified)})
		}
		for _, p := range out.CommonPrefixes {
			// Some servers repeat a common prefix across pages.
			if k := aws.ToString(p.Prefix); !seen[k] {
				seen[k] = true
				prefixes = append(prefixes, k)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		next := aws.ToString(out.NextContinuationToken)
		if next == "" || (in.ContinuationToken != nil && next == *in.ContinuationToken) {
			return nil, nil, &ListError{Bucket: s.bucket, Prefix: prefix, Err: fmt.Errorf("%w: listing is truncated but gives no new continuation token", curerr.ErrMalformed)}
		}
		in.ContinuationToken = aws.String(next)
	}
	return objs, prefixes, nil
}

// get reads a whole object (a manifest, the Athena status file) as data
// files are read: a body cut mid-way resumes from the byte it reached,
// pinned to the object's ETag, and throttling and server errors are retried,
// within the Resolver's MaxRetries.
func (s *s3Store) get(ctx context.Context, key string, max int64) ([]byte, string, error) {
	rd, err := s3io.NewReader(ctx, s.client, s.bucket, key, s.readOpts(""))
	if err != nil {
		return nil, "", err
	}
	defer rd.Close()
	if rd.Size() > max {
		return nil, "", fmt.Errorf("%w: the object has %d bytes, over the limit of %d", curerr.ErrMalformed, rd.Size(), max)
	}
	b, err := io.ReadAll(io.LimitReader(rd, max+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(b)) > max {
		return nil, "", fmt.Errorf("%w: the object is over %d bytes", curerr.ErrMalformed, max)
	}
	return b, rd.ETag(), nil
}

// fsStore is a local directory that mirrors a bucket's layout. Keys are
// slash-separated paths; "//" in S3 keys (a prefix ending in "/") has no
// local form, so keys are compared with runs of "/" collapsed.
type fsStore struct {
	fsys   fs.FS
	bucket string

	once sync.Once
	objs []object
	err  error
}

func (s *fsStore) bucketName() string { return s.bucket }

func (s *fsStore) canon(key string) string {
	for strings.Contains(key, "//") {
		key = strings.ReplaceAll(key, "//", "/")
	}
	return strings.TrimPrefix(key, "/")
}

func (s *fsStore) load() {
	s.err = fs.WalkDir(s.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		s.objs = append(s.objs, object{Key: p, Size: info.Size(), ETag: fmt.Sprintf("%d-%d", info.Size(), info.ModTime().UnixNano()), LastModified: info.ModTime()})
		return nil
	})
	sort.Slice(s.objs, func(i, j int) bool { return s.objs[i].Key < s.objs[j].Key })
}

func (s *fsStore) list(ctx context.Context, prefix, delimiter string) ([]object, []string, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	s.once.Do(s.load)
	if s.err != nil {
		return nil, nil, &ListError{Bucket: s.bucket, Prefix: prefix, Err: s.err}
	}
	prefix = s.canon(prefix)
	i := sort.Search(len(s.objs), func(i int) bool { return s.objs[i].Key >= prefix })
	var objs []object
	var prefixes []string
	for ; i < len(s.objs) && strings.HasPrefix(s.objs[i].Key, prefix); i++ {
		o := s.objs[i]
		if delimiter != "" {
			if j := strings.Index(o.Key[len(prefix):], delimiter); j >= 0 {
				cp := o.Key[:len(prefix)+j+len(delimiter)]
				if len(prefixes) == 0 || prefixes[len(prefixes)-1] != cp {
					prefixes = append(prefixes, cp)
				}
				continue
			}
		}
		objs = append(objs, o)
	}
	return objs, prefixes, nil
}

func (s *fsStore) get(ctx context.Context, key string, max int64) ([]byte, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	f, err := s.fsys.Open(s.canon(key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", &awserr.ClassifiedError{Category: curerr.ErrNotFound, Err: err}
		}
		if errors.Is(err, fs.ErrPermission) {
			return nil, "", &awserr.ClassifiedError{Category: curerr.ErrAccessDenied, Err: err}
		}
		return nil, "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(b)) > max {
		return nil, "", fmt.Errorf("%w: file is over %d bytes", curerr.ErrMalformed, max)
	}
	info, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	return b, fmt.Sprintf("%d-%d", info.Size(), info.ModTime().UnixNano()), nil
}

// fileStore opens the data files of a delivery.
type fileStore struct {
	// open streams one file from its start.
	open func(ctx context.Context, f DataFile) (io.ReadCloser, error)
	// at gives random access to one file (zip archives and Parquet files
	// are read from their end).
	at func(ctx context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error)
	// remote is true for S3, where every ReadAt is a GET: Parquet reads
	// then fetch whole column-chunk ranges at once.
	remote bool
}

func fsStoreOf(open func(key string) (fs.File, error)) fileStore {
	return fileStore{
		open: func(_ context.Context, f DataFile) (io.ReadCloser, error) {
			return open(f.Key)
		},
		at: func(_ context.Context, f DataFile) (io.ReaderAt, int64, io.Closer, error) {
			file, err := open(f.Key)
			if err != nil {
				return nil, 0, nil, err
			}
			ra, ok := file.(io.ReaderAt)
			if !ok {
				file.Close()
				return nil, 0, nil, fmt.Errorf("%w: the file system cannot read %s at random offsets, which zip and Parquet need", ErrUnsupportedFormat, f.Key)
			}
			info, err := file.Stat()
			if err != nil {
				file.Close()
				return nil, 0, nil, err
			}
			return ra, info.Size(), file, nil
		},
	}
}
