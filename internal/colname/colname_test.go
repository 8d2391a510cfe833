package colname

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lineItem/UnblendedCost", "line_item_unblended_cost"},
		{"line_item_unblended_cost", "line_item_unblended_cost"},
		{"identity/TimeInterval", "identity_time_interval"},
		{"identity_time_interval", "identity_time_interval"},
		{"reservation/ReservationARN", "reservation_reservation_a_r_n"},
		{"savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_a_r_n"},
		{"resourceTags/user:Cost Center", "resource_tags_user_cost_center"},
		{"resourceTags/user:Team", "resource_tags_user_team"},
		{"resourceTags/user:kubernetes.io/name", "resource_tags_user_kubernetes_io_name"},
		{"resourceTags/user:karpenter.sh/nodepool", "resource_tags_user_karpenter_sh_nodepool"},
		{"resourceTags/aws:createdBy", "resource_tags_aws_created_by"},
		{"costCategory/Charge type", "cost_category_charge_type"},
		{"product/servicecode", "product_servicecode"},
		{"product/ProductName", "product_product_name"},
		{"bill/PayerAccountId", "bill_payer_account_id"},
		{"BilledCost", "billed_cost"},
		{"x_CostCategories", "x_cost_categories"},
		{"__weird--name__", "weird_name"},
		{"", ""},
		{"///", ""},
		{"resourceTags/user:Équipe", "resource_tags_user_équipe"},
		{"a1B2", "a1_b2"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := Canonical(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, got, Canonical(got), "idempotent")
		})
	}
}

func TestMapKey(t *testing.T) {
	tests := []struct{ m, key, want string }{
		{"resource_tags", "user_team", "resource_tags_user_team"},
		{"resource_tags", "user:Team", "resource_tags_user_team"},
		{"resource_tags", "user_cost_center", "resource_tags_user_cost_center"},
		{"cost_category", "environment", "cost_category_environment"},
		{"product", "product_name", "product_product_name"},
		{"product", "from_location", "product_from_location"},
		{"tags", "resourceTags/user:Team", "resource_tags_user_team"},
		{"tags", "costCategory/Team", "cost_category_team"},
		{"tags", "accountTag/owner", "account_tag_owner"},
		{"resource_tags", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.m+"."+tc.key, func(t *testing.T) {
			assert.Equal(t, tc.want, MapKey(tc.m, tc.key))
		})
	}
	// The legacy column and the CUR 2.0 map key meet on one name.
	assert.Equal(t, Canonical("resourceTags/user:Cost Center"), MapKey("resource_tags", "user_cost_center"))
}

func TestSplitMap(t *testing.T) {
	tests := []struct {
		in, m, key string
		ok         bool
	}{
		{"resource_tags_user_team", "resource_tags", "user_team", true},
		{"cost_category_charge_type", "cost_category", "charge_type", true},
		{"product_product_name", "product", "product_name", true},
		{"discount_total_discount", "discount", "total_discount", true},
		{"resource_tags", "", "", false},
		{"resource_tags_", "", "", false},
		{"line_item_unblended_cost", "", "", false},
		{"productx", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			m, k, ok := SplitMap(tc.in)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.m, m)
			assert.Equal(t, tc.key, k)
			if ok {
				assert.Equal(t, tc.in, MapKey(m, k), "SplitMap inverts MapKey")
			}
		})
	}
	assert.True(t, IsMapColumn("resource_tags"))
	assert.True(t, IsMapColumn("tags"))
	assert.False(t, IsMapColumn("resource_tags_user_team"))
}

func TestIndex(t *testing.T) {
	header := []string{
		"identity/LineItemId",
		"lineItem/UnblendedCost",
		"resourceTags/user:client",
		"resourceTags/user:Client",
		"resourceTags/user:Team",
		"resourceTags/user:client", // exact duplicate header
	}
	x := NewIndex(header)
	require.Equal(t, 6, x.Len())
	assert.Equal(t, []int{1}, x.Lookup("lineItem/UnblendedCost"))
	assert.Equal(t, []int{1}, x.Lookup("line_item_unblended_cost"))
	assert.Equal(t, []int{4}, x.Lookup("resource_tags_user_team"))
	// Collisions: the canonical name refers to all, in header order.
	assert.Equal(t, []int{2, 3, 5}, x.Lookup("resource_tags_user_client"))
	// An exact header name picks its own (first) column.
	assert.Equal(t, []int{3}, x.Lookup("resourceTags/user:Client"))
	assert.Equal(t, []int{2}, x.Lookup("resourceTags/user:client"))
	assert.Nil(t, x.Lookup("line_item_blended_cost"))
	assert.Equal(t, []string{"identity_line_item_id", "line_item_unblended_cost", "resource_tags_user_client", "resource_tags_user_team"}, x.Columns())
	assert.Equal(t, "resourceTags/user:Client", x.Header(3))
	assert.Equal(t, "resource_tags_user_client", x.CanonicalAt(3))

	// Deterministic: the same header gives the same index.
	y := NewIndex(header)
	assert.Equal(t, x.Columns(), y.Columns())
	assert.Equal(t, x.Lookup("resource_tags_user_client"), y.Lookup("resource_tags_user_client"))
}

// TestIndexLookupOther looks names of the other scheme up from several
// goroutines, beyond the cache's bound: every answer is Canonical's.
func TestIndexLookupOther(t *testing.T) {
	x := NewIndex([]string{"line_item_unblended_cost", "resource_tags_user_team", "resource_tags_user_client", "resourceTags/user:Client"})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 * maxOther {
				assert.Equal(t, []int{0}, x.Lookup("lineItem/UnblendedCost"))
				assert.Equal(t, []int{2, 3}, x.Lookup("resourceTags/user:client"))
				assert.Nil(t, x.Lookup(fmt.Sprintf("lineItem/Typo%d_%d", g, i)))
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, int(x.others.Load()), maxOther)
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"lineItem/UnblendedCost", "resourceTags/user:Cost Center", "ÉÉ", "a__b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Canonical(s)
		require.Equal(t, c, Canonical(c))
		assert.NotContains(t, c, "__")
		if c != "" {
			assert.NotEqual(t, byte('_'), c[0])
			assert.NotEqual(t, byte('_'), c[len(c)-1])
		}
	})
}

// BenchmarkLookup looks a column up as a caller reading by name does on
// every row: by its own header spelling, and by the other scheme's.
func BenchmarkLookup(b *testing.B) {
	x := NewIndex([]string{"identity_line_item_id", "bill_payer_account_id", "line_item_product_code", "line_item_unblended_cost"})
	for _, name := range []string{"line_item_unblended_cost", "lineItem/UnblendedCost"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(x.Lookup(name)) != 1 {
					b.Fatal("not found")
				}
			}
		})
	}
}
