package athena

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/colname"
)

// PartitionKey is the partition column of every table: the billing
// period, 'YYYY-MM', as the Cloud Intelligence Dashboards' tables over
// Data Exports name theirs.
const PartitionKey = "billing_period"

// TableName is the default table name of a report: its name lower-cased,
// every run of characters other than a-z, 0-9 and '_' made one '_', and
// leading and trailing '_' trimmed ("acme-CUR.2" → "acme_cur_2"). Athena
// accepts only those characters in table names. A name with nothing left
// is "report".
func TableName(report string) string {
	if n := sanitize(strings.ToLower(report)); n != "" {
		return n
	}
	return "report"
}

// sanitize replaces each run of characters outside [a-z0-9_] with one '_'
// and trims '_' from both ends.
func sanitize(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
			continue
		}
		under = true
	}
	return b.String()
}

var plainName = regexp.MustCompile(`^[a-z0-9_]+$`)

// csvColumnNames names the columns of a CSV header for a table: a header
// name that is already lower-case letters, digits and '_' once
// lower-cased keeps that spelling (CUR 2.0's line_item_unblended_cost,
// FOCUS's BilledCost as billedcost, as the Cloud Intelligence Dashboards'
// tables spell them); any other (legacy lineItem/UnblendedCost,
// resourceTags/user:Cost Center) takes the canonical snake_case name AWS's
// Athena integration gives legacy columns (line_item_unblended_cost,
// resource_tags_user_cost_center). Names that collide (tags that differ only
// in case) get _2, _3, … in header order; reserved names (the partition
// key) too. Every name matches [a-z0-9_]+.
func csvColumnNames(header []string) []string {
	out := make([]string, len(header))
	seen := map[string]bool{PartitionKey: true}
	for i, h := range header {
		n := strings.ToLower(h)
		if !plainName.MatchString(n) {
			n = sanitize(colname.Canonical(h))
		}
		if n == "" {
			n = "col_" + strconv.Itoa(i+1)
		}
		base := n
		for k := 2; seen[n]; k++ {
			n = base + "_" + strconv.Itoa(k)
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

// Destination is where a plan puts its tables: a Glue (Athena) database,
// and the S3 location under which the symlink files go.
type Destination struct {
	// Database is the Glue database: lower-case letters, digits and '_'.
	Database string
	// SymlinkURI is s3://BUCKET/PREFIX/ (the prefix may be empty). Each
	// table's symlink files go under
	// s3://BUCKET/PREFIX/<database>/<table>/billing_period=YYYY-MM/symlink.txt.
	SymlinkURI string
}

// Validate reports every problem with d at once, as errors.Join of
// *curerr.FieldError (each wrapping curerr.ErrMalformed), or nil.
func (d Destination) Validate() error {
	_, err := d.parse()
	return err
}

var dbName = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)

// location is a parsed Destination.
type location struct {
	database string
	bucket   string
	prefix   string // "" or ending in "/"
}

// parse checks d and returns every problem at once, as errors.Join of
// *curerr.FieldError.
func (d Destination) parse() (location, error) {
	var errs []error
	bad := func(field, msg string) {
		errs = append(errs, &curerr.FieldError{Field: field, Msg: msg, Err: curerr.ErrMalformed})
	}
	if !dbName.MatchString(d.Database) {
		bad("Database", "a Glue database name for Athena is 1 to 255 lower-case letters, digits and '_'")
	}
	var loc location
	loc.database = d.Database
	rest, ok := strings.CutPrefix(d.SymlinkURI, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	switch {
	case !ok:
		bad("SymlinkURI", "the symlink location is an s3://BUCKET/PREFIX/ URI")
	case !validBucket(bucket):
		bad("SymlinkURI", "the symlink location's bucket name is not a valid S3 bucket name")
	case strings.ContainsAny(prefix, "\r\n") || strings.Contains(prefix, "//") || strings.HasPrefix(prefix, "/"):
		bad("SymlinkURI", "the symlink location's prefix holds a line break or an empty path segment")
	default:
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		loc.bucket, loc.prefix = bucket, prefix
	}
	if len(errs) > 0 {
		return location{}, errors.Join(errs...)
	}
	return loc, nil
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func validBucket(b string) bool {
	return bucketName.MatchString(b) && !strings.Contains(b, "..")
}

// tableKey is the key prefix of a table's symlink files, ending in "/".
func (l location) tableKey(table string) string {
	return l.prefix + l.database + "/" + table + "/"
}

// uri is s3://bucket/key.
func (l location) uri(key string) string { return "s3://" + l.bucket + "/" + key }
