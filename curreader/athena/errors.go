package athena

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// ErrNotQueryable is the category of the deliveries a plan refuses because
// Athena would read them wrong (or not at all) through a symlink table. The
// specific reasons wrap it.
var ErrNotQueryable = errors.New("athena: Athena cannot read this delivery exactly")

// Reasons a delivery is refused. Each wraps ErrNotQueryable; the
// *PeriodError that carries one names the report, the period and, for a
// CSV field, the file, line and column.
var (
	// ErrLineBreak: a CSV field holds a line break. AWS documents that
	// OpenCSVSerDe does not support embedded line breaks: Athena would split
	// the row in two. Read the report as Parquet.
	ErrLineBreak = fmt.Errorf("%w: a CSV field holds a line break, which OpenCSVSerDe does not support (deliver the report as Parquet)", ErrNotQueryable)
	// ErrEscapeChar: a CSV field holds a backslash, OpenCSVSerDe's escape
	// character: Athena would drop it, or take the character after it
	// literally. Read the report as Parquet.
	ErrEscapeChar = fmt.Errorf("%w: a CSV field holds a backslash, which OpenCSVSerDe takes as its escape character (deliver the report as Parquet)", ErrNotQueryable)
	// ErrZip: the data files are ZIP archives, which Athena does not read.
	ErrZip = fmt.Errorf("%w: Athena does not read ZIP files (deliver the report as GZIP CSV or Parquet)", ErrNotQueryable)
	// ErrExtension: a compressed CSV file whose name does not end in the
	// lower-case extension Athena tells its compression by.
	ErrExtension = fmt.Errorf("%w: Athena tells a text file's compression by its lower-case extension", ErrNotQueryable)
	// ErrColumnOrder: the CSV columns of a delivery differ from the table's
	// (or between its files). Athena reads CSV columns by position, so the
	// values would appear under other columns' names. Legacy CUR adds and
	// drops columns from month to month: deliver the report as Parquet,
	// whose columns Athena reads by name.
	ErrColumnOrder = fmt.Errorf("%w: the CSV columns differ from the table's, and Athena reads CSV columns by position (deliver the report as Parquet)", ErrNotQueryable)
	// ErrSchemaConflict: a Parquet column has one type in one file or
	// period and another elsewhere; a table declares one.
	ErrSchemaConflict = fmt.Errorf("%w: a column's type differs between files or billing periods", ErrNotQueryable)
	// ErrUnsupportedType: a Parquet column of a type no Athena table can
	// declare (see curreader.Resolver.FileColumns).
	ErrUnsupportedType = fmt.Errorf("%w: a Parquet column has a type Athena tables cannot declare", ErrNotQueryable)
	// ErrFormatChange: the delivery's format differs from the newest one's;
	// a table and its partitions share one format.
	ErrFormatChange = fmt.Errorf("%w: the delivery's format differs from the table's", ErrNotQueryable)
	// ErrKey: a data file's key holds a line break, which a symlink file
	// (one URI per line) cannot list.
	ErrKey = fmt.Errorf("%w: a data file's key holds a line break", ErrNotQueryable)
)

// Conditions that leave a whole report out of a plan.
var (
	// ErrTableNameCollision: two reports under the prefix give the same
	// table name. Publish them with Options.Report one at a time into
	// different databases, or name the tables with Options.TableName.
	ErrTableNameCollision = fmt.Errorf("athena: two reports give the same table name: %w", curerr.ErrMalformed)
	// ErrTableNotOurs: a table of that name exists in the database and was
	// not made by this package for this report. It is never changed.
	ErrTableNotOurs = errors.New("athena: a table of that name exists and was not made for this report")
)

// PeriodError is a report, or one billing period of it, that a plan
// leaves out, and why. Period is empty when the whole report is left out.
// File, Line and Column locate a CSV field when the reason is one.
//
// Keep tells what happens to a partition the catalog already holds for the
// period: with Keep (the period could not be resolved now, or AWS is still
// updating it, or the table is not this package's) Publish leaves it as it
// is; without (the delivery would be read wrong) Publish removes it, so
// that no query reads the wrong rows.
type PeriodError struct {
	Report, Table, Period string
	File                  string
	Line                  int
	Column                string
	Keep                  bool
	Err                   error
}

// Error returns "athena: REPORT PERIOD: FILE:LINE: column COLUMN: ERR",
// without the parts that are empty.
func (e *PeriodError) Error() string {
	var b strings.Builder
	b.WriteString("athena: ")
	b.WriteString(e.Report)
	if e.Period != "" {
		b.WriteString(" " + e.Period)
	}
	if e.File != "" {
		b.WriteString(": " + e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
	}
	if e.Column != "" {
		b.WriteString(": column " + e.Column)
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "athena: "))
	return b.String()
}

// Unwrap returns the reason (a sentinel of this package, or the curreader
// or AWS error that stopped the period).
func (e *PeriodError) Unwrap() error { return e.Err }

// ApplyError is a catalog or S3 write that failed while publishing a plan:
// the operation ("CreateTable", "PutObject", …), what it wrote, and the AWS
// error (in the chain, so errors.As reaches its smithy.APIError, and the
// curerr category it falls in).
type ApplyError struct {
	Op       string
	Resource string
	Err      error
}

// Error returns "athena: OP RESOURCE: ERR".
func (e *ApplyError) Error() string {
	return "athena: " + e.Op + " " + e.Resource + ": " + e.Err.Error()
}

// Unwrap returns the AWS error.
func (e *ApplyError) Unwrap() error { return e.Err }
