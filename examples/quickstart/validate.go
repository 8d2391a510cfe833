package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/curconnect/curconnect/billingconn"
)

// The customer's two definitions, as the AWS CLI prints them
// (describe-report-definitions / get-export). The legacy report is set up
// as the Flexera Optima guide asks; the CUR 2.0 export is a typical
// console default.
const legacyDefinitionJSON = `{"ReportDefinition": {
  "ReportName": "acme-cur", "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP",
  "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "%s", "S3Prefix": "%s", "S3Region": "us-east-1",
  "AdditionalArtifacts": [], "RefreshClosedReports": true, "ReportVersioning": "CREATE_NEW_REPORT"}}`

const exportDefinitionJSON = `{"Export": {
  "Name": "acme-cur2",
  "DataQuery": {"QueryStatement": "SELECT identity_line_item_id, line_item_usage_account_id, line_item_product_code, line_item_unblended_cost FROM COST_AND_USAGE_REPORT",
    "TableConfigurations": {"COST_AND_USAGE_REPORT": {"TIME_GRANULARITY": "DAILY", "INCLUDE_RESOURCES": "FALSE",
      "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE", "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE"}}},
  "DestinationConfigurations": {"S3Destination": {"S3Bucket": "%s", "S3Prefix": "%s", "S3Region": "us-east-1",
    "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "PARQUET", "Compression": "PARQUET", "Overwrite": "OVERWRITE_REPORT"}}},
  "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}}`

// validation is one definition checked against one profile.
type validation struct {
	Definition string               `json:"definition"`
	Profile    string               `json:"profile"`
	Findings   billingconn.Findings `json:"findings"`
}

func (st *story) validate(ctx context.Context, env *environment) error {
	if !env.embedded {
		return nil // a real account's definitions: examples/validate and verify -profile
	}
	st.section("3. Are the reports set up as each platform needs?")
	var defs []billingconn.Definition
	for _, js := range []string{legacyDefinitionJSON, exportDefinitionJSON} {
		d, err := billingconn.ParseDefinitions([]byte(fmt.Sprintf(js, env.bucket, st.opts.prefix)))
		if err != nil {
			return fmt.Errorf("parse the demo definitions: %w", err)
		}
		defs = append(defs, d...)
	}
	for _, def := range defs {
		for _, prof := range []*billingconn.Profile{billingconn.Optima(), billingconn.Eco()} {
			fs, err := billingconn.Validate(def, prof)
			if err != nil {
				return err
			}
			st.Validation = append(st.Validation, validation{Definition: def.Name(), Profile: prof.Name, Findings: fs})
			verdict := "ready"
			switch {
			case len(fs) == 1:
				verdict = "1 finding"
			case len(fs) > 1:
				verdict = fmt.Sprintf("%d findings", len(fs))
			}
			fmt.Fprintf(st.w, "%-10s for %-7s %s\n", def.Name(), prof.Name+":", verdict)
			var fix *billingconn.Fix
			for i, f := range fs {
				if i == 3 {
					fmt.Fprintf(st.w, "  … and %d more\n", len(fs)-3)
					break
				}
				fmt.Fprintf(st.w, "  %-7s %s (%s)\n", f.Severity, f.Code, f.Field)
				if fix == nil && f.Fix != nil {
					fix = f.Fix
				}
			}
			if fix != nil {
				fmt.Fprintf(st.w, "  fix: %s\n", shorten(fixSummary(fix), 73))
			}
		}
	}
	fmt.Fprintln(st.w, "Optima wants create-new gzip CSV, Eco overwrite Parquet: one report cannot")
	fmt.Fprintln(st.w, "serve both, so each fix is the exact AWS call for that platform's report")
	fmt.Fprintln(st.w, "(-json has every message and the full corrected definitions).")
	return nil
}

// fixSummary says in one line which AWS call fixes the findings.
func fixSummary(f *billingconn.Fix) string {
	var what []string
	if d := f.ReportDefinition(); d != nil {
		what = append(what, fmt.Sprintf("%s %s: %s, %s/%s, %s", f.Action, deref(d.ReportName), d.TimeUnit, d.Format, d.Compression, d.ReportVersioning))
	} else if e := f.Export(); e != nil {
		what = append(what, fmt.Sprintf("%s %s", f.Action, deref(e.Name)))
	} else {
		what = append(what, string(f.Action))
	}
	return strings.Join(what, " ")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
