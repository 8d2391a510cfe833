// Package iampolicy writes, reads, checks and evaluates the IAM documents a
// customer creates to connect an AWS payer account to a cost platform.
//
// # Generating documents
//
// Four builders cover the onboarding:
//
//   - [CURReadPolicy]: the identity policy that reads the billing bucket
//     (s3:ListBucket and s3:GetBucketLocation on the bucket, s3:GetObject on
//     bucket/* or bucket/<prefix>/*, organizations:Describe* and List*,
//     ce:GetReservationUtilization), with [ReadPolicyOptions] for
//     kms:Decrypt and read-only report-definition and Data Exports calls.
//     It writes a * in the prefix as IAM's ${*}, so the grant is exactly
//     that prefix;
//   - [CrossAccountTrust]: the role trust policy that lets the platform's
//     account or principal (never a wildcard) call sts:AssumeRole with an
//     external ID ([NewExternalID] makes one; [ValidateExternalID] checks
//     one; [ExternalIDWarning] advises against short ones);
//   - [DeliveryBucketPolicy]: the bucket policy that lets
//     billingreports.amazonaws.com and bcm-data-exports.amazonaws.com
//     deliver reports, tied to the payer account by aws:SourceAccount and
//     aws:SourceArn;
//   - [CloudFormationTemplate]: a [Template] (JSON or YAML) that creates the
//     role with the trust policy and the read policy attached, optionally
//     the delivery bucket policy or the legacy user in place of the role,
//     with the output RoleARN. Its parameters default to the builder's
//     inputs, so it creates as is (the ExternalId parameter is NoEcho); or,
//     with [TemplateInput.Hosted], it is one template for every customer,
//     whose bucket and external ID come from the link. [QuickCreateURL]
//     links to the console page that creates it, and [RoleARN] names the
//     role it creates. Creating it needs the CAPABILITY_NAMED_IAM
//     acknowledgement.
//
// Every builder is partition-aware (aws, aws-cn, aws-us-gov), validates all
// of its inputs at once, and checks IAM's size quotas ([CheckSize]) before a
// customer meets them in the console.
//
// The legacy IAM user path (a user with the same read policy attached,
// authenticated with an access key pair) is supported for platforms that
// still need it, but access keys are long-lived secrets that must be stored
// and rotated: prefer the role with an external ID.
//
// # Reading documents
//
// [Policy] reads IAM JSON faithfully (Statement as an object or a list,
// Principal as "*" or a map, values as a scalar or a list, boolean and
// numeric condition values) and writes it deterministically: AWS's field
// order, sorted condition keys, single values as scalars, no HTML escaping.
// [Parse] bounds the size and nesting of what it reads and refuses unknown
// keys, so a typo such as "Principle" is an error rather than a silently
// different policy. [Policy.Validate] checks IAM's grammar, and
// [Policy.ValidateIdentity] and [Policy.ValidateTrust] the rules of each
// kind of policy.
//
// # Evaluating policies
//
// [Evaluate] decides a [Request] (action, resource ARN, principal, condition
// context) against policies the way IAM does: wildcards in actions and
// resources, NotAction, NotResource, NotPrincipal, the condition operators
// with their IfExists, ForAnyValue and ForAllValues forms, policy variables
// (${*}, ${?} and ${$} stand for the literal characters), and explicit Deny
// over Allow. The [Decision] names the deciding statement. [PolicySet] adds
// a target's resource policies and cross-account evaluation. Check
// Decision.Warnings: a statement with an unknown operator is treated as not
// matching, and IAM would refuse it.
//
// [Check] compares a customer's hand-written policy with what a builder
// generates and lists every [Gap] with a plain explanation, such as
// "s3:GetObject on arn:aws:s3:::bucket/key is not allowed: the statement for
// GetObject names the bucket ARN without /*". Service control policies,
// permissions boundaries and session policies are not modelled.
//
// # Errors
//
// Every input this package refuses is reported with an error that wraps
// [curerr.ErrMalformed], the category every curconnect package uses for bad
// input. Builders and validators report every problem at once, joined with
// errors.Join, each a [*curerr.FieldError] naming the field ("bucket",
// "external ID", "trusted principal", "Statement[2].Effect"). Two sentinels
// say more:
//
//   - [ErrNoExternalID]: a trust without an external ID, when the caller
//     did not opt out with [TrustPolicyOptions.AllowNoExternalID];
//   - [ErrTooLarge]: a document over an IAM quota, as a [*SizeError] that
//     names the [Quota], or over Parse's own bounds.
//
// Test for them with errors.Is and errors.As alone:
//
//	p, err := iampolicy.CrossAccountTrust(account, externalID)
//	var fe *curerr.FieldError
//	switch {
//	case errors.Is(err, iampolicy.ErrNoExternalID): // ask for one
//	case errors.As(err, &fe):                       // show fe.Field, fe.Msg
//	}
//
// Errors never repeat an external ID's value.
//
// # Concurrency
//
// Everything in this package is a pure function of its inputs or a method
// on a value; all of it is safe for concurrent use. A [Policy] or a
// [Template] is a plain value tree: copy it before changing it if another
// goroutine may read it.
package iampolicy
