package iampolicy

import "strconv"

// GapKind classifies why a required request is not allowed.
type GapKind int

// Kinds of Gap, from the most specific diagnosis to the most general.
const (
	// GapMissingAction: no Allow statement names the action (or a
	// wildcard covering it) for this principal.
	GapMissingAction GapKind = iota + 1
	// GapBucketARNWithoutObjects: an object action (s3:GetObject) is
	// granted on the bucket ARN (arn:aws:s3:::bucket) instead of its
	// objects (arn:aws:s3:::bucket/*).
	GapBucketARNWithoutObjects
	// GapObjectsInsteadOfBucket: a bucket action (s3:ListBucket) is
	// granted on the objects (arn:aws:s3:::bucket/*) instead of the
	// bucket ARN.
	GapObjectsInsteadOfBucket
	// GapPrefixMismatch: the object action is granted in the right bucket
	// but under another prefix.
	GapPrefixMismatch
	// GapResourceMismatch: the action is granted on other resources.
	GapResourceMismatch
	// GapConditionNotMet: a statement allows the request only under a
	// condition the required request does not meet (a different
	// sts:ExternalId, an aws:SourceIp range, …).
	GapConditionNotMet
	// GapPrincipalMismatch: a resource or trust policy statement allows
	// the action but for other principals.
	GapPrincipalMismatch
	// GapExplicitDeny: a Deny statement matches and overrides every Allow.
	GapExplicitDeny
	// GapUnsupported: a statement that would allow the request could not
	// be evaluated (see Decision.Warnings); IAM would refuse it as
	// written.
	GapUnsupported
	// GapCrossAccount: across accounts, one side (identity or resource
	// policy) allows the request and the other does not.
	GapCrossAccount
)

// String returns a short name such as "missing action".
func (k GapKind) String() string {
	switch k {
	case GapMissingAction:
		return "missing action"
	case GapBucketARNWithoutObjects:
		return "bucket ARN without /*"
	case GapObjectsInsteadOfBucket:
		return "objects instead of bucket ARN"
	case GapPrefixMismatch:
		return "prefix mismatch"
	case GapResourceMismatch:
		return "resource mismatch"
	case GapConditionNotMet:
		return "condition not met"
	case GapPrincipalMismatch:
		return "principal mismatch"
	case GapExplicitDeny:
		return "explicit deny"
	case GapUnsupported:
		return "unsupported statement"
	case GapCrossAccount:
		return "cross-account"
	}
	return "GapKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the String form.
func (k GapKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Gap is one request the required policy allows and the checked policy
// does not.
type Gap struct {
	// Action, Resource and Principal are the sample request that failed
	// (Resource is empty for trust policies, Principal for identity
	// policies).
	Action, Resource, Principal string
	// RequiredIndex and RequiredSid locate the statement of the required
	// policy the sample comes from; RequiredAction and RequiredResource
	// are that statement's patterns the sample was derived from.
	RequiredIndex                    int
	RequiredSid                      string
	RequiredAction, RequiredResource string
	// Kind classifies the mistake.
	Kind GapKind
	// Decision is the checked policy's answer for the sample request.
	Decision Decision
	// PolicyIndex and StatementIndex locate the checked policy's
	// statement the explanation is about (the Deny that wins, the Allow
	// that names the wrong resource, …), or are -1 when there is none;
	// ResourcePolicy reports that it is in PolicySet.Resource.
	PolicyIndex, StatementIndex int
	ResourcePolicy              bool
	// Explanation says in plain words what is wrong and how to fix it,
	// e.g. "s3:GetObject on arn:aws:s3:::bucket/example-object is not
	// allowed: the statement for GetObject names the bucket ARN without
	// /* …".
	Explanation string
}

// String returns the Explanation.
func (g Gap) String() string { return g.Explanation }

// CheckOptions are the optional settings of Check.
type CheckOptions struct {
	// Principal is the caller of every sample request whose required
	// statement names no Principal. Required statements with a Principal
	// (trust and bucket policies) use each principal they name.
	Principal string
	// Context is added to every sample request. Keys the required
	// statement's own conditions constrain (sts:ExternalId,
	// aws:SourceAccount, …) are filled from those conditions when
	// Context does not set them.
	Context map[string][]string
}

// Check lists what policy is missing compared with required: for every
// Allow statement of required it derives concrete sample requests — each
// action (a wildcard such as organizations:List* becomes the known actions
// it covers, e.g. organizations:ListAccounts), each resource (a trailing
// /* becomes an object key under it, e.g.
// arn:aws:s3:::bucket/prefix/example-object), each principal, and a
// condition context that meets the statement's own conditions — and
// evaluates each against policy. Every sample policy does not allow is a
// Gap with a plain explanation of the likely mistake: GetObject granted on
// the bucket ARN without /*, ListBucket granted on bucket/*, another
// prefix, an explicit Deny (named by Sid and index), a condition, or the
// action missing altogether.
//
// Required statements with NotAction or NotResource, and samples that
// required itself does not allow, are skipped. A nil result means no gap
// was found. Gaps come in the order of required's statements, actions and
// resources.
func Check(policy Policy, required Policy, optFns ...func(*CheckOptions)) []Gap {
	return PolicySet{Identity: []Policy{policy}}.Check(required, optFns...)
}

// Check is [Check] against the set as a whole: a gap is a sample request
// that [PolicySet.Evaluate] does not allow.
func (s PolicySet) Check(required Policy, optFns ...func(*CheckOptions)) []Gap {
	var o CheckOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var gaps []Gap
	seen := map[[3]string]bool{}
	for ri := range required.Statement {
		rs := &required.Statement[ri]
		if rs.Effect != EffectAllow || len(rs.NotAction) > 0 || len(rs.NotResource) > 0 {
			continue
		}
		principals := samplePrincipals(rs, o.Principal)
		ctx := sampleContext(rs, o.Context)
		resources := []string{""}
		if len(rs.Resource) > 0 {
			resources = rs.Resource
		}
		for _, ra := range rs.Action {
			for _, action := range sampleActions(ra) {
				for _, rr := range resources {
					resource := sampleResource(rr)
					for _, principal := range principals {
						key := [3]string{action, resource, principal}
						if seen[key] {
							continue
						}
						seen[key] = true
						req := Request{Action: action, Resource: resource, Principal: principal, Context: ctx}
						if !Evaluate(req, required).IsAllowed() {
							continue // our sample misses the required statement's intent
						}
						d := s.Evaluate(req)
						if d.IsAllowed() {
							continue
						}
						g := Gap{Action: action, Resource: resource, Principal: principal,
							RequiredIndex: ri, RequiredSid: rs.Sid, RequiredAction: ra, RequiredResource: rr,
							Decision: d, PolicyIndex: -1, StatementIndex: -1}
						s.explain(&g, req)
						gaps = append(gaps, g)
					}
				}
			}
		}
	}
	return gaps
}
