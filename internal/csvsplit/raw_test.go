package csvsplit

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRawMatchesFields: Raw's record bytes and bounds give exactly the
// fields Field does, quoted and unquoted, through both sources.
func TestRawMatchesFields(t *testing.T) {
	in := "a,\"b,\"\"c\"\"\",,\"multi\r\nline\"\n1,2,3,4\n\"\",x,\"y\"\"\",\n"
	for _, src := range []func() io.Reader{
		func() io.Reader { return strings.NewReader(in) },
		func() io.Reader { return NewPipe(strings.NewReader(in), &PipeOptions{ChunkSize: 7}) },
	} {
		r := NewReader(src(), nil)
		n := 0
		for {
			err := r.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			rec, bounds := r.Raw()
			require.Len(t, bounds, r.NumField())
			for i, v := range bounds {
				assert.Equal(t, string(r.Field(i)), string(rec[uint32(v):v>>32]), "record %d field %d", n, i)
			}
			n++
		}
		assert.Equal(t, 3, n)
	}
	rec, bounds := NewReader(strings.NewReader(""), nil).Raw()
	assert.Nil(t, rec)
	assert.Nil(t, bounds)
}
