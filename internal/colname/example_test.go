package colname_test

import (
	"fmt"

	"github.com/curconnect/curconnect/internal/colname"
)

func ExampleCanonical() {
	fmt.Println(colname.Canonical("lineItem/UnblendedCost"))
	fmt.Println(colname.Canonical("line_item_unblended_cost"))
	fmt.Println(colname.Canonical("resourceTags/user:Team"))
	fmt.Println(colname.MapKey("resource_tags", "user_team"))
	// Output:
	// line_item_unblended_cost
	// line_item_unblended_cost
	// resource_tags_user_team
	// resource_tags_user_team
}
