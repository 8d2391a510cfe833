package curreader

// Manifests built to hurt: references that escape the report, keys that
// look like others, the same file twice, and manifests that are huge,
// endless or nested without end. Each is refused with an error naming the
// manifest, before any data file is read.

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// TestManifestEscapesRefused lists data-file references a hostile or
// broken manifest could hold. Each is refused with ErrManifestEscapes (a
// typed *ManifestError naming the manifest and the reference) before any
// data file is read, on gofakes3 and on a local directory. Cases already in
// TestResolveErrors (other bucket, plain "..", https://, absolute path)
// are not repeated.
func TestManifestEscapesRefused(t *testing.T) {
	mkey := "cur/rep/20240301-20240401/rep-Manifest.json"
	good := "cur/rep/20240301-20240401/asm1/rep-00001.csv.gz"
	cases := []struct {
		name string
		ref  string
	}{
		{"other bucket, same key", "s3://other-bucket/" + good},
		{"other bucket, upper-case scheme", "S3://" + testBucket + "/" + good},
		{"bucket with a different case", "s3://" + strings.ToUpper(testBucket) + "/" + good},
		{"bucket name with a suffix", "s3://" + testBucket + ".evil/" + good},
		{"s3 URI without a key", "s3://" + testBucket},
		{"s3 URI with an empty key", "s3://" + testBucket + "/"},
		{"s3 URI climbing out", "s3://" + testBucket + "/cur/rep/../../private/x.csv.gz"},
		{"file scheme", "file:///etc/passwd"},
		{"http scheme", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
		{"arn", "arn:aws:s3:::other-bucket/" + good},
		{"single-slash scheme", "s3:/other-bucket/" + good},
		{"dot segment", "cur/rep/./../private/x.csv.gz"},
		{"trailing dot-dot", "cur/rep/20240301-20240401/.."},
		{"dot-dot after a double slash", "cur/rep//../../private/x.csv.gz"},
		{"backslash traversal", `cur\rep\..\..\private\x.csv.gz`},
		{"backslash inside the prefix", `cur/rep/20240301-20240401\..\..\..\private.csv.gz`},
		{"NUL byte", "cur/rep/20240301-20240401/asm1/rep-00001.csv.gz\x00.txt"},
		{"newline", "cur/rep/20240301-20240401/asm1/rep\n-00001.csv.gz"},
		{"DEL", "cur/rep/20240301-20240401/asm1/rep\x7f.csv.gz"},
		{"sibling report sharing the name prefix", "cur/rep-other/20240301-20240401/asm1/rep-00001.csv.gz"},
		{"another prefix", "private/cur/rep/x.csv.gz"},
		{"empty reference", ""},
	}
	for _, tc := range cases {
		for _, be := range []backend{
			{"gofakes3", func(t *testing.T, o objects) *Resolver { r, _ := gofakes3Backend(t, o); return r }},
			{"fs", fsBackend},
		} {
			t.Run(tc.name+"/"+be.name, func(t *testing.T) {
				o := objects{}
				o.addLegacy(t, "cur/", "rep", mar, []string{"asm1"}, 1, 1)
				o["cur/rep-other/20240301-20240401/asm1/rep-00001.csv.gz"] = []byte("not this report's")
				o["private/cur/rep/x.csv.gz"] = []byte("private")
				o[mkey] = legacyManifestJSON(t, "rep", "asm1", mar, good, tc.ref)
				r := be.make(t, o)
				rep, err := r.Find(t.Context(), "cur", "rep")
				require.NoError(t, err)
				d, err := r.Resolve(t.Context(), rep, mar)
				require.Error(t, err, "resolved %+v", d)
				var me *ManifestError
				require.ErrorAs(t, err, &me)
				require.ErrorIs(t, err, curerr.ErrMalformed, "every refusal is a malformed-manifest category")
				assert.Equal(t, mkey, me.Key, "the error names the manifest")
				if tc.ref == "" {
					// An empty reference names no key at all.
					assert.True(t, errors.Is(me, ErrManifestEscapes) || errors.Is(me, ErrMalformedManifest), "kind of %v", me)
					return
				}
				require.ErrorIs(t, err, ErrManifestEscapes)
				assert.Equal(t, tc.ref, me.File, "the error names the reference")
			})
		}
	}
}

// TestManifestPercentEncodedDotDot: S3 keys are literal, so "%2e%2e" is
// two percent signs and letters, not a parent directory. A manifest
// listing such a key stays inside the report's prefix; as no such object
// was delivered it is refused as missing, never resolved elsewhere.
func TestManifestPercentEncodedDotDot(t *testing.T) {
	mkey := "cur/rep/20240301-20240401/rep-Manifest.json"
	for _, ref := range []string{
		"cur/rep/%2e%2e/%2e%2e/private/x.csv.gz",
		"cur/rep/%2E%2E%2F%2E%2E%2Fprivate/x.csv.gz",
		"cur/rep/..%2f..%2fprivate/x.csv.gz",
		"cur/rep/%252e%252e/x.csv.gz",
	} {
		for _, be := range []backend{
			{"gofakes3", func(t *testing.T, o objects) *Resolver { r, _ := gofakes3Backend(t, o); return r }},
			{"fs", fsBackend},
		} {
			t.Run(ref+"/"+be.name, func(t *testing.T) {
				o := objects{}
				o.addLegacy(t, "cur/", "rep", mar, []string{"asm1"}, 1, 1)
				o["private/x.csv.gz"] = []byte("private")
				o[mkey] = legacyManifestJSON(t, "rep", "asm1", mar, ref)
				r := be.make(t, o)
				rep, err := r.Find(t.Context(), "cur", "rep")
				require.NoError(t, err)
				_, err = r.Resolve(t.Context(), rep, mar)
				require.ErrorIs(t, err, ErrFileMissing)
				var me *ManifestError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, ref, me.File, "the literal key, not a decoded one")
			})
		}
	}
}

// TestManifestSameFileTwice: a manifest listing one data file twice —
// verbatim, or as "/key" or "a//b" which a local directory maps to the
// same file — lists it once, so its rows are never counted twice. On S3
// those spellings are other keys, which were not delivered.
func TestManifestSameFileTwice(t *testing.T) {
	mkey := "cur/rep/20240301-20240401/rep-Manifest.json"
	good := "cur/rep/20240301-20240401/asm1/rep-00001.csv.gz"
	for _, ref := range []string{good, "/" + good, "cur/rep/20240301-20240401//asm1/rep-00001.csv.gz"} {
		t.Run(ref, func(t *testing.T) {
			o := objects{}
			o.addLegacy(t, "cur/", "rep", mar, []string{"asm1"}, 1, 1)
			o[mkey] = legacyManifestJSON(t, "rep", "asm1", mar, good, ref)

			r := fsBackend(t, o)
			rep, err := r.Find(t.Context(), "cur", "rep")
			require.NoError(t, err)
			d, err := r.Resolve(t.Context(), rep, mar)
			require.NoError(t, err)
			require.Len(t, d.Files, 1, "one file, listed once")

			r, _ = gofakes3Backend(t, o)
			rep, err = r.Find(t.Context(), "cur", "rep")
			require.NoError(t, err)
			d, err = r.Resolve(t.Context(), rep, mar)
			if ref == good {
				require.NoError(t, err)
				require.Len(t, d.Files, 1)
				return
			}
			// On S3 the other spelling is another key: outside the prefix
			// or not delivered, refused either way.
			var me *ManifestError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, ref, me.File)
			assert.True(t, errors.Is(err, ErrFileMissing) || errors.Is(err, ErrManifestEscapes), "%v", err)
		})
	}
}

// endlessJSON streams a syntactically plausible manifest that never
// ends — `{"reportKeys":["` then an endless key — counting what was read.
type endlessJSON struct {
	head   []byte
	pulled atomic.Int64
	limit  int64 // stop (EOF) after this many bytes; 0 never stops
}

func (e *endlessJSON) Read(p []byte) (int, error) {
	if e.limit > 0 && e.pulled.Load() >= e.limit {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) {
		if len(e.head) > 0 {
			k := copy(p[n:], e.head)
			e.head = e.head[k:]
			n += k
			continue
		}
		p[n] = 'a'
		n++
	}
	if e.limit > 0 && e.pulled.Load()+int64(n) > e.limit {
		n = int(e.limit - e.pulled.Load())
	}
	e.pulled.Add(int64(n))
	return n, nil
}

// TestHugeManifestRefused serves a manifest larger than maxManifestBytes
// — streamed, never materialised by the server — through gofakes3's HTTP
// front, and an endless one through a local directory. Both are refused
// with ErrMalformedManifest after reading at most maxManifestBytes+1.
func TestHugeManifestRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB")
	}
	mkey := "cur/rep/20240301-20240401/rep-Manifest.json"
	o := objects{}
	o.addLegacy(t, "cur/", "rep", mar, []string{"asm1"}, 1, 1)

	t.Run("s3", func(t *testing.T) {
		r, s := gofakes3Backend(t, o)
		src := &endlessJSON{head: []byte(`{"reportKeys":["`), limit: maxManifestBytes + 10<<20}
		s.Wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, mkey) {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("ETag", `"huge"`)
					_, _ = io.Copy(w, src) // chunked: no Content-Length
					return
				}
				next.ServeHTTP(w, req)
			})
		})
		rep, err := r.Find(t.Context(), "cur", "rep")
		require.NoError(t, err)
		_, err = r.Resolve(t.Context(), rep, mar)
		require.ErrorIs(t, err, curerr.ErrMalformed)
		var me *ManifestError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, mkey, me.Key)
		assert.Contains(t, err.Error(), mkey)
		t.Logf("server wrote %d bytes (of %d offered): %v", src.pulled.Load(), src.limit, err)
	})

	t.Run("fs endless", func(t *testing.T) {
		fsys := hugeFS{MapFS: fstest.MapFS{}, key: mkey, src: &endlessJSON{head: []byte(`{"reportKeys":["`)}}
		for k, v := range o {
			fsys.MapFS[k] = &fstest.MapFile{Data: v, ModTime: time.Unix(1700000000, 0)}
		}
		r := NewFS(fsys, testBucket)
		rep, err := r.Find(t.Context(), "cur", "rep")
		require.NoError(t, err)
		_, err = r.Resolve(t.Context(), rep, mar)
		require.ErrorIs(t, err, curerr.ErrMalformed)
		var me *ManifestError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, mkey, me.Key)
		assert.LessOrEqual(t, fsys.src.pulled.Load(), int64(maxManifestBytes+1)+64<<10, "read at most the limit")
		t.Logf("read %d bytes of an endless manifest: %v", fsys.src.pulled.Load(), err)
	})

	t.Run("parse", func(t *testing.T) {
		big := make([]byte, maxManifestBytes+1)
		copy(big, `{"reportKeys":[`)
		_, err := parseLegacyManifest(big)
		require.ErrorIs(t, err, ErrMalformedManifest)
		_, err = parseExportManifest(big)
		require.ErrorIs(t, err, ErrMalformedManifest)
	})
}

// hugeFS is a MapFS whose file key streams from src (the listing still
// shows the small file MapFS holds under that name).
type hugeFS struct {
	fstest.MapFS
	key string
	src *endlessJSON
}

func (h hugeFS) Open(name string) (fs.File, error) {
	if name != h.key {
		return h.MapFS.Open(name)
	}
	f, err := h.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	return streamFile{File: f, r: h.src}, nil
}

type streamFile struct {
	fs.File
	r io.Reader
}

func (s streamFile) Read(p []byte) (int, error) { return s.r.Read(p) }

// TestDeeplyNestedManifest: manifests nested a million levels deep or
// with keys of the wrong type are refused as malformed, without a panic
// or a stack overflow.
func TestDeeplyNestedManifest(t *testing.T) {
	for name, data := range map[string][]byte{
		"nested arrays":  []byte(`{"reportKeys":` + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + `}`),
		"nested objects": []byte(strings.Repeat(`{"a":`, 200_000) + "1" + strings.Repeat("}", 200_000)),
		"unterminated":   []byte(`{"reportKeys":["cur/` + strings.Repeat("a", 1<<20)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseLegacyManifest(data)
			require.ErrorIs(t, err, ErrMalformedManifest)
			_, err = parseExportManifest(data)
			require.ErrorIs(t, err, ErrMalformedManifest)
		})
	}
	for _, data := range []string{`{"reportKeys":[1,2,3]}`, `{"reportKeys":[{"a":1}]}`, `{"reportKeys":"cur/x"}`, `{"reportKeys":["cur/x",""]}`} {
		_, err := parseLegacyManifest([]byte(data))
		require.ErrorIs(t, err, ErrMalformedManifest, data)
	}
	for _, data := range []string{`{"dataFiles":[1]}`, `{"dataFiles":"x"}`, `{"columns":7}`} {
		_, err := parseExportManifest([]byte(data))
		require.ErrorIs(t, err, ErrMalformedManifest, data)
	}
}
