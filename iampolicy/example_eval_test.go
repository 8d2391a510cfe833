package iampolicy_test

import (
	"fmt"
	"log"

	"github.com/curconnect/curconnect/iampolicy"
)

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
