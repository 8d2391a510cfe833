package decimal_test

import (
	"errors"
	"fmt"

	"github.com/curconnect/curconnect/curreader/decimal"
)

func Example() {
	var total decimal.Decimal
	for _, s := range []string{"0.0110000000", "1.1E-5", "", "-0.001"} {
		d, err := decimal.Parse(s)
		if errors.Is(err, decimal.ErrEmpty) {
			continue // absent, not zero
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		total = total.Add(d)
	}
	fmt.Println(total)
	// Output: 0.010011
}
