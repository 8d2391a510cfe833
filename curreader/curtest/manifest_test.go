package curtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The documented manifest fields (reference §3 and §4.4), declared here
// apart from the generator's own types. Decoding uses DisallowUnknownFields,
// so an undocumented field fails the test.

type wantLegacyManifest struct {
	AssemblyID string `json:"assemblyId"`
	Account    string `json:"account"`
	Columns    []struct {
		Category string `json:"category"`
		Name     string `json:"name"`
		Type     string `json:"type"`
	} `json:"columns"`
	Charset       string `json:"charset"`
	Compression   string `json:"compression"`
	ContentType   string `json:"contentType"`
	ReportID      string `json:"reportId"`
	ReportName    string `json:"reportName"`
	BillingPeriod struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"billingPeriod"`
	Bucket                 string   `json:"bucket"`
	ReportKeys             []string `json:"reportKeys"`
	AdditionalArtifactKeys []struct {
		ArtifactType string `json:"artifactType"`
		Name         string `json:"name"`
	} `json:"additionalArtifactKeys"`
}

type wantExportManifest struct {
	ExportARN     string `json:"exportArn"`
	ExecutionID   string `json:"executionId"`
	BillingPeriod struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"billingPeriod"`
	Columns []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"columns"`
	DataFiles []string `json:"dataFiles"`
}

func decodeStrict(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v))
}

func TestLegacyManifest(t *testing.T) {
	cases := []struct {
		spec                     Spec
		compression, contentType string
	}{
		{Spec{Kind: LegacyCUR, Name: "r", Prefix: "cur", Versions: 2, Files: 2, Redshift: true, Rows: 3, Account: "012345678901"}, "GZIP", "text/csv"},
		{Spec{Kind: LegacyCUR, Name: "z", Format: CSVZip, Versioning: Overwrite, Rows: 3}, "ZIP", "text/csv"},
		{Spec{Kind: LegacyCUR, Name: "a", Prefix: "p", Format: Parquet, Athena: true, Versioning: Overwrite, Rows: 3}, "Parquet", "Parquet"},
	}
	for _, tc := range cases {
		t.Run(tc.spec.Name, func(t *testing.T) {
			sink := NewMapSink()
			res, err := Generate(t.Context(), sink, tc.spec)
			require.NoError(t, err)
			for _, d := range res.Deliveries {
				var m wantLegacyManifest
				decodeStrict(t, mustGet(t, sink, d.ManifestKey), &m)
				assert.Equal(t, d.Version, m.AssemblyID)
				assert.Equal(t, res.Spec.Account, m.Account)
				assert.Equal(t, "UTF-8", m.Charset)
				assert.Equal(t, tc.compression, m.Compression)
				assert.Equal(t, tc.contentType, m.ContentType)
				assert.Regexp(t, `^[0-9a-f]{64}$`, m.ReportID)
				assert.Equal(t, tc.spec.Name, m.ReportName)
				assert.Equal(t, "20240301T000000.000Z", m.BillingPeriod.Start)
				assert.Equal(t, "20240401T000000.000Z", m.BillingPeriod.End)
				assert.Equal(t, DefaultBucket, m.Bucket)
				assert.Equal(t, d.DataKeys, m.ReportKeys, "reportKeys are bucket-relative keys")
				require.Len(t, m.Columns, len(d.Columns))
				for i, c := range m.Columns {
					if tc.spec.Format == Parquet {
						assert.Equal(t, d.Columns[i], c.Name)
						assert.Contains(t, []string{"STRING", "DOUBLE", "TIMESTAMP"}, c.Type)
					} else {
						assert.Equal(t, d.Columns[i], c.Category+"/"+c.Name, "header = category/name")
						assert.Contains(t, []string{"String", "OptionalString", "Interval", "DateTime", "BigDecimal", "OptionalBigDecimal"}, c.Type)
					}
				}
				if tc.spec.Redshift {
					require.Len(t, m.AdditionalArtifactKeys, 2)
					assert.Equal(t, "RedshiftCommands", m.AdditionalArtifactKeys[0].ArtifactType)
					assert.Equal(t, "RedshiftManifest", m.AdditionalArtifactKeys[1].ArtifactType)
					for _, a := range m.AdditionalArtifactKeys {
						assert.Contains(t, res.Keys, a.Name)
					}
					var rm struct {
						Entries []struct {
							URL       string `json:"url"`
							Mandatory bool   `json:"mandatory"`
						} `json:"entries"`
					}
					decodeStrict(t, mustGet(t, sink, m.AdditionalArtifactKeys[1].Name), &rm)
					require.Len(t, rm.Entries, len(d.DataKeys))
					assert.Equal(t, "s3://"+DefaultBucket+"/"+d.DataKeys[0], rm.Entries[0].URL)
				} else {
					assert.NotNil(t, m.AdditionalArtifactKeys, `"additionalArtifactKeys": [] rather than null`)
					assert.Empty(t, m.AdditionalArtifactKeys)
				}
				if d.Current {
					assert.Equal(t, mustGet(t, sink, d.ManifestKey), mustGet(t, sink, d.TopManifestKey), "the top-level manifest is a copy of the newest")
				}
			}
		})
	}
}

func TestExportManifest(t *testing.T) {
	for _, spec := range []Spec{
		{Kind: CUR2, Name: "c2", Prefix: "exports/", Versions: 2, Files: 2, Rows: 3, Start: "2024-12"},
		{Kind: CUR2, Name: "c2w", Width: Wide, Format: Parquet, Versioning: Overwrite, Rows: 3, Start: "2024-12"},
		{Kind: FOCUS10, Name: "f10", Rows: 3, Start: "2024-12"},
		{Kind: FOCUS12, Name: "f12", Format: Parquet, Rows: 3, Start: "2024-12"},
	} {
		t.Run(spec.Name, func(t *testing.T) {
			sink := NewMapSink()
			res, err := Generate(t.Context(), sink, spec)
			require.NoError(t, err)
			for _, d := range res.Deliveries {
				var m wantExportManifest
				decodeStrict(t, mustGet(t, sink, d.ManifestKey), &m)
				assert.Regexp(t, `^arn:aws:bcm-data-exports:us-east-1:111122223333:export/`+spec.Name+`-[0-9a-f-]{36}$`, m.ExportARN)
				assert.Equal(t, d.Version, m.ExecutionID)
				assert.Equal(t, "2024-12-01T00:00:00.000Z", m.BillingPeriod.Start)
				assert.Equal(t, "2025-01-01T00:00:00.000Z", m.BillingPeriod.End)
				var files []string
				for _, k := range d.DataKeys {
					files = append(files, "s3://"+DefaultBucket+"/"+k)
				}
				assert.Equal(t, files, m.DataFiles, "dataFiles are full s3:// URIs")
				require.Len(t, m.Columns, len(d.Columns))
				types := map[string]string{}
				for i, c := range m.Columns {
					assert.Equal(t, d.Columns[i], c.Name)
					assert.Contains(t, []string{"string", "double", "timestamp", "map"}, c.Type, "lower-case types")
					types[c.Name] = c.Type
				}
				assert.Contains(t, d.TopManifestKey, "/metadata/BILLING_PERIOD=2024-12/"+spec.Name+"-Manifest.json")
				if spec.Kind == CUR2 {
					assert.Equal(t, "double", types["line_item_unblended_cost"])
					assert.Equal(t, "timestamp", types["line_item_usage_start_date"])
					assert.Equal(t, "map", types["resource_tags"])
					assert.Equal(t, "string", types["line_item_unblended_rate"])
				} else {
					assert.Equal(t, "double", types["BilledCost"])
					assert.Equal(t, "timestamp", types["ChargePeriodStart"])
					assert.Equal(t, "map", types["Tags"])
					_, has12 := types["BillingAccountType"]
					assert.Equal(t, spec.Kind == FOCUS12, has12)
				}
				for _, k := range d.DataKeys {
					assert.True(t, strings.HasPrefix(k, res.Root+"/data/BILLING_PERIOD=2024-12/"), k)
				}
			}
		})
	}
}

// TestManifestsWrittenAfterData checks the order of PUTs: every data file
// of a delivery before its manifests.
func TestManifestsWrittenAfterData(t *testing.T) {
	rec := &recordingSink{MapSink: NewMapSink()}
	res, err := Generate(t.Context(), rec, Spec{Kind: CUR2, Name: "e", Versions: 2, Files: 3, Rows: 2})
	require.NoError(t, err)
	pos := map[string]int{}
	for i, k := range rec.order {
		pos[k] = i
	}
	for _, d := range res.Deliveries {
		for _, k := range d.DataKeys {
			assert.Less(t, pos[k], pos[d.ManifestKey], "%s before %s", k, d.ManifestKey)
		}
		assert.LessOrEqual(t, pos[d.ManifestKey], rec.lastPut(d.TopManifestKey))
	}
}

type recordingSink struct {
	*MapSink
	order []string
}

func (r *recordingSink) Put(ctx context.Context, key string, write func(io.Writer) error) error {
	r.order = append(r.order, key)
	return r.MapSink.Put(ctx, key, write)
}

func (r *recordingSink) lastPut(key string) int {
	n := -1
	for i, k := range r.order {
		if k == key {
			n = i
		}
	}
	return n
}
