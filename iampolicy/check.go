package iampolicy

import (
	"sort"
	"strconv"
	"strings"
)

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

// Check is Check against every policy of the set.
func (s PolicySet) Check(required Policy, optFns ...func(*CheckOptions)) []Gap {
	var o CheckOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var gaps []Gap
	seen := map[[3]string]bool{}
	for ri := range required.Statement {
		rs := &required.Statement[ri]
		if rs.Effect != Allow || len(rs.NotAction) > 0 || len(rs.NotResource) > 0 {
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

// knownActions are the actions Check samples for a wildcard in a required
// policy: the ones the billing-read, trust and delivery policies are for.
var knownActions = []string{
	"s3:GetBucketAcl", "s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetObject", "s3:GetObjectVersion",
	"s3:ListBucket", "s3:ListBucketVersions", "s3:PutObject",
	"organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit",
	"organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListChildren",
	"organizations:ListOrganizationalUnitsForParent", "organizations:ListRoots", "organizations:ListTagsForResource",
	"ce:GetCostAndUsage", "ce:GetReservationUtilization", "ce:GetSavingsPlansUtilization",
	"cur:DescribeReportDefinitions",
	"bcm-data-exports:GetExecution", "bcm-data-exports:GetExport", "bcm-data-exports:ListExecutions", "bcm-data-exports:ListExports",
	"kms:Decrypt", "sts:AssumeRole",
}

// sampleActions returns the concrete actions a required action pattern
// stands for: itself if it has no wildcard, else the known actions it
// covers, else the pattern with each wildcard replaced by "Example".
func sampleActions(pattern string) []string {
	if !strings.ContainsAny(pattern, "*?") {
		return []string{pattern}
	}
	toks := compileGlob(pattern, false)
	var out []string
	for _, a := range knownActions {
		if globMatch(toks, strings.ToLower(a), true) {
			out = append(out, a)
		}
	}
	if len(out) > 0 {
		return out
	}
	r := strings.NewReplacer("*", "Example", "?", "X").Replace(pattern)
	if !strings.Contains(r, ":") {
		r = "example:" + r
	}
	return []string{r}
}

// sampleResource returns a concrete resource for a required pattern: a
// trailing * becomes "example-object" (so bucket/prefix/* becomes an object
// key under the prefix), other wildcards and policy variables "example"
// and "x". "*" stays "*" (any resource).
func sampleResource(pattern string) string {
	if pattern == "*" || pattern == "" {
		return pattern
	}
	return sampleString(pattern, "example-object")
}

// sampleString replaces the wildcards and policy variables of a pattern
// with sample text: a trailing * with tail, other * and ${…} with
// "example", ? with "x".
func sampleString(pattern, tail string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '$' && strings.HasPrefix(pattern[i:], "${") && strings.IndexByte(pattern[i:], '}') > 0:
			b.WriteString("example")
			i += strings.IndexByte(pattern[i:], '}')
		case c == '*' && i == len(pattern)-1:
			b.WriteString(tail)
		case c == '*':
			b.WriteString("example")
		case c == '?':
			b.WriteByte('x')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// samplePrincipals returns the callers to try for a required statement.
func samplePrincipals(rs *Statement, fallback string) []string {
	if rs.Principal == nil || rs.Principal.Wildcard {
		return []string{fallback}
	}
	var out []string
	for _, v := range rs.Principal.AWS {
		if v == "*" {
			return []string{fallback}
		}
		out = append(out, v)
	}
	out = append(out, rs.Principal.Service...)
	out = append(out, rs.Principal.Federated...)
	out = append(out, rs.Principal.CanonicalUser...)
	if len(out) == 0 {
		return []string{fallback}
	}
	return out
}

// sampleContext returns base plus, for every key a positive operator of
// the required statement constrains and base does not set, a value that
// meets it.
func sampleContext(rs *Statement, base map[string][]string) map[string][]string {
	ctx := make(map[string][]string, len(base))
	have := map[string]bool{}
	for k, v := range base {
		ctx[k] = v
		have[strings.ToLower(k)] = true
	}
	for _, name := range sortedKeys(rs.Condition) {
		op, err := parseOperator(name)
		if err != nil || op.isNull || op.negated || op.qual == qualAll {
			continue
		}
		base := strings.TrimSuffix(strings.TrimPrefix(name, "ForAnyValue:"), "IfExists")
		for _, key := range sortedKeys(rs.Condition[name]) {
			vals := rs.Condition[name][key]
			if have[strings.ToLower(key)] || len(vals) == 0 {
				continue
			}
			v := vals[0]
			switch {
			case base == "StringLike", strings.HasPrefix(base, "Arn"):
				v = sampleString(v, "example")
			case base == "StringEquals", base == "StringEqualsIgnoreCase":
			case base == "IpAddress":
				v, _, _ = strings.Cut(v, "/")
			case base == "Bool", base == "BinaryEquals", base == "NumericEquals", base == "DateEquals",
				base == "NumericLessThanEquals", base == "NumericGreaterThanEquals", base == "DateLessThanEquals", base == "DateGreaterThanEquals":
			default:
				continue
			}
			ctx[key] = []string{v}
			have[strings.ToLower(key)] = true
		}
	}
	return ctx
}

// candidate is an Allow statement of the checked set, with how it matches.
type candidate struct {
	pi, si   int
	resource bool
	st       *Statement
	m        stmtMatch
	policy   *Policy
}

// explain fills g.Kind, the statement it is about and g.Explanation.
func (s PolicySet) explain(g *Gap, req Request) {
	d := g.Decision
	what := req.Action + " on " + displayResource(req.Resource)
	if req.Principal != "" {
		what += " by " + req.Principal
	}
	head := what + " is not allowed: "
	if d.Effect == ExplicitDeny {
		g.Kind = GapExplicitDeny
		g.PolicyIndex, g.StatementIndex, g.ResourcePolicy = d.PolicyIndex, d.StatementIndex, d.ResourcePolicy
		g.Explanation = head + "the explicit Deny in " + d.where() + " matches it and overrides every Allow; narrow or remove that Deny"
		return
	}
	e := newEvaluator(req)
	var cands []candidate
	collect := func(policies []Policy, resource bool) {
		for pi := range policies {
			p := &policies[pi]
			for si := range p.Statement {
				st := &p.Statement[si]
				if st.Effect != Allow {
					continue
				}
				cands = append(cands, candidate{pi, si, resource, st, e.matchStatement(p, st), p})
			}
		}
	}
	idAllows, resAllows := false, false
	if s.CrossAccount {
		idAllows = PolicySet{Identity: s.Identity}.Evaluate(req).IsAllowed()
		resAllows = PolicySet{Identity: s.Resource}.Evaluate(req).IsAllowed()
	}
	switch {
	case s.CrossAccount && idAllows && !resAllows:
		collect(s.Resource, true)
	case s.CrossAccount && resAllows && !idAllows:
		collect(s.Identity, false)
	default:
		collect(s.Identity, false)
		collect(s.Resource, true)
	}
	short := req.Action
	if _, a, ok := strings.Cut(short, ":"); ok {
		short = a
	}
	about := func(c candidate, kind GapKind, msg string) {
		g.Kind, g.PolicyIndex, g.StatementIndex, g.ResourcePolicy = kind, c.pi, c.si, c.resource
		g.Explanation = head + msg
	}
	fix := ""
	if g.RequiredResource != "" {
		fix = "; grant " + req.Action + " on " + g.RequiredResource
	}

	// 1. A statement names principal, action and resource, but could
	// not be evaluated or its conditions fail.
	for _, c := range cands {
		if c.m.targets() && c.m.unsupported != "" {
			about(c, GapUnsupported, "the statement for "+short+" ("+label(c)+") cannot be evaluated: "+c.m.unsupported)
			return
		}
	}
	for _, c := range cands {
		if c.m.targets() && !c.m.cond {
			about(c, GapConditionNotMet, "the statement for "+short+" ("+label(c)+") allows it only when "+c.m.condFailed)
			return
		}
	}
	// 2. A statement names principal and action but not this resource:
	// diagnose the classic S3 mistakes.
	var wrongResource []candidate
	for _, c := range cands {
		if c.m.principal && c.m.action && !c.m.resource {
			wrongResource = append(wrongResource, c)
		}
	}
	if len(wrongResource) > 0 {
		bucket, key, isS3 := splitS3ARN(req.Resource)
		if isS3 && key != "" {
			for _, c := range wrongResource {
				if patternsMatch(e, c, bucket) {
					about(c, GapBucketARNWithoutObjects, "the statement for "+short+" names the bucket ARN without /* ("+label(c)+": "+
						listResources(c.st)+"); object actions need the objects' ARN"+orFix(fix, bucket+"/*"))
					return
				}
			}
			for _, c := range wrongResource {
				if pats := sameBucketObjectPatterns(c.st, bucket); len(pats) > 0 {
					about(c, GapPrefixMismatch, "the statement for "+short+" ("+label(c)+") covers only "+strings.Join(pats, ", ")+
						", which does not include the key "+key+" (prefix mismatch)"+orFix(fix, bucket+"/*"))
					return
				}
			}
		}
		if isS3 && key == "" {
			for _, c := range wrongResource {
				if patternsMatch(e, c, req.Resource+"/example-object") || len(sameBucketObjectPatterns(c.st, req.Resource)) > 0 {
					about(c, GapObjectsInsteadOfBucket, "the statement for "+short+" ("+label(c)+") names objects ("+listResources(c.st)+
						") instead of the bucket ARN; bucket actions need "+req.Resource+" itself"+orFix(fix, req.Resource))
					return
				}
			}
		}
		c := wrongResource[0]
		about(c, GapResourceMismatch, "the statement for "+short+" ("+label(c)+") covers other resources ("+listResources(c.st)+")"+orFix(fix, req.Resource))
		return
	}
	// 3. A statement names the action and resource for other principals.
	for _, c := range cands {
		if !c.m.principal && c.m.action && c.m.resource {
			about(c, GapPrincipalMismatch, "the statement for "+short+" ("+label(c)+") names other principals ("+listPrincipals(c.st)+")")
			return
		}
	}
	// 4. Across accounts, one side allows.
	if s.CrossAccount && (idAllows || resAllows) {
		g.Kind = GapCrossAccount
		side := "a resource policy"
		if resAllows {
			side = "an identity policy"
		}
		g.Explanation = head + "across accounts " + side + " must allow it too, and none does"
		return
	}
	g.Kind = GapMissingAction
	g.Explanation = head + "no Allow statement names " + req.Action + " or a wildcard that covers it (the action is missing)"
	if g.RequiredResource != "" {
		g.Explanation += "; add " + req.Action + " on " + g.RequiredResource
	}
}

func orFix(fix, fallback string) string {
	if fix != "" {
		return fix
	}
	return "; grant it on " + fallback
}

func label(c candidate) string {
	return statementLabel(c.pi, c.si, c.resource, c.st)
}

func displayResource(r string) string {
	if r == "" {
		return "the role"
	}
	return r
}

// patternsMatch reports whether one of c's Resource patterns (not
// NotResource: the classic mistakes are about what a statement names)
// matches resource.
func patternsMatch(e *evaluator, c candidate, resource string) bool {
	sub := *e
	sub.req.Resource = resource
	return sub.matchAnyResource(c.st.Resource, c.policy.Version == Version2012)
}

// sameBucketObjectPatterns returns st's Resource patterns for objects in
// bucket (arn:…:s3:::bucket/…).
func sameBucketObjectPatterns(st *Statement, bucket string) []string {
	var out []string
	for _, r := range st.Resource {
		if strings.HasPrefix(r, bucket+"/") {
			out = append(out, r)
		}
	}
	return out
}

// splitS3ARN splits arn:<partition>:s3:::bucket/key into the bucket ARN
// and the key.
func splitS3ARN(r string) (bucketARN, key string, ok bool) {
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "s3" || parts[3] != "" || parts[4] != "" || parts[5] == "" {
		return "", "", false
	}
	b, k, _ := strings.Cut(parts[5], "/")
	return strings.Join(parts[:5], ":") + ":" + b, k, true
}

func listResources(st *Statement) string {
	if len(st.NotResource) > 0 {
		return "NotResource " + strings.Join(st.NotResource, ", ")
	}
	if len(st.Resource) == 0 {
		return "no Resource"
	}
	return strings.Join(st.Resource, ", ")
}

func listPrincipals(st *Statement) string {
	p := st.Principal
	prefix := ""
	if p == nil {
		p, prefix = st.NotPrincipal, "all but "
	}
	if p == nil {
		return "none"
	}
	if p.Wildcard {
		return prefix + "*"
	}
	var all []string
	all = append(all, p.AWS...)
	all = append(all, p.Service...)
	all = append(all, p.Federated...)
	all = append(all, p.CanonicalUser...)
	sort.Strings(all)
	return prefix + strings.Join(all, ", ")
}
