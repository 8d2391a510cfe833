// Command quickstart walks through connecting an AWS payer account to a
// cost platform, end to end, with no AWS account and no network.
//
// It starts an embedded S3 on 127.0.0.1 (curreader/curtest's Server), lets
// curtest deliver two months of a legacy Cost and Usage Report (create-new
// versions, gzip CSV, several files, one month restated) and a CUR 2.0
// export (Parquet) into it, and then does what a platform's onboarding does:
// it prints the documents the customer creates (read policy, trust policy,
// bucket policy, CloudFormation template and its quick-create link),
// validates both report definitions against the Flexera Optima and Spot Eco
// profiles with their fixes, verifies the connection step by step, lists
// every report and billing period it finds, and sums the costs by service
// and by account, exactly, checking the sums against what was generated.
//
// Usage:
//
//	go run ./examples/quickstart [-json] [-show-documents]
//	go run ./examples/quickstart -bucket B [-prefix P] [-report NAME] [-role-arn ARN -external-id X] [-endpoint URL] [-path-style]
//
// With -bucket it reads a real bucket through the standard AWS
// configuration chain instead of the embedded S3.
//
// Exit codes: 0 success, 1 something checked is not right, 2 bad input.
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

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/iampolicy"
)

// Exit codes, as every example program uses them.
const (
	exitOK       = 0
	exitFindings = 1
	exitBadInput = 2
)

// usageError marks bad flags or arguments (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errNotRight means the story ran but something it checks is wrong
// (exit code 1); the details are in the output.
var errNotRight = errors.New("something checked is not right (see above)")

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "quickstart:", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, curerr.ErrMalformed) {
		return exitBadInput
	}
	return exitFindings
}

// options are the parsed flags.
type options struct {
	bucket, prefix, report, payer, trusted, externalID, roleARN string
	templateURL, endpoint                                       string
	pathStyle, asJSON, showDocuments                            bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.bucket, "bucket", "", "read this real bucket instead of the embedded S3 (standard AWS configuration chain)")
	fs.StringVar(&o.prefix, "prefix", "cur", "the report prefix in the bucket")
	fs.StringVar(&o.report, "report", "", "the report to summarise (default: the first legacy report found)")
	fs.StringVar(&o.payer, "payer-account", demoPayer, "the customer's payer account ID")
	fs.StringVar(&o.trusted, "trusted-account", "451234325714", "the platform's AWS account ID")
	fs.StringVar(&o.roleARN, "role-arn", "", "with -bucket: the customer's role to assume for verification")
	fs.StringVar(&o.externalID, "external-id", "", "the external ID (default: a new random one)")
	fs.StringVar(&o.templateURL, "template-url", "https://curconnect-templates.s3.us-east-1.amazonaws.com/billing-read-role.json", "where the CloudFormation template is hosted, for the quick-create link")
	fs.StringVar(&o.endpoint, "endpoint", "", "with -bucket: S3 endpoint URL of an S3-compatible server")
	fs.BoolVar(&o.pathStyle, "path-style", false, "with -bucket: path-style S3 URLs")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object instead of text")
	fs.BoolVar(&o.showDocuments, "show-documents", false, "print the full JSON and YAML of every generated document")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}
	if o.bucket == "" && (o.roleARN != "" || o.endpoint != "") {
		return nil, usageError{errors.New("-role-arn and -endpoint need -bucket")}
	}
	if o.roleARN != "" && o.externalID == "" {
		return nil, usageError{errors.New("-role-arn needs -external-id")}
	}
	if o.externalID == "" {
		o.externalID = iampolicy.NewExternalID()
	} else if err := iampolicy.ValidateExternalID(o.externalID); err != nil {
		return nil, usageError{err}
	}
	return o, nil
}

// story is everything the quickstart shows; -json prints it.
type story struct {
	Bucket     string                    `json:"bucket"`
	Prefix     string                    `json:"prefix"`
	Embedded   bool                      `json:"embedded"`
	Generated  []generatedStream         `json:"generated,omitempty"`
	Documents  *documents                `json:"documents"`
	Validation []validation              `json:"validation,omitempty"`
	Verify     *billingconn.Verification `json:"verification,omitempty"`
	Reports    []listedDelivery          `json:"reports"`
	Summary    *summary                  `json:"summary,omitempty"`
	// ExportSummary is the same from the CUR 2.0 export (Parquet).
	ExportSummary *summary                   `json:"exportSummary,omitempty"`
	Problems      []string                   `json:"problems,omitempty"`
	w             io.Writer                  `json:"-"`
	opts          *options                   `json:"-"`
	truth         map[string]*curtest.Result `json:"-"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	st := &story{Bucket: o.bucket, Prefix: o.prefix, w: stdout, opts: o}
	if o.asJSON {
		st.w = io.Discard
	}
	var env *environment
	if o.bucket == "" {
		env, err = startEmbedded(ctx, st)
	} else {
		env, err = connectReal(ctx, st)
	}
	if err != nil {
		return err
	}
	defer env.close()

	steps := []func(context.Context, *environment) error{st.generate, st.writeDocuments, st.validate, st.verify, st.list, st.summarize}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(ctx, env); err != nil {
			return err
		}
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return err
		}
	} else if len(st.Problems) == 0 {
		fmt.Fprintln(stdout, "\nAll checks passed.")
	}
	if len(st.Problems) > 0 {
		for _, p := range st.Problems {
			fmt.Fprintln(stderr, "quickstart:", p)
		}
		return errNotRight
	}
	return nil
}

// section prints a numbered heading.
func (st *story) section(title string) {
	fmt.Fprintf(st.w, "\n== %s\n", title)
}

// table returns a tabwriter for 80-column tables.
func (st *story) table() *tabwriter.Writer {
	return tabwriter.NewWriter(st.w, 0, 4, 2, ' ', 0)
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
