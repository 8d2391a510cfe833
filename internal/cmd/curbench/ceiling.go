package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/curconnect/curconnect/internal/csvsplit"
)

// The machine's own ceilings, measured in the same run as the readers.
// A 2-core cloud machine is not two independent cores: two memory-heavy
// jobs slow each other through the shared caches and memory, and a
// neighbour's load comes and goes. So the reader is compared not only with
// decompression alone but with what decompression does on this machine
// while the other core works:
//
//	busy-split   (a child) splits up to 64 MB of the file's CSV, held in
//	             memory, over and over until its stdin closes: the load a
//	             reader's splitting goroutine puts on the second core
//	decompress beside busy-split
//	             the decompress variant timed while busy-split runs: the
//	             fastest a 2-stage reader (decompress → split) can be here
//	decompress pair
//	             both files of a 2-file delivery decompressed by two
//	             children at once, against one after the other: how much
//	             a second core adds to this work here

// busySplit is the busy-split child: it prints "ready" once its data is in
// memory, then splits until stdin reaches its end, and prints the passes.
func busySplit(path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return err
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	}
	var stop atomic.Bool
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop.Store(true)
	}()
	fmt.Fprintln(stdout, "ready")
	passes := 0
	for !stop.Load() {
		r := csvsplit.NewReader(bytes.NewReader(data), nil)
		for !stop.Load() {
			err := r.Next()
			if err == io.EOF {
				passes++
				break
			}
			if err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "passes %d\n", passes)
	return nil
}

// besideSplit times the decompress child on path while a busy-split child
// keeps the other core busy.
func besideSplit(ctx context.Context, exe, path string) (result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	busy := exec.CommandContext(ctx, exe, "-child", "busy-split", "-file", path)
	stdin, err := busy.StdinPipe()
	if err != nil {
		return result{}, err
	}
	out, err := busy.StdoutPipe()
	if err != nil {
		return result{}, err
	}
	busy.Stderr = os.Stderr
	if err := busy.Start(); err != nil {
		return result{}, err
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		stdin.Close()
		busy.Wait()
		return result{}, fmt.Errorf("busy-split did not start: %q %v", lines.Text(), lines.Err())
	}
	res, runErr := runChild(ctx, exe, "decompress", path)
	stdin.Close()
	passes := ""
	if lines.Scan() {
		passes = lines.Text()
	}
	if err := busy.Wait(); err != nil {
		return result{}, fmt.Errorf("busy-split: %w", err)
	}
	if runErr != nil {
		return result{}, runErr
	}
	if p, ok := bytes.CutPrefix([]byte(passes), []byte("passes ")); !ok || string(p) == "0" {
		// The splitter must have been running the whole time.
		return result{}, fmt.Errorf("busy-split made no full pass while decompress ran (%q): the comparison would be void", passes)
	}
	res.Variant = "decompress-beside-split"
	return res, nil
}

// decompressPair decompresses files a and b one after the other and then
// both at once, each in its own child, and returns the two wall times.
func decompressPair(ctx context.Context, exe, a, b string) (serial, pair float64, err error) {
	start := time.Now()
	for _, p := range []string{a, b} {
		if _, err := runChild(ctx, exe, "decompress", p); err != nil {
			return 0, 0, err
		}
	}
	serial = time.Since(start).Seconds()
	start = time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []string{a, b} {
		wg.Go(func() { _, errs[i] = runChild(ctx, exe, "decompress", p) })
	}
	wg.Wait()
	pair = time.Since(start).Seconds()
	for _, err := range errs {
		if err != nil {
			return 0, 0, err
		}
	}
	return serial, pair, nil
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
