package curreader

import (
	"errors"
	"strings"
	"testing"
)

// FuzzManifest feeds arbitrary bytes to both manifest parsers and to the
// resolver's key checks: no panic, and every failure wraps
// ErrMalformedManifest (or, for keys, ErrManifestEscapes).
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"assemblyId":"a","reportKeys":["cur/r/20240301-20240401/a/r-1.csv.gz"],"billingPeriod":{"start":"20240301T000000.000Z","end":"20240401T000000.000Z"},"additionalArtifactKeys":[{"artifactType":"RedshiftCommands","name":"x"}]}`))
	f.Add([]byte(`{"assemblyId":"a","reportKeys":[],"additionalArtifactKeys":["x","y"],"billingPeriod":{"start":"2024-03-01T00:00:00Z"}}`))
	f.Add([]byte(`{"executionId":"e","columns":[{"name":"line_item_unblended_cost","type":"DOUBLE"}],"dataFiles":["s3://billing-bucket/cur/r/data/x.csv.gz",{"key":"cur/r/y","size":3}],"billingPeriod":"2024-03"}`))
	f.Add([]byte(`{"dataFiles":[{"uri":"s3://other/x"}],"billingPeriod":{"start":"20240301T000000Z"}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lm, err := parseLegacyManifest(data)
		if err != nil && !errors.Is(err, ErrMalformedManifest) {
			t.Fatalf("legacy: error does not wrap ErrMalformedManifest: %v", err)
		}
		em, err2 := parseExportManifest(data)
		if err2 != nil && !errors.Is(err2, ErrMalformedManifest) {
			t.Fatalf("export: error does not wrap ErrMalformedManifest: %v", err2)
		}
		r := NewFS(nil, testBucket)
		rep := Report{Name: "r", Root: "cur/r/", Layout: LayoutLegacy}
		check := func(ref string) {
			key, err := r.keyOf(rep, ref)
			if err != nil {
				return
			}
			if !strings.HasPrefix(r.st.canon(key), r.st.canon(rep.Root)) {
				t.Fatalf("key %q accepted outside the root", key)
			}
			for _, seg := range strings.Split(key, "/") {
				if seg == ".." {
					t.Fatalf("key %q accepted with ..", key)
				}
			}
		}
		if err == nil {
			for _, k := range lm.ReportKeys {
				check(k)
			}
		}
		if err2 == nil {
			for _, d := range em.DataFiles {
				check(d.URI)
			}
			_ = exportKind(em.Columns)
		}
		_ = parseExportPeriod(data)
		_, _ = formatOf(string(data), string(data))
	})
}
