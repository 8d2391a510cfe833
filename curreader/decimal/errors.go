package decimal

import (
	"errors"
	"strconv"
	"strings"
)

var (
	// ErrEmpty reports an empty input: the value is absent, not zero.
	// Parse returns it unwrapped, as there is no input to name.
	ErrEmpty = errors.New("decimal: empty value")
	// ErrSyntax reports an input that is not a decimal number.
	ErrSyntax = errors.New("decimal: invalid syntax")
	// ErrRange reports a value out of range: in [Parse], an exponent
	// beyond [MaxExponent] in magnitude; in [Decimal.Minor], a count that
	// does not fit in an int64.
	ErrRange = errors.New("decimal: value out of range")
	// ErrInexact reports a conversion that would have to round: in
	// [Decimal.Minor], a value with nonzero digits below the unit asked for
	// (12.345 in cents).
	ErrInexact = errors.New("decimal: inexact conversion")
)

// ParseError is the error of [Parse], [ParseBytes] and
// [Decimal.UnmarshalText] for a non-empty input that is not accepted. It
// names the input and unwraps to [ErrSyntax] or [ErrRange].
type ParseError struct {
	Input string // the rejected input
	Err   error  // ErrSyntax or ErrRange
}

func (e *ParseError) Error() string {
	return "decimal: parse " + strconv.Quote(e.Input) + ": " + trimPrefix(e.Err)
}

// Unwrap returns ErrSyntax or ErrRange.
func (e *ParseError) Unwrap() error { return e.Err }

// opError names the operation and operands of a failed conversion and
// unwraps to its sentinel.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return "decimal: " + e.op + ": " + trimPrefix(e.err) }
func (e *opError) Unwrap() error { return e.err }

func trimPrefix(err error) string { return strings.TrimPrefix(err.Error(), "decimal: ") }
