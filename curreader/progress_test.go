package curreader

// Progress calls: counts that never go back, and one last call with Done
// set, at the end, on an error and on Close.

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
)

// TestProgress: calls come with nondecreasing counts, and the last (and
// only last) has Done, every file done, every row counted and, for CSV,
// every byte of the delivery read.
func TestProgress(t *testing.T) {
	for _, format := range []curtest.FileType{curtest.CSVGzip, curtest.CSVZip, curtest.Parquet} {
		g := fourFiles(t, format, true)
		for _, be := range []string{"fs", "s3"} {
			for _, c := range []int{1, 3} {
				for _, unordered := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/%s/c%d/unordered=%v", format, be, c, unordered), func(t *testing.T) {
						var calls []Progress
						opts := withOpts(concurrency(c), func(o *ReadOptions) {
							o.Unordered, o.ProgressEvery = unordered, 97
							o.Progress = func(p Progress) { calls = append(calls, p) }
						})
						var rd *Reader
						var err error
						d := g.fsD
						if be == "s3" {
							d = g.s3D
							rd, err = openS3(t.Context(), g.s.Client, d, opts...)
						} else {
							rd, err = openFS(t.Context(), g.m, d, opts...)
						}
						require.NoError(t, err)
						got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
						require.NoError(t, err)
						equalTruth(t, got, g.cur)
						require.NotEmpty(t, calls)
						assert.GreaterOrEqual(t, len(calls), int(g.cur.Rows/97), "about one call every 97 rows")
						for i, p := range calls {
							assert.Equal(t, 4, p.Files)
							assert.Equal(t, d.TotalSize(), p.TotalBytes)
							assert.Equal(t, i == len(calls)-1, p.Done, "call %d of %d", i, len(calls))
							if i > 0 {
								q := calls[i-1]
								assert.GreaterOrEqual(t, p.Rows, q.Rows, "call %d", i)
								assert.GreaterOrEqual(t, p.Bytes, q.Bytes, "call %d", i)
								assert.GreaterOrEqual(t, p.FilesDone, q.FilesDone, "call %d", i)
							}
						}
						last := calls[len(calls)-1]
						assert.Equal(t, last.Files, last.FilesDone)
						assert.Equal(t, g.cur.Rows, last.Rows)
						assert.Positive(t, last.Bytes)
						switch format {
						case curtest.CSVGzip:
							assert.Equal(t, last.TotalBytes, last.Bytes, "a CSV delivery is read to its last byte")
						case curtest.CSVZip:
							// A zip is read from its end by ranged reads, some twice:
							// every byte, and then some.
							assert.GreaterOrEqual(t, last.Bytes, last.TotalBytes)
							if last.Bytes != last.TotalBytes {
								t.Logf("zip: Bytes %d, TotalBytes %d", last.Bytes, last.TotalBytes)
							}
						}
						n := len(calls)
						rd.Close()
						assert.Len(t, calls, n, "no call after the end")
					})
				}
			}
		}
	}
}

// TestProgressOnError: a read that fails still ends with one Done call,
// which does not claim every file done.
func TestProgressOnError(t *testing.T) {
	g := fourFiles(t, curtest.CSVGzip, true)
	g.s.Deny(g.s3D.Files[2].Key)
	for _, c := range []int{1, 3} {
		var calls []Progress
		rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c), func(o *ReadOptions) {
			o.Progress = func(p Progress) { calls = append(calls, p) }
		})
		require.NoError(t, err)
		_, err = readRecs(t, rd, g.cur.CostColumn)
		require.ErrorIs(t, err, curerr.ErrAccessDenied)
		require.NotEmpty(t, calls)
		last := calls[len(calls)-1]
		assert.True(t, last.Done)
		assert.Equal(t, 2, last.FilesDone)
		assert.Equal(t, int64(g.cur.RowsPerFile[0]+g.cur.RowsPerFile[1]), last.Rows)
		for _, p := range calls[:len(calls)-1] {
			assert.False(t, p.Done)
		}
	}
}

// TestProgressDoneOnClose: closing before the end still makes the one
// last call, with Done set.
func TestProgressDoneOnClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.csv")
	require.NoError(t, os.WriteFile(path, []byte("a\n1\n2\n3\n"), 0o600))
	var calls []Progress
	rd, err := OpenFile(t.Context(), path, func(o *ReadOptions) { o.Progress = func(p Progress) { calls = append(calls, p) } })
	require.NoError(t, err)
	require.True(t, rd.Next())
	require.NoError(t, rd.Close())
	require.NoError(t, rd.Close())
	require.NotEmpty(t, calls)
	last := calls[len(calls)-1]
	assert.True(t, last.Done)
	assert.Equal(t, int64(1), last.Rows)
	assert.Equal(t, 0, last.FilesDone)
	done := 0
	for _, c := range calls {
		if c.Done {
			done++
		}
	}
	assert.Equal(t, 1, done, "exactly one Done call")
}
