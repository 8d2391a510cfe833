package curtest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

func newServer(t *testing.T, buckets ...string) *curtest.Server {
	t.Helper()
	srv, err := curtest.NewServer(buckets...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

func put(t *testing.T, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	require.NoError(t, err, key)
}

func TestServerListensOnLoopbackOnly(t *testing.T) {
	srv := newServer(t)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "http", u.Scheme)
	assert.Equal(t, "127.0.0.1", u.Hostname())
	assert.Empty(t, u.Path, "no trailing slash")

	// With no bucket named, the server holds DefaultBucket, where a Spec
	// naming no bucket goes.
	out, err := srv.Client().ListBuckets(t.Context(), &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, out.Buckets, 1)
	assert.Equal(t, curtest.DefaultBucket, aws.ToString(out.Buckets[0].Name))
	assert.Equal(t, "us-east-1", srv.Client().Options().Region)
	loc, err := srv.Client().GetBucketLocation(t.Context(), &s3.GetBucketLocationInput{Bucket: aws.String(curtest.DefaultBucket)})
	require.NoError(t, err)
	assert.Empty(t, loc.LocationConstraint, "S3's answer for us-east-1")
	_, err = srv.Client().HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String(curtest.DefaultBucket)})
	require.NoError(t, err)
}

func TestServerBadInput(t *testing.T) {
	for _, buckets := range [][]string{{"b"}, {"Upper-Case"}, {"has_underscore"}, {"ok-bucket", "ok-bucket"}, {""}} {
		srv, err := curtest.NewServer(buckets...)
		assert.Error(t, err, "%q", buckets)
		assert.Nil(t, srv)
	}

	srv, err := curtest.NewUnstartedServer("billing")
	require.NoError(t, err)
	assert.Empty(t, srv.URL)
	assert.Nil(t, srv.Client(), "no client before Start")
	_, err = srv.Generate(t.Context(), curtest.Spec{Kind: curtest.CUR2, Name: "x", Bucket: "billing"})
	require.Error(t, err, "Generate before Start")
	require.NoError(t, srv.Start())
	require.Error(t, srv.Start(), "started twice")
	srv.Close()
	srv.Close() // idempotent
	require.Error(t, srv.Start(), "started after Close")

	srv, err = curtest.NewUnstartedServer()
	require.NoError(t, err)
	srv.Config.Handler = nil
	require.Error(t, srv.Start(), "no handler")
	srv.Close()

	var zero curtest.Server
	require.Error(t, zero.Start(), "a Server not made by NewUnstartedServer")
	zero.Close()

	srv = newServer(t, "billing")
	_, err = srv.Generate(t.Context(), curtest.Spec{Kind: curtest.CUR2, Name: "x", Bucket: "elsewhere"})
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae, "a bucket the server does not hold")
	assert.Equal(t, "NoSuchBucket", ae.ErrorCode())
	_, err = srv.Generate(t.Context(), curtest.Spec{Name: "bad name!"})
	require.Error(t, err)
}

func TestServerClose(t *testing.T) {
	srv, err := curtest.NewServer("billing")
	require.NoError(t, err)
	c := srv.Client()
	put(t, c, "billing", "k", []byte("v"))
	srv.Close()
	_, err = c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("billing"), Key: aws.String("k")})
	require.Error(t, err, "nothing answers after Close")
	var oe *net.OpError
	assert.ErrorAs(t, err, &oe)
}

// listing is what a complete, paged ListObjectsV2 returns.
type listing struct {
	Prefixes, Keys []string
	Pages          int
}

func list(t *testing.T, c *s3.Client, bucket, prefix, delim string, maxKeys int32) listing {
	t.Helper()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(maxKeys)}
	if delim != "" {
		in.Delimiter = aws.String(delim)
	}
	var l listing
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		require.NoError(t, err)
		l.Pages++
		require.Less(t, l.Pages, 1000, "the listing ends")
		for _, cp := range page.CommonPrefixes {
			l.Prefixes = append(l.Prefixes, aws.ToString(cp.Prefix))
		}
		for _, o := range page.Contents {
			l.Keys = append(l.Keys, aws.ToString(o.Key))
		}
	}
	return l
}

// model is what S3 lists: keys under prefix, rolled up at the first
// delimiter after it, in key order.
func model(keys []string, prefix, delim string) listing {
	var l listing
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if i := strings.Index(k[len(prefix):], delim); delim != "" && i >= 0 {
			cp := k[:len(prefix)+i+len(delim)]
			if len(l.Prefixes) == 0 || l.Prefixes[len(l.Prefixes)-1] != cp {
				l.Prefixes = append(l.Prefixes, cp)
			}
			continue
		}
		l.Keys = append(l.Keys, k)
	}
	return l
}

func TestServerListsWithDelimiterAndPages(t *testing.T) {
	srv := newServer(t, "billing")
	c := srv.Client()
	var keys []string
	for _, dir := range []string{"cur/a/", "cur/b/", "cur/c=1/", "cur/d//", "cur/e/f/", "other/"} {
		for i := range 4 {
			keys = append(keys, fmt.Sprintf("%s%02d.csv.gz", dir, i))
		}
	}
	keys = append(keys, "cur/top.json", "cur/zz", "root")
	for _, k := range keys {
		put(t, c, "billing", k, []byte(k))
	}
	slices.Sort(keys)

	for _, tc := range []struct{ prefix, delim string }{
		{"", ""}, {"", "/"}, {"cur/", "/"}, {"cur/", ""}, {"cur/d/", "/"}, {"cur/e/", "/"}, {"cur/c", "="}, {"nothing/", "/"},
	} {
		want := model(keys, tc.prefix, tc.delim)
		for _, maxKeys := range []int32{1, 2, 3, 1000} {
			t.Run(fmt.Sprintf("%q/%q/%d", tc.prefix, tc.delim, maxKeys), func(t *testing.T) {
				got := list(t, c, "billing", tc.prefix, tc.delim, maxKeys)
				assert.Equal(t, want.Prefixes, got.Prefixes, "each common prefix once, in order")
				assert.Equal(t, want.Keys, got.Keys)
				if n := len(want.Prefixes) + len(want.Keys); maxKeys == 1 && n > 1 {
					assert.Equal(t, n, got.Pages, "one entry per page")
				}
			})
		}
	}
}

func TestServerGetRange(t *testing.T) {
	srv := newServer(t, "billing")
	c := srv.Client()
	body := make([]byte, 100)
	for i := range body {
		body[i] = byte('a' + i%26)
	}
	put(t, c, "billing", "f.parquet", body)

	for _, tc := range []struct {
		rng          string
		from, to     int // body[from:to]
		contentRange string
	}{
		{"bytes=10-19", 10, 20, "bytes 10-19/100"},
		{"bytes=0-0", 0, 1, "bytes 0-0/100"},
		{"bytes=90-", 90, 100, "bytes 90-99/100"},
		{"bytes=-8", 92, 100, "bytes 92-99/100"},
		{"bytes=95-500", 95, 100, "bytes 95-99/100"},
	} {
		t.Run(tc.rng, func(t *testing.T) {
			out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("billing"), Key: aws.String("f.parquet"), Range: aws.String(tc.rng)})
			require.NoError(t, err)
			got, err := io.ReadAll(out.Body)
			require.NoError(t, err)
			require.NoError(t, out.Body.Close())
			assert.Equal(t, body[tc.from:tc.to], got)
			assert.Equal(t, int64(tc.to-tc.from), aws.ToInt64(out.ContentLength))
			assert.Equal(t, tc.contentRange, aws.ToString(out.ContentRange))
		})
	}

	_, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("billing"), Key: aws.String("f.parquet"), Range: aws.String("bytes=100-")})
	var re interface{ HTTPStatusCode() int }
	require.ErrorAs(t, err, &re, "a range past the end")
	assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, re.HTTPStatusCode())

	head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("billing"), Key: aws.String("f.parquet")})
	require.NoError(t, err)
	assert.Equal(t, int64(100), aws.ToInt64(head.ContentLength))
	assert.NotEmpty(t, aws.ToString(head.ETag))
}

// TestServerDeliveriesReadExactly generates deliveries of every kind and
// file type into the server and reads them back through curreader: every
// period resolves to the delivery the ground truth calls current, and its
// rows sum exactly to the ground truth's totals.
func TestServerDeliveriesReadExactly(t *testing.T) {
	const bucket = "acme-billing"
	srv := newServer(t, bucket)
	specs := []curtest.Spec{
		{Kind: curtest.LegacyCUR, Name: "legacy-gz", Prefix: "cur", Months: 2, Versions: 2, Files: 2, Restate: true},
		{Kind: curtest.LegacyCUR, Name: "legacy-zip", Prefix: "cur", Format: curtest.CSVZip, Versioning: curtest.Overwrite, Versions: 2, ShrinkBy: 1},
		{Kind: curtest.LegacyCUR, Name: "legacy-athena", Prefix: "cur", Format: curtest.Parquet, Versioning: curtest.Overwrite, Athena: true},
		{Kind: curtest.CUR2, Name: "cur2-parquet", Prefix: "exports/", Format: curtest.Parquet, Files: 2, Incomplete: true},
		{Kind: curtest.FOCUS12, Name: "focus", Prefix: "exports", Versioning: curtest.Overwrite, Months: 2},
	}
	r := curreader.New(srv.Client(), bucket)
	for i, spec := range specs {
		spec.Bucket, spec.Rows, spec.Seed = bucket, 15, uint64(i)
		t.Run(spec.Name, func(t *testing.T) {
			res, err := srv.Generate(t.Context(), spec)
			require.NoError(t, err)
			rep, err := r.Find(t.Context(), spec.Prefix, spec.Name)
			require.NoError(t, err)
			deliveries, err := r.Latest(t.Context(), rep)
			require.NoError(t, err)
			require.Len(t, deliveries, len(res.Periods()))
			for _, d := range deliveries {
				want := res.Current(d.Period.String())
				require.NotNil(t, want, d.Period.String())
				var keys []string
				for _, f := range d.Files {
					keys = append(keys, f.Key)
				}
				assert.Equal(t, want.DataKeys, keys, "exactly the current delivery's files")
				rows, total := sum(t, r, d, want.CostColumn)
				assert.Equal(t, want.Rows, rows)
				assert.True(t, decimal.MustParse(want.Total).Equal(total), "%s: read %s, generated %s", d.Period, total, want.Total)
			}
		})
	}
}

func sum(t *testing.T, r *curreader.Resolver, d *curreader.Delivery, col string) (int64, decimal.Decimal) {
	t.Helper()
	rd, err := r.Open(t.Context(), d)
	require.NoError(t, err)
	defer rd.Close()
	var n int64
	var total decimal.Decimal
	for row, err := range rd.Rows() {
		require.NoError(t, err)
		n++
		v, ok, err := row.Decimal(col)
		require.NoError(t, err)
		if ok {
			total = total.Add(v)
		}
	}
	return n, total
}

// TestServerWrapHandler injects a fault the way an embedder's test would:
// by wrapping Config.Handler before Start.
func TestServerWrapHandler(t *testing.T) {
	srv, err := curtest.NewUnstartedServer("billing")
	require.NoError(t, err)
	defer srv.Close()
	var mu sync.Mutex
	gets := 0
	next := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/data/") {
			mu.Lock()
			gets++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
			return
		}
		next.ServeHTTP(w, r)
	})
	require.NoError(t, srv.Start())

	res, err := srv.Generate(t.Context(), curtest.Spec{Kind: curtest.CUR2, Name: "acme-cur2", Bucket: "billing", Rows: 3})
	require.NoError(t, err, "PUTs pass the wrapper")
	r := curreader.New(srv.Client(), "billing")
	rep, err := r.Find(t.Context(), "", "acme-cur2")
	require.NoError(t, err)
	deliveries, err := r.Latest(t.Context(), rep)
	require.NoError(t, err, "the manifest is not under data/")
	require.Len(t, deliveries, 1)
	d := deliveries[0]
	require.Len(t, d.Files, len(res.Current("2024-03").DataKeys))
	rd, err := r.Open(t.Context(), d)
	if err == nil {
		for _, err = range rd.Rows() {
			if err != nil {
				break
			}
		}
		rd.Close()
	}
	require.ErrorIs(t, err, curerr.ErrAccessDenied)
	mu.Lock()
	assert.Positive(t, gets)
	mu.Unlock()
}

// TestServerConcurrentReads reads one object from many goroutines (run
// with -race).
func TestServerConcurrentReads(t *testing.T) {
	srv := newServer(t, "billing")
	body := bytes.Repeat([]byte("0123456789"), 1000)
	put(t, srv.Client(), "billing", "k", body)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			out, err := srv.Client().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("billing"), Key: aws.String("k")})
			if err != nil {
				errs <- err
				return
			}
			defer out.Body.Close()
			b, err := io.ReadAll(out.Body)
			if err == nil && !bytes.Equal(b, body) {
				err = errors.New("body differs")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
