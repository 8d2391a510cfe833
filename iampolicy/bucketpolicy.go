package iampolicy

import "github.com/curconnect/curconnect/curreader/curerr"

// Service principals that deliver billing data into a bucket.
const (
	// billingReportsService delivers legacy Cost and Usage Reports.
	billingReportsService = "billingreports.amazonaws.com"
	// dataExportsService delivers Data Exports (CUR 2.0, FOCUS).
	dataExportsService = "bcm-data-exports.amazonaws.com"
)

// BillingRegion is the only region the CUR and Data Exports control planes
// (and Organizations and Cost Explorer) answer in: their ARNs always name
// it, whatever the bucket's region, and a client of those APIs must use it.
const BillingRegion = "us-east-1"

// DeliveryPolicyOptions are the optional settings of [DeliveryBucketPolicy].
type DeliveryPolicyOptions struct {
	// Partition is the AWS partition: aws (default), aws-cn or aws-us-gov.
	Partition string
	// SkipLegacyCUR leaves out the statements for billingreports.amazonaws.com.
	SkipLegacyCUR bool
	// SkipDataExports leaves out the statements for bcm-data-exports.amazonaws.com.
	SkipDataExports bool
}

// Statement IDs of DeliveryBucketPolicy.
const (
	SidCURCheckBucket         = "AllowBillingReportsCheckBucket"
	SidCURWrite               = "AllowBillingReportsWrite"
	SidDataExportsCheckBucket = "AllowDataExportsCheckBucket"
	SidDataExportsWrite       = "AllowDataExportsWrite"
)

// DeliveryBucketPolicy returns the bucket policy that lets AWS deliver
// reports of the given payer account into bucket: for legacy CUR
// (billingreports.amazonaws.com) and Data Exports
// (bcm-data-exports.amazonaws.com), s3:GetBucketAcl and s3:GetBucketPolicy
// on the bucket and s3:PutObject on bucket/*, each conditioned on
// aws:SourceAccount (StringEquals) and aws:SourceArn (StringLike) so that
// only that account's report definitions and exports can write.
func DeliveryBucketPolicy(bucket, account string, optFns ...func(*DeliveryPolicyOptions)) (Policy, error) {
	var o DeliveryPolicyOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Partition == "" {
		o.Partition = PartitionAWS
	}
	var errs []*curerr.FieldError
	for _, err := range []error{ValidatePartition(o.Partition), ValidateBucketName(bucket), ValidateAccountID(account)} {
		if err != nil {
			errs = append(errs, err.(*curerr.FieldError))
		}
	}
	if o.SkipLegacyCUR && o.SkipDataExports {
		errs = append(errs, fieldErr("DeliveryPolicyOptions", "SkipLegacyCUR and SkipDataExports leave nothing to deliver"))
	}
	if err := joinFieldErrors(errs); err != nil {
		return Policy{}, err
	}
	type svc struct{ check, write, principal, sourceARN string }
	var svcs []svc
	if !o.SkipLegacyCUR {
		svcs = append(svcs, svc{SidCURCheckBucket, SidCURWrite, billingReportsService, "arn:" + o.Partition + ":cur:" + BillingRegion + ":" + account + ":definition/*"})
	}
	if !o.SkipDataExports {
		svcs = append(svcs, svc{SidDataExportsCheckBucket, SidDataExportsWrite, dataExportsService, "arn:" + o.Partition + ":bcm-data-exports:" + BillingRegion + ":" + account + ":export/*"})
	}
	p := Policy{Version: Version2012}
	for _, s := range svcs {
		cond := Condition{
			"StringEquals": {"aws:SourceAccount": Strings{account}},
			"StringLike":   {"aws:SourceArn": Strings{s.sourceARN}},
		}
		p.Statement = append(p.Statement,
			Statement{Sid: s.check, Effect: EffectAllow, Principal: servicePrincipal(s.principal),
				Action: Strings{"s3:GetBucketAcl", "s3:GetBucketPolicy"}, Resource: Strings{s3BucketARN(o.Partition, bucket)}, Condition: cond},
			Statement{Sid: s.write, Effect: EffectAllow, Principal: servicePrincipal(s.principal),
				Action: Strings{"s3:PutObject"}, Resource: Strings{s3BucketARN(o.Partition, bucket) + "/*"}, Condition: cond},
		)
	}
	if err := CheckSize(p, QuotaBucketPolicy); err != nil {
		return Policy{}, err
	}
	return p, nil
}
