package curreader_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// A local copy of a bucket (here generated in memory) resolves and reads
// the same way as S3: every report, the newest delivery of each month, and
// an exact sum of its rows.
func Example() {
	ctx := context.Background()
	sink := curtest.NewMapSink()
	_, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.LegacyCUR, Name: "acme-cur", Prefix: "cur",
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
		rd, err := r.Open(ctx, d)
		if err != nil {
			log.Fatal(err)
		}
		var total decimal.Decimal
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

// A CUR 2.0 export delivered as Parquet reads the same way; a projection
// makes the reader fetch only the columns asked for, and a progress
// callback reports bytes and rows.
func ExampleReadOptions() {
	ctx := context.Background()
	sink := curtest.NewMapSink()
	_, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.CUR2, Name: "acme-cur2", Prefix: "exports",
		Format: curtest.Parquet, Files: 3, Rows: 50, Seed: 2})
	if err != nil {
		log.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for k, v := range sink.Objects() {
		fsys[k] = &fstest.MapFile{Data: v}
	}
	r := curreader.NewFS(fsys, "")
	rep, err := r.Find(ctx, "exports", "acme-cur2")
	if err != nil {
		log.Fatal(err)
	}
	deliveries, err := r.Latest(ctx, rep)
	if err != nil {
		log.Fatal(err)
	}
	rd, err := r.Open(ctx, deliveries[0], func(o *curreader.ReadOptions) {
		o.Columns = []string{"lineItem/UnblendedCost", "line_item_product_code"}
		o.Concurrency = 2
		o.Progress = func(p curreader.Progress) {
			if p.Done {
				fmt.Printf("done: %d rows from %d of %d files\n", p.Rows, p.FilesDone, p.Files)
			}
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer rd.Close()
	byService := map[string]decimal.Decimal{}
	for row, err := range rd.Rows() {
		if err != nil {
			log.Fatal(err)
		}
		cost, ok, err := row.Decimal("line_item_unblended_cost")
		if err != nil {
			log.Fatal(err)
		}
		if svc, _ := row.Get("lineItem/ProductCode"); ok {
			byService[svc] = byService[svc].Add(cost)
		}
	}
	fmt.Println("AmazonEC2:", byService["AmazonEC2"])
	// Output:
	// done: 150 rows from 3 of 3 files
	// AmazonEC2: 5.7406977917
}

// OpenFile reads one local data file, CSV or Parquet, by its name.
func ExampleOpenFile() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "curreader-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	res, err := curtest.Generate(ctx, curtest.DirSink{Root: dir}, curtest.Spec{Kind: curtest.LegacyCUR, Name: "r", Prefix: "cur", Rows: 5, Seed: 3})
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, res.Current(res.Periods()[0]).DataKeys[0])
	rd, err := curreader.OpenFile(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer rd.Close()
	for rd.Next() {
		row := rd.Row()
		start, end, _, err := row.TimeInterval()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(row.Line(), end.Sub(start))
	}
	if err := rd.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2 1h0m0s
	// 3 1h0m0s
	// 4 1h0m0s
	// 5 1h0m0s
	// 6 1h0m0s
}
