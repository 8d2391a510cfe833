package billingconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/bcmdataexports/types"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/smithy-go"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// billingAPI stubs the CUR and Data Exports control planes at the HTTP
// layer, answering in their JSON 1.1 shapes so the SDK's own serializers and
// deserializers run.
type billingAPI struct {
	mu       sync.Mutex
	calls    []string // X-Amz-Target operation, in order
	regions  []string // SigV4 credential-scope region of each call
	tokens   []string // NextToken sent with each call
	failOp   string   // answer this operation with failStatus/failCode
	failCode string
}

var scopeRE = regexp.MustCompile(`Credential=[^/]+/[0-9]{8}/([^/]+)/([^/]+)/aws4_request`)

func rdJSON(name, timeUnit, bucket, prefix, region, versioning, format, compression string, artifacts []string, lastStatus string) map[string]any {
	m := map[string]any{
		"ReportName": name, "TimeUnit": timeUnit, "Format": format, "Compression": compression,
		"AdditionalSchemaElements": []string{"RESOURCES"}, "S3Bucket": bucket, "S3Prefix": prefix, "S3Region": region,
		"AdditionalArtifacts": artifacts, "RefreshClosedReports": true, "ReportVersioning": versioning,
	}
	if lastStatus != "" {
		m["ReportStatus"] = map[string]any{"lastDelivery": "20240305T061512Z", "lastStatus": lastStatus}
	}
	return m
}

// Seven legacy definitions (two pages of at most five), four delivering to
// acme-billing/cur.
var legacyPages = [][]map[string]any{{
	rdJSON("other-1", "HOURLY", "other-bucket", "cur", "eu-west-1", "CREATE_NEW_REPORT", "textORcsv", "GZIP", nil, ""),
	rdJSON("acme-daily", "DAILY", "acme-billing", "cur", "eu-west-1", "CREATE_NEW_REPORT", "textORcsv", "GZIP", nil, "ERROR_PERMISSIONS"),
	rdJSON("other-2", "HOURLY", "acme-billing", "elsewhere", "eu-west-1", "CREATE_NEW_REPORT", "textORcsv", "GZIP", nil, ""),
	rdJSON("acme-eco", "HOURLY", "acme-billing", "cur/", "us-east-1", "OVERWRITE_REPORT", "Parquet", "Parquet", []string{"ATHENA"}, "SUCCESS"),
	rdJSON("other-3", "MONTHLY", "finance", "", "us-west-2", "OVERWRITE_REPORT", "textORcsv", "ZIP", nil, ""),
}, {
	rdJSON("acme-cur", "HOURLY", "acme-billing", "cur", "eu-west-1", "CREATE_NEW_REPORT", "textORcsv", "GZIP", nil, "SUCCESS"),
	rdJSON("other-4", "HOURLY", "other-bucket", "x", "eu-west-1", "CREATE_NEW_REPORT", "textORcsv", "GZIP", nil, ""),
}}

const (
	arnCUR2  = "arn:aws:bcm-data-exports:us-east-1:111122223333:export/acme-cur2-aaaa"
	arnFOCUS = "arn:aws:bcm-data-exports:us-east-1:111122223333:export/acme-focus-bbbb"
)

func exportJSONFor(name, arn, table, bucket, prefix string) map[string]any {
	cfg := map[string]any{table: map[string]string{}}
	if table == tableCUR2 {
		cfg[table] = map[string]string{"TIME_GRANULARITY": "HOURLY", "INCLUDE_RESOURCES": "TRUE"}
	}
	return map[string]any{
		"ExportArn": arn, "Name": name,
		"DataQuery": map[string]any{"QueryStatement": "SELECT line_item_resource_id, line_item_unblended_cost FROM " + table, "TableConfigurations": cfg},
		"DestinationConfigurations": map[string]any{"S3Destination": map[string]any{
			"S3Bucket": bucket, "S3Prefix": prefix, "S3Region": "eu-west-1",
			"S3OutputConfigurations": map[string]any{"OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP", "Overwrite": "CREATE_NEW_REPORT"},
		}},
		"RefreshCadence": map[string]any{"Frequency": "SYNCHRONOUS"},
	}
}

func (b *billingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	var body struct {
		NextToken string
		ExportArn string
	}
	raw, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(raw, &body)
	region := ""
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region = m[1] + "/" + m[2]
	}
	b.mu.Lock()
	b.calls = append(b.calls, op)
	b.regions = append(b.regions, region)
	b.tokens = append(b.tokens, body.NextToken)
	fail := b.failOp == op
	b.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "req-"+op)
	if fail {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"%s","message":"User is not authorized to perform %s"}`, b.failCode, op)
		return
	}
	var out any
	switch {
	case target == "AWSOrigamiServiceGatewayService.DescribeReportDefinitions":
		if body.NextToken == "" {
			out = map[string]any{"ReportDefinitions": legacyPages[0], "NextToken": "page-2"}
		} else {
			out = map[string]any{"ReportDefinitions": legacyPages[1]}
		}
	case target == "AWSBillingAndCostManagementDataExports.ListExports":
		// One export per page, to exercise paging here too. ListExports'
		// own ExportStatus is older than GetExport's.
		if body.NextToken == "" {
			out = map[string]any{"Exports": []any{map[string]any{"ExportArn": arnCUR2, "ExportName": "acme-cur2",
				"ExportStatus": map[string]any{"StatusCode": "HEALTHY"}}}, "NextToken": "exports-2"}
		} else {
			out = map[string]any{"Exports": []any{map[string]any{"ExportArn": arnFOCUS, "ExportName": "acme-focus"}}}
		}
	case target == "AWSBillingAndCostManagementDataExports.GetExport":
		switch body.ExportArn {
		case arnCUR2:
			out = map[string]any{"Export": exportJSONFor("acme-cur2", arnCUR2, tableCUR2, "acme-billing", "cur"),
				"ExportStatus": map[string]any{"CreatedAt": "2024-03-01T10:00:00Z", "LastRefreshedAt": "2024-03-05T06:15:00Z", "LastUpdatedAt": "2024-03-01T10:00:00.000Z", "StatusCode": "HEALTHY"}}
		case arnFOCUS:
			out = map[string]any{"Export": exportJSONFor("acme-focus", arnFOCUS, tableFOCUS, "other-bucket", "focus"),
				"ExportStatus": map[string]any{"StatusCode": "UNHEALTHY", "StatusReason": "INSUFFICIENT_PERMISSION"}}
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"ResourceNotFoundException","message":"no such export"}`)
			return
		}
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"UnknownOperationException","message":"%s"}`, target)
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

func newBillingClients(t *testing.T, api *billingAPI) (*cur.Client, *dx.Client) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:      "eu-west-1", // discovery must override this: both APIs live in us-east-1
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
	return cur.NewFromConfig(cfg, func(o *cur.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		dx.NewFromConfig(cfg, func(o *dx.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func acmeConn() Connection {
	return Connection{PayerAccountID: "111122223333", Bucket: "acme-billing", Prefix: "cur"}
}

func names(cs []Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name()
	}
	return out
}

func TestDiscover(t *testing.T) {
	api := &billingAPI{}
	curc, dxc := newBillingClients(t, api)
	cands, err := Discover(t.Context(), curc, dxc, acmeConn(), func(o *DiscoverOptions) { o.Profiles = []*Profile{Optima()} })
	require.NoError(t, err)

	assert.Equal(t, []string{"acme-cur", "acme-cur2", "acme-daily", "acme-eco"}, names(cands))
	for i, c := range cands {
		assert.Equal(t, i+1, c.Rank)
		assert.True(t, c.DeliversHere)
		assert.Equal(t, "acme-billing", c.Bucket)
	}
	assert.Empty(t, cands[0].Findings)
	assert.Equal(t, []Code{CodeKindNotAccepted}, cands[1].Findings.Codes())
	assert.Equal(t, []Code{CodeTimeUnitNotHourly}, cands[2].Findings.Codes())
	assert.False(t, cands[2].Healthy, "lastStatus ERROR_PERMISSIONS")
	assert.Equal(t, "cur/", cands[3].Prefix, "prefix matched without its trailing slash")

	c2 := cands[1]
	assert.Equal(t, curreader.KindCUR2, c2.Kind)
	require.NotNil(t, c2.ExportStatus)
	assert.Equal(t, dxtypes.ExportStatusCodeHealthy, c2.ExportStatus.StatusCode)
	assert.Equal(t, time.Date(2024, 3, 5, 6, 15, 0, 0, time.UTC), c2.ExportStatus.LastRefreshedAt.UTC())
	assert.Equal(t, arnCUR2, aws.ToString(c2.Definition.Export.ExportArn))

	// Every page was read, every call went to us-east-1.
	assert.Equal(t, []string{"DescribeReportDefinitions", "DescribeReportDefinitions", "ListExports", "GetExport", "ListExports", "GetExport"}, api.calls)
	assert.Equal(t, []string{"", "page-2", "", "", "exports-2", ""}, api.tokens)
	assert.Equal(t, []string{"us-east-1/cur", "us-east-1/cur", "us-east-1/bcm-data-exports", "us-east-1/bcm-data-exports",
		"us-east-1/bcm-data-exports", "us-east-1/bcm-data-exports"}, api.regions)
}

func TestDiscoverOptions(t *testing.T) {
	t.Run("all destinations", func(t *testing.T) {
		curc, dxc := newBillingClients(t, &billingAPI{})
		cands, err := Discover(t.Context(), curc, dxc, acmeConn(), func(o *DiscoverOptions) { o.AllDestinations = true })
		require.NoError(t, err)
		require.Len(t, cands, 9)
		var focus *Candidate
		for i := range cands {
			if cands[i].Name() == "acme-focus" {
				focus = &cands[i]
			}
		}
		require.NotNil(t, focus)
		assert.False(t, focus.DeliversHere)
		assert.False(t, focus.Healthy)
		assert.Equal(t, dxtypes.ExecutionStatusReasonInsufficientPermission, focus.ExportStatus.StatusReason)
		assert.Equal(t, curreader.KindFOCUS, focus.Kind)
		// Those delivering here come first.
		assert.True(t, cands[0].DeliversHere)
		assert.False(t, cands[8].DeliversHere)
	})
	t.Run("named report first", func(t *testing.T) {
		curc, _ := newBillingClients(t, &billingAPI{})
		conn := acmeConn()
		conn.ReportName = "acme-eco"
		cands, err := Discover(t.Context(), curc, nil, conn, func(o *DiscoverOptions) { o.Profiles = []*Profile{Optima()} })
		require.NoError(t, err)
		assert.Equal(t, []string{"acme-eco", "acme-cur", "acme-daily"}, names(cands))
		assert.True(t, cands[0].NameMatches)
	})
	t.Run("client options run after the region override", func(t *testing.T) {
		api := &billingAPI{}
		curc, _ := newBillingClients(t, api)
		_, err := Discover(t.Context(), curc, nil, acmeConn(), func(o *DiscoverOptions) {
			o.CUROptions = append(o.CUROptions, func(co *cur.Options) { co.Region = "cn-northwest-1" })
		})
		require.NoError(t, err)
		assert.Equal(t, "cn-northwest-1/cur", api.regions[0])
	})
	t.Run("bad arguments", func(t *testing.T) {
		curc, _ := newBillingClients(t, &billingAPI{})
		_, err := Discover(t.Context(), nil, nil, acmeConn())
		require.ErrorIs(t, err, curerr.ErrMalformed)
		_, err = Discover(t.Context(), curc, nil, Connection{})
		require.ErrorIs(t, err, curerr.ErrMalformed)
		_, err = Discover(t.Context(), curc, nil, acmeConn(), func(o *DiscoverOptions) { o.Profiles = []*Profile{{}} })
		require.ErrorIs(t, err, curerr.ErrMalformed)
	})
}

func TestDiscoverErrors(t *testing.T) {
	for _, tc := range []struct {
		op, code, resource string
		category           error
	}{
		{"DescribeReportDefinitions", "AccessDeniedException", "", curerr.ErrAccessDenied},
		{"ListExports", "ThrottlingException", "", curerr.ErrThrottled},
		{"GetExport", "ResourceNotFoundException", arnCUR2, curerr.ErrNotFound},
	} {
		t.Run(tc.op, func(t *testing.T) {
			curc, dxc := newBillingClients(t, &billingAPI{failOp: tc.op, failCode: tc.code})
			cands, err := Discover(t.Context(), curc, dxc, acmeConn())
			require.Error(t, err)
			assert.Nil(t, cands)
			require.ErrorIs(t, err, tc.category)
			var oe *OpError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.op, oe.Op)
			assert.Equal(t, tc.resource, oe.Resource)
			var ae smithy.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.code, ae.ErrorCode())
			var rid interface{ ServiceRequestID() string }
			require.True(t, errors.As(err, &rid))
			assert.Equal(t, "req-"+tc.op, rid.ServiceRequestID())
			assert.Contains(t, err.Error(), "billingconn: "+tc.op)
		})
	}
	t.Run("canceled", func(t *testing.T) {
		curc, dxc := newBillingClients(t, &billingAPI{})
		ctx, cancel := contextWithCancel(t)
		cancel()
		_, err := Discover(ctx, curc, dxc, acmeConn())
		require.Error(t, err)
		require.ErrorIs(t, err, errCanceled)
	})
}

var errCanceled = context.Canceled

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
