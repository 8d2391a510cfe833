package curreader

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// FuzzCSVRows reads arbitrary bytes as a delivery's CSV data file through
// the public Reader. It must never panic, and must end either cleanly or
// with a *ParseError or *FileError that names the file.
func FuzzCSVRows(f *testing.F) {
	for _, s := range []string{
		"identity/LineItemId,lineItem/UnblendedCost,resourceTags/user:team\nabc,1.5,x\ndef,-2e-3,\n",
		"line_item_unblended_cost,resource_tags\n0.1,\"{\"\"user_team\"\":\"\"a\"\"}\"\n",
		"a,b\n\"unterminated\n",
		"\ufeffBilledCost,x\n1E+2,\"q\"\"q\"\n",
		"lineItem/UnblendedCost\nnot-a-number\n",
		"a,b\n1,2,3\n",
		"",
	} {
		f.Add([]byte(s))
	}
	const key = "cur/r/20240301-20240401/a/r-00001.csv"
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{key: &fstest.MapFile{Data: data}}
		d := &Delivery{Bucket: "b", Format: FormatCSV, Compression: CompressionNone, Ready: true,
			Files: []DataFile{{Key: key, Size: int64(len(data))}}}
		rd, err := openFS(t.Context(), fsys, d, func(o *ReadOptions) { o.MaxRecordSize, o.MaxFieldSize = 1<<16, 1<<12 })
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		rows := 0
		for rd.Next() {
			row := rd.Row()
			if row.File() != key {
				t.Fatalf("row names %q", row.File())
			}
			_ = row.Columns()
			for _, c := range []string{"lineItem/UnblendedCost", "line_item_unblended_cost", "BilledCost", "a"} {
				_, _ = row.Get(c)
				_, _, _ = row.Decimal(c)
			}
			_, _ = row.Tag("user:team")
			rows++
		}
		err = rd.Err()
		if err == nil {
			return
		}
		var pe *ParseError
		var fe *FileError
		switch {
		case errors.As(err, &pe):
			if pe.File != key {
				t.Fatalf("ParseError names %q: %v", pe.File, err)
			}
		case errors.As(err, &fe):
			if fe.File != key {
				t.Fatalf("FileError names %q: %v", fe.File, err)
			}
		default:
			t.Fatalf("untyped error after %d rows: %T %v", rows, err, err)
		}
		if !errors.Is(err, curerr.ErrMalformed) && !errors.As(err, &fe) {
			t.Fatalf("not a malformed-input error: %v", err)
		}
	})
}
