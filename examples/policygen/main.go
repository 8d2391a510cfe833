// Command policygen prints the IAM documents a customer creates to connect
// an AWS payer account to a cost platform: the read policy for the billing
// bucket, the role's trust policy, the bucket policy that lets AWS deliver
// reports, a CloudFormation template (JSON or YAML) that creates the role,
// a console quick-create link for that template, and the ARN of the role
// the template creates.
//
// Usage:
//
//	go run ./examples/policygen -bucket B [-prefix P]
//	    (-trusted-account ID | -trusted-principal ARN)
//	    (-external-id X | -generate-external-id)
//	    [-partition aws|aws-cn|aws-us-gov] [-kms-key-arn ARN]...
//	    -output policy|trust|bucket-policy|cfn-json|cfn-yaml|quick-create-url|role-arn
//	    [-template-url URL] [-stack-name NAME] [-region R] [-account ID]
//	    [-hosted] [-role-name NAME] [-json]
//
// Each output needs only its own inputs: policy needs -bucket; trust needs
// the trusted principal and the external ID; bucket-policy needs -bucket and
// -account, the customer's payer account that owns the bucket and the report
// definitions; cfn-json, cfn-yaml and quick-create-url need -bucket, the
// trusted principal and the external ID, and quick-create-url also needs
// -template-url, where the template is hosted (an S3 https URL); role-arn
// needs -account, the payer account the stack is created in.
//
// With -hosted, cfn-json and cfn-yaml write one template to host for every
// customer: it needs only the trusted principal (and takes -prefix as the
// prefix's default), and refuses -bucket, the external ID flags and
// -kms-key-arn, because its BucketName and ExternalId parameters have no
// default and its RoleName (-role-name) is fixed. quick-create-url -hosted
// links a customer to that template: it needs -template-url and the
// external ID, passes -bucket and -prefix when given (the customer fills in
// what the link leaves out), and refuses the trusted principal flags, as the
// hosted template holds the principal. Once the customer has created the
// stack, role-arn prints the role's ARN, derived from -account, -partition
// and -role-name, so the customer need not copy it.
//
// With -generate-external-id the new external ID is printed on stderr (or in
// the -json object): store it with the customer's connection. An
// -external-id shorter than 16 characters is accepted (a platform may use an
// ID the customer already has, such as the organization ID) with a warning
// on stderr: a short or well-known ID exposes the role to the
// confused-deputy problem (see iampolicy.ExternalIDWarning).
//
// A -trusted-principal with a wildcard is refused (IAM does not let a
// wildcard match part of a principal). A * in -prefix is written as IAM's
// ${*}, so the grant is exactly that prefix; a ? is refused, as report
// prefixes do not allow it. -json prints
// one object {"output", "externalId", "document"} instead of the bare
// document. -endpoint and -path-style are accepted, as by every curconnect
// program, but policygen makes no AWS calls.
//
// Exit codes: 0 success, 2 bad input.
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

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	var ie *inputError
	if err != nil && !errors.Is(err, flag.ErrHelp) && !(errors.As(err, &ie) && ie.reported) {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(exitCode(err))
}

// inputError is bad input: a missing, conflicting or invalid flag.
// reported is set when the flag package already printed it with the usage.
type inputError struct {
	msg      string
	reported bool
}

func (e *inputError) Error() string { return "policygen: " + e.msg }

func badInput(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// exitCode maps run's error to the process exit code: 0 success (and -h),
// 2 bad input (flags, or values the builders refuse), 1 anything else.
func exitCode(err error) int {
	var ie *inputError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ie), errors.Is(err, curerr.ErrMalformed):
		return 2
	}
	return 1
}

// Outputs policygen can print.
const (
	outPolicy       = "policy"
	outTrust        = "trust"
	outBucketPolicy = "bucket-policy"
	outCFNJSON      = "cfn-json"
	outCFNYAML      = "cfn-yaml"
	outQuickCreate  = "quick-create-url"
	outRoleARN      = "role-arn"
)

var outputs = []string{outPolicy, outTrust, outBucketPolicy, outCFNJSON, outCFNYAML, outQuickCreate, outRoleARN}

// DefaultStackName is the stack name of the quick-create link.
const defaultStackName = "curconnect-billing-read"

type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

type config struct {
	bucket, prefix                   string
	trustedAccount, trustedPrincipal string
	externalID                       string
	generateExternalID               bool
	partition                        string
	kmsKeyARNs                       stringList
	output                           string
	templateURL, stackName, region   string
	account                          string
	hosted                           bool
	roleName                         string
	endpoint                         string // accepted, unused
	pathStyle, jsonOut               bool
	trusted                          string // the chosen trusted principal
	usesExternalID                   bool   // the output carries the external ID
	generatedID                      string // set when -generate-external-id made one
	regionSet, prefixSet             bool
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("policygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bucket, "bucket", "", "billing bucket `name`")
	fs.StringVar(&c.prefix, "prefix", "", "report `prefix` in the bucket (empty: the whole bucket)")
	fs.StringVar(&c.trustedAccount, "trusted-account", "", "the platform's 12-digit AWS account `ID` allowed to assume the role")
	fs.StringVar(&c.trustedPrincipal, "trusted-principal", "", "the platform's IAM principal `ARN` (role, user or account root) allowed to assume the role")
	fs.StringVar(&c.externalID, "external-id", "", "external `ID` the platform passes to sts:AssumeRole")
	fs.BoolVar(&c.generateExternalID, "generate-external-id", false, "generate a new external ID (printed on stderr)")
	fs.StringVar(&c.partition, "partition", iampolicy.PartitionAWS, "AWS `partition`: aws, aws-cn or aws-us-gov")
	fs.Var(&c.kmsKeyARNs, "kms-key-arn", "KMS key `ARN` the reports are encrypted with (repeatable)")
	fs.StringVar(&c.output, "output", "", "what to print: "+strings.Join(outputs, "|"))
	fs.StringVar(&c.templateURL, "template-url", "", "https `URL` where the template is hosted (quick-create-url)")
	fs.StringVar(&c.stackName, "stack-name", defaultStackName, "stack `name` of the quick-create link")
	fs.StringVar(&c.region, "region", "", "console `region` of the quick-create link (default us-east-1, cn-north-1 or us-gov-west-1 by partition)")
	fs.StringVar(&c.account, "account", "", "the customer's payer account `ID` that owns the bucket (bucket-policy) and creates the stack (role-arn)")
	fs.BoolVar(&c.hosted, "hosted", false, "cfn-json, cfn-yaml: one template for every customer; quick-create-url: a link to such a template")
	fs.StringVar(&c.roleName, "role-name", iampolicy.DefaultRoleName, "`name` of the role the template creates (cfn-*, quick-create-url, role-arn)")
	fs.StringVar(&c.endpoint, "endpoint", "", "S3-compatible endpoint `URL` (accepted; policygen makes no AWS calls)")
	fs.BoolVar(&c.pathStyle, "path-style", false, "use path-style S3 addressing (accepted; policygen makes no AWS calls)")
	fs.BoolVar(&c.jsonOut, "json", false, `print one JSON object {"output", "externalId", "document"}`)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: policygen -bucket B [-prefix P] (-trusted-account ID | -trusted-principal ARN)
    (-external-id X | -generate-external-id) [-partition aws|aws-cn|aws-us-gov] [-kms-key-arn ARN]...
    -output policy|trust|bucket-policy|cfn-json|cfn-yaml|quick-create-url|role-arn
    [-template-url URL] [-stack-name NAME] [-region R] [-account ID] [-hosted] [-role-name NAME] [-json]

Outputs and what they need:
  policy            the read policy for the platform's role: -bucket
  trust             the role's trust policy: the trusted principal and the external ID
  bucket-policy     the bucket policy that lets AWS deliver reports: -bucket and -account
                    (-account is the customer's payer account that owns the bucket and the
                    report definitions, not the platform's account)
  cfn-json          CloudFormation template (JSON) creating the role and its read policy:
  cfn-yaml          -bucket, the trusted principal and the external ID
  quick-create-url  console link that creates the stack: as cfn-*, plus -template-url (the
                    S3 https URL where the template is hosted); the link carries every
                    parameter, including the external ID (not a secret in IAM's model)
  role-arn          the ARN of the role the stack creates: -account (the payer account the
                    stack is created in), -role-name and -partition

One template for every customer (-hosted):
  cfn-json, cfn-yaml -hosted   the template to host: the trusted principal only (-prefix sets
                    the prefix's default); the customer's bucket and external ID are parameters
  quick-create-url -hosted     a customer's link to it: -template-url and the external ID,
                    plus -bucket and -prefix when known (the customer fills in the rest)

A * in -prefix is written as IAM's ${*}, so the grant is exactly that prefix. An -external-id
shorter than 16 characters is accepted with a warning on stderr.

Exit codes: 0 success, 2 bad input.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &inputError{msg: err.Error(), reported: true}
	}
	if fs.NArg() > 0 {
		return nil, badInput("unexpected argument %q (every input is a flag)", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		c.regionSet = c.regionSet || f.Name == "region"
		c.prefixSet = c.prefixSet || f.Name == "prefix"
	})
	return c, nil
}

// validate checks that the flags for c.output are present and do not
// conflict. Values themselves are checked by iampolicy's builders.
func (c *config) validate() error {
	switch c.output {
	case "":
		return badInput("-output is required: one of %s", strings.Join(outputs, ", "))
	case outPolicy, outTrust, outBucketPolicy, outCFNJSON, outCFNYAML, outQuickCreate, outRoleARN:
	default:
		return badInput("-output %q is not one of %s", c.output, strings.Join(outputs, ", "))
	}
	if c.trustedAccount != "" && c.trustedPrincipal != "" {
		return badInput("give -trusted-account or -trusted-principal, not both")
	}
	if c.externalID != "" && c.generateExternalID {
		return badInput("give -external-id or -generate-external-id, not both")
	}
	if c.trustedAccount != "" {
		if err := iampolicy.ValidateAccountID(c.trustedAccount); err != nil {
			return badInput("-trusted-account: %q is not a 12-digit AWS account ID", c.trustedAccount)
		}
		c.trusted = c.trustedAccount
	}
	if c.trustedPrincipal != "" {
		if !strings.HasPrefix(c.trustedPrincipal, "arn:") {
			return badInput("-trusted-principal: %q is not an ARN (use -trusted-account for an account ID)", c.trustedPrincipal)
		}
		c.trusted = c.trustedPrincipal
	}
	if err := iampolicy.ValidatePartition(c.partition); err != nil {
		return badInput("-partition: %q is not one of aws, aws-cn, aws-us-gov", c.partition)
	}

	template := c.output == outCFNJSON || c.output == outCFNYAML
	if c.hosted {
		if err := c.validateHosted(template); err != nil {
			return err
		}
	}
	needBucket := c.output != outTrust && c.output != outRoleARN && !c.hosted
	needPrincipal := c.output == outTrust || template || (c.output == outQuickCreate && !c.hosted)
	needExternalID := c.output == outTrust || c.output == outQuickCreate || (template && !c.hosted)
	if needBucket && c.bucket == "" {
		return badInput("-output %s needs -bucket", c.output)
	}
	if needPrincipal && c.trusted == "" {
		return badInput("-output %s needs -trusted-account or -trusted-principal", c.output)
	}
	if needExternalID && c.externalID == "" && !c.generateExternalID {
		return badInput("-output %s needs -external-id or -generate-external-id", c.output)
	}
	if c.output == outBucketPolicy && c.account == "" {
		return badInput("-output bucket-policy needs -account, the customer's payer account that owns the bucket")
	}
	if c.output == outRoleARN && c.account == "" {
		return badInput("-output role-arn needs -account, the customer's payer account the stack is created in")
	}
	if c.output == outQuickCreate {
		if c.templateURL == "" {
			return badInput("-output quick-create-url needs -template-url, the https URL where the template is hosted")
		}
		if !c.regionSet {
			switch c.partition {
			case iampolicy.PartitionChina:
				c.region = "cn-north-1"
			case iampolicy.PartitionGovCloud:
				c.region = "us-gov-west-1"
			default:
				c.region = "us-east-1"
			}
		}
		p, err := iampolicy.RegionPartition(c.region)
		if err != nil {
			return badInput("-region: %q is not an AWS region", c.region)
		}
		if p != c.partition {
			return badInput("-region %s is in partition %s, not %s (set -partition)", c.region, p, c.partition)
		}
	}
	c.usesExternalID = needExternalID
	if needExternalID && c.generateExternalID {
		c.generatedID = iampolicy.NewExternalID()
		c.externalID = c.generatedID
	}
	return nil
}

// validateHosted checks the flags of -hosted: for a template, nothing that
// belongs to one customer; for a link, nothing the hosted template already
// holds.
func (c *config) validateHosted(template bool) error {
	switch {
	case template && c.bucket != "":
		return badInput("-hosted writes one template for every customer: leave out -bucket (each customer's goes in the quick-create link, or the customer fills it in)")
	case template && (c.externalID != "" || c.generateExternalID):
		return badInput("-hosted writes one template for every customer: leave out the external ID (each customer's goes in the quick-create link: -output quick-create-url -hosted)")
	case len(c.kmsKeyARNs) > 0:
		return badInput("-hosted serves every customer, and a KMS key belongs to one: leave out -kms-key-arn (write a template per customer for a bucket encrypted with SSE-KMS)")
	case c.output == outQuickCreate && c.trusted != "":
		return badInput("-output quick-create-url -hosted: the hosted template holds the trusted principal; leave out -trusted-account and -trusted-principal")
	case !template && c.output != outQuickCreate:
		return badInput("-hosted applies to -output cfn-json, cfn-yaml and quick-create-url")
	}
	return nil
}

// run parses args, builds the requested document and writes it to stdout.
// Notes (a generated external ID) go to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	doc, isJSON, err := c.build()
	if err != nil {
		return fmt.Errorf("policygen: %w", err)
	}
	if c.generatedID != "" && !c.jsonOut {
		fmt.Fprintf(stderr, "policygen: generated external ID %s: store it with the customer's connection; the platform passes it to sts:AssumeRole\n", c.generatedID)
	}
	if c.usesExternalID && c.generatedID == "" {
		if w := iampolicy.ExternalIDWarning(c.externalID); w != "" {
			fmt.Fprintf(stderr, "policygen: warning: -external-id: %s\n", w)
		}
	}
	if !c.jsonOut {
		_, err := stdout.Write(doc)
		return err
	}
	out := struct {
		Output     string `json:"output"`
		ExternalID string `json:"externalId,omitempty"`
		Document   any    `json:"document"`
	}{Output: c.output, Document: strings.TrimSuffix(string(doc), "\n")}
	if isJSON {
		out.Document = json.RawMessage(doc)
	}
	if c.output != outPolicy && c.output != outBucketPolicy {
		out.ExternalID = c.externalID
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// build returns the document for c.output, with a trailing newline, and
// whether it is JSON.
func (c *config) build() ([]byte, bool, error) {
	switch c.output {
	case outPolicy:
		p, err := iampolicy.CURReadPolicy(c.bucket, c.prefix, func(o *iampolicy.ReadPolicyOptions) {
			o.Partition = c.partition
			o.KMSKeyARNs = c.kmsKeyARNs
		})
		if err != nil {
			return nil, false, err
		}
		b, err := p.JSON()
		return b, true, err
	case outTrust:
		p, err := iampolicy.CrossAccountTrust(c.trusted, c.externalID, func(o *iampolicy.TrustPolicyOptions) { o.Partition = c.partition })
		if err != nil {
			return nil, false, err
		}
		b, err := p.JSON()
		return b, true, err
	case outBucketPolicy:
		p, err := iampolicy.DeliveryBucketPolicy(c.bucket, c.account, func(o *iampolicy.DeliveryPolicyOptions) { o.Partition = c.partition })
		if err != nil {
			return nil, false, err
		}
		b, err := p.JSON()
		return b, true, err
	case outRoleARN:
		arn, err := iampolicy.RoleARN(c.partition, c.account, c.roleName)
		if err != nil {
			return nil, false, err
		}
		return []byte(arn + "\n"), false, nil
	case outQuickCreate:
		if c.hosted {
			params, err := c.hostedLinkParams()
			if err != nil {
				return nil, false, err
			}
			link, err := iampolicy.QuickCreateURL(c.region, c.templateURL, c.stackName, params)
			if err != nil {
				return nil, false, err
			}
			return []byte(link + "\n"), false, nil
		}
	}
	in := iampolicy.TemplateInput{
		Bucket:           c.bucket,
		Prefix:           c.prefix,
		TrustedPrincipal: c.trusted,
		ExternalID:       c.externalID,
		Partition:        c.partition,
		KMSKeyARNs:       c.kmsKeyARNs,
		RoleName:         c.roleName,
		Hosted:           c.hosted,
	}
	tmpl, err := iampolicy.CloudFormationTemplate(in)
	if err != nil {
		return nil, false, err
	}
	switch c.output {
	case outCFNJSON:
		b, err := tmpl.JSON()
		return b, true, err
	case outCFNYAML:
		b, err := tmpl.YAML()
		return b, false, err
	}
	link, err := iampolicy.QuickCreateURL(c.region, c.templateURL, c.stackName, tmpl.ParameterDefaults())
	if err != nil {
		return nil, false, err
	}
	return []byte(link + "\n"), false, nil
}

// hostedLinkParams are the parameters of a customer's link to the hosted
// template: the external ID, and the bucket and prefix when given. They are
// checked as the template's builders would check them, since the hosted
// template is not built here; the parameters' constraints check them again
// in the console.
func (c *config) hostedLinkParams() (map[string]string, error) {
	params := map[string]string{iampolicy.ParamExternalID: c.externalID}
	errs := []error{iampolicy.ValidateExternalID(c.externalID)}
	if c.bucket != "" {
		params[iampolicy.ParamBucketName] = c.bucket
		errs = append(errs, iampolicy.ValidateBucketName(c.bucket))
	}
	if c.prefixSet {
		prefix := strings.TrimRight(c.prefix, "/")
		params[iampolicy.ParamReportPrefix] = prefix
		errs = append(errs, iampolicy.ValidatePrefix(prefix))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return params, nil
}
