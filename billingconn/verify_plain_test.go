package billingconn

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/curconnect/curconnect/iampolicy"
)

// A remediation is shown to the customer who owns the AWS account. It may
// name IAM actions and condition keys (s3:GetObject, sts:ExternalId),
// ARNs, s3:// locations, service principals and console pages, and never
// what only a developer knows: Go identifiers and selectors
// (VerifyOptions.PropagationWait, iampolicy.CURReadPolicy), CamelCase API
// names and options (GetBucketLocation, S3Bucket, PayerAccountID),
// package names, constants, flags, code punctuation or policy JSON. Those
// belong in CheckResult.Hint.
var (
	// Data the customer's own account holds or reads: removed before the
	// checks below.
	customerDataRE = regexp.MustCompile(`arn:[^\s,;()]+|s3://[^\s,;()]+|\b[a-z0-9-]+:[A-Za-z*][A-Za-z0-9*]*`)
	codeRules      = []struct {
		name string
		re   *regexp.Regexp
	}{
		{"Go selector or dotted name", regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\.[A-Z][A-Za-z0-9_]*`)},
		{"CamelCase identifier", regexp.MustCompile(`\b[A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*\b`)},
		{"package or program name", regexp.MustCompile(`\b(iampolicy|billingconn|curreader|curerr|awserr|smithy|stscreds|examples/[a-z]+)\b`)},
		{"constant or environment variable", regexp.MustCompile(`\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b`)},
		{"flag", regexp.MustCompile(`(^|\s)-[a-z]+(-[a-z]+)*\b`)},
		{"code punctuation", regexp.MustCompile("[{}`&]|\\(\\)|\\[\\]|\\bnil\\b|\\berr\\b")},
	}
	// Product names written in CamelCase.
	productNames = []string{"CloudFormation", "CloudTrail"}
)

// codeInCustomerText returns what in s only a developer would understand,
// one "rule: match" per find, or nil.
func codeInCustomerText(s string) []string {
	s = customerDataRE.ReplaceAllString(s, "data")
	for _, p := range productNames {
		s = strings.ReplaceAll(s, p, "")
	}
	var out []string
	for _, r := range codeRules {
		for _, m := range r.re.FindAllString(s, -1) {
			out = append(out, r.name+": "+strings.TrimSpace(m))
		}
	}
	return out
}

// seenRemediations collects every remediation any Verify in this
// package's tests produced (resultHook), by check.
var seenRemediations struct {
	sync.Mutex
	byText map[string]CheckID
}

func TestMain(m *testing.M) {
	seenRemediations.byText = map[string]CheckID{}
	resultHook = func(r CheckResult) {
		if r.Remediation == "" {
			return
		}
		seenRemediations.Lock()
		seenRemediations.byText[r.Remediation] = r.ID
		seenRemediations.Unlock()
	}
	code := m.Run()
	if bad := plainViolations(); len(bad) > 0 {
		fmt.Fprintln(os.Stderr, "--- FAIL: remediations with code identifiers (move them to CheckResult.Hint):")
		for _, b := range bad {
			fmt.Fprintln(os.Stderr, "    "+b)
		}
		code = 1
	} else if testing.Verbose() {
		fmt.Printf("remediations checked for code identifiers: %d distinct, all plain\n", len(seenRemediations.byText))
	}
	os.Exit(code)
}

func plainViolations() []string {
	seenRemediations.Lock()
	defer seenRemediations.Unlock()
	var out []string
	for text, id := range seenRemediations.byText {
		if found := codeInCustomerText(text); len(found) > 0 {
			out = append(out, fmt.Sprintf("%s: %q: %s", id, text, strings.Join(found, "; ")))
		}
	}
	sort.Strings(out)
	return out
}

func TestCodeInCustomerText(t *testing.T) {
	// The remediations the issue quoted, and others from before the
	// split into remediation and hint: every one is caught.
	for _, s := range []string{
		"Right after a role or policy is created, IAM can take a few seconds to propagate: retry (VerifyOptions.PropagationWait).",
		`Check that its trust policy allows it (statement "TrustPlatform" of iampolicy.CrossAccountTrust).`,
		"The platform's AWS credentials are invalid or expired: pass them in Clients.Credentials.",
		"Check the bucket name: it must be the report definition's or export's S3 bucket (S3Bucket), in the payer account.",
		"Set the connection's PayerAccountID to the management account 111122223333.",
		`iampolicy.CURReadPolicy grants it in statement "ReadBillingReports": {"Sid":"ReadBillingReports","Effect":"Allow"}.`,
		"Apply the fix: ModifyReportDefinition (Finding.Fix holds the exact input; examples/validate prints the AWS CLI command).",
		"Set AWS_ENDPOINT_URL or pass -endpoint.",
		"Reported as SIGNATURE_MISMATCH.",
		"check err != nil",
	} {
		assert.NotEmpty(t, codeInCustomerText(s), s)
	}
	// Customer words, IAM actions, ARNs, locations, principals, products.
	for _, s := range []string{
		"The role's policies do not allow s3:GetObject on arn:aws:s3:::acme-billing/cur/Report.Manifest.json.",
		"Allow only billingreports.amazonaws.com and bcm-data-exports.amazonaws.com to write to the bucket (s3:PutObject).",
		"Check that its trust policy allows arn:aws:iam::111122223333:role/PlatformRole to call sts:AssumeRole when sts:ExternalId equals the external ID.",
		"Wait for the first delivery to s3://acme-billing/cur/ and verify again.",
		"Create the stack in CloudFormation; the console's IAM page lists the key's IDs.",
		"Add cur:DescribeReportDefinitions, bcm-data-exports:ListExports and bcm-data-exports:GetExport.",
		"The clock of the platform's server is off, so AWS refuses its requests.",
	} {
		assert.Empty(t, codeInCustomerText(s), s)
	}
}

// TestRemediationsArePlain checks the remediations that do not depend on
// an AWS answer, for every branch; the ones Verify builds from AWS's
// answers are checked as every test of the package produces them
// (TestMain).
func TestRemediationsArePlain(t *testing.T) {
	var texts []string
	for _, id := range []CheckID{CheckCredentials, CheckManifest, CheckReportDefinition} {
		for _, retry := range []bool{false, true} {
			rem, _ := defaultRemediation(id, retry)
			texts = append(texts, rem)
		}
	}
	texts = append(texts, noPlatformCredentials)
	for k := iampolicy.GapKind(0); k <= iampolicy.GapKind(12); k++ {
		texts = append(texts, gapForCustomer(&iampolicy.Gap{Kind: k, RequiredResource: "arn:aws:s3:::b/p/*"}, "s3:GetObject", "arn:aws:s3:::b/p/k", "arn:aws:s3:::b/p/*"))
	}
	texts = append(texts, gapForCustomer(nil, "s3:ListBucket", "arn:aws:s3:::b", "arn:aws:s3:::b"))
	for _, f := range []Finding{
		{Code: CodeTimeUnitNotHourly, Field: "TimeUnit", Message: "optima needs TimeUnit HOURLY", Fix: &Fix{Action: FixPutReportDefinition, Note: "AWS cannot change TimeUnit"}},
		{Code: CodeS3BucketInvalid, Field: "S3Bucket", Message: "S3Bucket is empty"},
	} {
		var r CheckResult
		definitionRemediation(&r, f)
		texts = append(texts, r.Remediation)
		assert.NotEmpty(t, r.Hint)
	}
	v := &verifier{conn: stubKeyConn()}
	for _, id := range []CheckID{CheckCredentials, CheckListPrefix} {
		for _, conn := range []Connection{stubKeyConn(), stubRoleConn()} {
			v.conn = conn
			for _, err := range []error{canned(t, "SignatureDoesNotMatch"), canned(t, "RequestTimeTooSkewed")} {
				r := CheckResult{ID: id}
				v.explainSignature(&r, err)
				texts = append(texts, r.Remediation)
				assert.NotEmpty(t, r.Hint)
			}
		}
	}
	for _, s := range slices.Compact(texts) {
		assert.Empty(t, codeInCustomerText(s), s)
		assert.NotEmpty(t, s)
	}
}
