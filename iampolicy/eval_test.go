package iampolicy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mustParse parses a policy document for a test.
func mustParse(t testing.TB, doc string) Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	require.NoError(t, err, doc)
	return p
}

func stmt(effect Effect, actions, resources []string) Statement {
	return Statement{Effect: effect, Action: actions, Resource: resources}
}

func pol(sts ...Statement) Policy { return Policy{Version: Version2012, Statement: sts} }

func TestEvaluateMatching(t *testing.T) {
	const bucket = "arn:aws:s3:::cur-bucket"
	cur, err := CURReadPolicy("cur-bucket", "reports")
	require.NoError(t, err)

	cases := []struct {
		name     string
		policies []Policy
		req      Request
		want     Outcome
		wantSI   int // deciding statement index, -1 for none
	}{
		{"exact action and resource", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/k"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k"}, OutcomeAllowed, 0},
		{"action case-insensitive", []Policy{pol(stmt(EffectAllow, Strings{"S3:getobject"}, Strings{"*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k"}, OutcomeAllowed, 0},
		{"action wildcard s3:Get*", []Policy{pol(stmt(EffectAllow, Strings{"s3:Get*"}, Strings{"*"}))},
			Request{Action: "s3:GetObjectVersion", Resource: bucket + "/k"}, OutcomeAllowed, 0},
		{"action wildcard does not cover other verbs", []Policy{pol(stmt(EffectAllow, Strings{"s3:Get*"}, Strings{"*"}))},
			Request{Action: "s3:PutObject", Resource: bucket + "/k"}, OutcomeImplicitDeny, -1},
		{"action ? wildcard", []Policy{pol(stmt(EffectAllow, Strings{"s3:?etObject"}, Strings{"*"}))},
			Request{Action: "s3:GetObject", Resource: "x"}, OutcomeAllowed, 0},
		{"action star", []Policy{pol(stmt(EffectAllow, Strings{"*"}, Strings{"*"}))},
			Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::111122223333:user/x"}, OutcomeAllowed, 0},
		{"other service", []Policy{pol(stmt(EffectAllow, Strings{"s3:*"}, Strings{"*"}))},
			Request{Action: "s3express:GetObject", Resource: "*"}, OutcomeImplicitDeny, -1},
		{"resource case-sensitive", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/Key"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/key"}, OutcomeImplicitDeny, -1},
		{"resource star suffix", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/reports/*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/reports/a/b/c.csv.gz"}, OutcomeAllowed, 0},
		{"resource ? one character", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/k?"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k1"}, OutcomeAllowed, 0},
		{"resource ? exactly one character", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/k?"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k12"}, OutcomeImplicitDeny, -1},
		{"resource ? matches one multibyte character", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/k?"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/ké"}, OutcomeAllowed, 0},
		{"bucket ARN does not cover objects", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k"}, OutcomeImplicitDeny, -1},
		{"objects do not cover bucket ARN", []Policy{pol(stmt(EffectAllow, Strings{"s3:ListBucket"}, Strings{bucket + "/*"}))},
			Request{Action: "s3:ListBucket", Resource: bucket}, OutcomeImplicitDeny, -1},
		{"wildcard within a segment does not cross a colon", []Policy{pol(stmt(EffectAllow, Strings{"iam:GetRole"}, Strings{"arn:aws:iam::*:role/x"}))},
			Request{Action: "iam:GetRole", Resource: "arn:aws:iam::111122223333:role/x"}, OutcomeAllowed, 0},
		{"a segment's wildcard does not swallow the account", []Policy{pol(stmt(EffectAllow, Strings{"kms:Decrypt"}, Strings{"arn:aws:kms:*:111122223333:key/*"}))},
			Request{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:444455556666:key/x:111122223333:key/y"}, OutcomeImplicitDeny, -1},
		{"region segment must match", []Policy{pol(stmt(EffectAllow, Strings{"kms:Decrypt"}, Strings{"arn:aws:kms:us-east-1:111122223333:key/*"}))},
			Request{Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:111122223333:key/abc"}, OutcomeImplicitDeny, -1},
		{"star in the last segment crosses colons", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/a:b:c"}, OutcomeAllowed, 0},
		{"NotAction allows everything else", []Policy{pol(Statement{Effect: EffectAllow, NotAction: Strings{"iam:*"}, Resource: Strings{"*"}})},
			Request{Action: "s3:GetObject", Resource: bucket + "/k"}, OutcomeAllowed, 0},
		{"NotAction excludes the listed", []Policy{pol(Statement{Effect: EffectAllow, NotAction: Strings{"iam:*"}, Resource: Strings{"*"}})},
			Request{Action: "iam:CreateUser", Resource: "*"}, OutcomeImplicitDeny, -1},
		{"NotResource allows other resources", []Policy{pol(Statement{Effect: EffectAllow, Action: Strings{"s3:*"}, NotResource: Strings{bucket + "/secret/*"}})},
			Request{Action: "s3:GetObject", Resource: bucket + "/reports/k"}, OutcomeAllowed, 0},
		{"NotResource excludes the listed", []Policy{pol(Statement{Effect: EffectAllow, Action: Strings{"s3:*"}, NotResource: Strings{bucket + "/secret/*"}})},
			Request{Action: "s3:GetObject", Resource: bucket + "/secret/k"}, OutcomeImplicitDeny, -1},
		{"deny beats allow", []Policy{pol(stmt(EffectAllow, Strings{"s3:*"}, Strings{"*"}), stmt(EffectDeny, Strings{"s3:GetObject"}, Strings{bucket + "/*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k"}, OutcomeExplicitDeny, 1},
		{"deny in another policy beats allow", []Policy{pol(stmt(EffectAllow, Strings{"s3:*"}, Strings{"*"})), pol(stmt(EffectDeny, Strings{"*"}, Strings{"*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k"}, OutcomeExplicitDeny, 0},
		{"deny for another action does not apply", []Policy{pol(stmt(EffectAllow, Strings{"s3:*"}, Strings{"*"}), stmt(EffectDeny, Strings{"s3:PutObject"}, Strings{"*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/k"}, OutcomeAllowed, 0},
		{"deny with NotAction", []Policy{pol(stmt(EffectAllow, Strings{"*"}, Strings{"*"}), Statement{Effect: EffectDeny, NotAction: Strings{"s3:Get*", "s3:List*"}, Resource: Strings{"*"}})},
			Request{Action: "s3:PutObject", Resource: bucket + "/k"}, OutcomeExplicitDeny, 1},
		{"no policies", nil, Request{Action: "s3:GetObject", Resource: bucket}, OutcomeImplicitDeny, -1},
		{"builder: GetObject under prefix", []Policy{cur}, Request{Action: "s3:GetObject", Resource: bucket + "/reports/cur/20260101-20260201/m.json"}, OutcomeAllowed, 1},
		{"builder: GetObject outside prefix", []Policy{cur}, Request{Action: "s3:GetObject", Resource: bucket + "/other/k"}, OutcomeImplicitDeny, -1},
		{"builder: ListBucket on bucket", []Policy{cur}, Request{Action: "s3:ListBucket", Resource: bucket}, OutcomeAllowed, 0},
		{"builder: organizations:ListAccounts", []Policy{cur}, Request{Action: "organizations:ListAccounts", Resource: "*"}, OutcomeAllowed, 2},
		{"builder: no PutObject", []Policy{cur}, Request{Action: "s3:PutObject", Resource: bucket + "/reports/k"}, OutcomeImplicitDeny, -1},
		{"builder: no other bucket", []Policy{cur}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/reports/k"}, OutcomeImplicitDeny, -1},
		{"policy variable resolved from context", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/home/${aws:username}/*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/home/alice/k", Context: map[string][]string{"aws:username": {"alice"}}}, OutcomeAllowed, 0},
		{"policy variable for another user", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/home/${aws:username}/*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/home/bob/k", Context: map[string][]string{"aws:username": {"alice"}}}, OutcomeImplicitDeny, -1},
		{"unresolved policy variable matches nothing", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/home/${aws:username}/*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/home/${aws:username}/k"}, OutcomeImplicitDeny, -1},
		{"policy variable default", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/home/${aws:username, 'shared'}/*"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/home/shared/k"}, OutcomeAllowed, 0},
		{"substituted value is literal, not a wildcard", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/home/${aws:username}"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/home/alice", Context: map[string][]string{"aws:username": {"*"}}}, OutcomeImplicitDeny, -1},
		{"${*} is a literal star", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/a${*}"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/a*"}, OutcomeAllowed, 0},
		{"${*} does not act as wildcard", []Policy{pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/a${*}"}))},
			Request{Action: "s3:GetObject", Resource: bucket + "/abc"}, OutcomeImplicitDeny, -1},
		{"variables are literal text in version 2008-10-17", []Policy{{Statement: []Statement{stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/${aws:username}"})}}},
			Request{Action: "s3:GetObject", Resource: bucket + "/${aws:username}", Context: map[string][]string{"aws:username": {"alice"}}}, OutcomeAllowed, 0},
		{"trust policy without Resource", []Policy{pol(Statement{Effect: EffectAllow, Principal: awsPrincipal("111122223333"), Action: Strings{"sts:AssumeRole"}})},
			Request{Action: "sts:AssumeRole", Principal: "arn:aws:iam::111122223333:role/platform"}, OutcomeAllowed, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(tc.req, tc.policies...)
			assert.Equal(t, tc.want, d.Outcome, d.String())
			assert.Equal(t, tc.wantSI, d.StatementIndex, d.String())
			if tc.wantSI < 0 {
				assert.Nil(t, d.Statement)
				assert.Equal(t, -1, d.PolicyIndex)
			} else {
				require.NotNil(t, d.Statement)
				assert.Same(t, &tc.policies[d.PolicyIndex].Statement[tc.wantSI], d.Statement)
			}
			assert.Empty(t, d.Warnings)
		})
	}
}

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

func TestEvaluateCrossAccountAndSets(t *testing.T) {
	const obj = "arn:aws:s3:::b/k"
	identity := pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{"arn:aws:s3:::b/*"}))
	bucketPolicy := pol(Statement{Sid: "Platform", Effect: EffectAllow, Principal: awsPrincipal("444455556666"), Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/*"}})
	denyBucket := pol(Statement{Sid: "DenyAll", Effect: EffectDeny, Principal: &Principal{Wildcard: true}, Action: Strings{"s3:*"}, Resource: Strings{"arn:aws:s3:::b/*"}})
	req := Request{Action: "s3:GetObject", Resource: obj, Principal: "arn:aws:sts::444455556666:assumed-role/r/s"}

	d := PolicySet{Identity: []Policy{identity}}.Evaluate(req)
	assert.Equal(t, OutcomeAllowed, d.Outcome)
	assert.False(t, d.ResourcePolicy)

	d = PolicySet{Resource: []Policy{bucketPolicy}}.Evaluate(req)
	assert.Equal(t, OutcomeAllowed, d.Outcome, "same account: the bucket policy alone suffices")
	assert.True(t, d.ResourcePolicy)
	assert.Equal(t, "Platform", d.Statement.Sid)

	d = PolicySet{Identity: []Policy{identity}, CrossAccount: true}.Evaluate(req)
	assert.Equal(t, OutcomeImplicitDeny, d.Outcome)
	assert.Contains(t, d.Reason, "resource policy must allow")

	d = PolicySet{Resource: []Policy{bucketPolicy}, CrossAccount: true}.Evaluate(req)
	assert.Equal(t, OutcomeImplicitDeny, d.Outcome)
	assert.Contains(t, d.Reason, "identity policy must allow")

	d = PolicySet{Identity: []Policy{identity}, Resource: []Policy{bucketPolicy}, CrossAccount: true}.Evaluate(req)
	assert.Equal(t, OutcomeAllowed, d.Outcome)
	assert.False(t, d.ResourcePolicy, "the identity Allow is named")

	d = PolicySet{Identity: []Policy{identity}, Resource: []Policy{bucketPolicy, denyBucket}}.Evaluate(req)
	assert.Equal(t, OutcomeExplicitDeny, d.Outcome)
	assert.True(t, d.ResourcePolicy)
	assert.Equal(t, 1, d.PolicyIndex)
	assert.Equal(t, 0, d.StatementIndex)
	assert.Contains(t, d.String(), `explicit deny by resource policy 1 Statement[0] (Sid "DenyAll")`)
}

func TestEvaluateWarnings(t *testing.T) {
	p := pol(
		Statement{Sid: "Typo", Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"*"},
			Condition: Condition{"stringequals": {"aws:SourceAccount": {"111122223333"}}}},
		Statement{Sid: "Unknown", Effect: EffectDeny, Action: Strings{"s3:GetObject"}, Resource: Strings{"*"},
			Condition: Condition{"StringMatchesRegex": {"aws:SourceAccount": {".*"}}}},
		Statement{Sid: "BadEffect", Effect: "allow", Action: Strings{"s3:GetObject"}, Resource: Strings{"*"}},
		Statement{Sid: "BadNull", Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"*"},
			Condition: Condition{"Null": {"aws:SourceAccount": {"maybe"}}}},
		Statement{Sid: "NullQualified", Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"*"},
			Condition: Condition{"ForAnyValue:Null": {"aws:SourceAccount": {"true"}}}},
		Statement{Sid: "Both", Effect: EffectAllow, Action: Strings{"s3:GetObject"}, NotAction: Strings{"iam:*"}, Resource: Strings{"*"}},
		Statement{Sid: "Elsewhere", Effect: EffectAllow, Action: Strings{"s3:PutObject"}, Resource: Strings{"*"},
			Condition: Condition{"Bogus": {"k": {"v"}}}},
	)
	var d Decision
	require.NotPanics(t, func() {
		d = Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: map[string][]string{"aws:SourceAccount": {"111122223333"}}}, p)
	})
	assert.Equal(t, OutcomeImplicitDeny, d.Outcome, "statements that cannot be evaluated do not match")
	require.Len(t, d.Warnings, 6, "the statement for another action is not reported: %v", d.Warnings)
	assert.Contains(t, d.Warnings[0].Msg, "did you mean StringEquals?")
	assert.Equal(t, "Typo", d.Warnings[0].Sid)
	assert.Contains(t, d.Warnings[1].Msg, `unknown condition operator "StringMatchesRegex"`)
	assert.Contains(t, d.Warnings[2].Msg, `Effect "allow"`)
	assert.Contains(t, d.Warnings[3].Msg, `"maybe" is neither true nor false`)
	assert.Contains(t, d.Warnings[4].Msg, "Null takes no ForAnyValue")
	assert.Equal(t, 4, d.Warnings[4].StatementIndex)
	assert.Contains(t, d.Warnings[5].Msg, "both Action and NotAction")
	assert.Contains(t, d.Warnings[1].String(), `policy 0 Statement[1] (Sid "Unknown")`)
}

func TestDecisionString(t *testing.T) {
	p := pol(Statement{Sid: "Read", Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/*"}})
	d := Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, p)
	assert.Equal(t, `allowed by policy 0 Statement[0] (Sid "Read"): a statement allows s3:GetObject on arn:aws:s3:::b/k and none denies it`, d.String())
	d = Evaluate(Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, p)
	assert.Equal(t, `implicit deny: no statement allows s3:PutObject on arn:aws:s3:::b/k`, d.String())
	assert.Equal(t, "Outcome(7)", Outcome(7).String())
	b, err := OutcomeExplicitDeny.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "explicit deny", string(b))
}

// TestConditionOperators covers every operator, its IfExists form and the
// ForAnyValue/ForAllValues qualifiers, with the key present, absent and
// multivalued.
func TestConditionOperators(t *testing.T) {
	type ctx = map[string][]string
	cases := []struct {
		op     string
		key    string
		values Strings
		ctx    ctx
		want   bool
	}{
		// String.
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, ctx{"aws:sourceaccount": {"111122223333"}}, true}, // keys case-insensitive
		{"StringEquals", "AWS:SOURCEACCOUNT", Strings{"111122223333"}, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, ctx{"aws:SourceAccount": {"444455556666"}}, false},
		{"StringEquals", "aws:SourceAccount", Strings{"1", "111122223333"}, ctx{"aws:SourceAccount": {"111122223333"}}, true}, // values OR
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, nil, false},                                            // missing key
		{"StringEquals", "k", Strings{"a*"}, ctx{"k": {"abc"}}, false},                                                        // no wildcards
		{"StringEquals", "k", Strings{"a*"}, ctx{"k": {"a*"}}, true},
		{"StringEquals", "k", Strings{"A"}, ctx{"k": {"a"}}, false},
		{"StringNotEquals", "k", Strings{"a"}, ctx{"k": {"b"}}, true},
		{"StringNotEquals", "k", Strings{"a"}, ctx{"k": {"a"}}, false},
		{"StringNotEquals", "k", Strings{"a", "b"}, ctx{"k": {"b"}}, false}, // negated: AND over values
		{"StringNotEquals", "k", Strings{"a"}, nil, true},                   // negated, missing key: true
		{"StringEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"abc"}}, true},
		{"StringEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"abd"}}, false},
		{"StringNotEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"abc"}}, false},
		{"StringNotEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"x"}}, true},
		{"StringLike", "k", Strings{"cur/*"}, ctx{"k": {"cur/2026/x"}}, true},
		{"StringLike", "k", Strings{"cur/?"}, ctx{"k": {"cur/ab"}}, false},
		{"StringLike", "k", Strings{"Cur/*"}, ctx{"k": {"cur/x"}}, false},
		{"StringLike", "k", Strings{"cur/*"}, nil, false},
		{"StringNotLike", "k", Strings{"cur/*"}, ctx{"k": {"other"}}, true},
		{"StringNotLike", "k", Strings{"cur/*"}, ctx{"k": {"cur/x"}}, false},
		{"StringNotLike", "k", Strings{"cur/*"}, nil, true},
		// ARN.
		{"ArnEquals", "aws:SourceArn", Strings{"arn:aws:cur:us-east-1:111122223333:definition/*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:111122223333:definition/r1"}}, true},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:us-east-1:111122223333:definition/*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:444455556666:definition/r1"}}, false},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*:111122223333:*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:111122223333:definition/r1"}}, true},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:1:d"}}, true}, // short pattern: whole-string glob
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*:*:*"}, ctx{"aws:SourceArn": {"not-an-arn"}}, false},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*:*:*"}, nil, false},
		{"ArnNotEquals", "aws:SourceArn", Strings{"arn:aws:s3:::a"}, ctx{"aws:SourceArn": {"arn:aws:s3:::b"}}, true},
		{"ArnNotLike", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, ctx{"aws:SourceArn": {"arn:aws:s3:::b"}}, false},
		{"ArnNotLike", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, nil, true},
		// Bool.
		{"Bool", "aws:SecureTransport", Strings{"true"}, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool", "aws:SecureTransport", Strings{"true"}, ctx{"aws:SecureTransport": {"TRUE"}}, true},
		{"Bool", "aws:SecureTransport", Strings{"false"}, ctx{"aws:SecureTransport": {"true"}}, false},
		{"Bool", "aws:SecureTransport", Strings{"true"}, nil, false},
		// Null.
		{"Null", "aws:TokenIssueTime", Strings{"true"}, nil, true},
		{"Null", "aws:TokenIssueTime", Strings{"true"}, ctx{"aws:TokenIssueTime": {"x"}}, false},
		{"Null", "aws:TokenIssueTime", Strings{"false"}, ctx{"aws:TokenIssueTime": {"x"}}, true},
		{"Null", "aws:TokenIssueTime", Strings{"false"}, nil, false},
		{"Null", "aws:TokenIssueTime", Strings{"false"}, ctx{"aws:TokenIssueTime": {}}, false}, // empty counts as absent
		// Numeric.
		{"NumericEquals", "n", Strings{"10"}, ctx{"n": {"10.0"}}, true},
		{"NumericEquals", "n", Strings{"10"}, ctx{"n": {"11"}}, false},
		{"NumericEquals", "n", Strings{"10"}, ctx{"n": {"ten"}}, false},
		{"NumericNotEquals", "n", Strings{"10"}, ctx{"n": {"11"}}, true},
		{"NumericNotEquals", "n", Strings{"10"}, nil, true},
		{"NumericLessThan", "n", Strings{"10"}, ctx{"n": {"9"}}, true},
		{"NumericLessThan", "n", Strings{"10"}, ctx{"n": {"10"}}, false},
		{"NumericLessThanEquals", "n", Strings{"10"}, ctx{"n": {"10"}}, true},
		{"NumericGreaterThan", "n", Strings{"10"}, ctx{"n": {"10"}}, false},
		{"NumericGreaterThan", "n", Strings{"10"}, ctx{"n": {"1e3"}}, true},
		{"NumericGreaterThanEquals", "n", Strings{"10"}, ctx{"n": {"10"}}, true},
		{"NumericLessThan", "n", Strings{"10"}, nil, false},
		// Date.
		{"DateLessThan", "aws:CurrentTime", Strings{"2027-01-01T00:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:00Z"}}, true},
		{"DateLessThan", "aws:CurrentTime", Strings{"2026-01-01"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:00Z"}}, false},
		{"DateGreaterThan", "aws:EpochTime", Strings{"1700000000"}, ctx{"aws:EpochTime": {"1800000000"}}, true},
		{"DateEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T07:00:00+01:00"}}, true},
		{"DateNotEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:01Z"}}, true},
		{"DateLessThanEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:00Z"}}, true},
		{"DateGreaterThanEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"garbage"}}, false},
		// IP.
		{"IpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"198.51.100.7"}}, false},
		{"IpAddress", "aws:SourceIp", Strings{"203.0.113.7"}, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress", "aws:SourceIp", Strings{"2001:db8::/32"}, ctx{"aws:SourceIp": {"2001:db8::1"}}, true},
		{"NotIpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"198.51.100.7"}}, true},
		{"NotIpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, nil, true},
		// Binary.
		{"BinaryEquals", "k", Strings{"QmluYXJ5"}, ctx{"k": {"QmluYXJ5"}}, true},
		{"BinaryEquals", "k", Strings{"QmluYXJ5"}, ctx{"k": {"eA=="}}, false},
		// IfExists: missing key is true; present key is checked.
		{"StringEqualsIfExists", "k", Strings{"a"}, nil, true},
		{"StringEqualsIfExists", "k", Strings{"a"}, ctx{"k": {"b"}}, false},
		{"StringEqualsIfExists", "k", Strings{"a"}, ctx{"k": {"a"}}, true},
		{"StringNotEqualsIfExists", "k", Strings{"a"}, ctx{"k": {"a"}}, false},
		{"StringLikeIfExists", "k", Strings{"a*"}, nil, true},
		{"ArnLikeIfExists", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, nil, true},
		{"ArnLikeIfExists", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, ctx{"aws:SourceArn": {"arn:aws:sqs:us-east-1:1:q"}}, false},
		{"BoolIfExists", "aws:MultiFactorAuthPresent", Strings{"true"}, nil, true},
		{"BoolIfExists", "aws:MultiFactorAuthPresent", Strings{"true"}, ctx{"aws:MultiFactorAuthPresent": {"false"}}, false},
		{"NumericLessThanIfExists", "n", Strings{"5"}, nil, true},
		{"IpAddressIfExists", "aws:SourceIp", Strings{"10.0.0.0/8"}, nil, true},
		{"DateLessThanIfExists", "aws:CurrentTime", Strings{"2027-01-01"}, nil, true},
		// ForAnyValue: some request value matches; missing key false.
		{"ForAnyValue:StringEquals", "aws:TagKeys", Strings{"team", "env"}, ctx{"aws:TagKeys": {"owner", "env"}}, true},
		{"ForAnyValue:StringEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {"owner", "env"}}, false},
		{"ForAnyValue:StringEquals", "aws:TagKeys", Strings{"team"}, nil, false},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {"team"}}, false},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", Strings{"team"}, nil, false},
		{"ForAnyValue:StringLike", "aws:TagKeys", Strings{"cost-*"}, ctx{"aws:TagKeys": {"x", "cost-center"}}, true},
		{"ForAnyValue:StringEqualsIfExists", "aws:TagKeys", Strings{"team"}, nil, true},
		{"ForAnyValue:ArnLike", "k", Strings{"arn:aws:s3:::b*"}, ctx{"k": {"arn:aws:s3:::a", "arn:aws:s3:::bb"}}, true},
		// ForAllValues: every request value matches; missing key true.
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team", "env"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team", "env"}, ctx{"aws:TagKeys": {"team", "owner"}}, false},
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team"}, nil, true},
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {}}, true},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", Strings{"secret"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", Strings{"secret"}, ctx{"aws:TagKeys": {"team", "secret"}}, false},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", Strings{"secret"}, nil, true},
		{"ForAllValues:StringLike", "aws:TagKeys", Strings{"cost-*"}, ctx{"aws:TagKeys": {"cost-a", "cost-b"}}, true},
		{"ForAllValues:StringEqualsIgnoreCase", "aws:TagKeys", Strings{"TEAM"}, ctx{"aws:TagKeys": {"team", "Team"}}, true},
		// Without a qualifier, a multivalued key: positive any, negated none.
		{"StringEquals", "aws:TagKeys", Strings{"env"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"StringNotEquals", "aws:TagKeys", Strings{"env"}, ctx{"aws:TagKeys": {"team", "env"}}, false},
		// Policy variables in condition values.
		{"StringEquals", "s3:prefix", Strings{"home/${aws:username}/"}, ctx{"s3:prefix": {"home/alice/"}, "aws:username": {"alice"}}, true},
		{"StringEquals", "s3:prefix", Strings{"home/${aws:username}/"}, ctx{"s3:prefix": {"home/${aws:username}/"}}, false},
		{"StringLike", "s3:prefix", Strings{"home/${aws:username}/*"}, ctx{"s3:prefix": {"home/alice/x"}, "aws:username": {"alice"}}, true},
		{"StringLike", "s3:prefix", Strings{"${*}"}, ctx{"s3:prefix": {"x"}}, false},
		{"StringLike", "s3:prefix", Strings{"${*}"}, ctx{"s3:prefix": {"*"}}, true},
	}
	for _, tc := range cases {
		name := tc.op + " " + tc.key + " " + strings.Join(tc.values, ",")
		t.Run(name, func(t *testing.T) {
			p := pol(Statement{Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"*"},
				Condition: Condition{tc.op: {tc.key: tc.values}}})
			d := Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: tc.ctx}, p)
			require.Empty(t, d.Warnings)
			assert.Equal(t, tc.want, d.IsAllowed(), "ctx %v: %s", tc.ctx, d)
		})
	}
}

func TestConditionsCombine(t *testing.T) {
	c := Condition{
		"StringEquals": {"aws:SourceAccount": {"111122223333"}, "aws:PrincipalOrgID": {"o-abc"}},
		"ArnLike":      {"aws:SourceArn": {"arn:aws:cur:us-east-1:111122223333:definition/*"}},
	}
	p := pol(Statement{Effect: EffectAllow, Action: Strings{"s3:PutObject"}, Resource: Strings{"*"}, Condition: c})
	full := map[string][]string{
		"aws:SourceAccount":  {"111122223333"},
		"aws:PrincipalOrgID": {"o-abc"},
		"aws:SourceArn":      {"arn:aws:cur:us-east-1:111122223333:definition/r"},
	}
	assert.True(t, Evaluate(Request{Action: "s3:PutObject", Resource: "x", Context: full}, p).IsAllowed())
	for k := range full {
		partial := map[string][]string{}
		for k2, v := range full {
			if k2 != k {
				partial[k2] = v
			}
		}
		assert.False(t, Evaluate(Request{Action: "s3:PutObject", Resource: "x", Context: partial}, p).IsAllowed(), "without %s", k)
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true}, {"*", "", true}, {"*", "abc", true}, {"a*c", "abc", true}, {"a*c", "ac", true},
		{"a*c", "ab", false}, {"a**c", "axxc", true}, {"*a*b*c*", "xxaxxbxxcxx", true}, {"*a*b*c*", "xxaxxcxxbxx", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"?", "é", true}, {"a*", "b", false},
		{strings.Repeat("*a", 50), strings.Repeat("a", 200), true},
		{strings.Repeat("*a", 50) + "b", strings.Repeat("a", 2000), false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, globMatch(compileGlob(tc.pattern, false), tc.s, false), "%q ~ %q", tc.pattern, tc.s)
	}
	assert.True(t, globMatch(compileGlob(`a\*`, true), "a*", false))
	assert.False(t, globMatch(compileGlob(`a\*`, true), "ab", false))
	assert.True(t, globMatch(compileGlob("S3:GET*", false), "s3:getobject", true))
}

func BenchmarkEvaluate(b *testing.B) {
	p, err := CURReadPolicy("cur-bucket", "reports", func(o *ReadPolicyOptions) { o.DataExports, o.ReportDefinitions = true, true })
	require.NoError(b, err)
	req := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::cur-bucket/reports/cur/20260101-20260201/report-00001.csv.gz",
		Context: map[string][]string{"aws:SourceIp": {"203.0.113.7"}}}
	b.ReportAllocs()
	for b.Loop() {
		if !Evaluate(req, p).IsAllowed() {
			b.Fatal("not allowed")
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	p, err := CURReadPolicy("cur-bucket", "reports")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if gaps := Check(p, p); len(gaps) != 0 {
			b.Fatal(gaps)
		}
	}
}
