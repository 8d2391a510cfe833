package iampolicy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

// TestTemplateResolvesToBuilderDocuments evaluates every template variant's
// intrinsic functions with its defaults and checks that the documents it
// creates are exactly the builders' documents.
func TestTemplateResolvesToBuilderDocuments(t *testing.T) {
	for _, tc := range templateCases() {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			partition := in.Partition
			if partition == "" {
				partition = iampolicy.PartitionAWS
			}
			tmpl, err := iampolicy.CloudFormationTemplate(in)
			require.NoError(t, err)
			var params map[string]string
			if in.Hosted {
				// A hosted template has no bucket or external ID of its
				// own: the quick-create link supplies them.
				params = map[string]string{iampolicy.ParamBucketName: gBucket, iampolicy.ParamExternalID: gExternalID}
				in.Bucket, in.ExternalID = gBucket, gExternalID
			}
			res := resolveTemplate(t, tmpl, partition, gPayer, params)

			wantRead, err := iampolicy.CURReadPolicy(in.Bucket, in.Prefix, func(o *iampolicy.ReadPolicyOptions) {
				o.Partition = partition
				o.KMSKeyARNs = in.KMSKeyARNs
				o.ReportDefinitions = in.ReportDefinitions
				o.DataExports = in.DataExports
			})
			require.NoError(t, err)
			assert.Equal(t, wantRead, docOf(t, res, resReadPolicy, "PolicyDocument"))
			props := res[resReadPolicy].(map[string]any)["Properties"].(map[string]any)

			if in.LegacyUser {
				assert.NotContains(t, res, resRole)
				assert.Equal(t, []any{"ref:" + resUser}, props["Users"])
				assert.NotContains(t, props, "Roles")
				user := res[resUser].(map[string]any)["Properties"].(map[string]any)
				assert.Equal(t, iampolicy.DefaultUserName, user["UserName"])
				assert.Contains(t, tmpl.Outputs, iampolicy.OutputUserARN)
				assert.NotContains(t, tmpl.Outputs, iampolicy.OutputRoleARN)
				assert.NotContains(t, tmpl.Parameters, iampolicy.ParamExternalID)
				assert.NotContains(t, tmpl.Parameters, iampolicy.ParamTrustedPrincipal)
			} else {
				wantTrust, err := iampolicy.CrossAccountTrust(in.TrustedPrincipal, in.ExternalID, func(o *iampolicy.TrustPolicyOptions) {
					o.Partition = partition
					o.AllowNoExternalID = in.AllowNoExternalID
				})
				require.NoError(t, err)
				assert.Equal(t, wantTrust, docOf(t, res, resRole, "AssumeRolePolicyDocument"))
				assert.Equal(t, []any{"ref:" + resRole}, props["Roles"])
				role := res[resRole].(map[string]any)["Properties"].(map[string]any)
				wantName := in.RoleName
				if wantName == "" {
					wantName = iampolicy.DefaultRoleName
				}
				assert.Equal(t, wantName, role["RoleName"])
				assert.Equal(t, iampolicy.Output{Description: "ARN of the role the cost platform assumes.", Value: iampolicy.GetAtt("Role", "Arn")},
					tmpl.Outputs[iampolicy.OutputRoleARN])
				ext, ok := tmpl.Parameters[iampolicy.ParamExternalID]
				if in.ExternalID != "" {
					require.True(t, ok)
					assert.True(t, ext.NoEcho, "the ExternalId parameter is NoEcho")
				} else {
					assert.False(t, ok, "no ExternalId parameter without an external ID")
				}
			}

			if in.DeliveryBucketPolicy {
				want, err := iampolicy.DeliveryBucketPolicy(in.Bucket, gPayer, func(o *iampolicy.DeliveryPolicyOptions) {
					o.Partition = partition
					o.SkipLegacyCUR = in.DeliverySkipLegacyCUR
					o.SkipDataExports = in.DeliverySkipDataExports
				})
				require.NoError(t, err)
				assert.Equal(t, want, docOf(t, res, resBucketPolicy, "PolicyDocument"))
				bp := res[resBucketPolicy].(map[string]any)["Properties"].(map[string]any)
				assert.Equal(t, in.Bucket, bp["Bucket"])
			} else {
				assert.NotContains(t, res, resBucketPolicy)
			}

			// No placeholder survives into the template.
			j, err := tmpl.JSON()
			require.NoError(t, err)
			assert.NotContains(t, string(j), "000000000000")
		})
	}
}

// TestTemplateParametersOverride resolves a template with values a customer
// types in the console: another bucket and prefix, and empty names.
func TestTemplateParametersOverride(t *testing.T) {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{
		Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, ExternalID: gExternalID, DeliveryBucketPolicy: true,
	})
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		params map[string]string
		bucket string
		prefix string
	}{
		{"defaults", nil, gBucket, "cur"},
		{"other bucket and prefix", map[string]string{"BucketName": "other-bucket", "ReportPrefix": "billing/cur"}, "other-bucket", "billing/cur"},
		{"empty prefix", map[string]string{"ReportPrefix": ""}, gBucket, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := resolveTemplate(t, tmpl, iampolicy.PartitionAWS, gPayer, tc.params)
			want, err := iampolicy.CURReadPolicy(tc.bucket, tc.prefix)
			require.NoError(t, err)
			assert.Equal(t, want, docOf(t, res, resReadPolicy, "PolicyDocument"))
			wantBP, err := iampolicy.DeliveryBucketPolicy(tc.bucket, gPayer)
			require.NoError(t, err)
			assert.Equal(t, wantBP, docOf(t, res, resBucketPolicy, "PolicyDocument"))
		})
	}
	t.Run("empty role name lets CloudFormation name the role", func(t *testing.T) {
		res := resolveTemplate(t, tmpl, iampolicy.PartitionAWS, gPayer, map[string]string{"RoleName": ""})
		role := res[resRole].(map[string]any)["Properties"].(map[string]any)
		assert.NotContains(t, role, "RoleName")
	})
	t.Run("another trusted principal and external ID", func(t *testing.T) {
		res := resolveTemplate(t, tmpl, iampolicy.PartitionAWS, gPayer, map[string]string{
			"TrustedPrincipal": "arn:aws:iam::999988887777:role/reader", "ExternalId": "other-id",
		})
		want, err := iampolicy.CrossAccountTrust("arn:aws:iam::999988887777:role/reader", "other-id")
		require.NoError(t, err)
		assert.Equal(t, want, docOf(t, res, resRole, "AssumeRolePolicyDocument"))
	})
}

func TestTemplateParameterDefaults(t *testing.T) {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{
		Bucket: gBucket, Prefix: "cur//", TrustedPrincipal: gAccount, ExternalID: gExternalID, RoleName: "reader",
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"BucketName":       gBucket,
		"ReportPrefix":     "cur",
		"TrustedPrincipal": "arn:aws:iam::451234325714:root",
		"ExternalId":       gExternalID,
		"RoleName":         "reader",
	}, tmpl.ParameterDefaults())

	// An empty default is still written, so the parameter stays optional.
	tmpl, err = iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{Bucket: gBucket, TrustedPrincipal: gAccount, ExternalID: gExternalID})
	require.NoError(t, err)
	j, err := tmpl.JSON()
	require.NoError(t, err)
	assert.Contains(t, string(j), `"Default": "",`)

	var nilTmpl *iampolicy.Template
	assert.Empty(t, nilTmpl.ParameterDefaults())
	_, err = nilTmpl.JSON()
	assert.Error(t, err)
	_, err = nilTmpl.YAML()
	assert.Error(t, err)
}

func TestCloudFormationTemplateRefuses(t *testing.T) {
	good := iampolicy.TemplateInput{Bucket: gBucket, TrustedPrincipal: gAccount, ExternalID: gExternalID}
	for _, tc := range []struct {
		name   string
		edit   func(*iampolicy.TemplateInput)
		fields []string
		is     error
	}{
		{"no bucket", func(in *iampolicy.TemplateInput) { in.Bucket = "" }, []string{"bucket"}, nil},
		{"bad prefix", func(in *iampolicy.TemplateInput) { in.Prefix = "a b" }, []string{"prefix"}, nil},
		{"no trusted principal", func(in *iampolicy.TemplateInput) { in.TrustedPrincipal = "" }, []string{"trusted principal"}, nil},
		{"principal is a bucket ARN", func(in *iampolicy.TemplateInput) { in.TrustedPrincipal = "arn:aws:s3:::b" }, []string{"trusted principal"}, nil},
		{"wildcard principal", func(in *iampolicy.TemplateInput) { in.TrustedPrincipal = "arn:aws:iam::451234325714:role/*" }, []string{"trusted principal"}, nil},
		{"no external ID", func(in *iampolicy.TemplateInput) { in.ExternalID = "" }, []string{"external ID"}, iampolicy.ErrNoExternalID},
		{"bad external ID", func(in *iampolicy.TemplateInput) { in.ExternalID = "has space" }, []string{"external ID"}, nil},
		{"bad partition", func(in *iampolicy.TemplateInput) { in.Partition = "aws-iso" }, []string{"partition", "partition"}, nil},
		{"KMS key in another partition", func(in *iampolicy.TemplateInput) { in.KMSKeyARNs = []string{gKMSCN} }, []string{"KMSKeyARNs[0]"}, nil},
		{"bad role name", func(in *iampolicy.TemplateInput) { in.RoleName = "no spaces allowed" }, []string{"RoleName"}, nil},
		{"role name too long", func(in *iampolicy.TemplateInput) { in.RoleName = strings.Repeat("r", 65) }, []string{"RoleName"}, nil},
		{"user with trust inputs", func(in *iampolicy.TemplateInput) { in.LegacyUser = true }, []string{"ExternalID", "TrustedPrincipal"}, nil},
		{"bad user name", func(in *iampolicy.TemplateInput) {
			*in = iampolicy.TemplateInput{Bucket: gBucket, LegacyUser: true, UserName: "a/b"}
		}, []string{"UserName"}, nil},
		{"description too long", func(in *iampolicy.TemplateInput) { in.Description = strings.Repeat("d", 1025) }, []string{"Description"}, nil},
		{"description with control character", func(in *iampolicy.TemplateInput) { in.Description = "a\x00b" }, []string{"Description"}, nil},
		{"bucket policy options leave nothing", func(in *iampolicy.TemplateInput) {
			in.DeliveryBucketPolicy, in.DeliverySkipLegacyCUR, in.DeliverySkipDataExports = true, true, true
		}, []string{"DeliveryPolicyOptions"}, nil},
		{"every error at once", func(in *iampolicy.TemplateInput) {
			*in = iampolicy.TemplateInput{Bucket: "B", TrustedPrincipal: "x", RoleName: "a b"}
		}, []string{"RoleName", "bucket", "external ID", "trusted principal"}, iampolicy.ErrNoExternalID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.edit(&in)
			tmpl, err := iampolicy.CloudFormationTemplate(in)
			require.Error(t, err)
			assert.Nil(t, tmpl)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			var fe *curerr.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.fields, fieldNames(err))
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.NotContains(t, err.Error(), gExternalID, "errors never repeat the external ID")
		})
	}
}

func TestTemplateDescriptionOverride(t *testing.T) {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{
		Bucket: gBucket, TrustedPrincipal: gAccount, ExternalID: gExternalID, Description: "Acme Cost: read billing data",
	})
	require.NoError(t, err)
	assert.Equal(t, "Acme Cost: read billing data", tmpl.Description)
}

// TestTemplateDefaultsMeetParameterConstraints checks, for inputs at the
// edges of what the builders accept, that every parameter default matches
// its own AllowedPattern and length bounds, so the template creates as is.
func TestTemplateDefaultsMeetParameterConstraints(t *testing.T) {
	for _, in := range []iampolicy.TemplateInput{
		{Bucket: "a.b-c", Prefix: "/a/b!*'()_-.//", TrustedPrincipal: "arn:aws:iam::123456789012:user/path/x+=,.@-_",
			ExternalID: "+=,.@:/-_" + strings.Repeat("Z", 1215), RoleName: "r+=,.@-_" + strings.Repeat("x", 56)},
		{Bucket: strings.Repeat("b", 63), Prefix: strings.Repeat("p", 256), TrustedPrincipal: "arn:aws-cn:iam::123456789012:role/a/b",
			ExternalID: "ab", Partition: iampolicy.PartitionChina},
		{Bucket: "abc", LegacyUser: true, UserName: "u@example.com"},
	} {
		tmpl, err := iampolicy.CloudFormationTemplate(in)
		require.NoError(t, err)
		require.NotEmpty(t, tmpl.Parameters)
		for name, p := range tmpl.Parameters {
			def, ok := p.Default.(string)
			require.True(t, ok, "%s has a string default", name)
			if p.AllowedPattern != "" {
				assert.Regexp(t, regexp.MustCompile(p.AllowedPattern), def, "%s default", name)
			}
			if p.MinLength > 0 {
				assert.GreaterOrEqual(t, len(def), p.MinLength, "%s default", name)
			}
			if p.MaxLength > 0 {
				assert.LessOrEqual(t, len(def), p.MaxLength, "%s default", name)
			}
		}
	}
}

// TestTemplatesLintClean runs cfn-lint once over every template variant, as
// JSON and as YAML, and requires no errors and no warnings. A deliberately
// broken template rides along to prove that cfn-lint runs and reports.
func TestTemplatesLintClean(t *testing.T) {
	t.Parallel()
	lint := testutil.LookTool(t, "cfn-lint")
	dir := t.TempDir()
	var files []string
	for _, tc := range templateCases() {
		tmpl, err := iampolicy.CloudFormationTemplate(tc.in)
		require.NoError(t, err)
		j, err := tmpl.JSON()
		require.NoError(t, err)
		y, err := tmpl.YAML()
		require.NoError(t, err)
		for ext, b := range map[string][]byte{".json": j, ".yaml": y} {
			p := filepath.Join(dir, tc.name+ext)
			require.NoError(t, os.WriteFile(p, b, 0o644))
			files = append(files, p)
		}
	}
	// The negative control: a default that breaks its AllowedPattern.
	tmpl, err := iampolicy.CloudFormationTemplate(templateCases()[0].in)
	require.NoError(t, err)
	p := tmpl.Parameters[iampolicy.ParamBucketName]
	p.Default = "Not_A_Bucket"
	tmpl.Parameters[iampolicy.ParamBucketName] = p
	bad, err := tmpl.YAML()
	require.NoError(t, err)
	badPath := filepath.Join(dir, "negative_control.yaml")
	require.NoError(t, os.WriteFile(badPath, bad, 0o644))
	sort.Strings(files)

	cmd := exec.CommandContext(t.Context(), lint, append([]string{"--format", "json", "--"}, append(files, badPath)...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		require.NoError(t, runErr, "run cfn-lint: %s", stderr.String())
	}
	var findings []struct {
		Filename string
		Level    string
		Message  string
		Rule     struct{ Id string }
		Location struct{ Path []any }
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &findings), "cfn-lint output: %s\nstderr: %s", stdout.String(), stderr.String())
	byFile := map[string][]string{}
	for _, f := range findings {
		if f.Level == "Informational" {
			continue
		}
		byFile[filepath.Base(f.Filename)] = append(byFile[filepath.Base(f.Filename)], f.Level+" "+f.Rule.Id+" "+f.Message)
	}
	require.NotEmpty(t, byFile["negative_control.yaml"], "cfn-lint did not flag the broken control template: is it really linting?")
	delete(byFile, "negative_control.yaml")
	assert.Empty(t, byFile, "cfn-lint found errors or warnings in generated templates")
	t.Logf("cfn-lint checked %d templates clean", len(files))
}

// TestHostedTemplate: a hosted template holds no customer's bucket or
// external ID (not even as a placeholder), requires both as parameters,
// fixes the role name, and, given two customers' values, creates each
// one's documents exactly as the builders write them.
func TestHostedTemplate(t *testing.T) {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{TrustedPrincipal: gAccount, Prefix: "cur", Hosted: true})
	require.NoError(t, err)

	bucket := tmpl.Parameters[iampolicy.ParamBucketName]
	assert.Nil(t, bucket.Default, "no bucket default: the link or the customer gives it")
	assert.NotEmpty(t, bucket.AllowedPattern)
	ext := tmpl.Parameters[iampolicy.ParamExternalID]
	assert.Nil(t, ext.Default, "no external ID default: the link gives each customer's")
	assert.True(t, ext.NoEcho)
	assert.Equal(t, 2, ext.MinLength)
	assert.NotEmpty(t, ext.AllowedPattern)
	role := tmpl.Parameters[iampolicy.ParamRoleName]
	assert.Equal(t, []string{iampolicy.DefaultRoleName}, role.AllowedValues, "the role name is fixed")
	assert.Equal(t, iampolicy.DefaultRoleName, role.Default)
	assert.Equal(t, map[string]string{
		iampolicy.ParamReportPrefix:     "cur",
		iampolicy.ParamTrustedPrincipal: "arn:aws:iam::451234325714:root",
		iampolicy.ParamRoleName:         iampolicy.DefaultRoleName,
	}, tmpl.ParameterDefaults())

	j, err := tmpl.JSON()
	require.NoError(t, err)
	for _, placeholder := range []string{"placeholder", "000000000000"} {
		assert.NotContains(t, string(j), placeholder)
	}
	assert.NotContains(t, string(j), `"Default": ""`, "no empty default stands in for a required value")

	for _, customer := range []struct{ bucket, prefix, externalID, account string }{
		{"acme-billing", "cur", "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE", "111122223333"},
		{"globex-cur", "", "o-a1b2c3d4e5", "444455556666"},
	} {
		res := resolveTemplate(t, tmpl, iampolicy.PartitionAWS, customer.account, map[string]string{
			iampolicy.ParamBucketName: customer.bucket, iampolicy.ParamReportPrefix: customer.prefix, iampolicy.ParamExternalID: customer.externalID,
		})
		wantRead, err := iampolicy.CURReadPolicy(customer.bucket, customer.prefix)
		require.NoError(t, err)
		assert.Equal(t, wantRead, docOf(t, res, resReadPolicy, "PolicyDocument"))
		wantTrust, err := iampolicy.CrossAccountTrust(gAccount, customer.externalID)
		require.NoError(t, err)
		assert.Equal(t, wantTrust, docOf(t, res, resRole, "AssumeRolePolicyDocument"))
		props := res[resRole].(map[string]any)["Properties"].(map[string]any)
		assert.Equal(t, iampolicy.DefaultRoleName, props["RoleName"])
	}
}

func TestHostedTemplateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*iampolicy.TemplateInput)
		fields []string
	}{
		{"a bucket", func(in *iampolicy.TemplateInput) { in.Bucket = gBucket }, []string{"Bucket"}},
		{"an external ID", func(in *iampolicy.TemplateInput) { in.ExternalID = gExternalID }, []string{"ExternalID"}},
		{"no external ID at all", func(in *iampolicy.TemplateInput) { in.AllowNoExternalID = true }, []string{"AllowNoExternalID"}},
		{"a KMS key", func(in *iampolicy.TemplateInput) { in.KMSKeyARNs = []string{gKMS} }, []string{"KMSKeyARNs"}},
		{"the legacy user", func(in *iampolicy.TemplateInput) { in.LegacyUser = true; in.TrustedPrincipal = "" }, []string{"LegacyUser"}},
		{"no trusted principal", func(in *iampolicy.TemplateInput) { in.TrustedPrincipal = "" }, []string{"trusted principal"}},
		{"a bad role name", func(in *iampolicy.TemplateInput) { in.RoleName = "a b" }, []string{"RoleName"}},
		{"everything at once", func(in *iampolicy.TemplateInput) {
			in.Bucket, in.ExternalID, in.KMSKeyARNs = gBucket, gExternalID, []string{gKMS}
		}, []string{"Bucket", "ExternalID", "KMSKeyARNs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := iampolicy.TemplateInput{TrustedPrincipal: gAccount, Hosted: true}
			tc.edit(&in)
			tmpl, err := iampolicy.CloudFormationTemplate(in)
			assert.Nil(t, tmpl)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			assert.Equal(t, tc.fields, fieldNames(err))
			assert.NotContains(t, err.Error(), gExternalID, "errors never repeat the external ID")
		})
	}
}

func TestRoleARN(t *testing.T) {
	for _, tc := range []struct{ partition, account, name, want string }{
		{"", "111122223333", iampolicy.DefaultRoleName, "arn:aws:iam::111122223333:role/curconnect-billing-read"},
		{iampolicy.PartitionAWS, "012345678901", "acme+=,.@_-read", "arn:aws:iam::012345678901:role/acme+=,.@_-read"},
		{iampolicy.PartitionChina, "111122223333", "r", "arn:aws-cn:iam::111122223333:role/r"},
		{iampolicy.PartitionGovCloud, "111122223333", "r", "arn:aws-us-gov:iam::111122223333:role/r"},
	} {
		got, err := iampolicy.RoleARN(tc.partition, tc.account, tc.name)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
		a, err := iampolicy.ParseARN(got)
		require.NoError(t, err)
		assert.Equal(t, "role/"+tc.name, a.Resource)
	}
	_, err := iampolicy.RoleARN("aws-moon", "1234", "a/b")
	require.ErrorIs(t, err, curerr.ErrMalformed)
	assert.Equal(t, []string{"account ID", "partition", "role name"}, fieldNames(err))
	_, err = iampolicy.RoleARN("", "111122223333", strings.Repeat("r", 65))
	assert.Equal(t, []string{"role name"}, fieldNames(err))
}

// TestTemplateParametersRefuseWhatBuildersRefuse: a hosted template's
// values come from a link or the console, so the parameters' constraints
// are the only check before IAM: each refuses the values the builders
// refuse.
func TestTemplateParametersRefuseWhatBuildersRefuse(t *testing.T) {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{TrustedPrincipal: gAccount, Hosted: true})
	require.NoError(t, err)
	for param, values := range map[string][]string{
		iampolicy.ParamBucketName:       {"", "My_Bucket", "ab", "-lead", strings.Repeat("b", 64)},
		iampolicy.ParamReportPrefix:     {"cur/", "a b", "cur?", "cur$x", strings.Repeat("p", 257)},
		iampolicy.ParamExternalID:       {"", "Q", "has space", "semi;colon", strings.Repeat("x", 1225)},
		iampolicy.ParamTrustedPrincipal: {"arn:aws:iam::123456789012:role/*", "arn:aws:iam::*:root", "*", "451234325714", "arn:aws:s3:::b"},
		iampolicy.ParamRoleName:         {"", "other-name"},
	} {
		p := tmpl.Parameters[param]
		for _, v := range values {
			ok := (p.AllowedPattern == "" || regexp.MustCompile(p.AllowedPattern).MatchString(v)) &&
				(p.MinLength == 0 || len(v) >= p.MinLength) && (p.MaxLength == 0 || len(v) <= p.MaxLength) &&
				(len(p.AllowedValues) == 0 || slices.Contains(p.AllowedValues, v))
			assert.False(t, ok, "%s accepts %q", param, v)
		}
	}
}
