package billingconn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/jsonerr"
)

// The SDK's types carry no json tags; these mirrors give them the AWS API's
// (and AWS CLI's) PascalCase JSON shape. encoding/json matches names
// case-insensitively on decode and ignores unknown fields, as the CLI's own
// output may grow.

type reportStatusJSON struct {
	LastDelivery *string `json:"lastDelivery,omitempty"`
	LastStatus   string  `json:"lastStatus,omitempty"`
}

type reportDefinitionJSON struct {
	ReportName               *string           `json:"ReportName,omitempty"`
	TimeUnit                 string            `json:"TimeUnit,omitempty"`
	Format                   string            `json:"Format,omitempty"`
	Compression              string            `json:"Compression,omitempty"`
	AdditionalSchemaElements []string          `json:"AdditionalSchemaElements"`
	S3Bucket                 *string           `json:"S3Bucket,omitempty"`
	S3Prefix                 *string           `json:"S3Prefix,omitempty"`
	S3Region                 string            `json:"S3Region,omitempty"`
	AdditionalArtifacts      []string          `json:"AdditionalArtifacts,omitempty"`
	RefreshClosedReports     *bool             `json:"RefreshClosedReports,omitempty"`
	ReportVersioning         string            `json:"ReportVersioning,omitempty"`
	BillingViewArn           *string           `json:"BillingViewArn,omitempty"`
	ReportStatus             *reportStatusJSON `json:"ReportStatus,omitempty"`
}

type s3OutputConfigurationsJSON struct {
	OutputType  string `json:"OutputType,omitempty"`
	Format      string `json:"Format,omitempty"`
	Compression string `json:"Compression,omitempty"`
	Overwrite   string `json:"Overwrite,omitempty"`
}

type s3DestinationJSON struct {
	S3Bucket               *string                     `json:"S3Bucket,omitempty"`
	S3Prefix               *string                     `json:"S3Prefix,omitempty"`
	S3Region               *string                     `json:"S3Region,omitempty"`
	S3BucketOwner          *string                     `json:"S3BucketOwner,omitempty"`
	S3OutputConfigurations *s3OutputConfigurationsJSON `json:"S3OutputConfigurations,omitempty"`
}

type exportJSON struct {
	Name        *string `json:"Name,omitempty"`
	Description *string `json:"Description,omitempty"`
	ExportArn   *string `json:"ExportArn,omitempty"`
	DataQuery   *struct {
		QueryStatement      *string                      `json:"QueryStatement,omitempty"`
		TableConfigurations map[string]map[string]string `json:"TableConfigurations,omitempty"`
	} `json:"DataQuery,omitempty"`
	DestinationConfigurations *struct {
		S3Destination *s3DestinationJSON `json:"S3Destination,omitempty"`
	} `json:"DestinationConfigurations,omitempty"`
	RefreshCadence *struct {
		Frequency string `json:"Frequency,omitempty"`
	} `json:"RefreshCadence,omitempty"`
}

func strs[T ~string](in []T) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

func enums[T ~string](in []string) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}

func encodeReportDefinition(d *curtypes.ReportDefinition) *reportDefinitionJSON {
	if d == nil {
		return nil
	}
	j := &reportDefinitionJSON{
		ReportName: d.ReportName, TimeUnit: string(d.TimeUnit), Format: string(d.Format),
		Compression: string(d.Compression), AdditionalSchemaElements: strs(d.AdditionalSchemaElements),
		S3Bucket: d.S3Bucket, S3Prefix: d.S3Prefix, S3Region: string(d.S3Region),
		AdditionalArtifacts: strs(d.AdditionalArtifacts), RefreshClosedReports: d.RefreshClosedReports,
		ReportVersioning: string(d.ReportVersioning), BillingViewArn: d.BillingViewArn,
	}
	if j.AdditionalSchemaElements == nil {
		j.AdditionalSchemaElements = []string{} // required by the API, may be empty
	}
	if d.ReportStatus != nil {
		j.ReportStatus = &reportStatusJSON{LastDelivery: d.ReportStatus.LastDelivery, LastStatus: string(d.ReportStatus.LastStatus)}
	}
	return j
}

func (j *reportDefinitionJSON) decode() *curtypes.ReportDefinition {
	d := &curtypes.ReportDefinition{
		ReportName: j.ReportName, TimeUnit: curtypes.TimeUnit(j.TimeUnit), Format: curtypes.ReportFormat(j.Format),
		Compression: curtypes.CompressionFormat(j.Compression), AdditionalSchemaElements: enums[curtypes.SchemaElement](j.AdditionalSchemaElements),
		S3Bucket: j.S3Bucket, S3Prefix: j.S3Prefix, S3Region: curtypes.AWSRegion(j.S3Region),
		AdditionalArtifacts: enums[curtypes.AdditionalArtifact](j.AdditionalArtifacts), RefreshClosedReports: j.RefreshClosedReports,
		ReportVersioning: curtypes.ReportVersioning(j.ReportVersioning), BillingViewArn: j.BillingViewArn,
	}
	if j.ReportStatus != nil {
		d.ReportStatus = &curtypes.ReportStatus{LastDelivery: j.ReportStatus.LastDelivery, LastStatus: curtypes.LastStatus(j.ReportStatus.LastStatus)}
	}
	return d
}

func encodeExport(e *dxtypes.Export) *exportJSON {
	if e == nil {
		return nil
	}
	j := &exportJSON{Name: e.Name, Description: e.Description, ExportArn: e.ExportArn}
	if q := e.DataQuery; q != nil {
		j.DataQuery = &struct {
			QueryStatement      *string                      `json:"QueryStatement,omitempty"`
			TableConfigurations map[string]map[string]string `json:"TableConfigurations,omitempty"`
		}{q.QueryStatement, q.TableConfigurations}
	}
	if dc := e.DestinationConfigurations; dc != nil {
		j.DestinationConfigurations = &struct {
			S3Destination *s3DestinationJSON `json:"S3Destination,omitempty"`
		}{}
		if s := dc.S3Destination; s != nil {
			sj := &s3DestinationJSON{S3Bucket: s.S3Bucket, S3Prefix: s.S3Prefix, S3Region: s.S3Region, S3BucketOwner: s.S3BucketOwner}
			if o := s.S3OutputConfigurations; o != nil {
				sj.S3OutputConfigurations = &s3OutputConfigurationsJSON{
					OutputType: string(o.OutputType), Format: string(o.Format),
					Compression: string(o.Compression), Overwrite: string(o.Overwrite),
				}
			}
			j.DestinationConfigurations.S3Destination = sj
		}
	}
	if rc := e.RefreshCadence; rc != nil {
		j.RefreshCadence = &struct {
			Frequency string `json:"Frequency,omitempty"`
		}{string(rc.Frequency)}
	}
	return j
}

func (j *exportJSON) decode() *dxtypes.Export {
	e := &dxtypes.Export{Name: j.Name, Description: j.Description, ExportArn: j.ExportArn}
	if q := j.DataQuery; q != nil {
		e.DataQuery = &dxtypes.DataQuery{QueryStatement: q.QueryStatement, TableConfigurations: q.TableConfigurations}
	}
	if dc := j.DestinationConfigurations; dc != nil {
		e.DestinationConfigurations = &dxtypes.DestinationConfigurations{}
		if s := dc.S3Destination; s != nil {
			d := &dxtypes.S3Destination{S3Bucket: s.S3Bucket, S3Prefix: s.S3Prefix, S3Region: s.S3Region, S3BucketOwner: s.S3BucketOwner}
			if o := s.S3OutputConfigurations; o != nil {
				d.S3OutputConfigurations = &dxtypes.S3OutputConfigurations{
					OutputType: dxtypes.S3OutputType(o.OutputType), Format: dxtypes.FormatOption(o.Format),
					Compression: dxtypes.CompressionOption(o.Compression), Overwrite: dxtypes.OverwriteOption(o.Overwrite),
				}
			}
			e.DestinationConfigurations.S3Destination = d
		}
	}
	if rc := j.RefreshCadence; rc != nil {
		e.RefreshCadence = &dxtypes.RefreshCadence{Frequency: dxtypes.FrequencyOption(rc.Frequency)}
	}
	return e
}

// Definition is one legacy report definition or one Data Exports export;
// exactly one of the pointers is set.
type Definition struct {
	// ReportDefinition is a legacy Cost and Usage Report definition.
	ReportDefinition *curtypes.ReportDefinition
	// Export is a Data Exports export.
	Export *dxtypes.Export
}

// Name returns the ReportName or the export's Name.
func (d Definition) Name() string {
	switch {
	case d.ReportDefinition != nil:
		return aws.ToString(d.ReportDefinition.ReportName)
	case d.Export != nil:
		return aws.ToString(d.Export.Name)
	}
	return ""
}

// MarshalJSON writes the definition in the AWS CLI's wrapped shape,
// {"ReportDefinition": …} or {"Export": …}, which ParseDefinitions reads back.
func (d Definition) MarshalJSON() ([]byte, error) {
	switch {
	case d.ReportDefinition != nil:
		return json.Marshal(struct {
			ReportDefinition *reportDefinitionJSON `json:"ReportDefinition"`
		}{encodeReportDefinition(d.ReportDefinition)})
	case d.Export != nil:
		return json.Marshal(struct {
			Export *exportJSON `json:"Export"`
		}{encodeExport(d.Export)})
	}
	return []byte("{}"), nil
}

// MaxDefinitionSize bounds ParseDefinitions' input.
const MaxDefinitionSize = 4 << 20

// ParseDefinitions reads report definitions and exports in the AWS API's
// JSON shape, as the AWS CLI prints them:
//
//   - a bare ReportDefinition ({"ReportName": …, "TimeUnit": …});
//   - {"ReportDefinition": {…}} (put/modify-report-definition input);
//   - {"ReportDefinitions": [{…}, …]} (describe-report-definitions output);
//   - a bare Export ({"Name": …, "DataQuery": …});
//   - {"Export": {…}} (get-export output, create/update-export input).
//
// Unknown fields are ignored. Errors wrap curerr.ErrMalformed (a *curerr.FieldError whose
// Err is the *json.SyntaxError or *json.UnmarshalTypeError, if any).
func ParseDefinitions(data []byte) ([]Definition, error) {
	if len(data) > MaxDefinitionSize {
		return nil, fieldErr("definition", "is %d bytes, over the limit of %d", len(data), MaxDefinitionSize)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &curerr.FieldError{Field: "definition", Msg: "is not a JSON object: " + jsonerr.Text(err, ""), Err: err}
	}
	if top == nil {
		return nil, fieldErr("definition", "is null, not a JSON object")
	}
	has := func(keys ...string) (json.RawMessage, bool) {
		for k, v := range top {
			for _, want := range keys {
				if equalFold(k, want) {
					return v, true
				}
			}
		}
		return nil, false
	}
	decodeRD := func(field string, raw json.RawMessage) (Definition, error) {
		var j *reportDefinitionJSON
		if err := strictish(raw, &j); err != nil {
			return Definition{}, &curerr.FieldError{Field: field, Msg: "is not a ReportDefinition: " + jsonerr.Text(err, ""), Err: err}
		}
		if j == nil {
			return Definition{}, fieldErr(field, "is null")
		}
		return Definition{ReportDefinition: j.decode()}, nil
	}
	decodeExport := func(field string, raw json.RawMessage) (Definition, error) {
		var j *exportJSON
		if err := strictish(raw, &j); err != nil {
			return Definition{}, &curerr.FieldError{Field: field, Msg: "is not an Export: " + jsonerr.Text(err, ""), Err: err}
		}
		if j == nil {
			return Definition{}, fieldErr(field, "is null")
		}
		return Definition{Export: j.decode()}, nil
	}
	if raw, ok := has("ReportDefinitions"); ok {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, &curerr.FieldError{Field: "ReportDefinitions", Msg: "is not a list: " + jsonerr.Text(err, ""), Err: err}
		}
		out := make([]Definition, 0, len(list))
		var errs []error
		for i, r := range list {
			d, err := decodeRD(fmt.Sprintf("ReportDefinitions[%d]", i), r)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, d)
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		return out, nil
	}
	if raw, ok := has("ReportDefinition"); ok {
		d, err := decodeRD("ReportDefinition", raw)
		if err != nil {
			return nil, err
		}
		return []Definition{d}, nil
	}
	if raw, ok := has("Export"); ok {
		d, err := decodeExport("Export", raw)
		if err != nil {
			return nil, err
		}
		return []Definition{d}, nil
	}
	if _, ok := has("ReportName", "TimeUnit", "AdditionalSchemaElements", "ReportVersioning"); ok {
		d, err := decodeRD("ReportDefinition", data)
		if err != nil {
			return nil, err
		}
		return []Definition{d}, nil
	}
	if _, ok := has("Name", "DataQuery", "DestinationConfigurations", "RefreshCadence"); ok {
		d, err := decodeExport("Export", data)
		if err != nil {
			return nil, err
		}
		return []Definition{d}, nil
	}
	return nil, fieldErr("definition", "is neither a ReportDefinition nor an Export (no ReportName, ReportDefinition, Name or Export field)")
}

// strictish decodes one value, refusing data after it.
func strictish(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

func equalFold(a, b string) bool { return len(a) == len(b) && bytes.EqualFold([]byte(a), []byte(b)) }
