package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// syncRun runs curcat sync -json and returns the deliveries it printed as
// "name period version" strings.
func syncRun(t *testing.T, endpoint, state string, extra ...string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"sync", "-bucket", bucket, "-prefix", "cur", "-endpoint", endpoint, "-path-style", "-json", "-state", state}, extra...)
	require.NoError(t, run(t.Context(), args, &out, &errOut), errOut.String())
	var got []string
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var e listEntry
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&e), sc.Text())
		got = append(got, e.Name+" "+e.Period+" "+e.Version)
	}
	return got
}

// TestSync: the first run prints every delivery, a run right after prints
// nothing, and after AWS restates a month the next run prints that month
// alone. -dry-run prints without recording.
func TestSync(t *testing.T) {
	s := startS3(t)
	for k := range layout {
		if strings.HasPrefix(k, "cur/broken/") {
			_, err := s.Client.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}) // only resolvable deliveries here
			require.NoError(t, err)
		}
	}
	ctx := t.Context()
	spec := curtest.Spec{Kind: curtest.LegacyCUR, Name: "gen", Prefix: "cur", Bucket: bucket, Months: 3, Rows: 5, Seed: 4}
	before, err := curtest.Generate(ctx, curtest.S3Sink{Client: s, Bucket: bucket}, spec)
	require.NoError(t, err)
	state := filepath.Join(t.TempDir(), "state.json")
	ep := s.URL

	first := syncRun(t, ep, state, "-dry-run")
	assert.Len(t, first, 5, "two hand-made deliveries and three generated months")
	_, err = os.Stat(state)
	assert.ErrorIs(t, err, os.ErrNotExist, "-dry-run records nothing")

	assert.Equal(t, first, syncRun(t, ep, state), "the first real run prints the same")
	assert.Empty(t, syncRun(t, ep, state), "a run right after prints nothing")

	// AWS restates the first month after a refund.
	spec.Restate = true
	after, err := curtest.Generate(ctx, curtest.S3Sink{Client: s, Bucket: bucket}, spec)
	require.NoError(t, err)
	var want []string
	for _, p := range after.Periods() {
		if after.Current(p).Version != before.Current(p).Version {
			want = append(want, "gen "+p+" "+after.Current(p).Version)
		}
	}
	require.NotEmpty(t, want)
	assert.Equal(t, want, syncRun(t, ep, state), "only the restated month")
	assert.Empty(t, syncRun(t, ep, state))

	// The state file is the library's JSON form, keyed by bucket, prefix,
	// report and period.
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"prefix": "cur"`)
	assert.Contains(t, string(data), `"report": "gen"`)

	// A state file that is not one is bad input, and nothing is printed.
	require.NoError(t, os.WriteFile(state, []byte(`{"version": 9}`), 0o644))
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"sync", "-bucket", bucket, "-endpoint", s.URL, "-path-style", "-state", state}, &out, &errOut)
	assert.Equal(t, exitBadInput, exitCode(err, &errOut))
	assert.Empty(t, out.String())
}

// TestTypoExitsBadInput: a column that is no column (-cost, -by,
// -columns), in S3 mode and -file mode, exits 2 naming the closest real
// name, and prints no total.
func TestTypoExitsBadInput(t *testing.T) {
	s := startS3(t)
	ctx := t.Context()
	res, err := curtest.Generate(ctx, curtest.S3Sink{Client: s, Bucket: bucket},
		curtest.Spec{Kind: curtest.LegacyCUR, Name: "gen", Prefix: "cur", Bucket: bucket, Rows: 5, Seed: 4})
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "x.csv.gz")
	body, ok := func() ([]byte, bool) {
		out, err := s.Client.GetObject(ctx, getInput(bucket, res.Current(res.Periods()[0]).DataKeys[0]))
		if err != nil {
			return nil, false
		}
		defer out.Body.Close()
		var b bytes.Buffer
		_, err = b.ReadFrom(out.Body)
		return b.Bytes(), err == nil
	}()
	require.True(t, ok)
	require.NoError(t, os.WriteFile(file, body, 0o644))

	period := res.Periods()[0]
	for _, args := range [][]string{
		{"sum", "-bucket", bucket, "-prefix", "cur", "-endpoint", s.URL, "-path-style", "-report", "gen", "-period", period, "-by", "lineItem/ProductCode", "-cost", "lineItem/UnblendedCosts", "-json"},
		{"sum", "-bucket", bucket, "-prefix", "cur", "-endpoint", s.URL, "-path-style", "-report", "gen", "-period", period, "-by", "lineItem/ProductCod", "-json"},
		{"rows", "-bucket", bucket, "-prefix", "cur", "-endpoint", s.URL, "-path-style", "-report", "gen", "-period", period, "-columns", "lineItem/UnblendedCost,lineItem/UsageAcountId"},
		{"sum", "-file", file, "-by", "lineItem/ProductCode", "-cost", "lineItem/UnblendedCosts", "-json"},
	} {
		var out, errOut bytes.Buffer
		err := run(ctx, args, &out, &errOut)
		require.Error(t, err, args)
		assert.Equal(t, exitBadInput, exitCode(err, &errOut), "%v", args)
		assert.Contains(t, errOut.String(), "closest: lineItem/", "%v", args)
		assert.NotContains(t, out.String(), `"total"`, "no total is printed")
	}
}

func getInput(bucket, key string) *s3.GetObjectInput {
	return &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
}

// TestHistorical: historical CSV files beside an Athena-integrated report
// are listed as kind "historical", name "historical", one per month from
// their rows, with covered_by on the month the report also delivers; sum
// -report historical is exact; a second copy of a month is refused naming
// both files.
func TestHistorical(t *testing.T) {
	s := startS3(t)
	ctx := t.Context()
	_, err := curtest.Generate(ctx, curtest.S3Sink{Client: s, Bucket: bucket}, curtest.Spec{Kind: curtest.LegacyCUR, Name: "eco", Prefix: "hist",
		Bucket: bucket, Athena: true, Format: curtest.Parquet, Versioning: curtest.Overwrite, Start: "2024-03", Rows: 10, Seed: 1})
	require.NoError(t, err)
	old := curtest.NewMapSink()
	res, err := curtest.Generate(ctx, old, curtest.Spec{Kind: curtest.LegacyCUR, Name: "x", Prefix: "x", Bucket: bucket, Start: "2024-02", Months: 2, Rows: 40, Seed: 2})
	require.NoError(t, err)
	for i, p := range res.Periods() {
		body, _ := old.Get(res.Current(p).DataKeys[0])
		s.Put(t, bucket, fmt.Sprintf("hist/uploads/old-%d.csv.gz", i), body)
	}
	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"list", "-bucket", bucket, "-prefix", "hist", "-endpoint", s.URL, "-path-style", "-json"}, &out, &errOut), errOut.String())
	listed := out.String()
	var hist []listEntry
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var e listEntry
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		if e.Kind == "historical" {
			hist = append(hist, e)
		}
	}
	require.Len(t, hist, 2)
	assert.Equal(t, "historical", hist[0].Name)
	assert.Equal(t, "2024-02", hist[0].Period)
	assert.Empty(t, hist[0].CoveredBy)
	assert.Equal(t, "2024-03", hist[1].Period)
	assert.Equal(t, []string{"eco"}, hist[1].CoveredBy)
	assert.Contains(t, listed, `"covered_by":["eco"]`)

	out.Reset()
	require.NoError(t, run(ctx, []string{"sum", "-bucket", bucket, "-prefix", "hist", "-endpoint", s.URL, "-path-style", "-report", "historical",
		"-period", "2024-02", "-by", "lineItem/ProductCode", "-json"}, &out, &errOut), errOut.String())
	var sum sumOutput
	require.NoError(t, json.Unmarshal(out.Bytes(), &sum))
	assert.Equal(t, decimal.MustParse(res.Current("2024-02").Total).String(), sum.Total)

	body, _ := old.Get(res.Current("2024-02").DataKeys[0])
	s.Put(t, bucket, "hist/uploads/february-copy.csv.gz", body)
	out.Reset()
	errOut.Reset()
	err = run(ctx, []string{"sum", "-bucket", bucket, "-prefix", "hist", "-endpoint", s.URL, "-path-style", "-report", "historical",
		"-period", "2024-02", "-by", "lineItem/ProductCode", "-json"}, &out, &errOut)
	require.Error(t, err)
	assert.Equal(t, exitFindings, exitCode(err, &errOut))
	assert.Contains(t, errOut.String(), "hist/uploads/february-copy.csv.gz")
	assert.Contains(t, errOut.String(), "hist/uploads/old-0.csv.gz")
	assert.Empty(t, out.String())
}
