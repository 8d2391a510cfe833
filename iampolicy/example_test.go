package iampolicy_test

import (
	"errors"
	"fmt"
	"log"
	"sort"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

func ExampleCURReadPolicy() {
	p, err := iampolicy.CURReadPolicy("my-cur-bucket", "cur", func(o *iampolicy.ReadPolicyOptions) {
		o.KMSKeyARNs = []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := p.JSON()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "ListBillingBucket",
	//       "Effect": "Allow",
	//       "Action": [
	//         "s3:GetBucketLocation",
	//         "s3:ListBucket"
	//       ],
	//       "Resource": "arn:aws:s3:::my-cur-bucket"
	//     },
	//     {
	//       "Sid": "ReadBillingReports",
	//       "Effect": "Allow",
	//       "Action": "s3:GetObject",
	//       "Resource": "arn:aws:s3:::my-cur-bucket/cur/*"
	//     },
	//     {
	//       "Sid": "ReadOrganization",
	//       "Effect": "Allow",
	//       "Action": [
	//         "organizations:Describe*",
	//         "organizations:List*"
	//       ],
	//       "Resource": "*"
	//     },
	//     {
	//       "Sid": "ReadReservationUtilization",
	//       "Effect": "Allow",
	//       "Action": "ce:GetReservationUtilization",
	//       "Resource": "*"
	//     },
	//     {
	//       "Sid": "DecryptBillingReports",
	//       "Effect": "Allow",
	//       "Action": "kms:Decrypt",
	//       "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	//     }
	//   ]
	// }
}

func ExampleCrossAccountTrust() {
	// In production the external ID comes from iampolicy.NewExternalID and
	// is stored with the customer's connection.
	p, err := iampolicy.CrossAccountTrust("451234325714", "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE")
	if err != nil {
		log.Fatal(err)
	}
	b, err := p.JSON()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))

	// Without an external ID, the builder refuses.
	_, err = iampolicy.CrossAccountTrust("451234325714", "")
	var fe *curerr.FieldError
	if errors.Is(err, iampolicy.ErrNoExternalID) && errors.As(err, &fe) {
		fmt.Println("refused:", fe.Field)
	}
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "TrustPlatform",
	//       "Effect": "Allow",
	//       "Principal": {
	//         "AWS": "arn:aws:iam::451234325714:root"
	//       },
	//       "Action": "sts:AssumeRole",
	//       "Condition": {
	//         "StringEquals": {
	//           "sts:ExternalId": "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE"
	//         }
	//       }
	//     }
	//   ]
	// }
	// refused: external ID
}

func ExampleDeliveryBucketPolicy() {
	// Data Exports only; the account is the customer's payer account.
	p, err := iampolicy.DeliveryBucketPolicy("my-cur-bucket", "111122223333", func(o *iampolicy.DeliveryPolicyOptions) {
		o.SkipLegacyCUR = true
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := p.JSON()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "AllowDataExportsCheckBucket",
	//       "Effect": "Allow",
	//       "Principal": {
	//         "Service": "bcm-data-exports.amazonaws.com"
	//       },
	//       "Action": [
	//         "s3:GetBucketAcl",
	//         "s3:GetBucketPolicy"
	//       ],
	//       "Resource": "arn:aws:s3:::my-cur-bucket",
	//       "Condition": {
	//         "StringEquals": {
	//           "aws:SourceAccount": "111122223333"
	//         },
	//         "StringLike": {
	//           "aws:SourceArn": "arn:aws:bcm-data-exports:us-east-1:111122223333:export/*"
	//         }
	//       }
	//     },
	//     {
	//       "Sid": "AllowDataExportsWrite",
	//       "Effect": "Allow",
	//       "Principal": {
	//         "Service": "bcm-data-exports.amazonaws.com"
	//       },
	//       "Action": "s3:PutObject",
	//       "Resource": "arn:aws:s3:::my-cur-bucket/*",
	//       "Condition": {
	//         "StringEquals": {
	//           "aws:SourceAccount": "111122223333"
	//         },
	//         "StringLike": {
	//           "aws:SourceArn": "arn:aws:bcm-data-exports:us-east-1:111122223333:export/*"
	//         }
	//       }
	//     }
	//   ]
	// }
}

func ExampleCloudFormationTemplate() {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{
		Bucket:           "my-cur-bucket",
		Prefix:           "cur",
		TrustedPrincipal: "451234325714",
		ExternalID:       "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE",
	})
	if err != nil {
		log.Fatal(err)
	}
	// tmpl.JSON() and tmpl.YAML() give the template body.
	var ids []string
	for id, r := range tmpl.Resources {
		ids = append(ids, id+" "+r.Type)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Println("resource:", id)
	}
	defaults := tmpl.ParameterDefaults()
	for _, name := range []string{"BucketName", "ReportPrefix", "TrustedPrincipal", "RoleName"} {
		fmt.Printf("parameter: %s = %q\n", name, defaults[name])
	}
	fmt.Println("ExternalId NoEcho:", tmpl.Parameters["ExternalId"].NoEcho)
	fmt.Println("output RoleARN:", tmpl.Outputs["RoleARN"].Value)
	// Output:
	// resource: ReadPolicy AWS::IAM::ManagedPolicy
	// resource: Role AWS::IAM::Role
	// parameter: BucketName = "my-cur-bucket"
	// parameter: ReportPrefix = "cur"
	// parameter: TrustedPrincipal = "arn:aws:iam::451234325714:root"
	// parameter: RoleName = "curconnect-billing-read"
	// ExternalId NoEcho: true
	// output RoleARN: map[Fn::GetAtt:[Role Arn]]
}

func ExampleTemplate_YAML() {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{Bucket: "my-cur-bucket", LegacyUser: true})
	if err != nil {
		log.Fatal(err)
	}
	y, err := tmpl.YAML()
	if err != nil {
		log.Fatal(err)
	}
	// Print the start of the Resources section.
	lines := strings.Split(string(y), "\n")
	for i, l := range lines {
		if l == "Resources:" {
			fmt.Println(strings.Join(lines[i:i+5], "\n"))
		}
	}
	// Output:
	// Resources:
	//   ReadPolicy:
	//     Type: "AWS::IAM::ManagedPolicy"
	//     Properties:
	//       Description: "Read access to the billing reports for a cost platform's IAM user (curconnect)."
}

func ExampleQuickCreateURL() {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{
		Bucket:           "my-cur-bucket",
		TrustedPrincipal: "451234325714",
		ExternalID:       "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE",
	})
	if err != nil {
		log.Fatal(err)
	}
	// Host tmpl.YAML() at this S3 URL, then hand the customer the link.
	// This template is this customer's: its parameters default to the
	// customer's values, and passing them in the link as well shows them
	// on the page (the external ID is not a secret in IAM's model). See
	// the hosted example for one template that serves every customer.
	link, err := iampolicy.QuickCreateURL("us-east-1",
		"https://my-templates.s3.us-east-1.amazonaws.com/curconnect/role.yaml",
		"curconnect-billing", tmpl.ParameterDefaults())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(link)
	// Output:
	// https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?templateURL=https%3A%2F%2Fmy-templates.s3.us-east-1.amazonaws.com%2Fcurconnect%2Frole.yaml&stackName=curconnect-billing&param_BucketName=my-cur-bucket&param_ExternalId=Q4M7ZK2XWJ3N5R6T7V2YB4C5DE&param_ReportPrefix=&param_RoleName=curconnect-billing-read&param_TrustedPrincipal=arn%3Aaws%3Aiam%3A%3A451234325714%3Aroot
}

// Evaluate answers whether a policy allows a request and names the
// statement that decided.
func ExampleEvaluate() {
	policy, err := iampolicy.CURReadPolicy("my-cur-bucket", "cur")
	if err != nil {
		log.Fatal(err)
	}
	for _, req := range []iampolicy.Request{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::my-cur-bucket/cur/report/20260101-20260201/report-Manifest.json"},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::my-cur-bucket"},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::my-cur-bucket/cur/x"},
	} {
		d := iampolicy.Evaluate(req, policy)
		fmt.Println(req.Action, "->", d.Outcome, d.StatementIndex)
	}
	// Output:
	// s3:GetObject -> allowed 1
	// s3:ListBucket -> allowed 0
	// s3:PutObject -> implicit deny -1
}

// An explicit Deny overrides every Allow, whatever the order of the
// statements; the Decision names it.
func ExampleEvaluate_explicitDeny() {
	policy, err := iampolicy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
	    {"Sid": "NoPrivate", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-cur-bucket/private/*"}
	  ]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	d := iampolicy.Evaluate(iampolicy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::my-cur-bucket/private/key"}, policy)
	fmt.Println(d)
	// Output:
	// explicit deny by policy 0 Statement[1] (Sid "NoPrivate"): an explicit Deny matches s3:GetObject on arn:aws:s3:::my-cur-bucket/private/key and overrides every Allow
}

// A trust policy is evaluated with the caller as Principal and the
// condition keys STS sees in Context.
func ExampleEvaluate_trustPolicy() {
	trust, err := iampolicy.CrossAccountTrust("451234325714", "ext-8f2c")
	if err != nil {
		log.Fatal(err)
	}
	caller := "arn:aws:sts::451234325714:assumed-role/platform/onboarding"
	for _, id := range []string{"ext-8f2c", "wrong"} {
		d := iampolicy.Evaluate(iampolicy.Request{
			Action:    "sts:AssumeRole",
			Principal: caller,
			Context:   map[string][]string{"sts:ExternalId": {id}},
		}, trust)
		fmt.Println(id, d.Outcome)
	}
	// Output:
	// ext-8f2c allowed
	// wrong implicit deny
}

// Check lists what a hand-written policy is missing compared with the one
// the platform needs, and explains the classic mistakes.
func ExampleCheck() {
	required, err := iampolicy.CURReadPolicy("my-cur-bucket", "")
	if err != nil {
		log.Fatal(err)
	}
	customer, err := iampolicy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Billing", "Effect": "Allow",
	     "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject"],
	     "Resource": "arn:aws:s3:::my-cur-bucket"},
	    {"Effect": "Allow",
	     "Action": ["organizations:Describe*", "organizations:List*", "ce:GetReservationUtilization"],
	     "Resource": "*"}
	  ]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	for _, gap := range iampolicy.Check(customer, required) {
		fmt.Println(gap.Kind)
		fmt.Println(gap)
	}
	// Output:
	// bucket ARN without /*
	// s3:GetObject on arn:aws:s3:::my-cur-bucket/example-object is not allowed: the statement for GetObject names the bucket ARN without /* (policy 0 Statement[0] (Sid "Billing"): arn:aws:s3:::my-cur-bucket); object actions need the objects' ARN; grant s3:GetObject on arn:aws:s3:::my-cur-bucket/*
}

// A PolicySet evaluates a caller's identity policies together with a
// bucket policy. Across accounts both sides must allow; an explicit Deny
// on either side wins.
func ExamplePolicySet_Evaluate() {
	identity, err := iampolicy.CURReadPolicy("my-cur-bucket", "cur")
	if err != nil {
		log.Fatal(err)
	}
	bucketPolicy, err := iampolicy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "PlatformReads", "Effect": "Allow", "Principal": {"AWS": "451234325714"},
	     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-cur-bucket/cur/*"},
	    {"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
	     "Resource": "arn:aws:s3:::my-cur-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
	  ]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	set := iampolicy.PolicySet{
		Identity:     []iampolicy.Policy{identity},
		Resource:     []iampolicy.Policy{bucketPolicy},
		CrossAccount: true,
	}
	req := iampolicy.Request{
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::my-cur-bucket/cur/report-Manifest.json",
		Principal: "arn:aws:sts::451234325714:assumed-role/platform/session",
		Context:   map[string][]string{"aws:SecureTransport": {"true"}},
	}
	fmt.Println(set.Evaluate(req).Outcome)
	req.Context["aws:SecureTransport"] = []string{"false"}
	d := set.Evaluate(req)
	fmt.Println(d.Outcome, d.Statement.Sid)
	// Output:
	// allowed
	// explicit deny TLSOnly
}

// A platform hosts one template for every customer, links each customer to
// it with that customer's external ID (and bucket, when the platform knows
// it), and derives the role's ARN once the stack exists.
func ExampleQuickCreateURL_hosted() {
	// Once: the hosted template, whose YAML the platform uploads to S3.
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{TrustedPrincipal: "451234325714", Hosted: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("defaults:", tmpl.ParameterDefaults())

	// Per customer. In production the external ID comes from
	// iampolicy.NewExternalID and is stored with the connection.
	link, err := iampolicy.QuickCreateURL("us-east-1",
		"https://my-templates.s3.us-east-1.amazonaws.com/curconnect/hosted.yaml", "curconnect-billing",
		map[string]string{
			iampolicy.ParamExternalID: "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE",
			iampolicy.ParamBucketName: "acme-billing",
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(link)

	// Once the customer has created the stack in their payer account.
	roleARN, err := iampolicy.RoleARN(iampolicy.PartitionAWS, "111122223333", iampolicy.DefaultRoleName)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(roleARN)
	// Output:
	// defaults: map[ReportPrefix: RoleName:curconnect-billing-read TrustedPrincipal:arn:aws:iam::451234325714:root]
	// https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?templateURL=https%3A%2F%2Fmy-templates.s3.us-east-1.amazonaws.com%2Fcurconnect%2Fhosted.yaml&stackName=curconnect-billing&param_BucketName=acme-billing&param_ExternalId=Q4M7ZK2XWJ3N5R6T7V2YB4C5DE
	// arn:aws:iam::111122223333:role/curconnect-billing-read
}
