package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCURReadPolicy(t *testing.T) {
	p, err := CURReadPolicy("my-cur-bucket", "cur/", func(o *ReadPolicyOptions) {
		o.KMSKeyARNs = []string{"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
		o.ReportDefinitions = true
		o.DataExports = true
	})
	require.NoError(t, err)
	require.NoError(t, p.ValidateIdentity())
	bySid := map[string]Statement{}
	for _, s := range p.Statement {
		bySid[s.Sid] = s
	}
	assert.Equal(t, Strings{"arn:aws:s3:::my-cur-bucket"}, bySid[SidListBucket].Resource)
	assert.Equal(t, Strings{"arn:aws:s3:::my-cur-bucket/cur/*"}, bySid[SidGetObjects].Resource, "trailing slash dropped")
	assert.Equal(t, Strings{"kms:Decrypt"}, bySid[SidKMSDecrypt].Action)
	assert.Equal(t, Strings{"cur:DescribeReportDefinitions"}, bySid[SidReportDefinitions].Action)
	assert.Len(t, bySid[SidDataExports].Action, 4)

	p, err = CURReadPolicy("my-cur-bucket", "", func(o *ReadPolicyOptions) { o.Partition = PartitionChina })
	require.NoError(t, err)
	assert.Equal(t, Strings{"arn:aws-cn:s3:::my-cur-bucket/*"}, p.Statement[1].Resource)
	assert.Len(t, p.Statement, 4)
}

func TestCURReadPolicyRefuses(t *testing.T) {
	_, err := CURReadPolicy("My_Bucket", "has space", func(o *ReadPolicyOptions) {
		o.Partition = "aws-moon"
		o.KMSKeyARNs = []string{"not-an-arn", "arn:aws:s3:::bucket", "arn:aws-cn:kms:cn-north-1:111122223333:key/x"}
	})
	assert.ElementsMatch(t, []string{"partition", "bucket", "prefix", "KMSKeyARNs[0]", "KMSKeyARNs[1]", "KMSKeyARNs[2]"}, fieldsOf(t, err))
}

// TestCURReadPolicyPrefixWithStarGrantsExactlyThePrefix: S3 keys and report
// prefixes may hold *, which in a Resource would be a wildcard and grant
// more than the prefix. The builder writes it as IAM's ${*}, and the
// grant, as the evaluator reads it, is exactly the keys under the prefix.
func TestCURReadPolicyPrefixWithStarGrantsExactlyThePrefix(t *testing.T) {
	const bucket = "arn:aws:s3:::cur-bucket"
	for _, tc := range []struct {
		prefix, resource string
		allowed, denied  []string
	}{
		{"cur*", bucket + "/cur${*}/*",
			[]string{"cur*/k", "cur*/a/b.csv.gz", "cur*//k"},
			[]string{"cur/k", "curX/k", "cur-2026/k", "cur*x/k", "cur*"}},
		{"cur*/daily*/", bucket + "/cur${*}/daily${*}/*",
			[]string{"cur*/daily*/k"},
			[]string{"cur/daily/k", "curA/dailyB/k", "cur*/daily/k", "cur*/dailyX/k"}},
		{"*", bucket + "/${*}/*",
			[]string{"*/k"},
			[]string{"k", "a/k", "x*/k"}},
		{"a(b)!'_.-*", bucket + "/a(b)!'_.-${*}/*",
			[]string{"a(b)!'_.-*/k"},
			[]string{"a(b)!'_.-/k", "a(b)!'_.-x/k"}},
	} {
		t.Run(tc.prefix, func(t *testing.T) {
			p, err := CURReadPolicy("cur-bucket", tc.prefix)
			require.NoError(t, err)
			require.NoError(t, p.ValidateIdentity())
			assert.Equal(t, Strings{tc.resource}, p.Statement[1].Resource)
			for _, key := range tc.allowed {
				d := Evaluate(Request{Action: "s3:GetObject", Resource: bucket + "/" + key}, p)
				assert.True(t, d.IsAllowed(), "%s: %s", key, d)
			}
			for _, key := range tc.denied {
				d := Evaluate(Request{Action: "s3:GetObject", Resource: bucket + "/" + key}, p)
				assert.Equal(t, OutcomeImplicitDeny, d.Outcome, "%s: %s", key, d)
			}
			assert.Empty(t, Check(p, p), "the policy meets itself")

			// A hand-written policy with the naive wildcard grants more, so
			// it has no gap; one on the prefix without the star misses it.
			naive := pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/" + tc.prefix + "*"}))
			naive.Statement = append(naive.Statement, p.Statement[0], p.Statement[2], p.Statement[3])
			assert.Empty(t, Check(naive, p))
			narrow := pol(stmt(EffectAllow, Strings{"s3:GetObject"}, Strings{bucket + "/unrelated/*"}))
			narrow.Statement = append(narrow.Statement, p.Statement[0], p.Statement[2], p.Statement[3])
			gaps := Check(narrow, p)
			require.Len(t, gaps, 1)
			assert.Equal(t, GapPrefixMismatch, gaps[0].Kind, gaps[0].Explanation)
		})
	}
}

// TestCURReadPolicyRefusesQuestionMarkPrefix: a report definition's
// S3Prefix admits no ?, so ValidatePrefix refuses it, and the builder with
// it: a prefix is written exactly or not at all.
func TestCURReadPolicyRefusesQuestionMarkPrefix(t *testing.T) {
	_, err := CURReadPolicy("cur-bucket", "cur?")
	assert.Equal(t, []string{"prefix"}, fieldsOf(t, err))
}
