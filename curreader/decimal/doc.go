// Package decimal is an exact decimal number for money and quantities in
// billing data: it parses the values of Cost and Usage Reports, sums them
// without rounding, and prints them.
//
// A [Decimal] is an integer coefficient times a power of ten. Its zero
// value is 0, ready to use as a sum:
//
//	var total decimal.Decimal
//	for ... {
//		d, err := decimal.ParseBytes(field)
//		...
//		total = total.Add(d)
//	}
//	fmt.Println(total.StringFixed(2))
//
// # Parsing
//
// [Parse] and [ParseBytes] accept the forms found in CUR files, plain
// ("-3", "0.0110000000") and scientific ("1.1E-5"), and nothing else: no
// spaces, "NaN", "Inf" or digit separators. An empty string is absent, not
// zero: it is [ErrEmpty], so a caller can tell a blank cell from a zero
// charge. ParseBytes takes the CSV reader's field without making a string
// of it and does not allocate.
//
// [FromFloat64] reads a double (a Parquet DOUBLE cost) as the shortest
// decimal that reads back as it, exactly as Parse reads the text
// strconv.FormatFloat(f, 'f', -1, 64), without formatting that text, so
// that a Parquet export and the CSV of the same data sum to the same
// digits.
//
// # Exactness
//
// Parsing, [Decimal.Add], [Decimal.Sub], [Decimal.Neg], [Decimal.Cmp],
// [Decimal.Equal], [FromMinor], [Decimal.Minor] and [Decimal.Rat] are exact
// whatever the size of the numbers: nothing is rounded and nothing
// overflows. The coefficient lives in 128 bits in the common case, so Add
// does not allocate; it moves to a [math/big.Int] only when a result needs
// more. Only [Decimal.Round] and [Decimal.StringFixed] round, when asked
// to, halves away from zero. [Decimal.Float64] is for display only.
// [Decimal.String] is canonical (no exponent, no trailing zeros): equal
// numbers print alike, and Parse reads the text back to an equal Decimal.
//
// # Integers of minor units
//
// [FromMinor] and [Decimal.Minor] convert to and from a count of units of
// 10^-scale, such as cents at scale 2: FromMinor(1234, 2) is 12.34 and
// 12.34's Minor(2) is 1234. Minor returns an error rather than round or
// overflow; Round(scale) first accepts the rounding.
//
// # Text and JSON
//
// A Decimal is an [encoding.TextMarshaler] and [encoding.TextUnmarshaler]
// with its canonical String, so [encoding/json] writes it as a JSON string
// ("0.011"), which no decoder rounds through float64. [Decimal.UnmarshalJSON]
// reads a JSON string or a JSON number, exactly.
//
// # Errors
//
// Callers tell failures apart with [errors.Is] and [errors.As] alone:
//
//   - [ErrEmpty]: Parse, ParseBytes or UnmarshalText of an empty input,
//     returned as is.
//   - [*ParseError]: any other input Parse rejects. It carries the Input
//     and wraps [ErrSyntax] (not a number) or [ErrRange] (an exponent
//     beyond [MaxExponent] in magnitude).
//   - [ErrInexact]: Minor would have to drop a nonzero digit.
//   - [ErrRange]: also Minor's count does not fit in an int64, and
//     FromMinor's scale is beyond MaxExponent in magnitude.
//
// One function panics, on a programming error only: [MustParse], which is
// for constants in tests and examples.
//
// # Concurrency
//
// Decimals are immutable values. Copies may be used from any number of
// goroutines at once; a variable holding a running sum needs the usual
// synchronization.
//
// # Why not apd
//
// [github.com/cockroachdb/apd/v3] is a well-kept arbitrary-precision
// decimal; this package keeps its own type because it is several times
// faster at the one job it has. Parsing and summing 2^20 values shaped
// like a CUR cost column (median of five passes, each running every
// contender back to back, CPU time relative to ParseBytes and Add):
//
//	                                        time   allocations per value
//	ParseBytes + Add                         1     0
//	Parse(string(b)) + Add                   1.7   0.92
//	apd SetString(string(b)) + Context.Add   4.8   1.93
//	apd SetString(s) + Context.Add           4.0   1.02
//	shopspring NewFromString(s) + Add        5.2   3.75
//
// apd ran with Precision 0, so that nothing rounded, parsing and adding
// into reused Decimals; from the reader's []byte it must first copy each
// value to a string. In every pass apd took at least 3 times as long.
// All sums equalled the one math/big.Rat computes. The Parse(string(b))
// line is why ParseBytes exists. Measured on a shared 2-core amd64 machine
// with Go 1.26; to reproduce, in internal/cmd/decimalbench (a module of
// its own, so that curconnect never requires apd):
//
//	for i in 1 2 3 4 5; do go test -run '^$' -bench . -benchtime 1s; done
package decimal
