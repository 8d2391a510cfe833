package curreader

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/faults"
	"github.com/curconnect/curconnect/internal/s3io"
)

// TestParquetSurvivesFaults: ranged GETs of Parquet files cut at random
// offsets, answered 503 SlowDown or 500 are retried; the totals stay
// exact, or the error is a *FileError naming a file of the delivery.
func TestParquetSurvivesFaults(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 3, Rows: 3000, Seed: 11}, true)
	for _, seed := range []uint64{1, 2, 3, 4} {
		for _, c := range []int{1, 3} {
			t.Run(fmt.Sprintf("seed%d/c%d", seed, c), func(t *testing.T) {
				var wrapped *faults.Handler
				g.s.Wrap(func(next http.Handler) http.Handler {
					if wrapped == nil {
						wrapped = faults.New(next, seed,
							faults.Rule{Kind: faults.ResetAfter, PathContains: ".parquet", AfterBytes: -1, Times: 5},
							faults.Rule{Kind: faults.SlowDown, PathContains: ".parquet", Times: 2, Probability: 0.3},
							faults.Rule{Kind: faults.InternalError, PathContains: ".parquet", Times: 2, Probability: 0.3})
					}
					return wrapped
				})
				defer g.s.Wrap(nil)
				rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c))
				require.NoError(t, err)
				defer rd.Close()
				got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
				if err != nil {
					requireFileError(t, err, g.cur.DataKeys...)
					assert.Less(t, got.rows, g.cur.Rows)
					t.Logf("gave up with %v after %d faults", err, len(wrapped.Events()))
					return
				}
				equalTruth(t, got, g.cur)
				require.NotNil(t, wrapped)
				assert.NotEmpty(t, wrapped.Events(), "no fault was injected")
			})
		}
	}
}

// chunkOffsets returns where each column chunk's first page starts in a
// Parquet file (the page header), in the first row group.
func chunkOffsets(t *testing.T, data []byte) []int64 {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var offs []int64
	for _, c := range pf.Metadata().RowGroups[0].Columns {
		start, err := chunkStart(&c.MetaData)
		require.NoError(t, err)
		offs = append(offs, start)
	}
	return offs
}

// TestParquetCorruptFiles: a Parquet file cut at its tail or in its
// middle, or with a page header overwritten, ends in a *FileError naming
// the file and wrapping curerr.ErrMalformed, from a local copy and from S3, one
// file at a time and read ahead — never a panic or a clean short total.
func TestParquetCorruptFiles(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 3, Rows: 600, Seed: 5}, true)
	key := g.cur.DataKeys[1]
	orig := g.objs[key]
	offs := chunkOffsets(t, orig)
	mid := offs[len(offs)/2]
	corrupt := map[string][]byte{
		"tail cut":   orig[:len(orig)*2/3],
		"footer cut": orig[:len(orig)-3],
		"middle cut": slices.Concat(orig[:mid], orig[mid+200:]),
	}
	flip := bytes.Clone(orig)
	for _, o := range offs[1:4] {
		for i := range int64(6) {
			flip[o+i] ^= 0xA5
		}
	}
	corrupt["page headers flipped"] = flip
	zero := bytes.Clone(orig)
	for _, o := range offs {
		clear(zero[o : o+4])
	}
	corrupt["page headers zeroed"] = zero
	for name, data := range corrupt {
		for _, be := range []string{"fs", "s3"} {
			for _, c := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/%s/c%d", name, be, c), func(t *testing.T) {
					var rd *Reader
					var err error
					if be == "fs" {
						m := maps(g.m)
						m[key] = &fstest.MapFile{Data: data}
						d := *g.fsD
						d.Files = slices.Clone(d.Files)
						d.Files[1].Size = int64(len(data))
						rd, err = openFS(t.Context(), m, &d, concurrency(c))
					} else {
						g.s.Put(t, testBucket, key, data)
						defer g.s.Put(t, testBucket, key, orig)
						d := *g.s3D
						d.Files = slices.Clone(d.Files)
						d.Files[1].Size, d.Files[1].ETag = int64(len(data)), ""
						rd, err = openS3(t.Context(), g.s.Client, &d, concurrency(c))
					}
					require.NoError(t, err)
					defer rd.Close()
					got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
					require.Error(t, err, "a corrupt file read to a clean end: %d rows of %d", got.rows, g.cur.Rows)
					fe := requireFileError(t, err, key)
					assert.Equal(t, key, fe.File)
					assert.ErrorIs(t, err, curerr.ErrMalformed)
					assert.Less(t, got.rows, g.cur.Rows)
					assert.GreaterOrEqual(t, got.rows, int64(g.cur.RowsPerFile[0]), "the first file's rows come first")
				})
			}
		}
	}
}

// TestParquetChangedMidRead: the Parquet object is replaced between the
// ranged GETs of one read: ErrObjectChanged, naming the file.
func TestParquetChangedMidRead(t *testing.T) {
	for _, c := range []int{1, 2} {
		t.Run(fmt.Sprint("c", c), func(t *testing.T) {
			g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 2, Rows: 2000, Seed: 9}, true)
			key := g.cur.DataKeys[1]
			var h *faults.Handler
			g.s.Wrap(func(next http.Handler) http.Handler {
				if h == nil {
					h = faults.New(next, 1, faults.Rule{Kind: faults.ChangeObject, PathContains: key, AfterBytes: 100})
					h.OnChange = func(r *http.Request) {
						g.s.Put(t, testBucket, key, slices.Concat(g.objs[key][:8], []byte("replaced"), g.objs[key][8:]))
					}
				}
				return h
			})
			rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c))
			require.NoError(t, err)
			defer rd.Close()
			got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
			require.ErrorIs(t, err, s3io.ErrObjectChanged, "rows %d", got.rows)
			fe := requireFileError(t, err, key)
			assert.Equal(t, key, fe.File)
			assert.Less(t, got.rows, g.cur.Rows)
		})
	}
}

// TestCSVAndParquetAgree reads the same generated data as gzip CSV and as
// Parquet, row by row side by side, and requires the same exact cost, the
// same usage start instant and the same tag values in every row.
func TestCSVAndParquetAgree(t *testing.T) {
	cases := []struct {
		kind       curtest.Kind
		start      string
		tags       []string
		anyTagSeen bool
	}{
		{curtest.LegacyCUR, "lineItem/UsageStartDate", []string{"user:Team", "user:CostCenter", "user:Environment"}, true},
		{curtest.CUR2, "line_item_usage_start_date", []string{"user_team", "user:Team", "user_cost_center", "user_environment", "aws_created_by"}, true},
		{curtest.FOCUS12, "ChargePeriodStart", []string{"user_team"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String(), func(t *testing.T) {
			spec := curtest.Spec{Kind: tc.kind, Files: 2, Rows: 300, Seed: 77}
			spec.Format = curtest.CSVGzip
			gc := genDelivery(t, spec, false)
			spec.Format = curtest.Parquet
			gp := genDelivery(t, spec, false)
			require.Equal(t, gc.cur.Total, gp.cur.Total, "curtest wrote different data")
			rc, err := openFS(t.Context(), gc.m, gc.fsD, concurrency(2))
			require.NoError(t, err)
			defer rc.Close()
			rp, err := openFS(t.Context(), gp.m, gp.fsD, concurrency(2))
			require.NoError(t, err)
			defer rp.Close()
			cost := gc.cur.CostColumn
			var n int64
			tagsSeen := 0
			for {
				okc, okp := rc.Next(), rp.Next()
				require.Equal(t, okc, okp, "row %d: one reader ended first (csv %v, parquet %v)", n, rc.Err(), rp.Err())
				if !okc {
					break
				}
				n++
				a, b := rc.Row(), rp.Row()
				require.Equal(t, a.Line(), b.Line()+1, "CSV lines count the header")
				ca, oka, err := a.Decimal(cost)
				require.NoError(t, err)
				cb, okb, err := b.Decimal(cost)
				require.NoError(t, err)
				require.Equal(t, oka, okb, "row %d", n)
				require.True(t, ca.Equal(cb), "row %d: cost %s vs %s", n, ca, cb)
				ta, oka, err := a.Time(tc.start)
				require.NoError(t, err)
				tb, okb, err := b.Time(tc.start)
				require.NoError(t, err)
				require.True(t, oka && okb, "row %d: usage start missing", n)
				require.True(t, ta.Equal(tb), "row %d: %v vs %v", n, ta, tb)
				for _, k := range tc.tags {
					va, oka := a.Tag(k)
					vb, okb := b.Tag(k)
					if oka && va != "" {
						tagsSeen++
					}
					require.Equal(t, va, vb, "row %d tag %s", n, k)
					require.Equal(t, oka && va != "", okb && vb != "", "row %d tag %s present", n, k)
				}
			}
			require.NoError(t, rc.Err())
			require.NoError(t, rp.Err())
			assert.Equal(t, gc.cur.Rows, n)
			if tc.anyTagSeen {
				assert.Positive(t, tagsSeen, "no tag values compared")
			}
		})
	}
}

// TestReadAheadSameSequence: any Concurrency and a tiny MemoryBudget give
// the exact (File, Line, cost) sequence of one file at a time; Unordered
// gives the same multiset with each file's rows in order.
func TestReadAheadSameSequence(t *testing.T) {
	for _, format := range []curtest.FileType{curtest.CSVGzip, curtest.Parquet, curtest.CSVZip} {
		t.Run(format.String(), func(t *testing.T) {
			g := fourFiles(t, format, false)
			open := func(fns ...func(*ReadOptions)) *Reader {
				rd, err := openFS(t.Context(), g.m, g.fsD, fns...)
				require.NoError(t, err)
				return rd
			}
			want, err := readRecs(t, open(concurrency(1)), g.cur.CostColumn)
			require.NoError(t, err)
			require.Len(t, want, int(g.cur.Rows))
			for _, c := range []int{1, 2, 4, 8} {
				for _, budget := range []int64{1, 100 << 10, 0} {
					got, err := readRecs(t, open(concurrency(c), func(o *ReadOptions) { o.MemoryBudget = budget }), g.cur.CostColumn)
					require.NoError(t, err)
					require.Equal(t, want, got, "concurrency %d budget %d", c, budget)

					got, err = readRecs(t, open(concurrency(c), func(o *ReadOptions) { o.MemoryBudget, o.Unordered = budget, true }), g.cur.CostColumn)
					require.NoError(t, err)
					require.ElementsMatch(t, want, got, "unordered, concurrency %d budget %d", c, budget)
					byFile := map[string][]rec{}
					for _, r := range got {
						byFile[r.file] = append(byFile[r.file], r)
					}
					for _, r := range want {
						require.NotEmpty(t, byFile[r.file])
						require.Equal(t, r, byFile[r.file][0], "unordered: a file's rows out of order")
						byFile[r.file] = byFile[r.file][1:]
					}
				}
			}
		})
	}
}

// TestReadAheadErrorAfterEarlierFiles: file 2 of 4 is denied. In manifest
// order every row of files 0 and 1 comes first, then the error naming
// file 2 — never rows of file 3, never a clean end.
func TestReadAheadErrorAfterEarlierFiles(t *testing.T) {
	for _, format := range []curtest.FileType{curtest.CSVGzip, curtest.Parquet} {
		g := fourFiles(t, format, true)
		denied := g.s3D.Files[2].Key
		g.s.Deny(denied)
		for _, c := range []int{1, 2, 4} {
			for _, unordered := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/c%d/unordered=%v", format, c, unordered), func(t *testing.T) {
					rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c), func(o *ReadOptions) {
						o.Unordered, o.MemoryBudget = unordered, 1
					})
					require.NoError(t, err)
					got, err := readRecs(t, rd, g.cur.CostColumn)
					require.ErrorIs(t, err, curerr.ErrAccessDenied)
					assert.NotErrorIs(t, err, curerr.ErrMalformed, "a denied GET is not a malformed file")
					fe := requireFileError(t, err)
					assert.Equal(t, denied, fe.File)
					perFile := map[string]int{}
					for _, r := range got {
						perFile[r.file]++
					}
					assert.Zero(t, perFile[denied])
					if unordered {
						return
					}
					assert.Equal(t, map[string]int{
						g.s3D.Files[0].Key: g.cur.RowsPerFile[0],
						g.s3D.Files[1].Key: g.cur.RowsPerFile[1],
					}, perFile)
				})
			}
		}
	}
}

// TestReadAheadStopLeavesNothing: Close or a canceled context in the middle
// of a read stops every read-ahead goroutine; after a cancel, Err is the
// context error, never a clean end.
func TestReadAheadStopLeavesNothing(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Files: 4, Rows: 3000, Seed: 3}, false)
	one := *g.fsD
	one.Files = one.Files[:1]
	for _, d := range []*Delivery{g.fsD, &one} {
		for _, c := range []int{1, 2, 4} {
			for _, unordered := range []bool{false, true} {
				for _, how := range []string{"close", "cancel"} {
					name := fmt.Sprintf("files%d/c%d/unordered=%v/%s", len(d.Files), c, unordered, how)
					t.Run(name, func(t *testing.T) {
						base := runtime.NumGoroutine()
						ctx, cancel := context.WithCancel(t.Context())
						defer cancel()
						rd, err := openFS(ctx, g.m, d, concurrency(c), func(o *ReadOptions) { o.Unordered, o.MemoryBudget = unordered, 1 })
						require.NoError(t, err)
						n := 0
						for rd.Next() {
							n++
							if n == 100 {
								break
							}
						}
						require.Equal(t, 100, n, "%v", rd.Err())
						if how == "close" {
							require.NoError(t, rd.Close())
							assert.False(t, rd.Next(), "Next after Close")
							require.NoError(t, rd.Close(), "Close twice")
						} else {
							cancel()
							for rd.Next() {
								n++
							}
							err := rd.Err()
							require.Error(t, err, "a canceled read ended cleanly after %d rows of %d", n, g.cur.Rows)
							assert.ErrorIs(t, err, context.Canceled)
							assert.Less(t, int64(n), g.cur.Rows)
							rd.Close()
						}
						waitGoroutines(t, base)
					})
				}
			}
		}
	}
}

// TestCloneSurvivesNext: rows cloned while reading keep their values after
// the reader moves on and reuses its buffers, in every mode.
func TestCloneSurvivesNext(t *testing.T) {
	for _, format := range []curtest.FileType{curtest.CSVGzip, curtest.Parquet} {
		g := fourFiles(t, format, false)
		rd, err := openFS(t.Context(), g.m, g.fsD, concurrency(1))
		require.NoError(t, err)
		var want [][]string
		for rd.Next() {
			want = append(want, rowValues(rd.Row()))
		}
		require.NoError(t, rd.Err())
		for _, c := range []int{1, 4} {
			for _, unordered := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/c%d/unordered=%v", format, c, unordered), func(t *testing.T) {
					rd, err := openFS(t.Context(), g.m, g.fsD, concurrency(c), func(o *ReadOptions) { o.Unordered, o.MemoryBudget = unordered, 1 })
					require.NoError(t, err)
					defer rd.Close()
					var clones []Row
					for rd.Next() {
						clones = append(clones, rd.Row().Clone())
					}
					require.NoError(t, rd.Err())
					var got [][]string
					for _, r := range clones {
						got = append(got, rowValues(r))
					}
					if unordered {
						assert.ElementsMatch(t, want, got)
					} else {
						assert.Equal(t, want, got)
					}
					assert.Equal(t, Row{}.Clone(), Row{}, "the zero Row clones to the zero Row")
				})
			}
		}
	}
}

// rowValues is a row's file, line and every visible column's value.
func rowValues(r Row) []string {
	out := []string{r.File(), fmt.Sprint(r.Line())}
	for _, c := range r.Columns() {
		v, ok := r.Get(c)
		out = append(out, fmt.Sprintf("%s=%q/%v", c, v, ok))
	}
	return out
}

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
						rd.Close()
						assert.Len(t, calls, len(calls), "no call after the end")
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

// TestProjection: three columns of Parquet in S3 are read with far fewer
// bytes than the files hold, and rows show only them; CSV shows the same
// three columns, with the same totals.
func TestProjection(t *testing.T) {
	spec := curtest.Spec{Kind: curtest.LegacyCUR, Files: 1, Rows: 20000, Seed: 31}
	cols := []string{"lineItem/UnblendedCost", "line_item_product_code", "lineItem/UsageStartDate"}
	want := []string{"line_item_unblended_cost", "line_item_product_code", "line_item_usage_start_date"}
	for _, format := range []curtest.FileType{curtest.Parquet, curtest.CSVGzip} {
		spec.Format = format
		g := genDelivery(t, spec, true)
		for _, c := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/c%d", format, c), func(t *testing.T) {
				var last Progress
				g.s.ResetRequests()
				rd, err := openS3(t.Context(), g.s.Client, g.s3D, concurrency(c), func(o *ReadOptions) {
					o.Columns = cols
					o.Progress = func(p Progress) { last = p }
				})
				require.NoError(t, err)
				var rows int64
				var total decimal.Decimal
				for row, err := range rd.Rows() {
					require.NoError(t, err)
					rows++
					require.ElementsMatch(t, want, row.Columns())
					_, ok := row.Get("lineItem/UsageAccountId")
					require.False(t, ok, "a column outside the projection is visible")
					_, ok = row.Get("identity/LineItemId")
					require.False(t, ok)
					_, ok = row.Tag("user:Team")
					require.False(t, ok, "tags are outside the projection")
					v, ok, err := row.Decimal("line_item_unblended_cost")
					require.NoError(t, err)
					if ok {
						total = total.Add(v)
					}
					_, ok, err = row.Time("lineItem/UsageStartDate")
					require.NoError(t, err)
					require.True(t, ok)
				}
				assert.Equal(t, g.cur.Rows, rows)
				assert.Equal(t, g.cur.Total, total.String())
				require.True(t, last.Done)
				if format == curtest.Parquet {
					assert.Less(t, last.Bytes, last.TotalBytes/3, "projected Parquet read %d of %d bytes", last.Bytes, last.TotalBytes)
					t.Logf("read %d of %d bytes in %d GETs", last.Bytes, last.TotalBytes, g.s.Requests()["GetObject"])
				} else {
					assert.Equal(t, last.TotalBytes, last.Bytes)
				}
			})
		}
	}
}

// TestProjectionTags: "resource_tags" brings every tag column, so Tag
// works while other columns stay hidden.
func TestProjectionTags(t *testing.T) {
	for _, kind := range []curtest.Kind{curtest.LegacyCUR, curtest.CUR2} {
		for _, format := range []curtest.FileType{curtest.Parquet, curtest.CSVGzip} {
			t.Run(fmt.Sprintf("%s/%s", kind, format), func(t *testing.T) {
				g := genDelivery(t, curtest.Spec{Kind: kind, Format: format, Rows: 200, Seed: 4}, false)
				full, err := openFS(t.Context(), g.m, g.fsD)
				require.NoError(t, err)
				defer full.Close()
				proj, err := openFS(t.Context(), g.m, g.fsD, func(o *ReadOptions) { o.Columns = []string{"resourceTags"} })
				require.NoError(t, err)
				defer proj.Close()
				seen := 0
				for full.Next() {
					require.True(t, proj.Next(), "%v", proj.Err())
					a, b := full.Row(), proj.Row()
					_, ok := b.Get(g.cur.CostColumn)
					require.False(t, ok)
					for _, k := range []string{"user:Team", "user:CostCenter"} {
						va, oka := a.Tag(k)
						vb, okb := b.Tag(k)
						require.Equal(t, va, vb)
						require.Equal(t, oka, okb)
						if va != "" {
							seen++
						}
					}
				}
				require.NoError(t, full.Err())
				require.False(t, proj.Next())
				require.NoError(t, proj.Err())
				assert.Positive(t, seen)
			})
		}
	}
}

// TestOpenFile reads one local data file of each format, told by its name,
// to exact totals; an unknown extension is ErrUnsupportedFormat.
func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	type file struct {
		name string
		data []byte
		cur  *curtest.Delivery
	}
	var files []file
	for _, format := range []curtest.FileType{curtest.CSVGzip, curtest.CSVZip, curtest.Parquet} {
		g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: format, Rows: 500, Seed: 8}, false)
		data := g.objs[g.cur.DataKeys[0]]
		name := filepath.Base(g.cur.DataKeys[0])
		files = append(files, file{name, data, g.cur})
		if format == curtest.CSVGzip {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			require.NoError(t, err)
			plain, err := io.ReadAll(zr)
			require.NoError(t, err)
			files = append(files, file{"plain.csv", plain, g.cur}, file{"UPPER.CSV.GZ", data, g.cur})
		}
		if format == curtest.CSVZip {
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			require.NoError(t, err)
			require.Len(t, zr.File, 1)
		}
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(dir, f.name)
			require.NoError(t, os.WriteFile(path, f.data, 0o644))
			for _, c := range []int{0, 1} {
				rd, err := OpenFile(t.Context(), path, concurrency(c))
				require.NoError(t, err)
				assert.Equal(t, f.name, rd.Delivery().Report)
				got, err := sumRows(t, rd, f.cur.CostColumn, f.cur.ProductColumn)
				require.NoError(t, err)
				equalTruth(t, got, f.cur)
				require.NoError(t, rd.Close())
			}
			rd, err := OpenFile(t.Context(), path)
			require.NoError(t, err)
			require.True(t, rd.Next())
			assert.Equal(t, path, rd.Row().File())
			rd.Close()
		})
	}
	for _, name := range []string{"x.json", "x.csv.bz2", "x.parquet.tmp", "noext"} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte("a,b\n1,2\n"), 0o644))
		_, err := OpenFile(t.Context(), path)
		assert.ErrorIs(t, err, ErrUnsupportedFormat, name)
	}
	_, err := OpenFile(t.Context(), filepath.Join(dir, "missing.csv"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = OpenFile(t.Context(), dir)
	assert.Error(t, err, "a directory")
	// A data file that is not what its name says.
	bad := filepath.Join(dir, "bad.snappy.parquet")
	require.NoError(t, os.WriteFile(bad, []byte("a,b\n1,2\n"), 0o644))
	rd, err := OpenFile(t.Context(), bad)
	require.NoError(t, err)
	assert.False(t, rd.Next())
	requireFileError(t, rd.Err(), bad)
	assert.ErrorIs(t, rd.Err(), curerr.ErrMalformed)
}

// readerFS serves a MapFS whose files are read through wrap (no ReadAt).
type readerFS struct {
	m    fstest.MapFS
	wrap func(io.Reader) io.Reader
}

func (r readerFS) Open(name string) (fs.File, error) {
	f, err := r.m.Open(name)
	if err != nil {
		return nil, err
	}
	return wrappedFile{f, r.wrap(f)}, nil
}

type wrappedFile struct {
	fs.File
	r io.Reader
}

func (w wrappedFile) Read(p []byte) (int, error) { return w.r.Read(p) }

// failAfter reads n bytes, then fails.
func failAfter(n int64) func(io.Reader) io.Reader {
	return func(r io.Reader) io.Reader {
		return io.MultiReader(io.LimitReader(r, n), iotest.ErrReader(errDisk))
	}
}

// TestIotestReaders: a CSV delivery read one byte at a time, or with the
// last data together with io.EOF, gives the exact totals; one whose reads
// fail mid-stream ends in a *FileError naming the file, never a short
// total.
func TestIotestReaders(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Files: 3, Rows: 200, Seed: 12}, false)
	// The same delivery as plain CSV.
	plain := fstest.MapFS{}
	pd := *g.fsD
	pd.Compression = CompressionNone
	pd.Files = slices.Clone(pd.Files)
	for i, f := range pd.Files {
		zr, err := gzip.NewReader(bytes.NewReader(g.m[f.Key].Data))
		require.NoError(t, err)
		data, err := io.ReadAll(zr)
		require.NoError(t, err)
		pd.Files[i].Key = strings.TrimSuffix(f.Key, ".gz")
		pd.Files[i].Size = int64(len(data))
		plain[pd.Files[i].Key] = &fstest.MapFile{Data: data}
	}
	sets := []struct {
		name string
		m    fstest.MapFS
		d    *Delivery
	}{{"gzip", g.m, g.fsD}, {"plain", plain, &pd}}
	good := map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+EOF": iotest.DataErrReader,
		"one byte data+EOF": func(r io.Reader) io.Reader {
			return iotest.DataErrReader(iotest.OneByteReader(r))
		},
	}
	bad := map[string]func(io.Reader) io.Reader{
		"timeout":         iotest.TimeoutReader,
		"fail at 1":       failAfter(1),
		"fail at 1000":    failAfter(1000),
		"fail at 4097":    failAfter(4097),
		"one byte, fails": func(r io.Reader) io.Reader { return iotest.OneByteReader(failAfter(3000)(r)) },
	}
	for _, set := range sets {
		for _, c := range []int{1, 3} {
			for name, wrap := range good {
				t.Run(fmt.Sprintf("%s/c%d/%s", set.name, c, name), func(t *testing.T) {
					rd, err := openFS(t.Context(), readerFS{set.m, wrap}, set.d, concurrency(c))
					require.NoError(t, err)
					got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
					require.NoError(t, err)
					equalTruth(t, got, g.cur)
				})
			}
			for name, wrap := range bad {
				t.Run(fmt.Sprintf("%s/c%d/%s", set.name, c, name), func(t *testing.T) {
					// Only the second file misbehaves.
					fsys := readerFS{set.m, func(r io.Reader) io.Reader { return r }}
					second := set.d.Files[1].Key
					rd, err := openFS(t.Context(), pickFS{fsys, readerFS{set.m, wrap}, second}, set.d, concurrency(c))
					require.NoError(t, err)
					got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
					require.Error(t, err, "a failing read ended cleanly with %d of %d rows", got.rows, g.cur.Rows)
					fe := requireFileError(t, err, second)
					assert.Equal(t, second, fe.File)
					if name == "timeout" {
						assert.ErrorIs(t, err, iotest.ErrTimeout)
					} else {
						assert.ErrorIs(t, err, errDisk)
					}
					assert.NotErrorIs(t, err, curerr.ErrMalformed, "a failed read is not a malformed file")
					assert.Less(t, got.rows, g.cur.Rows)
					if c == 1 {
						assert.GreaterOrEqual(t, got.rows, int64(g.cur.RowsPerFile[0]))
					}
				})
			}
		}
	}
}

// pickFS opens one file through special, the others through normal.
type pickFS struct {
	normal, special fs.FS
	name            string
}

func (p pickFS) Open(name string) (fs.File, error) {
	if name == p.name {
		return p.special.Open(name)
	}
	return p.normal.Open(name)
}

// TestParquetReadAtFails: a local Parquet file whose random-access reads
// fail partway ends in a *FileError carrying the I/O error, not
// curerr.ErrMalformed.
func TestParquetReadAtFails(t *testing.T) {
	g := genDelivery(t, curtest.Spec{Kind: curtest.LegacyCUR, Format: curtest.Parquet, Files: 2, Rows: 500, Seed: 2}, false)
	key := g.fsD.Files[1].Key
	size := int64(len(g.m[key].Data))
	for _, after := range []int{0, 1, 2, 3, 5, 8} {
		t.Run(fmt.Sprint("after", after), func(t *testing.T) {
			fsys := failingAtFS{g.m, key, after}
			rd, err := openFS(t.Context(), fsys, g.fsD, concurrency(1))
			require.NoError(t, err)
			got, err := sumRows(t, rd, g.cur.CostColumn, g.cur.ProductColumn)
			if err == nil {
				// Few enough reads to never reach the failure.
				equalTruth(t, got, g.cur)
				return
			}
			fe := requireFileError(t, err, key)
			assert.Equal(t, key, fe.File)
			assert.ErrorIs(t, err, errDisk)
			assert.NotErrorIs(t, err, curerr.ErrMalformed, "size %d", size)
			assert.Less(t, got.rows, g.cur.Rows)
		})
	}
}

// failingAtFS fails the ReadAt calls of one file after the first n.
type failingAtFS struct {
	m    fstest.MapFS
	name string
	n    int
}

func (f failingAtFS) Open(name string) (fs.File, error) {
	file, err := f.m.Open(name)
	if err != nil || name != f.name {
		return file, err
	}
	return &failingAt{File: file, ra: file.(io.ReaderAt), left: f.n}, nil
}

type failingAt struct {
	fs.File
	ra   io.ReaderAt
	left int
}

func (f *failingAt) ReadAt(p []byte, off int64) (int, error) {
	if f.left == 0 {
		return 0, errDisk
	}
	f.left--
	return f.ra.ReadAt(p, off)
}
