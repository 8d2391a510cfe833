package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckCURReadPolicy(t *testing.T) {
	required, err := CURReadPolicy("cur-bucket", "reports")
	require.NoError(t, err)
	const (
		bucket = "arn:aws:s3:::cur-bucket"
		obj    = bucket + "/reports/example-object"
	)
	rest := `{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*","ce:GetReservationUtilization"],"Resource":"*"}`

	cases := []struct {
		name     string
		customer string
		want     []gapSummary
		contains []string // substrings of the first gap's explanation
	}{
		{
			name:     "the generated policy has no gaps",
			customer: string(mustJSON(t, required)),
		},
		{
			name:     "broader grants have no gaps",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","organizations:*","ce:*"],"Resource":"*"}]}`,
		},
		{
			name: "GetObject on the bucket ARN without /*",
			customer: `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketLocation","s3:GetObject"],"Resource":"arn:aws:s3:::cur-bucket"},` +
				rest + `]}`,
			want: []gapSummary{{"s3:GetObject", obj, GapBucketARNWithoutObjects, 0}},
			contains: []string{
				"s3:GetObject on arn:aws:s3:::cur-bucket/reports/example-object is not allowed: the statement for GetObject names the bucket ARN without /*",
				`policy 0 Statement[0] (Sid "S3")`,
				"grant s3:GetObject on arn:aws:s3:::cur-bucket/reports/*",
			},
		},
		{
			name: "ListBucket on bucket/* instead of the bucket ARN",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketLocation","s3:GetObject"],"Resource":"arn:aws:s3:::cur-bucket/*"},` +
				rest + `]}`,
			want: []gapSummary{
				{"s3:GetBucketLocation", bucket, GapObjectsInsteadOfBucket, 0},
				{"s3:ListBucket", bucket, GapObjectsInsteadOfBucket, 0},
			},
			contains: []string{"names objects (arn:aws:s3:::cur-bucket/*) instead of the bucket ARN", "bucket actions need arn:aws:s3:::cur-bucket itself"},
		},
		{
			name: "prefix mismatch",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::cur-bucket"},` +
				`{"Sid":"Objects","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::cur-bucket/cur/*"},` + rest + `]}`,
			want:     []gapSummary{{"s3:GetObject", obj, GapPrefixMismatch, 1}},
			contains: []string{"covers only arn:aws:s3:::cur-bucket/cur/*, which does not include the key reports/example-object (prefix mismatch)"},
		},
		{
			name: "explicit deny wins and is named",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
				`{"Sid":"NoOrgs","Effect":"Deny","Action":"organizations:*","Resource":"*"}]}`,
			want: func() []gapSummary {
				var w []gapSummary
				for _, a := range []string{"organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit",
					"organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListChildren",
					"organizations:ListOrganizationalUnitsForParent", "organizations:ListRoots", "organizations:ListTagsForResource"} {
					w = append(w, gapSummary{a, "*", GapExplicitDeny, 1})
				}
				return w
			}(),
			contains: []string{`the explicit Deny in policy 0 Statement[1] (Sid "NoOrgs") matches it and overrides every Allow`},
		},
		{
			name: "a missing action",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::cur-bucket"},` +
				`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::cur-bucket/*"},` +
				`{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}]}`,
			want:     []gapSummary{{"ce:GetReservationUtilization", "*", GapMissingAction, -1}},
			contains: []string{"ce:GetReservationUtilization on * is not allowed: no Allow statement names ce:GetReservationUtilization or a wildcard that covers it"},
		},
		{
			name: "specific organizations actions do not cover the wildcard",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::cur-bucket","arn:aws:s3:::cur-bucket/*"]},` +
				`{"Effect":"Allow","Action":["organizations:ListAccounts","organizations:DescribeOrganization","organizations:Describe?ccount","ce:GetReservationUtilization"],"Resource":"*"}]}`,
			want: []gapSummary{
				{"organizations:DescribeOrganizationalUnit", "*", GapMissingAction, -1},
				{"organizations:ListAccountsForParent", "*", GapMissingAction, -1},
				{"organizations:ListChildren", "*", GapMissingAction, -1},
				{"organizations:ListOrganizationalUnitsForParent", "*", GapMissingAction, -1},
				{"organizations:ListRoots", "*", GapMissingAction, -1},
				{"organizations:ListTagsForResource", "*", GapMissingAction, -1},
			},
		},
		{
			name: "another bucket",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketLocation","s3:GetObject"],"Resource":["arn:aws:s3:::other","arn:aws:s3:::other/*"]},` +
				rest + `]}`,
			want: []gapSummary{
				{"s3:GetBucketLocation", bucket, GapResourceMismatch, 0},
				{"s3:ListBucket", bucket, GapResourceMismatch, 0},
				{"s3:GetObject", obj, GapResourceMismatch, 0},
			},
			contains: []string{"covers other resources (arn:aws:s3:::other, arn:aws:s3:::other/*)"},
		},
		{
			name: "a condition the platform does not meet",
			customer: `{"Version":"2012-10-17","Statement":[{"Sid":"VPCOnly","Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::cur-bucket","arn:aws:s3:::cur-bucket/*"],` +
				`"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-123"}}},` + rest + `]}`,
			want: []gapSummary{
				{"s3:GetBucketLocation", bucket, GapConditionNotMet, 0},
				{"s3:ListBucket", bucket, GapConditionNotMet, 0},
				{"s3:GetObject", obj, GapConditionNotMet, 0},
			},
			contains: []string{`allows it only when StringEquals aws:SourceVpce "vpce-123" (the request has no aws:SourceVpce)`},
		},
		{
			name:     "NotResource that excludes the reports",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"NotResource":"arn:aws:s3:::cur-bucket/reports/*"},` + rest + `]}`,
			want:     []gapSummary{{"s3:GetObject", obj, GapResourceMismatch, 0}},
			contains: []string{"NotResource arn:aws:s3:::cur-bucket/reports/*"},
		},
		{
			name: "an unknown operator",
			customer: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::cur-bucket","arn:aws:s3:::cur-bucket/*"],` +
				`"Condition":{"StringEqual":{"aws:SourceVpce":"vpce-123"}}},` + rest + `]}`,
			want: []gapSummary{
				{"s3:GetBucketLocation", bucket, GapUnsupported, 0},
				{"s3:ListBucket", bucket, GapUnsupported, 0},
				{"s3:GetObject", obj, GapUnsupported, 0},
			},
			contains: []string{`cannot be evaluated: unknown condition operator "StringEqual"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			customer := mustParse(t, tc.customer)
			gaps := Check(customer, required)
			assert.Equal(t, tc.want, summarize(gaps))
			for _, g := range gaps {
				assert.NotEqual(t, OutcomeAllowed, g.Decision.Outcome)
				assert.Equal(t, g.Explanation, g.String())
				assert.NotEmpty(t, g.RequiredSid, "gaps name the required statement")
				assert.NotEmpty(t, g.RequiredAction)
				assert.Equal(t, required.Statement[g.RequiredIndex].Sid, g.RequiredSid)
			}
			if len(tc.contains) > 0 {
				require.NotEmpty(t, gaps)
				for _, s := range tc.contains {
					assert.Contains(t, gaps[0].Explanation, s)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, p Policy) []byte {
	t.Helper()
	b, err := p.JSON()
	require.NoError(t, err)
	return b
}

func TestCheckTrustPolicy(t *testing.T) {
	required, err := CrossAccountTrust("451234325714", "ext-123")
	require.NoError(t, err)
	cases := []struct {
		name     string
		customer string
		want     []gapSummary
		contains string
	}{
		{"the generated trust", string(mustJSON(t, required)), nil, ""},
		{"account ID instead of root ARN is the same principal",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"451234325714"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-123"}}}}`,
			nil, ""},
		{"wrong external ID",
			`{"Version":"2012-10-17","Statement":{"Sid":"Trust","Effect":"Allow","Principal":{"AWS":"451234325714"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"other"}}}}`,
			[]gapSummary{{"sts:AssumeRole", "", GapConditionNotMet, 0}},
			`allows it only when StringEquals sts:ExternalId "other" (the request has sts:ExternalId = "ext-123")`},
		{"another account",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}`,
			[]gapSummary{{"sts:AssumeRole", "", GapPrincipalMismatch, 0}},
			"sts:AssumeRole on the role by arn:aws:iam::451234325714:root is not allowed: the statement for AssumeRole (policy 0 Statement[0]) names other principals (arn:aws:iam::111122223333:root)"},
		{"a role of the platform account is narrower than the account",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::451234325714:role/x"},"Action":"sts:AssumeRole"}}`,
			[]gapSummary{{"sts:AssumeRole", "", GapPrincipalMismatch, 0}}, "names other principals"},
		{"AssumeRole missing",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"451234325714"},"Action":"sts:TagSession"}}`,
			[]gapSummary{{"sts:AssumeRole", "", GapMissingAction, -1}}, "no Allow statement names sts:AssumeRole"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gaps := Check(mustParse(t, tc.customer), required)
			assert.Equal(t, tc.want, summarize(gaps))
			if tc.contains != "" {
				require.NotEmpty(t, gaps)
				assert.Contains(t, gaps[0].Explanation, tc.contains)
				assert.Equal(t, "arn:aws:iam::451234325714:root", gaps[0].Principal)
			}
		})
	}
	t.Run("context option overrides the derived external ID", func(t *testing.T) {
		gaps := Check(required, required, func(o *CheckOptions) { o.Context = map[string][]string{"STS:ExternalID": {"nope"}} })
		assert.Empty(t, gaps, "a sample the required policy itself refuses is skipped")
	})
}

func TestCheckDeliveryBucketPolicy(t *testing.T) {
	required, err := DeliveryBucketPolicy("cur-bucket", "111122223333")
	require.NoError(t, err)
	assert.Empty(t, Check(required, required))

	legacyOnly := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"billingreports.amazonaws.com"},`+
		`"Action":["s3:GetBucketAcl","s3:GetBucketPolicy","s3:PutObject"],"Resource":["arn:aws:s3:::cur-bucket","arn:aws:s3:::cur-bucket/*"]}]}`)
	gaps := Check(legacyOnly, required)
	require.Len(t, gaps, 3)
	for _, g := range gaps {
		assert.Equal(t, dataExportsService, g.Principal)
		assert.Equal(t, GapPrincipalMismatch, g.Kind)
		assert.Contains(t, g.Explanation, "names other principals (billingreports.amazonaws.com)")
	}

	// A source-ARN condition for another account: the sample context is
	// derived from the required conditions.
	wrongAccount := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["billingreports.amazonaws.com","bcm-data-exports.amazonaws.com"]},`+
		`"Action":["s3:GetBucketAcl","s3:GetBucketPolicy","s3:PutObject"],"Resource":["arn:aws:s3:::cur-bucket","arn:aws:s3:::cur-bucket/*"],`+
		`"Condition":{"StringEquals":{"aws:SourceAccount":"444455556666"}}}]}`)
	gaps = Check(wrongAccount, required)
	require.Len(t, gaps, 6)
	for _, g := range gaps {
		assert.Equal(t, GapConditionNotMet, g.Kind)
		assert.Contains(t, g.Explanation, `StringEquals aws:SourceAccount "444455556666" (the request has aws:SourceAccount = "111122223333")`)
	}
}

func TestCheckPolicySet(t *testing.T) {
	required := pol(Statement{Sid: "Read", Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/*"}})
	identity := pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{"arn:aws:s3:::b/*"}))
	bucketDeny := pol(Statement{Sid: "OnlyVPC", Effect: EffectDeny, Principal: &Principal{Wildcard: true}, Action: Strings{"s3:*"}, Resource: Strings{"arn:aws:s3:::b/*"},
		Condition: Condition{"StringNotEquals": {"aws:SourceVpce": {"vpce-1"}}}})
	platform := "arn:aws:sts::444455556666:assumed-role/platform/s"
	withPrincipal := func(o *CheckOptions) { o.Principal = platform }

	gaps := PolicySet{Identity: []Policy{identity}, Resource: []Policy{bucketDeny}}.Check(required, withPrincipal)
	require.Len(t, gaps, 1)
	assert.Equal(t, GapExplicitDeny, gaps[0].Kind)
	assert.True(t, gaps[0].ResourcePolicy)
	assert.Equal(t, platform, gaps[0].Principal)
	assert.Contains(t, gaps[0].Explanation, `resource policy 0 Statement[0] (Sid "OnlyVPC")`)

	gaps = PolicySet{Identity: []Policy{identity}, Resource: []Policy{bucketDeny}}.Check(required, withPrincipal,
		func(o *CheckOptions) { o.Context = map[string][]string{"aws:SourceVpce": {"vpce-1"}} })
	assert.Empty(t, gaps)

	gaps = PolicySet{Identity: []Policy{identity}, CrossAccount: true}.Check(required, withPrincipal)
	require.Len(t, gaps, 1)
	assert.Equal(t, GapCrossAccount, gaps[0].Kind)
	assert.Contains(t, gaps[0].Explanation, "across accounts a resource policy must allow it too")

	bucketAllowOther := pol(Statement{Effect: EffectAllow, Principal: awsPrincipal("111122223333"), Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/*"}})
	gaps = PolicySet{Identity: []Policy{identity}, Resource: []Policy{bucketAllowOther}, CrossAccount: true}.Check(required, withPrincipal)
	require.Len(t, gaps, 1)
	assert.Equal(t, GapPrincipalMismatch, gaps[0].Kind, gaps[0].Explanation)
	assert.True(t, gaps[0].ResourcePolicy)
}

func TestCheckSamples(t *testing.T) {
	assert.Equal(t, []string{"s3:GetObject"}, sampleActions("s3:GetObject"))
	assert.Equal(t, []string{"organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit"},
		sampleActions("organizations:Describe*"))
	assert.Contains(t, sampleActions("organizations:List*"), "organizations:ListAccounts")
	assert.Equal(t, []string{"s3:GetObject", "s3:GetObjectVersion"}, sampleActions("S3:GetObject*"))
	assert.Equal(t, []string{"ec2:DescribeExample"}, sampleActions("ec2:Describe*"))
	assert.Equal(t, []string{"foo:BarX"}, sampleActions("foo:Bar?"), "no known action matches: synthetic sample")
	assert.Len(t, sampleActions("*"), len(knownActions))

	assert.Equal(t, "arn:aws:s3:::b/p/example-object", sampleResource("arn:aws:s3:::b/p/*"))
	assert.Equal(t, "arn:aws:s3:::b", sampleResource("arn:aws:s3:::b"))
	assert.Equal(t, "*", sampleResource("*"))
	assert.Equal(t, "arn:aws:s3:::b/home/example/example-object", sampleResource("arn:aws:s3:::b/home/${aws:username}/*"))
	assert.Equal(t, "arn:aws:kms:us-east-1:111122223333:key/example-object", sampleResource("arn:aws:kms:us-east-1:111122223333:key/*"))

	st := Statement{Condition: Condition{
		"StringEquals":        {"sts:ExternalId": {"x"}},
		"ArnLike":             {"aws:SourceArn": {"arn:aws:cur:us-east-1:111122223333:definition/*"}},
		"IpAddress":           {"aws:SourceIp": {"10.0.0.0/8"}},
		"StringNotEquals":     {"aws:Nope": {"y"}},
		"NumericLessThan":     {"n": {"3"}},
		"Bool":                {"aws:SecureTransport": {"true"}},
		"ForAllValues:String": {"k": {"v"}},
	}}
	ctx := sampleContext(&st, map[string][]string{"STS:EXTERNALID": {"given"}})
	assert.Equal(t, map[string][]string{
		"STS:EXTERNALID":      {"given"},
		"aws:SourceArn":       {"arn:aws:cur:us-east-1:111122223333:definition/example"},
		"aws:SourceIp":        {"10.0.0.0"},
		"aws:SecureTransport": {"true"},
	}, ctx)
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
