package iampolicy

import "strings"

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
