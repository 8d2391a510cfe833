package iampolicy

import "strings"

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
// "example", ? with "x". The predefined ${*}, ${?} and ${$} stand for
// their literal character, so they become it.
func sampleString(pattern, tail string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '$' && strings.HasPrefix(pattern[i:], "${") && strings.IndexByte(pattern[i:], '}') > 0:
			end := i + strings.IndexByte(pattern[i:], '}')
			switch v := pattern[i+2 : end]; v {
			case "*", "?", "$":
				b.WriteString(v)
			default:
				b.WriteString("example")
			}
			i = end
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
