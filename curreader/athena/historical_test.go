package athena_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/athena"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// TestPlanHistorical: historical CSV files beside an Athena-integrated
// report become a table of their own, "historical", one partition per month
// their rows name, each listing exactly that month's files; a month whose
// files repeat the same line items is left out as a problem, never
// published to be counted twice.
func TestPlanHistorical(t *testing.T) {
	ctx := t.Context()
	sink := curtest.NewMapSink()
	_, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "eco", Prefix: "cur", Bucket: curtest.DefaultBucket,
		Athena: true, Format: curtest.Parquet, Versioning: curtest.Overwrite, Start: "2024-03", Rows: 10, Seed: 1})
	require.NoError(t, err)
	old := curtest.NewMapSink()
	res, err := curtest.Generate(ctx, old, curtest.Spec{Kind: curtest.LegacyCUR, Name: "x", Prefix: "x", Bucket: curtest.DefaultBucket,
		Start: "2024-01", Months: 3, Files: 2, Rows: 30, Seed: 2})
	require.NoError(t, err)
	put := func(key string, body []byte) {
		require.NoError(t, sink.Put(ctx, key, func(w io.Writer) error { _, err := w.Write(body); return err }))
	}
	get := func(s *curtest.MapSink) func(string) []byte {
		return func(k string) []byte { b, ok := s.Get(k); require.True(t, ok, k); return b }
	}
	for _, p := range res.Periods() {
		for i, k := range res.Current(p).DataKeys {
			put("cur/uploads/"+p+"-"+string(rune('a'+i))+".csv.gz", get(old)(k))
		}
	}
	// A second copy of January under another name.
	put("cur/uploads/january-again.csv.gz", get(old)(res.Current("2024-01").DataKeys[0]))

	r := fsResolver(sink)
	p, err := athena.NewPlan(ctx, r, "cur", dest)
	require.NoError(t, err)
	tb := tableOf(t, p, curreader.HistoricalReport)
	assert.Equal(t, "historical", tb.Name)
	assert.Equal(t, curreader.KindHistorical, tb.Kind)
	var periods []string
	for _, part := range tb.Partitions {
		periods = append(periods, part.Period)
		cur := res.Current(part.Period)
		keys := keysOf(t, symlinkURIs(t, part.Symlink()))
		assert.Len(t, keys, 2, part.Period)
		rows, total := readListed(t, get(sink), keys, cur.CostColumn)
		assert.Equal(t, cur.Rows, rows, part.Period)
		assert.True(t, decimal.MustParse(cur.Total).Equal(total), "%s: %s, delivered %s", part.Period, total, cur.Total)
	}
	assert.Equal(t, []string{"2024-02", "2024-03"}, periods, "January is refused")
	probs := problemsOf(p, curreader.HistoricalReport)
	require.Len(t, probs, 1)
	assert.Equal(t, "2024-01", probs[0].Period)
	assert.ErrorIs(t, probs[0], curreader.ErrDuplicateLineItems)
}
