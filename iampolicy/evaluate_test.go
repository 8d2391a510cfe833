package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
