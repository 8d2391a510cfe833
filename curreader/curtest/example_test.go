package curtest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/curconnect/curconnect/curreader/curtest"
)

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
