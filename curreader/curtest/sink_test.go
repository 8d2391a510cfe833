package curtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mixedSpecs = []Spec{
	{Kind: LegacyCUR, Name: "legacy", Prefix: "billing", Versions: 2, Files: 2, Rows: 5, Redshift: true, AccessTestObject: true},
	{Kind: LegacyCUR, Name: "athena", Prefix: "billing", Format: Parquet, Athena: true, Versioning: Overwrite, Rows: 5},
	{Kind: CUR2, Name: "cur2", Prefix: "billing", Format: Parquet, Versioning: Overwrite, Versions: 2, ShrinkBy: 1, Rows: 5},
	{Kind: FOCUS10, Name: "focus", Prefix: "billing", Rows: 5},
}

// generateAll writes mixedSpecs to a sink and returns every key and body
// from a MapSink run, the reference.
func generateAll(t *testing.T, sink Sink) []string {
	t.Helper()
	var keys []string
	for _, s := range mixedSpecs {
		res, err := Generate(t.Context(), sink, s)
		require.NoError(t, err)
		keys = append(keys, res.Keys...)
	}
	sort.Strings(keys)
	return keys
}

func TestDirSinkMirrorsTheBucket(t *testing.T) {
	ref := NewMapSink()
	keys := generateAll(t, ref)
	assert.Equal(t, keys, ref.Keys(), "several reports share one sink")

	root := t.TempDir()
	require.Equal(t, keys, generateAll(t, DirSink{Root: root}))
	var got []string
	err := fs.WalkDir(os.DirFS(root), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		got = append(got, path)
		b, err := fs.ReadFile(os.DirFS(root), path)
		require.NoError(t, err)
		assert.Equal(t, mustGet(t, ref, path), b, "body of %s", path)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, keys, got, "no temporary files left, nothing else written")
}

func TestDirSinkRejectsKeysWithoutAPath(t *testing.T) {
	d := DirSink{Root: t.TempDir()}
	for _, key := range []string{"cost//e/data/x", "/lead", "a/../b", "a/./b", `a\b`, "", "trailing/"} {
		err := d.Put(t.Context(), key, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err })
		assert.Error(t, err, key)
	}
	_, err := Generate(t.Context(), d, Spec{Kind: CUR2, Name: "e", Prefix: "cost/"})
	assert.Error(t, err, "a prefix ending in / needs a sink that keeps //")
}

func TestDirSinkDiscardsFailedWrites(t *testing.T) {
	root := t.TempDir()
	boom := errors.New("boom")
	err := DirSink{Root: root}.Put(t.Context(), "a/b", func(w io.Writer) error {
		_, _ = w.Write([]byte("partial"))
		return boom
	})
	require.ErrorIs(t, err, boom)
	entries, err := os.ReadDir(root + "/a")
	require.NoError(t, err)
	assert.Empty(t, entries, "no partial object, no temporary file")
}

func TestS3Sink(t *testing.T) {
	const bucket = "billing-bucket"
	srv := newTestServer(t, bucket)
	ref := NewMapSink()
	keys := generateAll(t, ref)
	// a tiny spool limit sends every body through a temporary file
	for _, limit := range []int64{0, 10} {
		sink := S3Sink{Client: srv.Client(), Bucket: bucket, SpoolLimit: limit, TempDir: t.TempDir()}
		require.Equal(t, keys, generateAll(t, sink))
		var listed []string
		p := s3.NewListObjectsV2Paginator(srv.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			require.NoError(t, err)
			for _, o := range page.Contents {
				listed = append(listed, aws.ToString(o.Key))
			}
		}
		assert.Equal(t, keys, listed)
		for _, k := range []string{keys[0], keys[len(keys)-1]} {
			out, err := srv.Client().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
			require.NoError(t, err)
			b, err := io.ReadAll(out.Body)
			out.Body.Close()
			require.NoError(t, err)
			assert.Equal(t, mustGet(t, ref, k), b, k)
		}
	}
}

func TestS3SinkKeepsDoubleSlashes(t *testing.T) {
	srv := newTestServer(t, "bkt")
	res, err := Generate(t.Context(), S3Sink{Client: srv.Client(), Bucket: "bkt"}, Spec{Kind: CUR2, Name: "sample-data-export", Prefix: "cost/", Bucket: "bkt", Rows: 2})
	require.NoError(t, err)
	d := res.Current("2024-03")
	require.NotNil(t, d)
	out, err := srv.Client().HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String(d.DataKeys[0])})
	require.NoError(t, err)
	assert.Positive(t, aws.ToInt64(out.ContentLength))
	assert.Contains(t, d.DataKeys[0], "cost//sample-data-export/")
}

func newTestServer(t *testing.T, buckets ...string) *Server {
	t.Helper()
	srv, err := NewServer(buckets...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

type failingPut struct{ err error }

func (f failingPut) PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return nil, f.err
}

func TestSinkErrors(t *testing.T) {
	boom := errors.New("access denied")
	_, err := Generate(t.Context(), S3Sink{Client: failingPut{boom}, Bucket: "b"}, Spec{Kind: LegacyCUR, Name: "r"})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "r/20240301-20240401/")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, sink := range []Sink{NewMapSink(), DirSink{Root: t.TempDir()}, S3Sink{Client: failingPut{boom}, Bucket: "b"}} {
		_, err := Generate(ctx, sink, Spec{Kind: LegacyCUR, Name: "r"})
		require.ErrorIs(t, err, context.Canceled)
	}

	m := NewMapSink()
	require.ErrorIs(t, m.Put(t.Context(), "k", func(io.Writer) error { return boom }), boom)
	_, ok := m.Get("k")
	assert.False(t, ok)
}

func TestMapSinkZeroValue(t *testing.T) {
	var m MapSink
	require.NoError(t, m.Put(t.Context(), "k", func(w io.Writer) error { _, err := w.Write([]byte("v")); return err }))
	b, ok := m.Get("k")
	assert.True(t, ok)
	assert.Equal(t, []byte("v"), b)
	assert.Equal(t, map[string][]byte{"k": []byte("v")}, m.Objects())
	assert.True(t, bytes.Equal(b, []byte("v")))
}
