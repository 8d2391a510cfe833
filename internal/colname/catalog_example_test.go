package colname_test

import (
	"fmt"
	"slices"

	"github.com/curconnect/curconnect/internal/colname"
)

// A requested column that is neither in the delivery nor documented is
// refused with suggestions; a documented column the delivery lacks reads
// as absent.
func ExampleDocumented() {
	header := []string{"identity/LineItemId", "lineItem/UnblendedCost", "product/ProductName"}
	idx := colname.NewIndex(header)
	for _, want := range []string{"lineItem/UnblendedCosts", "reservation/EffectiveCost", "resourceTags/user:Team"} {
		switch {
		case idx.Lookup(want) != nil:
			fmt.Printf("%s: read\n", want)
		case colname.Documented(want):
			fmt.Printf("%s: absent this month\n", want)
		default:
			closest := colname.Closest(want, slices.Concat(header, colname.Known()), 3)
			fmt.Printf("%s: unknown column (closest: %v)\n", want, closest)
		}
	}
	// Output:
	// lineItem/UnblendedCosts: unknown column (closest: [lineItem/UnblendedCost lineItem/BlendedCost lineItem/UnblendedRate])
	// reservation/EffectiveCost: absent this month
	// resourceTags/user:Team: absent this month
}

func ExampleCUR2Type() {
	for _, name := range []string{"line_item_unblended_cost", "line_item_unblended_rate", "bill_billing_period_start_date", "discount"} {
		typ, _ := colname.CUR2Type(name)
		fmt.Println(name, typ)
	}
	// Output:
	// line_item_unblended_cost double
	// line_item_unblended_rate string
	// bill_billing_period_start_date timestamp
	// discount map<string,double>
}
