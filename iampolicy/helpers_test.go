package iampolicy_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

// Helpers shared by the tests of package iampolicy_test: the inputs every
// document and template case uses, the golden-file check, a resolver for
// the templates' intrinsic functions, and the moto_server plumbing.

// update rewrites the golden files: go test ./iampolicy -run OutputIsStable -update
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
		{"read_prefix_with_star", identityPolicy, read("cur*/daily*")},
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
		{"template_role_prefix_with_star", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur*/daily*", TrustedPrincipal: gAccount, ExternalID: gExternalID}},
		{"template_role_no_external_id", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, AllowNoExternalID: true}},
		{"template_role_aws_us_gov", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, ExternalID: gExternalID,
			Partition: iampolicy.PartitionGovCloud, KMSKeyARNs: []string{gKMSGov}}},
		{"template_user", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", LegacyUser: true}},
		{"template_bucket_policy", iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, ExternalID: gExternalID,
			DeliveryBucketPolicy: true}},
		{"template_hosted", iampolicy.TemplateInput{TrustedPrincipal: gAccount, Hosted: true}},
		{"template_hosted_options", iampolicy.TemplateInput{Prefix: "cur*", TrustedPrincipal: "arn:aws:iam::451234325714:role/platform-reader",
			RoleName: "acme-billing-read", ReportDefinitions: true, DataExports: true, DeliveryBucketPolicy: true, Hosted: true}},
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
	require.NoError(t, err, "golden file missing; run go test ./iampolicy -run OutputIsStable -update")
	// Compare as strings so a mismatch prints a readable diff.
	require.Equal(t, string(want), string(got), "output differs from %s; run with -update if the change is intended", path)
	return want
}

// Logical IDs of the resources of the generated templates.
const (
	resRole         = "Role"
	resUser         = "User"
	resReadPolicy   = "ReadPolicy"
	resBucketPolicy = "DeliveryBucketPolicy"
)

// fieldNames lists the Field of every *FieldError in err's tree.
func fieldNames(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*curerr.FieldError); ok {
			out = append(out, fe.Field)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
		} else if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	walk(err)
	sort.Strings(out)
	return out
}

// cfnResolver evaluates the intrinsic functions the generated templates use
// (Ref, Fn::Sub, Fn::Join, Fn::Split, Fn::If, Fn::Equals, Fn::Not,
// Fn::GetAtt, AWS::NoValue)
// with given parameter values, as CloudFormation would, so a test can
// compare the resolved documents with the builders' output.
type cfnResolver struct {
	t      *testing.T
	params map[string]string
	conds  map[string]any
}

// noValue marks a value removed by Ref AWS::NoValue.
type noValue struct{}

var subVarRE = regexp.MustCompile(`\$\{([^}]+)\}`)

func (r *cfnResolver) value(name string) string {
	if v, ok := r.params[name]; ok {
		return v
	}
	r.t.Fatalf("reference to unknown parameter or pseudo parameter %q", name)
	return ""
}

func (r *cfnResolver) condition(name string) bool {
	c, ok := r.conds[name]
	require.True(r.t, ok, "unknown condition %q", name)
	b, ok := r.resolve(c).(bool)
	require.True(r.t, ok, "condition %q is not boolean", name)
	return b
}

func (r *cfnResolver) resolve(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				switch fn {
				case "Ref":
					name := arg.(string)
					if name == "AWS::NoValue" {
						return noValue{}
					}
					if _, ok := r.params[name]; !ok {
						return "ref:" + name // a resource
					}
					return r.value(name)
				case "Fn::Sub":
					return subVarRE.ReplaceAllStringFunc(arg.(string), func(m string) string {
						return r.value(m[2 : len(m)-1])
					})
				case "Fn::If":
					a := arg.([]any)
					require.Len(r.t, a, 3)
					if r.condition(a[0].(string)) {
						return r.resolve(a[1])
					}
					return r.resolve(a[2])
				case "Fn::Equals":
					a := arg.([]any)
					require.Len(r.t, a, 2)
					return r.resolve(a[0]) == r.resolve(a[1])
				case "Fn::Not":
					a := arg.([]any)
					require.Len(r.t, a, 1)
					return !r.resolve(a[0]).(bool)
				case "Fn::Join":
					a := arg.([]any)
					require.Len(r.t, a, 2)
					var parts []string
					for _, v := range r.resolve(a[1]).([]any) {
						parts = append(parts, v.(string))
					}
					return strings.Join(parts, a[0].(string))
				case "Fn::Split":
					a := arg.([]any)
					require.Len(r.t, a, 2)
					var out []any
					for _, v := range strings.Split(r.resolve(a[1]).(string), a[0].(string)) {
						out = append(out, v)
					}
					return out
				case "Fn::GetAtt":
					a := arg.([]any)
					return "getatt:" + a[0].(string) + "." + a[1].(string)
				}
				require.False(r.t, strings.HasPrefix(fn, "Fn::"), "unhandled intrinsic %s", fn)
			}
		}
		out := map[string]any{}
		for k, e := range x {
			if rv := r.resolve(e); rv != (noValue{}) {
				out[k] = rv
			}
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			if rv := r.resolve(e); rv != (noValue{}) {
				out = append(out, rv)
			}
		}
		return out
	}
	return v
}

// resolveTemplate returns the template's resources with every intrinsic
// function evaluated, using the parameter defaults overridden by params.
func resolveTemplate(t *testing.T, tmpl *iampolicy.Template, partition, account string, params map[string]string) map[string]any {
	t.Helper()
	values := tmpl.ParameterDefaults()
	for k, v := range params {
		values[k] = v
	}
	values["AWS::Partition"] = partition
	values["AWS::AccountId"] = account
	b, err := tmpl.JSON()
	require.NoError(t, err)
	var tree map[string]any
	require.NoError(t, json.Unmarshal(b, &tree))
	conds, _ := tree["Conditions"].(map[string]any)
	r := &cfnResolver{t: t, params: values, conds: conds}
	return r.resolve(tree["Resources"]).(map[string]any)
}

// docOf parses the policy document at resources[id].Properties[prop].
func docOf(t *testing.T, resources map[string]any, id, prop string) iampolicy.Policy {
	t.Helper()
	res, ok := resources[id].(map[string]any)
	require.True(t, ok, "no resource %s", id)
	doc := res["Properties"].(map[string]any)[prop]
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	p, err := iampolicy.Parse(b)
	require.NoError(t, err, "%s", b)
	return p
}

// iamDocument decodes a policy document as IAM returns it (URL-encoded).
func iamDocument(t *testing.T, doc *string) iampolicy.Policy {
	t.Helper()
	require.NotNil(t, doc)
	s := *doc
	if strings.HasPrefix(s, "%") {
		var err error
		s, err = url.QueryUnescape(s)
		require.NoError(t, err)
	}
	p, err := iampolicy.Parse([]byte(s))
	require.NoError(t, err, "%s", s)
	return p
}

// motoAccess is a moto_server with IAM enforcement on, holding a billing
// bucket, another bucket, a platform user and a customer role created from
// iampolicy's builders.
type motoAccess struct {
	moto       *testutil.Moto
	roleARN    string // the role with the generated read policy
	roleARNs   map[string]string
	externalID string
	userCreds  aws.CredentialsProvider
	policy     iampolicy.Policy
}

const (
	enfBucket = "cur-billing-bucket"
	enfOther  = "other-bucket"
	enfPrefix = "cur"
)

// Object keys seeded in moto. moto breaks on "/" in S3 query values while
// auth is on, so listings below use prefixes without "/".
var enfKeys = map[string][]string{
	enfBucket: {"cur/report/20240301-20240401/report-Manifest.json", "cur/report/20240301-20240401/a/report-00001.csv.gz", "private/secret.txt"},
	enfOther:  {"cur/x.csv"},
}

// setupMotoAccess creates the role "cur-reader" with CURReadPolicy, and one
// role per entry of extra with that policy, all trusting the platform user
// with the same external ID; then it turns moto's auth on.
func setupMotoAccess(t *testing.T, extra map[string]iampolicy.Policy) *motoAccess {
	t.Helper()
	m := testutil.StartMoto(t)
	ctx := t.Context()
	cfg := m.AWSConfig()
	iamc := iam.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	for b, keys := range enfKeys {
		_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		require.NoError(t, err)
		for _, k := range keys {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader("data of " + k)})
			require.NoError(t, err)
		}
	}

	u, err := m.CreatePlatformUser(ctx)
	require.NoError(t, err)

	externalID := iampolicy.NewExternalID()
	trust, err := iampolicy.CrossAccountTrust(u.ARN, externalID)
	require.NoError(t, err)
	policy, err := iampolicy.CURReadPolicy(enfBucket, enfPrefix)
	require.NoError(t, err)
	trustJSON, err := trust.CompactJSON()
	require.NoError(t, err)
	policyJSON, err := policy.CompactJSON()
	require.NoError(t, err)

	roleARNs := map[string]string{}
	createRole := func(name string, doc []byte) {
		role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(string(trustJSON))})
		require.NoError(t, err)
		mp, err := iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(string(doc))})
		require.NoError(t, err)
		_, err = iamc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: mp.Policy.Arn})
		require.NoError(t, err)
		roleARNs[name] = aws.ToString(role.Role.Arn)
	}
	createRole("cur-reader", policyJSON)
	for name, p := range extra {
		doc, err := p.CompactJSON()
		require.NoError(t, err)
		createRole(name, doc)
	}

	require.NoError(t, m.EnableAuth(ctx))
	t.Cleanup(func() { _ = m.DisableAuth(context.Background()) })
	return &motoAccess{
		moto:       m,
		roleARN:    roleARNs["cur-reader"],
		roleARNs:   roleARNs,
		externalID: externalID,
		userCreds:  u.Credentials(),
		policy:     policy,
	}
}

// assume returns an S3 client with credentials from AssumeRole with the
// given external ID, or the AssumeRole error.
func (a *motoAccess) assume(ctx context.Context, externalID string) (*s3.Client, error) {
	return a.assumeRole(ctx, a.roleARN, externalID)
}

func (a *motoAccess) assumeRole(ctx context.Context, roleARN, externalID string) (*s3.Client, error) {
	stsc := sts.NewFromConfig(a.moto.ConfigWithCredentials(a.userCreds))
	prov := stscreds.NewAssumeRoleProvider(stsc, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(externalID)
	})
	if _, err := prov.Retrieve(ctx); err != nil { // explicitly, so a trust failure is not hidden in a later call
		return nil, err
	}
	return s3.NewFromConfig(a.moto.ConfigWithCredentials(prov), func(o *s3.Options) { o.UsePathStyle = true }), nil
}
