package faults

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
)

const bucket = "bkt"

var payload = bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB

func setup(t *testing.T, rules ...Rule) (*s3.Client, *Handler, *s3mem.Backend, string) {
	t.Helper()
	be := s3mem.New()
	require.NoError(t, be.CreateBucket(bucket))
	_, err := be.PutObject(bucket, "k", map[string]string{}, bytes.NewReader(payload), int64(len(payload)), nil)
	require.NoError(t, err)
	h := New(gofakes3.New(be).Server(), 42, rules...)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := newClient(srv.URL)
	return c, h, be, srv.URL
}

func newClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("k", "s", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

func get(ctx context.Context, c *s3.Client, optFns ...func(*s3.GetObjectInput)) ([]byte, *s3.GetObjectOutput, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")}
	for _, fn := range optFns {
		fn(in)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return b, out, err
}

func TestSlowDownIsRetriedBySDK(t *testing.T) {
	c, h, _, _ := setup(t, Rule{Kind: SlowDown, Times: 2})
	b, _, err := get(t.Context(), c)
	require.NoError(t, err)
	assert.Equal(t, payload, b)
	assert.Len(t, h.Events(), 2)
}

func TestInternalErrorSurfacesWhenRetriesRunOut(t *testing.T) {
	c, h, _, _ := setup(t, Rule{Kind: InternalError, Times: 10})
	_, _, err := get(t.Context(), c, func(*s3.GetObjectInput) {})
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "InternalError", ae.ErrorCode())
	assert.Len(t, h.Events(), 3, "the SDK's default retryer makes 3 attempts")
}

func TestResetAfterCutsTheBody(t *testing.T) {
	c, h, _, _ := setup(t, Rule{Kind: ResetAfter, AfterBytes: 1000})
	b, _, err := get(t.Context(), c)
	require.Error(t, err, "a reset mid-body must be an error, not a short read")
	assert.NotErrorIs(t, err, io.EOF)
	assert.LessOrEqual(t, len(b), 1000)
	ev := h.Events()
	require.Len(t, ev, 1)
	assert.Equal(t, int64(1000), ev[0].Offset)
}

func TestRandomOffsetIsSeeded(t *testing.T) {
	offsets := func() int64 {
		c, h, _, _ := setup(t, Rule{Kind: ResetAfter, AfterBytes: -1})
		_, _, err := get(t.Context(), c)
		require.Error(t, err)
		return h.Events()[0].Offset
	}
	a, b := offsets(), offsets()
	assert.Equal(t, a, b)
	assert.Less(t, a, int64(len(payload)))
}

func TestTruncateServesACleanShortBody(t *testing.T) {
	c, _, _, _ := setup(t, Rule{Kind: Truncate, AfterBytes: 777})
	b, out, err := get(t.Context(), c)
	require.NoError(t, err)
	assert.Equal(t, payload[:777], b)
	assert.Equal(t, int64(777), aws.ToInt64(out.ContentLength))
}

func TestChangeObjectThenIfMatchFails(t *testing.T) {
	c, h, be, _ := setup(t, Rule{Kind: ChangeObject, AfterBytes: 4096})
	h.OnChange = func(r *http.Request) {
		_, err := be.PutObject(bucket, "k", map[string]string{}, strings.NewReader("new version"), 11, nil)
		assert.NoError(t, err)
	}
	ctx := t.Context()
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	require.NoError(t, err)
	etag := aws.ToString(head.ETag)

	b, _, err := get(ctx, c)
	require.Error(t, err)
	require.LessOrEqual(t, len(b), 4096)

	// Resuming from where the body broke, pinned to the old ETag, is refused.
	_, _, err = get(ctx, c, func(in *s3.GetObjectInput) {
		in.Range = aws.String("bytes=4096-")
		in.IfMatch = aws.String(etag)
	})
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, "PreconditionFailed", ae.ErrorCode())
}

func TestIfMatchPassesWhenUnchanged(t *testing.T) {
	c, _, _, _ := setup(t)
	ctx := t.Context()
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	require.NoError(t, err)
	b, _, err := get(ctx, c, func(in *s3.GetObjectInput) {
		in.Range = aws.String("bytes=100-199")
		in.IfMatch = head.ETag
	})
	require.NoError(t, err)
	assert.Equal(t, payload[100:200], b)
}

func TestStallHonoursClientDeadline(t *testing.T) {
	c, h, _, _ := setup(t, Rule{Kind: Stall, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, _, err := get(ctx, c)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, h.Events(), 1)
}

func TestProxyResetsConnections(t *testing.T) {
	_, _, _, url := setup(t)
	target := strings.TrimPrefix(url, "http://")
	p, err := NewProxy(target, 7, 1, 1.0, 20000)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	c := newClient("http://" + p.Addr)

	_, _, err = get(t.Context(), c)
	require.Error(t, err, "the first connection is cut")
	require.Len(t, p.Events(), 1)

	b, _, err := get(t.Context(), c)
	require.NoError(t, err, "the budget is spent: later connections pass")
	assert.Equal(t, payload, b)
}
