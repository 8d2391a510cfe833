package iampolicy

import (
	"strconv"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// ReadPolicyOptions are the optional settings of [CURReadPolicy].
type ReadPolicyOptions struct {
	// Partition is the AWS partition: aws (default), aws-cn or aws-us-gov.
	Partition string
	// KMSKeyARNs are customer managed keys the bucket's objects are
	// encrypted with (SSE-KMS). Each adds kms:Decrypt on that key.
	KMSKeyARNs []string
	// ReportDefinitions adds read-only cur:DescribeReportDefinitions, so a
	// platform can check the customer's legacy report settings.
	ReportDefinitions bool
	// DataExports adds read-only bcm-data-exports:GetExport, ListExports,
	// GetExecution and ListExecutions, so a platform can check the
	// customer's Data Exports.
	DataExports bool
}

// Statement IDs of CURReadPolicy. Check and the verification in
// billingconn name missing statements by them.
const (
	SidListBucket        = "ListBillingBucket"
	SidGetObjects        = "ReadBillingReports"
	SidOrganizations     = "ReadOrganization"
	SidCostExplorer      = "ReadReservationUtilization"
	SidKMSDecrypt        = "DecryptBillingReports"
	SidReportDefinitions = "ReadReportDefinitions"
	SidDataExports       = "ReadDataExports"
)

// CURReadPolicy returns the identity policy a platform's role (or user)
// needs to read a customer's billing bucket, as the Flexera Optima guide
// lays it out: s3:ListBucket and s3:GetBucketLocation on the bucket,
// s3:GetObject on bucket/* — or only on bucket/<prefix>/* when prefix is not
// empty —, organizations:Describe* and organizations:List*, and
// ce:GetReservationUtilization. Options add kms:Decrypt and the read-only
// report-definition and Data Exports calls.
//
// A trailing "/" on prefix is dropped (keys under "cur/" start with "cur//",
// which "cur/*" still covers). A * in prefix (S3 keys and report prefixes
// may hold one) is written as IAM's policy variable ${*}, which stands for
// a literal *: the prefix "cur*" grants bucket/cur${*}/*, the keys under
// exactly "cur*/", not every key that "cur*/*" would match. The prefix must
// pass [ValidatePrefix]. All invalid inputs are reported at once as joined
// [*curerr.FieldError] values.
func CURReadPolicy(bucket, prefix string, optFns ...func(*ReadPolicyOptions)) (Policy, error) {
	var o ReadPolicyOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.KMSKeyARNs = append([]string(nil), o.KMSKeyARNs...)
	if o.Partition == "" {
		o.Partition = PartitionAWS
	}
	var errs []*curerr.FieldError
	add := func(err error) {
		if fe, ok := err.(*curerr.FieldError); ok {
			errs = append(errs, fe)
		} else if err != nil {
			errs = append(errs, &curerr.FieldError{Field: "input", Msg: err.Error()})
		}
	}
	add(ValidatePartition(o.Partition))
	add(ValidateBucketName(bucket))
	prefix = strings.TrimRight(prefix, "/")
	add(ValidatePrefix(prefix))
	for i, k := range o.KMSKeyARNs {
		a, err := ParseARN(k)
		switch {
		case err != nil:
			errs = append(errs, fieldErr(indexField("KMSKeyARNs", i), "%q is not an ARN", k))
		case a.Service != "kms" || a.Region == "" || a.AccountID == "" || !(strings.HasPrefix(a.Resource, "key/") || strings.HasPrefix(a.Resource, "alias/")):
			errs = append(errs, fieldErr(indexField("KMSKeyARNs", i), "%q is not a KMS key ARN (arn:%s:kms:<region>:<account>:key/<id>)", k, o.Partition))
		case a.Partition != o.Partition:
			errs = append(errs, fieldErr(indexField("KMSKeyARNs", i), "%q is in partition %s, not %s", k, a.Partition, o.Partition))
		}
	}
	if err := joinFieldErrors(errs); err != nil {
		return Policy{}, err
	}

	p := Policy{Version: Version2012, Statement: []Statement{
		{Sid: SidListBucket, Effect: EffectAllow, Action: Strings{"s3:GetBucketLocation", "s3:ListBucket"}, Resource: Strings{s3BucketARN(o.Partition, bucket)}},
		{Sid: SidGetObjects, Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{s3ObjectsARN(o.Partition, bucket, prefix)}},
		{Sid: SidOrganizations, Effect: EffectAllow, Action: Strings{"organizations:Describe*", "organizations:List*"}, Resource: Strings{"*"}},
		{Sid: SidCostExplorer, Effect: EffectAllow, Action: Strings{"ce:GetReservationUtilization"}, Resource: Strings{"*"}},
	}}
	if len(o.KMSKeyARNs) > 0 {
		p.Statement = append(p.Statement, Statement{Sid: SidKMSDecrypt, Effect: EffectAllow, Action: Strings{"kms:Decrypt"}, Resource: Strings(o.KMSKeyARNs)})
	}
	if o.ReportDefinitions {
		p.Statement = append(p.Statement, Statement{Sid: SidReportDefinitions, Effect: EffectAllow, Action: Strings{"cur:DescribeReportDefinitions"}, Resource: Strings{"*"}})
	}
	if o.DataExports {
		p.Statement = append(p.Statement, Statement{Sid: SidDataExports, Effect: EffectAllow,
			Action:   Strings{"bcm-data-exports:GetExecution", "bcm-data-exports:GetExport", "bcm-data-exports:ListExecutions", "bcm-data-exports:ListExports"},
			Resource: Strings{"*"}})
	}
	if err := CheckSize(p, QuotaManagedPolicy); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// indexField names element i of a list field: "KMSKeyARNs[2]".
func indexField(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}
