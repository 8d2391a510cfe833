package billingconn_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader/curerr"
)

func ExampleValidate() {
	def := curtypes.ReportDefinition{
		ReportName: aws.String("acme-cur"), TimeUnit: curtypes.TimeUnitHourly,
		Format: curtypes.ReportFormatCsv, Compression: curtypes.CompressionFormatZip,
		AdditionalSchemaElements: []curtypes.SchemaElement{curtypes.SchemaElementResources},
		S3Bucket:                 aws.String("acme-billing"), S3Prefix: aws.String("cur"), S3Region: curtypes.AWSRegionIreland,
		RefreshClosedReports: aws.Bool(false), ReportVersioning: curtypes.ReportVersioningCreateNewReport,
	}
	findings, err := billingconn.Validate(billingconn.Definition{ReportDefinition: &def}, billingconn.Optima())
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range findings {
		fmt.Printf("%s %s %s: %s\n", f.Severity, f.Code, f.Field, f.Message)
	}
	fix := findings[0].Fix
	fmt.Println(fix.Action, aws.ToString(fix.ModifyReportDefinition.ReportName),
		fix.ReportDefinition().Compression, aws.ToBool(fix.ReportDefinition().RefreshClosedReports))
	// Output:
	// error REFRESH_CLOSED_REPORTS_OFF RefreshClosedReports: optima needs RefreshClosedReports true (closed months change when late credits, refunds and fees arrive)
	// error COMPRESSION_NOT_GZIP Compression: optima needs Compression GZIP, not "ZIP"
	// ModifyReportDefinition acme-cur GZIP true
}

func ExampleParseDefinitions() {
	// As printed by: aws cur describe-report-definitions
	out := `{"ReportDefinitions": [{
		"ReportName": "acme-cur", "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "GZIP",
		"AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "acme-billing", "S3Prefix": "cur",
		"S3Region": "us-east-1", "RefreshClosedReports": true, "ReportVersioning": "CREATE_NEW_REPORT"}]}`
	defs, err := billingconn.ParseDefinitions([]byte(out))
	if err != nil {
		log.Fatal(err)
	}
	findings, err := billingconn.Validate(defs[0], billingconn.Optima())
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range findings {
		fmt.Println(f.Code, f.Fix.Action, aws.ToString(f.Fix.ReportDefinition().ReportName))
		fmt.Println(f.Fix.Note)
	}
	// Output:
	// TIME_UNIT_NOT_HOURLY PutReportDefinition acme-cur-optima
	// AWS cannot change TimeUnit of an existing report: create this one, and delete "acme-cur" once it has delivered
}

func ExampleValidate_conflictingProfiles() {
	def := curtypes.ReportDefinition{
		ReportName: aws.String("acme-cur"), TimeUnit: curtypes.TimeUnitHourly,
		Format: curtypes.ReportFormatCsv, Compression: curtypes.CompressionFormatGzip,
		AdditionalSchemaElements: []curtypes.SchemaElement{curtypes.SchemaElementResources},
		S3Bucket:                 aws.String("acme-billing"), S3Prefix: aws.String("cur"), S3Region: curtypes.AWSRegionUsStandard,
		RefreshClosedReports: aws.Bool(true), ReportVersioning: curtypes.ReportVersioningCreateNewReport,
	}
	findings, err := billingconn.Validate(billingconn.Definition{ReportDefinition: &def}, billingconn.Optima(), billingconn.Eco())
	if err != nil {
		log.Fatal(err)
	}
	f := findings[0]
	fmt.Println(f.Code, f.Field)
	fmt.Println(f.Message)
	second, _ := json.MarshalIndent(f.Fix.PutReportDefinition.ReportDefinition.AdditionalArtifacts, "", "")
	fmt.Println(f.Fix.Action, aws.ToString(f.Fix.ReportDefinition().ReportName), strings.ReplaceAll(string(second), "\n", ""))
	// Output:
	// PROFILES_CONFLICT ReportVersioning
	// "acme-cur" cannot serve both optima and eco (versioning CREATE_NEW_REPORT vs OVERWRITE_REPORT; format csv vs parquet; compression gzip vs parquet); keep it for optima and create a second report for eco
	// PutReportDefinition acme-cur-eco ["ATHENA"]
}

func ExampleParseProfile() {
	p, err := billingconn.ParseProfile([]byte(`{"name": "opencost", "timeUnit": "DAILY", "versioning": "OVERWRITE_REPORT", "compression": "GZIP"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, p.TimeUnit, p.Versioning, p.Compression)

	_, err = billingconn.ParseProfile([]byte(`{"name": "x", "timeUnit": "WEEKLY", "format": "PARQUET", "compression": "GZIP"}`))
	var fe *curerr.FieldError
	fmt.Println(errors.Is(err, curerr.ErrMalformed), errors.As(err, &fe), fe.Field)
	fmt.Println(err)
	// Output:
	// opencost DAILY OVERWRITE_REPORT gzip
	// true true timeUnit
	// timeUnit: "WEEKLY" is not one of HOURLY, DAILY, MONTHLY
	// compression: gzip cannot go with format parquet (Parquet files use Parquet compression)
}

func ExampleConnection_Validate() {
	conn := billingconn.Connection{
		PayerAccountID: "111122223333",
		Bucket:         "acme-billing",
		Prefix:         "cur",
		Credentials: billingconn.Credentials{
			AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
			SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		},
	}
	fmt.Println(conn.Validate())
	fmt.Printf("%+v\n", conn)

	conn.Credentials = billingconn.Credentials{RoleARN: "arn:aws:iam::111122223333:user/bob"}
	fmt.Println(conn.Validate())
	// Output:
	// <nil>
	// {PayerAccountID=111122223333 Bucket=acme-billing Prefix="cur" ReportName="" Credentials={AccessKeyID=AKIA…MPLE SecretAccessKey=REDACTED}}
	// Credentials.RoleARN: "arn:aws:iam::111122223333:user/bob" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)
	// Credentials.ExternalID: is empty
}

// Discover needs AWS credentials, so this example is compiled, not run.
func ExampleDiscover() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	conn := billingconn.Connection{PayerAccountID: "111122223333", Bucket: "acme-billing", Prefix: "cur"}
	cands, err := billingconn.Discover(ctx, cur.NewFromConfig(cfg), dx.NewFromConfig(cfg), conn,
		func(o *billingconn.DiscoverOptions) { o.Profiles = []*billingconn.Profile{billingconn.Optima()} })
	if errors.Is(err, curerr.ErrAccessDenied) {
		log.Fatal("the role needs cur:DescribeReportDefinitions and bcm-data-exports:ListExports/GetExport: ", err)
	}
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range cands {
		fmt.Println(c.Rank, c.Kind, c.Name(), c.Healthy, len(c.Findings))
	}
}
