// Command athena makes every AWS Cost and Usage Report and Data Export under
// a bucket prefix queryable in Amazon Athena, exactly as their manifests
// say: one table per report, one partition per billing period, each
// partition's data a symlink file listing exactly that period's current
// files (package curreader/athena).
//
// Usage:
//
//	athena -bucket B [-prefix P] [-report NAME] -database DB -symlink-uri s3://BUCKET/PREFIX/ [-ddl] [-json]
//	       [-role-arn ARN -external-id X] [-endpoint URL] [-path-style]
//
// Without -ddl it writes the symlink files and creates or updates the Glue
// database, tables and partitions; a second run rewrites only the periods
// whose delivery changed. With -ddl it prints the equivalent Athena SQL
// (or, with -json, what it would publish) and changes nothing.
//
// The standard AWS configuration chain gives the platform's identity,
// which writes the symlink files and the catalog. With -role-arn and
// -external-id, the billing bucket is read through the customer's role.
// -endpoint applies to every AWS service called (S3, STS, Glue).
//
// Exit codes: 0 success, 1 a report or period was left out (the reason is
// on stderr) or a call failed, 2 bad input.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/athena"
	"github.com/curconnect/curconnect/iampolicy"
)

const (
	exitOK       = 0
	exitFindings = 1
	exitBadInput = 2
)

// usageError marks bad flags or arguments (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// leftOutError means the run went through but some reports or periods
// were left out (exit 1); each was reported on stderr.
type leftOutError struct{ n int }

func (e leftOutError) Error() string {
	if e.n == 1 {
		return "1 report or billing period was left out"
	}
	return fmt.Sprintf("%d reports or billing periods were left out", e.n)
}

// Test hooks: extraS3Options are added to every S3 client (to sign the way
// moto_server checks while its auth is on), and httpClient, when set,
// sends every AWS request (to count them).
var (
	extraS3Options []func(*s3.Options)
	httpClient     aws.HTTPClient
)

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	// The package's errors already say "athena: ".
	if msg := err.Error(); strings.HasPrefix(msg, "athena: ") {
		fmt.Fprintln(stderr, msg)
	} else {
		fmt.Fprintln(stderr, "athena:", msg)
	}
	var ue usageError
	if errors.As(err, &ue) {
		return exitBadInput
	}
	return exitFindings
}

const usage = `usage: athena -bucket B [-prefix P] [-report NAME] -database DB -symlink-uri s3://BUCKET/PREFIX/ [-ddl] [-json]
              [-role-arn ARN -external-id X] [-endpoint URL] [-path-style]`

type flags struct {
	bucket, prefix, report, database, symlinkURI string
	endpoint, roleARN, externalID                string
	ddl, asJSON, pathStyle                       bool
}

func parse(args []string, stderr io.Writer) (*flags, error) {
	var f flags
	fs := flag.NewFlagSet("athena", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&f.bucket, "bucket", "", "the S3 bucket the reports are delivered to")
	fs.StringVar(&f.prefix, "prefix", "", "the report prefix in the bucket")
	fs.StringVar(&f.report, "report", "", "publish only the report or export of this name")
	fs.StringVar(&f.database, "database", "", "the Glue (Athena) database: lower-case letters, digits and '_'")
	fs.StringVar(&f.symlinkURI, "symlink-uri", "", "s3://BUCKET/PREFIX/ under which the symlink files go")
	fs.BoolVar(&f.ddl, "ddl", false, "print the equivalent Athena SQL and change nothing")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
	fs.StringVar(&f.endpoint, "endpoint", "", "endpoint URL of every AWS service called (S3, STS, Glue), for test servers")
	fs.BoolVar(&f.pathStyle, "path-style", false, "use path-style S3 URLs")
	fs.StringVar(&f.roleARN, "role-arn", "", "read the bucket through the customer's role: the standard chain's identity assumes it with -external-id")
	fs.StringVar(&f.externalID, "external-id", "", "the external ID the role's trust policy requires (with -role-arn)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	var missing []string
	for _, m := range []struct{ name, v string }{{"-bucket", f.bucket}, {"-database", f.database}, {"-symlink-uri", f.symlinkURI}} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case len(missing) > 0:
		fmt.Fprintln(stderr, usage)
		return nil, usageError{fmt.Errorf("%s required", strings.Join(missing, ", "))}
	case (f.roleARN == "") != (f.externalID == ""):
		return nil, usageError{errors.New("-role-arn and -external-id go together")}
	}
	if err := (athena.Destination{Database: f.database, SymlinkURI: f.symlinkURI}).Validate(); err != nil {
		return nil, usageError{err}
	}
	return &f, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parse(args, stderr)
	if err != nil {
		return err
	}
	// The SDK logs to os.Stderr by default (checksum notices at DEBUG and
	// WARN); a program's stderr is for its own messages.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if f.endpoint != "" {
		cfg.BaseEndpoint = aws.String(f.endpoint) // every service: S3, STS, Glue
	}
	if httpClient != nil {
		cfg.HTTPClient = httpClient
	}
	dataCfg := cfg
	if f.roleARN != "" {
		// Read as the platform does: its own identity assumes the
		// customer's role with the external ID, and every read of the
		// billing bucket uses the role's credentials. The symlink files
		// and the catalog are the platform's, written with its own.
		role, _ := iampolicy.ParseARN(f.roleARN) // Config refuses a malformed ARN
		conn := billingconn.Connection{PayerAccountID: role.AccountID, Bucket: f.bucket, Prefix: f.prefix,
			Credentials: billingconn.Credentials{RoleARN: f.roleARN, ExternalID: f.externalID}}
		if dataCfg, err = conn.Config(cfg); err != nil {
			return usageError{err}
		}
	}
	s3Opts := append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = f.pathStyle }}, extraS3Options...)
	r := curreader.New(s3.NewFromConfig(dataCfg, s3Opts...), f.bucket)
	dest := athena.Destination{Database: f.database, SymlinkURI: f.symlinkURI}
	only := func(o *athena.Options) { o.Report = f.report }

	var plan *athena.Plan
	if f.ddl {
		if plan, err = athena.NewPlan(ctx, r, f.prefix, dest, only); err != nil {
			return err
		}
		if !f.asJSON {
			if _, err := io.WriteString(stdout, plan.DDL()); err != nil {
				return err
			}
		}
	} else {
		res, err := athena.Publish(ctx, r, f.prefix, dest, s3.NewFromConfig(cfg, s3Opts...), glue.NewFromConfig(cfg), only)
		if err != nil {
			return err
		}
		plan = res.Plan
		if !f.asJSON {
			summary(stderr, res)
		}
	}
	if f.asJSON {
		if err := writeJSON(stdout, plan); err != nil {
			return err
		}
	} else if !f.ddl {
		writeTable(stdout, plan)
	}
	for _, t := range plan.Tables {
		for _, w := range t.Warnings {
			fmt.Fprintf(stderr, "athena: warning: %s: %s\n", t.Name, w)
		}
	}
	for _, p := range plan.Problems {
		fmt.Fprintln(stderr, p)
	}
	if n := len(plan.Problems); n > 0 {
		return leftOutError{n}
	}
	return nil
}

// output is -json's shape (a contract: DESIGN.md).
type output struct {
	Tables []tableJSON `json:"tables"`
}

type tableJSON struct {
	Database   string           `json:"database"`
	Table      string           `json:"table"`
	Report     string           `json:"report"`
	Kind       curreader.Kind   `json:"kind"`
	Format     curreader.Format `json:"format"`
	Columns    int              `json:"columns"`
	Partitions []partitionJSON  `json:"partitions"`
}

type partitionJSON struct {
	Period   string `json:"period"`
	Location string `json:"location"`
	Version  string `json:"version"`
	Files    int    `json:"files"`
}

// published are the plan's tables that have a partition: those a run
// creates (or, with -ddl, would).
func published(p *athena.Plan) []*athena.Table {
	var out []*athena.Table
	for _, t := range p.Tables {
		if len(t.Partitions) > 0 {
			out = append(out, t)
		}
	}
	return out
}

func writeJSON(w io.Writer, p *athena.Plan) error {
	out := output{Tables: []tableJSON{}}
	for _, t := range published(p) {
		tj := tableJSON{Database: t.Database, Table: t.Name, Report: t.Report, Kind: t.Kind, Format: t.Format,
			Columns: len(t.Columns), Partitions: []partitionJSON{}}
		for _, part := range t.Partitions {
			tj.Partitions = append(tj.Partitions, partitionJSON{Period: part.Period, Location: part.Location,
				Version: part.Delivery.Version, Files: len(part.Files)})
		}
		out.Tables = append(out.Tables, tj)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeTable(w io.Writer, p *athena.Plan) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tREPORT\tKIND\tFORMAT\tCOLUMNS\tPERIODS")
	for _, t := range published(p) {
		periods := make([]string, len(t.Partitions))
		for i, part := range t.Partitions {
			periods[i] = part.Period
		}
		fmt.Fprintf(tw, "%s.%s\t%s\t%s\t%s\t%d\t%s\n", t.Database, t.Name, t.Report, t.Kind, t.Format, len(t.Columns), strings.Join(periods, " "))
	}
	tw.Flush()
}

// summary says on stderr what a run wrote.
func summary(w io.Writer, res *athena.Result) {
	if res.DatabaseCreated {
		fmt.Fprintf(w, "athena: created database %s\n", res.Plan.Database)
	}
	for _, what := range []struct {
		verb  string
		items []string
	}{
		{"created table", res.TablesCreated}, {"updated table", res.TablesUpdated},
		{"wrote", res.SymlinksWritten},
		{"created partition", res.PartitionsCreated}, {"updated partition", res.PartitionsUpdated}, {"deleted partition", res.PartitionsDeleted},
	} {
		for _, it := range what.items {
			fmt.Fprintf(w, "athena: %s %s\n", what.verb, it)
		}
	}
	if len(res.SymlinksWritten)+len(res.TablesCreated)+len(res.TablesUpdated)+len(res.PartitionsCreated)+len(res.PartitionsUpdated)+len(res.PartitionsDeleted) == 0 && !res.DatabaseCreated {
		fmt.Fprintln(w, "athena: nothing changed")
	}
}
