// Command quickstart walks through connecting an AWS payer account to a cost
// platform, with no AWS account and no network: it prints the documents a
// customer creates (read policy, trust policy, delivery bucket policy).
//
// Usage:
//
//	go run ./examples/quickstart [-bucket B] [-prefix P] [-trusted-account ID] [-external-id X] [-json]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

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

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "quickstart:", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, iampolicy.ErrMalformed) {
		return exitBadInput
	}
	return exitFindings
}

// documents is the -json output.
type documents struct {
	Bucket       string           `json:"bucket"`
	Prefix       string           `json:"prefix"`
	Trusted      string           `json:"trustedAccount"`
	ExternalID   string           `json:"externalId"`
	ReadPolicy   iampolicy.Policy `json:"readPolicy"`
	TrustPolicy  iampolicy.Policy `json:"trustPolicy"`
	BucketPolicy iampolicy.Policy `json:"bucketPolicy"`
	// Template is the CloudFormation template (JSON) that creates the role.
	Template json.RawMessage `json:"cloudFormationTemplate"`
	// QuickCreateURL opens the console's quick-create page for Template,
	// hosted at TemplateURL.
	TemplateURL    string `json:"templateURL"`
	QuickCreateURL string `json:"quickCreateURL"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bucket := fs.String("bucket", "acme-billing-111122223333", "the customer's billing bucket")
	prefix := fs.String("prefix", "cur", "the report prefix in the bucket")
	payer := fs.String("payer-account", "111122223333", "the customer's payer account ID")
	trusted := fs.String("trusted-account", "451234325714", "the platform's AWS account ID")
	externalID := fs.String("external-id", "", "the external ID (default: a new random one)")
	templateURL := fs.String("template-url", "https://curconnect-templates.s3.us-east-1.amazonaws.com/billing-read-role.json", "where the CloudFormation template is hosted, for the quick-create link")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if *externalID == "" {
		*externalID = iampolicy.NewExternalID()
	}

	d := documents{Bucket: *bucket, Prefix: *prefix, Trusted: *trusted, ExternalID: *externalID}
	var err error
	if d.ReadPolicy, err = iampolicy.CURReadPolicy(*bucket, *prefix); err != nil {
		return err
	}
	if d.TrustPolicy, err = iampolicy.CrossAccountTrust(*trusted, *externalID); err != nil {
		return err
	}
	if d.BucketPolicy, err = iampolicy.DeliveryBucketPolicy(*bucket, *payer); err != nil {
		return err
	}
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{Bucket: *bucket, Prefix: *prefix, TrustedPrincipal: *trusted, ExternalID: *externalID})
	if err != nil {
		return err
	}
	if d.Template, err = tmpl.JSON(); err != nil {
		return err
	}
	d.TemplateURL = *templateURL
	if d.QuickCreateURL, err = iampolicy.QuickCreateURL("us-east-1", *templateURL, "curconnect-billing-read", nil); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}

	fmt.Fprintf(stdout, "curconnect quickstart: connecting payer account %s (bucket %s, prefix %q)\n", *payer, *bucket, *prefix)
	fmt.Fprintf(stdout, "to platform account %s with external ID %s\n", *trusted, *externalID)
	section := func(title, note string, p iampolicy.Policy) error {
		b, err := p.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n== %s\n%s\n\n%s", title, note, b)
		return nil
	}
	if err := section("1. Read policy (attach to the role)", "Lets the platform list the bucket and read reports under the prefix.", d.ReadPolicy); err != nil {
		return err
	}
	if err := section("2. Trust policy (the role's trust relationship)", "Lets only the platform's account assume the role, and only with the external ID.", d.TrustPolicy); err != nil {
		return err
	}
	if err := section("3. Bucket policy (on the billing bucket)", "Lets AWS deliver legacy CUR and Data Exports of this payer account.", d.BucketPolicy); err != nil {
		return err
	}
	yaml, err := tmpl.YAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n== 4. CloudFormation template (creates the role with 1 and 2)\nHost it at %s, then send the customer this link:\n%s\n\n%s", *templateURL, d.QuickCreateURL, yaml)
	return nil
}
