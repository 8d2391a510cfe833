package iampolicy

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// FuzzPolicyRoundTrip checks that Parse never panics, that every failure is
// curerr.ErrMalformed, and that a parsed policy writes, re-reads and re-writes to
// the same bytes.
func FuzzPolicyRoundTrip(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
		`{"Statement":[{"Sid":"A","Effect":"Deny","NotAction":["s3:*"],"NotResource":"*","Principal":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["1","2"],"Service":"x"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"},"Bool":{"k":true},"NumericLessThan":{"n":1e3}}}]}`,
		`{"Id":"x","Statement":[]}`,
		`[]`, `null`, `{"Statement":[{"Effect":"Allow","Action":[]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !errors.Is(err, curerr.ErrMalformed) {
				t.Fatalf("error does not wrap curerr.ErrMalformed: %v", err)
			}
			return
		}
		b1, err := p.JSON()
		if err != nil {
			t.Fatalf("encode parsed policy: %v", err)
		}
		p2, err := Parse(b1)
		if err != nil {
			t.Fatalf("re-parse own output: %v\n%s", err, b1)
		}
		b2, err := p2.JSON()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if string(b1) != string(b2) {
			t.Fatalf("round trip not stable:\n%s\n%s", b1, b2)
		}
		_ = p2.Validate()
		_, _ = Size(p2)
	})
}

// FuzzEvaluate checks that Evaluate and Check never panic on any policy
// and request, and that every Decision is consistent: an Allow or explicit
// Deny names a statement of that effect at the indexes it gives, an
// implicit deny names none, and a Gap is never reported for an allowed
// request.
func FuzzEvaluate(f *testing.F) {
	seeds := []struct{ policy, action, resource, principal, ctxKey, ctxVal string }{
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}}`, "s3:GetObject", "arn:aws:s3:::b/k", "", "", ""},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}]}`, "iam:CreateUser", "arn:aws:iam::111122223333:user/x", "", "", ""},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:role/p/r"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}}`,
			"sts:AssumeRole", "", "arn:aws:sts::444455556666:assumed-role/r/s", "sts:externalid", "x"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":"*","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*","${aws:username}"]},"NullIfExists":{"k":"true"}}}}`,
			"s3:PutObject", "arn:aws:s3:::b/${*}", "111122223333", "aws:TagKeys", "abc"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username, 'x'}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateLessThan":{"aws:CurrentTime":"2027-01-01"},"NumericLessThanIfExists":{"n":"1e400"}}}}`,
			"s3:GetObject", "arn:aws:s3:::b/x/y", "", "aws:SourceIp", "10.1.2.3"},
		{`{"Statement":{"Effect":"Allow","Action":"?*?*\\","Resource":"arn:*:*:*:*:*:*"}}`, "\xff", "arn:aws:s3:::\xff", "arn:", "", ""},
	}
	for _, s := range seeds {
		f.Add([]byte(s.policy), s.action, s.resource, s.principal, s.ctxKey, s.ctxVal)
	}
	f.Fuzz(func(t *testing.T, doc []byte, action, resource, principal, ctxKey, ctxVal string) {
		if len(doc) > 8<<10 || len(action)+len(resource)+len(principal)+len(ctxKey)+len(ctxVal) > 4<<10 {
			return
		}
		p, err := Parse(doc)
		if err != nil {
			return
		}
		req := Request{Action: action, Resource: resource, Principal: principal}
		if ctxKey != "" {
			req.Context = map[string][]string{ctxKey: strings.Split(ctxVal, ",")}
		}
		for _, set := range []PolicySet{
			{Identity: []Policy{p}},
			{Resource: []Policy{p}},
			{Identity: []Policy{p}, Resource: []Policy{p}, CrossAccount: true},
		} {
			d := set.Evaluate(req)
			checkDecision(t, set, d)
			_ = d.String()
		}
		for _, g := range Check(p, p, func(o *CheckOptions) { o.Principal = principal; o.Context = req.Context }) {
			if g.Decision.IsAllowed() {
				t.Fatalf("gap for an allowed request: %+v", g)
			}
			if g.Explanation == "" || g.Kind == 0 {
				t.Fatalf("gap without kind or explanation: %+v", g)
			}
		}
	})
}

func checkDecision(t *testing.T, set PolicySet, d Decision) {
	t.Helper()
	switch d.Outcome {
	case OutcomeImplicitDeny:
		if d.Statement != nil || d.PolicyIndex != -1 || d.StatementIndex != -1 {
			t.Fatalf("implicit deny names a statement: %+v", d)
		}
		return
	case OutcomeAllowed, OutcomeExplicitDeny:
	default:
		t.Fatalf("unknown effect %v", d.Outcome)
	}
	policies := set.Identity
	if d.ResourcePolicy {
		policies = set.Resource
	}
	if d.Statement == nil || d.PolicyIndex < 0 || d.PolicyIndex >= len(policies) ||
		d.StatementIndex < 0 || d.StatementIndex >= len(policies[d.PolicyIndex].Statement) {
		t.Fatalf("decision indexes out of range: %+v", d)
	}
	if d.Statement != &policies[d.PolicyIndex].Statement[d.StatementIndex] {
		t.Fatalf("Statement does not point at the indexed statement: %+v", d)
	}
	want := EffectAllow
	if d.Outcome == OutcomeExplicitDeny {
		want = EffectDeny
	}
	if d.Statement.Effect != want {
		t.Fatalf("%v decided by a statement with Effect %q", d.Outcome, d.Statement.Effect)
	}
}

// FuzzTemplateYAML checks that any string, as a key and as a value, comes
// out of the YAML emitter as the same tree the JSON holds.
func FuzzTemplateYAML(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s)
	}
	f.Add("Fn::Sub", "\xff\xfe invalid utf-8")
	f.Fuzz(func(t *testing.T, key, value string) {
		tmpl := &Template{
			AWSTemplateFormatVersion: "2010-09-09",
			Description:              value,
			Resources: map[string]Resource{key: {Type: value, Properties: map[string]any{
				key: []any{value, map[string]any{key: value}, []any{value}},
			}}},
		}
		j, err := tmpl.JSON()
		require.NoError(t, err)
		y, err := tmpl.YAML()
		require.NoError(t, err)
		requireSameTree(t, j, y)
	})
}
