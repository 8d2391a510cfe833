package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// TestReadReportsExactSumAndPeak runs the child's part in-process on a
// small delivery: every row read, the exact sum, and a peak RSS.
func TestReadReportsExactSumAndPeak(t *testing.T) {
	root := t.TempDir()
	res, err := curtest.Generate(t.Context(), curtest.DirSink{Root: root}, curtest.Spec{
		Kind: curtest.LegacyCUR, Name: "mem", Prefix: "cur", Format: curtest.CSVGzip, Files: 1, Rows: 5000, Seed: 3,
	})
	require.NoError(t, err)
	truth := res.Deliveries[len(res.Deliveries)-1]

	var out bytes.Buffer
	require.NoError(t, read(t.Context(), root, truth.CostColumn, &out))
	var r result
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	want, err := decimal.Parse(truth.Total)
	require.NoError(t, err)
	assert.Equal(t, truth.Rows, r.Rows)
	assert.Equal(t, want.String(), r.Sum)
	assert.Positive(t, r.VmHWMKiB, "VmHWM read from /proc/self/status")
}

func TestBadFlag(t *testing.T) {
	var out bytes.Buffer
	require.Error(t, run(t.Context(), []string{"-rows", "x"}, &out))
}
