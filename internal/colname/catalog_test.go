package colname

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocumentedRefusesTypos(t *testing.T) {
	for _, name := range []string{
		"lineItem/UnblendedCosts",
		"line_item_unblended_costs",
		"lineitem/productcod",
		"lineItem/UnblendedCostt",
		"lineitem/unblendedcost", // wrong case splits differently; the reader would not find it either
		"bill/BillingPeriodStartDat",
		"identity/TimeInteval",
		"reservation/EfectiveCost",
		"savingsPlan/SavingsPlanEffectivCost",
		"pricing/publicOnDemandCosts",
		"splitLineItem/SplitCosts",
		"BilledCosts",
		"billedcost", // Glue's lower-casing is not a spelling a delivery has
		"x_ServiceCod",
		"x_Anything",
		"resourceTag/user:Team", // family prefix misspelt
		"costCategories/Team",
		"",
		"///",
	} {
		assert.False(t, Documented(name), "%q should be refused", name)
	}
}

func TestDocumentedAcceptsRealNames(t *testing.T) {
	for _, name := range []string{
		// legacy CSV
		"lineItem/UnblendedCost",
		"lineItem/NetUnblendedCost",
		"bill/BillingPeriodStartDate",
		"identity/TimeInterval",
		"reservation/EffectiveCost",
		"reservation/ReservationARN",
		"reservation/NetEffectiveCost", // through its CUR 2.0 twin
		"savingsPlan/SavingsPlanEffectiveCost",
		"savingsPlan/SavingsPlanARN",
		"savingsPlan/SavingsPlanArn",
		"splitLineItem/SplitCost", // through its CUR 2.0 twin
		"product/ProductName",
		"product/productFamily",
		"product/someAttributeAWSAddsLater",
		"resourceTags/user:Team",
		"resourceTags/aws:createdBy",
		"resourceTags/user:kubernetes.io/name",
		"costCategory/Team",
		"costCategory/Charge type",
		"discount/TotalDiscount",
		"discount/EdpDiscount",
		// legacy Parquet / Athena
		"line_item_unblended_cost",
		"product_product_name",
		"resource_tags_user_team",
		"cost_category_team",
		"discount_total_discount",
		// CUR 2.0
		"bill_payer_account_name",
		"line_item_iam_principal",
		"capacity_reservation_capacity_reservation_arn",
		"split_line_item_split_cost",
		"cost_analytics_billed_cost",
		"product",
		"product_instanceSKU",
		"product_instancesku",
		"resource_tags",
		"resource_tags.user_team", // dot operator of the export query
		"cost_category",
		"discount",
		"tags",
		"accountTag/department",
		"userAttribute/Department",
		// FOCUS
		"BilledCost",
		"EffectiveCost",
		"ListCost",
		"ContractedCost",
		"ChargePeriodStart",
		"Tags",
		"x_ServiceCode",
		"x_UsageType",
		"x_Operation",
		"x_Discounts",
		"x_CostCategories",
		"SkuPriceDetails",
		"CapacityReservationId",
		"billed_cost",
	} {
		assert.True(t, Documented(name), "%q should be documented", name)
	}
}

func TestClosest(t *testing.T) {
	known := Known()
	tests := []struct{ typo, want string }{
		{"lineItem/UnblendedCosts", "lineItem/UnblendedCost"},
		{"line_item_unblended_costs", "line_item_unblended_cost"},
		{"lineitem/productcod", "lineItem/ProductCode"},
		{"lineItem/UsageAmmount", "lineItem/UsageAmount"},
		{"lineItem/UnbelndedCost", "lineItem/UnblendedCost"}, // transposition
		{"bill/BillingPeriodStartDat", "bill/BillingPeriodStartDate"},
		{"savingsPlan/SavingsPlanEffectivCost", "savingsPlan/SavingsPlanEffectiveCost"},
		{"BilledCosts", "BilledCost"},
		{"x_ServiceCod", "x_ServiceCode"},
	}
	for _, tc := range tests {
		t.Run(tc.typo, func(t *testing.T) {
			got := Closest(tc.typo, known, 3)
			require.NotEmpty(t, got)
			require.LessOrEqual(t, len(got), 3)
			assert.Equal(t, tc.want, got[0])
			assert.Equal(t, got, Closest(tc.typo, known, 3), "deterministic")
			seen := map[string]bool{}
			for _, g := range got {
				c := Canonical(g)
				assert.False(t, seen[c], "one suggestion per canonical name: %v", got)
				seen[c] = true
			}
		})
	}
}

func TestClosestPrefersTheDeliverysSpelling(t *testing.T) {
	header := []string{"lineItem/UnblendedCost", "lineItem/BlendedCost", "product/ProductName"}
	got := Closest("line_item_unblended_costs", append(header, "line_item_unblended_cost"), 2)
	assert.Equal(t, []string{"line_item_unblended_cost", "lineItem/BlendedCost"}, got)
	got = Closest("lineItem/UnblendedCosts", append(header, "line_item_unblended_cost"), 1)
	assert.Equal(t, []string{"lineItem/UnblendedCost"}, got)
}

func TestClosestEdges(t *testing.T) {
	assert.Nil(t, Closest("x", []string{"a"}, 0))
	assert.Nil(t, Closest("x", nil, 3))
	assert.Equal(t, []string{"ab"}, Closest("x", []string{"", "ab", "///"}, 5))
	// Equal distance: candidate order decides.
	assert.Equal(t, []string{"ab", "ac"}, Closest("aa", []string{"ab", "ac"}, 2))
	assert.Equal(t, []string{"ac", "ab"}, Closest("aa", []string{"ac", "ab"}, 2))
}

func TestOSA(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"ab", "ba", 1},
		{"ca", "abc", 3}, // OSA, not unrestricted Damerau (which gives 2)
		{"line_item_unblended_costs", "line_item_unblended_cost", 1},
		{"équipe", "equipe", 1},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, osa([]rune(tc.a), []rune(tc.b)), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, osa([]rune(tc.b), []rune(tc.a)), "symmetric %q %q", tc.a, tc.b)
	}
}

func TestCUR2Type(t *testing.T) {
	tests := []struct{ name, want string }{
		{"line_item_unblended_cost", "double"},
		{"lineItem/UnblendedCost", "double"},
		{"line_item_unblended_rate", "string"},
		{"line_item_blended_rate", "string"},
		{"pricing_public_on_demand_rate", "string"},
		{"line_item_usage_amount", "double"},
		{"bill_billing_period_start_date", "timestamp"},
		{"bill_billing_period_end_date", "timestamp"},
		{"line_item_usage_start_date", "timestamp"},
		{"line_item_usage_end_date", "timestamp"},
		{"reservation_start_time", "string"},
		{"savings_plan_end_time", "string"},
		{"savings_plan_savings_plan_rate", "double"},
		{"resource_tags", "map<string,string>"},
		{"cost_category", "map<string,string>"},
		{"product", "map<string,string>"},
		{"tags", "map<string,string>"},
		{"discount", "map<string,double>"},
		{"discount_total_discount", "double"},
		{"split_line_item_split_usage_ratio", "double"},
		{"reservation/ReservationARN", "string"},
	}
	for _, tc := range tests {
		got, ok := CUR2Type(tc.name)
		assert.True(t, ok, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
	for _, name := range []string{"resource_tags_user_team", "product_product_name", "BilledCost", "line_item_unblended_costs", ""} {
		_, ok := CUR2Type(name)
		assert.False(t, ok, name)
	}
	// The four date columns are the only timestamps.
	for _, g := range cur2Groups() {
		for _, c := range g {
			if c.typ == "timestamp" {
				assert.True(t, strings.HasSuffix(c.name, "_date"), c.name)
			}
		}
	}
}

func TestFOCUSType(t *testing.T) {
	tests := []struct{ name, want string }{
		{"BilledCost", "double"},
		{"EffectiveCost", "double"},
		{"billed_cost", "double"},
		{"ChargePeriodStart", "timestamp_milliseconds"},
		{"BillingPeriodEnd", "timestamp_milliseconds"},
		{"Tags", "map<string,string>"},
		{"x_Discounts", "map<string,double>"},
		{"x_ServiceCode", "string"},
		{"BillingAccountType", "string"},
	}
	for _, tc := range tests {
		got, ok := FOCUSType(tc.name)
		assert.True(t, ok, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
	for _, name := range []string{"SkuPriceDetails", "line_item_unblended_cost", "Nope"} {
		_, ok := FOCUSType(name)
		assert.False(t, ok, name)
	}
}

func TestCatalogIsConsistent(t *testing.T) {
	known := Known()
	seen := map[string]bool{}
	for _, k := range known {
		assert.False(t, seen[k], "Known lists %q twice", k)
		seen[k] = true
		assert.True(t, Documented(k), "Known name %q must be Documented", k)
	}
	known[0] = "mutated"
	assert.NotEqual(t, "mutated", Known()[0], "Known returns a copy")

	// A canonical name has one type, whichever spelling or table gave it.
	types := map[string]string{}
	for _, g := range cur2Groups() {
		for _, c := range g {
			k := Canonical(c.name)
			if prev, ok := types[k]; ok {
				assert.Equal(t, prev, c.typ, c.name)
			}
			types[k] = c.typ
			assert.NotEmpty(t, c.typ, c.name)
			if c.name != "product_instanceSKU" { // the dictionary's one mixed-case spelling
				assert.Equal(t, c.name, Canonical(c.name), "CUR 2.0 names are snake_case: %q", c.name)
			}
		}
	}
	ftypes := map[string]string{}
	for _, g := range [][]col{focus10, focus12} {
		for _, c := range g {
			if c.typ == "" {
				continue
			}
			k := Canonical(c.name)
			if prev, ok := ftypes[k]; ok {
				assert.Equal(t, prev, c.typ, c.name)
			}
			ftypes[k] = c.typ
		}
	}
	for _, p := range familyPrefixes {
		assert.True(t, strings.HasSuffix(p, "_"), p)
		assert.Equal(t, p, Canonical(p)+"_", "family prefixes are canonical: %q", p)
	}
	for _, g := range legacyGroups() {
		for _, n := range g {
			assert.Contains(t, n, "/", "legacy names keep the CSV spelling: %q", n)
		}
	}
}

// The real anonymized legacy CUR (finopsfoundation/focus_converters sample,
// 2023-11) lives beside the repository in the shared workspace; a plain
// clone does not have it.
func TestRealLegacyHeaderIsDocumented(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "fixtures", "real", "aws-cur-legacy-anonymized-2023-11.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s absent (not part of a plain clone)", path)
	}
	require.NoError(t, err)
	defer f.Close()
	header, err := csv.NewReader(f).Read()
	require.NoError(t, err)
	require.NotEmpty(t, header)
	var missing []string
	for _, h := range header {
		if !Documented(h) {
			missing = append(missing, h)
		}
	}
	assert.Empty(t, missing, "header columns the catalog does not know")
}

func BenchmarkDocumented(b *testing.B) {
	names := []string{"lineItem/UnblendedCost", "resourceTags/user:Team", "lineItem/UnblendedCosts", "BilledCost"}
	for i := 0; b.Loop(); i++ {
		Documented(names[i%len(names)])
	}
}

func BenchmarkClosest(b *testing.B) {
	known := Known()
	for b.Loop() {
		Closest("lineItem/UnblendedCosts", known, 3)
	}
}
