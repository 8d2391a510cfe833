package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/curconnect/curconnect/iampolicy"
)

// documents are what the customer creates in their account.
type documents struct {
	TrustedAccount string           `json:"trustedAccount"`
	ExternalID     string           `json:"externalId"`
	ReadPolicy     iampolicy.Policy `json:"readPolicy"`
	TrustPolicy    iampolicy.Policy `json:"trustPolicy"`
	BucketPolicy   iampolicy.Policy `json:"bucketPolicy"`
	// Template is the CloudFormation template (JSON) that creates the role.
	Template       json.RawMessage `json:"cloudFormationTemplate"`
	TemplateURL    string          `json:"templateURL"`
	QuickCreateURL string          `json:"quickCreateURL"`
}

func (st *story) writeDocuments(ctx context.Context, env *environment) error {
	o := st.opts
	bucket := env.bucket
	d := &documents{TrustedAccount: o.trusted, ExternalID: o.externalID, TemplateURL: o.templateURL}
	var err error
	if d.ReadPolicy, err = iampolicy.CURReadPolicy(bucket, o.prefix); err != nil {
		return err
	}
	if d.TrustPolicy, err = iampolicy.CrossAccountTrust(o.trusted, o.externalID); err != nil {
		return err
	}
	if d.BucketPolicy, err = iampolicy.DeliveryBucketPolicy(bucket, env.payer); err != nil {
		return err
	}
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{Bucket: bucket, Prefix: o.prefix, TrustedPrincipal: o.trusted, ExternalID: o.externalID})
	if err != nil {
		return err
	}
	if d.Template, err = tmpl.JSON(); err != nil {
		return err
	}
	if d.QuickCreateURL, err = iampolicy.QuickCreateURL("us-east-1", o.templateURL, "curconnect-billing-read", nil); err != nil {
		return err
	}
	st.Documents = d

	st.section("2. The documents the customer creates")
	tw := st.table()
	fmt.Fprintln(tw, "DOCUMENT\tSTATEMENTS\tSIZE / IAM LIMIT\tWHAT IT DOES")
	for _, doc := range []struct {
		name string
		p    iampolicy.Policy
		kind iampolicy.Quota
		what string
	}{
		{"read policy", d.ReadPolicy, iampolicy.QuotaManagedPolicy, "list the bucket, read reports"},
		{"trust policy", d.TrustPolicy, iampolicy.QuotaTrustPolicy, "platform may assume the role"},
		{"bucket policy", d.BucketPolicy, iampolicy.QuotaBucketPolicy, "AWS may deliver reports"},
	} {
		n, err := iampolicy.Size(doc.p)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%d / %d\t%s\n", doc.name, len(doc.p.Statement), n, doc.kind.Limit(), doc.what)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	get := d.ReadPolicy.Statement[1]
	fmt.Fprintf(st.w, "s3:GetObject is granted on %s only;\n", get.Resource[0])
	fmt.Fprintf(st.w, "the role can be assumed only with the external ID (sts:ExternalId).\n")
	fmt.Fprintf(st.w, "CloudFormation template: %d resources, output RoleARN. Host it at\n  %s\nand send the customer the quick-create link:\n  %s\n",
		len(tmpl.Resources), o.templateURL, d.QuickCreateURL)
	if !o.showDocuments {
		fmt.Fprintln(st.w, "(-show-documents prints them all; examples/policygen prints one.)")
		return nil
	}
	for _, doc := range []struct {
		name string
		p    iampolicy.Policy
	}{{"Read policy", d.ReadPolicy}, {"Trust policy", d.TrustPolicy}, {"Bucket policy", d.BucketPolicy}} {
		b, err := doc.p.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintf(st.w, "\n-- %s\n%s", doc.name, b)
	}
	y, err := tmpl.YAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(st.w, "\n-- CloudFormation template\n%s", y)
	return nil
}
