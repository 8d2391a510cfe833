package iampolicy

import "strings"

// Partitions this package writes ARNs for.
const (
	PartitionAWS      = "aws"
	PartitionChina    = "aws-cn"
	PartitionGovCloud = "aws-us-gov"
)

// ARN is a parsed Amazon Resource Name:
// arn:partition:service:region:account-id:resource.
type ARN struct {
	Partition string
	Service   string
	Region    string
	AccountID string
	Resource  string
}

// String returns the ARN's text form.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// ParseARN splits an ARN into its parts. It checks the shape (six parts,
// a known partition, a service, and a 12-digit account where one is
// present), not that the resource exists.
func ParseARN(s string) (ARN, error) {
	if err := checkPrintable("ARN", s); err != nil {
		return ARN{}, err
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, fieldErr("ARN", "%q is not an ARN (arn:partition:service:region:account:resource)", s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], AccountID: parts[4], Resource: parts[5]}
	if err := ValidatePartition(a.Partition); err != nil {
		return ARN{}, fieldErr("ARN", "%q: partition %q is not one of aws, aws-cn, aws-us-gov", s, a.Partition)
	}
	if a.Service == "" || a.Resource == "" {
		return ARN{}, fieldErr("ARN", "%q has an empty service or resource", s)
	}
	if a.AccountID != "" && !accountRE.MatchString(a.AccountID) {
		return ARN{}, fieldErr("ARN", "%q: account %q is not 12 digits", s, a.AccountID)
	}
	return a, nil
}

// ValidatePartition accepts aws, aws-cn and aws-us-gov.
func ValidatePartition(p string) error {
	switch p {
	case PartitionAWS, PartitionChina, PartitionGovCloud:
		return nil
	}
	return fieldErr("partition", "%q is not one of aws, aws-cn, aws-us-gov", p)
}

// validatePrincipalARN accepts an IAM principal ARN: an account root, a
// role or a user.
func validatePrincipalARN(field, s string) (ARN, error) {
	a, err := ParseARN(s)
	if err != nil {
		return ARN{}, fieldErr(field, "%s", strings.TrimPrefix(err.Error(), "iampolicy: ARN: "))
	}
	if a.Service != "iam" || a.Region != "" || a.AccountID == "" {
		return ARN{}, fieldErr(field, "%q is not an IAM principal ARN (arn:%s:iam::<account>:root|role/…|user/…)", s, a.Partition)
	}
	switch {
	case a.Resource == "root",
		strings.HasPrefix(a.Resource, "role/") && len(a.Resource) > len("role/"),
		strings.HasPrefix(a.Resource, "user/") && len(a.Resource) > len("user/"):
		return a, nil
	}
	return ARN{}, fieldErr(field, "%q names %q; a trusted principal must be root, role/… or user/…", s, a.Resource)
}

// s3BucketARN and s3ObjectsARN build S3 ARNs (S3 ARNs have no region or
// account).
func s3BucketARN(partition, bucket string) string { return "arn:" + partition + ":s3:::" + bucket }

// s3ObjectsARN writes prefix with policyLiteral, so that the ARN covers
// the keys under exactly that prefix even when it holds * or ?.
func s3ObjectsARN(partition, bucket, prefix string) string {
	if prefix == "" {
		return s3BucketARN(partition, bucket) + "/*"
	}
	return s3BucketARN(partition, bucket) + "/" + policyLiteral(prefix) + "/*"
}
