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
	// Passing every parameter lets one hosted template serve every
	// customer; the external ID is not a secret in IAM's model.
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
