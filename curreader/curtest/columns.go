package curtest

import (
	"sort"
	"strings"
	"time"
	"unicode"
)

// ptype is a column's value type.
type ptype uint8

const (
	tString ptype = iota
	tDouble
	tTimestamp
	tMapString
	tMapDouble
)

type cellKind uint8

const (
	cNull cellKind = iota
	cStr
	cDec  // n units
	cRate // n units, legacy String-typed numeric text; empty when null
	cTime
	cMap
)

type kv struct {
	k string
	v string
	n int64
}

// cell is one generated value before it is rendered as CSV text or a
// Parquet value.
type cell struct {
	kind cellKind
	s    string
	n    int64
	t    time.Time
	m    []kv
}

func str(s string) cell {
	if s == "" {
		return cell{}
	}
	return cell{kind: cStr, s: s}
}
func dec(n int64) cell    { return cell{kind: cDec, n: n} }
func tm(t time.Time) cell { return cell{kind: cTime, t: t} }
func rate(n int64) cell   { return cell{kind: cRate, n: n} }
func optDec(n int64) cell {
	if n == 0 {
		return cell{}
	}
	return dec(n)
}

// column is one column of a report.
type column struct {
	name     string // header / field name
	category string // legacy manifest category ("" for Data Exports)
	short    string // legacy manifest name (after category/)
	ltype    string // legacy manifest type (String, DateTime, BigDecimal, …)
	typ      ptype
	get      func(*record) cell
}

// legacyField describes a legacy CUR column.
type legacyField struct {
	name   string // category/Name
	ltype  string
	narrow bool
	get    func(*record) cell
}

const intervalLayout = "2006-01-02T15:04:05Z"

func prodAttr(name string) func(*record) cell {
	return func(r *record) cell {
		if r.lineType == "Tax" || r.prod == nil {
			return cell{}
		}
		v := r.prod.attrs[name]
		if v == "%s" {
			v = r.reg.location
		}
		return str(v)
	}
}

func notTax(f func(*record) string) func(*record) cell {
	return func(r *record) cell {
		if r.lineType == "Tax" {
			return cell{}
		}
		return str(f(r))
	}
}

func onlyFor(types string, f func(*record) string) func(*record) cell {
	return func(r *record) cell {
		if !strings.Contains(types, r.lineType) {
			return cell{}
		}
		return str(f(r))
	}
}

func constant(s string) func(*record) string { return func(*record) string { return s } }

func empty(*record) cell { return cell{} }

func tagCell(f func(*record) string) func(*record) cell {
	return func(r *record) cell { return str(f(r)) }
}

// legacyFields lists legacy CUR columns in the order AWS writes them (the
// real 2023 sample's order, with the RESOURCES, tag, cost-category and
// extra product columns where AWS puts them).
var legacyFields = []legacyField{
	{"identity/LineItemId", "String", true, func(r *record) cell { return str(r.id) }},
	{"identity/TimeInterval", "Interval", true, func(r *record) cell {
		return str(r.ivStart.Format(intervalLayout) + "/" + r.ivEnd.Format(intervalLayout))
	}},
	{"bill/InvoiceId", "String", true, func(r *record) cell { return str(r.invoiceID) }},
	{"bill/InvoicingEntity", "String", true, func(r *record) cell { return str(r.invoicing) }},
	{"bill/BillingEntity", "String", true, func(r *record) cell { return str(r.billingEntity) }},
	{"bill/BillType", "String", true, func(r *record) cell { return str(r.billType) }},
	{"bill/PayerAccountId", "String", true, func(r *record) cell { return str(r.payer) }},
	{"bill/BillingPeriodStartDate", "DateTime", true, func(r *record) cell { return tm(r.periodStart) }},
	{"bill/BillingPeriodEndDate", "DateTime", true, func(r *record) cell { return tm(r.periodEnd) }},
	{"lineItem/UsageAccountId", "String", true, func(r *record) cell { return str(r.acct.id) }},
	{"lineItem/LineItemType", "String", true, func(r *record) cell { return str(r.lineType) }},
	{"lineItem/UsageStartDate", "DateTime", true, func(r *record) cell { return tm(r.usageStart) }},
	{"lineItem/UsageEndDate", "DateTime", true, func(r *record) cell { return tm(r.usageEnd) }},
	{"lineItem/ProductCode", "String", true, func(r *record) cell { return str(r.prod.code) }},
	{"lineItem/UsageType", "String", true, func(r *record) cell { return str(r.usageType) }},
	{"lineItem/Operation", "String", true, func(r *record) cell { return str(r.operation) }},
	{"lineItem/AvailabilityZone", "String", true, func(r *record) cell { return str(r.az) }},
	{"lineItem/ResourceId", "String", true, func(r *record) cell { return str(r.resource) }},
	{"lineItem/UsageAmount", "BigDecimal", true, func(r *record) cell { return dec(r.usage) }},
	{"lineItem/NormalizationFactor", "OptionalBigDecimal", true, func(r *record) cell { return optDec(r.normFactor) }},
	{"lineItem/NormalizedUsageAmount", "OptionalBigDecimal", true, func(r *record) cell {
		if r.normFactor == 0 {
			return cell{}
		}
		return dec(mulUnits(r.usage, r.normFactor))
	}},
	{"lineItem/CurrencyCode", "String", true, func(r *record) cell { return str("USD") }},
	{"lineItem/UnblendedRate", "String", true, func(r *record) cell {
		if r.rateEmpty {
			return cell{}
		}
		return rate(r.rate)
	}},
	{"lineItem/UnblendedCost", "BigDecimal", true, func(r *record) cell { return dec(r.cost) }},
	{"lineItem/BlendedRate", "String", true, func(r *record) cell {
		if r.rateEmpty {
			return cell{}
		}
		return rate(r.rate)
	}},
	{"lineItem/BlendedCost", "BigDecimal", true, func(r *record) cell { return dec(r.cost) }},
	{"lineItem/LineItemDescription", "String", true, func(r *record) cell { return str(r.desc) }},
	{"lineItem/TaxType", "String", true, func(r *record) cell { return str(r.taxType) }},
	{"lineItem/LegalEntity", "String", true, func(r *record) cell { return str(r.legal) }},
	{"product/ProductName", "String", true, func(r *record) cell { return str(r.prod.name) }},
	{"product/availability", "String", false, prodAttr("availability")},
	{"product/capacitystatus", "String", false, prodAttr("capacitystatus")},
	{"product/clockSpeed", "String", false, prodAttr("clockSpeed")},
	{"product/currentGeneration", "String", false, prodAttr("currentGeneration")},
	{"product/databaseEngine", "String", false, prodAttr("databaseEngine")},
	{"product/dedicatedEbsThroughput", "String", false, prodAttr("dedicatedEbsThroughput")},
	{"product/deploymentOption", "String", false, prodAttr("deploymentOption")},
	{"product/durability", "String", false, prodAttr("durability")},
	{"product/ecu", "String", false, prodAttr("ecu")},
	{"product/enhancedNetworkingSupported", "String", false, prodAttr("enhancedNetworkingSupported")},
	{"product/eventType", "String", false, prodAttr("eventType")},
	{"product/feeCode", "String", false, prodAttr("feeCode")},
	{"product/feeDescription", "String", false, prodAttr("feeDescription")},
	{"product/fromLocation", "String", false, prodAttr("fromLocation")},
	{"product/fromLocationType", "String", false, prodAttr("fromLocationType")},
	{"product/fromRegionCode", "String", false, func(r *record) cell {
		if r.prod.attrs["fromLocation"] == "" || r.lineType == "Tax" {
			return cell{}
		}
		return str(r.reg.code)
	}},
	{"product/gpu", "String", false, prodAttr("gpu")},
	{"product/gpuMemory", "String", false, prodAttr("gpuMemory")},
	{"product/group", "String", false, prodAttr("group")},
	{"product/groupDescription", "String", false, prodAttr("groupDescription")},
	{"product/instanceFamily", "String", false, prodAttr("instanceFamily")},
	{"product/instanceType", "String", true, prodAttr("instanceType")},
	{"product/instanceTypeFamily", "String", false, prodAttr("instanceTypeFamily")},
	{"product/intelAvx2Available", "String", false, prodAttr("intelAvx2Available")},
	{"product/intelAvxAvailable", "String", false, prodAttr("intelAvxAvailable")},
	{"product/intelTurboAvailable", "String", false, prodAttr("intelTurboAvailable")},
	{"product/licenseModel", "String", false, prodAttr("licenseModel")},
	{"product/location", "String", true, notTax(func(r *record) string { return r.reg.location })},
	{"product/locationType", "String", false, notTax(constant("AWS Region"))},
	{"product/marketoption", "String", false, prodAttr("marketoption")},
	{"product/maxIopsvolume", "String", false, prodAttr("maxIopsvolume")},
	{"product/maxThroughputvolume", "String", false, prodAttr("maxThroughputvolume")},
	{"product/memory", "String", false, prodAttr("memory")},
	{"product/messageDeliveryFrequency", "String", false, prodAttr("messageDeliveryFrequency")},
	{"product/messageDeliveryOrder", "String", false, prodAttr("messageDeliveryOrder")},
	{"product/networkPerformance", "String", false, prodAttr("networkPerformance")},
	{"product/normalizationSizeFactor", "String", false, prodAttr("normalizationSizeFactor")},
	{"product/operatingSystem", "String", false, prodAttr("operatingSystem")},
	{"product/operation", "String", false, notTax(func(r *record) string { return r.operation })},
	{"product/overhead", "String", false, prodAttr("overhead")},
	{"product/physicalProcessor", "String", false, prodAttr("physicalProcessor")},
	{"product/preInstalledSw", "String", false, prodAttr("preInstalledSw")},
	{"product/processorArchitecture", "String", false, prodAttr("processorArchitecture")},
	{"product/productFamily", "String", true, notTax(func(r *record) string { return r.prod.family })},
	{"product/productType", "String", false, prodAttr("productType")},
	{"product/queueType", "String", false, prodAttr("queueType")},
	{"product/region", "String", true, notTax(func(r *record) string { return r.reg.code })},
	{"product/regionCode", "String", false, notTax(func(r *record) string { return r.reg.code })},
	{"product/servicecode", "String", true, notTax(func(r *record) string { return r.prod.code })},
	{"product/servicename", "String", false, notTax(func(r *record) string { return r.prod.serviceName })},
	{"product/sku", "String", true, notTax(func(r *record) string { return r.sku })},
	{"product/storage", "String", false, prodAttr("storage")},
	{"product/storageClass", "String", false, prodAttr("storageClass")},
	{"product/storageMedia", "String", false, prodAttr("storageMedia")},
	{"product/tenancy", "String", false, prodAttr("tenancy")},
	{"product/tiertype", "String", false, prodAttr("tiertype")},
	{"product/toLocation", "String", false, prodAttr("toLocation")},
	{"product/toLocationType", "String", false, prodAttr("toLocationType")},
	{"product/toRegionCode", "String", false, prodAttr("toRegionCode")},
	{"product/transferType", "String", false, prodAttr("transferType")},
	{"product/usageFamily", "String", false, prodAttr("usageFamily")},
	{"product/usagetype", "String", false, notTax(func(r *record) string { return r.usageType })},
	{"product/version", "String", false, prodAttr("version")},
	{"product/volumeApiName", "String", false, prodAttr("volumeApiName")},
	{"product/volumeType", "String", false, prodAttr("volumeType")},
	{"product/vpcnetworkingsupport", "String", false, prodAttr("vpcnetworkingsupport")},
	{"pricing/LeaseContractLength", "String", false, onlyFor("DiscountedUsage RIFee", constant("1yr"))},
	{"pricing/OfferingClass", "String", false, onlyFor("DiscountedUsage RIFee", constant("standard"))},
	{"pricing/PurchaseOption", "String", false, func(r *record) cell { return str(r.purchaseOption) }},
	{"pricing/RateCode", "String", false, notTax(func(r *record) string { return r.rateCode })},
	{"pricing/RateId", "String", false, notTax(func(r *record) string { return r.rateID })},
	{"pricing/currency", "String", false, notTax(constant("USD"))},
	{"pricing/publicOnDemandCost", "BigDecimal", true, func(r *record) cell { return dec(r.publicCost) }},
	{"pricing/publicOnDemandRate", "String", true, func(r *record) cell {
		if r.publicRateEmpty {
			return cell{}
		}
		return rate(r.publicRate)
	}},
	{"pricing/term", "String", true, func(r *record) cell { return str(r.term) }},
	{"pricing/unit", "String", true, notTax(func(r *record) string { return r.prod.unit })},
	{"reservation/AmortizedUpfrontCostForUsage", "OptionalBigDecimal", false, func(r *record) cell { return optDec(r.riEffective / 2) }},
	{"reservation/AmortizedUpfrontFeeForBillingPeriod", "OptionalBigDecimal", false, empty},
	{"reservation/EffectiveCost", "OptionalBigDecimal", true, func(r *record) cell { return optDec(r.riEffective) }},
	{"reservation/EndTime", "OptionalString", false, onlyFor("DiscountedUsage RIFee", constant("2025-01-01T00:00:00.000Z"))},
	{"reservation/ModificationStatus", "OptionalString", false, onlyFor("DiscountedUsage RIFee", constant("Original"))},
	{"reservation/NormalizedUnitsPerReservation", "String", false, onlyFor("DiscountedUsage RIFee", constant("4"))},
	{"reservation/NumberOfReservations", "String", false, onlyFor("DiscountedUsage RIFee", constant("2"))},
	{"reservation/RecurringFeeForUsage", "OptionalBigDecimal", false, func(r *record) cell { return optDec(r.riEffective - r.riEffective/2) }},
	{"reservation/ReservationARN", "String", false, func(r *record) cell { return str(r.riARN) }},
	{"reservation/StartTime", "OptionalString", false, onlyFor("DiscountedUsage RIFee", constant("2024-01-01T00:00:00.000Z"))},
	{"reservation/SubscriptionId", "String", false, notTax(func(r *record) string { return r.rateID[:9] })},
	{"reservation/TotalReservedNormalizedUnits", "String", false, onlyFor("DiscountedUsage RIFee", constant("5952"))},
	{"reservation/TotalReservedUnits", "String", false, onlyFor("DiscountedUsage RIFee", constant("1488"))},
	{"reservation/UnitsPerReservation", "String", false, onlyFor("DiscountedUsage RIFee", constant("744"))},
	{"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "OptionalBigDecimal", false, empty},
	{"reservation/UnusedNormalizedUnitQuantity", "OptionalBigDecimal", false, empty},
	{"reservation/UnusedQuantity", "OptionalBigDecimal", false, empty},
	{"reservation/UnusedRecurringFee", "OptionalBigDecimal", false, empty},
	{"reservation/UpfrontValue", "OptionalBigDecimal", false, empty},
	{"savingsPlan/TotalCommitmentToDate", "OptionalBigDecimal", false, func(r *record) cell { return optDec(r.spEffective) }},
	{"savingsPlan/SavingsPlanARN", "String", false, func(r *record) cell { return str(r.spARN) }},
	{"savingsPlan/SavingsPlanRate", "OptionalBigDecimal", false, func(r *record) cell { return optDec(r.spRate) }},
	{"savingsPlan/UsedCommitment", "OptionalBigDecimal", false, func(r *record) cell { return optDec(r.spEffective) }},
	{"savingsPlan/SavingsPlanEffectiveCost", "OptionalBigDecimal", true, func(r *record) cell { return optDec(r.spEffective) }},
	{"savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "OptionalBigDecimal", false, empty},
	{"savingsPlan/RecurringCommitmentForBillingPeriod", "OptionalBigDecimal", false, empty},
	{"savingsPlan/StartTime", "OptionalString", false, onlyFor("SavingsPlanCoveredUsage SavingsPlanNegation", constant("2024-01-01T00:00:00.000Z"))},
	{"savingsPlan/EndTime", "OptionalString", false, onlyFor("SavingsPlanCoveredUsage SavingsPlanNegation", constant("2027-01-01T00:00:00.000Z"))},
	{"savingsPlan/OfferingType", "OptionalString", false, onlyFor("SavingsPlanCoveredUsage SavingsPlanNegation", constant("ComputeSavingsPlan"))},
	{"savingsPlan/PaymentOption", "OptionalString", false, onlyFor("SavingsPlanCoveredUsage SavingsPlanNegation", constant("No Upfront"))},
	{"savingsPlan/PurchaseTerm", "OptionalString", false, onlyFor("SavingsPlanCoveredUsage SavingsPlanNegation", constant("3yr"))},
	{"savingsPlan/Region", "OptionalString", false, empty},
	{"discount/BundledDiscount", "OptionalBigDecimal", false, empty},
	{"discount/TotalDiscount", "OptionalBigDecimal", false, empty},
	{"costCategory/Charge type", "String", false, func(r *record) cell { return str(r.chargeType) }},
	{"resourceTags/aws:createdBy", "String", false, tagCell(func(r *record) string { return r.createdBy })},
	{"resourceTags/user:CostCenter", "String", false, tagCell(func(r *record) string { return r.costCenter })},
	{"resourceTags/user:Environment", "String", true, tagCell(func(r *record) string { return r.env })},
	{"resourceTags/user:Team", "String", true, tagCell(func(r *record) string { return r.team })},
	{"resourceTags/user:kubernetes.io/name", "String", false, tagCell(func(r *record) string { return r.k8sName })},
}

var legacyByName = func() map[string]*legacyField {
	m := make(map[string]*legacyField, len(legacyFields))
	for i := range legacyFields {
		m[legacyFields[i].name] = &legacyFields[i]
	}
	return m
}()

// athenaName converts a legacy header to the Athena/Parquet column name
// with AWS's documented rules (cur-ate-run.md): an underscore before each
// upper-case letter, lower case, non-alphanumerics to "_", repeated "_"
// collapsed, leading and trailing "_" trimmed. (Written here, apart from
// the readers' own conversion, on purpose.)
func athenaName(h string) string {
	var b strings.Builder
	for _, c := range h {
		switch {
		case unicode.IsUpper(c):
			b.WriteByte('_')
			b.WriteRune(unicode.ToLower(c))
		case c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	parts := strings.FieldsFunc(b.String(), func(c rune) bool { return c == '_' })
	return strings.Join(parts, "_")
}

func legacyColumns(w Width, parquet bool) []column {
	var cols []column
	for _, f := range legacyFields {
		if w == Narrow && !f.narrow {
			continue
		}
		cat, short, _ := strings.Cut(f.name, "/")
		c := column{name: f.name, category: cat, short: short, ltype: f.ltype, get: f.get}
		switch f.ltype {
		case "BigDecimal", "OptionalBigDecimal":
			c.typ = tDouble
		case "DateTime":
			c.typ = tTimestamp
		}
		if parquet {
			c.name = athenaName(f.name)
			c.short = c.name
			switch c.typ {
			case tDouble:
				c.ltype = "DOUBLE"
			case tTimestamp:
				c.ltype = "TIMESTAMP"
			default:
				c.ltype = "STRING"
			}
		}
		cols = append(cols, c)
	}
	return cols
}

// cur2Field describes a CUR 2.0 column: its name, type, whether it is in
// the narrow set, and either the legacy column whose value it carries or its
// own getter.
type cur2Field struct {
	name   string
	typ    ptype
	narrow bool
	legacy string
	get    func(*record) cell
}

func mapCell(pairs ...string) cell {
	c := cell{kind: cMap}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			c.m = append(c.m, kv{k: pairs[i], v: pairs[i+1]})
		}
	}
	sort.Slice(c.m, func(i, j int) bool { return c.m[i].k < c.m[j].k })
	return c
}

// snake converts a product attribute name (lower camel) to the CUR 2.0 map
// key form: "instanceType" → "instance_type".
func snake(s string) string { return athenaName(s) }

func productMap(r *record) cell {
	if r.lineType == "Tax" {
		return mapCell("product_name", r.prod.name)
	}
	pairs := []string{"product_name", r.prod.name, "region", r.reg.code, "servicename", r.prod.serviceName}
	for k, v := range r.prod.attrs {
		if v == "%s" {
			v = r.reg.location
		}
		pairs = append(pairs, snake(k), v)
	}
	return mapCell(pairs...)
}

func resourceTagsMap(r *record) cell {
	return mapCell("user_team", r.team, "user_environment", r.env, "user_cost_center", r.costCenter,
		"user_kubernetes_io_name", r.k8sName, "aws_created_by", r.createdBy)
}

var cur2Fields = []cur2Field{
	{"bill_bill_type", tString, true, "bill/BillType", nil},
	{"bill_billing_entity", tString, true, "bill/BillingEntity", nil},
	{"bill_billing_period_end_date", tTimestamp, true, "bill/BillingPeriodEndDate", nil},
	{"bill_billing_period_start_date", tTimestamp, true, "bill/BillingPeriodStartDate", nil},
	{"bill_invoice_id", tString, true, "bill/InvoiceId", nil},
	{"bill_invoicing_entity", tString, true, "bill/InvoicingEntity", nil},
	{"bill_payer_account_id", tString, true, "bill/PayerAccountId", nil},
	{"bill_payer_account_name", tString, true, "", func(r *record) cell { return str("Acme Corp (management)") }},
	{"cost_category", tMapString, false, "", func(r *record) cell { return mapCell("charge_type", r.chargeType) }},
	{"discount", tMapDouble, false, "", func(r *record) cell { return cell{kind: cMap} }},
	{"discount_bundled_discount", tDouble, false, "discount/BundledDiscount", nil},
	{"discount_total_discount", tDouble, false, "discount/TotalDiscount", nil},
	{"identity_line_item_id", tString, true, "identity/LineItemId", nil},
	{"identity_time_interval", tString, true, "identity/TimeInterval", nil},
	{"line_item_availability_zone", tString, true, "lineItem/AvailabilityZone", nil},
	{"line_item_blended_cost", tDouble, true, "lineItem/BlendedCost", nil},
	{"line_item_blended_rate", tString, true, "lineItem/BlendedRate", nil},
	{"line_item_currency_code", tString, true, "lineItem/CurrencyCode", nil},
	{"line_item_legal_entity", tString, true, "lineItem/LegalEntity", nil},
	{"line_item_line_item_description", tString, true, "lineItem/LineItemDescription", nil},
	{"line_item_line_item_type", tString, true, "lineItem/LineItemType", nil},
	{"line_item_net_unblended_cost", tDouble, false, "", empty},
	{"line_item_net_unblended_rate", tString, false, "", empty},
	{"line_item_normalization_factor", tDouble, true, "lineItem/NormalizationFactor", nil},
	{"line_item_normalized_usage_amount", tDouble, true, "lineItem/NormalizedUsageAmount", nil},
	{"line_item_operation", tString, true, "lineItem/Operation", nil},
	{"line_item_product_code", tString, true, "lineItem/ProductCode", nil},
	{"line_item_resource_id", tString, true, "lineItem/ResourceId", nil},
	{"line_item_tax_type", tString, true, "lineItem/TaxType", nil},
	{"line_item_unblended_cost", tDouble, true, "lineItem/UnblendedCost", nil},
	{"line_item_unblended_rate", tString, true, "lineItem/UnblendedRate", nil},
	{"line_item_usage_account_id", tString, true, "lineItem/UsageAccountId", nil},
	{"line_item_usage_account_name", tString, true, "", func(r *record) cell { return str(r.acct.name) }},
	{"line_item_usage_amount", tDouble, true, "lineItem/UsageAmount", nil},
	{"line_item_usage_end_date", tTimestamp, true, "lineItem/UsageEndDate", nil},
	{"line_item_usage_start_date", tTimestamp, true, "lineItem/UsageStartDate", nil},
	{"line_item_usage_type", tString, true, "lineItem/UsageType", nil},
	{"pricing_currency", tString, false, "pricing/currency", nil},
	{"pricing_lease_contract_length", tString, false, "pricing/LeaseContractLength", nil},
	{"pricing_offering_class", tString, false, "pricing/OfferingClass", nil},
	{"pricing_public_on_demand_cost", tDouble, true, "pricing/publicOnDemandCost", nil},
	{"pricing_public_on_demand_rate", tString, true, "pricing/publicOnDemandRate", nil},
	{"pricing_purchase_option", tString, false, "pricing/PurchaseOption", nil},
	{"pricing_rate_code", tString, false, "pricing/RateCode", nil},
	{"pricing_rate_id", tString, false, "pricing/RateId", nil},
	{"pricing_term", tString, true, "pricing/term", nil},
	{"pricing_unit", tString, true, "pricing/unit", nil},
	{"product", tMapString, true, "", productMap},
	{"product_comment", tString, false, "", empty},
	{"product_fee_code", tString, false, "product/feeCode", nil},
	{"product_fee_description", tString, false, "product/feeDescription", nil},
	{"product_from_location", tString, false, "product/fromLocation", nil},
	{"product_from_location_type", tString, false, "product/fromLocationType", nil},
	{"product_from_region_code", tString, false, "product/fromRegionCode", nil},
	{"product_instance_family", tString, false, "product/instanceFamily", nil},
	{"product_instance_type", tString, false, "product/instanceType", nil},
	{"product_instancesku", tString, false, "", empty},
	{"product_location", tString, false, "product/location", nil},
	{"product_location_type", tString, false, "product/locationType", nil},
	{"product_operation", tString, false, "product/operation", nil},
	{"product_pricing_unit", tString, false, "pricing/unit", nil},
	{"product_product_family", tString, true, "product/productFamily", nil},
	{"product_region_code", tString, true, "product/regionCode", nil},
	{"product_servicecode", tString, true, "product/servicecode", nil},
	{"product_sku", tString, true, "product/sku", nil},
	{"product_to_location", tString, false, "product/toLocation", nil},
	{"product_to_location_type", tString, false, "product/toLocationType", nil},
	{"product_to_region_code", tString, false, "product/toRegionCode", nil},
	{"product_usagetype", tString, false, "product/usagetype", nil},
	{"reservation_amortized_upfront_cost_for_usage", tDouble, false, "reservation/AmortizedUpfrontCostForUsage", nil},
	{"reservation_amortized_upfront_fee_for_billing_period", tDouble, false, "reservation/AmortizedUpfrontFeeForBillingPeriod", nil},
	{"reservation_availability_zone", tString, false, "", empty},
	{"reservation_effective_cost", tDouble, true, "reservation/EffectiveCost", nil},
	{"reservation_end_time", tString, false, "reservation/EndTime", nil},
	{"reservation_modification_status", tString, false, "reservation/ModificationStatus", nil},
	{"reservation_net_amortized_upfront_cost_for_usage", tDouble, false, "", empty},
	{"reservation_net_amortized_upfront_fee_for_billing_period", tDouble, false, "", empty},
	{"reservation_net_effective_cost", tDouble, false, "", empty},
	{"reservation_net_recurring_fee_for_usage", tDouble, false, "", empty},
	{"reservation_net_unused_amortized_upfront_fee_for_billing_period", tDouble, false, "", empty},
	{"reservation_net_unused_recurring_fee", tDouble, false, "", empty},
	{"reservation_net_upfront_value", tDouble, false, "", empty},
	{"reservation_normalized_units_per_reservation", tString, false, "reservation/NormalizedUnitsPerReservation", nil},
	{"reservation_number_of_reservations", tString, false, "reservation/NumberOfReservations", nil},
	{"reservation_recurring_fee_for_usage", tDouble, false, "reservation/RecurringFeeForUsage", nil},
	{"reservation_reservation_a_r_n", tString, false, "reservation/ReservationARN", nil},
	{"reservation_start_time", tString, false, "reservation/StartTime", nil},
	{"reservation_subscription_id", tString, false, "reservation/SubscriptionId", nil},
	{"reservation_total_reserved_normalized_units", tString, false, "reservation/TotalReservedNormalizedUnits", nil},
	{"reservation_total_reserved_units", tString, false, "reservation/TotalReservedUnits", nil},
	{"reservation_units_per_reservation", tString, false, "reservation/UnitsPerReservation", nil},
	{"reservation_unused_amortized_upfront_fee_for_billing_period", tDouble, false, "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", nil},
	{"reservation_unused_normalized_unit_quantity", tDouble, false, "reservation/UnusedNormalizedUnitQuantity", nil},
	{"reservation_unused_quantity", tDouble, false, "reservation/UnusedQuantity", nil},
	{"reservation_unused_recurring_fee", tDouble, false, "reservation/UnusedRecurringFee", nil},
	{"reservation_upfront_value", tDouble, false, "reservation/UpfrontValue", nil},
	{"resource_tags", tMapString, true, "", resourceTagsMap},
	{"savings_plan_amortized_upfront_commitment_for_billing_period", tDouble, false, "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", nil},
	{"savings_plan_end_time", tString, false, "savingsPlan/EndTime", nil},
	{"savings_plan_instance_type_family", tString, false, "", empty},
	{"savings_plan_net_amortized_upfront_commitment_for_billing_period", tDouble, false, "", empty},
	{"savings_plan_net_recurring_commitment_for_billing_period", tDouble, false, "", empty},
	{"savings_plan_net_savings_plan_effective_cost", tDouble, false, "", empty},
	{"savings_plan_offering_type", tString, false, "savingsPlan/OfferingType", nil},
	{"savings_plan_payment_option", tString, false, "savingsPlan/PaymentOption", nil},
	{"savings_plan_purchase_term", tString, false, "savingsPlan/PurchaseTerm", nil},
	{"savings_plan_recurring_commitment_for_billing_period", tDouble, false, "savingsPlan/RecurringCommitmentForBillingPeriod", nil},
	{"savings_plan_region", tString, false, "savingsPlan/Region", nil},
	{"savings_plan_savings_plan_a_r_n", tString, false, "savingsPlan/SavingsPlanARN", nil},
	{"savings_plan_savings_plan_effective_cost", tDouble, true, "savingsPlan/SavingsPlanEffectiveCost", nil},
	{"savings_plan_savings_plan_rate", tDouble, false, "savingsPlan/SavingsPlanRate", nil},
	{"savings_plan_start_time", tString, false, "savingsPlan/StartTime", nil},
	{"savings_plan_total_commitment_to_date", tDouble, false, "savingsPlan/TotalCommitmentToDate", nil},
	{"savings_plan_used_commitment", tDouble, false, "savingsPlan/UsedCommitment", nil},
}

// cur2Columns returns the CUR 2.0 columns. A legacy String-typed rate
// becomes a string column; its value stays numeric text.
func cur2Columns(w Width) []column {
	var cols []column
	for _, f := range cur2Fields {
		if w == Narrow && !f.narrow {
			continue
		}
		c := column{name: f.name, typ: f.typ, get: f.get}
		if c.get == nil {
			lf, ok := legacyByName[f.legacy]
			if !ok {
				panic("curtest: CUR 2.0 column " + f.name + " names unknown legacy column " + f.legacy)
			}
			c.get = lf.get
		}
		cols = append(cols, c)
	}
	return cols
}

// FOCUS values derived from a line item.
func chargeCategory(r *record) string {
	switch r.lineType {
	case "Tax":
		return "Tax"
	case "Credit":
		return "Credit"
	case "Refund":
		return "Adjustment"
	case "Fee", "RIFee":
		return "Purchase"
	}
	return "Usage"
}

func chargeFrequency(r *record) string {
	switch r.lineType {
	case "Fee", "RIFee":
		return "Recurring"
	case "Tax", "Credit", "Refund":
		return "One-Time"
	}
	return "Usage-Based"
}

func focusEffective(r *record) int64 {
	switch r.lineType {
	case "DiscountedUsage":
		return r.riEffective
	case "SavingsPlanCoveredUsage":
		return r.spEffective
	case "SavingsPlanNegation":
		return 0
	}
	return r.cost
}

func isUsage(r *record) bool {
	switch r.lineType {
	case "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage":
		return true
	}
	return false
}

type focusField struct {
	name string
	typ  ptype
	v12  bool // FOCUS 1.2 only
	get  func(*record) cell
}

var focusFields = []focusField{
	{"AvailabilityZone", tString, false, func(r *record) cell { return str(r.az) }},
	{"BilledCost", tDouble, false, func(r *record) cell { return dec(r.cost) }},
	{"BillingAccountId", tString, false, func(r *record) cell { return str(r.payer) }},
	{"BillingAccountName", tString, false, func(r *record) cell { return str("Acme Corp (management)") }},
	{"BillingAccountType", tString, true, func(r *record) cell { return str("Billing Account") }},
	{"BillingCurrency", tString, false, func(r *record) cell { return str("USD") }},
	{"BillingPeriodEnd", tTimestamp, false, func(r *record) cell { return tm(r.periodEnd) }},
	{"BillingPeriodStart", tTimestamp, false, func(r *record) cell { return tm(r.periodStart) }},
	{"CapacityReservationId", tString, true, empty},
	{"CapacityReservationStatus", tString, true, empty},
	{"ChargeCategory", tString, false, func(r *record) cell { return str(chargeCategory(r)) }},
	{"ChargeClass", tString, false, empty},
	{"ChargeDescription", tString, false, func(r *record) cell { return str(r.desc) }},
	{"ChargeFrequency", tString, false, func(r *record) cell { return str(chargeFrequency(r)) }},
	{"ChargePeriodEnd", tTimestamp, false, func(r *record) cell { return tm(r.usageEnd) }},
	{"ChargePeriodStart", tTimestamp, false, func(r *record) cell { return tm(r.usageStart) }},
	{"CommitmentDiscountCategory", tString, false, func(r *record) cell {
		switch {
		case r.riARN != "":
			return str("Usage")
		case r.spARN != "":
			return str("Spend")
		}
		return cell{}
	}},
	{"CommitmentDiscountId", tString, false, func(r *record) cell { return str(r.riARN + r.spARN) }},
	{"CommitmentDiscountName", tString, false, empty},
	{"CommitmentDiscountStatus", tString, false, func(r *record) cell {
		if r.lineType == "DiscountedUsage" || r.lineType == "SavingsPlanCoveredUsage" {
			return str("Used")
		}
		return cell{}
	}},
	{"CommitmentDiscountType", tString, false, func(r *record) cell {
		switch {
		case r.riARN != "":
			return str("Reserved Instance")
		case r.spARN != "":
			return str("Compute Savings Plan")
		}
		return cell{}
	}},
	{"ConsumedQuantity", tDouble, false, func(r *record) cell {
		if !isUsage(r) {
			return cell{}
		}
		return dec(r.usage)
	}},
	{"ConsumedUnit", tString, false, func(r *record) cell {
		if !isUsage(r) {
			return cell{}
		}
		return str(r.prod.unit)
	}},
	{"ContractedCost", tDouble, false, func(r *record) cell { return dec(r.cost) }},
	{"ContractedUnitPrice", tDouble, false, func(r *record) cell {
		if r.rateEmpty {
			return cell{}
		}
		return dec(r.rate)
	}},
	{"EffectiveCost", tDouble, false, func(r *record) cell { return dec(focusEffective(r)) }},
	{"InvoiceId", tString, true, func(r *record) cell { return str(r.invoiceID) }},
	{"InvoiceIssuerName", tString, false, func(r *record) cell { return str(r.invoicing) }},
	{"ListCost", tDouble, false, func(r *record) cell { return dec(r.publicCost) }},
	{"ListUnitPrice", tDouble, false, func(r *record) cell {
		if r.publicRateEmpty {
			return cell{}
		}
		return dec(r.publicRate)
	}},
	{"PricingCategory", tString, false, func(r *record) cell {
		switch {
		case !isUsage(r):
			return cell{}
		case r.riARN != "" || r.spARN != "":
			return str("Committed")
		}
		return str("Standard")
	}},
	{"PricingCurrency", tString, true, func(r *record) cell { return str("USD") }},
	{"PricingQuantity", tDouble, false, func(r *record) cell {
		if r.rateEmpty {
			return cell{}
		}
		return dec(r.usage)
	}},
	{"PricingUnit", tString, false, notTax(func(r *record) string { return r.prod.unit })},
	{"ProviderName", tString, false, func(r *record) cell { return str("AWS") }},
	{"PublisherName", tString, false, func(r *record) cell { return str("Amazon Web Services, Inc.") }},
	{"RegionId", tString, false, notTax(func(r *record) string { return r.reg.code })},
	{"RegionName", tString, false, notTax(func(r *record) string { return r.reg.location })},
	{"ResourceId", tString, false, func(r *record) cell { return str(r.resource) }},
	{"ResourceName", tString, false, empty},
	{"ResourceType", tString, false, empty},
	{"ServiceCategory", tString, false, func(r *record) cell { return str(r.prod.category) }},
	{"ServiceName", tString, false, func(r *record) cell { return str(r.prod.serviceName) }},
	{"ServiceSubcategory", tString, true, empty},
	{"SkuId", tString, false, notTax(func(r *record) string { return r.sku })},
	{"SkuMeter", tString, true, notTax(func(r *record) string { return r.prod.family })},
	{"SkuPriceId", tString, false, notTax(func(r *record) string { return r.rateCode })},
	{"SubAccountId", tString, false, func(r *record) cell { return str(r.acct.id) }},
	{"SubAccountName", tString, false, func(r *record) cell { return str(r.acct.name) }},
	{"SubAccountType", tString, true, func(r *record) cell { return str("Linked Account") }},
	{"Tags", tMapString, false, func(r *record) cell {
		return mapCell("user:Team", r.team, "user:Environment", r.env, "user:CostCenter", r.costCenter,
			"user:kubernetes.io/name", r.k8sName, "aws:createdBy", r.createdBy)
	}},
	{"x_CostCategories", tMapString, false, func(r *record) cell { return mapCell("Charge type", r.chargeType) }},
	{"x_Discounts", tMapDouble, false, func(r *record) cell { return cell{kind: cMap} }},
	{"x_Operation", tString, false, func(r *record) cell { return str(r.operation) }},
	{"x_ServiceCode", tString, false, func(r *record) cell { return str(r.prod.code) }},
	{"x_UsageType", tString, false, func(r *record) cell { return str(r.usageType) }},
}

func focusColumns(k Kind) []column {
	var cols []column
	for _, f := range focusFields {
		if f.v12 && k != FOCUS12 {
			continue
		}
		cols = append(cols, column{name: f.name, typ: f.typ, get: f.get})
	}
	return cols
}

// typeName is the lower-case type name Data Exports manifests use.
func (t ptype) typeName() string {
	switch t {
	case tDouble:
		return "double"
	case tTimestamp:
		return "timestamp"
	case tMapString, tMapDouble:
		return "map"
	}
	return "string"
}

// truthKeys says which columns hold the ground truth for a kind: the cost,
// the product (service) and the usage account.
func truthColumns(k Kind, parquet bool) (cost, product, account string) {
	switch k {
	case CUR2:
		return "line_item_unblended_cost", "line_item_product_code", "line_item_usage_account_id"
	case FOCUS10, FOCUS12:
		return "BilledCost", "x_ServiceCode", "SubAccountId"
	}
	if parquet {
		return "line_item_unblended_cost", "line_item_product_code", "line_item_usage_account_id"
	}
	return "lineItem/UnblendedCost", "lineItem/ProductCode", "lineItem/UsageAccountId"
}
