package billingconn

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader"
)

// Limits from the Data Exports API model (reference §4.2).
const (
	maxExportNameLen   = 128
	maxDescriptionLen  = 1024
	maxExportPrefixLen = 1024
	// maxQueryLen is the longest QueryStatement Data Exports accepts.
	maxQueryLen = 36000
)

// Data Exports tables.
const (
	tableCUR2   = "COST_AND_USAGE_REPORT"
	tableFOCUS  = "FOCUS_1_0_AWS"
	tableFOCUS2 = "FOCUS_1_2_AWS"
)

// Table property names of COST_AND_USAGE_REPORT.
const (
	propTimeGranularity  = "TIME_GRANULARITY"
	propIncludeResources = "INCLUDE_RESOURCES"
	propIncludeSplitCost = "INCLUDE_SPLIT_COST_ALLOCATION_DATA"
)

type propKind int

const (
	propFree propKind = iota
	propBool
	propGranularity
)

// tableProps lists the tables this package knows and their properties
// (reference §4.2). Properties marked free accept any string.
var tableProps = map[string]map[string]propKind{
	tableCUR2: {
		propTimeGranularity: propGranularity, propIncludeResources: propBool, propIncludeSplitCost: propBool,
		"INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": propBool, "INCLUDE_CAPACITY_RESERVATION_DATA": propBool,
		"INCLUDE_IAM_PRINCIPAL_DATA": propBool, "BILLING_VIEW_ARN": propFree,
	},
	tableFOCUS:                          {},
	"FOCUS_1_0_AWS_PREVIEW":             {},
	tableFOCUS2:                         {propTimeGranularity: propGranularity, "BILLING_VIEW_ARN": propFree},
	"COST_OPTIMIZATION_RECOMMENDATIONS": {"FILTER": propFree, "INCLUDE_ALL_RECOMMENDATIONS": propBool},
	"CARBON_EMISSIONS":                  {},
	"COST_AND_USAGE_DASHBOARD":          {},
}

var fromRE = regexp.MustCompile(`(?is)\bFROM\s+"?([A-Za-z0-9_]+)"?`)

// queryTable returns the upper-cased table after FROM, or "".
func queryTable(q string) string {
	m := fromRE.FindStringSubmatch(q)
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1])
}

func exportQuery(e *dxtypes.Export) string {
	if e.DataQuery == nil {
		return ""
	}
	return aws.ToString(e.DataQuery.QueryStatement)
}

func exportTable(e *dxtypes.Export) string {
	if t := queryTable(exportQuery(e)); t != "" {
		return t
	}
	if e.DataQuery != nil && len(e.DataQuery.TableConfigurations) == 1 {
		for t := range e.DataQuery.TableConfigurations {
			return strings.ToUpper(t)
		}
	}
	return ""
}

func kindOfTable(t string) curreader.Kind {
	switch {
	case t == tableCUR2:
		return curreader.KindCUR2
	case strings.HasPrefix(t, "FOCUS_"):
		return curreader.KindFOCUS
	}
	return curreader.KindExport
}

func exportKind(e *dxtypes.Export) curreader.Kind { return kindOfTable(exportTable(e)) }

func s3dest(e *dxtypes.Export) *dxtypes.S3Destination {
	if e.DestinationConfigurations == nil {
		return nil
	}
	return e.DestinationConfigurations.S3Destination
}

func outputConfig(e *dxtypes.Export) dxtypes.S3OutputConfigurations {
	if d := s3dest(e); d != nil && d.S3OutputConfigurations != nil {
		return *d.S3OutputConfigurations
	}
	return dxtypes.S3OutputConfigurations{}
}

func exportRegion(e *dxtypes.Export) string {
	if d := s3dest(e); d != nil {
		return aws.ToString(d.S3Region)
	}
	return ""
}

var accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)

func exportAWSFindings(e *dxtypes.Export) Findings {
	var fs Findings
	add := func(code Code, sev Severity, field, format string, args ...any) {
		fs = append(fs, Finding{Code: code, Severity: sev, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	name := aws.ToString(e.Name)
	switch {
	case name == "":
		add(CodeExportNameInvalid, SeverityError, "Name", "Name is empty")
	case len(name) > maxExportNameLen:
		add(CodeExportNameInvalid, SeverityError, "Name", "Name is %d characters; AWS allows up to %d", len(name), maxExportNameLen)
	case !reportNameRE.MatchString(name):
		add(CodeExportNameInvalid, SeverityError, "Name", "Name %q has characters AWS refuses (allowed: letters, digits and !-_.*'())", name)
	}
	if n := utf8.RuneCountInString(aws.ToString(e.Description)); n > maxDescriptionLen {
		add(CodeDescriptionTooLong, SeverityError, "Description", "Description is %d characters; AWS allows up to %d", n, maxDescriptionLen)
	}
	q := exportQuery(e)
	switch {
	case strings.TrimSpace(q) == "":
		add(CodeQueryMissing, SeverityError, "QueryStatement", "QueryStatement is empty; an export needs a SELECT … FROM <table>")
	case len(q) > maxQueryLen:
		add(CodeQueryTooLong, SeverityError, "QueryStatement", "QueryStatement is %d characters; AWS allows up to %d: select fewer columns", len(q), maxQueryLen)
	}
	table := queryTable(q)
	var configs map[string]map[string]string
	if e.DataQuery != nil {
		configs = e.DataQuery.TableConfigurations
	}
	props, known := tableProps[table]
	switch {
	case strings.TrimSpace(q) == "":
	case table == "":
		add(CodeQueryTableUnknown, SeverityWarning, "QueryStatement", "QueryStatement has no FROM <table>, so its table properties cannot be checked")
	case !known:
		add(CodeQueryTableUnknown, SeverityWarning, "QueryStatement", "table %s is not one this package knows; its table properties are not checked", table)
	}
	if known {
		tc, ok := configs[table]
		switch {
		case !ok && len(props) > 0:
			add(CodeTableConfigMissing, SeverityError, "TableConfigurations", "TableConfigurations has no entry for %s, the table the query reads", table)
		case !ok:
			add(CodeTableConfigMissing, SeverityWarning, "TableConfigurations", "TableConfigurations has no entry for %s; AWS's examples give one even without properties: {%q: {}}", table, table)
		}
		for _, k := range slices.Sorted(maps.Keys(tc)) {
			field := "TableConfigurations." + table + "." + k
			kind, ok := props[k]
			if !ok {
				add(CodeTablePropertyUnknown, SeverityWarning, field, "%s has no property %s", table, k)
				continue
			}
			if !validProp(kind, tc[k]) {
				add(CodeTablePropertyInvalid, SeverityError, field, "%s is %q; allowed: %s", k, tc[k], propAllowed(kind))
			}
		}
		for _, t := range slices.Sorted(maps.Keys(configs)) {
			if t != table {
				add(CodeTableConfigUnused, SeverityWarning, "TableConfigurations", "TableConfigurations has an entry for %s, which the query does not read", t)
			}
		}
	}
	dest := s3dest(e)
	if dest == nil {
		add(CodeDestinationMissing, SeverityError, "DestinationConfigurations", "DestinationConfigurations.S3Destination is missing; name the bucket, prefix and region AWS delivers to")
	} else {
		bucket := aws.ToString(dest.S3Bucket)
		switch {
		case bucket == "":
			add(CodeS3BucketInvalid, SeverityError, "S3Bucket", "S3Bucket is empty; name the bucket AWS delivers to")
		case len(bucket) > maxS3BucketLen || !curBucketRE.MatchString(bucket):
			add(CodeS3BucketInvalid, SeverityError, "S3Bucket", "S3Bucket %q is not a bucket name", bucket)
		}
		switch {
		case dest.S3Prefix == nil:
			add(CodeS3PrefixInvalid, SeverityError, "S3Prefix", "S3Prefix is missing; the API requires it")
		case utf8.RuneCountInString(*dest.S3Prefix) > maxExportPrefixLen:
			add(CodeS3PrefixInvalid, SeverityError, "S3Prefix", "S3Prefix is %d characters; AWS allows up to %d", utf8.RuneCountInString(*dest.S3Prefix), maxExportPrefixLen)
		case strings.ContainsFunc(*dest.S3Prefix, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			add(CodeS3PrefixInvalid, SeverityError, "S3Prefix", "S3Prefix has control characters")
		}
		if r := aws.ToString(dest.S3Region); !regionRE.MatchString(r) {
			add(CodeS3RegionInvalid, SeverityError, "S3Region", "S3Region %q is not a region code like us-east-1; it must be the bucket's region", r)
		}
		if o := dest.S3BucketOwner; o != nil && !accountIDRE.MatchString(*o) {
			add(CodeBucketOwnerInvalid, SeverityError, "S3BucketOwner", "S3BucketOwner %q is not a 12-digit account ID", *o)
		}
	}
	oc := outputConfig(e)
	if dest != nil {
		if oc.OutputType != dxtypes.S3OutputTypeCustom {
			add(CodeOutputTypeInvalid, SeverityError, "OutputType", "OutputType is %q; Data Exports delivers to S3 with CUSTOM", oc.OutputType)
		}
		fOK := slices.Contains(dxtypes.FormatOption("").Values(), oc.Format)
		cOK := slices.Contains(dxtypes.CompressionOption("").Values(), oc.Compression)
		if !fOK {
			add(CodeFormatInvalid, SeverityError, "Format", "Format %q is not one of TEXT_OR_CSV, PARQUET", oc.Format)
		}
		if !cOK {
			add(CodeCompressionInvalid, SeverityError, "Compression", "Compression %q is not one of GZIP, PARQUET (Data Exports has no ZIP)", oc.Compression)
		}
		if fOK && cOK && (oc.Format == dxtypes.FormatOptionParquet) != (oc.Compression == dxtypes.CompressionOptionParquet) {
			add(CodeFormatCompression, SeverityError, "Compression", "Format %s goes with Compression %s only", oc.Format,
				map[bool]string{true: "PARQUET", false: "GZIP"}[oc.Format == dxtypes.FormatOptionParquet])
		}
		if !slices.Contains(dxtypes.OverwriteOption("").Values(), oc.Overwrite) {
			add(CodeVersioningInvalid, SeverityError, "Overwrite", "Overwrite %q is not one of CREATE_NEW_REPORT, OVERWRITE_REPORT", oc.Overwrite)
		}
	}
	if e.RefreshCadence == nil || e.RefreshCadence.Frequency != dxtypes.FrequencyOptionSynchronous {
		var got dxtypes.FrequencyOption
		if e.RefreshCadence != nil {
			got = e.RefreshCadence.Frequency
		}
		add(CodeRefreshCadence, SeverityError, "Frequency", "RefreshCadence.Frequency is %q; the only value is SYNCHRONOUS", got)
	}
	return fs
}

func validProp(k propKind, v string) bool {
	switch k {
	case propBool:
		return v == "TRUE" || v == "FALSE"
	case propGranularity:
		return v == "HOURLY" || v == "DAILY" || v == "MONTHLY"
	}
	return true
}

func propAllowed(k propKind) string {
	switch k {
	case propBool:
		return "TRUE, FALSE"
	case propGranularity:
		return "HOURLY, DAILY, MONTHLY"
	}
	return "any string"
}

func boolProp(tc map[string]string, k string) bool { return tc[k] == "TRUE" }

var (
	resourceColumnRE      = regexp.MustCompile(`(?i)\bline_item_resource_id\b|^\s*SELECT\s+\*`)
	focusResourceColumnRE = regexp.MustCompile(`(?i)\bResourceId\b|^\s*SELECT\s+\*`)
)

func exportProfileFindings(e *dxtypes.Export, p pins) Findings {
	var fs Findings
	add := func(code Code, sev Severity, field, format string, args ...any) {
		fs = append(fs, Finding{Code: code, Severity: sev, Field: field, Profile: p.label(), Message: p.label() + " " + fmt.Sprintf(format, args...)})
	}
	table := exportTable(e)
	var tc map[string]string
	if e.DataQuery != nil {
		tc = e.DataQuery.TableConfigurations[table]
	}
	if _, ok := tableProps[table][propTimeGranularity]; ok && p.timeUnit != "" && tc[propTimeGranularity] != p.timeUnit {
		add(timeUnitCode(p.timeUnit), SeverityError, "TableConfigurations."+table+"."+propTimeGranularity, "needs TIME_GRANULARITY %s, not %q", p.timeUnit, tc[propTimeGranularity])
	}
	if table == tableCUR2 {
		field := "TableConfigurations." + table + "."
		has := boolProp(tc, propIncludeResources)
		switch w := wants(p.resourceIDs); {
		case w > 0 && !has:
			add(CodeResourceIDsMissing, severityOf(p.resourceIDs), field+propIncludeResources, "needs resource IDs (INCLUDE_RESOURCES TRUE)")
		case w > 0 && !resourceColumnRE.MatchString(exportQuery(e)):
			add(CodeResourceIDColumn, severityOf(p.resourceIDs), "QueryStatement", "needs resource IDs, but the query does not select line_item_resource_id")
		case w < 0 && has:
			add(CodeResourceIDsUnwanted, SeverityError, field+propIncludeResources, "does not want resource IDs (INCLUDE_RESOURCES TRUE)")
		}
		has = boolProp(tc, propIncludeSplitCost)
		switch w := wants(p.split); {
		case w > 0 && !has:
			add(CodeSplitCostMissing, severityOf(p.split), field+propIncludeSplitCost, "needs split cost allocation data (INCLUDE_SPLIT_COST_ALLOCATION_DATA TRUE)")
		case w < 0 && has:
			add(CodeSplitCostUnwanted, SeverityError, field+propIncludeSplitCost, "does not want split cost allocation data")
		}
	}
	if kindOfTable(table) == curreader.KindFOCUS && wants(p.resourceIDs) > 0 && !focusResourceColumnRE.MatchString(exportQuery(e)) {
		add(CodeResourceIDColumn, severityOf(p.resourceIDs), "QueryStatement", "needs resource IDs, but the query does not select ResourceId")
	}
	oc := outputConfig(e)
	if p.versioning != "" && string(oc.Overwrite) != p.versioning {
		code := CodeVersioningNotOverwrite
		if p.versioning == string(dxtypes.OverwriteOptionCreateNewReport) {
			code = CodeVersioningNotCreate
		}
		add(code, SeverityError, "Overwrite", "needs Overwrite %s, not %q", p.versioning, oc.Overwrite)
	}
	switch {
	case p.format == curreader.FormatCSV && oc.Format != dxtypes.FormatOptionTextOrCsv:
		add(CodeFormatNotCSV, SeverityError, "Format", "needs Format TEXT_OR_CSV, not %q", oc.Format)
	case p.format == curreader.FormatParquet && oc.Format != dxtypes.FormatOptionParquet:
		add(CodeFormatNotParquet, SeverityError, "Format", "needs Format PARQUET, not %q", oc.Format)
	}
	if want := exportCompression(p.compression); want != "" && oc.Compression != want {
		add(compressionCode(p.compression), SeverityError, "Compression", "needs Compression %s, not %q", want, oc.Compression)
	}
	if p.region != "" && exportRegion(e) != p.region {
		add(CodeRegionMismatch, SeverityError, "S3Region", "needs the export delivered to a bucket in %s, not %q", p.region, exportRegion(e))
	}
	if d := s3dest(e); d != nil && wants(p.prefix) > 0 && aws.ToString(d.S3Prefix) == "" {
		add(CodeS3PrefixEmpty, severityOf(p.prefix), "S3Prefix", "needs a non-empty S3Prefix")
	}
	if p.namePrefix != "" && !strings.HasPrefix(aws.ToString(e.Name), p.namePrefix) {
		add(CodeNamePrefixMismatch, SeverityError, "Name", "needs Name to start with %q", p.namePrefix)
	}
	return fs
}

// cur2Columns is the column list of proposed CUR 2.0 exports: the core
// identity, billing, line item and pricing columns, the map columns, and
// line_item_resource_id when resource IDs are included.
var cur2Columns = []string{
	"identity_line_item_id", "identity_time_interval", "bill_billing_period_start_date", "bill_billing_period_end_date",
	"bill_payer_account_id", "bill_invoice_id", "line_item_usage_account_id", "line_item_line_item_type",
	"line_item_usage_start_date", "line_item_usage_end_date", "line_item_product_code", "line_item_usage_type",
	"line_item_operation", "line_item_availability_zone", "line_item_usage_amount", "line_item_currency_code",
	"line_item_unblended_rate", "line_item_unblended_cost", "line_item_blended_cost", "line_item_line_item_description",
	"pricing_public_on_demand_cost", "pricing_term", "pricing_unit", "reservation_reservation_a_r_n",
	"reservation_effective_cost", "savings_plan_savings_plan_a_r_n", "savings_plan_savings_plan_effective_cost",
	"product", "resource_tags", "cost_category",
}

// focusColumns are the FOCUS 1.0 columns of proposed FOCUS exports.
var focusColumns = []string{
	"AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
	"BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd",
	"ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
	"CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
	"ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory",
	"PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
	"ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId",
	"SubAccountName", "Tags",
}

func defaultQuery(table string, resources bool) string {
	if table == tableCUR2 {
		cols := slices.Clone(cur2Columns)
		if resources {
			cols = slices.Insert(cols, 14, "line_item_resource_id")
		}
		return "SELECT " + strings.Join(cols, ", ") + " FROM " + table
	}
	return "SELECT " + strings.Join(focusColumns, ", ") + " FROM " + table
}

// addColumn inserts a column before the query's FROM.
func addColumn(q, column string) string {
	loc := fromRE.FindStringIndex(q)
	if loc == nil {
		return q
	}
	head := strings.TrimRight(q[:loc[0]], " \t\r\n")
	return head + ", " + column + " " + q[loc[0]:]
}

func tableForKind(k curreader.Kind) string {
	if k == curreader.KindFOCUS {
		return tableFOCUS
	}
	return tableCUR2
}

func boolString(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// correctExport returns e corrected for AWS's rules and p's requirements.
func correctExport(e *dxtypes.Export, p pins) dxtypes.Export {
	f := dxtypes.Export{}
	name := sanitize(aws.ToString(e.Name), singleNameChar, maxExportNameLen, "cost-and-usage-export")
	if p.namePrefix != "" && !strings.HasPrefix(name, p.namePrefix) {
		name = p.namePrefix + name
		if len(name) > maxExportNameLen {
			name = name[:maxExportNameLen]
		}
	}
	f.Name = aws.String(name)
	if e.Description != nil {
		f.Description = aws.String(truncateRunes(*e.Description, maxDescriptionLen))
	}

	q := exportQuery(e)
	var configs map[string]map[string]string
	if e.DataQuery != nil {
		configs = e.DataQuery.TableConfigurations
	}
	table := queryTable(q)
	if strings.TrimSpace(q) == "" {
		table = exportTable(e)
		if _, ok := tableProps[table]; !ok {
			table = tableCUR2
			if !p.accepts(curreader.KindCUR2) && p.accepts(curreader.KindFOCUS) {
				table = tableFOCUS
			}
		}
		q = defaultQuery(table, wants(p.resourceIDs) > 0 || boolProp(configs[table], propIncludeResources))
	}
	newConfigs := map[string]map[string]string{}
	if props, known := tableProps[table]; known {
		tc := map[string]string{}
		for k, v := range configs[table] {
			kind, ok := props[k]
			if !ok {
				continue
			}
			if !validProp(kind, v) {
				switch kind {
				case propBool:
					v = boolString(strings.EqualFold(v, "true"))
				case propGranularity:
					v = strings.ToUpper(v)
					if !validProp(kind, v) {
						v = "HOURLY"
					}
				}
			}
			tc[k] = v
		}
		if _, ok := props[propTimeGranularity]; ok {
			if tc[propTimeGranularity] == "" {
				tc[propTimeGranularity] = "HOURLY"
			}
			if p.timeUnit != "" {
				tc[propTimeGranularity] = p.timeUnit
			}
		}
		if table == tableCUR2 {
			for _, b := range []struct {
				prop string
				r    Requirement
			}{{propIncludeResources, p.resourceIDs}, {propIncludeSplitCost, p.split}} {
				switch w := wants(b.r); {
				case w != 0:
					tc[b.prop] = boolString(w > 0)
				case tc[b.prop] == "":
					tc[b.prop] = "FALSE"
				}
			}
			if wants(p.resourceIDs) > 0 && !resourceColumnRE.MatchString(q) {
				if nq := addColumn(q, "line_item_resource_id"); len(nq) <= maxQueryLen {
					q = nq
				}
			}
		}
		if kindOfTable(table) == curreader.KindFOCUS && wants(p.resourceIDs) > 0 && !focusResourceColumnRE.MatchString(q) {
			if nq := addColumn(q, "ResourceId"); len(nq) <= maxQueryLen {
				q = nq
			}
		}
		newConfigs[table] = tc
	} else {
		newConfigs = configs
	}
	f.DataQuery = &dxtypes.DataQuery{QueryStatement: aws.String(q), TableConfigurations: newConfigs}

	if src := s3dest(e); src != nil {
		d := &dxtypes.S3Destination{S3Bucket: src.S3Bucket, S3Prefix: src.S3Prefix, S3Region: src.S3Region, S3BucketOwner: src.S3BucketOwner}
		prefix := truncateRunes(aws.ToString(src.S3Prefix), maxExportPrefixLen)
		prefix = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, prefix)
		if wants(p.prefix) > 0 && prefix == "" {
			prefix = defaultPrefix
		}
		d.S3Prefix = aws.String(prefix)
		if p.region != "" {
			d.S3Region = aws.String(p.region)
		}
		oc := outputConfig(e)
		format := normalizeExportFormat(oc.Format)
		comp := normalizeExportCompression(oc.Compression)
		switch p.format {
		case curreader.FormatCSV:
			format = dxtypes.FormatOptionTextOrCsv
		case curreader.FormatParquet:
			format = dxtypes.FormatOptionParquet
		}
		if p.compression != "" {
			comp = dxtypes.CompressionOption(p.compression)
		}
		if format == "" {
			format = dxtypes.FormatOptionTextOrCsv
			if comp == dxtypes.CompressionOptionParquet {
				format = dxtypes.FormatOptionParquet
			}
		}
		if format == dxtypes.FormatOptionParquet {
			comp = dxtypes.CompressionOptionParquet
		} else {
			comp = dxtypes.CompressionOptionGzip
		}
		ow := oc.Overwrite
		if !slices.Contains(dxtypes.OverwriteOption("").Values(), ow) {
			ow = dxtypes.OverwriteOptionCreateNewReport
		}
		if p.versioning != "" {
			ow = dxtypes.OverwriteOption(p.versioning)
		}
		d.S3OutputConfigurations = &dxtypes.S3OutputConfigurations{
			OutputType: dxtypes.S3OutputTypeCustom, Format: format, Compression: comp, Overwrite: ow,
		}
		f.DestinationConfigurations = &dxtypes.DestinationConfigurations{S3Destination: d}
	}
	f.RefreshCadence = &dxtypes.RefreshCadence{Frequency: dxtypes.FrequencyOptionSynchronous}
	return f
}

func normalizeExportFormat(f dxtypes.FormatOption) dxtypes.FormatOption {
	switch strings.ToLower(string(f)) {
	case "text_or_csv", "textorcsv", "csv":
		return dxtypes.FormatOptionTextOrCsv
	case "parquet":
		return dxtypes.FormatOptionParquet
	}
	return ""
}

func normalizeExportCompression(c dxtypes.CompressionOption) dxtypes.CompressionOption {
	switch strings.ToLower(string(c)) {
	case "gzip":
		return dxtypes.CompressionOptionGzip
	case "parquet":
		return dxtypes.CompressionOptionParquet
	}
	return ""
}

func exportJSONEqual(a, b *dxtypes.Export) bool {
	ca, cb := *a, *b
	ca.ExportArn, cb.ExportArn = nil, nil
	ja, err1 := json.Marshal(encodeExport(&ca))
	jb, err2 := json.Marshal(encodeExport(&cb))
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func createExportFix(e *dxtypes.Export, note string) *Fix {
	return &Fix{Action: FixCreateExport, CreateExport: &dx.CreateExportInput{Export: e}, Note: note}
}

// exportFix builds the fix for an export.
func exportFix(e *dxtypes.Export, p pins, invalid bool) *Fix {
	f := correctExport(e, p)
	if exportJSONEqual(e, &f) {
		return nil
	}
	note := regionNote(exportRegion(&f), exportRegion(e), p)
	join := func(a, b string) string {
		switch {
		case a == "":
			return b
		case b == "":
			return a
		}
		return a + ". " + b
	}
	switch {
	case invalid:
		return createExportFix(&f, join("the export as given breaks AWS's rules, so it cannot exist: create it corrected", note))
	case aws.ToString(f.Name) != aws.ToString(e.Name):
		return createExportFix(&f, join(fmt.Sprintf("AWS cannot rename an export: create this one, and delete %q once it has delivered", aws.ToString(e.Name)), note))
	case e.ExportArn == nil:
		return createExportFix(&f, join("the export has no ExportArn, so it is created rather than updated", note))
	}
	return &Fix{Action: FixUpdateExport, UpdateExport: &dx.UpdateExportInput{ExportArn: e.ExportArn, Export: &f}, Note: note}
}

// legacyToExport converts a legacy definition to an export of kind k with
// the same destination and settings.
func legacyToExport(d *curtypes.ReportDefinition, k curreader.Kind) dxtypes.Export {
	table := tableForKind(k)
	res := slices.Contains(d.AdditionalSchemaElements, curtypes.SchemaElementResources)
	tc := map[string]string{}
	if table == tableCUR2 {
		tu := string(d.TimeUnit)
		if !validProp(propGranularity, tu) {
			tu = "HOURLY"
		}
		tc[propTimeGranularity] = tu
		tc[propIncludeResources] = boolString(res)
		tc[propIncludeSplitCost] = boolString(slices.Contains(d.AdditionalSchemaElements, curtypes.SchemaElementSplitCostAllocationData))
		tc["INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY"] = boolString(slices.Contains(d.AdditionalSchemaElements, curtypes.SchemaElementManualDiscountCompatibility))
	}
	format, comp := dxtypes.FormatOptionTextOrCsv, dxtypes.CompressionOptionGzip
	if d.Format == curtypes.ReportFormatParquet {
		format, comp = dxtypes.FormatOptionParquet, dxtypes.CompressionOptionParquet
	}
	ow := dxtypes.OverwriteOption(d.ReportVersioning)
	if ow == "" {
		ow = dxtypes.OverwriteOptionCreateNewReport
	}
	prefix := aws.ToString(d.S3Prefix)
	return dxtypes.Export{
		Name: d.ReportName,
		DataQuery: &dxtypes.DataQuery{
			QueryStatement:      aws.String(defaultQuery(table, res)),
			TableConfigurations: map[string]map[string]string{table: tc},
		},
		DestinationConfigurations: &dxtypes.DestinationConfigurations{S3Destination: &dxtypes.S3Destination{
			S3Bucket: d.S3Bucket, S3Prefix: aws.String(prefix), S3Region: aws.String(string(d.S3Region)),
			S3OutputConfigurations: &dxtypes.S3OutputConfigurations{OutputType: dxtypes.S3OutputTypeCustom, Format: format, Compression: comp, Overwrite: ow},
		}},
		RefreshCadence: &dxtypes.RefreshCadence{Frequency: dxtypes.FrequencyOptionSynchronous},
	}
}

// retargetExport returns e reading the table of kind k instead.
func retargetExport(e *dxtypes.Export, k curreader.Kind) dxtypes.Export {
	c := *e
	table := tableForKind(k)
	old := map[string]string{}
	if e.DataQuery != nil {
		old = e.DataQuery.TableConfigurations[exportTable(e)]
	}
	tc := map[string]string{}
	if table == tableCUR2 {
		tc[propTimeGranularity] = "HOURLY"
		if validProp(propGranularity, old[propTimeGranularity]) {
			tc[propTimeGranularity] = old[propTimeGranularity]
		}
	}
	c.DataQuery = &dxtypes.DataQuery{
		QueryStatement:      aws.String(defaultQuery(table, false)),
		TableConfigurations: map[string]map[string]string{table: tc},
	}
	return c
}

// exportToLegacy converts an export to a legacy definition with the same
// destination and settings.
func exportToLegacy(e *dxtypes.Export) curtypes.ReportDefinition {
	var tc map[string]string
	if e.DataQuery != nil {
		tc = e.DataQuery.TableConfigurations[exportTable(e)]
	}
	tu := curtypes.TimeUnit(tc[propTimeGranularity])
	if !slices.Contains(curtypes.TimeUnit("").Values(), tu) {
		tu = curtypes.TimeUnitHourly
	}
	elems := []curtypes.SchemaElement{}
	if boolProp(tc, propIncludeResources) || exportKind(e) == curreader.KindFOCUS {
		elems = append(elems, curtypes.SchemaElementResources)
	}
	if boolProp(tc, propIncludeSplitCost) {
		elems = append(elems, curtypes.SchemaElementSplitCostAllocationData)
	}
	oc := outputConfig(e)
	d := curtypes.ReportDefinition{
		ReportName: e.Name, TimeUnit: tu, AdditionalSchemaElements: elems,
		Format: curtypes.ReportFormatCsv, Compression: curtypes.CompressionFormatGzip,
		RefreshClosedReports: aws.Bool(true), ReportVersioning: curtypes.ReportVersioning(oc.Overwrite),
	}
	if normalizeExportFormat(oc.Format) == dxtypes.FormatOptionParquet {
		d.Format, d.Compression = curtypes.ReportFormatParquet, curtypes.CompressionFormatParquet
	}
	if dest := s3dest(e); dest != nil {
		d.S3Bucket, d.S3Prefix, d.S3Region = dest.S3Bucket, dest.S3Prefix, curtypes.AWSRegion(aws.ToString(dest.S3Region))
	}
	return d
}

// settingField maps a profile setting to the AWS field it governs.
func settingField(setting string, legacy bool) string {
	pick := func(l, e string) string {
		if legacy {
			return l
		}
		return e
	}
	switch setting {
	case "kinds":
		return pick("ReportDefinition", "QueryStatement")
	case "timeUnit":
		return pick("TimeUnit", "TableConfigurations")
	case "versioning":
		return pick("ReportVersioning", "Overwrite")
	case "format":
		return "Format"
	case "compression":
		return "Compression"
	case "region":
		return "S3Region"
	case "namePrefix":
		return pick("ReportName", "Name")
	case "resourceIds", "splitCostAllocationData":
		return pick("AdditionalSchemaElements", "TableConfigurations")
	case "refreshClosedReports":
		return "RefreshClosedReports"
	case "athena":
		return "AdditionalArtifacts"
	case "s3Prefix":
		return "S3Prefix"
	}
	return setting
}
