package athena

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// partitionsPerStatement bounds the partitions of one ALTER TABLE ADD
// statement, so that a statement stays far below Athena's query length limit.
const partitionsPerStatement = 100

// DDL returns the Athena SQL that creates what Publish creates through the
// Glue API: the database, each table (CREATE EXTERNAL TABLE IF NOT EXISTS,
// symlink input format, the SerDe and properties of its format) and its
// partitions (ALTER TABLE … ADD IF NOT EXISTS PARTITION … LOCATION …).
// Every statement ends in ";" on its own line, and identifiers are quoted
// with backticks.
//
// The statements do not write the symlink files the partitions' locations
// hold: WriteSymlinks (or Publish) does. IF NOT EXISTS leaves an existing
// table's columns as they are: when a plan's columns change, drop the table
// (an external table: dropping it deletes no data) and run them again.
// Partition properties (the delivery version) have no place in Athena's
// ALTER TABLE ADD PARTITION; record what was published with Plan.Commit.
func (p *Plan) DDL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- Athena tables over AWS billing deliveries, exactly as their manifests say.\n")
	fmt.Fprintf(&b, "-- Each partition's LOCATION holds %s, listing the data files of the period's current delivery.\n\n", SymlinkName)
	fmt.Fprintf(&b, "CREATE DATABASE IF NOT EXISTS %s;\n", ident(p.Database))
	for _, t := range p.Tables {
		if len(t.Partitions) == 0 {
			continue
		}
		b.WriteString("\n")
		b.WriteString(t.createTable())
		for i := 0; i < len(t.Partitions); i += partitionsPerStatement {
			b.WriteString("\n")
			b.WriteString(t.addPartitions(t.Partitions[i:min(i+partitionsPerStatement, len(t.Partitions))]))
		}
	}
	return b.String()
}

func (t *Table) qualified() string { return ident(t.Database) + "." + ident(t.Name) }

func (t *Table) createTable() string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s %s %s (%s), s3://%s/%s\n", t.Kind, t.Format, t.Report, strings.Join(t.periods(), ", "), t.Bucket, t.ReportPrefix)
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS %s (\n", t.qualified())
	for i, c := range t.Columns {
		fmt.Fprintf(&b, "  %s %s", ident(c.Name), c.Type)
		if c.Comment != "" {
			fmt.Fprintf(&b, " COMMENT %s", literal(c.Comment))
		}
		if i < len(t.Columns)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, ")\nPARTITIONED BY (%s string)\n", ident(PartitionKey))
	fmt.Fprintf(&b, "ROW FORMAT SERDE %s\n", literal(t.SerDe))
	if len(t.SerDeParameters) > 0 {
		b.WriteString("WITH SERDEPROPERTIES (\n")
		b.WriteString(properties(t.SerDeParameters))
		b.WriteString(")\n")
	}
	fmt.Fprintf(&b, "STORED AS INPUTFORMAT %s\nOUTPUTFORMAT %s\n", literal(t.InputFormat), literal(t.OutputFormat))
	fmt.Fprintf(&b, "LOCATION %s\n", literal(t.Location))
	props := maps.Clone(t.Parameters)
	delete(props, "EXTERNAL") // CREATE EXTERNAL TABLE says it
	b.WriteString("TBLPROPERTIES (\n")
	b.WriteString(properties(props))
	b.WriteString(");\n")
	return b.String()
}

func (t *Table) addPartitions(parts []*Partition) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ALTER TABLE %s ADD IF NOT EXISTS\n", t.qualified())
	for i, p := range parts {
		fmt.Fprintf(&b, "  PARTITION (%s = %s) LOCATION %s", ident(PartitionKey), literal(p.Period), literal(p.Location))
		if i == len(parts)-1 {
			b.WriteString(";")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (t *Table) periods() []string {
	var out []string
	for _, p := range t.Partitions {
		out = append(out, p.Period)
	}
	return out
}

// properties renders key/value pairs, sorted by key, one per line.
func properties(m map[string]string) string {
	var b strings.Builder
	keys := slices.Sorted(maps.Keys(m))
	for i, k := range keys {
		fmt.Fprintf(&b, "  %s = %s", literal(k), literal(m[k]))
		if i < len(keys)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ident quotes an identifier with backticks, doubling any inside.
func ident(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// literal quotes a Hive string literal: a backslash escapes the next
// character, so backslashes and quotes are escaped.
func literal(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`)
	return "'" + r.Replace(s) + "'"
}
