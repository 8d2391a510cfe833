package curreader

// Progress is how far a Reader has come. Byte counts are of the data
// files as stored (compressed), so they compare with the object sizes.
type Progress struct {
	// Files is the number of data files; FilesDone how many were read to
	// their end.
	Files, FilesDone int
	// Bytes read so far; TotalBytes the sum of the files' sizes from the
	// listing and manifest, or -1 when a size is unknown. Parquet readers
	// skip the columns they do not need, so Bytes may end below TotalBytes.
	Bytes, TotalBytes int64
	// Rows returned by Next so far.
	Rows int64
	// Done is true in the last call, made when the reader ends (cleanly or
	// not).
	Done bool
}

// ReadOptions are the optional settings of [Resolver.Open] and [OpenFile].
type ReadOptions struct {
	// AllowUpdating reads a delivery AWS reports as still being updated
	// (Delivery.Ready false), which may hold a partial month.
	AllowUpdating bool
	// Columns, when set, is the projection: only these columns (named in
	// either scheme) are read and visible in rows. Parquet files then read
	// only these columns' chunks; CSV still splits every field but copies
	// and converts only these. "resource_tags" (or "resourceTags") brings
	// every tag column, so Row.Tag works. Columns a file lacks are absent
	// from its rows, not an error.
	Columns []string
	// Concurrency is how many data files are read ahead in parallel. Zero
	// means runtime.GOMAXPROCS(0), capped at 8. With 1 (or a delivery of
	// one file) files are read one after another on the caller's
	// goroutine, without copying rows; except that with more than 1, a
	// delivery of one Parquet file has its pages read, decoded and copied
	// out a few segments of rows ahead of the caller on a goroutine of its
	// own (with the text of the columns the caller reads as text).
	Concurrency int
	// MemoryBudget bounds the bytes of rows decoded ahead of the caller
	// when Concurrency > 1 (default 32 MiB; any larger value, up to
	// math.MaxInt64, is safe, and one file holds at most 1,024 batches of
	// at most 1 MiB ahead of the caller; a Parquet file decoded ahead on a
	// goroutine of its own holds six segments of about an eighth of the
	// budget between them, at most 768 KiB). A single row larger than the
	// budget's share is still read, and each file being read holds at
	// least two batches of 64 KiB, so a budget below 128 KiB ×
	// Concurrency acts as that. It does not count each open file's
	// decompression buffers (about 3 MiB per gzip file being read), a
	// Parquet file's pages (one decoded page per column read, each the
	// size of its column's largest page: project when a file has many
	// columns), nor, for Parquet in S3, the column chunks of a row group
	// fetched ahead (up to the file's share of the budget, at least 8
	// MiB). Chunks beyond that share are read by a
	// GET per read buffer (64 KiB when every column is read), after a GET
	// per page header to check it: to read every column of files with
	// large row groups from S3, raise the budget.
	MemoryBudget int64
	// Unordered lets rows of different files interleave (each file's rows
	// stay in order), so a slow file does not hold up the others.
	Unordered bool
	// Progress, when set, is called on the goroutine that calls Next: every
	// ProgressEvery rows (default 65,536), after each file and once at the
	// end with Done set (a clean end, an error, or Close before the end).
	Progress func(Progress)
	// ProgressEvery is how many rows pass between Progress calls.
	ProgressEvery int
	// MaxRecordSize and MaxFieldSize bound one CSV record and one field;
	// a larger one is an error, never read into memory. Zero means the
	// defaults (16 MiB and 4 MiB).
	MaxRecordSize, MaxFieldSize int
}

func readOptions(optFns []func(*ReadOptions)) ReadOptions {
	var o ReadOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return o
}

const defaultMemoryBudget = 32 << 20
