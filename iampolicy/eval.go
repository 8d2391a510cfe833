package iampolicy

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Outcome is the answer of an evaluation: allowed, implicitly denied (no
// statement allows the request) or explicitly denied (a Deny statement
// matches it). The zero value is ImplicitDeny, IAM's default.
type Outcome int

// Outcomes of Evaluate.
const (
	// ImplicitDeny: no statement allows the request, and none denies it.
	ImplicitDeny Outcome = iota
	// Allowed: a statement allows the request and none denies it.
	Allowed
	// ExplicitDeny: a Deny statement matches the request. It overrides
	// every Allow.
	ExplicitDeny
)

// String returns "allowed", "implicit deny" or "explicit deny".
func (o Outcome) String() string {
	switch o {
	case ImplicitDeny:
		return "implicit deny"
	case Allowed:
		return "allowed"
	case ExplicitDeny:
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
	// Effect is the outcome.
	Effect Outcome
	// Statement is the deciding statement: the first Deny that matches
	// for ExplicitDeny, the first Allow that matches for Allowed (for a
	// cross-account request, the identity policy's Allow). It is nil for
	// ImplicitDeny. It points into the evaluated policy.
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
	s := d.Effect.String()
	if d.Statement != nil {
		s += " by " + d.where()
	}
	if d.Reason != "" {
		s += ": " + d.Reason
	}
	return s
}

// IsAllowed reports whether Effect is Allowed.
func (d Decision) IsAllowed() bool { return d.Effect == Allowed }

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
				if m.unsupported == "" && st.Effect != Allow && st.Effect != Deny {
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
				case st.Effect == Deny && deny == nil:
					deny = r
				case st.Effect == Allow && !resource && idAllow == nil:
					idAllow = r
				case st.Effect == Allow && resource && resAllow == nil:
					resAllow = r
				}
			}
		}
	}
	scan(s.Identity, false)
	scan(s.Resource, true)
	set := func(o Outcome, r *ref, reason string) Decision {
		d.Effect, d.Reason = o, reason
		if r != nil {
			d.Statement, d.PolicyIndex, d.StatementIndex, d.ResourcePolicy = r.st, r.pi, r.si, r.resource
		}
		return d
	}
	what := describeRequest(req)
	switch {
	case deny != nil:
		return set(ExplicitDeny, deny, "an explicit Deny matches "+what+" and overrides every Allow")
	case s.CrossAccount && idAllow != nil && resAllow != nil:
		return set(Allowed, idAllow, "an identity policy and a resource policy both allow "+what)
	case s.CrossAccount && idAllow != nil:
		return set(ImplicitDeny, nil, "an identity policy allows "+what+" but, across accounts, a resource policy must allow it too, and none does")
	case s.CrossAccount && resAllow != nil:
		return set(ImplicitDeny, nil, "a resource policy allows "+what+" but, across accounts, an identity policy must allow it too, and none does")
	case idAllow != nil:
		return set(Allowed, idAllow, "a statement allows "+what+" and none denies it")
	case resAllow != nil:
		return set(Allowed, resAllow, "a statement allows "+what+" and none denies it")
	}
	return set(ImplicitDeny, nil, "no statement allows "+what)
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

// arnMatch matches an escaped glob (see expand) against an ARN, part by
// part.
func arnMatch(escapedPattern, arn string) bool {
	toks := compileGlob(escapedPattern, true)
	psegs := splitTokens(toks, 6)
	ssegs := strings.SplitN(arn, ":", 6)
	if len(psegs) != 6 || len(ssegs) != 6 {
		return globMatch(toks, arn, false)
	}
	for i := range psegs {
		if !globMatch(psegs[i], ssegs[i], false) {
			return false
		}
	}
	return true
}

// splitTokens splits a compiled glob at literal colons into at most n
// parts.
func splitTokens(toks []globToken, n int) [][]globToken {
	var out [][]globToken
	start := 0
	for i, t := range toks {
		if len(out) == n-1 {
			break
		}
		if t.kind == tokLiteral && t.r == ':' {
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// identity is one name a request's principal is known by.
type identity struct {
	kind    identityKind
	account string
	name    string // role name for idRole
	exact   string // the principal string for idExact
}

type identityKind int

const (
	idAnonymous identityKind = iota
	idAccount
	idRole
	idExact
)

// principalIdentities lists the identities a principal is known by, most
// specific first: an assumed-role session is itself, its role and its
// account; a role or user is itself and its account; an account root is
// the account.
func principalIdentities(p string) []identity {
	if p == "" {
		return []identity{{kind: idAnonymous}}
	}
	if accountRE.MatchString(p) {
		return []identity{{kind: idAccount, account: p}}
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return []identity{{kind: idExact, exact: p}}
	}
	svc, acct, res := parts[2], parts[4], parts[5]
	exact := identity{kind: idExact, exact: p}
	account := identity{kind: idAccount, account: acct}
	switch {
	case svc == "iam" && res == "root":
		return []identity{account}
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		name := res[strings.LastIndexByte(res, '/')+1:]
		return []identity{exact, {kind: idRole, account: acct, name: name}, account}
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		rest := strings.TrimPrefix(res, "assumed-role/")
		name, _, _ := strings.Cut(rest, "/")
		return []identity{exact, {kind: idRole, account: acct, name: name}, account}
	case (svc == "iam" || svc == "sts") && acct != "":
		return []identity{exact, account}
	}
	return []identity{exact}
}

// matchPrincipal applies Principal or NotPrincipal. A statement with
// neither (an identity policy's) applies to any principal.
//
// NotPrincipal excludes a request only when every identity of its
// principal is listed, as AWS documents: to exempt an assumed-role
// session, a Deny's NotPrincipal must list the session, the role and the
// account.
func (e *evaluator) matchPrincipal(st *Statement) bool {
	switch {
	case st.Principal != nil:
		for _, id := range e.ids {
			if principalNames(st.Principal, id) {
				return true
			}
		}
		return false
	case st.NotPrincipal != nil:
		for _, id := range e.ids {
			if !principalNames(st.NotPrincipal, id) {
				return true
			}
		}
		return false
	}
	return true
}

// principalNames reports whether the Principal element p names id.
func principalNames(p *Principal, id identity) bool {
	if p.Wildcard {
		return true
	}
	for _, v := range p.AWS {
		if v == "*" {
			return true
		}
		switch id.kind {
		case idAccount:
			if v == id.account || isRootARNOf(v, id.account) {
				return true
			}
		case idRole:
			parts := strings.SplitN(v, ":", 6)
			if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] == id.account && strings.HasPrefix(parts[5], "role/") &&
				parts[5][strings.LastIndexByte(parts[5], '/')+1:] == id.name {
				return true
			}
		case idExact:
			if v == id.exact {
				return true
			}
		}
	}
	if id.kind == idExact {
		for _, v := range p.Service {
			if strings.EqualFold(v, id.exact) {
				return true
			}
		}
		for _, list := range []Strings{p.Federated, p.CanonicalUser} {
			for _, v := range list {
				if v == id.exact {
					return true
				}
			}
		}
	}
	return false
}

func isRootARNOf(v, account string) bool {
	parts := strings.SplitN(v, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3] == "" && parts[4] == account && parts[5] == "root"
}

// expand resolves policy variables (${aws:username}, ${aws:PrincipalTag/team, 'default'},
// ${*}, ${?}, ${$}) in a policy value from the request context and returns
// an escaped glob: wildcards from the policy stay wildcards, characters
// that came from variables or from \ are escaped with \. vars is false for
// policies not in version 2012-10-17, where ${…} is literal text. ok is
// false when a variable has no single value and no default: such a value
// matches nothing.
func (e *evaluator) expand(v string, vars bool) (string, bool) {
	if !strings.Contains(v, `\`) && (!vars || !strings.Contains(v, "${")) {
		return v, true
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		if vars && strings.HasPrefix(v[i:], "${") {
			end := strings.IndexByte(v[i:], '}')
			if end > 0 {
				val, ok := e.variable(v[i+2 : i+end])
				if !ok {
					return "", false
				}
				writeEscaped(&b, val)
				i += end + 1
				continue
			}
		}
		if v[i] == '\\' {
			b.WriteString(`\\`)
		} else {
			b.WriteByte(v[i])
		}
		i++
	}
	return b.String(), true
}

// variable resolves the inside of ${…}.
func (e *evaluator) variable(expr string) (string, bool) {
	switch expr {
	case "*", "?", "$":
		return expr, true
	}
	key, def, hasDef := strings.Cut(expr, ",")
	key = strings.TrimSpace(key)
	if vals := e.ctx[strings.ToLower(key)]; len(vals) == 1 {
		return vals[0], true
	}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
			return def[1 : len(def)-1], true
		}
	}
	return "", false
}

func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

// unescape turns an escaped glob back into literal text.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Glob matching with * (any run) and ? (one character).

type tokKind uint8

const (
	tokLiteral tokKind = iota
	tokStar
	tokOne
)

type globToken struct {
	kind tokKind
	r    rune
}

// compileGlob turns a pattern into tokens. With escaped, \x is a literal x.
func compileGlob(p string, escaped bool) []globToken {
	toks := make([]globToken, 0, len(p))
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case escaped && r == '\\' && i+size < len(p):
			i += size
			r, size = utf8.DecodeRuneInString(p[i:])
			toks = append(toks, globToken{tokLiteral, r})
		case r == '*':
			if n := len(toks); n == 0 || toks[n-1].kind != tokStar {
				toks = append(toks, globToken{kind: tokStar})
			}
		case r == '?':
			toks = append(toks, globToken{kind: tokOne})
		default:
			toks = append(toks, globToken{tokLiteral, r})
		}
		i += size
	}
	return toks
}

// globMatch matches s against toks in O(len(toks)·len(s)) at worst, with
// one backtracking point (the last star).
func globMatch(toks []globToken, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		if pi < len(toks) {
			t := toks[pi]
			switch {
			case t.kind == tokStar:
				starP, starS = pi, si
				pi++
				continue
			case t.kind == tokOne, t.kind == tokLiteral && (t.r == r || fold && equalFoldRune(t.r, r)):
				pi++
				si += size
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, sz := utf8.DecodeRuneInString(s[starS:])
		starS += sz
		pi, si = starP+1, starS
	}
	for pi < len(toks) && toks[pi].kind == tokStar {
		pi++
	}
	return pi == len(toks)
}

func equalFoldRune(a, b rune) bool { return unicode.ToLower(a) == unicode.ToLower(b) }

// Conditions.

type qualifier int

const (
	qualNone qualifier = iota
	qualAny
	qualAll
)

// compareFunc reports whether a request value matches one policy value
// (already expanded to an escaped glob for string and ARN operators).
type compareFunc func(reqVal, policyVal string) bool

type operator struct {
	cmp      compareFunc
	negated  bool
	vars     bool // policy variables are resolved in values
	isNull   bool
	ifExists bool
	qual     qualifier
}

var baseOperators = map[string]struct {
	cmp     compareFunc
	negated bool
	vars    bool
}{
	"StringEquals":              {cmpStringEquals, false, true},
	"StringNotEquals":           {cmpStringEquals, true, true},
	"StringEqualsIgnoreCase":    {cmpStringEqualsFold, false, true},
	"StringNotEqualsIgnoreCase": {cmpStringEqualsFold, true, true},
	"StringLike":                {cmpStringLike, false, true},
	"StringNotLike":             {cmpStringLike, true, true},
	"ArnEquals":                 {cmpArnLike, false, true},
	"ArnLike":                   {cmpArnLike, false, true},
	"ArnNotEquals":              {cmpArnLike, true, true},
	"ArnNotLike":                {cmpArnLike, true, true},
	"NumericEquals":             {numericCmp(func(c int) bool { return c == 0 }), false, false},
	"NumericNotEquals":          {numericCmp(func(c int) bool { return c == 0 }), true, false},
	"NumericLessThan":           {numericCmp(func(c int) bool { return c < 0 }), false, false},
	"NumericLessThanEquals":     {numericCmp(func(c int) bool { return c <= 0 }), false, false},
	"NumericGreaterThan":        {numericCmp(func(c int) bool { return c > 0 }), false, false},
	"NumericGreaterThanEquals":  {numericCmp(func(c int) bool { return c >= 0 }), false, false},
	"DateEquals":                {dateCmp(func(c int) bool { return c == 0 }), false, false},
	"DateNotEquals":             {dateCmp(func(c int) bool { return c == 0 }), true, false},
	"DateLessThan":              {dateCmp(func(c int) bool { return c < 0 }), false, false},
	"DateLessThanEquals":        {dateCmp(func(c int) bool { return c <= 0 }), false, false},
	"DateGreaterThan":           {dateCmp(func(c int) bool { return c > 0 }), false, false},
	"DateGreaterThanEquals":     {dateCmp(func(c int) bool { return c >= 0 }), false, false},
	"Bool":                      {cmpBool, false, false},
	"BinaryEquals":              {cmpBinary, false, false},
	"IpAddress":                 {cmpIP, false, false},
	"NotIpAddress":              {cmpIP, true, false},
}

// parseOperator reads a condition operator such as
// "ForAnyValue:StringNotEqualsIgnoreCaseIfExists".
func parseOperator(name string) (operator, error) {
	var op operator
	base := name
	switch {
	case strings.HasPrefix(base, "ForAnyValue:"):
		op.qual, base = qualAny, strings.TrimPrefix(base, "ForAnyValue:")
	case strings.HasPrefix(base, "ForAllValues:"):
		op.qual, base = qualAll, strings.TrimPrefix(base, "ForAllValues:")
	}
	if base == "Null" {
		if op.qual != qualNone {
			return op, fmt.Errorf("condition operator %q: Null takes no ForAnyValue/ForAllValues qualifier", name)
		}
		op.isNull = true
		return op, nil
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		op.ifExists, base = true, b
	}
	spec, ok := baseOperators[base]
	if !ok {
		for known := range baseOperators {
			if strings.EqualFold(known, base) {
				return op, fmt.Errorf("unknown condition operator %q (operators are case-sensitive: did you mean %s?)", name, known)
			}
		}
		return op, fmt.Errorf("unknown condition operator %q", name)
	}
	op.cmp, op.negated, op.vars = spec.cmp, spec.negated, spec.vars
	return op, nil
}

// matchConditions evaluates a Condition block: every operator and every
// key must hold (AND); for one key, any policy value may match (OR), and
// for a negated operator no policy value may match. It returns whether
// the block holds, a description of the first part that does not, and a
// reason when the block cannot be evaluated.
func (e *evaluator) matchConditions(c Condition, vars bool) (ok bool, failed, unsupported string) {
	if len(c) == 0 {
		return true, "", ""
	}
	ok = true
	for _, name := range sortedKeys(c) {
		op, err := parseOperator(name)
		if err != nil {
			return false, "", err.Error()
		}
		for _, key := range sortedKeys(c[name]) {
			held, why := e.evalKey(op, key, c[name][key], vars)
			if why != "" {
				return false, "", why
			}
			if !held && ok {
				ok = false
				failed = e.describeFailure(name, key, c[name][key])
			}
		}
	}
	return ok, failed, ""
}

func (e *evaluator) describeFailure(op, key string, vals Strings) string {
	s := op + " " + key + " " + quoteList(vals)
	got, present := e.ctx[strings.ToLower(key)]
	if !present {
		return s + " (the request has no " + key + ")"
	}
	return s + " (the request has " + key + " = " + quoteList(got) + ")"
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// evalKey evaluates one operator on one condition key.
func (e *evaluator) evalKey(op operator, key string, policyVals Strings, vars bool) (bool, string) {
	got, present := e.ctx[strings.ToLower(key)]
	if op.isNull {
		for _, pv := range policyVals {
			switch strings.ToLower(pv) {
			case "true":
				if !present {
					return true, ""
				}
			case "false":
				if present {
					return true, ""
				}
			default:
				return false, fmt.Sprintf("condition Null %s: value %q is neither true nor false", key, pv)
			}
		}
		return false, ""
	}
	if !present {
		switch op.qual {
		case qualAll:
			return true, ""
		case qualAny:
			return op.ifExists, ""
		}
		return op.ifExists || op.negated, ""
	}
	// Expand policy values once.
	expanded := make([]string, 0, len(policyVals))
	for _, pv := range policyVals {
		if op.vars {
			x, ok := e.expand(pv, vars)
			if !ok {
				continue // an unresolved variable matches nothing
			}
			pv = x
		} else {
			pv = escapeGlob(pv)
		}
		expanded = append(expanded, pv)
	}
	matches := func(v string) bool {
		for _, pv := range expanded {
			if op.cmp(v, pv) {
				return true
			}
		}
		return false
	}
	switch op.qual {
	case qualAny:
		for _, v := range got {
			if matches(v) != op.negated {
				return true, ""
			}
		}
		return false, ""
	case qualAll:
		for _, v := range got {
			if matches(v) == op.negated {
				return false, ""
			}
		}
		return true, ""
	}
	any := false
	for _, v := range got {
		if matches(v) {
			any = true
			break
		}
	}
	return any != op.negated, ""
}

// escapeGlob escapes a literal value so that unescape returns it as is.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `\*?`) {
		return s
	}
	var b strings.Builder
	writeEscaped(&b, s)
	return b.String()
}

func cmpStringEquals(v, pv string) bool     { return v == unescape(pv) }
func cmpStringEqualsFold(v, pv string) bool { return strings.EqualFold(v, unescape(pv)) }
func cmpStringLike(v, pv string) bool       { return globMatch(compileGlob(pv, true), v, false) }
func cmpArnLike(v, pv string) bool          { return arnMatch(pv, v) }
func cmpBool(v, pv string) bool             { return strings.EqualFold(v, unescape(pv)) }
func cmpBinary(v, pv string) bool           { return v == unescape(pv) }

func cmpIP(v, pv string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	pv = unescape(pv)
	if !strings.Contains(pv, "/") {
		a, err := netip.ParseAddr(pv)
		return err == nil && a.Unmap() == addr.Unmap()
	}
	pfx, err := netip.ParsePrefix(pv)
	return err == nil && pfx.Masked().Contains(addr.Unmap())
}

// numericCmp compares request value to policy value as numbers; a value
// that is not a number matches nothing.
func numericCmp(want func(int) bool) compareFunc {
	return func(v, pv string) bool {
		a, err1 := strconv.ParseFloat(strings.TrimSpace(v), 64)
		b, err2 := strconv.ParseFloat(strings.TrimSpace(unescape(pv)), 64)
		if err1 != nil || err2 != nil || math.IsNaN(a) || math.IsNaN(b) {
			return false
		}
		switch {
		case a < b:
			return want(-1)
		case a > b:
			return want(1)
		}
		return want(0)
	}
}

// dateCmp compares request value to policy value as instants: ISO 8601
// (RFC 3339, with or without time) or Unix epoch seconds.
func dateCmp(want func(int) bool) compareFunc {
	return func(v, pv string) bool {
		a, ok1 := parseDate(v)
		b, ok2 := parseDate(unescape(pv))
		if !ok1 || !ok2 {
			return false
		}
		return want(a.Compare(b))
	}
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > -1e12 && n < 1e12 {
		return time.Unix(n, 0), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
