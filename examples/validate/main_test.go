package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testdata = "../../billingconn/testdata/"

type result struct {
	code           int
	stdout, stderr string
}

func runValidate(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	code := exitCode(err, &errOut)
	return result{code, out.String(), errOut.String()}
}

type jsonOut struct {
	Findings []struct {
		File     string          `json:"file"`
		Code     string          `json:"code"`
		Severity string          `json:"severity"`
		Field    string          `json:"field"`
		Message  string          `json:"message"`
		FixID    *int            `json:"fixId"`
		Fix      json.RawMessage `json:"fix"`
	} `json:"findings"`
}

func decodeStrict(t *testing.T, s string) jsonOut {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var out jsonOut
	require.NoError(t, dec.Decode(&out), s)
	return out
}

func TestValidateClean(t *testing.T) {
	r := runValidate(t, "", "-profile", "optima", testdata+"legacy-optima-ok.json")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `legacy report "acme-cur" checked against AWS's rules and optima: 0 errors, 0 warnings`)

	r = runValidate(t, "", "-profile", "eco", "-json", testdata+"legacy-eco-ok.json")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, decodeStrict(t, r.stdout).Findings)
	assert.JSONEq(t, `{"findings": []}`, r.stdout)
}

func TestValidateFindingsText(t *testing.T) {
	r := runValidate(t, "", "-profile", "optima", testdata+"legacy-daily-wrapped.json", testdata+"export-cur2.json")
	assert.Equal(t, exitFindings, r.code)
	assert.Empty(t, r.stderr)
	for _, want := range []string{
		"SEVERITY  CODE", "TIME_UNIT_NOT_HOURLY", "RESOURCE_IDS_MISSING", "REFRESH_CLOSED_REPORTS_OFF", "COMPRESSION_NOT_GZIP",
		"fix (TIME_UNIT_NOT_HOURLY, RESOURCE_IDS_MISSING, REFRESH_CLOSED_REPORTS_OFF, COMPRESSION_NOT_GZIP): PutReportDefinition",
		"aws cur put-report-definition --region us-east-1 --cli-input-json '{\"ReportDefinition\":{\"ReportName\":\"acme-cur-optima\"",
		`Data Export "acme-cur2" checked against AWS's rules and optima: 1 error, 0 warnings`, "KIND_NOT_ACCEPTED",
	} {
		assert.Contains(t, r.stdout, want)
	}
}

func TestValidateFindingsJSON(t *testing.T) {
	file := testdata + "legacy-daily-wrapped.json"
	r := runValidate(t, "", "-json", "-profile", "optima", file)
	assert.Equal(t, exitFindings, r.code)
	out := decodeStrict(t, r.stdout)
	var codes []string
	for _, f := range out.Findings {
		codes = append(codes, f.Code)
		assert.Equal(t, file, f.File)
		assert.Equal(t, "error", f.Severity)
		assert.NotEmpty(t, f.Message)
	}
	assert.Equal(t, []string{"TIME_UNIT_NOT_HOURLY", "RESOURCE_IDS_MISSING", "REFRESH_CLOSED_REPORTS_OFF", "COMPRESSION_NOT_GZIP"}, codes)
	assert.Equal(t, "TimeUnit", out.Findings[0].Field)

	// One fix resolves the four: the first finding carries it, the
	// others name it by fixId.
	for i, f := range out.Findings {
		require.NotNil(t, f.FixID, f.Code)
		assert.Equal(t, 1, *f.FixID, f.Code)
		if i > 0 {
			assert.Equal(t, "null", string(f.Fix), "given once: %s", f.Code)
		}
	}
	assert.Equal(t, 1, strings.Count(r.stdout, `"action"`), "the fix's JSON appears once")

	// The fix's input is the CLI's put-report-definition input; it
	// validates clean when fed back in.
	var fix struct {
		Action string          `json:"action"`
		Note   string          `json:"note"`
		Input  json.RawMessage `json:"input"`
	}
	require.NoError(t, json.Unmarshal(out.Findings[0].Fix, &fix))
	assert.Equal(t, "PutReportDefinition", fix.Action)
	fixed := filepath.Join(t.TempDir(), "fixed.json")
	require.NoError(t, os.WriteFile(fixed, fix.Input, 0o600))
	r = runValidate(t, "", "-json", "-profile", "optima", fixed)
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Empty(t, decodeStrict(t, r.stdout).Findings)
}

func TestValidateProfiles(t *testing.T) {
	t.Run("profile file", func(t *testing.T) {
		r := runValidate(t, "", "-json", "-profile", testdata+"profile-opencost.json", testdata+"legacy-optima-ok.json")
		assert.Equal(t, exitFindings, r.code)
		var codes []string
		for _, f := range decodeStrict(t, r.stdout).Findings {
			codes = append(codes, f.Code)
		}
		assert.Equal(t, []string{"TIME_UNIT_NOT_DAILY", "VERSIONING_NOT_OVERWRITE"}, codes)
	})
	t.Run("two conflicting profiles", func(t *testing.T) {
		r := runValidate(t, "", "-profile", "optima", "-profile", "eco", testdata+"legacy-optima-ok.json")
		assert.Equal(t, exitFindings, r.code)
		assert.Contains(t, r.stdout, "PROFILES_CONFLICT")
		assert.Contains(t, r.stdout, "create a second report for eco")
		assert.Contains(t, r.stdout, `"ReportName":"acme-cur-eco"`)
	})
	t.Run("no profile: AWS's rules only", func(t *testing.T) {
		r := runValidate(t, "", testdata+"legacy-broken-athena.json")
		assert.Equal(t, exitFindings, r.code)
		assert.Contains(t, r.stdout, "ATHENA_REQUIRES_OVERWRITE")
		r = runValidate(t, "", testdata+"export-focus-bare.json", testdata+"describe-report-definitions.json")
		assert.Equal(t, exitOK, r.code, r.stdout)
		assert.Equal(t, 3, strings.Count(r.stdout, "checked against AWS's rules:"))
	})
	t.Run("warnings only exit 0", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "p.json")
		require.NoError(t, os.WriteFile(p, []byte(`{"name":"soft","splitCostAllocationData":"recommended"}`), 0o600))
		r := runValidate(t, "", "-json", "-profile", p, testdata+"legacy-optima-ok.json")
		assert.Equal(t, exitOK, r.code)
		out := decodeStrict(t, r.stdout)
		require.Len(t, out.Findings, 1)
		assert.Equal(t, "warning", out.Findings[0].Severity)
		assert.Equal(t, string(billingconn.CodeSplitCostMissing), out.Findings[0].Code)
	})
	t.Run("stdin", func(t *testing.T) {
		data, err := os.ReadFile(testdata + "legacy-daily-wrapped.json")
		require.NoError(t, err)
		r := runValidate(t, string(data), "-profile", "optima", "-")
		assert.Equal(t, exitFindings, r.code)
		assert.Contains(t, r.stdout, "-: legacy report")
	})
}

func TestValidateBadInput(t *testing.T) {
	dir := t.TempDir()
	badProfile := filepath.Join(dir, "bad-profile.json")
	require.NoError(t, os.WriteFile(badProfile, []byte(`{"name":"x","timeUnit":"WEEKLY"}`), 0o600))
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no files", []string{"-profile", "optima"}, "no definition files"},
		{"unknown flag", []string{"-bogus", testdata + "legacy-optima-ok.json"}, "bogus"},
		{"missing file", []string{"-profile", "optima", filepath.Join(dir, "nope.json")}, "nope.json"},
		{"not json", []string{"-profile", "optima", testdata + "bad.json"}, "bad.json"},
		{"neither kind", []string{testdata + "neither.json"}, "neither a ReportDefinition nor an Export"},
		{"unknown profile", []string{"-profile", "cloudhealth", testdata + "legacy-optima-ok.json"}, "not optima, eco"},
		{"invalid profile", []string{"-profile", badProfile, testdata + "legacy-optima-ok.json"}, "timeUnit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runValidate(t, "", tc.args...)
			assert.Equal(t, exitBadInput, r.code)
			assert.Contains(t, r.stderr, tc.stderr)
		})
	}
	t.Run("bad file among good ones still reports the good ones", func(t *testing.T) {
		r := runValidate(t, "", "-profile", "optima", testdata+"legacy-daily-wrapped.json", testdata+"bad.json")
		assert.Equal(t, exitBadInput, r.code)
		assert.Contains(t, r.stdout, "TIME_UNIT_NOT_HOURLY")
		assert.Contains(t, r.stderr, "bad.json")
	})
}
