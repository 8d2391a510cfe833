package iampolicy

import (
	"strings"
	"testing"
)

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
