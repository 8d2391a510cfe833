package athena_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/athena"
	"github.com/curconnect/curconnect/curreader/curtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// TestDDLGolden: the statements for a legacy CSV report, a CUR 2.0
// Parquet export and a FOCUS CSV export, byte for byte.
func TestDDLGolden(t *testing.T) {
	sink := curtest.NewMapSink()
	generate(t, sink, "cur", []curtest.Spec{
		{Kind: curtest.LegacyCUR, Name: "acme-cur", Months: 2},
		{Kind: curtest.CUR2, Name: "acme-cur2", Format: curtest.Parquet, Months: 2, Width: curtest.Wide},
		{Kind: curtest.FOCUS10, Name: "acme-focus"},
	})
	p, err := athena.NewPlan(t.Context(), fsResolver(sink), "cur", dest)
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	got := p.DDL()
	golden := filepath.Join("testdata", "ddl.golden.sql")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)

	// One CREATE DATABASE, then per table a CREATE EXTERNAL TABLE and an
	// ALTER TABLE ADD with one PARTITION per period.
	assert.Equal(t, 1, strings.Count(got, "CREATE DATABASE IF NOT EXISTS `billing`;"))
	assert.Equal(t, 3, strings.Count(got, "CREATE EXTERNAL TABLE IF NOT EXISTS `billing`."))
	assert.Equal(t, 3, strings.Count(got, "ALTER TABLE `billing`."))
	assert.Equal(t, 5, strings.Count(got, "PARTITION (`billing_period` = "))
	assert.Equal(t, 7, strings.Count(got, ";\n"))
	assert.Contains(t, got, "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'")
	assert.Contains(t, got, "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'")
	assert.Contains(t, got, "ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'")
	assert.Contains(t, got, "'skip.header.line.count' = '1'")
	assert.Contains(t, got, "'escapeChar' = '\\\\'", "one backslash, escaped in a Hive string literal")
	assert.Contains(t, got, "`discount` map<string,double>")
	assert.Contains(t, got, "PARTITION (`billing_period` = '2024-04') LOCATION 's3://acme-athena/symlinks/billing/acme_cur/billing_period=2024-04/';")
}
