package iampolicy

import "strings"

// Policy variables: ${aws:username} and friends, resolved from a request's
// context when a policy is evaluated, and the predefined ${*}, ${?} and
// ${$}, which stand for the characters that would otherwise be a wildcard
// or start a variable. IAM documents them in "IAM policy elements:
// Variables and tags" (Special characters); they work only in policies of
// version 2012-10-17, which every builder writes.

// policyLiteral writes s for a policy string (a Resource or a condition
// value) so that IAM matches it literally: each *, ? and $ becomes ${*},
// ${?} or ${$}. A builder that puts an S3 prefix into an ARN writes it
// through policyLiteral, so a prefix holding * (legal in S3 keys and in
// report prefixes) grants exactly that prefix rather than every key the
// wildcard would match.
func policyLiteral(s string) string {
	if !strings.ContainsAny(s, "*?$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '$':
			b.WriteString("${")
			b.WriteByte(c)
			b.WriteByte('}')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
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
