package athena_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
)

const dataBucket = "acme-billing"

// layouts are the delivery streams curtest writes, one of each layout and
// quirk: legacy CUR create-new (restated, incomplete newer assembly,
// Redshift artifacts, unpadded names, UUID assemblies) and overwrite, CSV
// gzip, CSV zip (refused) and Parquet, the Athena integration (status
// table, crawler template) and one still UPDATING, CUR 2.0 overwrite with
// stale and empty chunks and create-new Parquet, FOCUS 1.0 and 1.2.
func layouts() []curtest.Spec {
	return []curtest.Spec{
		{Kind: curtest.LegacyCUR, Name: "legacy-new", Versions: 3, Months: 2, Files: 2, Incomplete: true, Restate: true, Redshift: true, AccessTestObject: true},
		{Kind: curtest.LegacyCUR, Name: "legacy-old", Versions: 2, Files: 2, UnpaddedNumbers: true, UUIDAssemblies: true},
		{Kind: curtest.LegacyCUR, Name: "legacy-over", Versioning: curtest.Overwrite, Versions: 2, Months: 2},
		{Kind: curtest.LegacyCUR, Name: "legacy-zip", Format: curtest.CSVZip, Versions: 2},
		{Kind: curtest.LegacyCUR, Name: "legacy-pq", Format: curtest.Parquet, Versions: 2, Months: 2, SchemaDrift: true},
		{Kind: curtest.LegacyCUR, Name: "athena", Athena: true, Versioning: curtest.Overwrite, Format: curtest.Parquet, Months: 2, Versions: 2},
		{Kind: curtest.LegacyCUR, Name: "athena-busy", Athena: true, AthenaUpdating: true, Versioning: curtest.Overwrite, Format: curtest.Parquet},
		{Kind: curtest.CUR2, Name: "cur2-over", Versioning: curtest.Overwrite, Versions: 3, Files: 4, ShrinkBy: 1, EmptyFiles: 1, Months: 2},
		{Kind: curtest.CUR2, Name: "cur2-new", Format: curtest.Parquet, Versions: 2, Months: 2, Files: 2, Incomplete: true},
		{Kind: curtest.CUR2, Name: "cur2-pq-over", Format: curtest.Parquet, Versioning: curtest.Overwrite, Versions: 2, Files: 3, ShrinkBy: 1},
		{Kind: curtest.FOCUS10, Name: "focus10", Versioning: curtest.Overwrite},
		{Kind: curtest.FOCUS12, Name: "focus12", Format: curtest.Parquet, Versions: 2},
	}
}

// generate writes the layouts under prefix into sink and returns their
// ground truth by report name.
func generate(t *testing.T, sink curtest.Sink, prefix string, specs []curtest.Spec) map[string]*curtest.Result {
	t.Helper()
	out := map[string]*curtest.Result{}
	for i, spec := range specs {
		spec.Prefix, spec.Bucket, spec.Rows = prefix, dataBucket, 6
		if spec.Seed == 0 {
			spec.Seed = uint64(i + 1)
		}
		res, err := curtest.Generate(t.Context(), sink, spec)
		require.NoError(t, err, spec.Name)
		out[spec.Name] = res
	}
	return out
}

// fsResolver serves a MapSink's objects as a local copy of the bucket.
func fsResolver(sink *curtest.MapSink) *curreader.Resolver {
	m := fstest.MapFS{}
	for k, v := range sink.Objects() {
		m[k] = &fstest.MapFile{Data: v, ModTime: time.Unix(1700000000, 0)}
	}
	return curreader.NewFS(m, dataBucket)
}

// symlinkURIs parses a symlink file: one s3:// URI per line, each ending
// in a newline.
func symlinkURIs(t *testing.T, body []byte) []string {
	t.Helper()
	require.True(t, len(body) == 0 || bytes.HasSuffix(body, []byte("\n")), "every line ends in a newline")
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		require.True(t, strings.HasPrefix(sc.Text(), "s3://"+dataBucket+"/"), sc.Text())
		out = append(out, sc.Text())
	}
	return out
}

func keysOf(t *testing.T, uris []string) []string {
	t.Helper()
	out := make([]string, len(uris))
	for i, u := range uris {
		out[i] = strings.TrimPrefix(u, "s3://"+dataBucket+"/")
	}
	return out
}

// readListed reads what Athena would read: every file a symlink lists,
// fetched with get and read as a local file by curreader.OpenFile, and
// returns its rows and the exact sum of the cost column.
func readListed(t *testing.T, get func(key string) []byte, keys []string, costColumn string) (int64, decimal.Decimal) {
	t.Helper()
	dir := t.TempDir()
	var rows int64
	var total decimal.Decimal
	for i, k := range keys {
		p := filepath.Join(dir, fmt.Sprintf("%03d-%s", i, path.Base(k)))
		require.NoError(t, os.WriteFile(p, get(k), 0o644))
		rd, err := curreader.OpenFile(t.Context(), p)
		require.NoError(t, err, k)
		for row, err := range rd.Rows() {
			require.NoError(t, err, k)
			rows++
			v, ok, err := row.Decimal(costColumn)
			require.NoError(t, err)
			if ok {
				total = total.Add(v)
			}
		}
		require.NoError(t, rd.Close())
	}
	return rows, total
}

// readerSum is what the Reader reads of a delivery.
func readerSum(t *testing.T, r *curreader.Resolver, d *curreader.Delivery, costColumn string) (int64, decimal.Decimal) {
	t.Helper()
	rd, err := r.Open(t.Context(), d, func(o *curreader.ReadOptions) { o.Columns = []string{costColumn} })
	require.NoError(t, err)
	defer rd.Close()
	var rows int64
	var total decimal.Decimal
	for row, err := range rd.Rows() {
		require.NoError(t, err)
		rows++
		if v, ok, err := row.Decimal(costColumn); err == nil && ok {
			total = total.Add(v)
		}
	}
	return rows, total
}
