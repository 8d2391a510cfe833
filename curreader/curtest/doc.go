// Package curtest generates realistic, deterministic AWS billing deliveries
// — legacy Cost and Usage Reports, CUR 2.0 and FOCUS Data Exports — laid
// out in a bucket exactly as AWS writes them, together with the exact totals
// they hold, and serves them from an S3 server for tests. It is to code that
// ingests AWS billing data what net/http/httptest is to HTTP code: start a
// [Server], generate deliveries into it, point the code under test at it,
// and compare what it reads with the ground truth.
//
// # Testing your ingestion
//
// A test of an importer, written against this package alone:
//
//	func TestImport(t *testing.T) {
//		srv, err := curtest.NewServer("acme-billing")
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer srv.Close()
//		res, err := srv.Generate(t.Context(), curtest.Spec{
//			Kind: curtest.CUR2, Name: "acme-cur2", Bucket: "acme-billing", Prefix: "exports",
//			Format: curtest.Parquet, Months: 2, Versions: 3, Files: 4,
//		})
//		if err != nil {
//			t.Fatal(err)
//		}
//		got := importTotals(t, srv.Client(), "acme-billing", "exports") // your code: period → *big.Rat
//		for _, period := range res.Periods() {
//			d := res.Current(period) // the delivery the top-level manifest names
//			want, _ := new(big.Rat).SetString(d.Total)
//			if got[period] == nil || got[period].Cmp(want) != 0 {
//				t.Errorf("%s: imported %v, delivered %s", period, got[period], d.Total)
//			}
//		}
//	}
//
// [Server.Client] is an *s3.Client for the server. A client of your own
// reaches it with two options (any credentials are accepted):
//
//	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
//		o.BaseEndpoint = aws.String(srv.URL)
//		o.UsePathStyle = true
//	})
//
// The Spec fields that model what AWS does to a bucket over time make the
// harder cases: Versions and Restate (a month delivered again; only the
// newest delivery counts), Incomplete (data files whose manifest has not
// been written yet), ShrinkBy (an overwrite that leaves stale files the
// manifest no longer lists), SchemaDrift, EmptyFiles, a Prefix ending in
// "/" (keys with "//"). An importer that sums every file under a prefix
// instead of following the manifests gets the wrong totals from them.
//
// To inject faults, do as with httptest: [NewUnstartedServer], wrap
// Config.Handler (to answer 403 AccessDenied or 503 SlowDown for some keys,
// or to cut a body short), then [Server.Start].
//
// # Generating
//
// A [Spec] describes one report or export: kind, name, prefix, versioning,
// file type, billing periods, deliveries per period, files per delivery,
// rows per file, seed, column width and optional quirks. [Generate] writes
// it to a [Sink] — a bucket ([S3Sink], through PutObject; [Server.Generate]
// uses one), a directory ([DirSink], an os.DirFS-able mirror of a bucket)
// or memory ([MapSink]) — data files first and manifests last, as AWS does,
// and returns a [Result]: every key written and, per delivery, the exact
// totals it holds. Several Generate calls may share a bucket, as reports
// and exports do.
//
//	sink := curtest.NewMapSink()
//	res, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.CUR2, Name: "acme-cur2", Prefix: "exports"})
//	cur := res.Current("2024-03") // what the top-level manifest points at
//	fmt.Println(cur.Total, cur.DataKeys)
//
// The output depends only on the Spec: the same Spec writes the same bytes
// to the same keys.
//
// # Layouts
//
// Legacy CUR (<p> = Prefix, <r> = Name):
//
//	<p>/<r>/20240301-20240401/<r>-Manifest.json                 top level, newest delivery
//	<p>/<r>/20240301-20240401/<assemblyId>/<r>-Manifest.json    CreateNew: per assembly
//	<p>/<r>/20240301-20240401/<assemblyId>/<r>-00001.csv.gz     CreateNew
//	<p>/<r>/20240301-20240401/<r>-00001.csv.gz                  Overwrite
//	<p>/<r>/<r>/year=2024/month=3/<r>-00001.snappy.parquet      Athena
//	<p>/<r>/<r>/year=2024/month=3/<r>-Manifest.json             Athena
//	<p>/<r>/cost_and_usage_data_status/cost_and_usage_data_status.parquet
//	<p>/<r>/crawler-cfn.yml
//
// Data Exports (CUR 2.0, FOCUS; <e> = Name):
//
//	<p>/<e>/data/BILLING_PERIOD=2024-03/<e>-00001.csv.gz                        Overwrite
//	<p>/<e>/data/BILLING_PERIOD=2024-03/<ts>-<executionId>/<e>-00001.csv.gz     CreateNew
//	<p>/<e>/metadata/BILLING_PERIOD=2024-03/<e>-Manifest.json                   newest delivery
//	<p>/<e>/metadata/BILLING_PERIOD=2024-03/<ts>-<executionId>/<e>-Manifest.json CreateNew
//
// A Prefix ending in "/" gives "//" in keys, as AWS's do.
//
// # Values
//
// Values follow AWS's documentation and a real anonymised 2023 report: dates with
// milliseconds (2024-03-01T00:00:00.000Z), identity/TimeInterval without,
// costs as "0.0", "0.0051142167", scientific "1.1E-5" and (Numbers) fixed
// ten decimals, empty cells for absent values, quoted commas ("Amazon Web
// Services, Inc.", "$0.03 per 10,000 requests"), 12-digit account IDs with
// leading zeros, line item types Usage, Tax, Credit, Refund, Fee, RIFee,
// DiscountedUsage, SavingsPlanCoveredUsage and SavingsPlanNegation, tag
// columns (resourceTags/user:Team; CUR 2.0 resource_tags as a map: JSON text
// in CSV, MAP<string,string> in Parquet). Legacy Parquet uses Athena names
// (line_item_unblended_cost DOUBLE, *_date TIMESTAMP).
//
// # Ground truth
//
// A [Result] lists every [Delivery] of every period, in delivery order,
// with what a correct reader must see: whether it is the period's current
// delivery ([Result.Current]), complete (its manifest written) and still in
// the bucket; its manifest, data files (in manifest order), stale files and
// artifacts; its rows; and its totals. Every decimal is generated as an
// integer number of 1e-10 units, so the totals (overall, per product code,
// per usage account, of the columns named by CostColumn, ProductColumn and
// AccountColumn) are exact. They are plain decimal strings ("12.5", "0",
// "-0.0001"); compare them as decimals (math/big.Rat's SetString, or your
// own decimal type), not as float64 sums, which can differ in the last
// digits.
//
// # Independence
//
// curtest writes AWS's formats from its own definitions, following AWS's
// documentation and real reports, and never imports curreader: a generator
// sharing the parser's types would let a test pass because both share one
// mistake. Reading its deliveries with curreader, as its own tests and
// examples do, checks one against the other.
//
// # Streaming
//
// Files are generated row by row through gzip, zip or the Parquet writer
// straight into the sink's writer, so a 1,000,000-row, 150-column file does
// not sit in memory (S3Sink spools bodies over 8 MiB to a temporary file so
// PutObject has a length, and the Server keeps objects in a temporary file).
package curtest
