package curreader

// Reading files ahead in parallel (readahead.go and its use in reader.go):
// the rows a read of one file at a time gives, in manifest order (or, when
// Unordered, each file's in order); an error only after every row before
// it; memory within the budget at both extremes; cancellation and Close
// that leave no goroutine behind; rows valid until the next step.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
)

// aheadSpec describes one CSV data file of a test delivery.
type aheadSpec struct {
	rows    int
	empty   bool // zero bytes: no header at all
	badAt   int  // row index replaced by a short row (-1: none)
	bigAt   int  // row index whose last field is big (-1: none)
	bigSize int
	wide    bool // 11 columns (raw mode) instead of 3 (field mode)
}

func buildAhead(files []aheadSpec) (fstest.MapFS, *Delivery) {
	m := fstest.MapFS{}
	d := &Delivery{Report: "r", Format: FormatCSV, Compression: CompressionNone, Ready: true}
	for f, spec := range files {
		var b strings.Builder
		if !spec.empty {
			if spec.wide {
				b.WriteString("a,b,c,d,e,f,g,h,i,j,k\n")
			} else {
				b.WriteString("a,b,k\n")
			}
			for i := range spec.rows {
				if i == spec.badAt && spec.badAt >= 0 {
					b.WriteString("1\n")
					continue
				}
				tail := strings.Repeat("z", i%37)
				if i == spec.bigAt && spec.bigAt >= 0 {
					tail = strings.Repeat("Z", spec.bigSize)
				}
				if spec.wide {
					fmt.Fprintf(&b, "%d,%d,\"x\"\"y\",3,4,5,6,7,8,9,%s\n", f, i, tail)
				} else {
					fmt.Fprintf(&b, "%d,%d,%s\n", f, i, tail)
				}
			}
		}
		key := fmt.Sprintf("f%03d.csv", f)
		m[key] = &fstest.MapFile{Data: []byte(b.String())}
		d.Files = append(d.Files, DataFile{Key: key, Size: int64(b.Len())})
	}
	return m, d
}

func aheadSpecs(n int, spec aheadSpec) []aheadSpec {
	out := make([]aheadSpec, n)
	for i := range out {
		out[i] = spec
	}
	return out
}

type aheadRec struct {
	file, row int
	line      int
}

// readAheadRecs reads every row, checking each row's own content, and returns the
// sequence of (file, row) read.
func readAheadRecs(t *testing.T, rd *Reader) ([]aheadRec, error) {
	t.Helper()
	return collect(rd, func(row Row) (aheadRec, error) {
		rec, err := parseRec(row)
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("f%03d.csv", rec.file), row.File())
		return rec, nil
	})
}

// parseRec reads the (file, row, line) a row of buildAhead's files holds.
func parseRec(row Row) (aheadRec, error) {
	fv, _ := row.Get("a")
	iv, _ := row.Get("b")
	f, err := strconv.Atoi(fv)
	if err != nil {
		return aheadRec{}, fmt.Errorf("column a: %w", err)
	}
	i, err := strconv.Atoi(iv)
	if err != nil {
		return aheadRec{}, fmt.Errorf("column b: %w", err)
	}
	return aheadRec{f, i, row.Line()}, nil
}

// recOf is parseRec for rows already known to be well formed.
func recOf(row Row) aheadRec {
	rec, _ := parseRec(row)
	return rec
}

// wantAhead is the sequence a delivery holds, in manifest order, up to the first
// bad row.
func wantAhead(files []aheadSpec) (recs []aheadRec, bad bool) {
	for f, spec := range files {
		if spec.empty {
			continue
		}
		for i := range spec.rows {
			if i == spec.badAt && spec.badAt >= 0 {
				return recs, true
			}
			recs = append(recs, aheadRec{f, i, i + 2})
		}
	}
	return recs, false
}

func checkUnordered(t *testing.T, files []aheadSpec, got []aheadRec) {
	t.Helper()
	next := map[int]int{}
	for _, r := range got {
		require.Equal(t, next[r.file], r.row, "file %d: rows out of order", r.file)
		require.Equal(t, r.row+2, r.line)
		next[r.file]++
	}
	for f, spec := range files {
		if spec.empty {
			continue
		}
		require.Equal(t, spec.rows, next[f], "file %d row count", f)
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

// TestReadAheadZeroRowFiles: empty files (no header), header-only files
// and files with rows, many of them, every concurrency and budget, ordered
// and not: the exact sequence, Progress ends with every file done, one Done.
func TestReadAheadZeroRowFiles(t *testing.T) {
	var files []aheadSpec
	for i := range 40 {
		switch i % 4 {
		case 0:
			files = append(files, aheadSpec{empty: true, badAt: -1, bigAt: -1})
		case 1:
			files = append(files, aheadSpec{rows: 0, badAt: -1, bigAt: -1, wide: i%8 == 1})
		default:
			files = append(files, aheadSpec{rows: 1 + i*37, badAt: -1, bigAt: -1, wide: i%3 == 0})
		}
	}
	m, d := buildAhead(files)
	want, _ := wantAhead(files)
	for _, c := range []int{2, 3, 8, 64} {
		for _, budget := range []int64{1, 200 << 10, 0} {
			for _, unordered := range []bool{false, true} {
				t.Run(fmt.Sprintf("c%d/b%d/u=%v", c, budget, unordered), func(t *testing.T) {
					base := runtime.NumGoroutine()
					var calls []Progress
					rd, err := openFS(t.Context(), m, d, func(o *ReadOptions) {
						o.Concurrency, o.MemoryBudget, o.Unordered = c, budget, unordered
						o.ProgressEvery = 50
						o.Progress = func(p Progress) { calls = append(calls, p) }
					})
					require.NoError(t, err)
					got, err := readAheadRecs(t, rd)
					require.NoError(t, err)
					if unordered {
						checkUnordered(t, files, got)
					} else {
						require.Equal(t, want, got)
					}
					n := len(calls)
					require.NoError(t, rd.Close())
					require.Len(t, calls, n, "a call after the end")
					last := calls[n-1]
					require.True(t, last.Done)
					require.Equal(t, len(files), last.FilesDone)
					require.Equal(t, int64(len(want)), last.Rows)
					require.Equal(t, d.TotalSize(), last.Bytes)
					for i, p := range calls[:n-1] {
						require.False(t, p.Done, "call %d", i)
						if i > 0 {
							require.GreaterOrEqual(t, p.Rows, calls[i-1].Rows)
							require.GreaterOrEqual(t, p.FilesDone, calls[i-1].FilesDone)
						}
					}
					waitGoroutines(t, base)
				})
			}
		}
	}
}

// TestReadAheadNeverLosesRows: many small CSV files, one of them with a bad
// row, read ordered and unordered with tiny budgets and stopped at random
// points: rows are never lost, duplicated or reordered within a file, an
// error never looks like the end, and no goroutine is left.
func TestReadAheadNeverLosesRows(t *testing.T) {
	const files, rowsPer = 12, 700
	build := func(bad int) (fstest.MapFS, *Delivery) {
		m := fstest.MapFS{}
		d := &Delivery{Report: "r", Format: FormatCSV, Compression: CompressionNone, Ready: true}
		for f := range files {
			var b strings.Builder
			b.WriteString("a,b,c,d,e,f,g,h,i,j,k\n")
			for i := range rowsPer {
				if f == bad && i == rowsPer/2 {
					b.WriteString("1,2\n")
					continue
				}
				fmt.Fprintf(&b, "%d,%d,\"x\"\"y\",3,4,5,6,7,8,9,%s\n", f, i, strings.Repeat("z", i%50))
			}
			key := fmt.Sprintf("f%02d.csv", f)
			m[key] = &fstest.MapFile{Data: []byte(b.String())}
			d.Files = append(d.Files, DataFile{Key: key, Size: int64(b.Len())})
		}
		return m, d
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 60 {
		bad := -1
		if iter%3 == 0 {
			bad = rng.IntN(files)
		}
		m, d := build(bad)
		c := 2 + rng.IntN(7)
		unordered := iter%2 == 1
		stopAt := -1
		if iter%4 == 2 {
			stopAt = rng.IntN(files * rowsPer)
		}
		budget := int64(1 + rng.IntN(4<<20))
		t.Run(fmt.Sprintf("%d/c%d/unordered=%v/bad=%d/stop=%d", iter, c, unordered, bad, stopAt), func(t *testing.T) {
			base := runtime.NumGoroutine()
			rd, err := openFS(t.Context(), m, d, func(o *ReadOptions) {
				o.Concurrency, o.Unordered, o.MemoryBudget = c, unordered, budget
			})
			require.NoError(t, err)
			next := map[string]int{}
			var order []string
			n := 0
			var kept []Row
			for rd.Next() {
				row := rd.Row()
				fv, _ := row.Get("a")
				iv, _ := row.Get("b")
				cv, _ := row.Get("c")
				require.Equal(t, `x"y`, cv)
				i, err := strconv.Atoi(iv)
				require.NoError(t, err)
				require.Equal(t, next[fv], i, "file %s row order", fv)
				require.Equal(t, i+2, row.Line())
				if bad >= 0 && fv == strconv.Itoa(bad) && i >= rowsPer/2 {
					i++
				}
				next[fv] = i + 1
				if len(order) == 0 || order[len(order)-1] != fv {
					order = append(order, fv)
				}
				if n%97 == 0 {
					kept = append(kept, row.Clone())
				}
				n++
				if n == stopAt {
					break
				}
			}
			for _, k := range kept {
				v, _ := k.Get("c")
				require.Equal(t, `x"y`, v)
			}
			if !unordered {
				for j, f := range order {
					require.Equal(t, strconv.Itoa(j), f, "ordered: files in manifest order")
				}
			}
			switch {
			case stopAt > 0 && n == stopAt:
				require.NoError(t, rd.Close())
			case bad >= 0:
				require.ErrorIs(t, rd.Err(), ErrMalformedRow)
				if !unordered {
					require.Equal(t, bad*rowsPer+rowsPer/2, n)
				}
			default:
				require.NoError(t, rd.Err())
				require.Equal(t, files*rowsPer, n)
			}
			rd.Close()
			waitGoroutines(t, base)
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

// TestReadAheadErrorInLaterFile: file 3 has a bad row near its start,
// file 1 is long. Ordered: every row of files 0..2 and the rows of file 3
// before the bad one, then the *ParseError — never a clean end, never a
// row of file 4+. Unordered: an error, and no row of the bad file past it.
func TestReadAheadErrorInLaterFile(t *testing.T) {
	files := aheadSpecs(8, aheadSpec{rows: 400, badAt: -1, bigAt: -1})
	files[1].rows = 20000
	files[3].badAt = 5
	m, d := buildAhead(files)
	want, _ := wantAhead(files)
	for _, c := range []int{2, 4, 8} {
		for _, unordered := range []bool{false, true} {
			for _, budget := range []int64{1, 0} {
				t.Run(fmt.Sprintf("c%d/u=%v/b%d", c, unordered, budget), func(t *testing.T) {
					base := runtime.NumGoroutine()
					var calls []Progress
					rd, err := openFS(t.Context(), m, d, func(o *ReadOptions) {
						o.Concurrency, o.MemoryBudget, o.Unordered = c, budget, unordered
						o.Progress = func(p Progress) { calls = append(calls, p) }
					})
					require.NoError(t, err)
					got, err := readAheadRecs(t, rd)
					require.ErrorIs(t, err, ErrMalformedRow)
					var pe *ParseError
					require.ErrorAs(t, err, &pe)
					require.Equal(t, "f003.csv", pe.File)
					if !unordered {
						require.Equal(t, want, got)
						require.Equal(t, 3, calls[len(calls)-1].FilesDone)
					}
					for _, r := range got {
						if r.file == 3 {
							require.Less(t, r.row, 5)
						}
					}
					require.True(t, calls[len(calls)-1].Done)
					require.Equal(t, int64(len(got)), calls[len(calls)-1].Rows)
					rd.Close()
					waitGoroutines(t, base)
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

// TestReadAheadRowsBreak: breaking out of Rows leaves the read-ahead
// running until Close; the Reader then stops every goroutine; a second
// Rows continues where the first stopped.
func TestReadAheadRowsBreak(t *testing.T) {
	files := aheadSpecs(6, aheadSpec{rows: 3000, badAt: -1, bigAt: -1})
	m, d := buildAhead(files)
	want, _ := wantAhead(files)
	for _, unordered := range []bool{false, true} {
		t.Run(fmt.Sprint(unordered), func(t *testing.T) {
			base := runtime.NumGoroutine()
			rd, err := openFS(t.Context(), m, d, concurrency(3), func(o *ReadOptions) { o.Unordered, o.MemoryBudget = unordered, 1 })
			require.NoError(t, err)
			var got []aheadRec
			for row, err := range rd.Rows() {
				require.NoError(t, err)
				got = append(got, recOf(row))
				if len(got) == 4500 {
					break
				}
			}
			for row, err := range rd.Rows() {
				require.NoError(t, err)
				got = append(got, recOf(row))
				if len(got) == 9000 {
					break
				}
			}
			require.Len(t, got, 9000)
			if !unordered {
				require.Equal(t, want[:9000], got)
			}
			require.NoError(t, rd.Close())
			waitGoroutines(t, base)
		})
	}
}

// TestReadAheadCloseFromProgress: a Progress callback that closes the
// Reader (after a file, or every few rows) neither deadlocks nor brings a
// second Done call, and Next is false afterwards.
func TestReadAheadCloseFromProgress(t *testing.T) {
	files := aheadSpecs(6, aheadSpec{rows: 500, badAt: -1, bigAt: -1})
	m, d := buildAhead(files)
	for _, unordered := range []bool{false, true} {
		for _, every := range []int{0, 333} {
			t.Run(fmt.Sprintf("u=%v/every%d", unordered, every), func(t *testing.T) {
				base := runtime.NumGoroutine()
				var rd *Reader
				var calls []Progress
				rd, err := openFS(t.Context(), m, d, concurrency(3), func(o *ReadOptions) {
					o.Unordered, o.ProgressEvery = unordered, every
					o.Progress = func(p Progress) {
						calls = append(calls, p)
						if !p.Done && (every == 0 && p.FilesDone == 2 || every > 0 && p.Rows >= 999) {
							rd.Close()
						}
					}
				})
				require.NoError(t, err)
				done := make(chan struct{})
				go func() {
					defer close(done)
					for rd.Next() {
					}
				}()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					t.Fatal("deadlock")
				}
				dones := 0
				for _, p := range calls {
					if p.Done {
						dones++
					}
				}
				require.Equal(t, 1, dones)
				require.True(t, calls[len(calls)-1].Done)
				require.False(t, rd.Next())
				waitGoroutines(t, base)
			})
		}
	}
}

// TestReadAheadCancelNeverClean: a context canceled at random points
// (ordered and not) never gives a clean end when rows are left, nor loses
// or duplicates rows before the error.
func TestReadAheadCancelNeverClean(t *testing.T) {
	files := aheadSpecs(10, aheadSpec{rows: 1500, badAt: -1, bigAt: -1})
	m, d := buildAhead(files)
	want, _ := wantAhead(files)
	for iter := range 40 {
		unordered := iter%2 == 1
		stopAt := 1 + (iter*1637)%(len(want)-1)
		t.Run(fmt.Sprintf("%d/u=%v/stop%d", iter, unordered, stopAt), func(t *testing.T) {
			base := runtime.NumGoroutine()
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			myErr := errors.New("my cause")
			rd, err := openFS(ctx, m, d, func(o *ReadOptions) {
				o.Concurrency, o.Unordered, o.MemoryBudget = 2+iter%5, unordered, int64(iter%3)*(300<<10)
			})
			require.NoError(t, err)
			var got []aheadRec
			for rd.Next() {
				row := rd.Row()
				got = append(got, recOf(row))
				if len(got) == stopAt {
					cancel(myErr)
				}
			}
			if len(got) < len(want) {
				require.Error(t, rd.Err(), "clean end after %d of %d rows", len(got), len(want))
				require.ErrorIs(t, rd.Err(), context.Canceled)
				require.ErrorIs(t, rd.Err(), myErr)
			}
			if unordered {
				next := map[int]int{}
				for _, r := range got {
					require.Equal(t, next[r.file], r.row)
					next[r.file]++
				}
			} else {
				require.Equal(t, want[:len(got)], got)
			}
			rd.Close()
			waitGoroutines(t, base)
		})
	}
}

// TestReadAheadCancelKeepsCause: a context canceled with a cause
// (context.WithCancelCause) ends the read with an error that wraps the
// cause, whichever worker notices the cancel first: the cause was lost
// when the worker of the next file noticed it as it opened the file. The
// cancel comes right after the first row of file 1, when files 0 and 1
// are wholly read ahead and the worker of file 2 has just been started.
func TestReadAheadCancelKeepsCause(t *testing.T) {
	files := aheadSpecs(6, aheadSpec{rows: 20, badAt: -1, bigAt: -1})
	m, d := buildAhead(files)
	myErr := errors.New("my cause")
	lost, tries := 0, 200
	var example error
	for _, unordered := range []bool{false, true} {
		for range tries / 2 {
			ctx, cancel := context.WithCancelCause(t.Context())
			rd, err := openFS(ctx, m, d, concurrency(2), func(o *ReadOptions) { o.Unordered = unordered })
			require.NoError(t, err)
			n := 0
			for rd.Next() {
				n++
				if n == 21 {
					cancel(myErr)
				}
			}
			err = rd.Err()
			require.Error(t, err, "clean end after a cancel with rows left")
			require.ErrorIs(t, err, context.Canceled)
			if !errors.Is(err, myErr) {
				lost++
				example = err
			}
			rd.Close()
			cancel(nil)
		}
	}
	assert.Zero(t, lost, "%d of %d reads lost the cancel's cause, e.g. %v", lost, tries, example)
}

// blockFS serves a MapFS, but reads of one file block until released (or
// until the test ends).
type blockFS struct {
	fstest.MapFS
	key     string
	release chan struct{}
	opened  atomic.Int32
}

func (b *blockFS) Open(name string) (fs.File, error) {
	f, err := b.MapFS.Open(name)
	if err != nil || name != b.key {
		return f, err
	}
	b.opened.Add(1)
	return &blockFile{File: f, release: b.release}, nil
}

type blockFile struct {
	fs.File
	release chan struct{}
}

func (f *blockFile) Read(p []byte) (int, error) {
	<-f.release
	return f.File.Read(p)
}

// TestReadAheadSlowFileUnordered: with one file stalled, unordered gives
// every other file's rows first; ordered waits for it. Cancel while the
// caller waits on a stalled file in unordered mode returns at once.
func TestReadAheadSlowFileUnordered(t *testing.T) {
	files := aheadSpecs(6, aheadSpec{rows: 2000, badAt: -1, bigAt: -1})
	m, d := buildAhead(files)
	bfs := &blockFS{MapFS: m, key: "f001.csv", release: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rd, err := openFS(ctx, bfs, d, concurrency(3), func(o *ReadOptions) { o.Unordered = true })
	require.NoError(t, err)
	n := 0
	for rd.Next() {
		n++
		if n == 5*2000 {
			break
		}
	}
	require.Equal(t, 5*2000, n)
	errc := make(chan error, 1)
	go func() {
		for rd.Next() {
		}
		errc <- rd.Err()
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	// The stalled worker cannot see ctx (a local file): stop waits for it,
	// so release it shortly after.
	time.AfterFunc(100*time.Millisecond, func() { close(bfs.release) })
	select {
	case err := <-errc:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("no return after cancel")
	}
	rd.Close()
}

// TestReadAheadBudget: the bytes of rows waiting in the read-ahead
// channels (ordered) stay within about the budget once the workers block.
func TestReadAheadBudget(t *testing.T) {
	files := aheadSpecs(6, aheadSpec{rows: 60000, badAt: -1, bigAt: -1, wide: true})
	m, d := buildAhead(files)
	for _, tc := range []struct {
		c      int
		budget int64
	}{{2, 4 << 20}, {4, 4 << 20}, {8, 32 << 20}, {3, 1 << 20}} {
		t.Run(fmt.Sprintf("c%d/b%d", tc.c, tc.budget), func(t *testing.T) {
			rd, err := openFS(t.Context(), m, d, concurrency(tc.c), func(o *ReadOptions) { o.MemoryBudget = tc.budget })
			require.NoError(t, err)
			defer rd.Close()
			require.True(t, rd.Next())
			ra := rd.ra
			// Wait until every worker has filled its channel.
			deadline := time.Now().Add(5 * time.Second)
			for {
				full := true
				for i := 0; i < ra.started; i++ {
					if f := ra.files[i]; len(f.ch) < cap(f.ch) {
						full = false
					}
				}
				if full || time.Now().After(deadline) {
					break
				}
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond)
			used, size := rd.b.used(), rd.b.size()
			nb := 1
			for i := 0; i < ra.started; i++ {
				f := ra.files[i]
				for range len(f.ch) {
					b := <-f.ch
					used += b.used()
					size += b.size()
					nb++
				}
			}
			// One batch per worker is being filled or blocked in send.
			used += ra.started * ra.batchBytes
			size += ra.started * (ra.batchBytes + ra.batchBytes/4)
			t.Logf("batchBytes %d k %d: %d batches, used %d (%.2f× budget), capacity %d (%.2f×)",
				ra.batchBytes, ra.k, nb, used, float64(used)/float64(tc.budget), size, float64(size)/float64(tc.budget))
			assert.Less(t, float64(used), 1.6*float64(tc.budget))
		})
	}
}

// TestReadAheadHugeMemoryBudget: a MemoryBudget meant as "no limit"
// (math.MaxInt64, 1<<62) reads the delivery. Channels are allocated whole
// when made, and an uncapped batch count asked for 2^43 slots: a fatal
// "out of memory" no recover catches, so the read runs in a child process.
func TestReadAheadHugeMemoryBudget(t *testing.T) {
	if b := os.Getenv("CURCONNECT_HUGE_BUDGET"); b != "" {
		// The child: the crash is a fatal runtime error (out of memory in
		// makechan), which no recover catches.
		budget, err := strconv.ParseInt(b, 10, 64)
		require.NoError(t, err)
		files := aheadSpecs(3, aheadSpec{rows: 50, badAt: -1, bigAt: -1})
		m, d := buildAhead(files)
		want, _ := wantAhead(files)
		rd, err := openFS(t.Context(), m, d, concurrency(2), func(o *ReadOptions) { o.MemoryBudget = budget })
		require.NoError(t, err)
		defer rd.Close()
		got, err := readAheadRecs(t, rd)
		require.NoError(t, err)
		require.Equal(t, want, got)
		return
	}
	for _, budget := range []int64{math.MaxInt64, 1 << 62} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestReadAheadHugeMemoryBudget$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("CURCONNECT_HUGE_BUDGET=%d", budget))
			out, err := cmd.CombinedOutput()
			if err != nil {
				lines := strings.Split(string(out), "\n")
				t.Fatalf("reading 3 small files with MemoryBudget %d: %v\n%s", budget, err, strings.Join(lines[:min(len(lines), 12)], "\n"))
			}
		})
	}
}

// TestReadAheadHugeBudgetAllocatesLittle: a budget of 16 TiB on a 2-file
// delivery of a few bytes allocates little up front (it was 256 MiB of
// empty channel slots).
func TestReadAheadHugeBudgetAllocatesLittle(t *testing.T) {
	files := aheadSpecs(2, aheadSpec{rows: 5, badAt: -1, bigAt: -1})
	m, d := buildAhead(files)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rd, err := openFS(t.Context(), m, d, concurrency(2), func(o *ReadOptions) { o.MemoryBudget = 1 << 44 })
	require.NoError(t, err)
	runtime.ReadMemStats(&after)
	_, err = readAheadRecs(t, rd)
	require.NoError(t, err)
	rd.Close()
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("Open allocated %d MiB", alloc>>20)
	assert.Less(t, alloc, uint64(64<<20), "Open of a 2-file, 10-row delivery allocated %d MiB", alloc>>20)
}

// TestReadAheadBigRowTinyBudget: rows far larger than the budget (and
// than a batch) are read whole, in order, with no deadlock.
func TestReadAheadBigRowTinyBudget(t *testing.T) {
	var files []aheadSpec
	for i := range 6 {
		files = append(files, aheadSpec{rows: 300, badAt: -1, bigAt: 10 * i, bigSize: 3 << 20, wide: i%2 == 0})
	}
	m, d := buildAhead(files)
	want, _ := wantAhead(files)
	for _, c := range []int{2, 4} {
		for _, unordered := range []bool{false, true} {
			t.Run(fmt.Sprintf("c%d/u=%v", c, unordered), func(t *testing.T) {
				rd, err := openFS(t.Context(), m, d, func(o *ReadOptions) {
					o.Concurrency, o.MemoryBudget, o.Unordered = c, 1, unordered
				})
				require.NoError(t, err)
				defer rd.Close()
				var got []aheadRec
				for rd.Next() {
					row := rd.Row()
					rec := recOf(row)
					k, _ := row.Get("k")
					if rec.row == files[rec.file].bigAt {
						require.Equal(t, 3<<20, len(k))
					} else {
						require.Equal(t, rec.row%37, len(k))
					}
					got = append(got, rec)
				}
				require.NoError(t, rd.Err())
				if unordered {
					checkUnordered(t, files, got)
				} else {
					require.Equal(t, want, got)
				}
			})
		}
	}
}

// TestReadAheadRowOverBatchLimit: a row whose bytes would overflow a
// batch's 32-bit offsets (2 GiB; lowered here to 1 MiB) ends the file with
// an error naming it, after every row before it, never with wrapped
// offsets that give another row's bytes.
func TestReadAheadRowOverBatchLimit(t *testing.T) {
	defer func(n int) { maxBatchData = n }(maxBatchData)
	maxBatchData = 1 << 20
	for _, wide := range []bool{false, true} { // field mode and raw mode
		t.Run(fmt.Sprint("wide=", wide), func(t *testing.T) {
			files := aheadSpecs(3, aheadSpec{rows: 50, badAt: -1, bigAt: -1, wide: wide})
			files[1].bigAt, files[1].bigSize = 30, 2<<20
			m, d := buildAhead(files)
			want, _ := wantAhead(files)
			rd, err := openFS(t.Context(), m, d, concurrency(2), func(o *ReadOptions) { o.MaxRecordSize, o.MaxFieldSize = 4<<20, 4<<20 })
			require.NoError(t, err)
			defer rd.Close()
			got, err := readAheadRecs(t, rd)
			var fe *FileError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "f001.csv", fe.File)
			assert.ErrorIs(t, err, curerr.ErrMalformed)
			assert.Equal(t, want[:50+30], got)
		})
	}
}

// TestReadAheadRowValidUntilNext: a row taken (not cloned) keeps its
// values while read-ahead workers run and refill, until the next Next; a
// cloned row keeps them for ever.
func TestReadAheadRowValidUntilNext(t *testing.T) {
	files := aheadSpecs(5, aheadSpec{rows: 3000, badAt: -1, bigAt: -1, wide: true})
	files[2].wide = false
	m, d := buildAhead(files)
	for _, unordered := range []bool{false, true} {
		t.Run(fmt.Sprint(unordered), func(t *testing.T) {
			rd, err := openFS(t.Context(), m, d, concurrency(4), func(o *ReadOptions) { o.Unordered, o.MemoryBudget = unordered, 1 })
			require.NoError(t, err)
			defer rd.Close()
			n := 0
			var clones []Row
			var cloneVals []string
			for rd.Next() {
				row := rd.Row()
				before := rowValues(row)
				if n%500 == 499 {
					time.Sleep(2 * time.Millisecond) // let the workers refill
				}
				require.Equal(t, before, rowValues(row))
				require.Equal(t, before, rowValues(rd.Row()))
				if n%211 == 0 {
					clones = append(clones, row.Clone())
					cloneVals = append(cloneVals, strings.Join(before, "|"))
				}
				n++
			}
			require.NoError(t, rd.Err())
			for i, c := range clones {
				require.Equal(t, cloneVals[i], strings.Join(rowValues(c), "|"))
			}
		})
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
