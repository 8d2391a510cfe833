// Package csvsplit splits RFC 4180 CSV into records without allocating per
// field, and supplies the decompression plumbing that feeds it.
//
// # Splitting
//
// [Reader] reads records from an [io.Reader]: [Reader.Next] finds the
// next record and the bounds of its fields without copying or allocating,
// [Reader.Field] returns one field, and [Reader.Read] returns them all
// (encoding/csv style). Commas are found eight bytes at a time (SWAR),
// quotes and line ends with bytes.IndexByte. It accepts exactly what
// [encoding/csv.Reader] accepts with its default settings (Comma ',', no
// comments, LazyQuotes false, TrimLeadingSpace false) and yields the same
// records, with three deliberate differences:
//
//   - An optional UTF-8 byte order mark at the start of the input is skipped
//     (turn this off with [Options.KeepBOM]).
//   - Fields are byte slices into the Reader's buffer, valid only until the
//     next call to [Reader.Next] or [Reader.Read] (as with
//     bufio.Scanner.Bytes).
//   - A record larger than [Options.MaxRecordSize] or a field larger than
//     [Options.MaxFieldSize] is refused with [ErrRecordTooLarge] or
//     [ErrFieldTooLarge] instead of being read into memory, so a file with
//     an unterminated quote or no line ends cannot exhaust memory.
//
// # Errors
//
// Syntax errors are [*ParseError] values that wrap [encoding/csv.ErrQuote],
// [encoding/csv.ErrBareQuote], [encoding/csv.ErrFieldCount],
// [ErrRecordTooLarge] or [ErrFieldTooLarge]; test with errors.Is and read the
// position with errors.As. Errors of the underlying reader are returned as
// they are (wrapped with the line they interrupted), so a truncated gzip
// stream surfaces as [io.ErrUnexpectedEOF], never as a clean end of input.
//
// # Decompression
//
// [NewPipe] runs the reads of a source on its own goroutine through a
// bounded set of buffers, so that producing bytes and splitting them overlap
// on two cores while memory stays fixed (chunks × chunk size, 2.3 MiB by
// default). [NewGzip] does the same for a gzip stream: klauspost's inflate
// on the Pipe's goroutine, with gzip framing (multistream, trailers) handled
// here so that the CRC-32 of each member is checked on the consuming side.
// A Reader whose source is a *Pipe splits the Pipe's buffers in place,
// without copying them. [Pipe.Stats] tells which side waited for the other.
// [ZipMembers] lists the CSV members of a zip archive.
package csvsplit
