// Command curcat lists and reads AWS Cost and Usage Reports and Data
// Exports, following their manifests.
//
// Usage:
//
//	curcat list -bucket B [-prefix P] [-json]
//	curcat list -dir PATH [-prefix P] [-json]
//
// -bucket reads S3 with the standard AWS configuration chain (environment,
// shared config, roles); -endpoint and -path-style point it at an
// S3-compatible server. -dir reads a local copy of the bucket's layout.
//
// Exit codes: 0 success, 1 some delivery could not be resolved, 2 bad input.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader"
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

// partialError means the command ran but some deliveries failed (exit 1).
type partialError struct{ n int }

func (e partialError) Error() string {
	if e.n == 1 {
		return "1 delivery could not be resolved"
	}
	return fmt.Sprintf("%d deliveries could not be resolved", e.n)
}

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "curcat:", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, curreader.ErrUnknownColumn) {
		// A column name that is no column (-by, -cost, -columns) is bad
		// input: a typo must never print a total of zero.
		return exitBadInput
	}
	return exitFindings
}

const usage = `usage:
  curcat list (-bucket B | -dir PATH) [-prefix P] [-json]
  curcat rows (-bucket B | -dir PATH) [-prefix P] -report NAME -period YYYY-MM [-columns a,b] [-format csv|jsonl]
  curcat rows -file PATH [-columns a,b] [-format csv|jsonl]
  curcat sum  (-bucket B | -dir PATH) [-prefix P] -report NAME -period YYYY-MM -by COLUMN [-cost COLUMN] [-json]
  curcat sum  -file PATH -by COLUMN [-cost COLUMN] [-json]
  curcat sync (-bucket B | -dir PATH) [-prefix P] -state FILE [-json] [-dry-run]`

// extraS3Options are added to the S3 client's options; tests set it (to
// sign requests the way moto_server checks them).
var extraS3Options []func(*s3.Options)

// source holds the flags every subcommand shares.
type source struct {
	bucket, prefix, dir, endpoint string
	roleARN, externalID           string
	pathStyle, asJSON             bool
}

func (s *source) register(fs *flag.FlagSet) {
	fs.StringVar(&s.bucket, "bucket", "", "the S3 bucket the reports are delivered to")
	fs.StringVar(&s.prefix, "prefix", "", "the report prefix in the bucket")
	fs.StringVar(&s.dir, "dir", "", "a local copy of the bucket's layout, in place of -bucket")
	fs.StringVar(&s.endpoint, "endpoint", "", "endpoint URL of every AWS service called (S3, STS), for S3-compatible or test servers")
	fs.StringVar(&s.roleARN, "role-arn", "", "read through the customer's role: the standard chain's identity assumes it with -external-id")
	fs.StringVar(&s.externalID, "external-id", "", "the external ID the role's trust policy requires (with -role-arn)")
	fs.BoolVar(&s.pathStyle, "path-style", false, "use path-style S3 URLs")
	fs.BoolVar(&s.asJSON, "json", false, "print JSON")
}

// resolver builds the resolver the flags ask for.
func (s *source) resolver(ctx context.Context) (*curreader.Resolver, error) {
	switch {
	case s.dir != "" && s.bucket != "":
		return nil, usageError{errors.New("-dir and -bucket are exclusive")}
	case s.dir != "":
		if fi, err := os.Stat(s.dir); err != nil || !fi.IsDir() {
			return nil, usageError{fmt.Errorf("-dir %s is not a directory", s.dir)}
		}
		return curreader.NewFS(os.DirFS(s.dir), ""), nil
	case s.bucket != "":
		// The SDK logs to os.Stderr by default (checksum notices at DEBUG and WARN);
		// a program's stderr is for its own messages.
		cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		if s.endpoint != "" {
			cfg.BaseEndpoint = aws.String(s.endpoint) // every service: S3 and STS
		}
		if s.roleARN != "" || s.externalID != "" {
			if s.roleARN == "" || s.externalID == "" {
				return nil, usageError{errors.New("-role-arn and -external-id go together")}
			}
			// Read as the platform does: the standard chain's identity
			// assumes the customer's role with the external ID, and every S3
			// call uses the role's credentials.
			role, _ := iampolicy.ParseARN(s.roleARN) // Config refuses a malformed ARN
			conn := billingconn.Connection{PayerAccountID: role.AccountID, Bucket: s.bucket, Prefix: s.prefix,
				Credentials: billingconn.Credentials{RoleARN: s.roleARN, ExternalID: s.externalID}}
			if cfg, err = conn.Config(cfg); err != nil {
				return nil, usageError{err}
			}
		}
		opts := append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = s.pathStyle }}, extraS3Options...)
		return curreader.New(s3.NewFromConfig(cfg, opts...), s.bucket), nil
	}
	return nil, usageError{errors.New("one of -bucket or -dir is required")}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{errors.New("a subcommand is required")}
	}
	switch args[0] {
	case "list":
		return runList(ctx, args[1:], stdout, stderr)
	case "rows":
		return runRows(ctx, args[1:], stdout, stderr)
	case "sum":
		return runSum(ctx, args[1:], stdout, stderr)
	case "sync":
		return runSync(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return usageError{fmt.Errorf("unknown subcommand %q", args[0])}
}

// listEntry is one line of `list -json`.
type listEntry struct {
	Kind        curreader.Kind        `json:"kind"`
	Name        string                `json:"name"`
	Period      string                `json:"period"`
	Version     string                `json:"version"`
	Format      curreader.Format      `json:"format"`
	Compression curreader.Compression `json:"compression"`
	Manifest    string                `json:"manifest"`
	Files       []string              `json:"files"`
	// CoveredBy names, for historical files, the manifest-backed reports
	// that deliver the same month.
	CoveredBy []string `json:"covered_by,omitempty"`
}

func runList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var src source
	if err := parseSub("list", args, stderr, src.register); err != nil {
		return err
	}
	r, err := src.resolver(ctx)
	if err != nil {
		return err
	}
	out := newListWriter(stdout, src.asJSON)
	out.alwaysHeader = true
	failed, err := forEachDelivery(ctx, r, src.prefix, stderr, out.write)
	if err != nil {
		return err
	}
	if err := out.flush(); err != nil {
		return err
	}
	if failed > 0 {
		return partialError{failed}
	}
	return nil
}

// forEachDelivery resolves the newest delivery of every period of every
// report under prefix and calls fn with each. A period that cannot be
// resolved is reported on stderr and counted, and the others go on.
func forEachDelivery(ctx context.Context, r *curreader.Resolver, prefix string, stderr io.Writer, fn func(*curreader.Delivery) error) (failed int, err error) {
	reps, err := r.Reports(ctx, prefix)
	if err != nil {
		return 0, err
	}
	for _, rep := range reps {
		periods, err := r.Periods(ctx, rep)
		if err != nil {
			return failed, err
		}
		for _, p := range periods {
			d, err := r.Resolve(ctx, rep, p.Month)
			if err != nil {
				if ctx.Err() != nil {
					return failed, ctx.Err()
				}
				failed++
				fmt.Fprintf(stderr, "curcat: %s %s: %v\n", rep.Name, p, err)
				continue
			}
			if err := fn(d); err != nil {
				return failed, err
			}
		}
	}
	return failed, nil
}

// listWriter prints deliveries as `list` does: a table, or JSON Lines.
type listWriter struct {
	asJSON       bool
	alwaysHeader bool // print the table's header even when no delivery follows
	enc          *json.Encoder
	tw           *tabwriter.Writer
	header       bool
}

func newListWriter(w io.Writer, asJSON bool) *listWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &listWriter{asJSON: asJSON, enc: enc, tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
}

func (l *listWriter) write(d *curreader.Delivery) error {
	if l.asJSON {
		comp := d.Compression
		if comp == "" {
			comp = "mixed" // historical files of one month compressed in different ways
		}
		e := listEntry{Kind: d.Kind, Name: d.Report, Period: d.Period.String(), Version: d.Version, Format: d.Format,
			Compression: comp, Manifest: d.ManifestKey, Files: make([]string, len(d.Files)), CoveredBy: d.CoveredBy}
		for i, f := range d.Files {
			e.Files[i] = f.Key
		}
		return l.enc.Encode(e)
	}
	if !l.header {
		fmt.Fprintln(l.tw, "KIND\tNAME\tPERIOD\tVERSION\tFORMAT\tFILES\tSIZE")
		l.header = true
	}
	size := "?"
	if n := d.TotalSize(); n >= 0 {
		size = fmt.Sprint(n)
	}
	ready := ""
	if !d.Ready {
		ready = " (updating)"
	}
	_, err := fmt.Fprintf(l.tw, "%s\t%s\t%s\t%s\t%s/%s\t%d\t%s%s\n", d.Kind, d.Report, d.Period, d.Version, d.Format, d.Compression, len(d.Files), size, ready)
	return err
}

func (l *listWriter) flush() error {
	if l.asJSON {
		return nil
	}
	if !l.header && l.alwaysHeader {
		fmt.Fprintln(l.tw, "KIND\tNAME\tPERIOD\tVERSION\tFORMAT\tFILES\tSIZE")
	}
	return l.tw.Flush()
}
