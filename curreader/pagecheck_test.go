package curreader

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileParquetIsCheap: inputs that make parquet-go allocate what a
// header claims (a footer length of 2 GiB, a page of 149 million values)
// are refused before it does, quickly and with little memory.
func TestHostileParquetIsCheap(t *testing.T) {
	// Found by FuzzParquetFile: a page header claiming 149,000,000 values
	// (3.7 s and 458 MB inside parquet-go before it failed).
	slow, err := os.ReadFile(filepath.Join("testdata", "corrupt-page-header.parquet"))
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"page claims 149M values": slow,
		"footer claims 2 GiB":     []byte("PAR1\x15\x06\x15\x80PAR1"),
		"footer claims 4 GiB":     append(append([]byte("PAR1"), bytes.Repeat([]byte{0}, 100)...), 0xff, 0xff, 0xff, 0xff, 'P', 'A', 'R', '1'),
		"encrypted footer":        []byte("PAR1\x00\x00\x00\x00\x04\x00\x00\x00PARE"),
		"too short":               []byte("PAR1"),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.parquet")
			require.NoError(t, os.WriteFile(p, data, 0o600))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			rd, err := OpenFile(t.Context(), p)
			require.NoError(t, err)
			assert.False(t, rd.Next())
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			var fe *FileError
			require.ErrorAs(t, rd.Err(), &fe)
			assert.ErrorIs(t, rd.Err(), curerr.ErrMalformed)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "allocated %d bytes", after.TotalAlloc-before.TotalAlloc)
			t.Logf("%v: %v", elapsed, rd.Err())
		})
	}
}
