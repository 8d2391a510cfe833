package curreader

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"testing"

	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThriftWeightsCoverFormatStructs keeps thriftStructWeight at least
// the in-memory size of every struct parquet-go decodes from a footer or a
// page header, so that a list of structs is charged no less than it costs.
func TestThriftWeightsCoverFormatStructs(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Array {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || seen[rt] {
			return
		}
		seen[rt] = true
		assert.LessOrEqual(t, int64(rt.Size()), int64(thriftStructWeight), "%v is %d bytes", rt, rt.Size())
		for i := range rt.NumField() {
			walk(rt.Field(i).Type)
		}
	}
	walk(reflect.TypeFor[format.FileMetaData]())
	walk(reflect.TypeFor[format.PageHeader]())
	// The walk must have reached the large ones, or it proves nothing.
	for _, rt := range []reflect.Type{reflect.TypeFor[format.ColumnChunk](), reflect.TypeFor[format.ColumnMetaData](),
		reflect.TypeFor[format.SchemaElement](), reflect.TypeFor[format.Statistics](), reflect.TypeFor[format.RowGroup]()} {
		assert.True(t, seen[rt], "%v not reached", rt)
	}
}

// TestCheckThriftAcceptsRealMetadata: every footer parquet-go writes is
// walked to its exact length, a footer cut short is reported as short,
// and a footer followed by more bytes stops at its end.
func TestCheckThriftAcceptsRealMetadata(t *testing.T) {
	for _, footer := range generatedFooters(t) {
		n, err := checkThrift(footer, maxFooterCost)
		require.NoError(t, err)
		assert.Equal(t, len(footer), n)

		n, err = checkThrift(append(bytes.Clone(footer), 0xde, 0xad), maxFooterCost)
		require.NoError(t, err)
		assert.Equal(t, len(footer), n)

		for _, cut := range []int{0, 1, len(footer) / 2, len(footer) - 1} {
			_, err := checkThrift(footer[:cut], maxFooterCost)
			assert.ErrorIs(t, err, errThriftShort, "cut at %d of %d", cut, len(footer))
		}
		// A cost limit below what the footer needs refuses it.
		_, err = checkThrift(footer, 1024)
		require.Error(t, err)
		assert.NotErrorIs(t, err, errThriftShort)
	}
}

// TestCheckThriftRefuses: sizes the bytes cannot hold, deep nesting and
// unknown types are refused without allocating.
func TestCheckThriftRefuses(t *testing.T) {
	deep := bytes.Repeat([]byte{0x1c}, 100000) // field 1, struct, nested 100,000 deep
	for name, tc := range map[string]struct {
		b     []byte
		short bool
	}{
		"list of 2^31-1 structs": {b: []byte{0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07}, short: true},
		"binary of 2 GiB":        {b: []byte{0x18, 0xff, 0xff, 0xff, 0xff, 0x07}, short: true},
		"map of 2^31-1 entries":  {b: []byte{0x1b, 0xff, 0xff, 0xff, 0xff, 0x07, 0x88}, short: true},
		"list size above int32":  {b: []byte{0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x1f}},
		"varint of 11 bytes":     {b: append([]byte{0x15}, bytes.Repeat([]byte{0xff}, 11)...)},
		"nested 100,000 deep":    {b: deep},
		"unknown type 14":        {b: []byte{0x1e, 0x00}},
		"list of 100,000 structs, 1 byte each": {b: append([]byte{0x19, 0xfc, 0xa0, 0x8d, 0x06},
			make([]byte, 100000)...)},
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 10 {
				_, err := checkThrift(tc.b, 64<<20)
				require.Error(t, err, "accepted")
				require.Equal(t, tc.short, errors.Is(err, errThriftShort), "%v", err)
			}
			runtime.ReadMemStats(&after)
			// Only the error messages: a few hundred bytes each, nothing
			// sized by what the bytes declare.
			got := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, got, uint64(64<<10), "%d bytes allocated by 10 walks", got)
		})
	}
	// 100,000 structs of one byte each is 100 MB decoded: refused at 64 MiB,
	// accepted when the limit allows it.
	b := append([]byte{0x19, 0xfc, 0xa0, 0x8d, 0x06}, make([]byte, 100000)...)
	b = append(b, 0)
	n, err := checkThrift(b, 256<<20)
	require.NoError(t, err)
	assert.Equal(t, len(b), n)
}
