package csvsplit

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type result struct {
	records [][]string
	lines   []int
	err     error
}

// readOurs reads everything with our Reader (BOM kept, so the input means
// the same to both readers), stopping at the first error.
func readOurs(src io.Reader, opts *Options) result {
	o := Options{KeepBOM: true, FieldsPerRecord: -1}
	if opts != nil {
		o = *opts
	}
	r := NewReader(src, &o)
	var res result
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.err = err
			return res
		}
		s := make([]string, len(rec))
		for i, f := range rec {
			s[i] = string(f)
		}
		res.records = append(res.records, s)
		res.lines = append(res.lines, r.Line())
	}
}

func readStd(src io.Reader) result {
	r := csv.NewReader(src)
	r.FieldsPerRecord = -1
	var res result
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.err = err
			return res
		}
		res.records = append(res.records, rec)
		line, _ := r.FieldPos(0)
		res.lines = append(res.lines, line)
	}
}

// compare asserts that our result equals encoding/csv's: same records, same
// start lines, and the same error sentinel at the same position.
func compare(t *testing.T, input string, ours, std result) {
	t.Helper()
	require.Equal(t, std.records, ours.records, "records of %q", input)
	assert.Equal(t, std.lines, ours.lines, "start lines of %q", input)
	if std.err == nil {
		require.NoError(t, ours.err, "input %q", input)
		return
	}
	require.Error(t, ours.err, "input %q: csv says %v", input, std.err)
	var se *csv.ParseError
	require.ErrorAs(t, std.err, &se)
	var oe *ParseError
	require.ErrorAs(t, ours.err, &oe, "input %q", input)
	require.ErrorIs(t, ours.err, se.Err, "input %q", input)
	assert.Equal(t, se.StartLine, oe.StartLine, "start line, input %q", input)
	assert.Equal(t, se.Line, oe.Line, "line, input %q", input)
	assert.Equal(t, se.Column, oe.Column, "column, input %q", input)
}

var diffCases = []string{
	"",
	"\n",
	"\n\n\r\n",
	"a",
	"a\n",
	"a,b,c\n1,2,3\n",
	"a,b,c\r\n1,2,3\r\n",
	"a,b\r\n1,2",
	"a,b\r",
	"a\rb,c\n",
	"a,,\n,,\n",
	",\n",
	`"a,b",c` + "\n",
	`"a""b",c` + "\n",
	`"",""` + "\n",
	`""""` + "\n",
	"\"multi\nline\",x\nnext,row\n",
	"\"multi\r\nline\",x\r\nnext,row\r\n",
	"\"a\rb\",c\n",
	"x,\"q\"\r",
	"x,\"q\"",
	"x,\"q\"\r,y\n",
	`a"b,c` + "\n",
	`"a"b,c` + "\n",
	`"a" ,c` + "\n",
	`"abc`,
	"\"abc\n",
	"\"abc\ndef\n",
	"\"abc\r\n",
	"\"abc\r\ndef\r\n",
	"\"abc\ndef\r",
	"ok\n\"abc\n\n\n",
	"a,b\n\nc,d\n",
	"a,\"b\nc\",d\ne,f\n\"g\nh\n",
	"\xef\xbb\xbfa,b\n",
	"a,b\n\"c\"d\n",
	" \"a\",b\n",
	"\"Amazon Web Services, Inc.\",1.1E-5,\"desc, with \"\"quotes\"\"\"\n",
}

func TestDifferentialCases(t *testing.T) {
	for _, in := range diffCases {
		t.Run("", func(t *testing.T) {
			compare(t, in, readOurs(strings.NewReader(in), nil), readStd(strings.NewReader(in)))
		})
	}
}

// TestSmallBuffers forces record restarts across refills and buffer growth.
func TestSmallBuffers(t *testing.T) {
	var sb strings.Builder
	for i := range 300 {
		sb.WriteString(`plain,"quoted, comma","esc ""q""","multi` + "\n" + `line",`)
		sb.WriteString(strings.Repeat("x", i%37))
		sb.WriteString("\r\n")
	}
	in := sb.String()
	std := readStd(strings.NewReader(in))
	require.NoError(t, std.err)
	readers := map[string]func(io.Reader) io.Reader{
		"plain":   func(r io.Reader) io.Reader { return r },
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
	}
	for name, wrap := range readers {
		for _, bs := range []int{1, 7, 64, 4096} {
			t.Run(name, func(t *testing.T) {
				ours := readOurs(wrap(strings.NewReader(in)), &Options{BufferSize: bs, KeepBOM: true, FieldsPerRecord: -1})
				compare(t, in, ours, std)
			})
		}
	}
}

func TestReadErrorsSurface(t *testing.T) {
	boom := errors.New("boom")
	// A complete first record, then the source fails mid-record.
	src := io.MultiReader(strings.NewReader("a,b\nc,"), iotest.ErrReader(boom))
	r := NewReader(src, nil)
	rec, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("a"), []byte("b")}, rec)
	_, err = r.Read()
	require.ErrorIs(t, err, boom)
	var re *ReadError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 2, re.Line)
	_, err2 := r.Read()
	require.ErrorIs(t, err2, boom, "errors are sticky")

	// A timeout on the second read is an error, not EOF.
	r = NewReader(iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader("a,b\n"))), &Options{BufferSize: 1})
	_, err = r.Read()
	require.ErrorIs(t, err, iotest.ErrTimeout)
}

func TestBOM(t *testing.T) {
	r := NewReader(strings.NewReader("\xef\xbb\xbflineItem/UnblendedCost,b\n1,2\n"), nil)
	rec, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, "lineItem/UnblendedCost", string(rec[0]))
	assert.Equal(t, 1, r.Line())
	r = NewReader(strings.NewReader("\xef\xbb\xbfx\n"), &Options{KeepBOM: true})
	rec, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, "\xef\xbb\xbfx", string(rec[0]))
	// BOM only: zero records.
	r = NewReader(strings.NewReader("\xef\xbb\xbf"), nil)
	_, err = r.Read()
	require.ErrorIs(t, err, io.EOF)
}

func TestFieldCount(t *testing.T) {
	r := NewReader(strings.NewReader("a,b\n1,2\n1,2,3\n4,5\n"), nil)
	for range 2 {
		_, err := r.Read()
		require.NoError(t, err)
	}
	rec, err := r.Read()
	require.ErrorIs(t, err, csv.ErrFieldCount)
	assert.Len(t, rec, 3)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.Line)
	rec, err = r.Read()
	require.NoError(t, err, "a field count error is not sticky")
	assert.Equal(t, "5", string(rec[1]))
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name  string
		input string
		opts  Options
		want  error
		line  int
	}{
		{"line without end", "a,b\n" + strings.Repeat("x", 5000), Options{BufferSize: 64, MaxRecordSize: 1024}, ErrRecordTooLarge, 2},
		{"unterminated quote", "a,b\n\"" + strings.Repeat("x\n", 5000), Options{BufferSize: 64, MaxRecordSize: 1024}, ErrRecordTooLarge, 2},
		{"huge unquoted field", "a,b\nx," + strings.Repeat("y", 600) + "\n", Options{MaxFieldSize: 500}, ErrFieldTooLarge, 2},
		{"huge quoted field", "a,b\n\"" + strings.Repeat("y", 600) + "\",z\n", Options{MaxFieldSize: 500}, ErrFieldTooLarge, 2},
		{"huge last quoted field", "a,b\nz,\"" + strings.Repeat("y", 600) + "\"\n", Options{MaxFieldSize: 500}, ErrFieldTooLarge, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.input), &tc.opts)
			_, err := r.Read()
			require.NoError(t, err)
			_, err = r.Read()
			require.ErrorIs(t, err, tc.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.line, pe.StartLine)
			assert.LessOrEqual(t, cap(r.buf), max(tc.opts.MaxRecordSize, DefaultBufferSize), "buffer stays bounded")
		})
	}
}

func TestFieldsReused(t *testing.T) {
	r := NewReader(strings.NewReader("a,b\nc,d\n"), nil)
	rec1, err := r.Read()
	require.NoError(t, err)
	first := &rec1[0]
	rec2, err := r.Read()
	require.NoError(t, err)
	assert.Same(t, first, &rec2[0], "the field slice is reused")
	// Fields have capped capacity: appending cannot clobber the next field.
	f := append(rec2[0], 'X')
	assert.Equal(t, "cX", string(f))
	assert.Equal(t, "d", string(rec2[1]))
}

func FuzzSplit(f *testing.F) {
	for _, c := range diffCases {
		f.Add([]byte(c), uint8(0))
	}
	f.Add([]byte("a,\"b\r\n\"\"c\",d\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, bs uint8) {
		if len(in) > 1<<16 {
			return
		}
		opts := &Options{BufferSize: int(bs) + 1, KeepBOM: true, FieldsPerRecord: -1}
		ours := readOurs(iotest.HalfReader(bytes.NewReader(in)), opts)
		std := readStd(bytes.NewReader(in))
		compare(t, string(in), ours, std)
	})
}
