// Package curreader finds AWS Cost and Usage Reports (legacy CUR) and Data
// Exports (CUR 2.0, FOCUS) in a bucket, resolves each billing period to
// exactly the files of its newest complete delivery by following the
// manifests AWS writes — never by globbing keys — and streams their rows,
// CSV or Parquet, with exact values and one naming scheme.
//
// # Resolving deliveries
//
// A [Resolver] works over an S3 bucket ([New], through the narrow [S3API])
// or over a local directory that mirrors one ([NewFS]):
//
//	r := curreader.New(s3Client, "acme-billing")
//	reports, err := r.Reports(ctx, "cur")         // every report and export, of every kind
//	d, err := r.Resolve(ctx, reports[0], month)  // the newest complete delivery of that month
//	for _, f := range d.Files { … }              // exactly the manifest's files, in its order
//
// It handles the legacy layout (<prefix>/<report>/YYYYMMDD-YYYYMMDD/, the end
// date being the first of the next month) in create-new and overwrite modes,
// the legacy Athena layout (<report>/year=YYYY/month=M/ with its
// cost_and_usage_data_status file: UPDATING makes [Delivery].Ready false),
// and Data Exports (data/ and metadata/BILLING_PERIOD=YYYY-MM/, overwrite or
// one folder per execution). Reports of every kind may share a prefix.
//
// The newest delivery comes from the top-level manifest, which AWS replaces
// last: a new assembly folder can exist before its delivery completes, so
// the newest-looking folder is never trusted, and files of two versions are
// never mixed. Listings are delimiter-based and paged: a few requests per
// report whatever else the bucket holds. Keys are kept exactly as stored: a
// prefix that ended in "/" yields "//" in keys. AWS's
// aws-programmatic-access-test-object, Redshift/QuickSight artifacts and
// crawler-cfn.yml are ignored.
//
// Every object read — data files, manifests, the status file — survives the
// network: a body cut mid-way resumes from the byte it reached, pinned to the
// object's ETag so that two versions are never mixed, and throttling, server
// errors and cut listing pages are retried, within [Options].MaxRetries.
//
// # Reading rows
//
// [Resolver.Open] streams the rows of a delivery's data files — CSV (gzip,
// zip or plain) or Parquet — in manifest order, each file with its own
// header; [OpenFile] reads one local file:
//
//	rd, err := r.Open(ctx, d)
//	if err != nil { … }
//	defer rd.Close()
//	for row, err := range rd.Rows() { // single-use iterator; ends after the first error
//		if err != nil { … }           // *ParseError or *FileError: never a short read
//		cost, ok, err := row.Decimal("line_item_unblended_cost") // either naming scheme
//		…
//	}
//
// A [Row] is valid until the next step ([Row.Clone] keeps one). Columns are
// found by name in either naming scheme (lineItem/UnblendedCost or
// line_item_unblended_cost), including those CUR 2.0 keeps inside its map
// columns; [Row.Tag] reads legacy resourceTags/ columns and CUR 2.0's
// resource_tags map alike; [Row.Decimal] is exact (see package
// curreader/decimal) and tells an empty cell from zero; [Row.Time] and
// [Row.TimeInterval] read the timestamps. Parquet values come as the same text
// a CSV export holds (numbers in plain notation, RFC 3339 times, map columns
// as JSON objects), so one program reads both.
//
// Reading columns by position costs no lookup by name: [Row.Header] describes
// the columns of the row's file (each file has its own, as AWS adds and drops
// columns), and [Row.Value], [Row.Bytes] and [Row.DecimalAt] read column i.
//
// [ReadOptions] choose what a read costs: Columns (a projection: Parquet then
// fetches only those columns' chunks, by ranged GETs after reading the
// footer), Concurrency and MemoryBudget (files read ahead in parallel, rows
// still in manifest order unless Unordered; a delivery of one Parquet file
// has its pages decoded ahead on a goroutine of its own), and Progress
// (bytes and rows done of the total known from the object sizes).
//
// A column name that is neither in the delivery nor a documented column of
// legacy CUR, CUR 2.0 or FOCUS is refused with a [*ColumnError] naming the
// closest real names — a typo must never sum to zero — while a documented
// column that a month lacks (AWS omits columns no usage touched) reads as
// absent.
//
// # Incremental reading
//
// AWS delivers a month again and again while it is open, and restates closed
// months after credits and refunds; every delivery is the whole month to
// date. A [SyncState], which a platform stores as JSON, records the version of
// each billing period it processed; [Resolver.Changes] lists what differs,
// and [SyncState.Commit] records a delivery once it is stored, so that a crash
// in between re-reads a month instead of skipping it.
//
// # Errors
//
// The categories of package curreader/curerr ([curerr.ErrAccessDenied],
// [curerr.ErrNotFound], [curerr.ErrBucketNotFound], [curerr.ErrThrottled],
// [curerr.ErrUnreachable], [curerr.ErrSignature], [curerr.ErrMalformed]) are
// the same values in every curconnect package. The specific conditions wrap
// one of them:
//
//   - [ErrManifestNotFound]: a period with no complete delivery yet (the
//     first delivery can take 24 hours);
//   - [ErrMalformedManifest]: a manifest that cannot be read;
//   - [ErrManifestEscapes]: a manifest listing a file in another bucket,
//     outside the report's prefix, with "..", or with an odd URI — refused,
//     never read;
//   - [ErrFileMissing]: a listed file that does not exist, reported before
//     any row is read;
//   - [ErrReportNotFound], [ErrPeriodNotFound];
//   - [ErrMalformedRow] (a [*ParseError] naming file, line and field),
//     [ErrUnknownColumn] (a [*ColumnError]), [ErrBadTime], [ErrNotReady] (a
//     delivery AWS still updates), [ErrUnsupportedFormat],
//     [ErrObjectChanged] (a file replaced while it was read); a data file
//     that cannot be read to its end is a [*FileError] naming it (a denied
//     GET, a truncated gzip, a corrupt Parquet page).
//
// Each manifest problem is a [*ManifestError] naming the manifest's bucket
// and key (and the file); a failed listing is a [*ListError]. Both keep the
// AWS error in the chain, so errors.As(err, &apiErr) with a smithy.APIError
// still reaches the error code and request ID:
//
//	d, err := r.Resolve(ctx, rep, month)
//	var me *curreader.ManifestError
//	switch {
//	case errors.Is(err, curreader.ErrManifestNotFound): // not delivered yet: try later
//	case errors.Is(err, curerr.ErrAccessDenied):        // the role lacks s3:GetObject
//	case errors.As(err, &me):                           // me.Key names the manifest
//	}
//
// # Concurrency
//
// A Resolver is safe for concurrent use. A [Report] carries the listing it
// was found with; call [Resolver.Reports] again to see newer deliveries.
// A [Reader] is for one goroutine; its read-ahead goroutines stop when it
// ends or is closed. A [Header] is immutable. A SyncState is not safe for
// concurrent use.
//
// # Testing
//
// Package curreader/curtest generates realistic deliveries of every layout
// with exact ground-truth totals, and serves them from an in-memory S3, for
// testing code built on this package.
package curreader
