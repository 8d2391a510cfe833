package curtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// Generate writes a delivery to any Sink (here memory) and returns the
// ground truth: every key, and the exact totals of each delivery.
func ExampleGenerate() {
	sink := curtest.NewMapSink()
	res, err := curtest.Generate(context.Background(), sink, curtest.Spec{
		Kind:       curtest.CUR2,
		Name:       "acme-cur2",
		Prefix:     "exports",
		Versioning: curtest.Overwrite,
		Files:      2,
		Rows:       10,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range res.Keys {
		fmt.Println(k)
	}
	cur := res.Current("2024-03")
	fmt.Println(cur.Rows, "rows,", cur.CostColumn, "sums to", cur.Total)
	// Output:
	// exports/acme-cur2/data/BILLING_PERIOD=2024-03/acme-cur2-00001.csv.gz
	// exports/acme-cur2/data/BILLING_PERIOD=2024-03/acme-cur2-00002.csv.gz
	// exports/acme-cur2/metadata/BILLING_PERIOD=2024-03/acme-cur2-Manifest.json
	// 20 rows, line_item_unblended_cost sums to 4.2845881628
}

// The shape of a test of your own ingestion: start a server, generate
// deliveries into it, read them with your code (here curreader stands in
// for it), and compare what it read with the ground truth. Each month was
// delivered twice; only the newest delivery counts.
func ExampleServer() {
	ctx := context.Background()
	srv, err := curtest.NewServer("acme-billing")
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	res, err := srv.Generate(ctx, curtest.Spec{Kind: curtest.CUR2, Name: "acme-cur2", Bucket: "acme-billing", Prefix: "exports",
		Format: curtest.Parquet, Months: 2, Versions: 2, Files: 2, Rows: 25})
	if err != nil {
		log.Fatal(err)
	}

	// The code under test reads the bucket through an S3 client.
	r := curreader.New(srv.Client(), "acme-billing")
	rep, err := r.Find(ctx, "exports", "acme-cur2")
	if err != nil {
		log.Fatal(err)
	}
	deliveries, err := r.Latest(ctx, rep)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range deliveries {
		rows, total, err := sumCost(ctx, r, d)
		if err != nil {
			log.Fatal(err)
		}

		// The ground truth of the delivery the month's manifest names.
		want := res.Current(d.Period.String())
		wantTotal, err := decimal.Parse(want.Total)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d rows, total %s, as generated: %t\n",
			d.Period, rows, total, rows == want.Rows && total.Equal(wantTotal))
	}
	// Output:
	// 2024-03: 50 rows, total -0.5006527795, as generated: true
	// 2024-04: 50 rows, total 5.1608404596, as generated: true
}

// sumCost reads every row of a delivery and sums its unblended cost.
func sumCost(ctx context.Context, r *curreader.Resolver, d *curreader.Delivery) (int64, decimal.Decimal, error) {
	var rows int64
	var total decimal.Decimal
	rd, err := r.Open(ctx, d)
	if err != nil {
		return 0, total, err
	}
	defer rd.Close()
	for row, err := range rd.Rows() {
		if err != nil {
			return 0, total, err
		}
		rows++
		cost, ok, err := row.Decimal("line_item_unblended_cost")
		if err != nil {
			return 0, total, err
		}
		if ok {
			total = total.Add(cost)
		}
	}
	return rows, total, nil
}

// Wrapping Config.Handler before Start injects faults, as with
// httptest.NewUnstartedServer: here S3 denies every data file, as it does
// to a role whose policy grants the manifests only.
func ExampleNewUnstartedServer() {
	ctx := context.Background()
	srv, err := curtest.NewUnstartedServer() // holds curtest.DefaultBucket
	if err != nil {
		log.Fatal(err)
	}
	next := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/data/") {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
			return
		}
		next.ServeHTTP(w, r)
	})
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Generate(ctx, curtest.Spec{Kind: curtest.CUR2, Name: "acme-cur2"}); err != nil {
		log.Fatal(err)
	}

	r := curreader.New(srv.Client(), curtest.DefaultBucket)
	rep, err := r.Find(ctx, "", "acme-cur2")
	if err != nil {
		log.Fatal(err)
	}
	deliveries, err := r.Latest(ctx, rep)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("resolved from its manifest:", len(deliveries[0].Files), "data file")
	_, _, err = sumCost(ctx, r, deliveries[0])
	fmt.Println("reading it is denied:", errors.Is(err, curerr.ErrAccessDenied))
	// Output:
	// resolved from its manifest: 1 data file
	// reading it is denied: true
}
