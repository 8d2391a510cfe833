package billingconn

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader"
)

// Validate checks a report definition or export, offline, against AWS's own
// rules and against each profile's requirements, and returns every finding
// with its exact fix.
//
// For a legacy ReportDefinition, AWS's rules are the field patterns and
// lengths, the enum values, and the six combination rules: ATHENA must be the
// only artifact and needs a non-empty S3Prefix, OVERWRITE_REPORT and Parquet;
// REDSHIFT and QUICKSIGHT need textORcsv; Parquet format ⇔ Parquet
// compression. For a Data Exports Export they are the name pattern and
// length, the description length, a query of at most 36000 characters
// reading a known table, the table's properties and their values, the S3
// destination, the output type CUSTOM, the TEXT_OR_CSV+GZIP and
// PARQUET+PARQUET pairs, and SYNCHRONOUS refresh.
//
// Every fixable finding carries the same *Fix, which corrects all of them at
// once. For a legacy report it is a ModifyReportDefinitionInput when the
// report can change in place, or a PutReportDefinitionInput when the
// definition breaks AWS's rules (it cannot exist as given) or when TimeUnit,
// ReportVersioning, AdditionalSchemaElements or ReportName must change (AWS
// will not change them in place; the new report gets a new name). For an
// export it is an UpdateExportInput when the export has an ExportArn, keeps
// its name and is valid as given, else a CreateExportInput. A profile that
// reads only legacy reports gets a KIND_NOT_ACCEPTED finding on an export,
// whose fix creates the equivalent legacy report.
//
// When the profiles conflict (Optima's CREATE_NEW_REPORT and GZIP against
// Eco's Athena, Parquet and OVERWRITE_REPORT), the definition is checked
// against the group of profiles it serves best, and each other group gets a
// PROFILES_CONFLICT finding whose fix creates a second report for it.
//
// Validate neither modifies nor keeps its arguments. The error is reserved
// for bad arguments: a Definition that holds neither kind, or a nil or
// invalid profile.
func Validate(d Definition, profiles ...*Profile) (Findings, error) {
	if (d.ReportDefinition == nil) == (d.Export == nil) {
		return nil, fieldErr("Definition", "must hold exactly one of a ReportDefinition and an Export")
	}
	ps, err := checkProfiles(profiles)
	if err != nil {
		return nil, err
	}
	// Validate a copy: fixes are built from it.
	if d.ReportDefinition != nil {
		rd := *d.ReportDefinition
		d.ReportDefinition = &rd
	} else {
		e := *d.Export
		d.Export = &e
	}
	return validateWithGroups(d, ps), nil
}

// validateWithGroups splits the profiles into compatible groups, checks d
// against the one it serves best and proposes second reports for the rest.
func validateWithGroups(d Definition, ps []*Profile) Findings {
	groups := groupProfiles(ps)
	best, bestErrs := 0, -1
	for i, g := range groups {
		n := 0
		for _, f := range profileFindings(d, g) {
			if f.Severity == SeverityError {
				n++
			}
		}
		if bestErrs < 0 || n < bestErrs {
			best, bestErrs = i, n
		}
	}
	primary := groups[best]
	fs := validateWith(d, primary)
	for i, g := range groups {
		if i == best {
			continue
		}
		cs := conflictsBetween(primary, g, ps)
		field, legacy := "", d.ReportDefinition != nil
		parts := make([]string, len(cs))
		for j, c := range cs {
			parts[j] = c.String()
			if field == "" {
				field = settingField(c.setting, legacy)
			}
		}
		fix := propose(d, g, strings.Join(g.names, "-"))
		markBucketInput(fix, d.regionOf(), g)
		what := "report"
		if fix != nil && fix.Action == FixCreateExport {
			what = "export"
		}
		fs = append(fs, Finding{
			Code: CodeProfilesConflict, Severity: SeverityError, Field: field, Profile: g.label(),
			Message: fmt.Sprintf("%q cannot serve both %s and %s (%s); keep it for %s and create a second %s for %s",
				d.Name(), primary.label(), g.label(), strings.Join(parts, "; "), primary.label(), what, g.label()),
			Fix: fix,
		})
	}
	return fs
}

// profileFindings checks only the profile's requirements.
func profileFindings(d Definition, p pins) Findings {
	if d.Export == nil && d.ReportDefinition == nil {
		return nil
	}
	if d.ReportDefinition != nil {
		if !p.accepts(curreader.KindCUR) {
			return Findings{kindFinding(d, curreader.KindCUR, p)}
		}
		return legacyProfileFindings(d.ReportDefinition, p)
	}
	k := exportKind(d.Export)
	if !p.accepts(k) {
		return Findings{kindFinding(d, k, p)}
	}
	return exportProfileFindings(d.Export, p)
}

func kindFinding(d Definition, k curreader.Kind, p pins) Finding {
	field := "ReportDefinition"
	if d.Export != nil {
		field = "QueryStatement"
	}
	return Finding{
		Code: CodeKindNotAccepted, Severity: SeverityError, Field: field, Profile: p.label(),
		Message: fmt.Sprintf("%s reads %s only; %q is a %s", p.label(), kindsString(p.kinds), d.Name(), k),
	}
}

// validateWith checks d against AWS's rules and one group's pins, and
// attaches fixes.
func validateWith(d Definition, p pins) Findings {
	var awsF Findings
	var kind curreader.Kind
	if d.ReportDefinition != nil {
		awsF, kind = legacyAWSFindings(d.ReportDefinition), curreader.KindCUR
	} else {
		awsF, kind = exportAWSFindings(d.Export), exportKind(d.Export)
	}
	if !p.accepts(kind) {
		// The consumer cannot read this kind at all: the one fix is a new
		// definition of a kind it reads, which also leaves this one's own
		// problems behind.
		all := append(awsF, kindFinding(d, kind, p))
		fix := propose(d, p, "")
		markBucketInput(fix, d.regionOf(), p)
		attachFix(all, fix, p)
		return all
	}
	all := append(awsF, profileFindings(d, p)...)
	fix := fixFor(d, p, awsF)
	markBucketInput(fix, d.regionOf(), p)
	attachFix(all, fix, p)
	return all
}

// attachFix gives fix to every finding that re-validating the fixed
// definition no longer reports (same code and field). Findings the fix
// cannot resolve (a missing bucket) keep a nil Fix.
func attachFix(fs Findings, fix *Fix, p pins) {
	if fix == nil {
		return
	}
	var fixed Definition
	var after Findings
	if rd := fix.ReportDefinition(); rd != nil {
		fixed, after = Definition{ReportDefinition: rd}, legacyAWSFindings(rd)
	} else if e := fix.Export(); e != nil {
		fixed, after = Definition{Export: e}, exportAWSFindings(e)
	}
	after = append(after, profileFindings(fixed, p)...)
	remaining := map[string]bool{}
	for _, f := range after {
		remaining[string(f.Code)+"\x00"+f.Field] = true
	}
	for i := range fs {
		if !remaining[string(fs[i].Code)+"\x00"+fs[i].Field] {
			fs[i].Fix = fix
		}
	}
}

// fixFor builds the fix for d against p, or nil when nothing changes.
func fixFor(d Definition, p pins, awsF Findings) *Fix {
	invalid := awsF.HasErrors()
	if d.ReportDefinition != nil {
		return legacyFix(d.ReportDefinition, p, invalid)
	}
	return exportFix(d.Export, p, invalid)
}

// propose builds a fix that creates a new definition for p, of a kind p
// reads, from d's settings. suffix, if set, is appended to the name.
func propose(d Definition, p pins, suffix string) *Fix {
	legacyOK := p.accepts(curreader.KindCUR)
	var rd *curtypes.ReportDefinition
	var ex *dxtypes.Export
	switch {
	case d.ReportDefinition != nil && legacyOK:
		c := correctLegacy(d.ReportDefinition, p)
		rd = &c
	case d.ReportDefinition != nil:
		k := curreader.KindCUR2
		if !p.accepts(curreader.KindCUR2) {
			k = curreader.KindFOCUS
		}
		e := legacyToExport(d.ReportDefinition, k)
		c := correctExport(&e, p)
		ex = &c
	case legacyOK && !p.accepts(exportKind(d.Export)):
		l := exportToLegacy(d.Export)
		c := correctLegacy(&l, p)
		rd = &c
	default:
		k := exportKind(d.Export)
		e := *d.Export
		if !p.accepts(k) {
			k = curreader.KindCUR2
			if !p.accepts(curreader.KindCUR2) {
				k = curreader.KindFOCUS
			}
			e = retargetExport(d.Export, k)
		}
		c := correctExport(&e, p)
		ex = &c
	}
	if rd != nil {
		if suffix != "" {
			rd.ReportName = aws.String(withSuffix(aws.ToString(rd.ReportName), suffix, maxReportNameLen))
		}
		return &Fix{Action: FixPutReportDefinition, PutReportDefinition: &cur.PutReportDefinitionInput{ReportDefinition: rd},
			Note: regionNote(string(rd.S3Region), string(d.regionOf()), p)}
	}
	e := ex
	e.ExportArn = nil
	if suffix != "" {
		e.Name = aws.String(withSuffix(aws.ToString(e.Name), suffix, maxExportNameLen))
	}
	return createExportFix(e, regionNote(exportRegion(e), d.regionOf(), p))
}

func (d Definition) regionOf() string {
	if d.ReportDefinition != nil {
		return string(d.ReportDefinition.S3Region)
	}
	return exportRegion(d.Export)
}

// movesRegion reports whether a fix moves the report to the region p needs
// while keeping its bucket, which is in another region: S3Region must be
// the bucket's own region, so the user must name a bucket in p.region.
func movesRegion(newRegion, oldRegion string, p pins) bool {
	return p.region != "" && oldRegion != p.region && newRegion == p.region
}

func regionNote(newRegion, oldRegion string, p pins) string {
	if movesRegion(newRegion, oldRegion, p) {
		return fmt.Sprintf("%s needs the bucket in %s: S3Region must be the bucket's own region, so replace S3Bucket with a bucket in %s (with the delivery bucket policy) before sending this", p.label(), p.region, p.region)
	}
	return ""
}

// withSuffix appends "-"+suffix to name within max bytes (names are ASCII),
// shortening the name first and the suffix only if it alone is too long.
func withSuffix(name, suffix string, max int) string {
	suffix = "-" + suffix
	if len(suffix) > max/2 {
		suffix = suffix[:max/2]
	}
	if len(name)+len(suffix) > max {
		name = name[:max-len(suffix)]
	}
	return name + suffix
}

// truncateRunes shortens s to at most max characters without splitting one.
func truncateRunes(s string, max int) string {
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// markBucketInput records in fix.NeedsInput that the user must supply a
// bucket in p.region when the fix moves the report there (the fix keeps
// the old bucket's name, which regionNote also says in words).
func markBucketInput(fix *Fix, oldRegion string, p pins) {
	if fix == nil {
		return
	}
	var newRegion, path string
	if rd := fix.ReportDefinition(); rd != nil {
		newRegion, path = string(rd.S3Region), "ReportDefinition.S3Bucket"
	} else if e := fix.Export(); e != nil {
		newRegion, path = exportRegion(e), "Export.DestinationConfigurations.S3Destination.S3Bucket"
	}
	if path == "" || !movesRegion(newRegion, oldRegion, p) {
		return
	}
	for _, in := range fix.NeedsInput {
		if in.Path == path {
			return
		}
	}
	fix.NeedsInput = append(fix.NeedsInput, FixInput{Path: path,
		Need: fmt.Sprintf("a bucket in %s, with the bucket policy that lets AWS deliver reports to it", p.region)})
}
