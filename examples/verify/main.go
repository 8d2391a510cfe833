// Command verify checks, step by step, that a platform can read a
// customer's billing data through a cross-account role: it assumes the role
// with the external ID, finds the bucket's region, lists the report prefix,
// reads the newest manifest, lists the Organizations accounts and calls Cost
// Explorer, and says for each step what passed, what failed, which policy
// statement is missing and whether waiting will help.
//
// Usage:
//
//	go run ./examples/verify -role-arn ARN -external-id X -bucket B [-prefix P] [-report NAME] [-profile optima|eco|FILE.json] [-payer-account ID] [-json] [-endpoint URL] [-path-style]
//
// The platform's own credentials come from the standard AWS configuration
// chain (environment, shared config and SSO, instance or task role); they
// call sts:AssumeRole. The payer account is the role's account
// (arn:aws:iam::<account>:role/<name>) unless -payer-account names it.
// -profile (repeatable) adds a check of the report definition against the
// consumer profile. -endpoint sends every call to an AWS-compatible server
// (for example moto_server); -path-style uses path-style S3 addressing.
//
// -json prints {"checks": [{"id", "status", "code", "message",
// "remediation", "hint", "retryable"}, …]}. "remediation" is for the
// customer who owns the AWS account (plain words, no code identifiers);
// "hint" is for the platform's developers (API names, options, statement
// Sids), "" when there is nothing to add. Codes include AWS's own
// (AccessDenied, NoSuchBucket, …) and the program's: NO_DELIVERY_YET,
// ENDPOINT_UNREACHABLE (nothing answered: refused, DNS, TLS, timeout;
// retryable), SIGNATURE_MISMATCH (AWS could not authenticate the request:
// a wrong secret or a skewed clock, not a policy gap), and the others of
// billingconn.
//
// Exit codes: 0 every check passed, 1 a check failed, 2 bad input.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

// Exit codes, as every example program uses them.
const (
	exitOK       = 0
	exitFailed   = 1
	exitBadInput = 2
)

// usageError marks bad flags or arguments (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errFailed reports that at least one check failed (exit code 1).
var errFailed = errors.New("verification failed")

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp): // -h prints the usage and succeeds
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	}
	fmt.Fprintln(stderr, "verify:", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, curerr.ErrMalformed) {
		return exitBadInput
	}
	return exitFailed
}

// profileFlag collects -profile values.
type profileFlag []string

func (p *profileFlag) String() string     { return strings.Join(*p, ",") }
func (p *profileFlag) Set(v string) error { *p = append(*p, v); return nil }

func loadProfile(v string) (*billingconn.Profile, error) {
	switch strings.ToLower(v) {
	case "optima":
		return billingconn.Optima(), nil
	case "eco":
		return billingconn.Eco(), nil
	}
	data, err := os.ReadFile(v)
	if err != nil {
		return nil, usageError{fmt.Errorf("-profile %s: not optima, eco or a readable profile file: %w", v, err)}
	}
	p, err := billingconn.ParseProfile(data)
	if err != nil {
		return nil, fmt.Errorf("-profile %s: %w", v, err)
	}
	return p, nil
}

// jsonCheck is one element of the -json output.
type jsonCheck struct {
	ID          billingconn.CheckID `json:"id"`
	Status      billingconn.Status  `json:"status"`
	Code        string              `json:"code"`
	Message     string              `json:"message"`
	Remediation string              `json:"remediation"`
	Hint        string              `json:"hint"`
	Retryable   bool                `json:"retryable"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	roleARN := fs.String("role-arn", "", "the customer's role to assume (arn:aws:iam::<payer>:role/<name>)")
	externalID := fs.String("external-id", "", "the external ID the role's trust policy requires")
	bucket := fs.String("bucket", "", "the bucket the reports are delivered to")
	prefix := fs.String("prefix", "", "the report prefix (S3Prefix)")
	report := fs.String("report", "", "the report or export name (default: every report under the prefix)")
	var profileArgs profileFlag
	fs.Var(&profileArgs, "profile", "check the report definition against a consumer profile: optima, eco or a profile JSON file (repeatable)")
	payerAccount := fs.String("payer-account", "", "the payer (management) account ID (default: the -role-arn's account)")
	asJSON := fs.Bool("json", false, `print {"checks": [{"id", "status", "code", "message", "remediation", "hint", "retryable"}, …]}`)
	endpoint := fs.String("endpoint", "", "send every AWS call to this URL (an AWS-compatible server such as moto_server)")
	pathStyle := fs.Bool("path-style", false, "use path-style S3 addressing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: verify -role-arn ARN -external-id X -bucket B [-prefix P] [-report NAME] [-profile optima|eco|FILE.json] [-payer-account ID] [-json] [-endpoint URL] [-path-style]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	var missing []string
	for name, v := range map[string]string{"-role-arn": *roleARN, "-external-id": *externalID, "-bucket": *bucket} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return usageError{fmt.Errorf("missing %s", strings.Join(slices.Sorted(slices.Values(missing)), ", "))}
	}
	var profiles []*billingconn.Profile
	for _, v := range profileArgs {
		p, err := loadProfile(v)
		if err != nil {
			return err
		}
		profiles = append(profiles, p)
	}
	payer := *payerAccount
	if payer == "" {
		if a, err := iampolicy.ParseARN(*roleARN); err == nil {
			payer = a.AccountID // the role lives in the payer account
		}
	}
	conn := billingconn.Connection{
		PayerAccountID: payer, Bucket: *bucket, Prefix: *prefix, ReportName: *report,
		Credentials: billingconn.Credentials{RoleARN: *roleARN, ExternalID: *externalID},
	}
	if err := conn.Validate(); err != nil {
		return usageError{flagErrors(err, *payerAccount != "")}
	}

	// The SDK logs to os.Stderr by default (checksum notices at DEBUG and WARN);
	// a program's stderr is for its own messages.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
	if err != nil {
		return fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if *endpoint != "" {
		cfg.BaseEndpoint = aws.String(*endpoint)
		// S3-compatible servers rarely return checksums; do not ask for them.
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	clients := billingconn.NewClients(cfg, func(o *billingconn.ClientOptions) {
		if *pathStyle {
			o.S3 = append(o.S3, func(so *s3.Options) { so.UsePathStyle = true })
		}
	})

	rep, err := billingconn.Verify(ctx, conn, clients, func(o *billingconn.VerifyOptions) { o.Profiles = profiles })
	if err != nil {
		return err
	}
	if *asJSON {
		err = writeJSON(stdout, rep)
	} else {
		err = writeText(stdout, rep)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return errFailed
	}
	return nil
}

// flags name the flag each Connection field comes from.
var flags = map[string]string{
	"PayerAccountID": "-payer-account", "Bucket": "-bucket", "Prefix": "-prefix", "ReportName": "-report",
	"Credentials.RoleARN": "-role-arn", "Credentials.ExternalID": "-external-id",
}

// flagErrors renames Connection.Validate's fields to the flags they come
// from. Without -payer-account the payer account is the -role-arn's, so a
// problem with it is the role ARN's, reported there.
func flagErrors(err error, payerGiven bool) error {
	var out []error
	for _, fe := range curerr.Fields(err) {
		if fe.Field == "PayerAccountID" && !payerGiven {
			continue
		}
		field := fe.Field
		if f, ok := flags[field]; ok {
			field = f
		}
		out = append(out, &curerr.FieldError{Field: field, Msg: fe.Msg, Err: fe.Err})
	}
	if len(out) == 0 {
		return err
	}
	return errors.Join(out...)
}

func writeJSON(w io.Writer, rep *billingconn.Verification) error {
	out := struct {
		Checks []jsonCheck `json:"checks"`
	}{Checks: []jsonCheck{}}
	for _, c := range rep.Checks {
		out.Checks = append(out.Checks, jsonCheck{ID: c.ID, Status: c.Status, Code: c.Code, Message: c.Message, Remediation: c.Remediation, Hint: c.Hint, Retryable: c.Retryable})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeText(w io.Writer, rep *billingconn.Verification) error {
	fmt.Fprintf(w, "Verifying %s\n\n", rep.Connection)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tCODE\tTIME\tMESSAGE")
	for _, c := range rep.Checks {
		code := c.Code
		if code == "" {
			code = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%dms\t%s\n", c.ID, c.Status, code, c.Duration.Milliseconds(), c.Message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	failed := rep.Failed()
	for _, c := range failed {
		fmt.Fprintf(w, "\n%s failed", c.ID)
		if c.RequestID != "" {
			fmt.Fprintf(w, " (request ID %s)", c.RequestID)
		}
		if c.Retryable {
			fmt.Fprint(w, "; retrying later can help")
		}
		fmt.Fprintf(w, ":\n  %s\n", c.Remediation)
		if c.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", c.Hint)
		}
		for _, f := range c.Findings {
			fmt.Fprintf(w, "  %s %s %s: %s\n", f.Severity, f.Code, f.Field, f.Message)
		}
	}
	if o := rep.Organization; o != nil {
		fmt.Fprintf(w, "\nOrganization %s (management account %s):\n", o.ID, o.ManagementAccountID)
		for _, id := range o.Accounts.IDs() {
			a := o.Accounts[id]
			fmt.Fprintf(w, "  %s  %-8s %s\n", a.ID, a.Status, a.Name)
		}
	}
	fmt.Fprintln(w)
	switch {
	case len(failed) == 0:
		fmt.Fprintf(w, "All %d checks passed.\n", len(rep.Checks))
	case rep.Retryable():
		fmt.Fprintf(w, "%d of %d checks failed; every failure may clear by itself: verify again later.\n", len(failed), len(rep.Checks))
	default:
		fmt.Fprintf(w, "%d of %d checks failed.\n", len(failed), len(rep.Checks))
	}
	return nil
}
