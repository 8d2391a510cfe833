package iampolicy

import "unicode"

// Kind names the IAM quota a document must fit.
type Kind int

// Document kinds, each with IAM's default size quota (characters, not
// counting whitespace).
const (
	// ManagedPolicy: a customer managed policy, 6,144 characters.
	ManagedPolicy Kind = iota
	// TrustPolicy: a role trust policy, 2,048 characters by default
	// (raisable to 4,096 through Service Quotas; CheckSize uses the default).
	TrustPolicy
	// RoleInlinePolicy: all inline policies of a role together, 10,240.
	RoleInlinePolicy
	// UserInlinePolicy: all inline policies of a user together, 2,048.
	UserInlinePolicy
	// BucketPolicy: an S3 bucket policy, 20 KB.
	BucketPolicy
)

// Limit returns the kind's quota in characters.
func (k Kind) Limit() int {
	switch k {
	case ManagedPolicy:
		return 6144
	case TrustPolicy:
		return 2048
	case RoleInlinePolicy:
		return 10240
	case UserInlinePolicy:
		return 2048
	case BucketPolicy:
		return 20 * 1024
	}
	return 0
}

// String names the kind.
func (k Kind) String() string {
	switch k {
	case ManagedPolicy:
		return "managed policy"
	case TrustPolicy:
		return "role trust policy"
	case RoleInlinePolicy:
		return "role inline policy"
	case UserInlinePolicy:
		return "user inline policy"
	case BucketPolicy:
		return "bucket policy"
	}
	return "unknown policy kind"
}

// Size returns the document's length as IAM counts it: the characters of
// its JSON, not counting whitespace.
func Size(p Policy) (int, error) {
	b, err := p.CompactJSON()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range string(b) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n, nil
}

// CheckSize returns a *SizeError (wrapping ErrTooLarge) when p is over the
// quota of kind, so a platform learns it before a customer meets the
// console's LimitExceeded.
func CheckSize(p Policy, kind Kind) error {
	n, err := Size(p)
	if err != nil {
		return err
	}
	if n > kind.Limit() {
		return &SizeError{Kind: kind.String(), Size: n, Limit: kind.Limit()}
	}
	return nil
}
