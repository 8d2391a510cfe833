package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
)

// quickstartKeyLines are lines the quickstart must print, whatever its
// random external ID.
var quickstartKeyLines = []string{
	"== 1. Read policy", "== 2. Trust policy", "== 3. Bucket policy", "== 4. CloudFormation template",
}

func TestQuickstartText(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-external-id", "ext-quickstart-1"}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	s := out.String()
	for _, want := range []string{
		"== 1. Read policy", "== 2. Trust policy", "== 3. Bucket policy",
		`"Resource": "arn:aws:s3:::acme-billing-111122223333/cur/*"`,
		`"sts:ExternalId": "ext-quickstart-1"`,
		`"AWS": "arn:aws:iam::451234325714:root"`,
		"billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com",
		"== 4. CloudFormation template", "AWS::IAM::Role", "RoleARN",
		"https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?templateURL=",
	} {
		assert.Contains(t, s, want)
	}
}

func TestQuickstartJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"-json", "-bucket", "other-bucket", "-prefix", ""}, &out, &errOut))
	var d documents
	require.NoError(t, json.Unmarshal(out.Bytes(), &d))
	require.NoError(t, iampolicy.ValidateExternalID(d.ExternalID), "a fresh external ID is generated")
	require.NoError(t, d.ReadPolicy.ValidateIdentity())
	require.NoError(t, d.TrustPolicy.ValidateTrust())
	assert.Equal(t, iampolicy.Strings{"arn:aws:s3:::other-bucket/*"}, d.ReadPolicy.Statement[1].Resource)
	var tmpl iampolicy.Template
	require.NoError(t, json.Unmarshal(d.Template, &tmpl))
	assert.Contains(t, tmpl.Outputs, "RoleARN")
	assert.Contains(t, d.QuickCreateURL, "quickcreate?templateURL=")
}

func TestQuickstartBadInput(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-bucket", "Bad_Bucket"}, {"-trusted-account", "12"}} {
		err := run(t.Context(), args, &out, &errOut)
		require.Error(t, err, args)
		assert.Equal(t, exitBadInput, exitCode(err, &errOut), args)
	}
}
