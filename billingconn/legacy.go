package billingconn

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader"
)

// Limits and patterns from the CUR API model (reference §1.2).
const (
	maxReportNameLen     = 256
	maxS3BucketLen       = 256
	maxS3PrefixLen       = 256
	maxBillingViewARNLen = 128
	defaultPrefix        = "cur" // the prefix fixes propose when one is needed and none is set
)

var (
	curBucketRE      = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)
	curPrefixRE      = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()/]*$`)
	billingViewARNRE = regexp.MustCompile(`^(arn:aws(-cn)?:billing::[0-9]{12}:billingview/)?[a-zA-Z0-9_+=.\-@].{1,30}$`)
)

// legacyFix builds the fix for a legacy definition.
func legacyFix(d *curtypes.ReportDefinition, p pins, invalid bool) *Fix {
	f := correctLegacy(d, p)
	orig := *d
	orig.ReportStatus = nil
	if equalRD(&orig, &f) {
		return nil
	}
	note := regionNote(string(f.S3Region), string(d.S3Region), p)
	join := func(a, b string) string {
		if a == "" {
			return b
		}
		if b == "" {
			return a
		}
		return a + ". " + b
	}
	if invalid {
		return &Fix{Action: FixPutReportDefinition, PutReportDefinition: &cur.PutReportDefinitionInput{ReportDefinition: &f},
			Note: join("the definition as given breaks AWS's rules, so it cannot exist: create it corrected", note)}
	}
	if changed := immutableChanges(d, &f); len(changed) > 0 {
		oldName := aws.ToString(d.ReportName)
		if aws.ToString(f.ReportName) == oldName {
			suffix := strings.Join(p.names, "-")
			if suffix == "" {
				suffix = "fixed"
			}
			f.ReportName = aws.String(withSuffix(oldName, suffix, maxReportNameLen))
		}
		return &Fix{Action: FixPutReportDefinition, PutReportDefinition: &cur.PutReportDefinitionInput{ReportDefinition: &f},
			Note: join(fmt.Sprintf("AWS cannot change %s of an existing report: create this one, and delete %q once it has delivered", strings.Join(changed, ", "), oldName), note)}
	}
	return &Fix{Action: FixModifyReportDefinition,
		ModifyReportDefinition: &cur.ModifyReportDefinitionInput{ReportName: d.ReportName, ReportDefinition: &f}, Note: note}
}

func immutableChanges(a, b *curtypes.ReportDefinition) []string {
	var out []string
	if aws.ToString(a.ReportName) != aws.ToString(b.ReportName) {
		out = append(out, "ReportName")
	}
	if a.TimeUnit != b.TimeUnit {
		out = append(out, "TimeUnit")
	}
	if a.ReportVersioning != b.ReportVersioning {
		out = append(out, "ReportVersioning")
	}
	sa, sb := slices.Clone(a.AdditionalSchemaElements), slices.Clone(b.AdditionalSchemaElements)
	slices.Sort(sa)
	slices.Sort(sb)
	if !slices.Equal(sa, sb) {
		out = append(out, "AdditionalSchemaElements")
	}
	return out
}

func equalRD(a, b *curtypes.ReportDefinition) bool {
	eqp := func(x, y *string) bool { return (x == nil) == (y == nil) && aws.ToString(x) == aws.ToString(y) }
	eqb := func(x, y *bool) bool { return (x == nil) == (y == nil) && aws.ToBool(x) == aws.ToBool(y) }
	return eqp(a.ReportName, b.ReportName) && a.TimeUnit == b.TimeUnit && a.Format == b.Format &&
		a.Compression == b.Compression && slices.Equal(a.AdditionalSchemaElements, b.AdditionalSchemaElements) &&
		eqp(a.S3Bucket, b.S3Bucket) && eqp(a.S3Prefix, b.S3Prefix) && a.S3Region == b.S3Region &&
		slices.Equal(a.AdditionalArtifacts, b.AdditionalArtifacts) && eqb(a.RefreshClosedReports, b.RefreshClosedReports) &&
		a.ReportVersioning == b.ReportVersioning && eqp(a.BillingViewArn, b.BillingViewArn)
}

func legacyAWSFindings(d *curtypes.ReportDefinition) Findings {
	var fs Findings
	add := func(code Code, sev Severity, field, format string, args ...any) {
		fs = append(fs, Finding{Code: code, Severity: sev, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	name := aws.ToString(d.ReportName)
	switch {
	case name == "":
		add(CodeReportNameInvalid, SeverityError, "ReportName", "ReportName is empty")
	case len(name) > maxReportNameLen:
		add(CodeReportNameInvalid, SeverityError, "ReportName", "ReportName is %d characters; AWS allows up to %d", len(name), maxReportNameLen)
	case !reportNameRE.MatchString(name):
		add(CodeReportNameInvalid, SeverityError, "ReportName", "ReportName %q has characters AWS refuses (allowed: letters, digits and !-_.*'(), no spaces or /)", name)
	}
	if !slices.Contains(curtypes.TimeUnit("").Values(), d.TimeUnit) {
		add(CodeTimeUnitInvalid, SeverityError, "TimeUnit", "TimeUnit %q is not one of HOURLY, DAILY, MONTHLY", d.TimeUnit)
	}
	formatOK := slices.Contains(curtypes.ReportFormat("").Values(), d.Format)
	if !formatOK {
		add(CodeFormatInvalid, SeverityError, "Format", "Format %q is not one of textORcsv, Parquet (exact casing)", d.Format)
	}
	compOK := slices.Contains(curtypes.CompressionFormat("").Values(), d.Compression)
	if !compOK {
		add(CodeCompressionInvalid, SeverityError, "Compression", "Compression %q is not one of ZIP, GZIP, Parquet (exact casing)", d.Compression)
	}
	if formatOK && compOK && (d.Format == curtypes.ReportFormatParquet) != (d.Compression == curtypes.CompressionFormatParquet) {
		add(CodeFormatCompression, SeverityError, "Compression", "Format %s needs Compression %s; AWS allows Parquet only with Parquet, and textORcsv only with ZIP or GZIP",
			d.Format, map[bool]string{true: "Parquet", false: "ZIP or GZIP"}[d.Format == curtypes.ReportFormatParquet])
	}
	if bad := badEnums(d.AdditionalSchemaElements, curtypes.SchemaElement("").Values()); bad != "" {
		add(CodeSchemaElementInvalid, SeverityError, "AdditionalSchemaElements", "AdditionalSchemaElements %s; allowed once each: RESOURCES, SPLIT_COST_ALLOCATION_DATA, MANUAL_DISCOUNT_COMPATIBILITY", bad)
	}
	bucket := aws.ToString(d.S3Bucket)
	switch {
	case bucket == "":
		add(CodeS3BucketInvalid, SeverityError, "S3Bucket", "S3Bucket is empty; name the bucket AWS delivers to")
	case len(bucket) > maxS3BucketLen || !curBucketRE.MatchString(bucket):
		add(CodeS3BucketInvalid, SeverityError, "S3Bucket", "S3Bucket %q is not a bucket name AWS accepts here (up to 256 of letters, digits, '.', '_' and '-')", bucket)
	}
	switch {
	case d.S3Prefix == nil:
		add(CodeS3PrefixInvalid, SeverityError, "S3Prefix", "S3Prefix is missing; the API requires it (it may be empty)")
	case len(*d.S3Prefix) > maxS3PrefixLen:
		add(CodeS3PrefixInvalid, SeverityError, "S3Prefix", "S3Prefix is %d characters; AWS allows up to %d", len(*d.S3Prefix), maxS3PrefixLen)
	case !curPrefixRE.MatchString(*d.S3Prefix):
		add(CodeS3PrefixInvalid, SeverityError, "S3Prefix", "S3Prefix %q has characters AWS refuses (allowed: letters, digits and !-_.*'()/, no spaces)", *d.S3Prefix)
	}
	region := string(d.S3Region)
	switch {
	case slices.Contains(curtypes.AWSRegion("").Values(), d.S3Region):
	case regionRE.MatchString(region):
		add(CodeS3RegionUnknown, SeverityWarning, "S3Region", "S3Region %q is not in this SDK's list of CUR regions; it may be newer than the list, or AWS may refuse it", region)
	default:
		add(CodeS3RegionInvalid, SeverityError, "S3Region", "S3Region %q is not a region code like us-east-1; it must be the bucket's region", region)
	}
	artifactsOK := true
	if bad := badEnums(d.AdditionalArtifacts, curtypes.AdditionalArtifact("").Values()); bad != "" {
		artifactsOK = false
		add(CodeArtifactInvalid, SeverityError, "AdditionalArtifacts", "AdditionalArtifacts %s; allowed once each: REDSHIFT, QUICKSIGHT, ATHENA", bad)
	}
	if d.ReportVersioning != "" && !slices.Contains(curtypes.ReportVersioning("").Values(), d.ReportVersioning) {
		add(CodeVersioningInvalid, SeverityError, "ReportVersioning", "ReportVersioning %q is not one of CREATE_NEW_REPORT, OVERWRITE_REPORT", d.ReportVersioning)
	}
	if v := d.BillingViewArn; v != nil && (len(*v) > maxBillingViewARNLen || !billingViewARNRE.MatchString(*v)) {
		add(CodeBillingViewARNInvalid, SeverityError, "BillingViewArn", "BillingViewArn %q is not a billing view ARN (arn:aws:billing::<account>:billingview/<id>)", *v)
	}
	hasAthena := slices.Contains(d.AdditionalArtifacts, curtypes.AdditionalArtifactAthena)
	if hasAthena && artifactsOK {
		if len(d.AdditionalArtifacts) > 1 {
			add(CodeAthenaNotOnlyArtifact, SeverityError, "AdditionalArtifacts", "the ATHENA artifact must be the only one; drop %s", strings.Join(strs(slices.DeleteFunc(slices.Clone(d.AdditionalArtifacts), func(a curtypes.AdditionalArtifact) bool { return a == curtypes.AdditionalArtifactAthena })), ", "))
		}
		if aws.ToString(d.S3Prefix) == "" {
			add(CodeAthenaRequiresPrefix, SeverityError, "S3Prefix", "the ATHENA artifact needs a non-empty S3Prefix")
		}
		if d.ReportVersioning != curtypes.ReportVersioningOverwriteReport {
			add(CodeAthenaRequiresOverwrite, SeverityError, "ReportVersioning", "the ATHENA artifact needs ReportVersioning OVERWRITE_REPORT (Athena-integrated reports always overwrite), not %q", d.ReportVersioning)
		}
		if d.Format != curtypes.ReportFormatParquet {
			add(CodeAthenaRequiresParquet, SeverityError, "Format", "the ATHENA artifact needs Format and Compression Parquet, not %q", d.Format)
		}
	}
	if (slices.Contains(d.AdditionalArtifacts, curtypes.AdditionalArtifactRedshift) || slices.Contains(d.AdditionalArtifacts, curtypes.AdditionalArtifactQuicksight)) &&
		d.Format == curtypes.ReportFormatParquet && !hasAthena {
		add(CodeArtifactRequiresCSV, SeverityError, "Format", "the REDSHIFT and QUICKSIGHT artifacts need Format textORcsv, not Parquet")
	}
	return fs
}

// badEnums describes unknown or repeated values, or returns "".
func badEnums[T ~string](have, allowed []T) string {
	var bad []string
	seen := map[T]bool{}
	for _, v := range have {
		switch {
		case !slices.Contains(allowed, v):
			bad = append(bad, fmt.Sprintf("has unknown value %q", v))
		case seen[v]:
			bad = append(bad, fmt.Sprintf("repeats %q", v))
		}
		seen[v] = true
	}
	return strings.Join(bad, ", ")
}

// wants says whether a requirement asks for a setting (+1), against it (-1),
// or neither (0).
func wants(r Requirement) int {
	switch r {
	case RequirementRequired, RequirementRecommended:
		return 1
	case RequirementForbidden:
		return -1
	}
	return 0
}

func legacyProfileFindings(d *curtypes.ReportDefinition, p pins) Findings {
	var fs Findings
	add := func(code Code, sev Severity, field, format string, args ...any) {
		fs = append(fs, Finding{Code: code, Severity: sev, Field: field, Profile: p.label(), Message: p.label() + " " + fmt.Sprintf(format, args...)})
	}
	if p.timeUnit != "" && string(d.TimeUnit) != p.timeUnit {
		add(timeUnitCode(p.timeUnit), SeverityError, "TimeUnit", "needs TimeUnit %s, not %q", p.timeUnit, d.TimeUnit)
	}
	onOff := func(r Requirement, has bool, missing, unwanted Code, field, what string) {
		switch w := wants(r); {
		case w > 0 && !has:
			add(missing, severityOf(r), field, "needs %s", what)
		case w < 0 && has:
			add(unwanted, SeverityError, field, "does not want %s", what)
		}
	}
	onOff(p.resourceIDs, slices.Contains(d.AdditionalSchemaElements, curtypes.SchemaElementResources),
		CodeResourceIDsMissing, CodeResourceIDsUnwanted, "AdditionalSchemaElements", "resource IDs (RESOURCES in AdditionalSchemaElements)")
	onOff(p.split, slices.Contains(d.AdditionalSchemaElements, curtypes.SchemaElementSplitCostAllocationData),
		CodeSplitCostMissing, CodeSplitCostUnwanted, "AdditionalSchemaElements", "split cost allocation data (SPLIT_COST_ALLOCATION_DATA in AdditionalSchemaElements)")
	onOff(p.refresh, aws.ToBool(d.RefreshClosedReports), CodeRefreshOff, CodeRefreshUnwanted, "RefreshClosedReports",
		"RefreshClosedReports true (closed months change when late credits, refunds and fees arrive)")
	if p.versioning != "" && string(d.ReportVersioning) != p.versioning {
		code := CodeVersioningNotOverwrite
		if p.versioning == string(curtypes.ReportVersioningCreateNewReport) {
			code = CodeVersioningNotCreate
		}
		add(code, SeverityError, "ReportVersioning", "needs ReportVersioning %s, not %q", p.versioning, d.ReportVersioning)
	}
	switch {
	case p.format == curreader.FormatCSV && d.Format != curtypes.ReportFormatCsv:
		add(CodeFormatNotCSV, SeverityError, "Format", "needs Format textORcsv, not %q", d.Format)
	case p.format == curreader.FormatParquet && d.Format != curtypes.ReportFormatParquet:
		add(CodeFormatNotParquet, SeverityError, "Format", "needs Format Parquet, not %q", d.Format)
	}
	if want := legacyCompression(p.compression); want != "" && d.Compression != want {
		add(compressionCode(p.compression), SeverityError, "Compression", "needs Compression %s, not %q", want, d.Compression)
	}
	if p.region != "" && string(d.S3Region) != p.region {
		add(CodeRegionMismatch, SeverityError, "S3Region", "needs the report delivered to a bucket in %s, not %q", p.region, d.S3Region)
	}
	onOff(p.athena, slices.Contains(d.AdditionalArtifacts, curtypes.AdditionalArtifactAthena), CodeAthenaMissing, CodeAthenaUnwanted,
		"AdditionalArtifacts", "the ATHENA artifact (Athena integration)")
	if wants(p.prefix) > 0 && aws.ToString(d.S3Prefix) == "" {
		add(CodeS3PrefixEmpty, severityOf(p.prefix), "S3Prefix", "needs a non-empty S3Prefix")
	}
	if p.namePrefix != "" && !strings.HasPrefix(aws.ToString(d.ReportName), p.namePrefix) {
		add(CodeNamePrefixMismatch, SeverityError, "ReportName", "needs ReportName to start with %q", p.namePrefix)
	}
	return fs
}

func compressionCode(c curreader.Compression) Code {
	switch c {
	case curreader.CompressionZip:
		return CodeCompressionNotZIP
	case curreader.CompressionParquet:
		return CodeCompressionNotParquet
	}
	return CodeCompressionNotGZIP
}

// exportCompression is a profile's compression in the Data Exports API's
// spelling, or "" for none.
func exportCompression(c curreader.Compression) dxtypes.CompressionOption {
	switch c {
	case curreader.CompressionGzip:
		return dxtypes.CompressionOptionGzip
	case curreader.CompressionParquet:
		return dxtypes.CompressionOptionParquet
	}
	return ""
}

// legacyCompression is a profile's compression in the legacy API's
// spelling, or "" for none.
func legacyCompression(c curreader.Compression) curtypes.CompressionFormat {
	switch c {
	case curreader.CompressionGzip:
		return curtypes.CompressionFormatGzip
	case curreader.CompressionZip:
		return curtypes.CompressionFormatZip
	case curreader.CompressionParquet:
		return curtypes.CompressionFormatParquet
	}
	return ""
}

// sanitize replaces characters outside ok with '-' and truncates to max;
// an empty result becomes fallback.
func sanitize(s string, ok *regexp.Regexp, max int, fallback string) string {
	var b strings.Builder
	for _, r := range s {
		if ok.MatchString(string(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := b.String()
	if len(out) > max {
		out = out[:max]
	}
	if out == "" {
		return fallback
	}
	return out
}

func setElem[T comparable](list []T, v T, want int) []T {
	has := slices.Contains(list, v)
	switch {
	case want > 0 && !has:
		return append(list, v)
	case want < 0 && has:
		return slices.DeleteFunc(list, func(x T) bool { return x == v })
	}
	return list
}

// knownUnique keeps the allowed values, once each, in order.
func knownUnique[T comparable](list, allowed []T) []T {
	out := []T{}
	for _, v := range list {
		if slices.Contains(allowed, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// correctLegacy returns d corrected for AWS's rules and p's requirements.
// Where a profile pins a setting, the pin wins over an artifact that would
// need the opposite (e.g. a CSV profile drops ATHENA rather than switch to
// Parquet).
func correctLegacy(d *curtypes.ReportDefinition, p pins) curtypes.ReportDefinition {
	f := curtypes.ReportDefinition{BillingViewArn: d.BillingViewArn, S3Bucket: d.S3Bucket}
	name := sanitize(aws.ToString(d.ReportName), singleNameChar, maxReportNameLen, "cost-and-usage-report")
	if p.namePrefix != "" && !strings.HasPrefix(name, p.namePrefix) {
		name = p.namePrefix + name
		if len(name) > maxReportNameLen {
			name = name[:maxReportNameLen]
		}
	}
	f.ReportName = aws.String(name)

	f.TimeUnit = d.TimeUnit
	if !slices.Contains(curtypes.TimeUnit("").Values(), f.TimeUnit) {
		f.TimeUnit = curtypes.TimeUnitHourly
	}
	if p.timeUnit != "" {
		f.TimeUnit = curtypes.TimeUnit(p.timeUnit)
	}

	f.AdditionalSchemaElements = knownUnique(d.AdditionalSchemaElements, curtypes.SchemaElement("").Values())
	f.AdditionalSchemaElements = setElem(f.AdditionalSchemaElements, curtypes.SchemaElementResources, wants(p.resourceIDs))
	f.AdditionalSchemaElements = setElem(f.AdditionalSchemaElements, curtypes.SchemaElementSplitCostAllocationData, wants(p.split))

	f.RefreshClosedReports = d.RefreshClosedReports
	switch wants(p.refresh) {
	case 1:
		f.RefreshClosedReports = aws.Bool(true)
	case -1:
		f.RefreshClosedReports = aws.Bool(false)
	}

	f.ReportVersioning = d.ReportVersioning
	if f.ReportVersioning != "" && !slices.Contains(curtypes.ReportVersioning("").Values(), f.ReportVersioning) {
		f.ReportVersioning = curtypes.ReportVersioningCreateNewReport
	}
	if p.versioning != "" {
		f.ReportVersioning = curtypes.ReportVersioning(p.versioning)
	}

	format, comp := normalizeLegacyFormat(d.Format), normalizeLegacyCompression(d.Compression)
	switch p.format {
	case curreader.FormatCSV:
		format = curtypes.ReportFormatCsv
	case curreader.FormatParquet:
		format = curtypes.ReportFormatParquet
	}
	if c := legacyCompression(p.compression); c != "" {
		comp = c
	}
	if format == "" {
		format = curtypes.ReportFormatCsv
		if comp == curtypes.CompressionFormatParquet {
			format = curtypes.ReportFormatParquet
		}
	}

	f.S3Region = d.S3Region
	if p.region != "" {
		f.S3Region = curtypes.AWSRegion(p.region)
	}

	prefix := sanitize(aws.ToString(d.S3Prefix), singlePrefixChar, maxS3PrefixLen, "")
	if wants(p.prefix) > 0 && prefix == "" {
		prefix = defaultPrefix
	}

	arts := knownUnique(d.AdditionalArtifacts, curtypes.AdditionalArtifact("").Values())
	arts = setElem(arts, curtypes.AdditionalArtifactAthena, wants(p.athena))
	if slices.Contains(arts, curtypes.AdditionalArtifactAthena) {
		if p.athena != RequirementRequired && (p.versioning == string(curtypes.ReportVersioningCreateNewReport) || p.format == curreader.FormatCSV) {
			arts = setElem(arts, curtypes.AdditionalArtifactAthena, -1)
		} else {
			arts = []curtypes.AdditionalArtifact{curtypes.AdditionalArtifactAthena}
			f.ReportVersioning = curtypes.ReportVersioningOverwriteReport
			format, comp = curtypes.ReportFormatParquet, curtypes.CompressionFormatParquet
			if prefix == "" {
				prefix = defaultPrefix
			}
		}
	}
	if format == curtypes.ReportFormatParquet &&
		(slices.Contains(arts, curtypes.AdditionalArtifactRedshift) || slices.Contains(arts, curtypes.AdditionalArtifactQuicksight)) {
		if p.format == curreader.FormatParquet {
			arts = setElem(arts, curtypes.AdditionalArtifactRedshift, -1)
			arts = setElem(arts, curtypes.AdditionalArtifactQuicksight, -1)
		} else {
			format = curtypes.ReportFormatCsv
			if comp == curtypes.CompressionFormatParquet || comp == "" {
				comp = curtypes.CompressionFormatGzip
			}
		}
	}
	switch {
	case format == curtypes.ReportFormatParquet:
		comp = curtypes.CompressionFormatParquet
	case comp == curtypes.CompressionFormatParquet || comp == "":
		comp = curtypes.CompressionFormatGzip
	}
	f.Format, f.Compression = format, comp
	f.S3Prefix = aws.String(prefix)
	if len(arts) > 0 {
		f.AdditionalArtifacts = arts
	}
	return f
}

var (
	singleNameChar   = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()]$`)
	singlePrefixChar = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()/]$`)
)

func normalizeLegacyFormat(f curtypes.ReportFormat) curtypes.ReportFormat {
	switch strings.ToLower(string(f)) {
	case "textorcsv", "text_or_csv", "csv":
		return curtypes.ReportFormatCsv
	case "parquet":
		return curtypes.ReportFormatParquet
	}
	return ""
}

func normalizeLegacyCompression(c curtypes.CompressionFormat) curtypes.CompressionFormat {
	switch strings.ToLower(string(c)) {
	case "gzip":
		return curtypes.CompressionFormatGzip
	case "zip":
		return curtypes.CompressionFormatZip
	case "parquet":
		return curtypes.CompressionFormatParquet
	}
	return ""
}
