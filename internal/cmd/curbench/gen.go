package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/curconnect/curconnect/curreader/decimal"
)

// costColumn is the column the benchmark sums.
const costColumn = "lineItem/UnblendedCost"

// baseColumns are real legacy CUR headers (reference §6); the header is
// padded with product attributes and tags up to the requested width.
var baseColumns = []string{
	"identity/LineItemId", "identity/TimeInterval",
	"bill/InvoiceId", "bill/InvoicingEntity", "bill/BillingEntity", "bill/BillType", "bill/PayerAccountId",
	"bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
	"lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
	"lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone",
	"lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/NormalizationFactor", "lineItem/NormalizedUsageAmount",
	"lineItem/CurrencyCode", "lineItem/UnblendedRate", "lineItem/UnblendedCost", "lineItem/BlendedRate",
	"lineItem/BlendedCost", "lineItem/LineItemDescription", "lineItem/TaxType", "lineItem/LegalEntity",
	"product/ProductName", "product/servicecode", "product/servicename", "product/sku", "product/productFamily",
	"product/region", "product/regionCode", "product/location", "product/locationType", "product/instanceType",
	"product/operatingSystem", "product/vcpu", "product/memory", "product/usagetype", "product/operation",
	"pricing/term", "pricing/unit", "pricing/publicOnDemandCost", "pricing/publicOnDemandRate", "pricing/RateCode",
	"pricing/RateId", "pricing/currency", "pricing/LeaseContractLength", "pricing/OfferingClass", "pricing/PurchaseOption",
	"reservation/ReservationARN", "reservation/EffectiveCost", "reservation/AmortizedUpfrontCostForUsage",
	"reservation/RecurringFeeForUsage", "reservation/UnusedQuantity", "reservation/UnusedRecurringFee",
	"reservation/StartTime", "reservation/EndTime", "reservation/NumberOfReservations", "reservation/SubscriptionId",
	"savingsPlan/SavingsPlanARN", "savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/SavingsPlanRate",
	"savingsPlan/UsedCommitment", "savingsPlan/TotalCommitmentToDate", "savingsPlan/StartTime", "savingsPlan/EndTime",
	"savingsPlan/OfferingType", "savingsPlan/PaymentOption", "savingsPlan/PurchaseTerm", "savingsPlan/Region",
	"discount/TotalDiscount", "discount/BundledDiscount",
	"resourceTags/user:Team", "resourceTags/user:Cost Center", "resourceTags/aws:createdBy",
	"costCategory/Charge type",
}

func header(cols int) []string {
	h := append([]string(nil), baseColumns...)
	for i := 0; len(h) < cols; i++ {
		if i%2 == 0 {
			h = append(h, fmt.Sprintf("product/attribute%02d", i/2))
		} else {
			h = append(h, fmt.Sprintf("resourceTags/user:tag%02d", i/2))
		}
	}
	return h[:max(cols, 30)]
}

var (
	products = []string{"AmazonEC2", "AmazonS3", "AWSDataTransfer", "awskms", "AmazonEKS", "AmazonRDS", "AWSLambda"}
	types    = []string{"Usage", "Usage", "Usage", "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "Tax", "Credit", "Fee"}
	entities = []string{`"Amazon Web Services, Inc."`, "Amazon Web Services EMEA SARL", `"Amazon Web Services Canada, Inc."`}
	descs    = []string{
		`"$0.0116 per On Demand Linux t3.micro Instance Hour"`,
		`"$0.023 per GB - first 50 TB / month of storage used"`,
		`"Tax for product code AmazonEC2, usage type ""BoxUsage"""`,
		"0.00 per GB - EU (Ireland) data transfer from US East (N. Virginia)",
		`"AWS Lambda - Compute Free Tier - 400,000 GB-Seconds - US East (Northern Virginia)"`,
	}
)

const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// generate writes a deterministic legacy-CUR-like gzip CSV and returns the
// exact sum of the cost column and the uncompressed size.
func generate(path string, rows, cols int, seed uint64) (decimal.Decimal, int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return decimal.Decimal{}, 0, err
	}
	defer f.Close()
	fb := bufio.NewWriterSize(f, 1<<20)
	zw, err := gzip.NewWriterLevel(fb, gzip.DefaultCompression)
	if err != nil {
		return decimal.Decimal{}, 0, err
	}
	cw := &countWriter{w: zw}
	w := bufio.NewWriterSize(cw, 1<<20)
	h := header(cols)
	costIdx := -1
	for i, c := range h {
		if i > 0 {
			w.WriteByte(',')
		}
		if c == costColumn {
			costIdx = i
		}
		w.WriteString(csvQuote(c))
	}
	w.WriteByte('\n')
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	// Real reports repeat themselves: the same resources, usage types,
	// rates and tags hour after hour; only the line item ID, the hour and
	// some amounts change. Rows are drawn from templates to get a
	// realistic compression ratio (the real sample in the reference's
	// fixtures compresses about 20:1).
	const templates = 4000
	tmpl := make([][][]byte, templates)
	for t := range tmpl {
		tmpl[t] = make([][]byte, len(h))
		for i, c := range h {
			tmpl[t][i] = cell(nil, c, rng, 1+t%30, t%24)
		}
	}
	var sum decimal.Decimal
	var cost, costBuf, scratch []byte
	for r := range rows {
		// Consecutive rows share a few templates (reports are grouped by
		// account, product and resource), so repeats fall in gzip's window.
		t := tmpl[(r/64+rng.IntN(6))%templates]
		day := 1 + (r/2000)%30
		hour := (r / 100) % 24
		for i, c := range h {
			if i > 0 {
				w.WriteByte(',')
			}
			switch {
			case i == costIdx:
				if rng.IntN(3) == 0 {
					costBuf = randDecimal(rng, costBuf[:0])
					cost = costBuf
				} else {
					cost = t[i]
				}
				d, err := decimal.ParseBytes(cost)
				if err != nil {
					return decimal.Decimal{}, 0, fmt.Errorf("generator made a bad decimal %q: %w", cost, err)
				}
				sum = sum.Add(d)
				w.Write(cost)
			case c == "identity/LineItemId", c == "identity/TimeInterval", c == "lineItem/UsageStartDate",
				c == "lineItem/UsageEndDate", c == "lineItem/UsageAmount" && rng.IntN(4) == 0:
				scratch = cell(scratch[:0], c, rng, day, hour)
				w.Write(scratch)
			default:
				w.Write(t[i])
			}
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return decimal.Decimal{}, 0, err
	}
	if err := zw.Close(); err != nil {
		return decimal.Decimal{}, 0, err
	}
	if err := fb.Flush(); err != nil {
		return decimal.Decimal{}, 0, err
	}
	return sum, cw.n, f.Close()
}

// cell appends a value for column c.
func cell(b []byte, c string, rng *rand.Rand, day, hour int) []byte {
	switch {
	case c == costColumn:
		return randDecimal(rng, b)
	case c == "identity/LineItemId":
		for range 52 {
			b = append(b, b32[rng.IntN(32)])
		}
		return b
	case c == "identity/TimeInterval":
		return fmt.Appendf(b, "2023-11-%02dT%02d:00:00Z/2023-11-%02dT%02d:00:00Z", day, hour, day, hour+1)
	case c == "bill/InvoicingEntity":
		return append(b, entities[rng.IntN(len(entities))]...)
	case c == "bill/BillingEntity":
		return append(b, "AWS"...)
	case c == "bill/BillType":
		return append(b, "Anniversary"...)
	case c == "bill/PayerAccountId", c == "lineItem/UsageAccountId":
		return fmt.Appendf(b, "%012d", 99999999999-int64(rng.IntN(5)))
	case c == "bill/BillingPeriodStartDate":
		return append(b, "2023-11-01T00:00:00.000Z"...)
	case c == "bill/BillingPeriodEndDate":
		return append(b, "2023-12-01T00:00:00.000Z"...)
	case c == "lineItem/UsageStartDate":
		return fmt.Appendf(b, "2023-11-%02dT%02d:00:00.000Z", day, hour)
	case c == "lineItem/UsageEndDate":
		return fmt.Appendf(b, "2023-11-%02dT%02d:59:59.000Z", day, hour)
	case c == "lineItem/LineItemType":
		return append(b, types[rng.IntN(len(types))]...)
	case c == "lineItem/ProductCode", c == "product/servicecode":
		return append(b, products[rng.IntN(len(products))]...)
	case c == "lineItem/UsageType", c == "product/usagetype":
		return fmt.Appendf(b, "USW2-BoxUsage:m5.%dxlarge", 1<<rng.IntN(4))
	case c == "lineItem/Operation", c == "product/operation":
		return append(b, "RunInstances"...)
	case c == "lineItem/AvailabilityZone":
		return append(b, "us-west-2a"...)
	case c == "lineItem/ResourceId":
		return fmt.Appendf(b, "i-%017x", rng.Uint64()>>4)
	case c == "lineItem/CurrencyCode", c == "pricing/currency":
		return append(b, "USD"...)
	case c == "lineItem/LineItemDescription":
		return append(b, descs[rng.IntN(len(descs))]...)
	case c == "lineItem/LegalEntity":
		return append(b, `"Amazon Web Services, Inc."`...)
	case c == "product/location":
		return append(b, `"US West (Oregon)"`...)
	case c == "product/region", c == "product/regionCode":
		return append(b, "us-west-2"...)
	case c == "pricing/term":
		return append(b, "OnDemand"...)
	case c == "pricing/unit":
		return append(b, "Hrs"...)
	case c == "resourceTags/user:Team":
		return fmt.Appendf(b, "team-%d", rng.IntN(12))
	case c == "resourceTags/user:Cost Center":
		return fmt.Appendf(b, "cc%04d", rng.IntN(300))
	case strings.HasPrefix(c, "reservation/"), strings.HasPrefix(c, "savingsPlan/"),
		strings.HasPrefix(c, "discount/"), c == "bill/InvoiceId", c == "lineItem/TaxType":
		// mostly empty, as in real reports
		if rng.IntN(20) == 0 {
			return randDecimal(rng, b)
		}
		return b
	case strings.HasPrefix(c, "lineItem/"), strings.HasPrefix(c, "pricing/"):
		return randDecimal(rng, b)
	}
	switch rng.IntN(6) {
	case 0, 1, 5:
		return b
	case 2:
		return fmt.Appendf(b, "value-%d", rng.IntN(1000))
	case 3:
		return strconv.AppendInt(b, int64(rng.IntN(100000)), 10)
	default:
		return append(b, "Compute Instance"...)
	}
}

// randDecimal appends a cost-like number: fixed 10 decimals, short
// decimals, scientific notation, integers, negatives and zero.
func randDecimal(rng *rand.Rand, b []byte) []byte {
	switch rng.IntN(8) {
	case 0:
		return append(b, "0.0"...)
	case 1, 2:
		b = strconv.AppendInt(b, int64(rng.IntN(3)), 10)
		b = append(b, '.')
		return fmt.Appendf(b, "%010d", rng.Int64N(1e10))
	case 3:
		b = strconv.AppendInt(b, int64(1+rng.IntN(9)), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(rng.IntN(10)), 10)
		b = append(b, "E-"...)
		return strconv.AppendInt(b, int64(1+rng.IntN(9)), 10)
	case 4:
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(rng.IntN(100)), 10)
		b = append(b, '.')
		return strconv.AppendInt(b, int64(rng.IntN(1000)), 10)
	case 5:
		return strconv.AppendInt(b, int64(rng.IntN(1000)), 10)
	default:
		b = strconv.AppendInt(b, int64(rng.IntN(50)), 10)
		b = append(b, '.')
		return strconv.AppendInt(b, int64(rng.IntN(1000000)), 10)
	}
}

func csvQuote(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			return strconv.Quote(s) // not reached for our headers
		}
	}
	return s
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
