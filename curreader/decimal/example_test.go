package decimal_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/curconnect/curconnect/curreader/decimal"
)

func Example() {
	var total decimal.Decimal // the zero value is 0
	for _, s := range []string{"0.0110000000", "1.1E-5", "", "-0.001"} {
		d, err := decimal.Parse(s)
		if errors.Is(err, decimal.ErrEmpty) {
			continue // absent, not zero
		}
		if err != nil {
			log.Fatal(err)
		}
		total = total.Add(d)
	}
	fmt.Println(total)
	// Output: 0.010011
}

func ExampleParse() {
	for _, s := range []string{"0.0110000000", "1.1E-5", "-3", "", "1,5", "1E99999"} {
		d, err := decimal.Parse(s)
		var pe *decimal.ParseError
		switch {
		case errors.Is(err, decimal.ErrEmpty):
			fmt.Printf("%q: absent\n", s)
		case errors.As(err, &pe):
			fmt.Printf("%q: rejected (syntax %t, range %t): %v\n", pe.Input,
				errors.Is(err, decimal.ErrSyntax), errors.Is(err, decimal.ErrRange), err)
		default:
			fmt.Printf("%q: %s\n", s, d)
		}
	}
	// Output:
	// "0.0110000000": 0.011
	// "1.1E-5": 0.000011
	// "-3": -3
	// "": absent
	// "1,5": rejected (syntax true, range false): decimal: parse "1,5": invalid syntax
	// "1E99999": rejected (syntax false, range true): decimal: parse "1E99999": value out of range
}

func ExampleFromMinor() {
	for _, v := range []struct {
		units int64
		scale int
	}{{1234, 2}, {-5, 0}, {11, 6}} { // cents, units, millionths
		d, err := decimal.FromMinor(v.units, v.scale)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d)
	}
	// Output:
	// 12.34
	// -5
	// 0.000011
}

func ExampleDecimal_Minor() {
	cents, err := decimal.MustParse("12.3400").Minor(2)
	fmt.Println(cents, err)

	d := decimal.MustParse("12.345")
	_, err = d.Minor(2)
	fmt.Println(errors.Is(err, decimal.ErrInexact), err)

	// Round first to accept the rounding.
	cents, err = d.Round(2).Minor(2)
	fmt.Println(cents, err)

	_, err = decimal.MustParse("1E30").Minor(2)
	fmt.Println(errors.Is(err, decimal.ErrRange))
	// Output:
	// 1234 <nil>
	// true decimal: 12.345 in units of 1e-2: inexact conversion
	// 1235 <nil>
	// true
}

func ExampleDecimal_Round() {
	for _, s := range []string{"12.345", "-12.345", "12.344", "0.0049"} {
		fmt.Println(decimal.MustParse(s).Round(2))
	}
	// Output:
	// 12.35
	// -12.35
	// 12.34
	// 0
}

func ExampleDecimal_StringFixed() {
	for _, s := range []string{"1234.5678", "5", "-0.001", "1.1E-5"} {
		fmt.Printf("$%s\n", decimal.MustParse(s).StringFixed(2))
	}
	// Output:
	// $1234.57
	// $5.00
	// $0.00
	// $0.00
}

func ExampleDecimal_Equal() {
	a, b := decimal.MustParse("1.10"), decimal.MustParse("1.1")
	fmt.Println(a.Equal(b), a.Cmp(b), a.String() == b.String())
	fmt.Println(decimal.MustParse("-0.5").Cmp(decimal.Decimal{}), decimal.MustParse("0.000").IsZero())
	// Output:
	// true 0 true
	// -1 true
}

func ExampleDecimal_UnmarshalJSON() {
	var line struct {
		Service string
		Cost    decimal.Decimal
	}
	// A JSON number is read exactly, as is a JSON string.
	if err := json.Unmarshal([]byte(`{"Service":"AmazonS3","Cost":0.1}`), &line); err != nil {
		log.Fatal(err)
	}
	line.Cost = line.Cost.Add(decimal.MustParse("0.2"))
	out, err := json.Marshal(line)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(out))
	// Output: {"Service":"AmazonS3","Cost":"0.3"}
}
