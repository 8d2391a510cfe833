package s3io

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/colname"
	"github.com/curconnect/curconnect/internal/csvsplit"
)

// curFile builds a small legacy CUR gzip CSV and its exact cost total,
// computed with math/big from the same strings (not with our reader).
func curFile(t *testing.T, rows int) ([]byte, string) {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("identity/LineItemId,bill/InvoicingEntity,lineItem/UnblendedCost,lineItem/LineItemDescription\n")
	rng := rand.New(rand.NewPCG(3, 4))
	total := new(bigRat)
	for i := range rows {
		var cost string
		switch i % 4 {
		case 0:
			cost = fmt.Sprintf("%d.%010d", rng.IntN(3), rng.Int64N(1e10))
		case 1:
			cost = fmt.Sprintf("%d.%dE-5", 1+rng.IntN(9), rng.IntN(10))
		case 2:
			cost = fmt.Sprintf("-%d.%d", rng.IntN(10), rng.IntN(100))
		default:
			cost = ""
		}
		total.add(t, cost)
		fmt.Fprintf(&sb, "id%06d,\"Amazon Web Services, Inc.\",%s,\"usage, \"\"quoted\"\"\nsecond line\"\n", i, cost)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := io.WriteString(zw, sb.String())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes(), total.String()
}

// sumCost streams a gzip CSV from S3 and sums lineItem/UnblendedCost.
func sumCost(fs *faultServer, key string) (string, int, error) {
	body, err := NewReader(fs.t.Context(), fs.client, bucket, key, fast)
	if err != nil {
		return "", 0, err
	}
	defer body.Close()
	p, err := csvsplit.NewGzip(body, &csvsplit.PipeOptions{ChunkSize: 4096})
	if err != nil {
		return "", 0, err
	}
	defer p.Close()
	r := csvsplit.NewReader(p, nil)
	hdr, err := r.Read()
	if err != nil {
		return "", 0, err
	}
	names := make([]string, len(hdr))
	for i, h := range hdr {
		names[i] = string(h)
	}
	col := colname.NewIndex(names).Lookup("line_item_unblended_cost")[0]
	var sum decimal.Decimal
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return sum.String(), n, nil
		}
		if err != nil {
			return "", n, err
		}
		n++
		d, err := decimal.ParseBytes(rec[col])
		if err == decimal.ErrEmpty {
			continue
		}
		if err != nil {
			return "", n, err
		}
		sum = sum.Add(d)
	}
}

func TestPipelineExactUnderFaults(t *testing.T) {
	fs := newFaultServer(t)
	fs.enforceIfMatch = true
	data, want := curFile(t, 3000)
	fs.put("cur/r-00001.csv.gz", data)
	rng := rand.New(rand.NewPCG(9, 9))
	for round := range 5 {
		var cuts []int
		for range 4 {
			cuts = append(cuts, rng.IntN(len(data)/3))
		}
		fs.setCuts(cuts...)
		fs.mu.Lock()
		fs.slowDowns = round % 3
		fs.mu.Unlock()
		got, n, err := sumCost(fs, "cur/r-00001.csv.gz")
		require.NoError(t, err, "round %d, cuts %v", round, cuts)
		assert.Equal(t, 3000, n)
		assert.Equal(t, want, got, "exact total despite cuts %v", cuts)
	}
}

func TestPipelineTruncatedGzipObject(t *testing.T) {
	fs := newFaultServer(t)
	data, _ := curFile(t, 2000)
	rng := rand.New(rand.NewPCG(5, 5))
	for range 10 {
		cut := 20 + rng.IntN(len(data)-20)
		fs.put("cur/truncated.csv.gz", data[:cut]) // the object itself is short
		_, n, err := sumCost(fs, "cur/truncated.csv.gz")
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d of %d", cut, len(data))
		assert.Less(t, n, 2000+1)
	}
}
