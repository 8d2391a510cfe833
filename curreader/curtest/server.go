package curtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	bolt "go.etcd.io/bbolt"
)

// A Server is an S3 server for tests, listening on 127.0.0.1 only, in the
// manner of net/http/httptest.Server: start one, generate deliveries into
// it with [Server.Generate], point the code under test at [Server.URL] or
// [Server.Client], and compare what it reads with the [Result].
//
// It is [gofakes3] with its bbolt backend, whose paged listings with a
// delimiter are exact (each common prefix once, whatever MaxKeys is). It
// serves path-style requests for ListObjectsV2, GetObject (with Range),
// HeadObject, PutObject and the other calls gofakes3 implements, as a
// bucket in us-east-1. It accepts any credentials and checks no
// permissions. Objects live in a temporary file that [Server.Close]
// removes, not in the Go heap; each request holds its whole object in
// memory, though, so for reading gigabytes use a real S3-compatible
// server.
//
// A Server is safe for concurrent use.
//
// [gofakes3]: https://github.com/johannesboyne/gofakes3
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:PORT", with no
	// trailing slash. It is empty until Start. An S3 client reaches the
	// server with BaseEndpoint set to URL and UsePathStyle.
	URL string

	// Config is the HTTP server. It may be changed after NewUnstartedServer
	// and before Start: wrap Config.Handler to inject faults (a 403, a 503
	// SlowDown, a body cut short) or to answer another API on the same
	// endpoint.
	Config *http.Server

	mu      sync.Mutex
	dir     string // holds the bbolt file
	db      *bolt.DB
	http    *httptest.Server
	client  *s3.Client
	started bool
	closed  bool
}

// NewServer starts and returns a new Server holding the given buckets,
// empty. With no bucket, it holds [DefaultBucket], where [Server.Generate]
// writes a Spec that names no bucket. The caller should call Close when
// finished, to shut it down and remove its objects.
//
// It returns an error for an invalid or repeated bucket name, or when it
// cannot create its temporary file or listen on 127.0.0.1.
func NewServer(buckets ...string) (*Server, error) {
	s, err := NewUnstartedServer(buckets...)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// NewUnstartedServer returns a new Server, holding the given buckets as
// [NewServer] does, but doesn't start it. After changing its Config, the
// caller should call Start, and then Close.
func NewUnstartedServer(buckets ...string) (*Server, error) {
	if len(buckets) == 0 {
		buckets = []string{DefaultBucket}
	}
	seen := map[string]bool{}
	for _, b := range buckets {
		if err := gofakes3.ValidateBucketName(b); err != nil {
			return nil, fmt.Errorf("curtest: server: bucket %q: %w", b, err)
		}
		if seen[b] {
			return nil, fmt.Errorf("curtest: server: bucket %q given twice", b)
		}
		seen[b] = true
	}
	dir, err := os.MkdirTemp("", "curtest-s3-")
	if err != nil {
		return nil, fmt.Errorf("curtest: server: %w", err)
	}
	// No fsync: the file is thrown away with the server, and syncing
	// every PutObject would make generating a delivery slow.
	db, err := bolt.Open(filepath.Join(dir, "s3.bolt"), 0o600, &bolt.Options{Timeout: time.Second, NoSync: true, NoFreelistSync: true})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("curtest: server: %w", err)
	}
	backend := s3bolt.New(db)
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			db.Close()
			os.RemoveAll(dir)
			return nil, fmt.Errorf("curtest: server: create bucket %q: %w", b, err)
		}
	}
	return &Server{
		Config: &http.Server{Handler: gofakes3.New(backend).Server()},
		dir:    dir,
		db:     db,
	}, nil
}

// Start starts a server from NewUnstartedServer, listening on a free port
// of 127.0.0.1. It returns an error if the server was started or closed
// before, or cannot listen.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return errors.New("curtest: server: closed")
	case s.started:
		return errors.New("curtest: server: already started")
	case s.db == nil:
		return errors.New("curtest: server: not made by NewUnstartedServer")
	case s.Config == nil || s.Config.Handler == nil:
		return errors.New("curtest: server: Config.Handler is nil")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("curtest: server: listen: %w", err)
	}
	s.http = &httptest.Server{Listener: l, Config: s.Config}
	s.http.Start()
	s.started = true
	s.URL = s.http.URL
	s.client = s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(s.URL),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("curtest", "curtest", ""),
		HTTPClient:                 s.http.Client(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return nil
}

// Client returns an S3 client for the server: region us-east-1, path-style
// addressing, static fake credentials, and checksums computed and
// validated only where an operation requires them
// (aws.RequestChecksumCalculationWhenRequired). For other settings, make a
// client from its options: s3.New(srv.Client().Options(), optFns...).
// Over plain HTTP the SDK signs the payload itself, so a PutObject body
// must be seekable (a *bytes.Reader, *strings.Reader or *os.File).
//
// It returns nil before Start.
func (s *Server) Client() *s3.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// Generate writes the deliveries spec describes into the server's bucket
// spec.Bucket ([DefaultBucket] if empty) with PutObject, as [Generate]
// does with an [S3Sink], and returns the ground truth. The bucket must be
// one the server holds.
func (s *Server) Generate(ctx context.Context, spec Spec) (*Result, error) {
	c := s.Client()
	if c == nil {
		return nil, errors.New("curtest: server: not started")
	}
	bucket := spec.Bucket
	if bucket == "" {
		bucket = DefaultBucket
	}
	return Generate(ctx, S3Sink{Client: c, Bucket: bucket}, spec)
}

// Close shuts down the server, waiting for the requests in progress to
// finish, and removes its objects. Calling it again does nothing.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	hs := s.http
	s.mu.Unlock()
	if hs != nil {
		hs.Close()
	}
	if s.db != nil {
		s.db.Close()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}
