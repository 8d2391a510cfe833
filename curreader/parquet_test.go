package curreader

import (
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curtest"
)

// TestReadGeneratedEveryLayout reads the current delivery of every period
// of every layout curtest writes (CSV and Parquet), from S3 and from a local
// copy, and requires curtest's exact totals.
func TestReadGeneratedEveryLayout(t *testing.T) {
	sink := curtest.NewMapSink()
	var results []*curtest.Result
	for i, spec := range generatedLayouts("cur") {
		spec.Prefix, spec.Bucket, spec.Seed, spec.Rows = "cur", testBucket, uint64(i+1), 40
		res, err := curtest.Generate(t.Context(), sink, spec)
		require.NoError(t, err, spec.Name)
		results = append(results, res)
	}
	o := objects(sink.Objects())
	s3r, s := gofakes3Backend(t, o)
	m := fstest.MapFS{}
	for k, v := range o {
		m[k] = &fstest.MapFile{Data: v}
	}
	fsr := NewFS(m, testBucket)
	ctx := t.Context()
	for _, res := range results {
		for _, p := range res.Periods() {
			cur := res.Current(p)
			for _, be := range []string{"s3", "fs"} {
				t.Run(fmt.Sprintf("%s/%s/%s", res.Spec.Name, p, be), func(t *testing.T) {
					r := s3r
					if be == "fs" {
						r = fsr
					}
					rep, err := r.Find(ctx, "cur", res.Spec.Name)
					require.NoError(t, err)
					month, err := time.Parse("2006-01", p)
					require.NoError(t, err)
					d, err := r.Resolve(ctx, rep, month)
					require.NoError(t, err)
					allow := func(o *ReadOptions) { o.AllowUpdating = true }
					var rd *Reader
					if be == "fs" {
						rd, err = openFS(ctx, m, d, allow)
					} else {
						rd, err = openS3(ctx, s.Client, d, allow)
					}
					require.NoError(t, err)
					defer rd.Close()
					got, err := sumRows(t, rd, cur.CostColumn, cur.ProductColumn)
					require.NoError(t, err)
					equalTruth(t, got, cur)
				})
			}
		}
	}
}
