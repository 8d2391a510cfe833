package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary act as curbench's child process.
func TestMain(m *testing.M) {
	if slices.Contains(os.Args, "-child") {
		i := slices.Index(os.Args, "-child")
		if err := run(context.Background(), os.Args[i:], os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunSmall(t *testing.T) {
	var out bytes.Buffer
	path := filepath.Join(t.TempDir(), "b.csv.gz")
	require.NoError(t, run(t.Context(), []string{"-rows", "3000", "-runs", "1", "-file", path}, &out))
	s := out.String()
	assert.Contains(t, s, "sum equals the generator's exact sum")
	assert.Contains(t, s, "rows: ours 3000, stdlib 3000")
	assert.Contains(t, s, "ours/decompress")
	assert.Contains(t, s, "decompress beside a splitter on the other core, all runs:")
	assert.Contains(t, s, "this machine's own 2-way scaling")
	assert.Contains(t, s, "every exact sum equals curtest's total")
	assert.Contains(t, s, "curcat rows parquet")
}

func TestGenerateDeterministic(t *testing.T) {
	dir := t.TempDir()
	hash := func(name string, seed uint64) ([32]byte, string) {
		p := filepath.Join(dir, name)
		sum, size, err := generate(p, 500, 150, seed)
		require.NoError(t, err)
		require.Positive(t, size)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		return sha256.Sum256(b), sum.String()
	}
	h1, s1 := hash("a.gz", 1)
	h2, s2 := hash("b.gz", 1)
	h3, _ := hash("c.gz", 2)
	assert.Equal(t, h1, h2)
	assert.Equal(t, s1, s2)
	assert.NotEqual(t, h1, h3)
	assert.Len(t, header(150), 150)
}

func TestDiagnosticVariants(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.csv.gz")
	want, size, err := generate(path, 1000, 60, 3)
	require.NoError(t, err)
	for _, v := range []string{"decompress", "inflate-read", "inflate-ring", "splitmem", "stdlib", "ours"} {
		res, err := runVariant(v, path)
		require.NoError(t, err, v)
		switch v {
		case "decompress", "inflate-read", "inflate-ring":
			assert.Equal(t, size, res.Bytes, v)
		case "splitmem", "ours":
			assert.Equal(t, want.String(), res.Sum, v)
			assert.Equal(t, int64(1000), res.Rows, v)
		case "stdlib":
			assert.Equal(t, int64(1000), res.Rows)
		}
	}
	_, err = runVariant("nope", path)
	require.Error(t, err)
}

// TestParquetVariants checks that every in-process Parquet variant reads
// every row, and that the exact ones agree with curtest's total.
func TestParquetVariants(t *testing.T) {
	p, err := genPair(t.Context(), 2000)
	if p != nil {
		t.Cleanup(func() { os.RemoveAll(p.dir) })
	}
	require.NoError(t, err)
	for _, v := range []string{"pq-ceiling", "pq-rowreader", "pq-sum", "pq-sum-c1", "pq-all-pos"} {
		res, err := runVariant(v, p.parquet)
		require.NoError(t, err, v)
		assert.Equal(t, int64(2000), res.Rows, v)
		if v == "pq-sum" || v == "pq-sum-c1" || v == "pq-all-pos" {
			assert.Equal(t, p.want, res.Sum, v)
		}
	}
}
