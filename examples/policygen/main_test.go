package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

const (
	tBucket     = "my-cur-bucket"
	tAccount    = "451234325714"
	tPayer      = "111122223333"
	tExternalID = "Q4M7ZK2XWJ3N5R6T7V2YB4C5DE"
	tTemplate   = "https://my-templates.s3.us-east-1.amazonaws.com/curconnect/role.json"
	tKMS        = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	tKMS2       = "arn:aws:kms:eu-west-1:111122223333:alias/billing"
)

// runArgs runs policygen in-process and returns stdout, stderr and the exit
// code main would use.
func runArgs(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), exitCode(err)
}

func TestOutputs(t *testing.T) {
	mustJSON := func(p iampolicy.Policy, err error) string {
		require.NoError(t, err)
		b, err := p.JSON()
		require.NoError(t, err)
		return string(b)
	}
	trust := []string{"-trusted-account", tAccount, "-external-id", tExternalID}
	tmplIn := iampolicy.TemplateInput{Bucket: tBucket, Prefix: "cur", TrustedPrincipal: tAccount, ExternalID: tExternalID, KMSKeyARNs: []string{tKMS, tKMS2}}
	tmpl, err := iampolicy.CloudFormationTemplate(tmplIn)
	require.NoError(t, err)
	tmplJSON, err := tmpl.JSON()
	require.NoError(t, err)
	tmplYAML, err := tmpl.YAML()
	require.NoError(t, err)
	link, err := iampolicy.QuickCreateURL("us-east-1", tTemplate, "curconnect-billing-read", tmpl.ParameterDefaults())
	require.NoError(t, err)
	cn, err := iampolicy.CURReadPolicy(tBucket, "", func(o *iampolicy.ReadPolicyOptions) { o.Partition = iampolicy.PartitionChina })
	require.NoError(t, err)
	cnJSON, err := cn.JSON()
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"policy", []string{"-bucket", tBucket, "-prefix", "cur", "-kms-key-arn", tKMS, "-kms-key-arn", tKMS2, "-output", "policy"},
			mustJSON(iampolicy.CURReadPolicy(tBucket, "cur", func(o *iampolicy.ReadPolicyOptions) { o.KMSKeyARNs = []string{tKMS, tKMS2} }))},
		{"policy aws-cn", []string{"-bucket", tBucket, "-partition", "aws-cn", "-output", "policy"}, string(cnJSON)},
		{"policy for a prefix with a star", []string{"-bucket", tBucket, "-prefix", "cur*", "-output", "policy"},
			mustJSON(iampolicy.CURReadPolicy(tBucket, "cur*"))},
		{"trust for an account", append([]string{"-output", "trust"}, trust...),
			mustJSON(iampolicy.CrossAccountTrust(tAccount, tExternalID))},
		{"trust for a role", []string{"-trusted-principal", "arn:aws:iam::451234325714:role/reader", "-external-id", tExternalID, "-output", "trust"},
			mustJSON(iampolicy.CrossAccountTrust("arn:aws:iam::451234325714:role/reader", tExternalID))},
		{"trust aws-us-gov", append([]string{"-output", "trust", "-partition", "aws-us-gov"}, trust...),
			mustJSON(iampolicy.CrossAccountTrust(tAccount, tExternalID, func(o *iampolicy.TrustPolicyOptions) { o.Partition = iampolicy.PartitionGovCloud }))},
		{"bucket-policy", []string{"-bucket", tBucket, "-account", tPayer, "-output", "bucket-policy"},
			mustJSON(iampolicy.DeliveryBucketPolicy(tBucket, tPayer))},
		{"cfn-json", append([]string{"-bucket", tBucket, "-prefix", "cur", "-kms-key-arn", tKMS, "-kms-key-arn", tKMS2, "-output", "cfn-json"}, trust...), string(tmplJSON)},
		{"cfn-yaml", append([]string{"-bucket", tBucket, "-prefix", "cur", "-kms-key-arn", tKMS, "-kms-key-arn", tKMS2, "-output", "cfn-yaml"}, trust...), string(tmplYAML)},
		{"quick-create-url", append([]string{"-bucket", tBucket, "-prefix", "cur", "-kms-key-arn", tKMS, "-kms-key-arn", tKMS2,
			"-output", "quick-create-url", "-template-url", tTemplate}, trust...), link + "\n"},
		{"standard flags are accepted", []string{"-endpoint", "http://127.0.0.1:1", "-path-style", "-bucket", tBucket, "-output", "policy"},
			mustJSON(iampolicy.CURReadPolicy(tBucket, ""))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runArgs(t, tc.args...)
			require.Equal(t, 0, code, "stderr: %s", stderr)
			assert.Equal(t, tc.want, stdout)
			assert.Empty(t, stderr)
		})
	}
}

func TestQuickCreateURLFlags(t *testing.T) {
	base := []string{"-bucket", tBucket, "-trusted-account", tAccount, "-external-id", tExternalID, "-output", "quick-create-url", "-template-url", tTemplate}
	stdout, stderr, code := runArgs(t, append(base, "-stack-name", "acme-billing", "-region", "eu-west-1")...)
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/quickcreate?"), stdout)
	assert.Contains(t, stdout, "&stackName=acme-billing&")

	// The partition picks the console and the default region.
	stdout, stderr, code = runArgs(t, "-bucket", tBucket, "-trusted-account", tAccount, "-external-id", tExternalID, "-partition", "aws-cn",
		"-output", "quick-create-url", "-template-url", "https://t.s3.cn-north-1.amazonaws.com.cn/role.json")
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "https://console.amazonaws.cn/cloudformation/home?region=cn-north-1#"), stdout)
	assert.Contains(t, stdout, url.QueryEscape("arn:aws-cn:iam::451234325714:root"))
}

// TestPrefixWithStarIsWrittenExactly: a -prefix holding * (legal in S3
// keys) is written with IAM's ${*}, never as a wildcard that would grant
// more than the prefix, in the policy and in the template's parameter
// default (which the template escapes the same way when the stack is
// created).
func TestPrefixWithStarIsWrittenExactly(t *testing.T) {
	stdout, stderr, code := runArgs(t, "-bucket", tBucket, "-prefix", "cur*/daily", "-output", "policy")
	require.Equal(t, 0, code, stderr)
	p, err := iampolicy.Parse([]byte(stdout))
	require.NoError(t, err)
	assert.Equal(t, iampolicy.Strings{"arn:aws:s3:::" + tBucket + "/cur${*}/daily/*"}, p.Statement[1].Resource)
	assert.NotContains(t, stdout, "cur*/daily")
	for key, want := range map[string]bool{"cur*/daily/k": true, "cur-2026/daily/k": false, "cur/daily/k": false} {
		d := iampolicy.Evaluate(iampolicy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + tBucket + "/" + key}, p)
		assert.Equal(t, want, d.IsAllowed(), "%s: %s", key, d)
	}

	stdout, stderr, code = runArgs(t, "-bucket", tBucket, "-prefix", "cur*/daily", "-trusted-account", tAccount, "-external-id", tExternalID, "-output", "cfn-json")
	require.Equal(t, 0, code, stderr)
	var tmpl iampolicy.Template
	require.NoError(t, json.Unmarshal([]byte(stdout), &tmpl))
	assert.Equal(t, "cur*/daily", tmpl.ParameterDefaults()[iampolicy.ParamReportPrefix])
	assert.Contains(t, stdout, `"${*}"`, "the template joins the prefix's parts with ${*}")
}

// TestShortExternalIDWarns: an -external-id shorter than 16 characters (an
// organization ID, as Optima's own flow uses) is accepted, with a warning
// on stderr that names the confused-deputy risk; a long one is not warned
// about, and an output that does not carry the ID says nothing.
func TestShortExternalIDWarns(t *testing.T) {
	const short = "o-a1b2c3d4e5"
	for _, out := range []string{"trust", "cfn-json", "cfn-yaml", "quick-create-url"} {
		t.Run(out, func(t *testing.T) {
			args := []string{"-bucket", tBucket, "-trusted-account", tAccount, "-external-id", short, "-output", out, "-template-url", tTemplate}
			stdout, stderr, code := runArgs(t, args...)
			require.Equal(t, 0, code, stderr)
			assert.NotEmpty(t, stdout)
			assert.Contains(t, stderr, "warning")
			assert.Contains(t, stderr, "confused-deputy")
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)

			_, stderr, code = runArgs(t, append(args, "-json")...)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stderr, "confused-deputy", "the warning goes to stderr with -json too")
		})
	}
	stdout, stderr, code := runArgs(t, "-trusted-account", tAccount, "-external-id", short, "-output", "trust")
	require.Equal(t, 0, code, stderr)
	p, err := iampolicy.Parse([]byte(stdout))
	require.NoError(t, err)
	assert.Equal(t, iampolicy.Strings{short}, p.Statement[0].Condition["StringEquals"]["sts:ExternalId"], "the short ID is used as given")

	_, stderr, code = runArgs(t, "-trusted-account", tAccount, "-external-id", tExternalID, "-output", "trust")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr, "no warning for a 26-character ID")

	_, stderr, code = runArgs(t, "-bucket", tBucket, "-trusted-account", tAccount, "-external-id", short, "-output", "policy")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr, "the read policy does not carry the external ID")
}

// TestHosted covers the flow of one template for every customer: the
// hosted template (no bucket or external ID of its own), each customer's
// link with their values, and the role's ARN derived after the stack is
// created.
func TestHosted(t *testing.T) {
	mustTemplate := func(in iampolicy.TemplateInput, yaml bool) string {
		tmpl, err := iampolicy.CloudFormationTemplate(in)
		require.NoError(t, err)
		b, err := tmpl.JSON()
		if yaml {
			b, err = tmpl.YAML()
		}
		require.NoError(t, err)
		return string(b)
	}
	mustLink := func(params map[string]string) string {
		link, err := iampolicy.QuickCreateURL("us-east-1", tTemplate, "curconnect-billing-read", params)
		require.NoError(t, err)
		return link + "\n"
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"template", []string{"-hosted", "-trusted-account", tAccount, "-output", "cfn-json"},
			mustTemplate(iampolicy.TemplateInput{TrustedPrincipal: tAccount, Hosted: true}, false)},
		{"template with prefix and role name", []string{"-hosted", "-trusted-principal", "arn:aws:iam::451234325714:role/reader", "-prefix", "cur",
			"-role-name", "acme-billing-read", "-output", "cfn-yaml"},
			mustTemplate(iampolicy.TemplateInput{TrustedPrincipal: "arn:aws:iam::451234325714:role/reader", Prefix: "cur", RoleName: "acme-billing-read", Hosted: true}, true)},
		{"link with the external ID only", []string{"-hosted", "-template-url", tTemplate, "-external-id", tExternalID, "-output", "quick-create-url"},
			mustLink(map[string]string{iampolicy.ParamExternalID: tExternalID})},
		{"link with bucket and prefix", []string{"-hosted", "-template-url", tTemplate, "-external-id", tExternalID, "-bucket", tBucket, "-prefix", "cur/",
			"-output", "quick-create-url"},
			mustLink(map[string]string{iampolicy.ParamExternalID: tExternalID, iampolicy.ParamBucketName: tBucket, iampolicy.ParamReportPrefix: "cur"})},
		{"link with an empty prefix (the whole bucket)", []string{"-hosted", "-template-url", tTemplate, "-external-id", tExternalID, "-prefix", "",
			"-output", "quick-create-url"},
			mustLink(map[string]string{iampolicy.ParamExternalID: tExternalID, iampolicy.ParamReportPrefix: ""})},
		{"role ARN", []string{"-output", "role-arn", "-account", tPayer}, "arn:aws:iam::111122223333:role/curconnect-billing-read\n"},
		{"role ARN in aws-cn with a role name", []string{"-output", "role-arn", "-account", tPayer, "-partition", "aws-cn", "-role-name", "acme"},
			"arn:aws-cn:iam::111122223333:role/acme\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runArgs(t, tc.args...)
			require.Equal(t, 0, code, stderr)
			assert.Equal(t, tc.want, stdout)
			assert.Empty(t, stderr)
		})
	}

	t.Run("link with a generated external ID", func(t *testing.T) {
		stdout, stderr, code := runArgs(t, "-hosted", "-template-url", tTemplate, "-generate-external-id", "-output", "quick-create-url", "-json")
		require.Equal(t, 0, code, stderr)
		var out struct {
			Output, ExternalID, Document string
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &out))
		require.NoError(t, iampolicy.ValidateExternalID(out.ExternalID))
		assert.Equal(t, strings.TrimSuffix(mustLink(map[string]string{iampolicy.ParamExternalID: out.ExternalID}), "\n"), out.Document)
	})
	t.Run("the hosted template holds no customer value", func(t *testing.T) {
		stdout, stderr, code := runArgs(t, "-hosted", "-trusted-account", tAccount, "-output", "cfn-json")
		require.Equal(t, 0, code, stderr)
		var tmpl iampolicy.Template
		require.NoError(t, json.Unmarshal([]byte(stdout), &tmpl))
		assert.NotContains(t, tmpl.ParameterDefaults(), iampolicy.ParamBucketName)
		assert.NotContains(t, tmpl.ParameterDefaults(), iampolicy.ParamExternalID)
		assert.Equal(t, []string{iampolicy.DefaultRoleName}, tmpl.Parameters[iampolicy.ParamRoleName].AllowedValues)
	})
}

func TestGenerateExternalID(t *testing.T) {
	args := []string{"-trusted-account", tAccount, "-generate-external-id", "-output", "trust"}
	stdout, stderr, code := runArgs(t, args...)
	require.Equal(t, 0, code, stderr)
	p, err := iampolicy.Parse([]byte(stdout))
	require.NoError(t, err)
	ids := p.Statement[0].Condition["StringEquals"]["sts:ExternalId"]
	require.Len(t, ids, 1)
	id := ids[0]
	require.NoError(t, iampolicy.ValidateExternalID(id))
	assert.GreaterOrEqual(t, len(id), 26, "at least 128 bits")
	assert.Contains(t, stderr, id, "the generated ID is reported on stderr")

	stdout2, _, code := runArgs(t, args...)
	require.Equal(t, 0, code)
	assert.NotEqual(t, stdout, stdout2, "every run generates a new ID")

	// With -json the ID is in the object, and stderr stays quiet.
	stdout, stderr, code = runArgs(t, append(args, "-json")...)
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	var out struct {
		Output     string
		ExternalID string `json:"externalId"`
		Document   iampolicy.Policy
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	assert.Equal(t, "trust", out.Output)
	require.NoError(t, iampolicy.ValidateExternalID(out.ExternalID))
	assert.Equal(t, iampolicy.Strings{out.ExternalID}, out.Document.Statement[0].Condition["StringEquals"]["sts:ExternalId"])
}

func TestJSONOutput(t *testing.T) {
	stdout, stderr, code := runArgs(t, "-bucket", tBucket, "-output", "policy", "-json")
	require.Equal(t, 0, code, stderr)
	var out map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	assert.Equal(t, `"policy"`, string(out["output"]))
	assert.NotContains(t, out, "externalId")
	p, err := iampolicy.Parse(out["document"])
	require.NoError(t, err)
	want, err := iampolicy.CURReadPolicy(tBucket, "")
	require.NoError(t, err)
	assert.Equal(t, want, p)

	stdout, stderr, code = runArgs(t, "-bucket", tBucket, "-trusted-account", tAccount, "-external-id", tExternalID, "-output", "cfn-yaml", "-json")
	require.Equal(t, 0, code, stderr)
	var y struct {
		Document   string
		ExternalID string `json:"externalId"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &y))
	assert.True(t, strings.HasPrefix(y.Document, `AWSTemplateFormatVersion: "2010-09-09"`), y.Document)
	assert.Equal(t, tExternalID, y.ExternalID)
}

func TestBadInput(t *testing.T) {
	trust := []string{"-trusted-account", tAccount, "-external-id", tExternalID}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no flags", nil},
		{"unknown flag", []string{"-bucket", tBucket, "-output", "policy", "-nope"}},
		{"missing -output", []string{"-bucket", tBucket}},
		{"unknown -output", []string{"-bucket", tBucket, "-output", "terraform"}},
		{"positional argument", []string{"-bucket", tBucket, "-output", "policy", "extra"}},
		{"policy without -bucket", []string{"-output", "policy"}},
		{"invalid bucket", []string{"-bucket", "My_Bucket", "-output", "policy"}},
		{"invalid prefix", []string{"-bucket", tBucket, "-prefix", "a b", "-output", "policy"}},
		{"prefix with a question mark", []string{"-bucket", tBucket, "-prefix", "cur?", "-output", "policy"}},
		{"template for a prefix with a question mark", append([]string{"-bucket", tBucket, "-prefix", "cur?", "-output", "cfn-json"}, trust...)},
		{"invalid partition", []string{"-bucket", tBucket, "-partition", "aws-iso", "-output", "policy"}},
		{"KMS key in another partition", []string{"-bucket", tBucket, "-partition", "aws-cn", "-kms-key-arn", tKMS, "-output", "policy"}},
		{"KMS key that is not an ARN", []string{"-bucket", tBucket, "-kms-key-arn", "key-1", "-output", "policy"}},
		{"both trusted flags", []string{"-trusted-account", tAccount, "-trusted-principal", "arn:aws:iam::451234325714:root", "-external-id", tExternalID, "-output", "trust"}},
		{"no trusted principal", []string{"-external-id", tExternalID, "-output", "trust"}},
		{"trusted account not 12 digits", []string{"-trusted-account", "4512", "-external-id", tExternalID, "-output", "trust"}},
		{"trusted principal not an ARN", []string{"-trusted-principal", tAccount, "-external-id", tExternalID, "-output", "trust"}},
		{"trusted principal a bucket ARN", []string{"-trusted-principal", "arn:aws:s3:::b", "-external-id", tExternalID, "-output", "trust"}},
		{"trusted principal with a wildcard", []string{"-trusted-principal", "arn:aws:iam::123456789012:role/*", "-external-id", tExternalID, "-output", "trust"}},
		{"trusted principal with a ? wildcard", []string{"-trusted-principal", "arn:aws:iam::123456789012:user/x?", "-external-id", tExternalID, "-output", "trust"}},
		{"template for a wildcard principal", []string{"-bucket", tBucket, "-trusted-principal", "arn:aws:iam::123456789012:role/*", "-external-id", tExternalID, "-output", "cfn-yaml"}},
		{"no external ID", []string{"-trusted-account", tAccount, "-output", "trust"}},
		{"both external ID flags", []string{"-trusted-account", tAccount, "-external-id", tExternalID, "-generate-external-id", "-output", "trust"}},
		{"invalid external ID", []string{"-trusted-account", tAccount, "-external-id", "has space", "-output", "trust"}},
		{"bucket-policy without -account", []string{"-bucket", tBucket, "-output", "bucket-policy"}},
		{"bucket-policy with invalid -account", []string{"-bucket", tBucket, "-account", "12", "-output", "bucket-policy"}},
		{"cfn-json without trust", []string{"-bucket", tBucket, "-output", "cfn-json"}},
		{"cfn-yaml without bucket", append([]string{"-output", "cfn-yaml"}, trust...)},
		{"quick-create without -template-url", append([]string{"-bucket", tBucket, "-output", "quick-create-url"}, trust...)},
		{"quick-create with http URL", append([]string{"-bucket", tBucket, "-output", "quick-create-url", "-template-url", "http://x/t"}, trust...)},
		{"quick-create with bad stack name", append([]string{"-bucket", tBucket, "-output", "quick-create-url", "-template-url", tTemplate, "-stack-name", "1x"}, trust...)},
		{"quick-create with bad region", append([]string{"-bucket", tBucket, "-output", "quick-create-url", "-template-url", tTemplate, "-region", "mars-1"}, trust...)},
		{"quick-create region in another partition", append([]string{"-bucket", tBucket, "-output", "quick-create-url", "-template-url", tTemplate, "-region", "cn-north-1"}, trust...)},
		{"hosted template with -bucket", []string{"-hosted", "-bucket", tBucket, "-trusted-account", tAccount, "-output", "cfn-json"}},
		{"hosted template with -external-id", []string{"-hosted", "-trusted-account", tAccount, "-external-id", tExternalID, "-output", "cfn-yaml"}},
		{"hosted template with -generate-external-id", []string{"-hosted", "-trusted-account", tAccount, "-generate-external-id", "-output", "cfn-json"}},
		{"hosted template with a KMS key", []string{"-hosted", "-trusted-account", tAccount, "-kms-key-arn", tKMS, "-output", "cfn-json"}},
		{"hosted template without a trusted principal", []string{"-hosted", "-output", "cfn-json"}},
		{"hosted template with a bad role name", []string{"-hosted", "-trusted-account", tAccount, "-role-name", "a b", "-output", "cfn-json"}},
		{"hosted link without an external ID", []string{"-hosted", "-template-url", tTemplate, "-output", "quick-create-url"}},
		{"hosted link with a trusted principal", []string{"-hosted", "-template-url", tTemplate, "-external-id", tExternalID, "-trusted-account", tAccount, "-output", "quick-create-url"}},
		{"hosted link with an invalid bucket", []string{"-hosted", "-template-url", tTemplate, "-external-id", tExternalID, "-bucket", "My_Bucket", "-output", "quick-create-url"}},
		{"hosted link with an invalid prefix", []string{"-hosted", "-template-url", tTemplate, "-external-id", tExternalID, "-prefix", "cur?", "-output", "quick-create-url"}},
		{"hosted link with an invalid external ID", []string{"-hosted", "-template-url", tTemplate, "-external-id", "has space", "-output", "quick-create-url"}},
		{"hosted link without -template-url", []string{"-hosted", "-external-id", tExternalID, "-output", "quick-create-url"}},
		{"hosted policy", []string{"-hosted", "-bucket", tBucket, "-output", "policy"}},
		{"role-arn without -account", []string{"-output", "role-arn"}},
		{"role-arn with an invalid -account", []string{"-output", "role-arn", "-account", "1234"}},
		{"role-arn with an invalid -role-name", []string{"-output", "role-arn", "-account", tPayer, "-role-name", "a/b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tc.args, &stdout, &stderr)
			require.Error(t, err)
			assert.Equal(t, 2, exitCode(err), "error: %v", err)
			assert.Empty(t, stdout.String(), "nothing is printed on bad input")
			assert.NotContains(t, err.Error(), tExternalID, "errors never repeat the external ID")
		})
	}
}

func TestHelpAndExitCodes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"-h"}, &stdout, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Equal(t, 0, exitCode(err))
	assert.Contains(t, stderr.String(), "-account is the customer's payer account")
	for _, name := range []string{"-bucket", "-prefix", "-trusted-account", "-trusted-principal", "-external-id", "-generate-external-id",
		"-partition", "-kms-key-arn", "-output", "-template-url", "-stack-name", "-region", "-account", "-endpoint", "-path-style", "-json",
		"-hosted", "-role-name"} {
		assert.Regexp(t, `(?m)^  `+name+`( |$)`, stderr.String(), "usage lists %s", name)
	}

	assert.Equal(t, 0, exitCode(nil))
	assert.Equal(t, 1, exitCode(errors.New("some failure")))
	assert.Equal(t, 2, exitCode(curerr.ErrMalformed))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = run(ctx, []string{"-bucket", tBucket, "-output", "policy"}, &stdout, &stderr)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, exitCode(err))
}

// TestCFNOutputLintsAndCreatesInMoto is the check: the command
//
//	policygen -bucket my-cur-bucket -trusted-account 451234325714 -external-id … -output cfn-json
//
// prints a template that cfn-lint accepts with no errors or warnings and
// that `aws cloudformation create-stack` creates in moto_server; the stack's
// RoleARN names a role with the generated trust and read policy.
func TestCFNOutputLintsAndCreatesInMoto(t *testing.T) {
	base := []string{"-bucket", tBucket, "-trusted-account", tAccount, "-external-id", tExternalID}
	dir := t.TempDir()
	files := map[string]string{}
	for out, ext := range map[string]string{"cfn-json": ".json", "cfn-yaml": ".yaml"} {
		stdout, stderr, code := runArgs(t, append(base, "-output", out)...)
		require.Equal(t, 0, code, stderr)
		p := filepath.Join(dir, "template"+ext) // cfn-lint picks the parser by extension
		require.NoError(t, os.WriteFile(p, []byte(stdout), 0o644))
		files[out] = p
	}

	t.Run("cfn-lint", func(t *testing.T) {
		t.Parallel()
		lint := testutil.LookTool(t, "cfn-lint")
		out, err := exec.CommandContext(t.Context(), lint, "--", files["cfn-json"], files["cfn-yaml"]).CombinedOutput()
		require.NoError(t, err, "cfn-lint reported errors or warnings:\n%s", out)
		assert.Empty(t, strings.TrimSpace(string(out)))
	})

	t.Run("aws cloudformation create-stack in moto", func(t *testing.T) {
		t.Parallel()
		m := testutil.StartMoto(t)
		cli := awsCLI(t, m)
		path := files["cfn-json"]
		cli("cloudformation", "create-stack", "--stack-name", "policygen", "--template-body", "file://"+path, "--capabilities", "CAPABILITY_NAMED_IAM")
		stack := waitStack(t, cli, "policygen")
		require.Equal(t, "CREATE_COMPLETE", stack.StackStatus, stack.StackStatusReason)
		var roleARN, policyARN string
		for _, o := range stack.Outputs {
			switch o.OutputKey {
			case "RoleARN":
				roleARN = o.OutputValue
			case "PolicyARN":
				policyARN = o.OutputValue
			}
		}
		require.Equal(t, "arn:aws:iam::"+testutil.MotoAccountID+":role/"+iampolicy.DefaultRoleName, roleARN)

		iamc := iam.NewFromConfig(m.AWSConfig())
		r, err := iamc.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(iampolicy.DefaultRoleName)})
		require.NoError(t, err)
		doc, err := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
		require.NoError(t, err)
		gotTrust, err := iampolicy.Parse([]byte(doc))
		require.NoError(t, err)
		wantTrust, err := iampolicy.CrossAccountTrust(tAccount, tExternalID)
		require.NoError(t, err)
		assert.Equal(t, wantTrust, gotTrust)

		require.NotEmpty(t, policyARN)
		pol, err := iamc.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
		require.NoError(t, err)
		ver, err := iamc.GetPolicyVersion(t.Context(), &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: pol.Policy.DefaultVersionId})
		require.NoError(t, err)
		doc, err = url.QueryUnescape(aws.ToString(ver.PolicyVersion.Document))
		require.NoError(t, err)
		gotRead, err := iampolicy.Parse([]byte(doc))
		require.NoError(t, err)
		wantRead, err := iampolicy.CURReadPolicy(tBucket, "")
		require.NoError(t, err)
		assert.Equal(t, wantRead, gotRead)
	})
}

// TestHostedOutputLintsAndCreatesInMoto runs the hosted flow end to end
// with real tools: the hosted template (JSON and YAML) lints clean with
// cfn-lint; a customer's link from quick-create-url -hosted carries the
// parameters with which `aws cloudformation create-stack` creates the stack
// in moto_server; and role-arn prints the stack's RoleARN output without
// reading it, for a role with the customer's trust and read policy.
func TestHostedOutputLintsAndCreatesInMoto(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for out, ext := range map[string]string{"cfn-json": ".json", "cfn-yaml": ".yaml"} {
		// Each format's template names its own role, so both stacks fit in
		// one account.
		stdout, stderr, code := runArgs(t, "-hosted", "-trusted-account", tAccount, "-prefix", "cur", "-role-name", "reader-"+out, "-output", out)
		require.Equal(t, 0, code, stderr)
		p := filepath.Join(dir, "hosted"+ext)
		require.NoError(t, os.WriteFile(p, []byte(stdout), 0o644))
		files[out] = p
	}

	t.Run("cfn-lint", func(t *testing.T) {
		t.Parallel()
		lint := testutil.LookTool(t, "cfn-lint")
		out, err := exec.CommandContext(t.Context(), lint, "--", files["cfn-json"], files["cfn-yaml"]).CombinedOutput()
		require.NoError(t, err, "cfn-lint reported errors or warnings:\n%s", out)
		assert.Empty(t, strings.TrimSpace(string(out)))
	})

	t.Run("create-stack with the link's parameters in moto", func(t *testing.T) {
		t.Parallel()
		m := testutil.StartMoto(t)
		cli := awsCLI(t, m)
		const customerBucket, customerID = "acme-billing", "acme-7Q4M7ZK2XWJ3N5R6T"
		stdout, stderr, code := runArgs(t, "-hosted", "-template-url", tTemplate, "-external-id", customerID, "-bucket", customerBucket,
			"-output", "quick-create-url")
		require.Equal(t, 0, code, stderr)
		u, err := url.Parse(strings.TrimSpace(stdout))
		require.NoError(t, err)
		_, query, _ := strings.Cut(u.EscapedFragment(), "?")
		q, err := url.ParseQuery(query)
		require.NoError(t, err)
		var params []string
		for k, v := range q {
			if name, ok := strings.CutPrefix(k, "param_"); ok {
				params = append(params, "ParameterKey="+name+",ParameterValue="+v[0])
			}
		}
		require.Len(t, params, 2, "the link carries the external ID and the bucket")

		for _, format := range []string{"cfn-json", "cfn-yaml"} {
			name := "hosted-" + format
			args := append([]string{"cloudformation", "create-stack", "--stack-name", name, "--template-body", "file://" + files[format],
				"--capabilities", "CAPABILITY_NAMED_IAM", "--parameters"}, params...)
			cli(args...)
			stack := waitStack(t, cli, name)
			require.Equal(t, "CREATE_COMPLETE", stack.StackStatus, stack.StackStatusReason)

			roleName := "reader-" + format
			stdout, stderr, code := runArgs(t, "-output", "role-arn", "-account", testutil.MotoAccountID, "-role-name", roleName)
			require.Equal(t, 0, code, stderr)
			roleARN := strings.TrimSpace(stdout)
			var outputRoleARN string
			for _, o := range stack.Outputs {
				if o.OutputKey == iampolicy.OutputRoleARN {
					outputRoleARN = o.OutputValue
				}
			}
			assert.Equal(t, outputRoleARN, roleARN, "role-arn derives the stack's RoleARN output")

			iamc := iam.NewFromConfig(m.AWSConfig())
			r, err := iamc.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(roleName)})
			require.NoError(t, err)
			assert.Equal(t, roleARN, aws.ToString(r.Role.Arn))
			doc, err := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
			require.NoError(t, err)
			gotTrust, err := iampolicy.Parse([]byte(doc))
			require.NoError(t, err)
			wantTrust, err := iampolicy.CrossAccountTrust(tAccount, customerID)
			require.NoError(t, err)
			assert.Equal(t, wantTrust, gotTrust, "the customer's external ID from the link")

			ap, err := iamc.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)})
			require.NoError(t, err)
			require.Len(t, ap.AttachedPolicies, 1)
			pol, err := iamc.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: ap.AttachedPolicies[0].PolicyArn})
			require.NoError(t, err)
			ver, err := iamc.GetPolicyVersion(t.Context(), &iam.GetPolicyVersionInput{PolicyArn: pol.Policy.Arn, VersionId: pol.Policy.DefaultVersionId})
			require.NoError(t, err)
			doc, err = url.QueryUnescape(aws.ToString(ver.PolicyVersion.Document))
			require.NoError(t, err)
			gotRead, err := iampolicy.Parse([]byte(doc))
			require.NoError(t, err)
			wantRead, err := iampolicy.CURReadPolicy(customerBucket, "cur")
			require.NoError(t, err)
			assert.Equal(t, wantRead, gotRead, "the customer's bucket from the link, the template's prefix")

		}
	})
}

// awsCLI returns a function that runs the aws CLI against moto and returns
// its standard output, failing the test when the command fails.
func awsCLI(t *testing.T, m *testutil.Moto) func(args ...string) []byte {
	t.Helper()
	bin := testutil.LookTool(t, "aws")
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	return func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), bin, append([]string{"--endpoint-url", m.Endpoint, "--output", "json"}, args...)...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "aws %s: %s", strings.Join(args, " "), stderr.String())
		return out
	}
}

// cliStack is a stack as describe-stacks prints it.
type cliStack struct {
	StackStatus       string
	StackStatusReason string
	Outputs           []struct{ OutputKey, OutputValue string }
}

// waitStack polls describe-stacks until the stack leaves
// CREATE_IN_PROGRESS, for at most a minute.
func waitStack(t *testing.T, cli func(...string) []byte, name string) cliStack {
	t.Helper()
	var stack cliStack
	deadline := time.Now().Add(60 * time.Second)
	for {
		var desc struct{ Stacks []json.RawMessage }
		require.NoError(t, json.Unmarshal(cli("cloudformation", "describe-stacks", "--stack-name", name), &desc))
		require.Len(t, desc.Stacks, 1)
		require.NoError(t, json.Unmarshal(desc.Stacks[0], &stack))
		if stack.StackStatus != "CREATE_IN_PROGRESS" || time.Now().After(deadline) {
			return stack
		}
		time.Sleep(200 * time.Millisecond)
	}
}
