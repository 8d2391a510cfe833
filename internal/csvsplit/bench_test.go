package csvsplit

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// benchData is a CUR-like CSV: 150 columns, mostly short unquoted values,
// some quoted fields with commas.
func benchData(rows int) []byte {
	var sb strings.Builder
	for c := range 150 {
		if c > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "category%d/Column%d", c%9, c)
	}
	sb.WriteByte('\n')
	for i := range rows {
		for c := range 150 {
			if c > 0 {
				sb.WriteByte(',')
			}
			switch c % 10 {
			case 0:
				fmt.Fprintf(&sb, "%d.%010d", i%7, i*7919%10000000000)
			case 1:
				sb.WriteString(`"Amazon Web Services, Inc."`)
			case 2:
				fmt.Fprintf(&sb, "%d.1E-5", i%9)
			case 3:
				sb.WriteString("2023-11-01T00:00:00.000Z")
			case 4, 5, 6:
				// empty
			default:
				fmt.Fprintf(&sb, "val%d", i%97)
			}
		}
		sb.WriteByte('\n')
	}
	return []byte(sb.String())
}

func BenchmarkReader(b *testing.B) {
	data := benchData(2000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), nil)
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkReaderNext(b *testing.B) {
	data := benchData(2000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), nil)
		for {
			err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			_ = r.Field(10)
		}
	}
}

// BenchmarkReaderFile splits the CSV file named by $CSVSPLIT_BENCH_FILE
// (for example a decompressed curbench file), from memory.
func BenchmarkReaderFile(b *testing.B) {
	name := os.Getenv("CSVSPLIT_BENCH_FILE")
	if name == "" {
		b.Skip("CSVSPLIT_BENCH_FILE not set")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), nil)
		for {
			err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEncodingCSV(b *testing.B) {
	data := benchData(2000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
