package billingconn

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/iampolicy"
)

// CURAPI is the part of the legacy Cost and Usage Report client that
// discovery uses. *costandusagereportservice.Client implements it.
type CURAPI interface {
	DescribeReportDefinitions(ctx context.Context, params *cur.DescribeReportDefinitionsInput, optFns ...func(*cur.Options)) (*cur.DescribeReportDefinitionsOutput, error)
}

// DataExportsAPI is the part of the Data Exports client that discovery uses.
// *bcmdataexports.Client implements it.
type DataExportsAPI interface {
	ListExports(ctx context.Context, params *dx.ListExportsInput, optFns ...func(*dx.Options)) (*dx.ListExportsOutput, error)
	GetExport(ctx context.Context, params *dx.GetExportInput, optFns ...func(*dx.Options)) (*dx.GetExportOutput, error)
}

var (
	_ CURAPI         = (*cur.Client)(nil)
	_ DataExportsAPI = (*dx.Client)(nil)
)

// DiscoverOptions tune Discover.
type DiscoverOptions struct {
	// Profiles rank the candidates: each gets the findings of
	// ValidateReportDefinition / ValidateExport against them.
	Profiles []*Profile
	// AllDestinations returns every definition found, not only those that
	// deliver to the connection's bucket and prefix.
	AllDestinations bool
	// CUROptions are applied to every CUR call, after discovery's own
	// option that sets the region to iampolicy.BillingRegion (so a China
	// deployment can set cn-northwest-1 here).
	CUROptions []func(*cur.Options)
	// DataExportsOptions are applied to every Data Exports call, after
	// discovery's own option that sets the region to iampolicy.BillingRegion.
	DataExportsOptions []func(*dx.Options)
}

// Candidate is one report definition or export found by Discover.
type Candidate struct {
	// Rank is the 1-based position in Discover's result: 1 is best.
	Rank int
	// Kind is KindLegacyCUR, KindCUR2, KindFOCUS or KindOther.
	Kind curreader.Kind
	// Definition holds the ReportDefinition or the Export.
	Definition Definition
	// ExportStatus is the export's health (HEALTHY or UNHEALTHY and why)
	// from GetExport; nil for legacy reports, whose last delivery status is
	// in Definition.ReportDefinition.ReportStatus.
	ExportStatus *dxtypes.ExportStatus
	// Bucket, Prefix and Region are where it delivers.
	Bucket, Prefix, Region string
	// DeliversHere is true when Bucket and Prefix are the connection's
	// (prefixes compared without leading and trailing slashes).
	DeliversHere bool
	// NameMatches is true when the connection names this report or export.
	NameMatches bool
	// Healthy is false when AWS reports a delivery problem: an UNHEALTHY
	// export, or a legacy report whose last status is ERROR_PERMISSIONS or
	// ERROR_NO_BUCKET.
	Healthy bool
	// Findings are the validation findings against DiscoverOptions.Profiles.
	Findings Findings
}

// Name returns the report's or export's name.
func (c Candidate) Name() string { return c.Definition.Name() }

// Discover lists the legacy report definitions (DescribeReportDefinitions,
// every page: AWS returns at most five per page) and the Data Exports
// (ListExports, then GetExport for each, with its health), keeps those that
// deliver to conn's bucket and prefix, validates them against the profiles
// and ranks them: the one the connection names first, then fewest errors,
// healthy before unhealthy, fewest warnings, legacy before Data Exports, by
// name.
//
// Either client may be nil to skip that API. Calls run one after another;
// the first failure stops discovery and is returned as an *OpError that
// unwraps to the AWS error and its category (errors.Is(err,
// curerr.ErrAccessDenied) for a missing cur:DescribeReportDefinitions or
// bcm-data-exports:ListExports permission).
func Discover(ctx context.Context, curc CURAPI, dxc DataExportsAPI, conn Connection, optFns ...func(*DiscoverOptions)) ([]Candidate, error) {
	var o DiscoverOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.Profiles = slices.Clone(o.Profiles)
	o.CUROptions = slices.Clone(o.CUROptions)
	o.DataExportsOptions = slices.Clone(o.DataExportsOptions)
	profiles, err := checkProfiles(o.Profiles)
	if err != nil {
		return nil, err
	}
	if curc == nil && dxc == nil {
		return nil, fieldErr("clients", "are both nil: pass a CUR client, a Data Exports client, or both")
	}
	if conn.Bucket == "" && !o.AllDestinations {
		return nil, fieldErr("Bucket", "is empty: discovery matches definitions by the connection's bucket and prefix (or set AllDestinations)")
	}
	var out []Candidate
	keep := func(c Candidate) {
		c.DeliversHere = c.Bucket == conn.Bucket && strings.Trim(c.Prefix, "/") == strings.Trim(conn.Prefix, "/")
		c.NameMatches = conn.ReportName != "" && c.Name() == conn.ReportName
		if !c.DeliversHere && !o.AllDestinations {
			return
		}
		c.Findings = validateWithGroups(c.Definition, profiles)
		out = append(out, c)
	}

	if curc != nil {
		curOpts := append([]func(*cur.Options){func(co *cur.Options) { co.Region = iampolicy.BillingRegion }}, o.CUROptions...)
		p := cur.NewDescribeReportDefinitionsPaginator(curc, &cur.DescribeReportDefinitionsInput{},
			func(po *cur.DescribeReportDefinitionsPaginatorOptions) { po.StopOnDuplicateToken = true })
		for p.HasMorePages() {
			page, err := p.NextPage(ctx, curOpts...)
			if err != nil {
				return nil, opErr("DescribeReportDefinitions", "", err)
			}
			for i := range page.ReportDefinitions {
				d := page.ReportDefinitions[i]
				c := Candidate{
					Kind: curreader.KindCUR, Definition: Definition{ReportDefinition: &d},
					Bucket: aws.ToString(d.S3Bucket), Prefix: aws.ToString(d.S3Prefix), Region: string(d.S3Region),
					Healthy: true,
				}
				if d.ReportStatus != nil && d.ReportStatus.LastStatus != "" && d.ReportStatus.LastStatus != curtypes.LastStatusSuccess {
					c.Healthy = false
				}
				keep(c)
			}
		}
	}

	if dxc != nil {
		dxOpts := append([]func(*dx.Options){func(do *dx.Options) { do.Region = iampolicy.BillingRegion }}, o.DataExportsOptions...)
		p := dx.NewListExportsPaginator(dxc, &dx.ListExportsInput{},
			func(po *dx.ListExportsPaginatorOptions) { po.StopOnDuplicateToken = true })
		for p.HasMorePages() {
			page, err := p.NextPage(ctx, dxOpts...)
			if err != nil {
				return nil, opErr("ListExports", "", err)
			}
			for _, ref := range page.Exports {
				arn := aws.ToString(ref.ExportArn)
				got, err := dxc.GetExport(ctx, &dx.GetExportInput{ExportArn: ref.ExportArn}, dxOpts...)
				if err != nil {
					return nil, opErr("GetExport", arn, err)
				}
				if got.Export == nil {
					continue
				}
				e := got.Export
				if e.ExportArn == nil {
					e.ExportArn = ref.ExportArn
				}
				status := got.ExportStatus
				if status == nil {
					status = ref.ExportStatus
				}
				c := Candidate{
					Kind: exportKind(e), Definition: Definition{Export: e}, ExportStatus: status,
					Healthy: status == nil || status.StatusCode != dxtypes.ExportStatusCodeUnhealthy,
				}
				if d := s3dest(e); d != nil {
					c.Bucket, c.Prefix, c.Region = aws.ToString(d.S3Bucket), aws.ToString(d.S3Prefix), aws.ToString(d.S3Region)
				}
				keep(c)
			}
		}
	}

	count := func(fs Findings, s Severity) int {
		n := 0
		for _, f := range fs {
			if f.Severity == s {
				n++
			}
		}
		return n
	}
	b2i := func(b bool) int {
		if b {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		return cmp.Or(
			cmp.Compare(b2i(a.NameMatches), b2i(b.NameMatches)),
			cmp.Compare(b2i(a.DeliversHere), b2i(b.DeliversHere)),
			cmp.Compare(count(a.Findings, SeverityError), count(b.Findings, SeverityError)),
			cmp.Compare(b2i(a.Healthy), b2i(b.Healthy)),
			cmp.Compare(count(a.Findings, SeverityWarning), count(b.Findings, SeverityWarning)),
			cmp.Compare(b2i(a.Kind == curreader.KindCUR), b2i(b.Kind == curreader.KindCUR)),
			cmp.Compare(a.Name(), b.Name()),
		)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}
