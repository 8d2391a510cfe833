package curreader_test

import (
	"context"
	"fmt"
	"log"
	"testing/fstest"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/internal/curgen"
)

// A local copy of a bucket (here generated in memory) resolves and reads
// the same way as S3: every report, the newest delivery of each month, and
// an exact sum of its rows.
func Example() {
	ctx := context.Background()
	sink := curgen.NewMapSink()
	_, err := curgen.Generate(ctx, sink, curgen.Spec{Kind: curgen.LegacyCUR, Name: "acme-cur", Prefix: "cur",
		Months: 2, Versions: 2, Files: 2, Rows: 10, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for k, v := range sink.Objects() {
		fsys[k] = &fstest.MapFile{Data: v}
	}

	r := curreader.NewFS(fsys, "")
	rep, err := r.Find(ctx, "cur", "acme-cur")
	if err != nil {
		log.Fatal(err)
	}
	deliveries, err := r.Latest(ctx, rep)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range deliveries {
		rd, err := curreader.OpenFS(ctx, fsys, d)
		if err != nil {
			log.Fatal(err)
		}
		var total curreader.Decimal
		rows := 0
		for row, err := range rd.Rows() {
			if err != nil {
				log.Fatal(err)
			}
			rows++
			if cost, ok, err := row.Decimal("line_item_unblended_cost"); err != nil {
				log.Fatal(err)
			} else if ok {
				total = total.Add(cost)
			}
		}
		rd.Close()
		fmt.Printf("%s %s: %d files, %d rows, %s\n", d.Kind, d.Period, len(d.Files), rows, total)
	}
	// Output:
	// cur 2024-03: 2 files, 20 rows, -3.1436808442
	// cur 2024-04: 2 files, 20 rows, -2.2216351444
}
