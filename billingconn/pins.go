package billingconn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
)

// pins are the merged requirements of a group of compatible profiles, with
// the implications of AWS's rules made explicit (Athena ⇒ Parquet +
// overwrite + legacy; GZIP ⇒ CSV; …).
type pins struct {
	names       []string
	kinds       []curreader.Kind // nil: any
	timeUnit    string
	versioning  string
	format      curreader.Format
	compression curreader.Compression
	region      string
	namePrefix  string

	resourceIDs, split, refresh, athena, prefix Requirement
}

// conflict is one setting two profiles disagree on.
type conflict struct {
	setting string // the profile's json field name
	a, b    string // the two values
}

func (c conflict) String() string { return fmt.Sprintf("%s %s vs %s", c.setting, c.a, c.b) }

// effective returns p with AWS's implications spelt out.
func effective(p *Profile) *Profile {
	e := *p
	e.Kinds = slices.Clone(p.Kinds)
	if e.Athena == RequirementRequired {
		e.Format, e.Compression, e.Versioning = curreader.FormatParquet, curreader.CompressionParquet, "OVERWRITE_REPORT"
		e.Kinds = []curreader.Kind{curreader.KindCUR}
		if e.S3Prefix != RequirementRequired {
			e.S3Prefix = RequirementRequired
		}
	}
	switch e.Compression {
	case curreader.CompressionGzip, curreader.CompressionZip:
		e.Format = curreader.FormatCSV
	case curreader.CompressionParquet:
		e.Format = curreader.FormatParquet
	}
	if e.Format == curreader.FormatParquet {
		e.Compression = curreader.CompressionParquet
	}
	return &e
}

func (p *pins) label() string { return strings.Join(p.names, "+") }

func mergeString[T ~string](setting string, acc *T, v T, cs *[]conflict) {
	switch {
	case v == "" || v == *acc:
	case *acc == "":
		*acc = v
	default:
		*cs = append(*cs, conflict{setting, string(*acc), string(v)})
	}
}

func rank(r Requirement) int {
	switch r {
	case RequirementRequired:
		return 2
	case RequirementRecommended:
		return 1
	}
	return 0
}

func mergeReq(setting string, acc *Requirement, v Requirement, cs *[]conflict) {
	switch {
	case v == RequirementNone || v == *acc:
	case *acc == RequirementNone:
		*acc = v
	case v == RequirementForbidden || *acc == RequirementForbidden:
		if v == RequirementRequired || *acc == RequirementRequired {
			*cs = append(*cs, conflict{setting, string(*acc), string(v)})
			return
		}
		*acc = RequirementForbidden // forbidden outweighs recommended
	case rank(v) > rank(*acc):
		*acc = v
	}
}

// add merges profile p into the pins and returns the conflicts, leaving the
// pins unchanged when there are any.
func (acc pins) add(p *Profile) (pins, []conflict) {
	e := effective(p)
	var cs []conflict
	n := acc
	n.names = append(slices.Clone(acc.names), p.Name)
	if len(e.Kinds) > 0 {
		if n.kinds == nil {
			n.kinds = slices.Clone(e.Kinds)
		} else {
			var both []curreader.Kind
			for _, k := range n.kinds {
				if slices.Contains(e.Kinds, k) {
					both = append(both, k)
				}
			}
			if len(both) == 0 {
				cs = append(cs, conflict{"kinds", kindsString(n.kinds), kindsString(e.Kinds)})
			}
			n.kinds = both
		}
	}
	mergeString("timeUnit", &n.timeUnit, e.TimeUnit, &cs)
	mergeString("versioning", &n.versioning, e.Versioning, &cs)
	mergeString("format", &n.format, e.Format, &cs)
	mergeString("compression", &n.compression, e.Compression, &cs)
	mergeString("region", &n.region, e.Region, &cs)
	switch {
	case e.NamePrefix == "" || strings.HasPrefix(n.namePrefix, e.NamePrefix):
	case strings.HasPrefix(e.NamePrefix, n.namePrefix):
		n.namePrefix = e.NamePrefix
	default:
		cs = append(cs, conflict{"namePrefix", n.namePrefix, e.NamePrefix})
	}
	mergeReq("resourceIds", &n.resourceIDs, e.ResourceIDs, &cs)
	mergeReq("splitCostAllocationData", &n.split, e.SplitCostAllocationData, &cs)
	mergeReq("refreshClosedReports", &n.refresh, e.RefreshClosedReports, &cs)
	mergeReq("athena", &n.athena, e.Athena, &cs)
	mergeReq("s3Prefix", &n.prefix, e.S3Prefix, &cs)
	if len(cs) > 0 {
		return acc, cs
	}
	return n, nil
}

func kindsString(ks []curreader.Kind) string { return strings.Join(strs(ks), "|") }

// groupProfiles splits the profiles into groups that one definition can
// serve, in order: each profile joins the first group it does not conflict
// with.
func groupProfiles(profiles []*Profile) []pins {
	var groups []pins
next:
	for _, p := range profiles {
		for i, g := range groups {
			if n, cs := g.add(p); len(cs) == 0 {
				groups[i] = n
				continue next
			}
		}
		g, _ := pins{}.add(p)
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		groups = []pins{{}}
	}
	return groups
}

// conflictsBetween lists the settings on which groups a and b disagree.
func conflictsBetween(a, b pins, profiles []*Profile) []conflict {
	acc := a
	var all []conflict
	for _, p := range profiles {
		if !slices.Contains(b.names, p.Name) {
			continue
		}
		var cs []conflict
		acc, cs = acc.add(p)
		all = append(all, cs...)
	}
	return all
}

// checkProfiles validates the profile arguments.
func checkProfiles(profiles []*Profile) ([]*Profile, error) {
	out := make([]*Profile, 0, len(profiles))
	for i, p := range profiles {
		if p == nil {
			return nil, &curerr.FieldError{Field: fmt.Sprintf("profiles[%d]", i), Msg: errNilProfile.Error()}
		}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// severityOf maps a requirement to the severity of its finding.
func severityOf(r Requirement) Severity {
	if r == RequirementRecommended {
		return SeverityWarning
	}
	return SeverityError
}

func (p *pins) accepts(k curreader.Kind) bool { return p.kinds == nil || slices.Contains(p.kinds, k) }

// timeUnitCode returns the TIME_UNIT_NOT_* code for a wanted time unit.
func timeUnitCode(want string) Code {
	switch want {
	case "DAILY":
		return CodeTimeUnitNotDaily
	case "MONTHLY":
		return CodeTimeUnitNotMonthly
	}
	return CodeTimeUnitNotHourly
}
