package iampolicy

import (
	"sort"
	"strings"
)

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
	if d.Outcome == OutcomeExplicitDeny {
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
				if st.Effect != EffectAllow {
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
