package iampolicy

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition blocks: operators, qualifiers and comparisons.

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
