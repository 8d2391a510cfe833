package csvsplit

import (
	"bytes"
	stdgzip "compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleCSV returns a small CUR-like CSV with quoted commas, quotes,
// newlines and scientific notation.
func sampleCSV(rows int) string {
	var sb strings.Builder
	sb.WriteString("identity/LineItemId,bill/InvoicingEntity,lineItem/UnblendedCost,lineItem/LineItemDescription\n")
	for i := range rows {
		fmt.Fprintf(&sb, "id%05d,\"Amazon Web Services, Inc.\",%d.%03dE-5,\"desc \"\"%d\"\"\nline two\"\n", i, i, i%1000, i)
	}
	return sb.String()
}

func gz(t testing.TB, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		w := gzip.NewWriter(&buf)
		_, err := w.Write([]byte(p))
		require.NoError(t, err)
		require.NoError(t, w.Close())
	}
	return buf.Bytes()
}

func readAllRecords(src io.Reader) (int, error) {
	r := NewReader(src, nil)
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func TestPipeCopiesExactly(t *testing.T) {
	data := []byte(sampleCSV(2000))
	for _, o := range []PipeOptions{{}, {ChunkSize: 1, Chunks: 1}, {ChunkSize: 7, Chunks: 3}, {ChunkSize: 4096, Chunks: 2}} {
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"plain": func(r io.Reader) io.Reader { return r }, "onebyte": iotest.OneByteReader,
			"half": iotest.HalfReader, "dataerr": iotest.DataErrReader,
		} {
			t.Run(fmt.Sprintf("%s/%d", name, o.ChunkSize), func(t *testing.T) {
				p := NewPipe(wrap(bytes.NewReader(data)), &o)
				got, err := io.ReadAll(p)
				require.NoError(t, err)
				assert.Equal(t, data, got)
				require.NoError(t, p.Close())
			})
		}
	}
}

func TestPipeSourceError(t *testing.T) {
	boom := errors.New("boom")
	p := NewPipe(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), &PipeOptions{ChunkSize: 2})
	got, err := io.ReadAll(p)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "abc", string(got), "bytes before the error are delivered")
	_, err = p.Read(make([]byte, 1))
	require.ErrorIs(t, err, boom, "sticky")
	require.NoError(t, p.Close())
}

func TestPipeCloseMidStream(t *testing.T) {
	p := NewPipe(bytes.NewReader(make([]byte, 10<<20)), &PipeOptions{ChunkSize: 1024, Chunks: 2})
	_, err := p.Read(make([]byte, 10))
	require.NoError(t, err)
	require.NoError(t, p.Close()) // returns only once the goroutine has exited
	require.NoError(t, p.Close(), "idempotent")
	_, err = p.Read(make([]byte, 10))
	require.ErrorIs(t, err, ErrClosed)
}

func TestGzipMultistream(t *testing.T) {
	a, b := sampleCSV(300), sampleCSV(200)
	b = b[strings.IndexByte(b, '\n')+1:] // second member continues the rows
	p, err := NewGzip(iotest.HalfReader(bytes.NewReader(gz(t, a, b))), &PipeOptions{ChunkSize: 1000})
	require.NoError(t, err)
	defer p.Close()
	n, err := readAllRecords(p)
	require.NoError(t, err)
	assert.Equal(t, 1+300+200, n)
}

// TestGzipTruncatedEverywhere cuts a real gzip file at every offset: each
// cut must end in an error, never in a clean end of input.
func TestGzipTruncatedEverywhere(t *testing.T) {
	full := gz(t, sampleCSV(40))
	want, err := readAllRecords(strings.NewReader(sampleCSV(40)))
	require.NoError(t, err)
	for cut := 0; cut < len(full); cut++ {
		p, err := NewGzip(bytes.NewReader(full[:cut]), &PipeOptions{ChunkSize: 256})
		if err != nil {
			require.Less(t, cut, 20, "only a cut header fails at open")
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut %d", cut)
			continue
		}
		n, err := readAllRecords(p)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d of %d", cut, len(full))
		var re *ReadError
		require.ErrorAs(t, err, &re)
		assert.LessOrEqual(t, n, want, "a cut in the trailer still delivers every row, then the error")
		require.NoError(t, p.Close())
	}
	p, err := NewGzip(bytes.NewReader(full), nil)
	require.NoError(t, err)
	n, err := readAllRecords(p)
	require.NoError(t, err)
	assert.Equal(t, want, n)
}

func TestGzipCorrupt(t *testing.T) {
	full := gz(t, sampleCSV(500))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		bad := bytes.Clone(full)
		i := 20 + rng.IntN(len(bad)-20)
		bad[i] ^= byte(1 + rng.IntN(255))
		p, err := NewGzip(bytes.NewReader(bad), nil)
		require.NoError(t, err)
		_, err = readAllRecords(p)
		require.Error(t, err, "flipped byte %d", i)
		require.NoError(t, p.Close())
	}
	_, err := NewGzip(strings.NewReader("a,b\n1,2\n3,4\n5,6\n"), nil)
	require.ErrorIs(t, err, gzip.ErrHeader)
	_, err = NewGzip(strings.NewReader(""), nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestZipMembers(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = io.WriteString(w, body)
		require.NoError(t, err)
	}
	add("report-1.csv", sampleCSV(10))
	_, err := zw.Create("dir/")
	require.NoError(t, err)
	add("__MACOSX/._report-1.csv", "junk")
	add("report-2.csv", sampleCSV(5))
	require.NoError(t, zw.Close())

	members, err := ZipMembers(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	require.Len(t, members, 2)
	assert.Equal(t, "report-1.csv", members[0].Name)
	counts := []int{}
	for _, m := range members {
		rc, err := m.Open()
		require.NoError(t, err)
		p := NewPipe(rc, nil)
		n, err := readAllRecords(p)
		require.NoError(t, err)
		require.NoError(t, p.Close())
		require.NoError(t, rc.Close())
		counts = append(counts, n)
	}
	assert.Equal(t, []int{11, 6}, counts)

	_, err = ZipMembers(bytes.NewReader([]byte("not a zip")), 9)
	require.Error(t, err)
}

func TestRecordsMatchCSVThroughGzip(t *testing.T) {
	in := sampleCSV(100)
	p, err := NewGzip(iotest.OneByteReader(bytes.NewReader(gz(t, in))), &PipeOptions{ChunkSize: 3})
	require.NoError(t, err)
	defer p.Close()
	ours := readOurs(p, nil)
	std := readStd(strings.NewReader(in))
	compare(t, in, ours, std)
	_ = csv.ErrQuote
}

// TestReaderOverPipeChunks exercises the in-place chunk path: records
// spanning chunks, records longer than the headroom, and the size limit.
func TestReaderOverPipeChunks(t *testing.T) {
	var sb strings.Builder
	for i := range 12 {
		n := (i * 27919) % (3 * maxHeadroom) // up to three times the headroom
		fmt.Fprintf(&sb, "r%d,\"%s\n%s\",\"x\"\"y\",%d\n", i, strings.Repeat("a", n/2), strings.Repeat("b", n/2), n)
		sb.WriteString("short,row,here,1\r\n")
	}
	in := sb.String()
	std := readStd(strings.NewReader(in))
	require.NoError(t, std.err)
	for _, cs := range []int{7, 100, 4096, 70000, 1 << 20} {
		t.Run(fmt.Sprint(cs), func(t *testing.T) {
			p := NewPipe(iotest.HalfReader(strings.NewReader(in)), &PipeOptions{ChunkSize: cs, Chunks: 3})
			defer p.Close()
			ours := readOurs(p, nil)
			compare(t, in, ours, std)
		})
	}
	p := NewPipe(strings.NewReader("a\n\""+strings.Repeat("x\n", 200_000)), &PipeOptions{ChunkSize: 10000})
	defer p.Close()
	r := NewReader(p, &Options{MaxRecordSize: 100_000})
	require.NoError(t, r.Next())
	err := r.Next()
	require.ErrorIs(t, err, ErrRecordTooLarge)
}

func FuzzSplitPipe(f *testing.F) {
	for _, c := range diffCases {
		f.Add([]byte(c), uint8(5))
	}
	f.Fuzz(func(t *testing.T, in []byte, cs uint8) {
		if len(in) > 1<<16 {
			return
		}
		p := NewPipe(bytes.NewReader(in), &PipeOptions{ChunkSize: int(cs) + 1, Chunks: 2})
		defer p.Close()
		compare(t, string(in), readOurs(p, nil), readStd(bytes.NewReader(in)))
	})
}

func TestGzipChecksumAndHeaders(t *testing.T) {
	data := gz(t, sampleCSV(50), "extra,row\n")
	// The first member's trailer: find it by decompressing member one.
	first := gz(t, sampleCSV(50))
	for _, off := range []int{len(first) - 8, len(first) - 5, len(first) - 4, len(first) - 1, len(data) - 8, len(data) - 1} {
		bad := bytes.Clone(data)
		bad[off] ^= 0x40
		p, err := NewGzip(bytes.NewReader(bad), nil)
		require.NoError(t, err)
		_, err = io.ReadAll(p)
		require.ErrorIs(t, err, gzip.ErrChecksum, "flipped trailer byte %d", off)
		require.NoError(t, p.Close())
	}

	// Optional header fields are skipped.
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Name = "report-00001.csv"
	w.Comment = strings.Repeat("c", 5000) // longer than small bufio buffers
	w.Extra = []byte("extra-field")
	_, err := io.WriteString(w, "a,b\n1,2\n")
	require.NoError(t, err)
	require.NoError(t, w.Close())
	p, err := NewGzip(iotest.OneByteReader(bytes.NewReader(buf.Bytes())), nil)
	require.NoError(t, err)
	got, err := io.ReadAll(p)
	require.NoError(t, err)
	assert.Equal(t, "a,b\n1,2\n", string(got))
	require.NoError(t, p.Close())

	// A header CRC-16 (FHCRC) is checked, in every member: right, the
	// member reads; one bit off, gzip.ErrHeader, as with compress/gzip.
	withHCRC := func(member []byte, corrupt bool) []byte {
		// member: a plain 10-byte header then deflate data and trailer.
		h := bytes.Clone(member[:10])
		h[3] |= 0x02 | 0x08 // FHCRC, FNAME
		h = append(h, "name.csv\x00"...)
		c := uint16(crc32.ChecksumIEEE(h))
		if corrupt {
			c ^= 1
		}
		h = binary.LittleEndian.AppendUint16(h, c)
		return append(h, member[10:]...)
	}
	good := append(withHCRC(gz(t, "a,b\n"), false), withHCRC(gz(t, "1,2\n"), false)...)
	for _, in := range [][]byte{good, append(gz(t, "a,b\n"), withHCRC(gz(t, "1,2\n"), false)...)} {
		sr, err := stdgzip.NewReader(bytes.NewReader(in))
		require.NoError(t, err)
		want, err := io.ReadAll(sr)
		require.NoError(t, err, "compress/gzip reads it")
		p, err := NewGzip(bytes.NewReader(in), nil)
		require.NoError(t, err)
		got, err := io.ReadAll(p)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
		require.NoError(t, p.Close())
	}
	_, err = NewGzip(bytes.NewReader(withHCRC(gz(t, "a,b\n"), true)), nil)
	require.ErrorIs(t, err, gzip.ErrHeader, "a wrong header CRC in the first member")
	p, err = NewGzip(bytes.NewReader(append(gz(t, "a,b\n"), withHCRC(gz(t, "1,2\n"), true)...)), nil)
	require.NoError(t, err)
	_, err = io.ReadAll(p)
	require.ErrorIs(t, err, gzip.ErrHeader, "a wrong header CRC in the second member")
	require.NoError(t, p.Close())

	// Trailing garbage after a member is an error, as with compress/gzip.
	p, err = NewGzip(bytes.NewReader(append(gz(t, "a\n"), "junk-after-the-member"...)), nil)
	require.NoError(t, err)
	_, err = io.ReadAll(p)
	require.ErrorIs(t, err, gzip.ErrHeader)
	require.NoError(t, p.Close())
}

// FuzzGzip compares NewGzip with compress/gzip (multistream) on arbitrary
// input: when the standard library reads it all, we return the same bytes;
// when it fails, we fail too.
func FuzzGzip(f *testing.F) {
	f.Add(gz(f, "a,b\n1,2\n"))
	f.Add(gz(f, "a\n", "b\n"))
	f.Add(gz(f, sampleCSV(3))[:30])
	f.Add([]byte{0x1f, 0x8b, 8, 0x1f, 0, 0, 0, 0, 0, 0xff, 2, 0, 'x', 'y', 'n', 0, 'c', 0, 1, 2})
	f.Fuzz(func(t *testing.T, in []byte) {
		var want []byte
		sr, serr := stdgzip.NewReader(bytes.NewReader(in))
		if serr == nil {
			want, serr = io.ReadAll(sr)
		}
		p, err := NewGzip(bytes.NewReader(in), &PipeOptions{ChunkSize: 64})
		var got []byte
		if err == nil {
			got, err = io.ReadAll(p)
			require.NoError(t, p.Close())
		}
		switch {
		case serr == nil:
			require.NoError(t, err, "compress/gzip reads it")
			require.Equal(t, want, got)
		case err == nil && errors.Is(serr, stdgzip.ErrHeader) && longHeaderString(in):
			// compress/gzip refuses a name or comment of 512 bytes or more
			// (its buffer's size); RFC 1952 sets no limit, and we accept it.
		default:
			require.Error(t, err, "compress/gzip says %v", serr)
		}
	})
}

// longHeaderString reports whether in holds a run of 511 or more non-zero
// bytes after a gzip magic: a name or comment compress/gzip cannot hold.
func longHeaderString(in []byte) bool {
	run := 0
	for i, b := range in {
		if b != 0 {
			if run++; run >= 511 && bytes.Contains(in[:i], []byte{0x1f, 0x8b}) {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}
