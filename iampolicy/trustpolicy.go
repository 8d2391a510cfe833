package iampolicy

import (
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// SidTrust is the Statement ID of CrossAccountTrust's statement.
const SidTrust = "TrustPlatform"

// TrustPolicyOptions are the optional settings of [CrossAccountTrust].
type TrustPolicyOptions struct {
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
//
// A trusted principal with a wildcard (* or ?) is refused: IAM does not let
// a wildcard match part of a principal name or ARN and would refuse the
// policy. Every invalid input is reported at once as joined
// [*curerr.FieldError] values; a missing external ID also wraps
// [ErrNoExternalID].
func CrossAccountTrust(trusted, externalID string, optFns ...func(*TrustPolicyOptions)) (Policy, error) {
	var o TrustPolicyOptions
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
	case strings.ContainsAny(trusted, "*?"):
		// IAM refuses a wildcard in part of a principal ARN ("you cannot
		// use a wildcard to match part of a principal name or ARN"), and a
		// bare "*" would trust everyone.
		errs = append(errs, fieldErr("trusted principal", "%q holds a wildcard (* or ?); IAM does not let a wildcard match part of a principal, so name one role, one user or the account", trusted))
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
		errs = append(errs, &curerr.FieldError{Field: "external ID", Msg: "is required (generate one with NewExternalID, or set TrustPolicyOptions.AllowNoExternalID to opt out)", Err: ErrNoExternalID})
	default:
		if err := ValidateExternalID(externalID); err != nil {
			errs = append(errs, err.(*curerr.FieldError))
		}
	}
	if err := joinFieldErrors(errs); err != nil {
		return Policy{}, err
	}
	st := Statement{Sid: SidTrust, Effect: EffectAllow, Principal: awsPrincipal(principal), Action: Strings{"sts:AssumeRole"}}
	if externalID != "" {
		st.Condition = Condition{"StringEquals": {"sts:ExternalId": Strings{externalID}}}
	}
	p := Policy{Version: Version2012, Statement: []Statement{st}}
	if err := CheckSize(p, QuotaTrustPolicy); err != nil {
		return Policy{}, err
	}
	return p, nil
}
