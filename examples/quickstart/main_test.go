package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
)

// quickstartKeyLines are lines the quickstart must print, whatever its
// random external ID and port.
var quickstartKeyLines = []string{
	"== 1. AWS delivers the reports",
	"== 2. The documents the customer creates",
	"== 3. Are the reports set up as each platform needs?",
	"acme-cur   for optima: ready",
	"== 4. Verify the connection, step by step",
	"== 5. Every report and billing period in the bucket",
	"== 6. Cost by service and by account (exact, from acme-cur)",
	"Checked: every total, per service and per account, equals what was",
	"All checks passed.",
}

func TestQuickstartText(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-external-id", "ext-quickstart-1"}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	s := out.String()
	for _, want := range quickstartKeyLines {
		assert.Contains(t, s, want)
	}
	assert.Contains(t, s, "External ID: ext-quickstart-1")
	assert.Contains(t, s, "arn:aws:s3:::acme-billing-111122223333/cur/*")
	assert.Contains(t, s, "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?templateURL=")
	assert.Regexp(t, `acme-cur\s+for eco:\s+\d+ findings`, s)
	assert.Regexp(t, `manifest\s+pass`, s)
	// Readable on an 80-column terminal: only URLs may run longer.
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, "https://") {
			assert.LessOrEqual(t, len([]rune(line)), 80, "%q", line)
		}
	}
	assert.NotContains(t, s, demoSecretKey, "the demo's secret key is never printed")
}

func TestQuickstartShowDocuments(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"-show-documents", "-external-id", "ext-quickstart-1"}, &out, &errOut))
	s := out.String()
	for _, want := range []string{"-- Read policy", "-- Trust policy", "-- Bucket policy", "-- CloudFormation template", "AWS::IAM::Role",
		`"sts:ExternalId": "ext-quickstart-1"`, "billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"} {
		assert.Contains(t, s, want)
	}
}

func TestQuickstartJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"-json", "-prefix", "billing"}, &out, &errOut), errOut.String())
	var st struct {
		Bucket     string
		Embedded   bool
		Generated  []generatedStream
		Documents  documents
		Validation []struct {
			Definition, Profile string
			Findings            []struct{ Code, Severity, Field, Message string }
		}
		Verification struct {
			Checks []struct{ ID, Status string }
		}
		Reports       []listedDelivery
		Summary       *summary
		ExportSummary *summary
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &st))
	assert.True(t, st.Embedded)
	assert.Len(t, st.Generated, 2)
	require.NoError(t, iampolicy.ValidateExternalID(st.Documents.ExternalID), "a fresh external ID is generated")
	require.NoError(t, st.Documents.ReadPolicy.ValidateIdentity())
	require.NoError(t, st.Documents.TrustPolicy.ValidateTrust())
	assert.Equal(t, iampolicy.Strings{"arn:aws:s3:::acme-billing-111122223333/billing/*"}, st.Documents.ReadPolicy.Statement[1].Resource)
	var tmpl iampolicy.Template
	require.NoError(t, json.Unmarshal(st.Documents.Template, &tmpl))
	assert.Contains(t, tmpl.Outputs, "RoleARN")
	assert.Len(t, st.Validation, 4, "two definitions × two profiles")
	for _, v := range st.Validation {
		for _, f := range v.Findings {
			assert.NotEmpty(t, f.Message)
		}
	}
	require.NotEmpty(t, st.Verification.Checks)
	for _, c := range st.Verification.Checks {
		assert.Equal(t, "pass", c.Status, c.ID)
	}
	assert.Len(t, st.Reports, 4, "two months of two streams")
	require.NotNil(t, st.Summary)
	assert.True(t, st.Summary.Checked, "the sums were checked against the generated totals")
	assert.Len(t, st.Summary.Months, 2)
	require.NotNil(t, st.ExportSummary, "the CUR 2.0 Parquet export is summed too")
	assert.True(t, st.ExportSummary.Checked, "the Parquet sums were checked against the generated totals")
	assert.Len(t, st.ExportSummary.Months, 2)
	assert.NotContains(t, out.String(), demoSecretKey)
}

func TestQuickstartBadInput(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-external-id", "bad id!"}, {"-trusted-account", "12"}, {"-role-arn", "arn:aws:iam::111122223333:role/x"}} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, &out, &errOut)
		require.Error(t, err, args)
		assert.Equal(t, exitBadInput, exitCode(err, &errOut), "%v: %v", args, err)
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, exitOK, exitCode(run(t.Context(), []string{"-h"}, &out, &errOut), &errOut))
}
