package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPolicyLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"cur/daily":   "cur/daily",
		"*":           "${*}",
		"a*b?c$d":     "a${*}b${?}c${$}d",
		"${aws:x}":    "${$}{aws:x}",
		"**??$$":      "${*}${*}${?}${?}${$}${$}",
		"é*日本":        "é${*}日本",
		"{}":          "{}",
		"a/b!'()_.-/": "a/b!'()_.-/",
	} {
		assert.Equal(t, want, policyLiteral(in), "%q", in)
	}
}

// TestPredefinedVariablesAreLiteral: ${*}, ${?} and ${$} stand for the
// literal character in Resource and in condition values, in policies of
// version 2012-10-17; in 2008-10-17 they are plain text.
func TestPredefinedVariablesAreLiteral(t *testing.T) {
	const b = "arn:aws:s3:::b/"
	for _, tc := range []struct {
		pattern, resource string
		want              bool
	}{
		{b + "a${*}", b + "a*", true},
		{b + "a${*}", b + "abc", false},
		{b + "a${*}", b + "a", false},
		{b + "a${?}", b + "a?", true},
		{b + "a${?}", b + "ab", false},
		{b + "a${$}", b + "a$", true},
		{b + "a${$}{aws:username}", b + "a${aws:username}", true},
		{b + "a${$}{aws:username}", b + "aalice", false},
		{b + "a${*}/*", b + "a*/k", true},
		{b + "a${*}/*", b + "ab/k", false},
		{b + "${*}${?}", b + "*?", true},
	} {
		p := pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{tc.pattern}))
		d := Evaluate(Request{Action: "s3:GetObject", Resource: tc.resource, Context: map[string][]string{"aws:username": {"alice"}}}, p)
		assert.Equal(t, tc.want, d.IsAllowed(), "%s ~ %s: %s", tc.pattern, tc.resource, d)
		assert.Empty(t, d.Warnings)
	}
	old := Policy{Version: "2008-10-17", Statement: []Statement{stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{b + "a${*}"})}}
	assert.True(t, Evaluate(Request{Action: "s3:GetObject", Resource: b + "a${*}"}, old).IsAllowed(), "literal text in 2008-10-17")
	assert.True(t, Evaluate(Request{Action: "s3:GetObject", Resource: b + "a${x}"}, old).IsAllowed(), "and its * is a wildcard there")

	// Condition values too (an s3:prefix condition on ListBucket).
	c := pol(Statement{Effect: EffectAllow, Action: Strings{"s3:ListBucket"}, Resource: Strings{"arn:aws:s3:::b"},
		Condition: Condition{"StringLike": {"s3:prefix": Strings{policyLiteral("cur*") + "/*"}}}})
	for prefix, want := range map[string]bool{"cur*/x": true, "cur*/": true, "curX/x": false, "cur/x": false} {
		d := Evaluate(Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: map[string][]string{"s3:prefix": {prefix}}}, c)
		assert.Equal(t, want, d.IsAllowed(), "s3:prefix %q: %s", prefix, d)
	}
}

// TestPolicyLiteralMatchesOnlyItself: for every string of up to three
// characters over an alphabet of specials, the Resource written with
// policyLiteral matches that string and no other.
func TestPolicyLiteralMatchesOnlyItself(t *testing.T) {
	alphabet := []string{"a", "*", "?", "$", "{", "}", "/"}
	strs := []string{""}
	for n, prev := 0, []string{""}; n < 3; n++ {
		var next []string
		for _, s := range prev {
			for _, c := range alphabet {
				next = append(next, s+c)
			}
		}
		strs = append(strs, next...)
		prev = next
	}
	const b = "arn:aws:s3:::b/k"
	for _, p := range strs {
		pattern := pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{b + policyLiteral(p)}))
		for _, s := range strs {
			if got := Evaluate(Request{Action: "s3:GetObject", Resource: b + s}, pattern).IsAllowed(); got != (p == s) {
				t.Fatalf("Resource %q (from %q) on %q: allowed=%v", b+policyLiteral(p), p, b+s, got)
			}
		}
	}
}
