package curtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A Sink stores generated objects. Put calls write with a writer for the
// object's body; the object exists, complete, only once Put returns nil. If
// write returns an error, Put discards the object and returns that error.
// Keys are stored exactly as given (a "//" stays a "//").
type Sink interface {
	Put(ctx context.Context, key string, write func(w io.Writer) error) error
}

// PutObjectAPI is the S3 operation S3Sink needs; *s3.Client satisfies it.
type PutObjectAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ PutObjectAPI = (*s3.Client)(nil)

// MapSink keeps objects in memory, keyed by object key. It is safe for
// concurrent use.
type MapSink struct {
	mu      sync.Mutex
	objects map[string][]byte
}

// NewMapSink returns an empty MapSink.
func NewMapSink() *MapSink { return &MapSink{objects: map[string][]byte{}} }

// Put implements Sink.
func (m *MapSink) Put(ctx context.Context, key string, write func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[key] = buf.Bytes()
	return nil
}

// Get returns an object's body and whether it exists.
func (m *MapSink) Get(key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[key]
	return b, ok
}

// Keys returns every stored key, sorted.
func (m *MapSink) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.objects))
	for k := range m.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Objects returns a copy of the key → body map (bodies are shared, not
// copied).
func (m *MapSink) Objects() map[string][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]byte, len(m.objects))
	for k, v := range m.objects {
		out[k] = v
	}
	return out
}

// DirSink writes objects as files under a root directory, one file per key
// (key "a/b/c" is root/a/b/c), so os.DirFS(root) mirrors the bucket. Each
// file is written to a temporary name and renamed when complete.
//
// A key containing "//" maps to an empty path element, which a file system
// cannot hold: DirSink rejects such keys (and keys with "." or ".."
// elements, a leading "/", or a backslash) with an error. Use a prefix
// without a trailing "/" with DirSink.
type DirSink struct {
	// Root is the directory that stands for the bucket.
	Root string
}

// Put implements Sink.
func (d DirSink) Put(ctx context.Context, key string, write func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, `\`) {
		return fmt.Errorf("curtest: dir sink: key %q has no file path", key)
	}
	for _, el := range strings.Split(key, "/") {
		if el == "" || el == "." || el == ".." {
			return fmt.Errorf("curtest: dir sink: key %q has no file path", key)
		}
	}
	path := filepath.Join(d.Root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("curtest: dir sink: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".curtest-*")
	if err != nil {
		return fmt.Errorf("curtest: dir sink: %w", err)
	}
	tmp := f.Name()
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("curtest: dir sink: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("curtest: dir sink: %w", err)
	}
	return nil
}

// S3Sink uploads objects to a bucket with PutObject. A body is spooled in
// memory up to SpoolLimit bytes and in a temporary file beyond that, so the
// upload has a known length and a seekable body (needed for signing over
// plain HTTP) while generation stays streaming. Give the Spec the same
// Bucket, so manifests and s3:// URIs name the bucket the objects are in.
type S3Sink struct {
	// Client is the S3 client; *s3.Client satisfies PutObjectAPI.
	Client PutObjectAPI
	// Bucket is the destination bucket.
	Bucket string
	// SpoolLimit is the largest body kept in memory. If zero, 8 MiB.
	SpoolLimit int64
	// TempDir is where larger bodies are spooled. If empty, os.TempDir().
	TempDir string
}

// Put implements Sink.
func (s S3Sink) Put(ctx context.Context, key string, write func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	limit := s.SpoolLimit
	if limit <= 0 {
		limit = 8 << 20
	}
	sp := &spool{limit: limit, dir: s.TempDir}
	defer sp.cleanup()
	if err := write(sp); err != nil {
		return err
	}
	body, size, err := sp.reader()
	if err != nil {
		return fmt.Errorf("curtest: s3 sink: spool s3://%s/%s: %w", s.Bucket, key, err)
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.Bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(size),
	})
	if err != nil {
		return fmt.Errorf("curtest: s3 sink: put s3://%s/%s: %w", s.Bucket, key, err)
	}
	return nil
}

// spool is an io.Writer that keeps up to limit bytes in memory and moves
// everything to a temporary file once more arrives.
type spool struct {
	limit int64
	dir   string
	buf   bytes.Buffer
	file  *os.File
	n     int64
}

func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && int64(s.buf.Len()+len(p)) > s.limit {
		f, err := os.CreateTemp(s.dir, "curtest-spool-*")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			return 0, err
		}
		s.buf = bytes.Buffer{}
	}
	s.n += int64(len(p))
	if s.file != nil {
		return s.file.Write(p)
	}
	return s.buf.Write(p)
}

func (s *spool) reader() (io.ReadSeeker, int64, error) {
	if s.file == nil {
		return bytes.NewReader(s.buf.Bytes()), s.n, nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	return s.file, s.n, nil
}

func (s *spool) cleanup() {
	if s.file != nil {
		name := s.file.Name()
		s.file.Close()
		os.Remove(name)
	}
}
