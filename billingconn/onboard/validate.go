package onboard

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

// inputError is a request refused for its input: every field's problem,
// each shown next to its field. A field is named as the JSON API names it
// (payerAccountId, bucket, prefix, reportName, profile, roleArn,
// definition), or empty for the request as a whole.
type inputError struct{ fields []*curerr.FieldError }

func (e *inputError) Error() string {
	var parts []string
	for _, f := range e.fields {
		parts = append(parts, f.Error())
	}
	return "onboard: " + strings.Join(parts, "; ")
}

func (e *inputError) Unwrap() error { return curerr.ErrMalformed }

func fieldErr(field, format string, args ...any) *inputError {
	return &inputError{fields: []*curerr.FieldError{{Field: field, Msg: fmt.Sprintf(format, args...)}}}
}

// Settings are what the customer enters first.
type Settings struct {
	PayerAccountID string `json:"payerAccountId"`
	Bucket         string `json:"bucket"`
	Prefix         string `json:"prefix"`
	ReportName     string `json:"reportName"`
	Profile        string `json:"profile"`
}

// trim drops the spaces a paste brings.
func (s Settings) trim() Settings {
	s.PayerAccountID = strings.ReplaceAll(strings.TrimSpace(s.PayerAccountID), "-", "") // 1111-2222-3333 as the console shows it
	s.Bucket = strings.TrimSpace(s.Bucket)
	s.Prefix = strings.TrimSpace(s.Prefix)
	s.ReportName = strings.TrimSpace(s.ReportName)
	s.Profile = strings.TrimSpace(s.Profile)
	return s
}

// connFieldNames maps billingconn.Connection's field names to the API's.
var connFieldNames = map[string]string{
	"PayerAccountID": "payerAccountId", "Bucket": "bucket", "Prefix": "prefix", "ReportName": "reportName",
}

// validateSettings checks the settings as billingconn does, and against the
// profile, and returns every problem.
func (h *Handler) validateSettings(s Settings) []*curerr.FieldError {
	var out []*curerr.FieldError
	add := func(field, msg string) {
		for _, f := range out {
			if f.Field == field {
				return // one message per field: the first
			}
		}
		out = append(out, &curerr.FieldError{Field: field, Msg: msg})
	}
	if s.PayerAccountID == "" {
		add("payerAccountId", "Enter the payer (management) account ID: 12 digits.")
	}
	if s.Bucket == "" {
		add("bucket", "Enter the name of the S3 bucket the reports are delivered to.")
	}
	if s.ReportName == "" {
		add("reportName", "Enter the name of the report or export.")
	}
	// A placeholder role lets Validate check the settings alone.
	probe := billingconn.Connection{PayerAccountID: s.PayerAccountID, Bucket: s.Bucket, Prefix: s.Prefix, ReportName: s.ReportName,
		Credentials: billingconn.Credentials{RoleARN: "arn:aws:iam::111122223333:role/probe", ExternalID: "probe-external-id"}}
	for _, fe := range curerr.Fields(probe.Validate()) {
		if name, ok := connFieldNames[fe.Field]; ok && fe.Msg != "is empty" {
			add(name, fe.Msg)
		}
	}
	p := h.profile(s.Profile)
	if p == nil {
		var names []string
		for _, p := range h.profiles {
			names = append(names, p.Name)
		}
		add("profile", fmt.Sprintf("Choose one of: %s.", strings.Join(names, ", ")))
		return out
	}
	if p.S3Prefix == billingconn.RequirementRequired && strings.Trim(s.Prefix, "/") == "" {
		add("prefix", fmt.Sprintf("%s needs the report under a prefix: enter the report's S3 prefix.", p.Name))
	}
	if p.NamePrefix != "" && s.ReportName != "" && !strings.HasPrefix(s.ReportName, p.NamePrefix) {
		add("reportName", fmt.Sprintf("%s reads reports whose name starts with %q.", p.Name, p.NamePrefix))
	}
	return out
}

// roleARN checks the role ARN the customer returned for connection c, or
// derives it from the payer account and the template's role name when
// empty.
func (h *Handler) roleARN(c Connection, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		arn, err := iampolicy.RoleARN(h.partition(), c.PayerAccountID, h.o.Template.RoleName)
		if err != nil {
			return "", fieldErr("roleArn", "%s", err)
		}
		return arn, nil
	}
	example, _ := iampolicy.RoleARN(h.partition(), c.PayerAccountID, h.o.Template.RoleName)
	// A role ARN is what billingconn's Connection.Validate (and so Verify)
	// accepts, checked here so that a stored ARN always verifies.
	a, err := iampolicy.ParseARN(raw)
	probe := billingconn.Connection{Credentials: billingconn.Credentials{RoleARN: raw}}
	for _, fe := range curerr.Fields(probe.Validate()) {
		if fe.Field == "Credentials.RoleARN" {
			err = fe
		}
	}
	if err != nil {
		return "", fieldErr("roleArn", "This is not an IAM role ARN. It looks like %s: copy the RoleARN output of the stack.", example)
	}
	if a.AccountID != c.PayerAccountID {
		return "", fieldErr("roleArn", "This role is in account %s, but the payer account is %s. Create the stack in account %s and copy its RoleARN output.",
			a.AccountID, c.PayerAccountID, c.PayerAccountID)
	}
	if p := h.partition(); a.Partition != p {
		return "", fieldErr("roleArn", "This role is in the %s partition; this platform reads from %s.", a.Partition, p)
	}
	return raw, nil
}

// partition is the AWS partition of the console region.
func (h *Handler) partition() string {
	p, err := iampolicy.RegionPartition(h.o.Region)
	if err != nil {
		return iampolicy.PartitionAWS
	}
	return p
}

// maxDefinition bounds a pasted definition.
const maxDefinition = 1 << 20

// parseDefinition reads a pasted report definition or export and picks the
// connection's: the one named as the connection's report, which must
// deliver to the connection's bucket and prefix.
func parseDefinition(c Connection, raw string) (billingconn.Definition, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return billingconn.Definition{}, fieldErr("definition", "Paste the report definition: the output of aws cur describe-report-definitions, or aws bcm-data-exports get-export.")
	}
	if len(raw) > maxDefinition {
		return billingconn.Definition{}, fieldErr("definition", "This is %d bytes; a report definition is far smaller.", len(raw))
	}
	defs, err := billingconn.ParseDefinitions([]byte(raw))
	if err != nil {
		msg := err.Error()
		if fe := curerr.Fields(err); len(fe) > 0 {
			msg = fe[0].Error()
		}
		return billingconn.Definition{}, fieldErr("definition", "This is not a report definition or export in the AWS CLI's JSON: %s", strings.TrimPrefix(msg, "billingconn: "))
	}
	if len(defs) == 0 {
		return billingconn.Definition{}, fieldErr("definition", "There is no report definition or export in what you pasted.")
	}
	var names []string
	for _, d := range defs {
		if d.Name() == c.ReportName {
			bucket, prefix := destination(d)
			if bucket != c.Bucket || strings.Trim(prefix, "/") != strings.Trim(c.Prefix, "/") {
				return billingconn.Definition{}, fieldErr("definition", "Report %s delivers to s3://%s/%s, but this connection reads s3://%s/%s. Start over with the report's bucket and prefix, or change the report.",
					c.ReportName, bucket, prefix, c.Bucket, c.Prefix)
			}
			return d, nil
		}
		names = append(names, d.Name())
	}
	return billingconn.Definition{}, fieldErr("definition", "This holds %s, not report %s, which this connection reads.", strings.Join(names, ", "), c.ReportName)
}

// destination returns where a definition delivers.
func destination(d billingconn.Definition) (bucket, prefix string) {
	switch {
	case d.ReportDefinition != nil:
		return aws.ToString(d.ReportDefinition.S3Bucket), aws.ToString(d.ReportDefinition.S3Prefix)
	case d.Export != nil && d.Export.DestinationConfigurations != nil && d.Export.DestinationConfigurations.S3Destination != nil:
		s3d := d.Export.DestinationConfigurations.S3Destination
		return aws.ToString(s3d.S3Bucket), aws.ToString(s3d.S3Prefix)
	}
	return "", ""
}
