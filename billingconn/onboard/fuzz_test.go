package onboard_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
)

// FuzzAPIInput sends arbitrary bodies to the API's create and definition
// endpoints: every answer is 201/200 or a 400 with field errors, never a
// 500 or a panic, and no external ID the body holds is ever kept.
func FuzzAPIInput(f *testing.F) {
	f.Add([]byte(`{"payerAccountId": "111122223333", "bucket": "acme-billing", "prefix": "cur", "reportName": "acme-cur", "profile": "optima"}`))
	f.Add([]byte(`{"payerAccountId": "111122223333", "bucket": "b", "externalId": "mine"}`))
	f.Add([]byte(`{"ReportDefinitions": [{"ReportName": "acme-cur", "S3Bucket": "acme-billing", "S3Prefix": "cur", "TimeUnit": "DAILY"}]}`))
	f.Add([]byte(`{"Export": {"Name": "acme-cur", "DestinationConfigurations": {"S3Destination": {"S3Bucket": "acme-billing", "S3Prefix": "cur"}}}}`))
	f.Add([]byte(`[1, 2, {"a": null}]`))
	f.Add([]byte("\x00\xff{"))
	store := onboard.NewMemoryStore()
	h, err := onboard.New(func(*http.Request) (string, error) { return "acme", nil }, store, billingconn.Clients{
		NewSTS: func(aws.CredentialsProvider) billingconn.STSAPI { return nil },
		NewS3:  func(aws.CredentialsProvider) billingconn.S3API { return nil },
	}, func(o *onboard.Options) { o.Template.TrustedPrincipal = "451234325714" })
	if err != nil {
		f.Fatal(err)
	}
	c, err := store.Create(f.Context(), onboard.Connection{ID: "c1", Tenant: "acme", Profile: "optima", PayerAccountID: "111122223333",
		Bucket: "acme-billing", Prefix: "cur", ReportName: "acme-cur", ExternalID: "SERVERMADEEXTERNALID000000", State: onboard.StatePending})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{"/api/connections", "/api/connections/" + c.ID + "/definition"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
			switch rec.Code {
			case http.StatusCreated, http.StatusOK:
				var out map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
					t.Fatalf("%s: %d with a body that is not JSON: %s", path, rec.Code, rec.Body)
				}
				if id, _ := out["externalId"].(string); id != "" && len(id) != 26 {
					t.Fatalf("%s: the external ID %q was not made by the server", path, id)
				}
			case http.StatusBadRequest:
				var out struct {
					Errors []struct {
						Field, Message string
					} `json:"errors"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Errors) == 0 {
					t.Fatalf("%s: 400 without field errors: %s", path, rec.Body)
				}
			default:
				t.Fatalf("%s: %d: %s", path, rec.Code, rec.Body)
			}
		}
		list, err := store.List(t.Context(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if len(c.ExternalID) != 26 || strings.Contains(string(body), c.ExternalID) && c.ID != "c1" {
				t.Fatalf("connection %s holds an external ID from the request", c.ID)
			}
		}
	})
}
