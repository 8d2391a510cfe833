package testutil

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curconnect/curconnect/curreader/curtest"
)

// S3 is curtest's in-process S3 [curtest.Server] for one test, with
// request counting, injected denials and a hook for fault injectors in
// front of it. Those belong to this package's tests, not to curtest's
// public surface.
type S3 struct {
	// Client is an SDK client for the server (path style, static test
	// credentials, checksums only when required).
	Client *s3.Client
	// URL is the server's base URL.
	URL string

	handler http.Handler // the server's own, behind serve
	seed    *s3.Client   // Put's client: its requests skip serve's bookkeeping
	mu      sync.Mutex
	counts  map[string]int
	deny    []string
	wrap    func(http.Handler) http.Handler
}

// seedHeader marks Put's requests, which are neither counted, denied nor
// wrapped: seeding a bucket is not part of what a test measures.
const seedHeader = "X-Curconnect-Testutil-Seed"

// NewS3 starts an in-process S3 holding the given buckets (created empty;
// with none, curtest.DefaultBucket) and closes it when the test ends.
func NewS3(t testing.TB, buckets ...string) *S3 {
	t.Helper()
	srv, err := curtest.NewUnstartedServer(buckets...)
	if err != nil {
		t.Fatalf("testutil: %v", err)
	}
	t.Cleanup(srv.Close)
	s := &S3{handler: srv.Config.Handler, counts: map[string]int{}}
	srv.Config.Handler = http.HandlerFunc(s.serve)
	if err := srv.Start(); err != nil {
		t.Fatalf("testutil: %v", err)
	}
	s.URL = srv.URL
	s.Client = srv.Client()
	s.seed = s3.New(s.Client.Options(), func(o *s3.Options) {
		o.APIOptions = append(slices.Clip(o.APIOptions), smithyhttp.AddHeaderValue(seedHeader, "1"))
	})
	return s
}

// NewS3Client returns a client for an S3-compatible endpoint with static
// test credentials.
func NewS3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("test", "test", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// Put stores an object. Its request is not counted, denied or wrapped.
func (s *S3) Put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	_, err := s.seed.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("testutil: put s3://%s/%s: %v", bucket, key, err)
	}
}

// PutObject stores an object; it satisfies the small Put interfaces of
// generators (curtest's S3 sink). Unlike Put, it goes through the counting
// and the wrapper like any request.
func (s *S3) PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return s.Client.PutObject(ctx, in, optFns...)
}

// Deny makes every request whose object key or list prefix starts with
// keyPrefix (in any bucket) fail with 403 AccessDenied, as S3 answers a
// principal without s3:GetObject or s3:ListBucket.
func (s *S3) Deny(keyPrefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = append(s.deny, keyPrefix)
}

// Wrap puts a handler (a fault injector) in front of the server.
func (s *S3) Wrap(fn func(http.Handler) http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wrap = fn
}

// Requests returns how many requests of each operation the server has
// answered ("ListObjectsV2", "GetObject", "HeadObject", "PutObject", …).
func (s *S3) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// ResetRequests sets the counts back to zero.
func (s *S3) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
}

// Total returns the number of requests answered, of every operation.
func (s *S3) Total() int {
	n := 0
	for _, v := range s.Requests() {
		n += v
	}
	return n
}

func operation(r *http.Request) (op, key string) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	if len(parts) == 2 {
		key = parts[1]
	}
	switch {
	case r.Method == http.MethodGet && key == "" && r.URL.Query().Get("list-type") == "2":
		return "ListObjectsV2", r.URL.Query().Get("prefix")
	case r.Method == http.MethodGet && key == "":
		return "ListObjects", r.URL.Query().Get("prefix")
	case r.Method == http.MethodGet:
		return "GetObject", key
	case r.Method == http.MethodHead && key != "":
		return "HeadObject", key
	case r.Method == http.MethodPut && key != "":
		return "PutObject", key
	}
	return r.Method, key
}

func (s *S3) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(seedHeader) != "" {
		s.handler.ServeHTTP(w, r)
		return
	}
	op, key := operation(r)
	s.mu.Lock()
	s.counts[op]++
	denied := false
	for _, p := range s.deny {
		if strings.HasPrefix(key, p) && (op == "GetObject" || op == "HeadObject" || op == "ListObjectsV2" || op == "ListObjects") {
			denied = true
		}
	}
	h := s.handler
	if s.wrap != nil {
		h = s.wrap(h)
	}
	s.mu.Unlock()
	if denied {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("x-amz-request-id", "DENIED0001")
		w.WriteHeader(http.StatusForbidden)
		if r.Method != http.MethodHead {
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>DENIED0001</RequestId></Error>`)
		}
		return
	}
	h.ServeHTTP(w, r)
}
