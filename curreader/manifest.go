package curreader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// maxManifestBytes bounds the manifests the resolver reads. Real manifests
// of very large reports reach a few megabytes (thousands of columns and
// files); anything far larger is refused as malformed rather than read into
// memory.
const maxManifestBytes = 64 << 20

// Column is one column a manifest declares.
type Column struct {
	// Category is the legacy category ("lineItem", "resourceTags"); empty
	// for Data Exports.
	Category string `json:"category,omitempty"`
	// Name is the column's name within its category (legacy) or its full
	// name (Data Exports).
	Name string `json:"name"`
	// Type is the declared type ("BigDecimal", "string", "map<string,string>"…), if any.
	Type string `json:"type,omitempty"`
}

// FullName returns the name as it appears in a legacy CSV header,
// "category/Name", or Name when there is no category.
func (c Column) FullName() string {
	if c.Category == "" {
		return c.Name
	}
	return c.Category + "/" + c.Name
}

// legacyManifest is a legacy Cost and Usage Report manifest
// (<report>-Manifest.json). Unknown fields are ignored and optional fields
// may be absent.
type legacyManifest struct {
	AssemblyID    string   `json:"assemblyId"`
	Account       string   `json:"account"`
	Columns       []Column `json:"columns"`
	Charset       string   `json:"charset"`
	Compression   string   `json:"compression"`
	ContentType   string   `json:"contentType"`
	ReportID      string   `json:"reportId"`
	ReportName    string   `json:"reportName"`
	Bucket        string   `json:"bucket"`
	ReportKeys    []string `json:"reportKeys"`
	BillingPeriod struct {
		Start time.Time
		End   time.Time
	} `json:"-"`
	// AdditionalArtifactKeys are Redshift/QuickSight artifacts (never data).
	AdditionalArtifactKeys []string `json:"-"`
}

type manifestTime struct{ t time.Time }

var manifestTimeLayouts = []string{"20060102T150405.000Z", "20060102T150405Z", time.RFC3339Nano, "2006-01-02"}

func (m *manifestTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, l := range manifestTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			m.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("time %q is not in a known manifest layout (20060102T150405.000Z or RFC 3339)", s)
}

// parseLegacyManifest reads a legacy CUR manifest. The error wraps
// ErrMalformedManifest.
func parseLegacyManifest(data []byte) (*legacyManifest, error) {
	if len(data) > maxManifestBytes {
		return nil, malformedManifest("%d bytes, over the limit of %d", len(data), maxManifestBytes)
	}
	var raw struct {
		legacyManifest
		BillingPeriod *struct {
			Start *manifestTime `json:"start"`
			End   *manifestTime `json:"end"`
		} `json:"billingPeriod"`
		AdditionalArtifactKeys json.RawMessage `json:"additionalArtifactKeys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, malformedManifest("%w", err)
	}
	m := raw.legacyManifest
	if raw.BillingPeriod != nil {
		if raw.BillingPeriod.Start != nil {
			m.BillingPeriod.Start = raw.BillingPeriod.Start.t
		}
		if raw.BillingPeriod.End != nil {
			m.BillingPeriod.End = raw.BillingPeriod.End.t
		}
	}
	keys, err := parseArtifactKeys(raw.AdditionalArtifactKeys)
	if err != nil {
		return nil, malformedManifest("additionalArtifactKeys: %w", err)
	}
	m.AdditionalArtifactKeys = keys
	for i, k := range m.ReportKeys {
		if k == "" {
			return nil, malformedManifest("reportKeys[%d] is empty", i)
		}
	}
	return &m, nil
}

// parseArtifactKeys accepts absent, null, [], a list of strings, or a list
// of objects with an artifactKey (or key) field.
func parseArtifactKeys(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '"' {
			var s string
			if err := json.Unmarshal(it, &s); err != nil {
				return nil, err
			}
			out = append(out, s)
			continue
		}
		var o struct {
			ArtifactKey string `json:"artifactKey"`
			Key         string `json:"key"`
		}
		if err := json.Unmarshal(it, &o); err != nil {
			return nil, err
		}
		if o.ArtifactKey != "" {
			out = append(out, o.ArtifactKey)
		} else if o.Key != "" {
			out = append(out, o.Key)
		}
	}
	return out, nil
}

// dataFileRef is one entry of a Data Exports manifest's dataFiles: a full
// s3:// URI or a bucket-relative key.
type dataFileRef struct {
	// URI is the entry as written (s3://bucket/key or key).
	URI string
	// Size is the file's size when the manifest gives it, else -1.
	Size int64
}

// exportManifest is a Data Exports manifest (CUR 2.0, FOCUS and other
// tables). Unknown fields are ignored.
type exportManifest struct {
	ExportARN   string   `json:"exportArn"`
	ExecutionID string   `json:"executionId"`
	Columns     []Column `json:"-"`
	DataFiles   []dataFileRef
	// BillingPeriod is the month the manifest names, if it names one.
	BillingPeriod time.Time
	// Format and Compression, when the manifest states them.
	Format, Compression string
}

// parseExportManifest reads a Data Exports manifest. The error wraps
// ErrMalformedManifest.
func parseExportManifest(data []byte) (*exportManifest, error) {
	if len(data) > maxManifestBytes {
		return nil, malformedManifest("%d bytes, over the limit of %d", len(data), maxManifestBytes)
	}
	var raw struct {
		ExportARN     string            `json:"exportArn"`
		ExecutionID   string            `json:"executionId"`
		Columns       []json.RawMessage `json:"columns"`
		DataFiles     []json.RawMessage `json:"dataFiles"`
		BillingPeriod json.RawMessage   `json:"billingPeriod"`
		Format        string            `json:"format"`
		Compression   string            `json:"compression"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, malformedManifest("%w", err)
	}
	m := &exportManifest{ExportARN: raw.ExportARN, ExecutionID: raw.ExecutionID, Format: raw.Format, Compression: raw.Compression}
	for i, c := range raw.Columns {
		var col Column
		if err := json.Unmarshal(c, &col); err != nil {
			var name string
			if json.Unmarshal(c, &name) != nil {
				return nil, malformedManifest("columns[%d]: %w", i, err)
			}
			col.Name = name
		}
		col.Type = strings.ToLower(col.Type)
		m.Columns = append(m.Columns, col)
	}
	for i, d := range raw.DataFiles {
		ref, err := parseDataFile(d)
		if err != nil {
			return nil, malformedManifest("dataFiles[%d]: %w", i, err)
		}
		m.DataFiles = append(m.DataFiles, ref)
	}
	m.BillingPeriod = parseExportPeriod(raw.BillingPeriod)
	return m, nil
}

func parseDataFile(d json.RawMessage) (dataFileRef, error) {
	d = bytes.TrimSpace(d)
	if len(d) > 0 && d[0] == '"' {
		var s string
		if err := json.Unmarshal(d, &s); err != nil {
			return dataFileRef{}, err
		}
		if s == "" {
			return dataFileRef{}, errors.New("empty entry")
		}
		return dataFileRef{URI: s, Size: -1}, nil
	}
	var o struct {
		Key      string `json:"key"`
		URI      string `json:"uri"`
		S3URI    string `json:"s3Uri"`
		Path     string `json:"path"`
		Size     *int64 `json:"size"`
		SizeByte *int64 `json:"sizeInBytes"`
	}
	if err := json.Unmarshal(d, &o); err != nil {
		return dataFileRef{}, err
	}
	ref := dataFileRef{Size: -1}
	for _, v := range []string{o.URI, o.S3URI, o.Key, o.Path} {
		if v != "" {
			ref.URI = v
			break
		}
	}
	if ref.URI == "" {
		return dataFileRef{}, errors.New("object entry has no key or uri")
	}
	if o.Size != nil {
		ref.Size = *o.Size
	} else if o.SizeByte != nil {
		ref.Size = *o.SizeByte
	}
	return ref, nil
}

// parseExportPeriod accepts "2024-03", {"start": …, "end": …} or a time; it
// returns the zero time when it cannot tell (the key path decides then).
func parseExportPeriod(raw json.RawMessage) time.Time {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if t, err := time.Parse("2006-01", s); err == nil {
			return t
		}
		var mt manifestTime
		if mt.UnmarshalJSON(raw) == nil {
			return monthOf(mt.t)
		}
		return time.Time{}
	}
	var o struct {
		Start *manifestTime `json:"start"`
	}
	if json.Unmarshal(raw, &o) == nil && o.Start != nil {
		return monthOf(o.Start.t)
	}
	return time.Time{}
}

func monthOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// manifestErr is a manifest parse error: its text is its own, and it wraps
// ErrMalformedManifest (ManifestError, which names the manifest, says
// "malformed" once).
type manifestErr struct{ err error }

func (e *manifestErr) Error() string   { return e.err.Error() }
func (e *manifestErr) Unwrap() []error { return []error{e.err, ErrMalformedManifest} }

func malformedManifest(format string, args ...any) error {
	return &manifestErr{fmt.Errorf(format, args...)}
}
