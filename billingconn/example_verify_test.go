package billingconn_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
)

// Verify a customer's connection with the platform's own credentials from
// the standard AWS configuration chain, and act on each failed step.
func ExampleVerify() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	conn := billingconn.Connection{
		PayerAccountID: "111122223333",
		Bucket:         "acme-billing",
		Prefix:         "cur",
		ReportName:     "acme-cur",
		Credentials: billingconn.Credentials{
			RoleARN:    "arn:aws:iam::111122223333:role/curconnect-billing-read",
			ExternalID: os.Getenv("CUSTOMER_EXTERNAL_ID"),
		},
	}
	rep, err := billingconn.Verify(ctx, conn, billingconn.NewClients(cfg), func(o *billingconn.VerifyOptions) {
		o.Profiles = []*billingconn.Profile{billingconn.Optima()}
	})
	if err != nil {
		log.Fatal(err) // could not run: invalid connection, or ctx ended
	}
	for _, c := range rep.Checks {
		fmt.Printf("%-18s %-8s %s\n", c.ID, c.Status, c.Message)
	}
	for _, c := range rep.Failed() {
		// Remediation is for the customer, as it is; Hint is for us.
		log.Printf("verify %s: %s (hint: %s)", c.ID, c.Code, c.Hint)
		switch {
		case errors.Is(c.Err, curerr.ErrUnreachable): // ENDPOINT_UNREACHABLE: our network, not their account
			fmt.Println("AWS did not answer; verify again later:", c.Remediation)
		case errors.Is(c.Err, curerr.ErrSignature): // SIGNATURE_MISMATCH: a wrong secret or a skewed clock
			fmt.Println("AWS could not authenticate the request:", c.Remediation)
		case errors.Is(c.Err, billingconn.ErrAssumeRoleDenied):
			fmt.Println("the role is missing, does not trust us, or the external ID differs:", c.Remediation)
		case errors.Is(c.Err, billingconn.ErrNoDeliveryYet):
			fmt.Println("no report yet; verify again tomorrow")
		case c.MissingStatement != nil:
			fmt.Printf("add statement %q to the role's policy: %s\n", c.MissingStatement.Sid, c.Remediation)
		default:
			fmt.Println(c.ID, c.Code, c.Remediation)
		}
	}
}

// Point verification at an S3-compatible endpoint with path-style
// addressing, and retry for a while when a role was just created.
func ExampleNewClients() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	clients := billingconn.NewClients(cfg, func(o *billingconn.ClientOptions) {
		o.S3 = append(o.S3, func(so *s3.Options) { so.UsePathStyle = true })
	})
	conn := billingconn.Connection{
		PayerAccountID: "111122223333", Bucket: "acme-billing", Prefix: "cur",
		Credentials: billingconn.Credentials{RoleARN: "arn:aws:iam::111122223333:role/billing", ExternalID: "f3Kx9Qp2ZsM7Lw4Nd8Rt6Vb1Yc"},
	}
	rep, err := billingconn.Verify(ctx, conn, clients, func(o *billingconn.VerifyOptions) {
		o.PropagationWait = 30 * time.Second // IAM propagation after CloudFormation created the role
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.OK())
}

// Join a report row's lineItem/UsageAccountId to the account's name.
func ExampleListAccounts() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	accounts, err := billingconn.ListAccounts(ctx, organizations.NewFromConfig(cfg))
	if err != nil {
		log.Fatal(err)
	}
	row := map[string]string{"lineItem/UsageAccountId": "444455556666", "lineItem/UnblendedCost": "12.50"}
	fmt.Println(accounts.Name(row["lineItem/UsageAccountId"]), row["lineItem/UnblendedCost"])
}

func ExampleAccounts_Name() {
	accounts := billingconn.Accounts{
		"111122223333": {ID: "111122223333", Name: "acme-payer", Status: "ACTIVE"},
		"444455556666": {ID: "444455556666", Name: "acme-prod", Status: "ACTIVE"},
	}
	for _, id := range []string{"444455556666", "999999999999"} {
		fmt.Println(id, "→", accounts.Name(id))
	}
	fmt.Println(accounts.IDs())
	// Output:
	// 444455556666 → acme-prod
	// 999999999999 → 999999999999
	// [111122223333 444455556666]
}

// A Report tells its failures apart with errors.Is on Report.Err.
func ExampleVerification_Err() {
	rep := &billingconn.Verification{Checks: []billingconn.CheckResult{
		{ID: billingconn.CheckCredentials, Status: billingconn.StatusPass},
		{ID: billingconn.CheckManifest, Status: billingconn.StatusFail, Code: billingconn.CheckCodeNoDeliveryYet, Retryable: true,
			Err: &billingconn.CheckError{Check: billingconn.CheckManifest, Resource: "s3://acme-billing/cur/", Err: billingconn.ErrNoDeliveryYet}},
	}}
	fmt.Println(rep.OK(), rep.Retryable())
	fmt.Println(errors.Is(rep.Err(), curerr.ErrNotFound), errors.Is(rep.Err(), curerr.ErrAccessDenied))
	fmt.Println(rep.Err())
	// Output:
	// false true
	// true false
	// billingconn: check manifest s3://acme-billing/cur/: no delivery yet
}
