package athena_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/athena"
	"github.com/curconnect/curconnect/curreader/curtest"
)

// ExampleNewPlan plans the table of a CUR 2.0 export and shows what each
// partition's symlink file lists: exactly the files of the period's
// manifest, never the stale chunk the last overwrite left in the folder.
func ExampleNewPlan() {
	ctx := context.Background()
	sink := curtest.NewMapSink()
	_, err := curtest.Generate(ctx, sink, curtest.Spec{
		Kind: curtest.CUR2, Name: "acme-cur2", Prefix: "exports", Bucket: "acme-billing",
		Format: curtest.Parquet, Versioning: curtest.Overwrite, Versions: 2, Files: 1, ShrinkBy: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	bucket := fstest.MapFS{}
	for k, v := range sink.Objects() {
		bucket[k] = &fstest.MapFile{Data: v, ModTime: time.Unix(0, 0)}
	}
	r := curreader.NewFS(bucket, "acme-billing")

	plan, err := athena.NewPlan(ctx, r, "exports", athena.Destination{Database: "billing", SymlinkURI: "s3://acme-athena/symlinks/"})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range plan.Tables {
		fmt.Println(t.Database+"."+t.Name, t.Kind, t.Format, len(t.Columns), "columns")
		for _, p := range t.Partitions {
			fmt.Println(p.Period, p.Location)
			fmt.Print(string(p.Symlink()))
		}
	}
	// Output:
	// billing.acme_cur2 cur2 parquet 43 columns
	// 2024-03 s3://acme-athena/symlinks/billing/acme_cur2/billing_period=2024-03/
	// s3://acme-billing/exports/acme-cur2/data/BILLING_PERIOD=2024-03/acme-cur2-00001.snappy.parquet
}

// ExamplePublish publishes every report under a prefix into the Glue
// catalog, and says what it left out.
func ExamplePublish() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg)
	r := curreader.New(s3c, "acme-billing")
	res, err := athena.Publish(ctx, r, "cur", athena.Destination{Database: "billing", SymlinkURI: "s3://acme-athena/symlinks/"}, s3c, glue.NewFromConfig(cfg))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.SymlinksWritten), "symlink files written")
	for _, p := range res.Plan.Problems {
		fmt.Fprintln(os.Stderr, p) // e.g. athena: acme-cur 2024-03: …: a CSV field holds a line break…
	}
}

// ExamplePlan_DDL prints the Athena SQL for those who run it themselves.
func ExamplePlan_DDL() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg)
	r := curreader.New(s3c, "acme-billing")
	state := &curreader.SyncState{} // the platform keeps it between runs
	plan, err := athena.NewPlan(ctx, r, "cur", athena.Destination{Database: "billing", SymlinkURI: "s3://acme-athena/symlinks/"},
		func(o *athena.Options) { o.Published = state })
	if err != nil {
		log.Fatal(err)
	}
	if _, err := athena.WriteSymlinks(ctx, s3c, plan); err != nil {
		log.Fatal(err)
	}
	fmt.Print(plan.DDL()) // run it in Athena, then:
	plan.Commit(state)
}
