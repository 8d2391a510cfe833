package iampolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// Names of the parameters of the templates CloudFormationTemplate writes,
// as a quick-create link passes them (see QuickCreateURL).
const (
	ParamBucketName       = "BucketName"
	ParamReportPrefix     = "ReportPrefix"
	ParamTrustedPrincipal = "TrustedPrincipal"
	ParamExternalID       = "ExternalId"
	ParamRoleName         = "RoleName"
	ParamUserName         = "UserName"
)

// Names of the outputs of the templates CloudFormationTemplate writes, as
// DescribeStacks returns them once the stack exists.
const (
	OutputRoleARN   = "RoleARN"
	OutputUserARN   = "UserARN"
	OutputPolicyARN = "PolicyARN"
)

// Logical IDs of the resources of the templates.
const (
	resourceRole         = "Role"
	resourceUser         = "User"
	resourceReadPolicy   = "ReadPolicy"
	resourceBucketPolicy = "DeliveryBucketPolicy"
)

// Default names of the role and user a template creates.
const (
	DefaultRoleName = "curconnect-billing-read"
	DefaultUserName = "curconnect-billing-read"
)

// Condition names used by the generated templates.
const (
	condHasReportPrefix = "HasReportPrefix"
	condHasRoleName     = "HasRoleName"
	condHasUserName     = "HasUserName"
)

// TemplateInput describes the stack CloudFormationTemplate writes. The
// template's parameters default to these values, so it creates as is; a
// customer may still change them in the console. With Hosted, the template
// serves every customer instead, and the customer's own values come from
// the quick-create link or the console.
type TemplateInput struct {
	// Bucket is the billing bucket. Required, unless Hosted is set, when it
	// must be empty.
	Bucket string
	// Prefix is the report path prefix; empty grants the whole bucket. A
	// trailing "/" is dropped. A * in it is written as IAM's ${*} when the
	// stack is created, as CURReadPolicy writes it.
	Prefix string
	// TrustedPrincipal is the platform's 12-digit account ID (written as
	// arn:<partition>:iam::<account>:root) or an IAM principal ARN (root,
	// role or user). Required unless LegacyUser is set, when it must be
	// empty.
	TrustedPrincipal string
	// ExternalID is the external ID the platform passes to sts:AssumeRole.
	// Required unless AllowNoExternalID, LegacyUser or Hosted is set (with
	// Hosted it must be empty). It is the
	// ExternalId parameter's default (NoEcho), so it is visible to anyone
	// who can read the template: it guards against the confused deputy, it
	// is not a password.
	ExternalID string
	// AllowNoExternalID writes a trust without the sts:ExternalId condition
	// (and no ExternalId parameter) when ExternalID is empty. See
	// TrustPolicyOptions.AllowNoExternalID.
	AllowNoExternalID bool
	// Partition is the partition of TrustedPrincipal (when an account ID)
	// and of KMSKeyARNs: aws (default), aws-cn or aws-us-gov. The template
	// writes S3 and billing ARNs with ${AWS::Partition}, so they follow the
	// partition the stack is created in.
	Partition string
	// RoleName is the RoleName parameter's default. If empty,
	// DefaultRoleName. A customer who clears the parameter gets a name
	// CloudFormation generates (unless Hosted, which fixes the name). A
	// named role needs the CAPABILITY_NAMED_IAM acknowledgement; both need
	// CAPABILITY_IAM.
	RoleName string
	// KMSKeyARNs, ReportDefinitions and DataExports are as in ReadPolicyOptions.
	KMSKeyARNs        []string
	ReportDefinitions bool
	DataExports       bool
	// LegacyUser creates an IAM user (AWS::IAM::User) with the read policy
	// attached in place of the role, for platforms that still authenticate
	// with access keys, and outputs UserARN instead of RoleARN. The
	// template creates no access key and never outputs one: the customer
	// creates it in the console and hands it over. Access keys are
	// long-lived secrets that must be stored and rotated; prefer the role.
	LegacyUser bool
	// UserName is the UserName parameter's default when LegacyUser is set.
	// If empty, DefaultUserName.
	UserName string
	// DeliveryBucketPolicy adds an AWS::S3::BucketPolicy on the bucket with
	// DeliveryBucketPolicy's statements, for the account the stack is
	// created in (${AWS::AccountId}): the payer account that owns the
	// bucket and the report definitions. CloudFormation replaces the
	// bucket's whole policy with it, and deleting the stack deletes it: use
	// it only for a bucket dedicated to billing reports.
	DeliveryBucketPolicy bool
	// DeliverySkipLegacyCUR and DeliverySkipDataExports are
	// DeliveryPolicyOptions.SkipLegacyCUR and SkipDataExports for the bucket
	// policy.
	DeliverySkipLegacyCUR   bool
	DeliverySkipDataExports bool
	// Description replaces the template's description (at most 1,024
	// bytes, printable).
	Description string
	// Hosted writes a template to host once (as an S3 object) for every
	// customer, each opening it through a quick-create link (see
	// QuickCreateURL):
	//
	//   - Bucket and ExternalID must be empty. The BucketName and
	//     ExternalId parameters have no default, only their constraints:
	//     the link passes param_ExternalId, the external ID the platform
	//     made for that customer, and param_BucketName when the platform
	//     knows the bucket; otherwise the customer fills it in on the
	//     quick-create page, and CloudFormation refuses to create the
	//     stack without it.
	//   - Prefix, if set, is ReportPrefix's default for every customer;
	//     the link or the customer may set another.
	//   - The RoleName parameter allows only RoleName (DefaultRoleName if
	//     empty), so the platform knows the role's ARN once the stack
	//     exists, without asking the customer to copy it: see RoleARN.
	//   - KMSKeyARNs, LegacyUser and AllowNoExternalID are refused: a KMS
	//     key belongs to one customer, the legacy user's access key is
	//     handed over by hand anyway, and every customer's role needs its
	//     own external ID.
	Hosted bool
}

// Constraints written into the template's parameters. They mirror the
// validation the builders apply, so a value a customer types in the console
// is checked by CloudFormation before IAM sees it.
const (
	bucketPattern          = `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`
	prefixPattern          = `^([0-9A-Za-z!_.*'()/-]*[0-9A-Za-z!_.*'()-])?$`
	principalPattern       = `^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)$`
	externalIDPattern      = `^[\w+=,.@:/-]*$`
	iamNamePattern         = `^[\w+=,.@-]*$`
	maxTemplateDescription = 1024
)

var iamNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// CloudFormationTemplate returns a template that creates, in the customer's
// account:
//
//   - Role (AWS::IAM::Role), assumable by the TrustedPrincipal parameter
//     with the ExternalId parameter (CrossAccountTrust's statement);
//   - ReadPolicy (AWS::IAM::ManagedPolicy) with CURReadPolicy's statements
//     for the BucketName and ReportPrefix parameters, attached to the role
//     through its Roles property;
//   - with LegacyUser, User (AWS::IAM::User) in place of the role, the
//     policy attached through Users;
//   - with DeliveryBucketPolicy, DeliveryBucketPolicy (AWS::S3::BucketPolicy)
//     on the bucket.
//
// Its parameters are BucketName, ReportPrefix, TrustedPrincipal, ExternalId
// (NoEcho) and RoleName — or BucketName, ReportPrefix and UserName for the
// user — each defaulting to in's values (with [TemplateInput.Hosted],
// BucketName and ExternalId have no default and RoleName is fixed), and
// its outputs are RoleARN (or UserARN) and PolicyARN. Documents are built
// by the builders, so the same rules and size checks apply; every invalid
// input is reported at once as joined [*curerr.FieldError] values wrapping
// [curerr.ErrMalformed].
//
// Creating the stack needs the CAPABILITY_NAMED_IAM acknowledgement while
// RoleName (or UserName) is set.
func CloudFormationTemplate(in TemplateInput) (*Template, error) {
	var errs []error
	add := func(err error) { errs = appendFlat(errs, err) }

	if in.Partition == "" {
		in.Partition = PartitionAWS
	}
	if in.RoleName == "" {
		in.RoleName = DefaultRoleName
	}
	if in.UserName == "" {
		in.UserName = DefaultUserName
	}
	prefix := strings.TrimRight(in.Prefix, "/")

	// A hosted template names no bucket or external ID: the documents are
	// built with placeholders, and every field that holds one is replaced
	// with a Ref or Fn::Sub of its parameter below.
	bucket, externalID := in.Bucket, in.ExternalID
	if in.Hosted {
		const why = "a hosted template serves every customer: "
		if in.Bucket != "" {
			add(fieldErr("Bucket", why+"leave it empty; the link passes param_BucketName, or the customer fills it in"))
		}
		if in.ExternalID != "" {
			add(fieldErr("ExternalID", why+"leave it empty and pass each customer's in the link (param_ExternalId)"))
		}
		if in.AllowNoExternalID {
			add(fieldErr("AllowNoExternalID", why+"each customer's role needs its own external ID"))
		}
		if len(in.KMSKeyARNs) > 0 {
			add(fieldErr("KMSKeyARNs", why+"a KMS key belongs to one customer; write a template per customer for a bucket encrypted with SSE-KMS"))
		}
		if in.LegacyUser {
			add(fieldErr("LegacyUser", why+"it creates the cross-account role (a legacy user's access key is handed over by hand anyway)"))
		}
		bucket, externalID = placeholderBucket, placeholderExternalID
	}

	read, err := CURReadPolicy(bucket, prefix, func(o *ReadPolicyOptions) {
		o.Partition = in.Partition
		o.KMSKeyARNs = in.KMSKeyARNs
		o.ReportDefinitions = in.ReportDefinitions
		o.DataExports = in.DataExports
	})
	add(err)

	var trust Policy
	if in.LegacyUser {
		if in.TrustedPrincipal != "" {
			add(fieldErr("TrustedPrincipal", "a legacy user template has no trust; leave it empty"))
		}
		if in.ExternalID != "" {
			add(fieldErr("ExternalID", "a legacy user template has no trust; leave it empty"))
		}
		if !iamNameRE.MatchString(in.UserName) {
			add(fieldErr("UserName", "%q is not an IAM user name (1 to 64 of letters, digits and +=,.@_-)", in.UserName))
		}
	} else {
		trust, err = CrossAccountTrust(in.TrustedPrincipal, externalID, func(o *TrustPolicyOptions) {
			o.Partition = in.Partition
			o.AllowNoExternalID = in.AllowNoExternalID
		})
		add(err)
		if !iamNameRE.MatchString(in.RoleName) {
			add(fieldErr("RoleName", "%q is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)", in.RoleName))
		}
	}

	var delivery Policy
	if in.DeliveryBucketPolicy {
		// The account is a placeholder: every field that names it is
		// replaced with ${AWS::AccountId} below.
		delivery, err = DeliveryBucketPolicy(bucket, placeholderAccount, func(o *DeliveryPolicyOptions) {
			o.Partition = in.Partition
			o.SkipLegacyCUR = in.DeliverySkipLegacyCUR
			o.SkipDataExports = in.DeliverySkipDataExports
		})
		add(err)
	}

	if in.Description != "" {
		if len(in.Description) > maxTemplateDescription {
			add(fieldErr("Description", "is %d bytes, over CloudFormation's limit of %d", len(in.Description), maxTemplateDescription))
		} else {
			add(checkPrintable("Description", in.Description))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	t := &Template{
		AWSTemplateFormatVersion: templateFormatVersion,
		Parameters: map[string]Parameter{
			ParamBucketName: {
				Type:                  "String",
				Description:           "Name of the S3 bucket AWS delivers the billing reports to.",
				Default:               optionalDefault(in.Bucket, !in.Hosted),
				AllowedPattern:        bucketPattern,
				ConstraintDescription: "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens",
			},
			ParamReportPrefix: {
				Type:                  "String",
				Description:           "S3 path prefix of the reports, without a trailing slash. Empty grants read access to the whole bucket.",
				Default:               prefix,
				AllowedPattern:        prefixPattern,
				MaxLength:             256,
				ConstraintDescription: "must be letters, digits and !-_.*'()/ with no trailing slash, at most 256 characters",
			},
		},
		Conditions: map[string]any{condHasReportPrefix: cfnNotEmpty(ParamReportPrefix)},
		Resources:  map[string]Resource{},
		Outputs:    map[string]Output{},
	}

	// The prefix goes into the objects' ARN as CURReadPolicy writes it:
	// each * as IAM's ${*}, so the grant is exactly the prefix (see
	// policyLiteral). Fn::Sub would take ${*} for one of its own
	// variables, and a parameter's value cannot be escaped inside it, so
	// the prefix is split at each * and joined again with ${*}
	// (Fn::Join and Fn::Split substitute nothing). ReportPrefix's
	// AllowedPattern admits no ? or $, the other characters IAM would read
	// specially.
	objects := cfnIf(condHasReportPrefix,
		cfnJoin("", Sub("arn:${AWS::Partition}:s3:::${"+ParamBucketName+"}/"), cfnJoin("${*}", cfnSplit("*", Ref(ParamReportPrefix))), "/*"),
		Sub("arn:${AWS::Partition}:s3:::${"+ParamBucketName+"}/*"))
	bucketARN := Sub("arn:${AWS::Partition}:s3:::${" + ParamBucketName + "}")
	readDoc, err := cfnDocument(read, func(s Statement, m map[string]any) {
		switch s.Sid {
		case SidListBucket:
			m["Resource"] = bucketARN
		case SidGetObjects:
			m["Resource"] = objects
		}
	})
	if err != nil {
		return nil, err
	}
	policyProps := map[string]any{"PolicyDocument": readDoc}
	groups := []any{cfnParameterGroup("Billing bucket", ParamBucketName, ParamReportPrefix)}
	labels := map[string]any{
		ParamBucketName:   cfnLabel("Billing bucket name"),
		ParamReportPrefix: cfnLabel("Report prefix"),
	}

	if in.LegacyUser {
		t.Description = "IAM user with read access to the AWS billing reports (Cost and Usage Reports, Data Exports) in an S3 bucket, " +
			"for a cost platform that authenticates with access keys. Access keys are long-lived secrets: prefer a cross-account role. " +
			"Generated by curconnect."
		t.Parameters[ParamUserName] = Parameter{
			Type:                  "String",
			Description:           "Name of the IAM user. Empty lets CloudFormation generate one.",
			Default:               in.UserName,
			AllowedPattern:        iamNamePattern,
			MaxLength:             64,
			ConstraintDescription: "must be at most 64 letters, digits and +=,.@_-",
		}
		t.Conditions[condHasUserName] = cfnNotEmpty(ParamUserName)
		t.Resources[resourceUser] = Resource{Type: "AWS::IAM::User", Properties: map[string]any{
			"UserName": cfnIf(condHasUserName, Ref(ParamUserName), Ref("AWS::NoValue")),
		}}
		policyProps["Description"] = "Read access to the billing reports for a cost platform's IAM user (curconnect)."
		policyProps["Users"] = []any{Ref(resourceUser)}
		t.Outputs[OutputUserARN] = Output{Description: "ARN of the IAM user. Create its access key in the IAM console and hand it to the platform.", Value: GetAtt(resourceUser, "Arn")}
		groups = append(groups, cfnParameterGroup("IAM user", ParamUserName))
		labels[ParamUserName] = cfnLabel("IAM user name")
	} else {
		t.Description = "Cross-account IAM role that lets a cost platform read the AWS billing reports (Cost and Usage Reports, Data Exports) " +
			"in an S3 bucket, assumable only with the platform's external ID. Generated by curconnect."
		trustedARN := trust.Statement[0].Principal.AWS[0]
		t.Parameters[ParamTrustedPrincipal] = Parameter{
			Type:                  "String",
			Description:           "ARN of the cost platform's principal allowed to assume the role: an account root (arn:aws:iam::123456789012:root), a role or a user.",
			Default:               trustedARN,
			AllowedPattern:        principalPattern,
			ConstraintDescription: "must be an IAM principal ARN: arn:<partition>:iam::<account>:root, :role/<name> or :user/<name>",
		}
		t.Parameters[ParamRoleName] = Parameter{
			Type:                  "String",
			Description:           "Name of the IAM role. Empty lets CloudFormation generate one.",
			Default:               in.RoleName,
			AllowedPattern:        iamNamePattern,
			MaxLength:             64,
			ConstraintDescription: "must be at most 64 letters, digits and +=,.@_-",
		}
		if in.Hosted {
			t.Parameters[ParamRoleName] = Parameter{
				Type:          "String",
				Description:   "Name of the IAM role. It is fixed, so that the cost platform finds the role without asking for its ARN.",
				Default:       in.RoleName,
				AllowedValues: []string{in.RoleName},
			}
		}
		trustParams := []string{ParamTrustedPrincipal}
		labels[ParamTrustedPrincipal] = cfnLabel("Trusted principal ARN")
		if externalID != "" {
			t.Parameters[ParamExternalID] = Parameter{
				Type:                  "String",
				Description:           "External ID the platform passes when it assumes the role. It guards against the confused-deputy problem; it is not a password.",
				Default:               optionalDefault(in.ExternalID, !in.Hosted),
				AllowedPattern:        externalIDPattern,
				MinLength:             minExternalIDLen,
				MaxLength:             maxExternalIDLen,
				ConstraintDescription: "must be 2 to 1224 letters, digits and +=,.@:/-_",
				NoEcho:                true,
			}
			trustParams = append(trustParams, ParamExternalID)
			labels[ParamExternalID] = cfnLabel("External ID")
		}
		trustParams = append(trustParams, ParamRoleName)
		labels[ParamRoleName] = cfnLabel("Role name")
		groups = append(groups, cfnParameterGroup("Cost platform access", trustParams...))

		trustDoc, err := cfnDocument(trust, func(s Statement, m map[string]any) {
			m["Principal"] = map[string]any{"AWS": Ref(ParamTrustedPrincipal)}
			if s.Condition != nil {
				m["Condition"] = map[string]any{"StringEquals": map[string]any{"sts:ExternalId": Ref(ParamExternalID)}}
			}
		})
		if err != nil {
			return nil, err
		}
		var roleName any = Ref(ParamRoleName) // fixed and never empty when hosted
		if !in.Hosted {
			t.Conditions[condHasRoleName] = cfnNotEmpty(ParamRoleName)
			roleName = cfnIf(condHasRoleName, Ref(ParamRoleName), Ref("AWS::NoValue"))
		}
		t.Resources[resourceRole] = Resource{Type: "AWS::IAM::Role", Properties: map[string]any{
			"RoleName":                 roleName,
			"Description":              "Lets a cost platform read the billing reports (curconnect).",
			"AssumeRolePolicyDocument": trustDoc,
		}}
		policyProps["Description"] = "Read access to the billing reports for a cost platform's cross-account role (curconnect)."
		policyProps["Roles"] = []any{Ref(resourceRole)}
		t.Outputs[OutputRoleARN] = Output{Description: "ARN of the role the cost platform assumes.", Value: GetAtt(resourceRole, "Arn")}
	}
	t.Resources[resourceReadPolicy] = Resource{Type: "AWS::IAM::ManagedPolicy", Properties: policyProps}
	t.Outputs[OutputPolicyARN] = Output{Description: "ARN of the managed policy that grants the read access.", Value: Ref(resourceReadPolicy)}

	if in.DeliveryBucketPolicy {
		sourceAccount := Ref("AWS::AccountId")
		doc, err := cfnDocument(delivery, func(s Statement, m map[string]any) {
			switch s.Sid {
			case SidCURCheckBucket, SidDataExportsCheckBucket:
				m["Resource"] = bucketARN
			case SidCURWrite, SidDataExportsWrite:
				m["Resource"] = Sub("arn:${AWS::Partition}:s3:::${" + ParamBucketName + "}/*")
			}
			sourceARN := Sub("arn:${AWS::Partition}:cur:" + BillingRegion + ":${AWS::AccountId}:definition/*")
			if s.Sid == SidDataExportsCheckBucket || s.Sid == SidDataExportsWrite {
				sourceARN = Sub("arn:${AWS::Partition}:bcm-data-exports:" + BillingRegion + ":${AWS::AccountId}:export/*")
			}
			m["Condition"] = map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": sourceAccount},
				"StringLike":   map[string]any{"aws:SourceArn": sourceARN},
			}
		})
		if err != nil {
			return nil, err
		}
		t.Description += " It also sets the bucket policy that lets AWS deliver the reports, replacing any existing bucket policy."
		t.Resources[resourceBucketPolicy] = Resource{Type: "AWS::S3::BucketPolicy", Properties: map[string]any{
			"Bucket":         Ref(ParamBucketName),
			"PolicyDocument": doc,
		}}
	}
	if in.Description != "" {
		t.Description = in.Description
	}
	t.Metadata = map[string]any{"AWS::CloudFormation::Interface": map[string]any{
		"ParameterGroups": groups,
		"ParameterLabels": labels,
	}}
	return t, nil
}

// RoleARN returns the ARN of the role a stack created from a
// [CloudFormationTemplate] template has:
// arn:<partition>:iam::<account>:role/<roleName>, where account is the
// customer's account the stack was created in (the payer account) and
// roleName the stack's RoleName parameter: [TemplateInput.RoleName], or
// [DefaultRoleName], and fixed to it in a Hosted template. The template
// creates the role without a path, so a platform knows the ARN from what
// it already has, instead of asking the customer to copy the stack's
// RoleARN output. An empty partition means aws. Every invalid input is
// reported at once as joined [*curerr.FieldError] values.
func RoleARN(partition, account, roleName string) (string, error) {
	if partition == "" {
		partition = PartitionAWS
	}
	var errs []*curerr.FieldError
	for _, err := range []error{ValidatePartition(partition), ValidateAccountID(account)} {
		if err != nil {
			errs = append(errs, err.(*curerr.FieldError))
		}
	}
	if !iamNameRE.MatchString(roleName) {
		errs = append(errs, fieldErr("role name", "%q is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)", roleName))
	}
	if err := joinFieldErrors(errs); err != nil {
		return "", err
	}
	return "arn:" + partition + ":iam::" + account + ":role/" + roleName, nil
}

// Placeholders stand for ${AWS::AccountId}, and for a hosted template's
// bucket and external ID, while the documents are built; no field that
// holds one survives into the template.
const (
	placeholderAccount    = "000000000000"
	placeholderBucket     = "placeholder-bucket"
	placeholderExternalID = "placeholder-external-id"
)

// optionalDefault is a parameter's Default: value, or none (nil, so the
// parameter must be given) when set is false.
func optionalDefault(value string, set bool) any {
	if !set {
		return nil
	}
	return value
}

func cfnLabel(s string) map[string]any { return map[string]any{"default": s} }

func cfnParameterGroup(label string, params ...string) map[string]any {
	ps := make([]any, len(params))
	for i, p := range params {
		ps[i] = p
	}
	return map[string]any{"Label": cfnLabel(label), "Parameters": ps}
}

// cfnDocument converts p to a generic tree (as its JSON reads) and lets edit
// replace values of each statement with intrinsic functions.
func cfnDocument(p Policy, edit func(Statement, map[string]any)) (map[string]any, error) {
	b, err := p.CompactJSON()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("iampolicy: convert policy for template: %w", err)
	}
	sts, ok := doc["Statement"].([]any)
	if !ok || len(sts) != len(p.Statement) {
		return nil, errors.New("iampolicy: convert policy for template: unexpected Statement shape")
	}
	for i, s := range sts {
		m, ok := s.(map[string]any)
		if !ok {
			return nil, errors.New("iampolicy: convert policy for template: statement is not an object")
		}
		edit(p.Statement[i], m)
	}
	return doc, nil
}

// appendFlat appends err to errs, flattening errors.Join values so the
// joined result lists each *curerr.FieldError once, at the top level.
func appendFlat(errs []error, err error) []error {
	if err == nil {
		return errs
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if _, isField := err.(*curerr.FieldError); !isField {
			for _, e := range j.Unwrap() {
				errs = appendFlat(errs, e)
			}
			return errs
		}
	}
	return append(errs, err)
}
