// Package decimal is an exact decimal number for money and quantities in
// billing data.
//
// A [Decimal] is a signed coefficient times a power of ten. Parsing accepts
// the forms found in Cost and Usage Reports — plain (`-3`, `0.0110000000`)
// and scientific (`1.1E-5`) — and arithmetic never rounds: sums are exact
// whatever their size. The coefficient lives in 128 bits in the common case,
// so adding values does not allocate; it moves to a [math/big.Int] only
// when a result needs more.
//
// An empty string is not zero: [Parse] reports it with [ErrEmpty] so that a
// caller can tell an absent value from a zero one.
package decimal
