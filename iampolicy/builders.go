package iampolicy

import (
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// Service principals that deliver billing data into a bucket.
const (
	// BillingReportsService delivers legacy Cost and Usage Reports.
	BillingReportsService = "billingreports.amazonaws.com"
	// DataExportsService delivers Data Exports (CUR 2.0, FOCUS).
	DataExportsService = "bcm-data-exports.amazonaws.com"
)

// BillingRegion is the only region the CUR and Data Exports control planes
// run in; their ARNs always name it, whatever the bucket's region.
const BillingRegion = "us-east-1"

// ReadOptions are the optional settings of CURReadPolicy.
type ReadOptions struct {
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

// Statement IDs the builders use. Check and the verification in
// billingconn name missing statements by them.
const (
	SidListBucket        = "ListBillingBucket"
	SidGetObjects        = "ReadBillingReports"
	SidOrganizations     = "ReadOrganization"
	SidCostExplorer      = "ReadReservationUtilization"
	SidKMSDecrypt        = "DecryptBillingReports"
	SidReportDefinitions = "ReadReportDefinitions"
	SidDataExports       = "ReadDataExports"
	SidTrust             = "TrustPlatform"
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
// which "cur/*" still covers). All invalid inputs are reported at once as
// joined *curerr.FieldError values.
func CURReadPolicy(bucket, prefix string, optFns ...func(*ReadOptions)) (Policy, error) {
	var o ReadOptions
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
		{Sid: SidListBucket, Effect: Allow, Action: Strings{"s3:GetBucketLocation", "s3:ListBucket"}, Resource: Strings{s3BucketARN(o.Partition, bucket)}},
		{Sid: SidGetObjects, Effect: Allow, Action: Strings{"s3:GetObject"}, Resource: Strings{s3ObjectsARN(o.Partition, bucket, prefix)}},
		{Sid: SidOrganizations, Effect: Allow, Action: Strings{"organizations:Describe*", "organizations:List*"}, Resource: Strings{"*"}},
		{Sid: SidCostExplorer, Effect: Allow, Action: Strings{"ce:GetReservationUtilization"}, Resource: Strings{"*"}},
	}}
	if len(o.KMSKeyARNs) > 0 {
		p.Statement = append(p.Statement, Statement{Sid: SidKMSDecrypt, Effect: Allow, Action: Strings{"kms:Decrypt"}, Resource: Strings(o.KMSKeyARNs)})
	}
	if o.ReportDefinitions {
		p.Statement = append(p.Statement, Statement{Sid: SidReportDefinitions, Effect: Allow, Action: Strings{"cur:DescribeReportDefinitions"}, Resource: Strings{"*"}})
	}
	if o.DataExports {
		p.Statement = append(p.Statement, Statement{Sid: SidDataExports, Effect: Allow,
			Action:   Strings{"bcm-data-exports:GetExecution", "bcm-data-exports:GetExport", "bcm-data-exports:ListExecutions", "bcm-data-exports:ListExports"},
			Resource: Strings{"*"}})
	}
	if err := CheckSize(p, ManagedPolicy); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// TrustOptions are the optional settings of CrossAccountTrust.
type TrustOptions struct {
	// Partition is the AWS partition of the trusted account when it is
	// given as an account ID: aws (default), aws-cn or aws-us-gov. When the
	// trusted principal is an ARN, its partition must match.
	Partition string
	// AllowNoExternalID builds a trust without the sts:ExternalId
	// condition when externalID is empty. Without it, an empty external ID
	// is an error wrapping ErrNoExternalID: a role any principal of the
	// trusted account can assume without a secret is open to the
	// confused-deputy problem.
	AllowNoExternalID bool
}

// CrossAccountTrust returns the trust policy of a role that the platform's
// account assumes: the trusted principal — a 12-digit account ID (written as
// arn:<partition>:iam::<account>:root) or an IAM principal ARN (root, role or
// user) — may call sts:AssumeRole when it passes the external ID
// (StringEquals sts:ExternalId).
func CrossAccountTrust(trusted, externalID string, optFns ...func(*TrustOptions)) (Policy, error) {
	var o TrustOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Partition == "" {
		o.Partition = PartitionAWS
	}
	var errs []*curerr.FieldError
	if err := ValidatePartition(o.Partition); err != nil {
		errs = append(errs, err.(*curerr.FieldError))
	}
	principal := ""
	switch {
	case accountRE.MatchString(trusted):
		principal = "arn:" + o.Partition + ":iam::" + trusted + ":root"
	case strings.HasPrefix(trusted, "arn:"):
		a, err := validatePrincipalARN("trusted principal", trusted)
		if err != nil {
			errs = append(errs, err.(*curerr.FieldError))
		} else if a.Partition != o.Partition {
			errs = append(errs, fieldErr("trusted principal", "%q is in partition %s, not %s", trusted, a.Partition, o.Partition))
		}
		principal = trusted
	default:
		if err := checkPrintable("trusted principal", trusted); err != nil {
			errs = append(errs, err.(*curerr.FieldError))
		} else {
			errs = append(errs, fieldErr("trusted principal", "%q is neither a 12-digit account ID nor an IAM principal ARN", trusted))
		}
	}
	switch {
	case externalID == "" && o.AllowNoExternalID:
	case externalID == "":
		errs = append(errs, &curerr.FieldError{Field: "external ID", Msg: "is required (generate one with NewExternalID, or set TrustOptions.AllowNoExternalID to opt out)", Err: ErrNoExternalID})
	default:
		if err := ValidateExternalID(externalID); err != nil {
			errs = append(errs, err.(*curerr.FieldError))
		}
	}
	if err := joinFieldErrors(errs); err != nil {
		return Policy{}, err
	}
	st := Statement{Sid: SidTrust, Effect: Allow, Principal: AWSPrincipal(principal), Action: Strings{"sts:AssumeRole"}}
	if externalID != "" {
		st.Condition = Condition{"StringEquals": {"sts:ExternalId": Strings{externalID}}}
	}
	p := Policy{Version: Version2012, Statement: []Statement{st}}
	if err := CheckSize(p, TrustPolicy); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// DeliveryOptions are the optional settings of DeliveryBucketPolicy.
type DeliveryOptions struct {
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
func DeliveryBucketPolicy(bucket, account string, optFns ...func(*DeliveryOptions)) (Policy, error) {
	var o DeliveryOptions
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
		errs = append(errs, fieldErr("DeliveryOptions", "SkipLegacyCUR and SkipDataExports leave nothing to deliver"))
	}
	if err := joinFieldErrors(errs); err != nil {
		return Policy{}, err
	}
	type svc struct{ check, write, principal, sourceARN string }
	var svcs []svc
	if !o.SkipLegacyCUR {
		svcs = append(svcs, svc{SidCURCheckBucket, SidCURWrite, BillingReportsService, "arn:" + o.Partition + ":cur:" + BillingRegion + ":" + account + ":definition/*"})
	}
	if !o.SkipDataExports {
		svcs = append(svcs, svc{SidDataExportsCheckBucket, SidDataExportsWrite, DataExportsService, "arn:" + o.Partition + ":bcm-data-exports:" + BillingRegion + ":" + account + ":export/*"})
	}
	p := Policy{Version: Version2012}
	for _, s := range svcs {
		cond := Condition{
			"StringEquals": {"aws:SourceAccount": Strings{account}},
			"StringLike":   {"aws:SourceArn": Strings{s.sourceARN}},
		}
		p.Statement = append(p.Statement,
			Statement{Sid: s.check, Effect: Allow, Principal: ServicePrincipal(s.principal),
				Action: Strings{"s3:GetBucketAcl", "s3:GetBucketPolicy"}, Resource: Strings{s3BucketARN(o.Partition, bucket)}, Condition: cond},
			Statement{Sid: s.write, Effect: Allow, Principal: ServicePrincipal(s.principal),
				Action: Strings{"s3:PutObject"}, Resource: Strings{s3BucketARN(o.Partition, bucket) + "/*"}, Condition: cond},
		)
	}
	if err := CheckSize(p, BucketPolicy); err != nil {
		return Policy{}, err
	}
	return p, nil
}

func indexField(name string, i int) string {
	return name + "[" + itoa(i) + "]"
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
