package iampolicy

import (
	"strconv"
	"unicode"
)

// Quota names an IAM size quota a document must fit: the kind of document
// decides which one applies.
type Quota int

// IAM's default size quotas, in characters not counting whitespace.
const (
	// QuotaManagedPolicy: a customer managed policy, 6,144 characters.
	QuotaManagedPolicy Quota = iota
	// QuotaTrustPolicy: a role trust policy, 2,048 characters by default
	// (raisable to 4,096 through Service Quotas; CheckSize uses the
	// default).
	QuotaTrustPolicy
	// QuotaRoleInlinePolicy: all inline policies of a role together,
	// 10,240 characters.
	QuotaRoleInlinePolicy
	// QuotaUserInlinePolicy: all inline policies of a user together,
	// 2,048 characters.
	QuotaUserInlinePolicy
	// QuotaBucketPolicy: an S3 bucket policy, 20 KB.
	QuotaBucketPolicy
)

// Limit returns the quota in characters, or 0 for an unknown Quota.
func (q Quota) Limit() int {
	switch q {
	case QuotaManagedPolicy:
		return 6144
	case QuotaTrustPolicy:
		return 2048
	case QuotaRoleInlinePolicy:
		return 10240
	case QuotaUserInlinePolicy:
		return 2048
	case QuotaBucketPolicy:
		return 20 * 1024
	}
	return 0
}

// String names the kind of document the quota is for, e.g. "managed
// policy".
func (q Quota) String() string {
	switch q {
	case QuotaManagedPolicy:
		return "managed policy"
	case QuotaTrustPolicy:
		return "role trust policy"
	case QuotaRoleInlinePolicy:
		return "role inline policy"
	case QuotaUserInlinePolicy:
		return "user inline policy"
	case QuotaBucketPolicy:
		return "bucket policy"
	}
	return "Quota(" + strconv.Itoa(int(q)) + ")"
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

// CheckSize returns a [*SizeError] (wrapping [ErrTooLarge]) when p is over
// quota q, so a platform learns it before a customer meets the console's
// LimitExceeded.
func CheckSize(p Policy, q Quota) error {
	n, err := Size(p)
	if err != nil {
		return err
	}
	if n > q.Limit() {
		return &SizeError{Quota: q, Size: n, Limit: q.Limit()}
	}
	return nil
}
