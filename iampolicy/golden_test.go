package iampolicy_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
)

// update rewrites the golden files: go test ./iampolicy -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Inputs shared by the golden cases, the examples and the moto tests.
const (
	gBucket     = "my-cur-bucket"
	gAccount    = "451234325714"
	gPayer      = "111122223333"
	gExternalID = "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE"
	gKMS        = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	gKMS2       = "arn:aws:kms:eu-west-1:111122223333:alias/billing"
	gKMSCN      = "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	gKMSGov     = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// policyKind says which validator a golden policy must pass.
type policyKind int

const (
	identityPolicy policyKind = iota
	trustPolicy
	resourcePolicy
)

type policyCase struct {
	name  string
	kind  policyKind
	build func() (iampolicy.Policy, error)
}

func policyCases() []policyCase {
	read := func(prefix string, fns ...func(*iampolicy.ReadPolicyOptions)) func() (iampolicy.Policy, error) {
		return func() (iampolicy.Policy, error) { return iampolicy.CURReadPolicy(gBucket, prefix, fns...) }
	}
	trust := func(principal, externalID string, fns ...func(*iampolicy.TrustPolicyOptions)) func() (iampolicy.Policy, error) {
		return func() (iampolicy.Policy, error) { return iampolicy.CrossAccountTrust(principal, externalID, fns...) }
	}
	delivery := func(fns ...func(*iampolicy.DeliveryPolicyOptions)) func() (iampolicy.Policy, error) {
		return func() (iampolicy.Policy, error) { return iampolicy.DeliveryBucketPolicy(gBucket, gPayer, fns...) }
	}
	return []policyCase{
		{"read_no_prefix", identityPolicy, read("")},
		{"read_prefix", identityPolicy, read("cur/daily")},
		{"read_prefix_trailing_slash", identityPolicy, read("cur/")},
		{"read_kms", identityPolicy, read("cur", func(o *iampolicy.ReadPolicyOptions) { o.KMSKeyARNs = []string{gKMS} })},
		{"read_all_options", identityPolicy, read("cur", func(o *iampolicy.ReadPolicyOptions) {
			o.KMSKeyARNs = []string{gKMS, gKMS2}
			o.ReportDefinitions = true
			o.DataExports = true
		})},
		{"read_aws_cn", identityPolicy, read("cur", func(o *iampolicy.ReadPolicyOptions) {
			o.Partition = iampolicy.PartitionChina
			o.KMSKeyARNs = []string{gKMSCN}
		})},
		{"read_aws_us_gov", identityPolicy, read("cur", func(o *iampolicy.ReadPolicyOptions) {
			o.Partition = iampolicy.PartitionGovCloud
			o.KMSKeyARNs = []string{gKMSGov}
		})},

		{"trust_account", trustPolicy, trust(gAccount, gExternalID)},
		{"trust_role_arn", trustPolicy, trust("arn:aws:iam::451234325714:role/platform-reader", gExternalID)},
		{"trust_user_arn", trustPolicy, trust("arn:aws:iam::451234325714:user/platform", gExternalID)},
		{"trust_root_arn", trustPolicy, trust("arn:aws:iam::451234325714:root", gExternalID)},
		{"trust_no_external_id", trustPolicy, trust(gAccount, "", func(o *iampolicy.TrustPolicyOptions) { o.AllowNoExternalID = true })},
		{"trust_aws_cn", trustPolicy, trust(gAccount, gExternalID, func(o *iampolicy.TrustPolicyOptions) { o.Partition = iampolicy.PartitionChina })},
		{"trust_aws_us_gov", trustPolicy, trust("arn:aws-us-gov:iam::451234325714:role/platform", gExternalID, func(o *iampolicy.TrustPolicyOptions) {
			o.Partition = iampolicy.PartitionGovCloud
		})},

		{"delivery_both", resourcePolicy, delivery()},
		{"delivery_legacy_only", resourcePolicy, delivery(func(o *iampolicy.DeliveryPolicyOptions) { o.SkipDataExports = true })},
		{"delivery_exports_only", resourcePolicy, delivery(func(o *iampolicy.DeliveryPolicyOptions) { o.SkipLegacyCUR = true })},
		{"delivery_aws_cn", resourcePolicy, delivery(func(o *iampolicy.DeliveryPolicyOptions) { o.Partition = iampolicy.PartitionChina })},
		{"delivery_aws_us_gov", resourcePolicy, delivery(func(o *iampolicy.DeliveryPolicyOptions) { o.Partition = iampolicy.PartitionGovCloud })},
	}
}

type templateCase struct {
	name string
	in   iampolicy.TemplateInput
}

// templateCases are every template variant: goldens, cfn-lint and moto all
// run over this list.
func templateCases() []templateCase {
	return []templateCase{
		{"template_role", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, ExternalID: gExternalID}},
		{"template_role_options", iampolicy.TemplateInput{
			Bucket: gBucket, TrustedPrincipal: "arn:aws:iam::451234325714:role/platform-reader", ExternalID: gExternalID,
			RoleName: "billing-reader", KMSKeyARNs: []string{gKMS, gKMS2}, ReportDefinitions: true, DataExports: true,
		}},
		{"template_role_no_external_id", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, AllowNoExternalID: true}},
		{"template_role_aws_us_gov", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, ExternalID: gExternalID,
			Partition: iampolicy.PartitionGovCloud, KMSKeyARNs: []string{gKMSGov}}},
		{"template_user", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", LegacyUser: true}},
		{"template_bucket_policy", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, ExternalID: gExternalID,
			DeliveryBucketPolicy: true}},
		{"template_bucket_policy_exports_only", iampolicy.TemplateInput{Bucket: gBucket, TrustedPrincipal: gAccount, ExternalID: gExternalID,
			DeliveryBucketPolicy: true, DeliverySkipLegacyCUR: true}},
	}
}

// checkGolden writes got to testdata/name when -update is set, and always
// compares it byte for byte with the file.
func checkGolden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing; run go test ./iampolicy -run Golden -update")
	// Compare as strings so a mismatch prints a readable diff.
	require.Equal(t, string(want), string(got), "output differs from %s; run with -update if the change is intended", path)
	return want
}

func TestGoldenPolicies(t *testing.T) {
	for _, tc := range policyCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.build()
			require.NoError(t, err)
			got, err := p.JSON()
			require.NoError(t, err)
			want := checkGolden(t, tc.name+".golden.json", got)

			// The golden file reads back as a valid policy of its kind and
			// writes back to the same bytes.
			back, err := iampolicy.Parse(want)
			require.NoError(t, err)
			switch tc.kind {
			case identityPolicy:
				assert.NoError(t, back.ValidateIdentity())
			case trustPolicy:
				assert.NoError(t, back.ValidateTrust())
			default:
				assert.NoError(t, back.Validate())
				for i, s := range back.Statement {
					assert.False(t, s.Principal.IsZero(), "Statement[%d] of a bucket policy needs a Principal", i)
					assert.NotEmpty(t, s.Resource, "Statement[%d] of a bucket policy needs a Resource", i)
				}
			}
			assert.Equal(t, p, back)
			again, err := back.JSON()
			require.NoError(t, err)
			assert.Equal(t, string(want), string(again))
		})
	}
}

func TestGoldenTemplates(t *testing.T) {
	for _, tc := range templateCases() {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := iampolicy.CloudFormationTemplate(tc.in)
			require.NoError(t, err)
			j, err := tmpl.JSON()
			require.NoError(t, err)
			y, err := tmpl.YAML()
			require.NoError(t, err)
			wantJSON := checkGolden(t, tc.name+".golden.json", j)
			wantYAML := checkGolden(t, tc.name+".golden.yaml", y)

			// The JSON golden reads back into a Template with no unknown
			// field and writes back to the same bytes.
			var back iampolicy.Template
			dec := json.NewDecoder(bytes.NewReader(wantJSON))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&back))
			again, err := back.JSON()
			require.NoError(t, err)
			assert.Equal(t, string(wantJSON), string(again))

			// The YAML golden holds exactly the JSON's tree (JSON is YAML,
			// so YAMLEq parses both with the same YAML parser).
			assert.YAMLEq(t, string(wantJSON), string(wantYAML))
		})
	}
}
