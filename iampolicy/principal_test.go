package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEvaluatePrincipals(t *testing.T) {
	const acct = "111122223333"
	role := "arn:aws:iam::" + acct + ":role/path/platform"
	session := "arn:aws:sts::" + acct + ":assumed-role/platform/session-1"
	user := "arn:aws:iam::" + acct + ":user/alice"
	root := "arn:aws:iam::" + acct + ":root"
	other := "arn:aws:iam::444455556666:role/platform"
	trust := func(p *Principal) Policy {
		return pol(Statement{Effect: EffectAllow, Principal: p, Action: Strings{"sts:AssumeRole"}})
	}
	cases := []struct {
		name      string
		principal *Principal
		caller    string
		want      bool
	}{
		{"account ID covers a role", awsPrincipal(acct), role, true},
		{"account ID covers a session", awsPrincipal(acct), session, true},
		{"account ID covers a user", awsPrincipal(acct), user, true},
		{"account ID covers the root", awsPrincipal(acct), root, true},
		{"root ARN covers a role", awsPrincipal(root), role, true},
		{"root ARN covers a session", awsPrincipal(root), session, true},
		{"account does not cover another account", awsPrincipal(acct), other, false},
		{"role ARN covers the role", awsPrincipal(role), role, true},
		{"role ARN covers its sessions (path dropped in session ARN)", awsPrincipal(role), session, true},
		{"role ARN does not cover the account root", awsPrincipal(role), root, false},
		{"role ARN does not cover a user", awsPrincipal(role), user, false},
		{"role ARN does not cover a same-name role elsewhere", awsPrincipal(role), other, false},
		{"user ARN exact", awsPrincipal(user), user, true},
		{"user ARN does not cover another user", awsPrincipal(user), "arn:aws:iam::" + acct + ":user/bob", false},
		{"session ARN exact", awsPrincipal(session), session, true},
		{"session ARN does not cover the role", awsPrincipal(session), role, false},
		{"wildcard covers anyone", &Principal{Wildcard: true}, other, true},
		{"wildcard covers anonymous", &Principal{Wildcard: true}, "", true},
		{"AWS * covers anyone", awsPrincipal("*"), user, true},
		{"account does not cover anonymous", awsPrincipal(acct), "", false},
		{"service principal", servicePrincipal(billingReportsService), billingReportsService, true},
		{"other service", servicePrincipal(billingReportsService), dataExportsService, false},
		{"service does not cover an account", servicePrincipal(billingReportsService), root, false},
		{"bare account caller", awsPrincipal(root), acct, true},
		{"federated", &Principal{Federated: Strings{"cognito-identity.amazonaws.com"}}, "cognito-identity.amazonaws.com", true},
		{"canonical user", &Principal{CanonicalUser: Strings{"79a59df9"}}, "79a59df9", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(Request{Action: "sts:AssumeRole", Principal: tc.caller}, trust(tc.principal))
			assert.Equal(t, tc.want, d.IsAllowed(), d.String())
		})
	}

	// NotPrincipal with Deny: the deny applies unless every identity of
	// the caller is listed.
	notPrincipal := []struct {
		name     string
		listed   []string
		caller   string
		wantDeny bool
	}{
		{"session, role and account listed: exempt", []string{session, role, root}, session, false},
		{"only the role listed: the session is still denied", []string{role}, session, true},
		{"role and account listed: the role itself is exempt", []string{role, root}, role, false},
		{"user and account listed: exempt", []string{user, acct}, user, false},
		{"only the user listed: denied through the account", []string{user}, user, true},
		{"account root listed: the root is exempt", []string{root}, root, false},
		{"another principal: denied", []string{other}, user, true},
		{"anonymous is denied", []string{root}, "", true},
	}
	for _, tc := range notPrincipal {
		t.Run("NotPrincipal "+tc.name, func(t *testing.T) {
			p := pol(
				Statement{Effect: EffectAllow, Principal: &Principal{Wildcard: true}, Action: Strings{"s3:GetObject"}, Resource: Strings{"*"}},
				Statement{Effect: EffectDeny, NotPrincipal: awsPrincipal(tc.listed...), Action: Strings{"s3:*"}, Resource: Strings{"*"}},
			)
			d := Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: tc.caller}, p)
			if tc.wantDeny {
				assert.Equal(t, OutcomeExplicitDeny, d.Outcome, d.String())
			} else {
				assert.Equal(t, OutcomeAllowed, d.Outcome, d.String())
			}
		})
	}
	t.Run("NotPrincipal wildcard excludes everyone", func(t *testing.T) {
		p := pol(Statement{Effect: EffectDeny, NotPrincipal: &Principal{Wildcard: true}, Action: Strings{"*"}, Resource: Strings{"*"}},
			Statement{Effect: EffectAllow, Principal: awsPrincipal("*"), Action: Strings{"*"}, Resource: Strings{"*"}})
		assert.True(t, Evaluate(Request{Action: "s3:GetObject", Resource: "x", Principal: user}, p).IsAllowed())
	})
}
