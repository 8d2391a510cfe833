package soak

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/faults"
	"github.com/curconnect/curconnect/internal/s3io"
	"github.com/curconnect/curconnect/internal/testutil"
)

const bucket = "soak-billing"

// spec is a multi-file legacy CUR delivery (gzip CSV).
func spec(seed uint64) curtest.Spec {
	return curtest.Spec{
		Kind: curtest.LegacyCUR, Name: "soak", Bucket: bucket, Prefix: "cur",
		Format: curtest.CSVGzip, Files: 6, Rows: 1500, Seed: seed, Start: "2024-03",
	}
}

// outcome is one read of a delivery.
type outcome struct {
	rows  int64
	total decimal.Decimal
	err   error
}

// readAll reads every row of d and sums the cost column.
func readAll(ctx context.Context, client curreader.S3API, d *curreader.Delivery, costCol string) outcome {
	var o outcome
	r := curreader.New(client, d.Bucket, func(o *curreader.Options) {
		o.MinBackoff, o.MaxBackoff = time.Millisecond, 20*time.Millisecond
		o.MaxRetries = 8
	})
	rd, err := r.Open(ctx, d)
	if err != nil {
		o.err = err
		return o
	}
	defer rd.Close()
	for rd.Next() {
		v, ok, err := rd.Row().Decimal(costCol)
		if err != nil {
			o.err = err
			return o
		}
		if ok {
			o.total = o.total.Add(v)
		}
		o.rows++
	}
	o.err = rd.Err()
	return o
}

// check asserts the soak invariant for one read: the exact total, or a
// typed error naming one of the delivery's files — never a short total
// without an error. It reports whether the read survived.
func check(t *testing.T, o outcome, truth *curtest.Delivery, d *curreader.Delivery) bool {
	t.Helper()
	want, err := decimal.Parse(truth.Total)
	require.NoError(t, err)
	if o.err == nil {
		require.Equal(t, truth.Rows, o.rows, "a clean end must have every row")
		require.Equal(t, want.String(), o.total.String(), "a clean end must have the exact total")
		return true
	}
	var fe *curreader.FileError
	require.True(t, errors.As(o.err, &fe), "an error must be a *FileError naming the file, got %T: %v", o.err, o.err)
	keys := make([]string, len(d.Files))
	for i, f := range d.Files {
		keys[i] = f.Key
	}
	require.Contains(t, keys, fe.File, "the error names a data file of the delivery")
	require.Contains(t, o.err.Error(), fe.File)
	assert.Less(t, o.rows, truth.Rows, "an error ends the read early")
	return false
}

// stats are the numbers a soak run reports.
type stats struct {
	runs, faulted, survived, typed int
	injected                       int
	rowsUnderFaults                int64
	byKind                         map[string]int
}

func (s *stats) log(t *testing.T, name string) {
	t.Logf("%s: %d runs, %d with faults; %d faults injected %v; %d runs survived with exact totals (%d under faults), %d ended in typed file errors; %d rows read under faults",
		name, s.runs, s.faulted, s.injected, s.byKind, s.survived, s.survived-(s.runs-s.faulted), s.typed, s.rowsUnderFaults)
}

// TestSoakGofakes3 generates a delivery on gofakes3, then reads it again
// and again through faults.Handler with every kind of fault at seeded
// random offsets: 503 SlowDown, 500, connections reset mid-body, stalls,
// the object replaced mid-read, and bodies truncated with a clean
// Content-Length.
func TestSoakGofakes3(t *testing.T) {
	runs := 16
	if testing.Short() {
		runs = 6
	}
	ctx := t.Context()
	s := testutil.NewS3(t, bucket)
	res, err := curtest.Generate(ctx, curtest.S3Sink{Client: s.Client, Bucket: bucket}, spec(7))
	require.NoError(t, err)
	truth := res.Current("2024-03")
	require.NotNil(t, truth)
	require.Greater(t, len(truth.DataKeys), 1)

	r := curreader.New(s.Client, bucket)
	rep, err := r.Find(ctx, "cur", "soak")
	require.NoError(t, err)
	d, err := r.Resolve(ctx, rep, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)

	// Keep the data files, to put back what a ChangeObject fault replaces
	// (same bytes, same ETag: the resolved delivery stays valid).
	original := map[string][]byte{}
	for _, f := range d.Files {
		out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(f.Key)})
		require.NoError(t, err)
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		require.NoError(t, err)
		original[f.Key] = b
	}

	// A clean read first: the ground truth holds without faults.
	require.True(t, check(t, readAll(ctx, s.Client, d, truth.CostColumn), truth, d))

	st := stats{byKind: map[string]int{}}
	for i := range runs {
		seed := uint64(1000 + i)
		// Half the runs may replace or truncate an object, ending in a
		// typed error; the other half only have faults a resumable reader
		// must survive.
		rules := []faults.Rule{
			{Kind: faults.SlowDown, PathContains: "/cur/soak/", Probability: 0.15, Times: 3},
			{Kind: faults.InternalError, PathContains: "/cur/soak/", Probability: 0.15, Times: 3},
			{Kind: faults.ResetAfter, PathContains: ".csv.gz", AfterBytes: -1, Probability: 0.3, Times: 4},
			{Kind: faults.Stall, PathContains: ".csv.gz", Delay: 30 * time.Millisecond, Probability: 0.1, Times: 2},
		}
		if i%2 == 1 {
			rules = append(rules,
				faults.Rule{Kind: faults.ChangeObject, PathContains: ".csv.gz", AfterBytes: -1, Probability: 0.1, Times: 1},
				faults.Rule{Kind: faults.Truncate, PathContains: ".csv.gz", AfterBytes: -1, Probability: 0.1, Times: 1},
			)
		}
		var inner atomic.Pointer[http.Handler]
		fh := faults.New(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			(*inner.Load()).ServeHTTP(w, req)
		}), seed, rules...)
		var changed atomic.Int32
		fh.OnChange = func(req *http.Request) {
			key := strings.TrimPrefix(req.URL.Path, "/"+bucket+"/")
			changed.Add(1)
			// Another delivery overwrites the file mid-read.
			_, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("replaced"),
			})
			assert.NoError(t, err)
		}
		s.Wrap(func(next http.Handler) http.Handler { inner.Store(&next); return fh })

		o := readAll(ctx, s.Client, d, truth.CostColumn)
		s.Wrap(nil)
		ev := fh.Events()
		survived := check(t, o, truth, d)

		st.runs++
		st.injected += len(ev)
		for _, e := range ev {
			st.byKind[e.Kind.String()]++
		}
		if len(ev) > 0 {
			st.faulted++
			st.rowsUnderFaults += o.rows
		}
		if survived {
			st.survived++
		} else {
			st.typed++
			t.Logf("seed %d: %v (faults %v)", seed, o.err, ev)
		}
		// A run without object replacement or truncation must survive.
		hard := false
		for _, e := range ev {
			hard = hard || e.Kind == faults.ChangeObject || e.Kind == faults.Truncate
		}
		if !hard {
			assert.True(t, survived, "seed %d: only retryable faults %v, yet %v", seed, ev, o.err)
		}
		if !survived && changed.Load() > 0 && !errors.Is(o.err, io.ErrUnexpectedEOF) {
			assert.ErrorIs(t, o.err, s3io.ErrObjectChanged, "seed %d: a replaced object is reported as changed", seed)
		}
		// Put back what ChangeObject replaced, for the next run.
		if changed.Load() > 0 {
			for k, b := range original {
				_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(b)})
				require.NoError(t, err)
			}
		}
	}
	st.log(t, "gofakes3")
	assert.Positive(t, st.injected, "faults were injected")
	assert.Positive(t, st.survived-(st.runs-st.faulted), "some runs survived faults")
}

// TestSoakVersity reads a delivery from versitygw — a real S3 server that
// checks signatures — through a TCP proxy that resets connections after a
// random number of response bytes.
func TestSoakVersity(t *testing.T) {
	v := testutil.StartVersity(t)
	ctx := t.Context()
	direct := v.S3("")
	_, err := direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	res, err := curtest.Generate(ctx, curtest.S3Sink{Client: direct, Bucket: bucket}, spec(11))
	require.NoError(t, err)
	truth := res.Current("2024-03")
	require.NotNil(t, truth)

	runs := 8
	if testing.Short() {
		runs = 3
	}
	st := stats{byKind: map[string]int{}}
	for i := range runs {
		p, err := faults.NewProxy(v.Addr, uint64(500+i), 6, 0.5, 40_000)
		require.NoError(t, err)
		client := v.S3("http://" + p.Addr)
		r := curreader.New(client, bucket)
		var o outcome
		rep, err := r.Find(ctx, "cur", "soak")
		if err == nil {
			var d *curreader.Delivery
			d, err = r.Resolve(ctx, rep, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
			if err == nil {
				o = readAll(ctx, client, d, truth.CostColumn)
				// Connection resets are retryable: every read must survive.
				require.True(t, check(t, o, truth, d), "seed %d: %v", 500+i, o.err)
			}
		}
		require.NoError(t, p.Close())
		ev := p.Events()
		if err != nil {
			// The SDK retries listing and manifest GETs itself; a failure
			// here must still be a typed, classified error.
			t.Logf("seed %d: resolve failed under %d resets: %v", 500+i, len(ev), err)
			assert.True(t, errors.Is(err, curerr.ErrMalformed) || errors.Is(err, curerr.ErrNotFound) ||
				strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF"), "%v", err)
			continue
		}
		st.runs++
		st.injected += len(ev)
		st.byKind["reset"] += len(ev)
		if len(ev) > 0 {
			st.faulted++
			st.rowsUnderFaults += o.rows
		}
		st.survived++
	}
	st.log(t, "versitygw")
	assert.Positive(t, st.injected, "connections were reset")
	require.Positive(t, st.runs)
}
