package iampolicy

import (
	"fmt"
	"strconv"
	"strings"
)

// Outcome is the answer of an evaluation: allowed, implicitly denied (no
// statement allows the request) or explicitly denied (a Deny statement
// matches it). The zero value is [OutcomeImplicitDeny], IAM's default.
type Outcome int

// Outcomes of [Evaluate].
const (
	// OutcomeImplicitDeny: no statement allows the request, and none
	// denies it.
	OutcomeImplicitDeny Outcome = iota
	// OutcomeAllowed: a statement allows the request and none denies it.
	OutcomeAllowed
	// OutcomeExplicitDeny: a Deny statement matches the request. It
	// overrides every Allow.
	OutcomeExplicitDeny
)

// String returns "allowed", "implicit deny" or "explicit deny".
func (o Outcome) String() string {
	switch o {
	case OutcomeImplicitDeny:
		return "implicit deny"
	case OutcomeAllowed:
		return "allowed"
	case OutcomeExplicitDeny:
		return "explicit deny"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// MarshalText writes the String form, so JSON output is readable.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Request is one request to evaluate policies against.
type Request struct {
	// Action is the IAM action, e.g. "s3:GetObject". Service prefix and
	// action name compare case-insensitively, as in IAM.
	Action string
	// Resource is the ARN the action acts on, e.g.
	// "arn:aws:s3:::bucket/key". Resource patterns compare
	// case-sensitively. Leave it empty for a role trust policy (whose
	// statements name no Resource); a statement's Resource "*" matches
	// any value, including the empty one.
	Resource string
	// Principal is who makes the request, matched against the Principal
	// and NotPrincipal of resource and trust policies: an IAM ARN
	// (arn:aws:iam::111122223333:root, …:user/name, …:role/path/name,
	// arn:aws:sts::111122223333:assumed-role/name/session), a bare
	// 12-digit account ID (the account as a whole), or a service
	// principal such as "billingreports.amazonaws.com". Empty means an
	// anonymous request, which only "*" principals match. Identity
	// policies have no Principal element and ignore this field.
	Principal string
	// Context holds the request's condition keys and their values.
	// Keys compare case-insensitively, as in IAM ("aws:SourceAccount"
	// and "aws:sourceaccount" are the same key). A key holds several
	// values for multivalued keys such as aws:TagKeys (see ForAnyValue
	// and ForAllValues). A key with no values counts as absent.
	Context map[string][]string
}

// Decision is the result of an evaluation and the statement that decided
// it.
type Decision struct {
	// Outcome is the answer.
	Outcome Outcome
	// Statement is the deciding statement: the first Deny that matches
	// for OutcomeExplicitDeny, the first Allow that matches for
	// OutcomeAllowed (for a cross-account request, the identity policy's
	// Allow). It is nil for OutcomeImplicitDeny. It points into the
	// evaluated policy.
	Statement *Statement
	// PolicyIndex and StatementIndex locate Statement: policies[i] for
	// Evaluate, PolicySet.Identity[i] or PolicySet.Resource[i] (see
	// ResourcePolicy) for PolicySet.Evaluate. Both are -1 when Statement
	// is nil.
	PolicyIndex, StatementIndex int
	// ResourcePolicy reports that Statement is in PolicySet.Resource.
	ResourcePolicy bool
	// Reason says in plain words why the decision was made.
	Reason string
	// Warnings lists the statements that matched the request's action,
	// resource and principal but could not be evaluated (an unknown
	// condition operator, an Effect other than Allow or Deny). Such a
	// statement is treated as not matching; IAM refuses such policies,
	// so a warning means the policy would not be accepted as written.
	Warnings []Warning
}

// String describes the decision, naming the deciding statement.
func (d Decision) String() string {
	s := d.Outcome.String()
	if d.Statement != nil {
		s += " by " + d.where()
	}
	if d.Reason != "" {
		s += ": " + d.Reason
	}
	return s
}

// IsAllowed reports whether Outcome is [OutcomeAllowed].
func (d Decision) IsAllowed() bool { return d.Outcome == OutcomeAllowed }

func (d Decision) where() string {
	return statementLabel(d.PolicyIndex, d.StatementIndex, d.ResourcePolicy, d.Statement)
}

// statementLabel names a statement: `identity policy 0 Statement[1] (Sid "X")`.
func statementLabel(pi, si int, resource bool, st *Statement) string {
	kind := "policy"
	if resource {
		kind = "resource policy"
	}
	s := kind + " " + strconv.Itoa(pi) + " Statement[" + strconv.Itoa(si) + "]"
	if st != nil && st.Sid != "" {
		s += " (Sid " + strconv.Quote(st.Sid) + ")"
	}
	return s
}

// Warning reports a statement that could not be evaluated.
type Warning struct {
	// PolicyIndex and StatementIndex locate the statement, as in
	// Decision.
	PolicyIndex, StatementIndex int
	// ResourcePolicy reports that the statement is in PolicySet.Resource.
	ResourcePolicy bool
	// Sid is the statement's Sid, if any.
	Sid string
	// Msg says what could not be evaluated.
	Msg string
}

// String names the statement and the problem.
func (w Warning) String() string {
	st := &Statement{Sid: w.Sid}
	return statementLabel(w.PolicyIndex, w.StatementIndex, w.ResourcePolicy, st) + ": " + w.Msg
}

// PolicySet is every policy that bears on a request: the identity
// policies of the caller (attached to its role or user) and the resource
// policies of the target (a bucket policy, a role's trust policy).
//
// Evaluation follows IAM's logic within one account: an explicit Deny in
// any policy wins; otherwise an Allow in any policy allows. For a
// cross-account request (CrossAccount), both an identity policy and a
// resource policy must allow. Service control policies, permissions
// boundaries and session policies are not modelled. For role trust and
// KMS key policies AWS requires the resource policy to allow even within
// one account: evaluate such a policy on its own (Evaluate(req, trust)) or
// set CrossAccount.
type PolicySet struct {
	// Identity holds the caller's identity policies.
	Identity []Policy
	// Resource holds the target's resource policies.
	Resource []Policy
	// CrossAccount requires an Allow from both Identity and Resource.
	CrossAccount bool
}

// Evaluate decides req against policies as one account's set of policies
// (an explicit Deny anywhere wins, an Allow anywhere allows): the usual
// case of a role's identity policies, or of one trust or bucket policy.
// It never panics, whatever the policies hold.
func Evaluate(req Request, policies ...Policy) Decision {
	return PolicySet{Identity: policies}.Evaluate(req)
}

// Evaluate decides req against the set. See PolicySet for the logic.
func (s PolicySet) Evaluate(req Request) Decision {
	e := newEvaluator(req)
	d := Decision{PolicyIndex: -1, StatementIndex: -1}
	type ref struct {
		pi, si   int
		resource bool
		st       *Statement
	}
	var deny, idAllow, resAllow *ref
	scan := func(policies []Policy, resource bool) {
		for pi := range policies {
			p := &policies[pi]
			for si := range p.Statement {
				st := &p.Statement[si]
				m := e.matchStatement(p, st)
				if !m.targets() {
					continue
				}
				if m.unsupported == "" && st.Effect != EffectAllow && st.Effect != EffectDeny {
					m.unsupported = fmt.Sprintf("Effect %q is neither Allow nor Deny", st.Effect)
				}
				if m.unsupported != "" {
					d.Warnings = append(d.Warnings, Warning{PolicyIndex: pi, StatementIndex: si, ResourcePolicy: resource, Sid: st.Sid, Msg: m.unsupported})
					continue
				}
				if !m.cond {
					continue
				}
				r := &ref{pi, si, resource, st}
				switch {
				case st.Effect == EffectDeny && deny == nil:
					deny = r
				case st.Effect == EffectAllow && !resource && idAllow == nil:
					idAllow = r
				case st.Effect == EffectAllow && resource && resAllow == nil:
					resAllow = r
				}
			}
		}
	}
	scan(s.Identity, false)
	scan(s.Resource, true)
	set := func(o Outcome, r *ref, reason string) Decision {
		d.Outcome, d.Reason = o, reason
		if r != nil {
			d.Statement, d.PolicyIndex, d.StatementIndex, d.ResourcePolicy = r.st, r.pi, r.si, r.resource
		}
		return d
	}
	what := describeRequest(req)
	switch {
	case deny != nil:
		return set(OutcomeExplicitDeny, deny, "an explicit Deny matches "+what+" and overrides every Allow")
	case s.CrossAccount && idAllow != nil && resAllow != nil:
		return set(OutcomeAllowed, idAllow, "an identity policy and a resource policy both allow "+what)
	case s.CrossAccount && idAllow != nil:
		return set(OutcomeImplicitDeny, nil, "an identity policy allows "+what+" but, across accounts, a resource policy must allow it too, and none does")
	case s.CrossAccount && resAllow != nil:
		return set(OutcomeImplicitDeny, nil, "a resource policy allows "+what+" but, across accounts, an identity policy must allow it too, and none does")
	case idAllow != nil:
		return set(OutcomeAllowed, idAllow, "a statement allows "+what+" and none denies it")
	case resAllow != nil:
		return set(OutcomeAllowed, resAllow, "a statement allows "+what+" and none denies it")
	}
	return set(OutcomeImplicitDeny, nil, "no statement allows "+what)
}

func describeRequest(req Request) string {
	s := req.Action
	if req.Resource != "" {
		s += " on " + req.Resource
	}
	if req.Principal != "" {
		s += " by " + req.Principal
	}
	return s
}

// evaluator holds one request, prepared for matching.
type evaluator struct {
	req Request
	// action is req.Action lowercased.
	action string
	// ctx is req.Context with lowercased keys; keys without values are
	// dropped.
	ctx map[string][]string
	// ids are the identities the request's principal is known by.
	ids []identity
}

func newEvaluator(req Request) *evaluator {
	e := &evaluator{req: req, action: strings.ToLower(req.Action), ids: principalIdentities(req.Principal)}
	if len(req.Context) > 0 {
		e.ctx = make(map[string][]string, len(req.Context))
		for k, v := range req.Context {
			if len(v) == 0 {
				continue
			}
			lk := strings.ToLower(k)
			e.ctx[lk] = append(e.ctx[lk], v...)
		}
	}
	return e
}

// stmtMatch records which parts of a statement match a request.
type stmtMatch struct {
	principal, action, resource, cond bool
	// unsupported says why the statement could not be evaluated.
	unsupported string
	// condFailed describes the first condition that is not met.
	condFailed string
}

// targets reports whether the statement names the request's principal,
// action and resource (conditions aside).
func (m stmtMatch) targets() bool { return m.principal && m.action && m.resource }

// matchStatement evaluates every part of st against the request.
func (e *evaluator) matchStatement(p *Policy, st *Statement) stmtMatch {
	vars := p.Version == Version2012
	var m stmtMatch
	m.principal = e.matchPrincipal(st)
	switch {
	case len(st.NotAction) > 0:
		m.action = !e.matchAnyAction(st.NotAction)
	default:
		m.action = e.matchAnyAction(st.Action)
	}
	switch {
	case len(st.NotResource) > 0:
		m.resource = !e.matchAnyResource(st.NotResource, vars)
	case len(st.Resource) > 0:
		m.resource = e.matchAnyResource(st.Resource, vars)
	default:
		// A trust policy's statements name no resource: the role is
		// implied.
		m.resource = true
	}
	m.cond, m.condFailed, m.unsupported = e.matchConditions(st.Condition, vars)
	switch {
	case len(st.Action) > 0 && len(st.NotAction) > 0:
		m.unsupported = "the statement has both Action and NotAction"
	case len(st.Resource) > 0 && len(st.NotResource) > 0:
		m.unsupported = "the statement has both Resource and NotResource"
	case st.Principal != nil && st.NotPrincipal != nil:
		m.unsupported = "the statement has both Principal and NotPrincipal"
	}
	return m
}

func (e *evaluator) matchAnyAction(patterns Strings) bool {
	for _, p := range patterns {
		if globMatch(compileGlob(p, false), e.action, true) {
			return true
		}
	}
	return false
}

func (e *evaluator) matchAnyResource(patterns Strings, vars bool) bool {
	for _, p := range patterns {
		if e.matchResource(p, vars) {
			return true
		}
	}
	return false
}

// matchResource matches one Resource pattern against the request's
// resource: "*" matches anything, otherwise each of the six
// colon-separated parts of an ARN is matched on its own, with * and ?
// wildcards that do not cross a colon except in the last part.
func (e *evaluator) matchResource(pattern string, vars bool) bool {
	if pattern == "*" {
		return true
	}
	pat, ok := e.expand(pattern, vars)
	if !ok {
		return false
	}
	return arnMatch(pat, e.req.Resource)
}
