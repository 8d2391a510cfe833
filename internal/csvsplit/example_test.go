package csvsplit_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/curconnect/curconnect/internal/csvsplit"
)

func ExampleReader_Next() {
	in := "lineItem/UnblendedCost,bill/InvoicingEntity\n0.0110000000,\"Amazon Web Services, Inc.\"\n1.1E-5,\"AWS \"\"EMEA\"\"\"\n"
	r := csvsplit.NewReader(strings.NewReader(in), nil)
	for {
		err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("line %d: %d fields, second is %s\n", r.Line(), r.NumField(), r.Field(1))
	}
	// Output:
	// line 1: 2 fields, second is bill/InvoicingEntity
	// line 2: 2 fields, second is Amazon Web Services, Inc.
	// line 3: 2 fields, second is AWS "EMEA"
}

func ExampleNewGzip() {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	io.WriteString(w, "a,b\n1,2\n3,4\n")
	w.Close()

	p, err := csvsplit.NewGzip(&gz, nil) // decompresses on its own goroutine
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	r := csvsplit.NewReader(p, nil)
	rows := 0
	for {
		err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err) // a truncated stream ends here, with io.ErrUnexpectedEOF
		}
		rows++
	}
	fmt.Println(rows, "records")
	// Output: 3 records
}
