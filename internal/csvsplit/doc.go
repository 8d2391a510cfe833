// Package csvsplit splits RFC 4180 CSV into records without allocating per
// field, and supplies the decompression plumbing that feeds it.
//
// # Splitting
//
// [Reader] reads records from an [io.Reader]. It accepts exactly what
// [encoding/csv.Reader] accepts with its default settings (Comma ',', no
// comments, LazyQuotes false, TrimLeadingSpace false) and yields the same
// records, with three deliberate differences:
//
//   - An optional UTF-8 byte order mark at the start of the input is skipped
//     (turn this off with [Options.KeepBOM]).
//   - Fields are byte slices into the Reader's buffer, valid only until the
//     next call to [Reader.Read] (as with bufio.Scanner.Bytes).
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
// [NewPipe] runs the reads of a source (typically a gzip decompressor, see
// [NewGzip]) on its own goroutine through a bounded set of buffers, so that
// decompression and splitting overlap on two cores while memory stays fixed.
// [ZipMembers] lists the CSV members of a zip archive.
package csvsplit
