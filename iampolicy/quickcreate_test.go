package iampolicy_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

const qcTemplate = "https://my-templates.s3.us-east-1.amazonaws.com/curconnect/role.yaml"

func TestQuickCreateURL(t *testing.T) {
	for _, tc := range []struct {
		name      string
		region    string
		template  string
		stack     string
		params    map[string]string
		want      string
		wantQuery map[string]string
	}{
		{
			name: "aws", region: "us-east-1", template: qcTemplate, stack: "curconnect",
			params: map[string]string{"BucketName": "my-cur-bucket", "ExternalId": "abc123", "ReportPrefix": ""},
			want: "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate" +
				"?templateURL=https%3A%2F%2Fmy-templates.s3.us-east-1.amazonaws.com%2Fcurconnect%2Frole.yaml&stackName=curconnect" +
				"&param_BucketName=my-cur-bucket&param_ExternalId=abc123&param_ReportPrefix=",
		},
		{
			name: "aws-cn console", region: "cn-north-1", template: "https://t.s3.cn-north-1.amazonaws.com.cn/x.json", stack: "s",
			want: "https://console.amazonaws.cn/cloudformation/home?region=cn-north-1#/stacks/quickcreate" +
				"?templateURL=https%3A%2F%2Ft.s3.cn-north-1.amazonaws.com.cn%2Fx.json&stackName=s",
		},
		{
			name: "aws-us-gov console", region: "us-gov-west-1", template: "https://t.s3.us-gov-west-1.amazonaws.com/x.json", stack: "s",
			want: "https://console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-west-1#/stacks/quickcreate" +
				"?templateURL=https%3A%2F%2Ft.s3.us-gov-west-1.amazonaws.com%2Fx.json&stackName=s",
		},
		{
			name: "no stack name: the console asks", region: "eu-central-1", template: qcTemplate,
			want: "https://eu-central-1.console.aws.amazon.com/cloudformation/home?region=eu-central-1#/stacks/quickcreate" +
				"?templateURL=https%3A%2F%2Fmy-templates.s3.us-east-1.amazonaws.com%2Fcurconnect%2Frole.yaml",
		},
		{
			name: "values needing escapes", region: "ap-southeast-2", template: "https://b.s3.amazonaws.com/t.yaml?versionId=a+b&x=1#frag", stack: "A-1",
			params: map[string]string{"Z": "a b&c=d#e/f?g+h%i", "A": "日本", "M": "arn:aws:iam::451234325714:root"},
			want: "https://ap-southeast-2.console.aws.amazon.com/cloudformation/home?region=ap-southeast-2#/stacks/quickcreate" +
				"?templateURL=https%3A%2F%2Fb.s3.amazonaws.com%2Ft.yaml%3FversionId%3Da%2Bb%26x%3D1%23frag&stackName=A-1" +
				"&param_A=%E6%97%A5%E6%9C%AC&param_M=arn%3Aaws%3Aiam%3A%3A451234325714%3Aroot&param_Z=a%20b%26c%3Dd%23e%2Ff%3Fg%2Bh%25i",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iampolicy.QuickCreateURL(tc.region, tc.template, tc.stack, tc.params)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)

			// The fragment's query decodes back to exactly the inputs.
			u, err := url.Parse(got)
			require.NoError(t, err)
			assert.Equal(t, "https", u.Scheme)
			assert.Equal(t, tc.region, u.Query().Get("region"))
			route, query, ok := strings.Cut(u.EscapedFragment(), "?")
			require.True(t, ok)
			assert.Equal(t, "/stacks/quickcreate", route)
			q, err := url.ParseQuery(query)
			require.NoError(t, err)
			assert.Equal(t, tc.template, q.Get("templateURL"))
			assert.Equal(t, tc.stack, q.Get("stackName"))
			n := 1
			if tc.stack != "" {
				n++
			}
			for k, v := range tc.params {
				assert.Equal(t, []string{v}, q["param_"+k], "param_%s", k)
				n++
			}
			assert.Len(t, q, n, "no other values in the link")
			assert.NotContains(t, got, " ")
		})
	}
}

func TestQuickCreateURLFromTemplateDefaults(t *testing.T) {
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{Bucket: gBucket, Prefix: "cur", TrustedPrincipal: gAccount, ExternalID: gExternalID})
	require.NoError(t, err)
	got, err := iampolicy.QuickCreateURL("us-east-1", qcTemplate, "curconnect", tmpl.ParameterDefaults())
	require.NoError(t, err)
	assert.Contains(t, got, "&param_TrustedPrincipal=arn%3Aaws%3Aiam%3A%3A451234325714%3Aroot")
	assert.Contains(t, got, "&param_ExternalId="+gExternalID)
	assert.Contains(t, got, "&param_RoleName=curconnect-billing-read")
}

func TestQuickCreateURLRefuses(t *testing.T) {
	ok := func() (string, string, string, map[string]string) {
		return "us-east-1", qcTemplate, "curconnect", map[string]string{"BucketName": "b"}
	}
	for _, tc := range []struct {
		name   string
		edit   func(region, tmpl, stack *string, params map[string]string)
		fields []string
	}{
		{"uppercase region", func(r, _, _ *string, _ map[string]string) { *r = "US-EAST-1" }, []string{"region"}},
		{"empty region", func(r, _, _ *string, _ map[string]string) { *r = "" }, []string{"region"}},
		{"isolated partition", func(r, _, _ *string, _ map[string]string) { *r = "us-iso-east-1" }, []string{"region"}},
		{"region with a path", func(r, _, _ *string, _ map[string]string) { *r = "us-east-1/../x" }, []string{"region"}},
		{"no template URL", func(_, u, _ *string, _ map[string]string) { *u = "" }, []string{"templateURL"}},
		{"http template URL", func(_, u, _ *string, _ map[string]string) { *u = "http://b.s3.amazonaws.com/t.yaml" }, []string{"templateURL"}},
		{"http template URL on a host named like loopback", func(_, u, _ *string, _ map[string]string) { *u = "http://127.0.0.1.example.com/t.yaml" }, []string{"templateURL"}},
		{"http template URL on a private address", func(_, u, _ *string, _ map[string]string) { *u = "http://10.0.0.1/t.yaml" }, []string{"templateURL"}},
		{"relative template URL", func(_, u, _ *string, _ map[string]string) { *u = "t.yaml" }, []string{"templateURL"}},
		{"template URL without host", func(_, u, _ *string, _ map[string]string) { *u = "https:///t.yaml" }, []string{"templateURL"}},
		{"template URL with credentials", func(_, u, _ *string, _ map[string]string) { *u = "https://u:p@b.s3.amazonaws.com/t" }, []string{"templateURL"}},
		{"template URL with newline", func(_, u, _ *string, _ map[string]string) { *u = "https://b.s3.amazonaws.com/t\n" }, []string{"templateURL"}},
		{"template URL too long", func(_, u, _ *string, _ map[string]string) { *u = qcTemplate + strings.Repeat("a", 5120) }, []string{"templateURL"}},
		{"stack name starts with a digit", func(_, _, s *string, _ map[string]string) { *s = "1stack" }, []string{"stackName"}},
		{"stack name with underscore", func(_, _, s *string, _ map[string]string) { *s = "my_stack" }, []string{"stackName"}},
		{"stack name too long", func(_, _, s *string, _ map[string]string) { *s = "s" + strings.Repeat("a", 128) }, []string{"stackName"}},
		{"parameter name with hyphen", func(_, _, _ *string, p map[string]string) { p["Bucket-Name"] = "x" }, []string{"params[Bucket-Name]"}},
		{"empty parameter name", func(_, _, _ *string, p map[string]string) { p[""] = "x" }, []string{"params[]"}},
		{"parameter name with control character", func(_, _, _ *string, p map[string]string) { p["A\x00"] = "x" }, []string{"params"}},
		{"parameter value with control character", func(_, _, _ *string, p map[string]string) { p["Prefix"] = "a\x7f" }, []string{"params[Prefix]"}},
		{"parameter value too long", func(_, _, _ *string, p map[string]string) { p["Prefix"] = strings.Repeat("a", 4097) }, []string{"params[Prefix]"}},
		{"every error at once", func(r, u, s *string, p map[string]string) {
			*r, *u, *s = "nowhere", "ftp://x", "-"
			p["a-b"] = "x"
		}, []string{"params[a-b]", "region", "stackName", "templateURL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			region, tmpl, stack, params := ok()
			tc.edit(&region, &tmpl, &stack, params)
			got, err := iampolicy.QuickCreateURL(region, tmpl, stack, params)
			require.Error(t, err)
			assert.Empty(t, got)
			require.ErrorIs(t, err, curerr.ErrMalformed)
			var fe *curerr.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.fields, fieldNames(err))
		})
	}
}

func TestRegionPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-3": "aws", "ap-southeast-5": "aws", "il-central-1": "aws", "mx-central-1": "aws",
		"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov", "us-gov-east-1": "aws-us-gov",
	} {
		got, err := iampolicy.RegionPartition(region)
		require.NoError(t, err, region)
		assert.Equal(t, want, got, region)
	}
	for _, bad := range []string{"", "us-east", "useast1", "us-east-1a", "US-EAST-1", "us-iso-east-1", "us-isob-east-1", "us-east-100"} {
		_, err := iampolicy.RegionPartition(bad)
		var fe *curerr.FieldError
		require.ErrorAs(t, err, &fe, bad)
		assert.Equal(t, "region", fe.Field)
	}
}

// TestQuickCreateURLLoopbackTemplate: a local demo or test serves the
// template itself over plain http on a loopback host; the link is complete.
func TestQuickCreateURLLoopbackTemplate(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/onboard/template.yaml", "http://localhost:1/t.yaml", "http://[::1]:2/t.yaml"} {
		got, err := iampolicy.QuickCreateURL("us-east-1", u, "curconnect", map[string]string{"BucketName": "b"})
		require.NoError(t, err, u)
		assert.Contains(t, got, "templateURL="+url.QueryEscape(u))
	}
}
