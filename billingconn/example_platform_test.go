package billingconn_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/decimal"
)

// A platform's whole read loop for one stored connection: verify it, then
// read every month AWS delivered or restated since the last run, through the
// customer's role, exactly, and record what was read only once it is
// stored. (Compiled, not run: it needs an AWS account.)
func Example_platform() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx) // the platform's own identity
	if err != nil {
		log.Fatal(err)
	}
	conn := billingconn.Connection{
		PayerAccountID: "111122223333", Bucket: "acme-billing", Prefix: "cur", ReportName: "acme-cur",
		Credentials: billingconn.Credentials{
			RoleARN:    "arn:aws:iam::111122223333:role/curconnect-billing-read",
			ExternalID: os.Getenv("CUSTOMER_EXTERNAL_ID"),
		},
	}
	v, err := billingconn.Verify(ctx, conn, billingconn.NewClients(cfg))
	if err != nil {
		log.Fatal(err)
	}
	if !v.OK() {
		for _, c := range v.Failed() {
			fmt.Println(c.ID, c.Code, c.Remediation) // what the customer should do
		}
		return
	}
	conn.Region = v.BucketRegion

	var state curreader.SyncState // stored with the connection between runs
	if saved, err := os.ReadFile("acme-sync.json"); err == nil {
		if err := json.Unmarshal(saved, &state); err != nil {
			log.Fatal(err)
		}
	}
	r, err := conn.Resolver(cfg) // reads through the role, assumed with the external ID
	if err != nil {
		log.Fatal(err)
	}
	rep, err := r.Find(ctx, conn.Prefix, conn.ReportName)
	if err != nil {
		log.Fatal(err)
	}
	changes, err := r.Changes(ctx, rep, &state)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range changes {
		rd, err := r.Open(ctx, d, func(o *curreader.ReadOptions) {
			o.Columns = []string{"lineItem/UnblendedCost", "lineItem/UsageAccountId"}
		})
		if err != nil {
			log.Fatal(err)
		}
		byAccount := map[string]decimal.Decimal{}
		for row, err := range rd.Rows() {
			if err != nil {
				log.Fatal(err)
			}
			cost, ok, err := row.Decimal("lineItem/UnblendedCost")
			if err != nil {
				log.Fatal(err)
			}
			if account, _ := row.Get("lineItem/UsageAccountId"); ok {
				byAccount[account] = byAccount[account].Add(cost)
			}
		}
		rd.Close()
		fmt.Println(d.Period, byAccount) // replace the month in the platform's store here
		state.Commit(d)
		saved, err := json.Marshal(&state)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile("acme-sync.json", saved, 0o600); err != nil {
			log.Fatal(err)
		}
	}
}
