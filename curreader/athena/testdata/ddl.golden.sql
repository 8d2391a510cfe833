-- Athena tables over AWS billing deliveries, exactly as their manifests say.
-- Each partition's LOCATION holds symlink.txt, listing the data files of the period's current delivery.

CREATE DATABASE IF NOT EXISTS `billing`;

-- cur csv acme-cur (2024-03, 2024-04), s3://acme-billing/cur
CREATE EXTERNAL TABLE IF NOT EXISTS `billing`.`acme_cur` (
  `identity_line_item_id` string COMMENT 'identity/LineItemId',
  `identity_time_interval` string COMMENT 'identity/TimeInterval',
  `bill_invoice_id` string COMMENT 'bill/InvoiceId',
  `bill_invoicing_entity` string COMMENT 'bill/InvoicingEntity',
  `bill_billing_entity` string COMMENT 'bill/BillingEntity',
  `bill_bill_type` string COMMENT 'bill/BillType',
  `bill_payer_account_id` string COMMENT 'bill/PayerAccountId',
  `bill_billing_period_start_date` string COMMENT 'bill/BillingPeriodStartDate',
  `bill_billing_period_end_date` string COMMENT 'bill/BillingPeriodEndDate',
  `line_item_usage_account_id` string COMMENT 'lineItem/UsageAccountId',
  `line_item_line_item_type` string COMMENT 'lineItem/LineItemType',
  `line_item_usage_start_date` string COMMENT 'lineItem/UsageStartDate',
  `line_item_usage_end_date` string COMMENT 'lineItem/UsageEndDate',
  `line_item_product_code` string COMMENT 'lineItem/ProductCode',
  `line_item_usage_type` string COMMENT 'lineItem/UsageType',
  `line_item_operation` string COMMENT 'lineItem/Operation',
  `line_item_availability_zone` string COMMENT 'lineItem/AvailabilityZone',
  `line_item_resource_id` string COMMENT 'lineItem/ResourceId',
  `line_item_usage_amount` string COMMENT 'lineItem/UsageAmount',
  `line_item_normalization_factor` string COMMENT 'lineItem/NormalizationFactor',
  `line_item_normalized_usage_amount` string COMMENT 'lineItem/NormalizedUsageAmount',
  `line_item_currency_code` string COMMENT 'lineItem/CurrencyCode',
  `line_item_unblended_rate` string COMMENT 'lineItem/UnblendedRate',
  `line_item_unblended_cost` string COMMENT 'lineItem/UnblendedCost',
  `line_item_blended_rate` string COMMENT 'lineItem/BlendedRate',
  `line_item_blended_cost` string COMMENT 'lineItem/BlendedCost',
  `line_item_line_item_description` string COMMENT 'lineItem/LineItemDescription',
  `line_item_tax_type` string COMMENT 'lineItem/TaxType',
  `line_item_legal_entity` string COMMENT 'lineItem/LegalEntity',
  `product_product_name` string COMMENT 'product/ProductName',
  `product_instance_type` string COMMENT 'product/instanceType',
  `product_location` string COMMENT 'product/location',
  `product_product_family` string COMMENT 'product/productFamily',
  `product_region` string COMMENT 'product/region',
  `product_servicecode` string COMMENT 'product/servicecode',
  `product_sku` string COMMENT 'product/sku',
  `pricing_public_on_demand_cost` string COMMENT 'pricing/publicOnDemandCost',
  `pricing_public_on_demand_rate` string COMMENT 'pricing/publicOnDemandRate',
  `pricing_term` string COMMENT 'pricing/term',
  `pricing_unit` string COMMENT 'pricing/unit',
  `reservation_effective_cost` string COMMENT 'reservation/EffectiveCost',
  `savings_plan_savings_plan_effective_cost` string COMMENT 'savingsPlan/SavingsPlanEffectiveCost',
  `resource_tags_user_environment` string COMMENT 'resourceTags/user:Environment',
  `resource_tags_user_team` string COMMENT 'resourceTags/user:Team'
)
PARTITIONED BY (`billing_period` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
  'escapeChar' = '\\',
  'quoteChar' = '"',
  'separatorChar' = ','
)
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://acme-athena/symlinks/billing/acme_cur/'
TBLPROPERTIES (
  'classification' = 'csv',
  'curconnect.bucket' = 'acme-billing',
  'curconnect.kind' = 'cur',
  'curconnect.prefix' = 'cur',
  'curconnect.report' = 'acme-cur',
  'skip.header.line.count' = '1'
);

ALTER TABLE `billing`.`acme_cur` ADD IF NOT EXISTS
  PARTITION (`billing_period` = '2024-03') LOCATION 's3://acme-athena/symlinks/billing/acme_cur/billing_period=2024-03/'
  PARTITION (`billing_period` = '2024-04') LOCATION 's3://acme-athena/symlinks/billing/acme_cur/billing_period=2024-04/';

-- cur2 parquet acme-cur2 (2024-03, 2024-04), s3://acme-billing/cur
CREATE EXTERNAL TABLE IF NOT EXISTS `billing`.`acme_cur2` (
  `bill_bill_type` string,
  `bill_billing_entity` string,
  `bill_billing_period_end_date` timestamp,
  `bill_billing_period_start_date` timestamp,
  `bill_invoice_id` string,
  `bill_invoicing_entity` string,
  `bill_payer_account_id` string,
  `bill_payer_account_name` string,
  `cost_category` map<string,string>,
  `discount` map<string,double>,
  `discount_bundled_discount` double,
  `discount_total_discount` double,
  `identity_line_item_id` string,
  `identity_time_interval` string,
  `line_item_availability_zone` string,
  `line_item_blended_cost` double,
  `line_item_blended_rate` string,
  `line_item_currency_code` string,
  `line_item_legal_entity` string,
  `line_item_line_item_description` string,
  `line_item_line_item_type` string,
  `line_item_net_unblended_cost` double,
  `line_item_net_unblended_rate` string,
  `line_item_normalization_factor` double,
  `line_item_normalized_usage_amount` double,
  `line_item_operation` string,
  `line_item_product_code` string,
  `line_item_resource_id` string,
  `line_item_tax_type` string,
  `line_item_unblended_cost` double,
  `line_item_unblended_rate` string,
  `line_item_usage_account_id` string,
  `line_item_usage_account_name` string,
  `line_item_usage_amount` double,
  `line_item_usage_end_date` timestamp,
  `line_item_usage_start_date` timestamp,
  `line_item_usage_type` string,
  `pricing_currency` string,
  `pricing_lease_contract_length` string,
  `pricing_offering_class` string,
  `pricing_public_on_demand_cost` double,
  `pricing_public_on_demand_rate` string,
  `pricing_purchase_option` string,
  `pricing_rate_code` string,
  `pricing_rate_id` string,
  `pricing_term` string,
  `pricing_unit` string,
  `product` map<string,string>,
  `product_comment` string,
  `product_fee_code` string,
  `product_fee_description` string,
  `product_from_location` string,
  `product_from_location_type` string,
  `product_from_region_code` string,
  `product_instance_family` string,
  `product_instance_type` string,
  `product_instancesku` string,
  `product_location` string,
  `product_location_type` string,
  `product_operation` string,
  `product_pricing_unit` string,
  `product_product_family` string,
  `product_region_code` string,
  `product_servicecode` string,
  `product_sku` string,
  `product_to_location` string,
  `product_to_location_type` string,
  `product_to_region_code` string,
  `product_usagetype` string,
  `reservation_amortized_upfront_cost_for_usage` double,
  `reservation_amortized_upfront_fee_for_billing_period` double,
  `reservation_availability_zone` string,
  `reservation_effective_cost` double,
  `reservation_end_time` string,
  `reservation_modification_status` string,
  `reservation_net_amortized_upfront_cost_for_usage` double,
  `reservation_net_amortized_upfront_fee_for_billing_period` double,
  `reservation_net_effective_cost` double,
  `reservation_net_recurring_fee_for_usage` double,
  `reservation_net_unused_amortized_upfront_fee_for_billing_period` double,
  `reservation_net_unused_recurring_fee` double,
  `reservation_net_upfront_value` double,
  `reservation_normalized_units_per_reservation` string,
  `reservation_number_of_reservations` string,
  `reservation_recurring_fee_for_usage` double,
  `reservation_reservation_a_r_n` string,
  `reservation_start_time` string,
  `reservation_subscription_id` string,
  `reservation_total_reserved_normalized_units` string,
  `reservation_total_reserved_units` string,
  `reservation_units_per_reservation` string,
  `reservation_unused_amortized_upfront_fee_for_billing_period` double,
  `reservation_unused_normalized_unit_quantity` double,
  `reservation_unused_quantity` double,
  `reservation_unused_recurring_fee` double,
  `reservation_upfront_value` double,
  `resource_tags` map<string,string>,
  `savings_plan_amortized_upfront_commitment_for_billing_period` double,
  `savings_plan_end_time` string,
  `savings_plan_instance_type_family` string,
  `savings_plan_net_amortized_upfront_commitment_for_billing_period` double,
  `savings_plan_net_recurring_commitment_for_billing_period` double,
  `savings_plan_net_savings_plan_effective_cost` double,
  `savings_plan_offering_type` string,
  `savings_plan_payment_option` string,
  `savings_plan_purchase_term` string,
  `savings_plan_recurring_commitment_for_billing_period` double,
  `savings_plan_region` string,
  `savings_plan_savings_plan_a_r_n` string,
  `savings_plan_savings_plan_effective_cost` double,
  `savings_plan_savings_plan_rate` double,
  `savings_plan_start_time` string,
  `savings_plan_total_commitment_to_date` double,
  `savings_plan_used_commitment` double
)
PARTITIONED BY (`billing_period` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
WITH SERDEPROPERTIES (
  'serialization.format' = '1'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://acme-athena/symlinks/billing/acme_cur2/'
TBLPROPERTIES (
  'classification' = 'parquet',
  'curconnect.bucket' = 'acme-billing',
  'curconnect.kind' = 'cur2',
  'curconnect.prefix' = 'cur',
  'curconnect.report' = 'acme-cur2'
);

ALTER TABLE `billing`.`acme_cur2` ADD IF NOT EXISTS
  PARTITION (`billing_period` = '2024-03') LOCATION 's3://acme-athena/symlinks/billing/acme_cur2/billing_period=2024-03/'
  PARTITION (`billing_period` = '2024-04') LOCATION 's3://acme-athena/symlinks/billing/acme_cur2/billing_period=2024-04/';

-- focus csv acme-focus (2024-03), s3://acme-billing/cur
CREATE EXTERNAL TABLE IF NOT EXISTS `billing`.`acme_focus` (
  `availabilityzone` string COMMENT 'AvailabilityZone',
  `billedcost` string COMMENT 'BilledCost; documented type double, read from CSV as string',
  `billingaccountid` string COMMENT 'BillingAccountId',
  `billingaccountname` string COMMENT 'BillingAccountName',
  `billingcurrency` string COMMENT 'BillingCurrency',
  `billingperiodend` string COMMENT 'BillingPeriodEnd; documented type timestamp, read from CSV as string',
  `billingperiodstart` string COMMENT 'BillingPeriodStart; documented type timestamp, read from CSV as string',
  `chargecategory` string COMMENT 'ChargeCategory',
  `chargeclass` string COMMENT 'ChargeClass',
  `chargedescription` string COMMENT 'ChargeDescription',
  `chargefrequency` string COMMENT 'ChargeFrequency',
  `chargeperiodend` string COMMENT 'ChargePeriodEnd; documented type timestamp, read from CSV as string',
  `chargeperiodstart` string COMMENT 'ChargePeriodStart; documented type timestamp, read from CSV as string',
  `commitmentdiscountcategory` string COMMENT 'CommitmentDiscountCategory',
  `commitmentdiscountid` string COMMENT 'CommitmentDiscountId',
  `commitmentdiscountname` string COMMENT 'CommitmentDiscountName',
  `commitmentdiscountstatus` string COMMENT 'CommitmentDiscountStatus',
  `commitmentdiscounttype` string COMMENT 'CommitmentDiscountType',
  `consumedquantity` string COMMENT 'ConsumedQuantity; documented type double, read from CSV as string',
  `consumedunit` string COMMENT 'ConsumedUnit',
  `contractedcost` string COMMENT 'ContractedCost; documented type double, read from CSV as string',
  `contractedunitprice` string COMMENT 'ContractedUnitPrice; documented type double, read from CSV as string',
  `effectivecost` string COMMENT 'EffectiveCost; documented type double, read from CSV as string',
  `invoiceissuername` string COMMENT 'InvoiceIssuerName',
  `listcost` string COMMENT 'ListCost; documented type double, read from CSV as string',
  `listunitprice` string COMMENT 'ListUnitPrice; documented type double, read from CSV as string',
  `pricingcategory` string COMMENT 'PricingCategory',
  `pricingquantity` string COMMENT 'PricingQuantity; documented type double, read from CSV as string',
  `pricingunit` string COMMENT 'PricingUnit',
  `providername` string COMMENT 'ProviderName',
  `publishername` string COMMENT 'PublisherName',
  `regionid` string COMMENT 'RegionId',
  `regionname` string COMMENT 'RegionName',
  `resourceid` string COMMENT 'ResourceId',
  `resourcename` string COMMENT 'ResourceName',
  `resourcetype` string COMMENT 'ResourceType',
  `servicecategory` string COMMENT 'ServiceCategory',
  `servicename` string COMMENT 'ServiceName',
  `skuid` string COMMENT 'SkuId',
  `skupriceid` string COMMENT 'SkuPriceId',
  `subaccountid` string COMMENT 'SubAccountId',
  `subaccountname` string COMMENT 'SubAccountName',
  `tags` string COMMENT 'Tags; documented type map<string,string>, read from CSV as string',
  `x_costcategories` string COMMENT 'x_CostCategories; documented type map<string,string>, read from CSV as string',
  `x_discounts` string COMMENT 'x_Discounts; documented type map<string,double>, read from CSV as string',
  `x_operation` string COMMENT 'x_Operation',
  `x_servicecode` string COMMENT 'x_ServiceCode',
  `x_usagetype` string COMMENT 'x_UsageType'
)
PARTITIONED BY (`billing_period` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
  'escapeChar' = '\\',
  'quoteChar' = '"',
  'separatorChar' = ','
)
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://acme-athena/symlinks/billing/acme_focus/'
TBLPROPERTIES (
  'classification' = 'csv',
  'curconnect.bucket' = 'acme-billing',
  'curconnect.kind' = 'focus',
  'curconnect.prefix' = 'cur',
  'curconnect.report' = 'acme-focus',
  'skip.header.line.count' = '1'
);

ALTER TABLE `billing`.`acme_focus` ADD IF NOT EXISTS
  PARTITION (`billing_period` = '2024-03') LOCATION 's3://acme-athena/symlinks/billing/acme_focus/billing_period=2024-03/';
