package colname

import (
	"slices"
	"sort"
	"strings"
)

// This file is the catalog of documented billing-data columns: the fixed
// columns of legacy CUR, CUR 2.0 (table COST_AND_USAGE_REPORT) and FOCUS as
// AWS exports it (FOCUS_1_0_AWS, FOCUS_1_2_AWS), plus the open-ended
// families whose members depend on the account (tags, cost categories,
// product attributes, discounts).
//
// It exists so a reader can refuse a requested column that is neither in
// the delivery nor documented anywhere (a typo such as
// `lineItem/UnblendedCosts` would otherwise read as absent and sum to 0),
// while a documented column that a month lacks still reads as absent: AWS
// omits legacy columns no usage touched.
//
// The lists come from AWS's data dictionaries (URLs beside each group),
// cross-checked against AWS's own Cloud Intelligence Dashboards templates
// (aws-samples/aws-cudos-framework-deployment,
// cfn-templates/data-exports-aggregation.yaml: the CUR 2.0 and FOCUS
// export queries and Glue table types) and, where noted, a real anonymized
// legacy CUR header. They are deliberately independent of the test
// generator in curreader/curtest. A column that could not be confirmed is
// left out rather than guessed.
//
// All matching is on [Canonical] names, so either naming scheme (legacy
// `category/Name`, legacy Parquet/Athena and CUR 2.0 snake_case) finds the
// same entry.

// col is a documented column in its native spelling with its documented
// data type ("" where the source gives none).
type col struct{ name, typ string }

// Legacy CUR, in the CSV header spelling (`category/Name`). Types are not
// listed: legacy CSV has none beyond the manifest's, and legacy Parquet
// uses the same Athena types as CUR 2.0 (see [CUR2Type], which accepts
// legacy names).
var (
	// https://docs.aws.amazon.com/cur/latest/userguide/identity-columns.html
	// (archived copy: awsdocs/aws-cur-user-guide doc_source/identity-columns.md)
	legacyIdentity = []string{
		"identity/LineItemId",
		"identity/TimeInterval",
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/billing-columns.html
	// (archived: doc_source/billing-columns.md). bill/InvoicingEntity is on
	// the current page's CUR 2.0 twin (bill_invoicing_entity) and in the
	// real anonymized 2023-11 header; the archived copy predates it.
	legacyBill = []string{
		"bill/BillingEntity",
		"bill/BillingPeriodEndDate",
		"bill/BillingPeriodStartDate",
		"bill/BillType",
		"bill/InvoiceId",
		"bill/InvoicingEntity",
		"bill/PayerAccountId",
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/Lineitem-columns.html
	// (archived: doc_source/Lineitem-columns.md). NetUnblendedCost and
	// NetUnblendedRate are on the current page (only present when a
	// discount applies; CUR 2.0 twins line_item_net_unblended_*).
	legacyLineItem = []string{
		"lineItem/AvailabilityZone",
		"lineItem/BlendedCost",
		"lineItem/BlendedRate",
		"lineItem/CurrencyCode",
		"lineItem/LegalEntity",
		"lineItem/LineItemDescription",
		"lineItem/LineItemType",
		"lineItem/NetUnblendedCost",
		"lineItem/NetUnblendedRate",
		"lineItem/NormalizationFactor",
		"lineItem/NormalizedUsageAmount",
		"lineItem/Operation",
		"lineItem/ProductCode",
		"lineItem/ResourceId",
		"lineItem/TaxType",
		"lineItem/UnblendedCost",
		"lineItem/UnblendedRate",
		"lineItem/UsageAccountId",
		"lineItem/UsageAmount",
		"lineItem/UsageEndDate",
		"lineItem/UsageStartDate",
		"lineItem/UsageType",
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/pricing-columns.html
	// (archived: doc_source/pricing-columns.md; the page says the columns
	// "include but are not limited to" these). pricing/currency is in the
	// real 2023-11 header and pricing/OfferingClass in the project's
	// billing-formats reference (§6); both have CUR 2.0 twins
	// (pricing_currency, pricing_offering_class).
	legacyPricing = []string{
		"pricing/currency",
		"pricing/LeaseContractLength",
		"pricing/OfferingClass",
		"pricing/publicOnDemandCost",
		"pricing/publicOnDemandRate",
		"pricing/PurchaseOption",
		"pricing/RateCode",
		"pricing/RateId",
		"pricing/term",
		"pricing/unit",
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/reservation-columns.html
	// (archived: doc_source/reservation-columns.md). The Net* columns of
	// the current page are known here through their CUR 2.0 twins
	// (reservation_net_*), which have the same canonical names.
	legacyReservation = []string{
		"reservation/AmortizedUpfrontCostForUsage",
		"reservation/AmortizedUpfrontFeeForBillingPeriod",
		"reservation/AvailabilityZone",
		"reservation/EffectiveCost",
		"reservation/EndTime",
		"reservation/ModificationStatus",
		"reservation/NormalizedUnitsPerReservation",
		"reservation/NumberOfReservations",
		"reservation/RecurringFeeForUsage",
		"reservation/ReservationARN",
		"reservation/StartTime",
		"reservation/SubscriptionId",
		"reservation/TotalReservedNormalizedUnits",
		"reservation/TotalReservedUnits",
		"reservation/UnitsPerReservation",
		"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
		"reservation/UnusedNormalizedUnitQuantity",
		"reservation/UnusedQuantity",
		"reservation/UnusedRecurringFee",
		"reservation/UpfrontValue",
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/savingsplans-columns.html
	// (archived: doc_source/savingsplans-columns.md). The page spells
	// `savingsPlan/SavingsPlanArn`; real files (and the billing-formats
	// reference) spell `savingsPlan/SavingsPlanARN`. The two canonicalize
	// differently (…_arn vs …_a_r_n), so both are listed. Net* columns come
	// through their CUR 2.0 twins.
	legacySavingsPlan = []string{
		"savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
		"savingsPlan/EndTime",
		"savingsPlan/InstanceTypeFamily",
		"savingsPlan/OfferingType",
		"savingsPlan/PaymentOption",
		"savingsPlan/PurchaseTerm",
		"savingsPlan/RecurringCommitmentForBillingPeriod",
		"savingsPlan/Region",
		"savingsPlan/SavingsPlanARN",
		"savingsPlan/SavingsPlanArn",
		"savingsPlan/SavingsPlanEffectiveCost",
		"savingsPlan/SavingsPlanRate",
		"savingsPlan/StartTime",
		"savingsPlan/TotalCommitmentToDate",
		"savingsPlan/UsedCommitment",
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/product-columns.html
	// (archived: doc_source/product-columns.md, spelling as documented).
	// The page calls these columns dynamic: every product/<attribute> is
	// accepted through the product_ family; this list only feeds
	// suggestions.
	legacyProduct = []string{
		"product/availability",
		"product/capacitystatus",
		"product/clockspeed",
		"product/dedicatedEbsThroughput",
		"product/durability",
		"product/ebsOptimized",
		"product/ecu",
		"product/enhancedNetworkingSupported",
		"product/fromLocation",
		"product/fromLocationType",
		"product/gpu",
		"product/gpuMemory",
		"product/instanceFamily",
		"product/instanceType",
		"product/instanceTypeFamily",
		"product/intelAvx2Available",
		"product/intelAvxAvailable",
		"product/intelTurboAvailable",
		"product/licenseModel",
		"product/location",
		"product/locationType",
		"product/maxIopsBurstPerformance",
		"product/maxIopsvolume",
		"product/maxThroughputvolume",
		"product/networkPerformance",
		"product/normalizationSizeFactor",
		"product/OfferingClass",
		"product/operatingSystem",
		"product/operation",
		"product/physicalCores",
		"product/physicalProcessor",
		"product/processorArchitecture",
		"product/processorFeatures",
		"product/ProductFamily",
		"product/ProductName",
		"product/provisioned",
		"product/region",
		"product/sku",
		"product/storage",
		"product/storageclass",
		"product/tenancy",
		"product/toLocation",
		"product/toLocationType",
		"product/usagetype",
		"product/vcpu",
		"product/volumeType",
	}
)

// CUR 2.0 (Data Exports table COST_AND_USAGE_REPORT) with documented types.
// Column lists cross-checked with the CID export queries (DefaultQuery and
// SCADQuery in data-exports-aggregation.yaml); types with the CID Glue
// table where it has the column (differences noted).
var (
	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html
	cur2Bill = []col{
		{"bill_bill_type", "string"},
		{"bill_billing_entity", "string"},
		{"bill_billing_period_end_date", "timestamp"},
		{"bill_billing_period_start_date", "timestamp"},
		{"bill_invoice_id", "string"},
		{"bill_invoicing_entity", "string"},
		{"bill_payer_account_id", "string"},
		{"bill_payer_account_name", "string"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
	// names these three under "Additional columns"; added by the table
	// configuration INCLUDE_CAPACITY_RESERVATION_DATA. The type (string)
	// is from a public Athena DDL of a real export, not from the dictionary.
	cur2CapacityReservation = []col{
		{"capacity_reservation_capacity_reservation_arn", "string"},
		{"capacity_reservation_capacity_reservation_status", "string"},
		{"capacity_reservation_capacity_reservation_type", "string"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-cost-category.html
	// (page not retrieved; type from the CID Glue table and a public DDL).
	cur2CostCategory = []col{
		{"cost_category", "map<string,string>"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-discount.html
	// The dictionary types `discount` as map<string,double>; the CID Glue
	// table and a public DDL of a real export declare map<string,string>.
	// The dictionary's type is kept here.
	cur2Discount = []col{
		{"discount", "map<string,double>"},
		{"discount_bundled_discount", "double"},
		{"discount_total_discount", "double"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-identity.html
	cur2Identity = []col{
		{"identity_line_item_id", "string"},
		{"identity_time_interval", "string"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html
	// (list from the CID query; rates are string in the dictionary, costs,
	// amounts and factors double, the two usage dates timestamp).
	// line_item_iam_principal is added by INCLUDE_IAM_PRINCIPAL_DATA
	// (table-dictionary-cur2.html table configurations); its type is from
	// a public DDL of a real export. line_item_resource_id is added by
	// INCLUDE_RESOURCES.
	cur2LineItem = []col{
		{"line_item_availability_zone", "string"},
		{"line_item_blended_cost", "double"},
		{"line_item_blended_rate", "string"},
		{"line_item_currency_code", "string"},
		{"line_item_iam_principal", "string"},
		{"line_item_legal_entity", "string"},
		{"line_item_line_item_description", "string"},
		{"line_item_line_item_type", "string"},
		{"line_item_net_unblended_cost", "double"},
		{"line_item_net_unblended_rate", "string"},
		{"line_item_normalization_factor", "double"},
		{"line_item_normalized_usage_amount", "double"},
		{"line_item_operation", "string"},
		{"line_item_product_code", "string"},
		{"line_item_resource_id", "string"},
		{"line_item_tax_type", "string"},
		{"line_item_unblended_cost", "double"},
		{"line_item_unblended_rate", "string"},
		{"line_item_usage_account_id", "string"},
		{"line_item_usage_account_name", "string"},
		{"line_item_usage_amount", "double"},
		{"line_item_usage_end_date", "timestamp"},
		{"line_item_usage_start_date", "timestamp"},
		{"line_item_usage_type", "string"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-pricing.html
	cur2Pricing = []col{
		{"pricing_currency", "string"},
		{"pricing_lease_contract_length", "string"},
		{"pricing_offering_class", "string"},
		{"pricing_public_on_demand_cost", "double"},
		{"pricing_public_on_demand_rate", "string"},
		{"pricing_purchase_option", "string"},
		{"pricing_rate_code", "string"},
		{"pricing_rate_id", "string"},
		{"pricing_term", "string"},
		{"pricing_unit", "string"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-product.html
	// The dictionary spells the SKU column `product_instanceSKU`; the CID
	// query and real exports use `product_instancesku`. They canonicalize
	// differently (…_instance_s_k_u vs …_instancesku), so both are listed.
	// Every other product attribute lives in the `product` map.
	cur2Product = []col{
		{"product", "map<string,string>"},
		{"product_comment", "string"},
		{"product_fee_code", "string"},
		{"product_fee_description", "string"},
		{"product_from_location", "string"},
		{"product_from_location_type", "string"},
		{"product_from_region_code", "string"},
		{"product_instance_family", "string"},
		{"product_instance_type", "string"},
		{"product_instanceSKU", "string"},
		{"product_instancesku", "string"},
		{"product_location", "string"},
		{"product_location_type", "string"},
		{"product_operation", "string"},
		{"product_pricing_unit", "string"},
		{"product_product_family", "string"},
		{"product_region_code", "string"},
		{"product_servicecode", "string"},
		{"product_sku", "string"},
		{"product_to_location", "string"},
		{"product_to_location_type", "string"},
		{"product_to_region_code", "string"},
		{"product_usagetype", "string"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-reservation.html
	// The *_time columns are string in the dictionary (the CID Glue table
	// declares timestamp); the unit counts are string too.
	cur2Reservation = []col{
		{"reservation_amortized_upfront_cost_for_usage", "double"},
		{"reservation_amortized_upfront_fee_for_billing_period", "double"},
		{"reservation_availability_zone", "string"},
		{"reservation_effective_cost", "double"},
		{"reservation_end_time", "string"},
		{"reservation_modification_status", "string"},
		{"reservation_net_amortized_upfront_cost_for_usage", "double"},
		{"reservation_net_amortized_upfront_fee_for_billing_period", "double"},
		{"reservation_net_effective_cost", "double"},
		{"reservation_net_recurring_fee_for_usage", "double"},
		{"reservation_net_unused_amortized_upfront_fee_for_billing_period", "double"},
		{"reservation_net_unused_recurring_fee", "double"},
		{"reservation_net_upfront_value", "double"},
		{"reservation_normalized_units_per_reservation", "string"},
		{"reservation_number_of_reservations", "string"},
		{"reservation_recurring_fee_for_usage", "double"},
		{"reservation_reservation_a_r_n", "string"},
		{"reservation_start_time", "string"},
		{"reservation_subscription_id", "string"},
		{"reservation_total_reserved_normalized_units", "string"},
		{"reservation_total_reserved_units", "string"},
		{"reservation_units_per_reservation", "string"},
		{"reservation_unused_amortized_upfront_fee_for_billing_period", "double"},
		{"reservation_unused_normalized_unit_quantity", "double"},
		{"reservation_unused_quantity", "double"},
		{"reservation_unused_recurring_fee", "double"},
		{"reservation_upfront_value", "double"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-resource-tags.html
	cur2ResourceTags = []col{
		{"resource_tags", "map<string,string>"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-savings-plan.html
	// (the *_time columns are string in the dictionary; the CID Glue table
	// declares timestamp).
	cur2SavingsPlan = []col{
		{"savings_plan_amortized_upfront_commitment_for_billing_period", "double"},
		{"savings_plan_end_time", "string"},
		{"savings_plan_instance_type_family", "string"},
		{"savings_plan_net_amortized_upfront_commitment_for_billing_period", "double"},
		{"savings_plan_net_recurring_commitment_for_billing_period", "double"},
		{"savings_plan_net_savings_plan_effective_cost", "double"},
		{"savings_plan_offering_type", "string"},
		{"savings_plan_payment_option", "string"},
		{"savings_plan_purchase_term", "string"},
		{"savings_plan_recurring_commitment_for_billing_period", "double"},
		{"savings_plan_region", "string"},
		{"savings_plan_savings_plan_a_r_n", "string"},
		{"savings_plan_savings_plan_effective_cost", "double"},
		{"savings_plan_savings_plan_rate", "double"},
		{"savings_plan_start_time", "string"},
		{"savings_plan_total_commitment_to_date", "double"},
		{"savings_plan_used_commitment", "double"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-split-line-item.html
	// (added by INCLUDE_SPLIT_COST_ALLOCATION_DATA; list from the CID
	// SCADQuery, types from the CID Glue table).
	cur2SplitLineItem = []col{
		{"split_line_item_actual_usage", "double"},
		{"split_line_item_net_split_cost", "double"},
		{"split_line_item_net_unused_cost", "double"},
		{"split_line_item_parent_resource_id", "string"},
		{"split_line_item_public_on_demand_split_cost", "double"},
		{"split_line_item_public_on_demand_unused_cost", "double"},
		{"split_line_item_reserved_usage", "double"},
		{"split_line_item_split_cost", "double"},
		{"split_line_item_split_usage", "double"},
		{"split_line_item_split_usage_ratio", "double"},
		{"split_line_item_unused_cost", "double"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-tag-columns.html
	// Keys carry their source: resourceTags/, userAttribute/, accountTag/,
	// costCategory/.
	cur2Tags = []col{
		{"tags", "map<string,string>"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-cost-analytics.html
	// (added by "Include standardized cost and rate columns"). Only the
	// columns whose rows could be read are listed; the rest of the
	// cost_analytics_ group is unconfirmed.
	cur2CostAnalytics = []col{
		{"cost_analytics_billed_cost", "double"},
		{"cost_analytics_billed_rate", "double"},
	}
)

// FOCUS as AWS exports it, with the dictionary's types.
var (
	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-0-aws-columns.html
	// Column list cross-checked with the CID FOCUS export query and its
	// Glue table (types), and with turbot/tailpipe-plugin-aws. The x_ map
	// types are not from the dictionary rows that could be read:
	// x_Discounts follows CUR 2.0's `discount` (map<string,double>, also
	// a public Databricks DDL of the FOCUS 1.2 export), x_CostCategories
	// follows `cost_category`.
	focus10 = []col{
		{"AvailabilityZone", "string"},
		{"BilledCost", "double"},
		{"BillingAccountId", "string"},
		{"BillingAccountName", "string"},
		{"BillingCurrency", "string"},
		{"BillingPeriodEnd", "timestamp_milliseconds"},
		{"BillingPeriodStart", "timestamp_milliseconds"},
		{"ChargeCategory", "string"},
		{"ChargeClass", "string"},
		{"ChargeDescription", "string"},
		{"ChargeFrequency", "string"},
		{"ChargePeriodEnd", "timestamp_milliseconds"},
		{"ChargePeriodStart", "timestamp_milliseconds"},
		{"CommitmentDiscountCategory", "string"},
		{"CommitmentDiscountId", "string"},
		{"CommitmentDiscountName", "string"},
		{"CommitmentDiscountStatus", "string"},
		{"CommitmentDiscountType", "string"},
		{"ConsumedQuantity", "double"},
		{"ConsumedUnit", "string"},
		{"ContractedCost", "double"},
		{"ContractedUnitPrice", "double"},
		{"EffectiveCost", "double"},
		{"InvoiceIssuerName", "string"},
		{"ListCost", "double"},
		{"ListUnitPrice", "double"},
		{"PricingCategory", "string"},
		{"PricingQuantity", "double"},
		{"PricingUnit", "string"},
		{"ProviderName", "string"},
		{"PublisherName", "string"},
		{"RegionId", "string"},
		{"RegionName", "string"},
		{"ResourceId", "string"},
		{"ResourceName", "string"},
		{"ResourceType", "string"},
		{"ServiceCategory", "string"},
		{"ServiceName", "string"},
		{"SkuId", "string"},
		{"SkuPriceId", "string"},
		{"SubAccountId", "string"},
		{"SubAccountName", "string"},
		{"Tags", "map<string,string>"},
		{"x_CostCategories", "map<string,string>"},
		{"x_Discounts", "map<string,double>"},
		{"x_Operation", "string"},
		{"x_ServiceCode", "string"},
		{"x_UsageType", "string"},
	}

	// https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html
	// Column list cross-checked with two independent public FOCUS_1_2_AWS
	// export queries (Infracost, finlake), which end in x_Discounts,
	// x_Operation, x_ServiceCode (no x_UsageType, no x_CostCategories).
	// Types: the dictionary rows that could be read (AvailabilityZone …
	// CommitmentDiscountName, incl. BillingAccountType and the two
	// CapacityReservation columns) and the columns shared with FOCUS 1.0.
	// The types of the other columns new in 1.2 could not be confirmed and
	// are left empty rather than taken from the FOCUS spec (which says
	// Decimal, not AWS's double).
	focus12 = []col{
		{"AvailabilityZone", "string"},
		{"BilledCost", "double"},
		{"BillingAccountId", "string"},
		{"BillingAccountName", "string"},
		{"BillingAccountType", "string"},
		{"BillingCurrency", "string"},
		{"BillingPeriodEnd", "timestamp_milliseconds"},
		{"BillingPeriodStart", "timestamp_milliseconds"},
		{"CapacityReservationId", "string"},
		{"CapacityReservationStatus", "string"},
		{"ChargeCategory", "string"},
		{"ChargeClass", "string"},
		{"ChargeDescription", "string"},
		{"ChargeFrequency", "string"},
		{"ChargePeriodEnd", "timestamp_milliseconds"},
		{"ChargePeriodStart", "timestamp_milliseconds"},
		{"CommitmentDiscountCategory", "string"},
		{"CommitmentDiscountId", "string"},
		{"CommitmentDiscountName", "string"},
		{"CommitmentDiscountQuantity", ""},
		{"CommitmentDiscountStatus", "string"},
		{"CommitmentDiscountType", "string"},
		{"CommitmentDiscountUnit", ""},
		{"ConsumedQuantity", "double"},
		{"ConsumedUnit", "string"},
		{"ContractedCost", "double"},
		{"ContractedUnitPrice", "double"},
		{"EffectiveCost", "double"},
		{"InvoiceId", ""},
		{"InvoiceIssuerName", "string"},
		{"ListCost", "double"},
		{"ListUnitPrice", "double"},
		{"PricingCategory", "string"},
		{"PricingCurrency", ""},
		{"PricingCurrencyContractedUnitPrice", ""},
		{"PricingCurrencyEffectiveCost", ""},
		{"PricingCurrencyListUnitPrice", ""},
		{"PricingQuantity", "double"},
		{"PricingUnit", "string"},
		{"ProviderName", "string"},
		{"PublisherName", "string"},
		{"RegionId", "string"},
		{"RegionName", "string"},
		{"ResourceId", "string"},
		{"ResourceName", "string"},
		{"ResourceType", "string"},
		{"ServiceCategory", "string"},
		{"ServiceName", "string"},
		{"ServiceSubcategory", ""},
		{"SkuId", "string"},
		{"SkuMeter", ""},
		{"SkuPriceDetails", ""},
		{"SkuPriceId", "string"},
		{"SubAccountId", "string"},
		{"SubAccountName", "string"},
		{"SubAccountType", ""},
		{"Tags", "map<string,string>"},
		{"x_Discounts", "map<string,double>"},
		{"x_Operation", "string"},
		{"x_ServiceCode", "string"},
	}
)

// familyPrefixes are the canonical prefixes of open-ended column families:
// a canonical name that starts with one of them (and has something after
// it) is documented whatever follows. Each covers the legacy CSV spelling,
// the legacy Parquet/Athena spelling and CUR 2.0 map keys (MapKey gives
// the same canonical names).
var familyPrefixes = []string{
	// Legacy resourceTags/user:<key> and resourceTags/aws:<key>
	// (https://docs.aws.amazon.com/cur/latest/userguide/resource-tags-columns.html),
	// Athena resource_tags_user_<key>, CUR 2.0 `resource_tags` keys, and
	// `tags` keys resourceTags/<key> (tag-columns page, which shows keys
	// without user:).
	"resource_tags_",
	// Legacy costCategory/<name>
	// (https://docs.aws.amazon.com/cur/latest/userguide/cost-categories-columns.html),
	// CUR 2.0 `cost_category` keys, `tags` keys costCategory/<name>.
	"cost_category_",
	// Legacy product/<attribute> ("The product columns are dynamic",
	// product-columns.html), CUR 2.0 `product` map keys.
	"product_",
	// Legacy discount/<type> and CUR 2.0 `discount` map keys: the discount
	// types vary by account.
	"discount_",
	// CUR 2.0 `tags` keys accountTag/<key> and userAttribute/<key>
	// (table-dictionary-cur2-tag-columns.html).
	"account_tag_",
	"user_attribute_",
}

// catalog is built once; it is read-only afterwards and safe for concurrent
// use.
type catalog struct {
	fixed     map[string]struct{} // canonical names of every fixed column
	known     []string            // native names, legacy, CUR 2.0, FOCUS 1.0, FOCUS 1.2
	cur2Type  map[string]string   // canonical CUR 2.0 name → documented type
	focusType map[string]string   // canonical FOCUS name → documented type
}

var cat = buildCatalog()

func buildCatalog() *catalog {
	c := &catalog{
		fixed:     make(map[string]struct{}, 512),
		cur2Type:  make(map[string]string, 160),
		focusType: make(map[string]string, 64),
	}
	seen := make(map[string]bool, 512)
	add := func(name string) {
		c.fixed[Canonical(name)] = struct{}{}
		if !seen[name] {
			seen[name] = true
			c.known = append(c.known, name)
		}
	}
	for _, g := range legacyGroups() {
		for _, n := range g {
			add(n)
		}
	}
	for _, g := range cur2Groups() {
		for _, x := range g {
			add(x.name)
			c.cur2Type[Canonical(x.name)] = x.typ
		}
	}
	for _, g := range [][]col{focus10, focus12} {
		for _, x := range g {
			add(x.name)
			if x.typ != "" {
				c.focusType[Canonical(x.name)] = x.typ
			}
		}
	}
	return c
}

func legacyGroups() [][]string {
	return [][]string{legacyIdentity, legacyBill, legacyLineItem, legacyPricing,
		legacyReservation, legacySavingsPlan, legacyProduct}
}

func cur2Groups() [][]col {
	return [][]col{cur2Bill, cur2CapacityReservation, cur2CostCategory, cur2Discount,
		cur2Identity, cur2LineItem, cur2Pricing, cur2Product, cur2Reservation,
		cur2ResourceTags, cur2SavingsPlan, cur2SplitLineItem, cur2Tags, cur2CostAnalytics}
}

// Documented reports whether name, in any naming scheme, is a documented
// column of legacy CUR, CUR 2.0 or FOCUS (as AWS exports it), or a member
// of a documented open-ended family: resource tags, cost categories,
// product attributes, discounts, and the account tags and user attributes
// of the CUR 2.0 `tags` map. A documented column may still be absent from
// a given delivery; that is for the caller to treat as absent, not as an
// error. Documented is a map lookup and a few prefix checks.
func Documented(name string) bool {
	c := Canonical(name)
	if c == "" {
		return false
	}
	if _, ok := cat.fixed[c]; ok {
		return true
	}
	return family(c) != ""
}

// family returns the family prefix that the canonical name belongs to, or
// "" when none.
func family(canonical string) string {
	for _, p := range familyPrefixes {
		if len(canonical) > len(p) && strings.HasPrefix(canonical, p) {
			return p
		}
	}
	return ""
}

// Known returns the documented fixed column names in their native spelling:
// legacy CUR (`lineItem/UnblendedCost`), then CUR 2.0
// (`line_item_unblended_cost`), then FOCUS 1.0 and 1.2 (`BilledCost`), each
// name once. Families (tags, cost categories, product attributes,
// discounts) are not enumerated beyond the documented product attributes.
// The slice is a fresh copy.
func Known() []string {
	return slices.Clone(cat.known)
}

// CUR2Type returns the documented CUR 2.0 data type of a column, in Athena
// spelling: "string", "double", "timestamp", "map<string,string>",
// "map<string,double>". The name may be in either scheme
// (`lineItem/UnblendedCost` gives "double", which is also the type of the
// legacy Parquet column). Keys inside the map columns and names that are
// not fixed CUR 2.0 columns give ok == false.
func CUR2Type(name string) (typ string, ok bool) {
	typ, ok = cat.cur2Type[Canonical(name)]
	return typ, ok
}

// FOCUSType returns the data type the AWS FOCUS 1.0 / 1.2 dictionaries give
// a column ("string", "double", "timestamp_milliseconds",
// "map<string,string>", "map<string,double>"). The name may be PascalCase
// or snake_case. ok is false for a name that is not a FOCUS column, and
// for the FOCUS 1.2 columns whose type could not be confirmed (InvoiceId,
// SkuMeter, SkuPriceDetails, the PricingCurrency* columns, …); those are
// still [Documented].
func FOCUSType(name string) (typ string, ok bool) {
	typ, ok = cat.focusType[Canonical(name)]
	return typ, ok
}

// Closest returns up to n of candidates nearest to name, nearest first, for
// messages such as: unknown column "lineItem/UnblendedCosts" (closest:
// lineItem/UnblendedCost, lineItem/BlendedCost, …).
//
// Distance is the optimal-string-alignment (Damerau–Levenshtein with
// adjacent transpositions) distance between canonical names, so naming
// scheme and separators do not count. Candidates that share a canonical
// name are reported once, in the spelling nearest to name as typed (a
// legacy-style query gets legacy-style suggestions). Ties are broken by
// that raw distance, then by candidate order, so the result is
// deterministic. A candidate farther than a third of the canonical query's
// length (at least 2) is not a plausible "did you mean" and is left out,
// except that the nearest candidate is always returned. Empty candidates
// are ignored; n <= 0 or no candidates gives nil.
func Closest(name string, candidates []string, n int) []string {
	if n <= 0 || len(candidates) == 0 {
		return nil
	}
	var d osaBuf
	q := []rune(Canonical(name))
	raw := []rune(name)
	type hit struct {
		name      string
		dist, raw int
		idx       int
	}
	best := make(map[string]int, len(candidates)) // canonical → index in hits
	hits := make([]hit, 0, len(candidates))
	for i, cand := range candidates {
		c := Canonical(cand)
		if c == "" {
			continue
		}
		h := hit{name: cand, raw: d.dist(raw, []rune(cand)), idx: i}
		if j, ok := best[c]; ok {
			if h.raw < hits[j].raw {
				h.dist, h.idx = hits[j].dist, hits[j].idx
				hits[j] = h
			}
			continue
		}
		h.dist = d.dist(q, []rune(c))
		best[c] = len(hits)
		hits = append(hits, h)
	}
	if len(hits) == 0 {
		return nil
	}
	sort.SliceStable(hits, func(a, b int) bool {
		x, y := hits[a], hits[b]
		if x.dist != y.dist {
			return x.dist < y.dist
		}
		if x.raw != y.raw {
			return x.raw < y.raw
		}
		return x.idx < y.idx
	})
	limit := max(2, len(q)/3)
	out := []string{hits[0].name}
	for _, h := range hits[1:] {
		if len(out) == n || h.dist > limit {
			break
		}
		out = append(out, h.name)
	}
	return out
}

// osaBuf holds the rows of [osaBuf.dist] between calls.
type osaBuf struct{ prev2, prev, cur []int }

// osa is the optimal-string-alignment distance: insertions, deletions,
// substitutions and transpositions of adjacent runes, each costing 1.
func osa(a, b []rune) int {
	var d osaBuf
	return d.dist(a, b)
}

func (d *osaBuf) dist(a, b []rune) int {
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	// Three rolling rows: two back (for transpositions), previous, current.
	if cap(d.cur) < len(b)+1 {
		d.prev2 = make([]int, len(b)+1)
		d.prev = make([]int, len(b)+1)
		d.cur = make([]int, len(b)+1)
	}
	prev2, prev, cur := d.prev2[:len(b)+1], d.prev[:len(b)+1], d.cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
