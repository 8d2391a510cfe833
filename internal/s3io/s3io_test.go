package s3io

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/internal/awserr"
	"github.com/curconnect/curconnect/internal/csvsplit"
)

const bucket = "billing"

// faultServer is gofakes3 behind a handler that injects faults into object
// GETs: bodies cut after N bytes (the connection is dropped, so the client
// sees a short body), 503 SlowDown answers, and AWS's If-Match check on
// GET (which gofakes3 implements only for PUT).
type faultServer struct {
	t      *testing.T
	inner  http.Handler
	client *s3.Client

	mu             sync.Mutex
	cuts           []int // per successive object GET: cut after this many body bytes (<0: no cut)
	slowDowns      int   // answer the next object GETs with 503 SlowDown
	enforceIfMatch bool
	gets           []*http.Request
	heads          int
}

func newFaultServer(t *testing.T) *faultServer {
	t.Helper()
	fs := &faultServer{t: t, inner: gofakes3.New(s3mem.New()).Server()}
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:                 srv.Client(),
		Retryer:                    func() aws.Retryer { return aws.NopRetryer{} }, // our retries are under test
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	fs.client = s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	_, err := fs.client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	return fs
}

func (fs *faultServer) put(key string, data []byte) {
	fs.t.Helper()
	_, err := fs.client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	require.NoError(fs.t, err)
}

const slowDownXML = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>REQ503</RequestId></Error>`
const preconditionXML = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-Match</Condition><RequestId>REQ412</RequestId></Error>`

func (fs *faultServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	isObject := strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1
	if r.Method == http.MethodHead && isObject {
		fs.mu.Lock()
		fs.heads++
		fs.mu.Unlock()
	}
	if r.Method != http.MethodGet || !isObject {
		fs.inner.ServeHTTP(w, r)
		return
	}
	fs.mu.Lock()
	fs.gets = append(fs.gets, r.Clone(context.Background()))
	slow := fs.slowDowns > 0
	cut := -1
	if slow {
		fs.slowDowns--
	} else if len(fs.cuts) > 0 {
		cut, fs.cuts = fs.cuts[0], fs.cuts[1:]
	}
	enforce := fs.enforceIfMatch
	fs.mu.Unlock()

	if slow {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, slowDownXML)
		return
	}
	if im := r.Header.Get("If-Match"); enforce && im != "" {
		head := httptest.NewRecorder()
		hr := r.Clone(r.Context())
		hr.Method = http.MethodHead
		hr.Header.Del("Range")
		fs.inner.ServeHTTP(head, hr)
		if head.Header().Get("ETag") != im {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusPreconditionFailed)
			io.WriteString(w, preconditionXML)
			return
		}
	}
	if cut >= 0 {
		w = &cutWriter{ResponseWriter: w, left: cut}
	}
	fs.inner.ServeHTTP(w, r)
}

func (fs *faultServer) setCuts(cuts ...int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.cuts = cuts
}

func (fs *faultServer) requests() []*http.Request {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]*http.Request(nil), fs.gets...)
}

// cutWriter writes at most left body bytes, then drops the connection.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) <= c.left {
		c.left -= len(p)
		return c.ResponseWriter.Write(p)
	}
	n, _ := c.ResponseWriter.Write(p[:c.left])
	c.left = 0
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	_ = n
	panic(http.ErrAbortHandler) // net/http closes the connection: a short body
}

func testData(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

func fast(o *Options) {
	o.MinBackoff = time.Millisecond
	o.MaxBackoff = 2 * time.Millisecond
}

func TestReaderWhole(t *testing.T) {
	fs := newFaultServer(t)
	data := testData(300 << 10)
	fs.put("a/file.csv.gz", data)
	r, err := NewReader(t.Context(), fs.client, bucket, "a/file.csv.gz", fast)
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, int64(len(data)), r.Size())
	assert.NotEmpty(t, r.ETag())
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	assert.Equal(t, int64(len(data)), r.Offset())
	assert.Len(t, fs.requests(), 1)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "idempotent")
}

func TestReaderResumesCutBodies(t *testing.T) {
	fs := newFaultServer(t)
	fs.enforceIfMatch = true
	data := testData(512 << 10)
	fs.put("k", data)
	rng := rand.New(rand.NewPCG(1, 1))
	cuts := []int{0, 1}
	for range 8 {
		cuts = append(cuts, rng.IntN(80<<10))
	}
	fs.setCuts(cuts...)
	r, err := NewReader(t.Context(), fs.client, bucket, "k", fast)
	require.NoError(t, err)
	got, err := io.ReadAll(iotestHalf(r))
	require.NoError(t, err)
	require.Equal(t, data, got, "exact bytes despite %d cut bodies", len(cuts))

	reqs := fs.requests()
	require.Greater(t, len(reqs), len(cuts))
	assert.Empty(t, reqs[0].Header.Get("Range"), "first GET is whole")
	off := 0
	for i, c := range cuts {
		off += c
		next := reqs[i+1]
		assert.Equal(t, fmt.Sprintf("bytes=%d-", off), next.Header.Get("Range"), "resume %d", i)
		assert.Equal(t, r.ETag(), next.Header.Get("If-Match"))
	}
}

// iotestHalf reads with half-size buffers, like iotest.HalfReader.
func iotestHalf(r io.Reader) io.Reader { return &halfReader{r} }

type halfReader struct{ r io.Reader }

func (h *halfReader) Read(p []byte) (int, error) { return h.r.Read(p[:(len(p)+1)/2]) }

func TestReaderSlowDown(t *testing.T) {
	fs := newFaultServer(t)
	data := testData(100 << 10)
	fs.put("k", data)
	fs.slowDowns = 2 // the first GET is throttled twice
	fs.setCuts(1000) // then its body breaks
	r, err := NewReader(t.Context(), fs.client, bucket, "k", fast)
	require.NoError(t, err)
	fs.mu.Lock()
	fs.slowDowns = 3 // and the resume is throttled three times
	fs.mu.Unlock()
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	reqs := fs.requests()
	require.Len(t, reqs, 7)
	assert.Equal(t, "bytes=1000-", reqs[6].Header.Get("Range"))
}

func TestReaderGivesUp(t *testing.T) {
	fs := newFaultServer(t)
	fs.put("k", testData(10<<10))
	fs.slowDowns = 100
	_, err := NewReader(t.Context(), fs.client, bucket, "k", fast, func(o *Options) { o.MaxRetries = 3 })
	require.ErrorIs(t, err, awserr.ErrThrottled)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "k", e.Key)
	assert.Equal(t, bucket, e.Bucket)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "SlowDown", ae.ErrorCode())
	assert.Len(t, fs.requests(), 4, "one attempt and three retries")

	// Mid-stream: bodies that keep breaking without progress.
	fs.mu.Lock()
	fs.slowDowns = 0
	fs.mu.Unlock()
	fs.setCuts(100, 0, 0, 0, 0, 0, 0)
	r, err := NewReader(t.Context(), fs.client, bucket, "k", fast, func(o *Options) { o.MaxRetries = 2 })
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, int64(100), e.Offset)
	assert.Len(t, got, 100, "the bytes before the break were delivered, and then an error — never EOF")
}

func TestReaderObjectChanged(t *testing.T) {
	for _, enforce := range []bool{true, false} {
		t.Run(fmt.Sprintf("ifMatchEnforced=%v", enforce), func(t *testing.T) {
			fs := newFaultServer(t)
			fs.enforceIfMatch = enforce
			fs.put("k", testData(64<<10))
			fs.setCuts(4096)
			r, err := NewReader(t.Context(), fs.client, bucket, "k", fast)
			require.NoError(t, err)
			buf := make([]byte, 4096)
			_, err = io.ReadFull(r, buf)
			require.NoError(t, err)
			fs.put("k", append(testData(64<<10), 'x')) // replaced while we read
			_, err = io.ReadAll(r)
			require.ErrorIs(t, err, ErrObjectChanged)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, int64(4096), e.Offset)
			if enforce {
				var ae smithy.APIError
				require.ErrorAs(t, err, &ae, "the AWS cause stays reachable")
				assert.Equal(t, "PreconditionFailed", ae.ErrorCode())
			}
		})
	}
}

func TestReaderNotFound(t *testing.T) {
	fs := newFaultServer(t)
	_, err := NewReader(t.Context(), fs.client, bucket, "missing", fast)
	require.ErrorIs(t, err, awserr.ErrNotFound)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "missing", e.Key)
	assert.Len(t, fs.requests(), 1, "not retried")
}

func TestReaderCanceled(t *testing.T) {
	fs := newFaultServer(t)
	fs.put("k", testData(1000))
	fs.slowDowns = 100
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := NewReader(ctx, fs.client, bucket, "k", func(o *Options) { o.MaxRetries = 1000; o.MinBackoff = 5 * time.Millisecond })
	require.ErrorIs(t, err, context.Canceled)
}

func TestReaderClose(t *testing.T) {
	fs := newFaultServer(t)
	fs.put("k", testData(200<<10))
	r, err := NewReader(t.Context(), fs.client, bucket, "k", fast)
	require.NoError(t, err)
	_, err = r.Read(make([]byte, 10))
	require.NoError(t, err)
	require.NoError(t, r.Close())
	_, err = r.Read(make([]byte, 10))
	require.ErrorIs(t, err, errClosed)
}

func TestReaderAt(t *testing.T) {
	fs := newFaultServer(t)
	fs.enforceIfMatch = true
	data := testData(200 << 10)
	fs.put("p.parquet", data)
	ra, err := NewReaderAt(t.Context(), fs.client, bucket, "p.parquet", -1, fast)
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), ra.Size())
	assert.Equal(t, 1, fs.heads, "size from HeadObject")

	tests := []struct {
		off, n  int
		wantN   int
		wantEOF bool
	}{
		{0, 100, 100, false},
		{len(data) - 8, 8, 8, false}, // a Parquet footer
		{1000, 50000, 50000, false},
		{len(data) - 10, 20, 10, true},
		{len(data), 5, 0, true},
		{len(data) + 5, 5, 0, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d+%d", tc.off, tc.n), func(t *testing.T) {
			p := make([]byte, tc.n)
			n, err := ra.ReadAt(p, int64(tc.off))
			assert.Equal(t, tc.wantN, n)
			if tc.wantEOF {
				require.ErrorIs(t, err, io.EOF)
			} else {
				require.NoError(t, err)
			}
			if n > 0 {
				assert.Equal(t, data[tc.off:tc.off+n], p[:n])
			}
		})
	}
	for _, r := range fs.requests() {
		assert.Equal(t, ra.ETag(), r.Header.Get("If-Match"))
		assert.True(t, strings.HasPrefix(r.Header.Get("Range"), "bytes="))
	}

	// Cut bodies inside a range are resumed; concurrent reads are safe.
	fs.setCuts(10, 0, 3000, 1)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			off := i * 20000
			p := make([]byte, 15000)
			n, err := ra.ReadAt(p, int64(off))
			assert.NoError(t, err)
			assert.Equal(t, data[off:off+n], p[:n])
		}()
	}
	wg.Wait()

	// The object changes: the pinned ETag no longer matches.
	fs.put("p.parquet", testData(10))
	_, err = ra.ReadAt(make([]byte, 10), 0)
	require.ErrorIs(t, err, ErrObjectChanged)
}

func TestReaderAtKnownSizeNoHead(t *testing.T) {
	fs := newFaultServer(t)
	data := testData(5000)
	fs.put("k", data)
	ra, err := NewReaderAt(t.Context(), fs.client, bucket, "k", int64(len(data)), fast)
	require.NoError(t, err)
	p := make([]byte, 100)
	_, err = ra.ReadAt(p, 10)
	require.NoError(t, err)
	assert.Equal(t, data[10:110], p)
	assert.Zero(t, fs.heads)
	assert.NotEmpty(t, ra.ETag(), "pinned by the first answer")
	// A wrong size is a changed object, not a silent short read.
	ra, err = NewReaderAt(t.Context(), fs.client, bucket, "k", int64(len(data))+1, fast)
	require.NoError(t, err)
	_, err = ra.ReadAt(p, 0)
	require.ErrorIs(t, err, ErrObjectChanged)

	_, err = NewReaderAt(t.Context(), fs.client, bucket, "missing", -1, fast)
	require.ErrorIs(t, err, awserr.ErrNotFound)
}

// TestZipOverReaderAt reads a zipped CSV report straight from S3.
func TestZipOverReaderAt(t *testing.T) {
	fs := newFaultServer(t)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range []struct{ name, body string }{{"r-1.csv", "a,b\n1,2\n"}, {"r-2.csv", "a,b\n3,\"4,5\"\n"}} {
		w, err := zw.Create(m.name)
		require.NoError(t, err)
		_, err = io.WriteString(w, m.body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	fs.put("r.csv.zip", buf.Bytes())
	ra, err := NewReaderAt(t.Context(), fs.client, bucket, "r.csv.zip", -1, fast)
	require.NoError(t, err)
	members, err := csvsplit.ZipMembers(ra, ra.Size())
	require.NoError(t, err)
	require.Len(t, members, 2)
	var fields []string
	for _, m := range members {
		rc, err := m.Open()
		require.NoError(t, err)
		cr := csvsplit.NewReader(rc, nil)
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			for _, f := range rec {
				fields = append(fields, string(f))
			}
		}
		rc.Close()
	}
	assert.Equal(t, []string{"a", "b", "1", "2", "a", "b", "3", "4,5"}, fields)
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in           string
		start, total int64
		ok           bool
	}{
		{"bytes 0-9/100", 0, 100, true},
		{"bytes 10-/100", 10, 100, true},
		{"bytes 5-9/*", 5, -1, true},
		{"", 0, 0, false},
		{"bytes x-9/100", 0, 0, false},
		{"bytes 1-2", 0, 0, false},
		{"bytes 1-2/y", 0, 0, false},
	}
	for _, tc := range tests {
		s, tot, ok := parseContentRange(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		if ok {
			assert.Equal(t, tc.start, s, tc.in)
			assert.Equal(t, tc.total, tot, tc.in)
		}
	}
}
