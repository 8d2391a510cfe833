package iampolicy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

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
// (Ref, Fn::Sub, Fn::If, Fn::Equals, Fn::Not, Fn::GetAtt, AWS::NoValue)
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
			res := resolveTemplate(t, tmpl, partition, gPayer, nil)

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

// trickyStrings are values YAML reads as something else unless quoted, or
// that need escaping.
var trickyStrings = []string{
	"", "yes", "No", "on", "OFF", "y", "null", "~", "true", "0x1F", "1e3", "012", ".inf", "-.5", "2010-09-09",
	" leading", "trailing ", "a: b", "a #c", "# c", "- d", "*e", "&f", "!g", "%h", "@i", "`j", "|k", ">l", "?m", "{n}", "[o]", ",p",
	"line\nbreak", "tab\there", "cr\r", "\x00\x01\x1f\x7f", "\u0085nel", "\u2028\u2029", "\ufeffbom", "\u0080\u009f",
	"é日本🙂", `"quoted" and \back\slash`, "${AWS::Partition}", "---", "...", "'single'",
}

// requireSameTree parses j as JSON and y as YAML and requires the same
// tree. (JSON cannot simply be parsed as YAML: encoding/json leaves
// characters such as U+0085 unescaped, which YAML forbids raw.)
func requireSameTree(t *testing.T, j, y []byte) {
	t.Helper()
	var fromJSON any
	require.NoError(t, json.Unmarshal(j, &fromJSON))
	var fromYAML any
	require.NoError(t, yaml.Unmarshal(y, &fromYAML), "%s", y)
	// Normalise YAML's ints and maps through JSON.
	b, err := json.Marshal(fromYAML)
	require.NoError(t, err)
	var norm any
	require.NoError(t, json.Unmarshal(b, &norm))
	require.Equal(t, fromJSON, norm)
}

// TestYAMLMatchesJSON checks the YAML emitter on strings and keys YAML would
// misread, empty collections, nested lists and scalars of every type: the
// YAML must parse to the same tree as the JSON.
func TestYAMLMatchesJSON(t *testing.T) {
	props := map[string]any{}
	for i, s := range trickyStrings {
		props["K"+strings.Repeat("x", i)] = s
		props[s] = []any{s, map[string]any{s: s}}
	}
	props["Empty"] = map[string]any{}
	props["EmptyList"] = []any{}
	props["Nested"] = []any{[]any{"a", []any{"b", map[string]any{}}}, []any{}, map[string]any{"k": []any{1, 2.5, true, false, nil}}}
	props["Numbers"] = []any{0, -1, 1e21, 123456789012}
	tmpl := &iampolicy.Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              strings.Join(trickyStrings, "|"),
		Resources:                map[string]iampolicy.Resource{"R": {Type: "AWS::X::Y", Properties: props}},
	}
	j, err := tmpl.JSON()
	require.NoError(t, err)
	y, err := tmpl.YAML()
	require.NoError(t, err)
	requireSameTree(t, j, y)
	for _, line := range strings.Split(strings.TrimSuffix(string(y), "\n"), "\n") {
		assert.NotContains(t, line, "\t", "YAML indentation never uses tabs")
		assert.True(t, strings.TrimLeft(line, " ") != "", "no blank lines")
	}
	// Deterministic.
	y2, err := tmpl.YAML()
	require.NoError(t, err)
	assert.Equal(t, y, y2)
}

// FuzzTemplateYAML checks that any string, as a key and as a value, comes
// out of the YAML emitter as the same tree the JSON holds.
func FuzzTemplateYAML(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s)
	}
	f.Add("Fn::Sub", "\xff\xfe invalid utf-8")
	f.Fuzz(func(t *testing.T, key, value string) {
		tmpl := &iampolicy.Template{
			AWSTemplateFormatVersion: "2010-09-09",
			Description:              value,
			Resources: map[string]iampolicy.Resource{key: {Type: value, Properties: map[string]any{
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
