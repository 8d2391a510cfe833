// Package curtest generates realistic, deterministic AWS billing deliveries
// — legacy Cost and Usage Reports, CUR 2.0 and FOCUS Data Exports — laid
// out in a bucket exactly as AWS writes them, for tests, benchmarks and the
// quickstart.
//
// It writes AWS's formats from its own definitions and never imports
// curreader: a generator sharing the parser's types would let tests pass on
// a shared mistake.
//
// # Generating
//
// A [Spec] describes one report or export: kind, name, prefix, versioning,
// format, billing periods, deliveries per period, files per delivery, rows
// per file, seed, column width and optional quirks. [Generate] writes it to
// a [Sink] — a directory ([DirSink], an os.DirFS-able mirror of a bucket),
// a bucket ([S3Sink], through PutObject) or memory ([MapSink]) — data files
// first and manifests last, and returns a [Result]: every key written and,
// per delivery, the exact totals it holds.
//
//	sink := curtest.NewMapSink()
//	res, err := curtest.Generate(ctx, sink, curtest.Spec{Kind: curtest.CUR2, Name: "acme-cur2", Prefix: "exports"})
//	cur := res.Current("2024-03") // what the top-level manifest points at
//	fmt.Println(cur.Total, cur.DataKeys)
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
// Values follow the reference and a real anonymised 2023 report: dates with
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
// Every decimal is generated as an integer number of 1e-10 units, so the
// totals in [Delivery] (overall, per product code, per usage account) are
// exact. They are plain decimal strings; compare them with math/big.Rat.
//
// # Streaming
//
// Files are generated row by row through gzip, zip or the Parquet writer
// straight into the sink's writer, so a 1,000,000-row, 150-column file does
// not sit in memory (S3Sink spools bodies over 8 MiB to a temporary file so
// PutObject has a length).
package curtest
