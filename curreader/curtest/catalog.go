package curtest

import (
	"math/bits"
	"math/rand/v2"
	"strings"
	"time"
)

// region is an AWS region as billing data names it.
type region struct {
	code, usagePrefix, location string
}

var regions = []region{
	{"us-east-1", "", "US East (N. Virginia)"}, // us-east-1 usage types have no prefix
	{"us-west-2", "USW2-", "US West (Oregon)"},
	{"eu-west-1", "EU-", "EU (Ireland)"},
	{"ca-central-1", "CAN1-", "Canada (Central)"},
	{"ap-northeast-2", "APN2-", "Asia Pacific (Seoul)"},
}

// product is one priced usage in the catalog. Rates and amounts are units
// of 1e-10.
type product struct {
	code, name, serviceName, family, category string
	usageType, operation, unit                string
	rate                                      int64
	desc                                      string // the rate description; %s is the location
	maxUsage                                  int64  // upper bound of one line item's usage, units
	hourly                                    bool   // usage by the hour (instances): usage 1.0 per hour
	zonal                                     bool   // has an availability zone
	resource                                  func(r *rand.Rand, reg region) string
	attrs                                     map[string]string
	reserved, savingsPlan                     bool // can be covered by an RI / a Savings Plan
	weight                                    int
}

const unit = int64(1e10) // one whole unit (1.0) in 1e-10 units

var catalog = []product{
	{code: "AmazonEC2", name: "Amazon Elastic Compute Cloud", serviceName: "Amazon Elastic Compute Cloud", family: "Compute Instance", category: "Compute",
		usageType: "BoxUsage:m5.large", operation: "RunInstances", unit: "Hrs", rate: 960000000,
		desc: "$0.096 per On Demand Linux m5.large Instance Hour", hourly: true, zonal: true, resource: ec2ID,
		attrs:    map[string]string{"instanceType": "m5.large", "instanceFamily": "General purpose", "operatingSystem": "Linux", "tenancy": "Shared", "vcpu": "2", "memory": "8 GiB", "physicalProcessor": "Intel Xeon Platinum 8175", "licenseModel": "No License required", "capacitystatus": "Used", "currentGeneration": "Yes", "ecu": "10", "networkPerformance": "Up to 10 Gigabit", "preInstalledSw": "NA", "processorArchitecture": "64-bit", "storage": "EBS only", "normalizationSizeFactor": "4"},
		reserved: true, savingsPlan: true, weight: 18},
	{code: "AmazonEC2", name: "Amazon Elastic Compute Cloud", serviceName: "Amazon Elastic Compute Cloud", family: "Storage", category: "Storage",
		usageType: "EBS:VolumeUsage.gp3", operation: "CreateVolume-Gp3", unit: "GB-Mo", rate: 800000000,
		desc: "$0.08 per GB-month of General Purpose (gp3) provisioned storage - %s", maxUsage: 40 * unit, zonal: true, resource: volID,
		attrs:  map[string]string{"volumeApiName": "gp3", "volumeType": "General Purpose", "storageMedia": "SSD-backed", "maxIopsvolume": "16000", "maxThroughputvolume": "1000 MiB/s"},
		weight: 10},
	{code: "AmazonS3", name: "Amazon Simple Storage Service", serviceName: "Amazon Simple Storage Service", family: "Storage", category: "Storage",
		usageType: "TimedStorage-ByteHrs", operation: "StandardStorage", unit: "GB-Mo", rate: 230000000,
		desc: "$0.023 per GB - first 50 TB / month of storage used", maxUsage: 500 * unit, resource: bucketName,
		attrs:  map[string]string{"storageClass": "General Purpose", "volumeType": "Standard", "durability": "99.999999999%", "availability": "99.99%", "storageMedia": "Amazon S3"},
		weight: 10},
	{code: "AmazonS3", name: "Amazon Simple Storage Service", serviceName: "Amazon Simple Storage Service", family: "API Request", category: "Storage",
		usageType: "Requests-Tier1", operation: "PutObject", unit: "Requests", rate: 50000,
		desc: "$0.005 per 1,000 PUT, COPY, POST, or LIST requests", maxUsage: 20000 * unit, resource: bucketName,
		attrs:  map[string]string{"group": "S3-API-Tier1", "groupDescription": "PUT/COPY/POST or LIST requests"},
		weight: 8},
	{code: "AWSDataTransfer", name: "AWS Data Transfer", serviceName: "AWS Data Transfer", family: "Data Transfer", category: "Networking",
		usageType: "DataTransfer-Out-Bytes", operation: "PublicIP-Out", unit: "GB", rate: 900000000,
		desc: "$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier", maxUsage: 50 * unit, resource: ec2ID,
		attrs:  map[string]string{"fromLocation": "%s", "fromLocationType": "AWS Region", "toLocation": "External", "toLocationType": "Other", "transferType": "AWS Outbound"},
		weight: 8},
	{code: "AWSDataTransfer", name: "AWS Data Transfer", serviceName: "AWS Data Transfer", family: "Data Transfer", category: "Networking",
		usageType: "DataTransfer-Out-Bytes", operation: "", unit: "GB", rate: 0,
		desc: "$0.000 per GB - data transfer out under the monthly global free tier", maxUsage: 2 * unit,
		attrs:  map[string]string{"fromLocation": "%s", "fromLocationType": "AWS Region", "toLocation": "External", "toLocationType": "Other", "transferType": "AWS Outbound"},
		weight: 4},
	{code: "awskms", name: "AWS Key Management Service", serviceName: "AWS Key Management Service", family: "API Request", category: "Security",
		usageType: "KMS-Requests", operation: "GenerateDataKey", unit: "Requests", rate: 30000,
		desc: "$0.03 per 10,000 requests", maxUsage: 5000 * unit, resource: kmsARN,
		attrs:  map[string]string{"group": "KMS-Requests", "groupDescription": "All AWS KMS API requests"},
		weight: 5},
	{code: "AmazonEKS", name: "Amazon Elastic Container Service for Kubernetes", serviceName: "Amazon Elastic Container Service for Kubernetes", family: "Compute", category: "Containers",
		usageType: "AmazonEKS-Hours:perCluster", operation: "CreateOperation", unit: "Hours", rate: 1000000000,
		desc: "Amazon EKS cluster usage in %s", hourly: true, resource: eksARN,
		attrs:  map[string]string{"tiertype": "HAStandard"},
		weight: 5},
	{code: "AWSLambda", name: "AWS Lambda", serviceName: "AWS Lambda", family: "Serverless", category: "Compute",
		usageType: "Lambda-GB-Second", operation: "Invoke", unit: "Lambda-GB-Second", rate: 166667,
		desc: "AWS Lambda - Total Compute - %s", maxUsage: 3600 * unit, resource: lambdaARN,
		attrs:       map[string]string{"group": "AWS-Lambda-Duration"},
		savingsPlan: true, weight: 6},
	{code: "AmazonRDS", name: "Amazon Relational Database Service", serviceName: "Amazon Relational Database Service", family: "Database Instance", category: "Databases",
		usageType: "InstanceUsage:db.t3.medium", operation: "CreateDBInstance:0002", unit: "Hrs", rate: 680000000,
		desc: "$0.068 per RDS db.t3.medium instance hour (or partial hour) running MySQL", hourly: true, zonal: true, resource: rdsARN,
		attrs:    map[string]string{"instanceType": "db.t3.medium", "databaseEngine": "MySQL", "deploymentOption": "Single-AZ", "vcpu": "2", "memory": "4 GiB"},
		reserved: true, weight: 6},
	{code: "AmazonCloudWatch", name: "AmazonCloudWatch", serviceName: "AmazonCloudWatch", family: "Metric", category: "Management and Governance",
		usageType: "CW:MetricMonitorUsage", operation: "MetricStorage", unit: "Metrics", rate: 3000000000,
		desc: "$0.30 per metric-month - first 10,000 metrics - %s", maxUsage: 2 * unit,
		attrs:  map[string]string{"group": "Metric"},
		weight: 4},
	{code: "AWSGlue", name: "AWS Glue", serviceName: "AWS Glue", family: "AWS Glue", category: "Analytics",
		usageType: "Catalog-Request", operation: "Request", unit: "Request", rate: 10000,
		desc: "$1.00 per million requests above 1M free tier", maxUsage: 900 * unit,
		attrs:  map[string]string{"group": "Data catalog requests"},
		weight: 3},
	{code: "AWSQueueService", name: "Amazon Simple Queue Service", serviceName: "Amazon Simple Queue Service", family: "API Request", category: "Application Integration",
		usageType: "Requests-RBP", operation: "SendMessage", unit: "Requests", rate: 4000,
		desc: "$0.40 per 1,000,000 Amazon SQS Requests per month thereafter", maxUsage: 100000 * unit, resource: sqsURL,
		attrs:  map[string]string{"queueType": "Standard", "messageDeliveryFrequency": "At Least Once", "messageDeliveryOrder": "Not Guaranteed"},
		weight: 3},
}

// support is the product of Fee line items (a monthly support plan).
var support = product{code: "AWSSupportBusiness", name: "AWS Support (Business)", serviceName: "AWS Support (Business)", family: "", category: "Support",
	usageType: "Dollar", operation: "", unit: "", weight: 0}

var catalogWeight = func() int {
	n := 0
	for _, p := range catalog {
		n += p.weight
	}
	return n
}()

// account is a usage (linked) account. Some IDs start with zeros, which
// readers must keep as strings.
type account struct{ id, name string }

func usageAccounts(payer string) []account {
	return []account{
		{payer, "management"},
		{"012345678901", "prod-workloads"},
		{"210987654321", "data-platform"},
		{"000987654321", "sandbox"},
	}
}

// Line item types with their weights, for non-tax rows.
var lineTypes = []struct {
	name   string
	weight int
}{
	{"Usage", 80},
	{"DiscountedUsage", 5},
	{"SavingsPlanCoveredUsage", 5},
	{"SavingsPlanNegation", 2},
	{"Credit", 3},
	{"Fee", 1},
	{"RIFee", 1},
	{"Refund", 1},
	{"Tax", 6},
}

var (
	teams        = []string{"platform", "data", "web", "", "Platform"}
	environments = []string{"prod", "staging", "dev", ""}
	costCenters  = []string{"cc-1001", "cc-2002", ""}
)

// record is one generated line item, the source of every column.
type record struct {
	id                       string
	usageStart, usageEnd     time.Time
	ivStart, ivEnd           time.Time
	periodStart, periodEnd   time.Time
	payer                    string
	acct                     account
	lineType                 string
	prod                     *product
	reg                      region
	az                       string
	usageType, operation     string
	usage, rate, cost        int64 // units of 1e-10
	rateEmpty                bool
	publicCost, publicRate   int64
	publicRateEmpty          bool
	desc, taxType, legal     string
	invoicing, billingEntity string
	billType                 string
	resource                 string
	sku, rateCode, rateID    string
	term, purchaseOption     string
	normFactor               int64 // units; 0 = empty
	riARN, spARN             string
	riEffective, spEffective int64
	spRate                   int64
	team, env, costCenter    string
	createdBy, k8sName       string
	chargeType               string // costCategory/Charge type
	invoiceID                string
	fixed                    bool // render this row's numbers with ten decimals
}

// gen produces line items for one data file from its own random stream.
type gen struct {
	r           *rand.Rand
	spec        *Spec
	periodStart time.Time
	periodEnd   time.Time
	cutoff      time.Time // usage ends before this (month to date)
	accounts    []account
	closed      bool // the month is invoiced (bill/InvoiceId set)
}

func newGen(spec *Spec, seed1, seed2 uint64, periodStart, periodEnd, cutoff time.Time, closed bool) *gen {
	return &gen{
		r:           rand.New(rand.NewPCG(seed1, seed2)),
		spec:        spec,
		periodStart: periodStart,
		periodEnd:   periodEnd,
		cutoff:      cutoff,
		accounts:    usageAccounts(spec.Account),
		closed:      closed,
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

const b32 = "abcdefghijklmnopqrstuvwxyz234567"

func randString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func hexString(r *rand.Rand, n int) string { return randString(r, "0123456789abcdef", n) }

func uuidString(r *rand.Rand) string {
	h := hexString(r, 32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[r.IntN(4)]) + h[17:20] + "-" + h[20:32]
}

func ec2ID(r *rand.Rand, _ region) string { return "i-0" + hexString(r, 16) }
func volID(r *rand.Rand, _ region) string { return "vol-0" + hexString(r, 16) }
func bucketName(r *rand.Rand, _ region) string {
	return pick(r, []string{"acme-logs", "acme-assets", "acme-backups-2024", "acme-data-lake"})
}
func kmsARN(r *rand.Rand, g region) string {
	return "arn:aws:kms:" + g.code + ":012345678901:key/" + uuidString(r)
}
func eksARN(r *rand.Rand, g region) string {
	return "arn:aws:eks:" + g.code + ":012345678901:cluster/" + pick(r, []string{"prod", "staging"})
}
func lambdaARN(r *rand.Rand, g region) string {
	return "arn:aws:lambda:" + g.code + ":210987654321:function:" + pick(r, []string{"ingest", "resize-images", "nightly-report"})
}
func rdsARN(r *rand.Rand, g region) string {
	return "arn:aws:rds:" + g.code + ":210987654321:db:" + pick(r, []string{"orders", "users"})
}
func sqsURL(r *rand.Rand, g region) string {
	return "arn:aws:sqs:" + g.code + ":012345678901:" + pick(r, []string{"jobs", "events"})
}

// mulUnits returns a*b in units (both in units), truncated.
func mulUnits(a, b int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(unit))
	return int64(q)
}

// logUnits returns a value between 1e-7 and max units, roughly
// log-distributed (a random decade, then a random value in it), so many
// costs are small enough for scientific notation. It uses integers only, so
// the output is the same on every platform.
func (g *gen) logUnits(max int64) int64 {
	const lo = 1000 // 1e-7
	if max <= lo {
		return max
	}
	decades := 0
	for d := int64(lo); d < max/10; d *= 10 {
		decades++
	}
	base := int64(lo)
	for range g.r.IntN(decades + 1) {
		base *= 10
	}
	top := base * 10
	if top > max {
		top = max
	}
	v := base + g.r.Int64N(top-base+1)
	return v
}

// next returns the next line item.
func (g *gen) next(rec *record) {
	r := g.r
	*rec = record{}
	rec.id = randString(r, b32, 52)
	rec.periodStart, rec.periodEnd = g.periodStart, g.periodEnd
	rec.payer = g.spec.Account
	rec.acct = pick(r, g.accounts)
	rec.fixed = g.spec.Numbers == FixedNumbers || (g.spec.Numbers == MixedNumbers && r.IntN(5) == 0)
	rec.billType = "Anniversary"
	rec.billingEntity = "AWS"
	if g.closed {
		rec.invoiceID = "EUINUS24-" + randString(r, "0123456789", 6)
	}
	if rec.acct.id[0] == '2' || rec.acct.id[0] == '1' {
		rec.invoicing, rec.legal = "Amazon Web Services, Inc.", "Amazon Web Services, Inc."
	} else {
		rec.invoicing, rec.legal = "Amazon Web Services Canada, Inc.", "Amazon Web Services Canada, Inc."
	}

	// product
	w := r.IntN(catalogWeight)
	for i := range catalog {
		w -= catalog[i].weight
		if w < 0 {
			rec.prod = &catalog[i]
			break
		}
	}
	p := rec.prod
	rec.reg = pick(r, regions)

	// line item type
	w = r.IntN(100)
	for _, lt := range lineTypes {
		w -= lt.weight
		if w < 0 {
			rec.lineType = lt.name
			break
		}
	}
	switch rec.lineType {
	case "DiscountedUsage", "RIFee":
		if !p.reserved {
			rec.lineType = "Usage"
		}
	case "SavingsPlanCoveredUsage", "SavingsPlanNegation":
		if !p.savingsPlan {
			rec.lineType = "Usage"
		}
	}

	// time: hour-aligned, before the cut-off
	hours := int(g.cutoff.Sub(g.periodStart) / time.Hour)
	if hours < 1 {
		hours = 1
	}
	rec.usageStart = g.periodStart.Add(time.Duration(r.IntN(hours)) * time.Hour)
	rec.usageEnd = rec.usageStart.Add(time.Hour)
	rec.ivStart, rec.ivEnd = rec.usageStart, rec.usageEnd

	rec.sku = randString(r, "ABCDEFGHJKMNPQRSTUVWXYZ23456789", 16)
	rec.rateCode = rec.sku + ".JRTCKXETXF.6YS6EN2CT7"
	rec.rateID = randString(r, "0123456789", 11)
	rec.term = "OnDemand"
	rec.usageType = rec.reg.usagePrefix + p.usageType
	rec.operation = p.operation
	if p.zonal {
		rec.az = rec.reg.code + string("abc"[r.IntN(3)])
	}
	if p.resource != nil {
		rec.resource = p.resource(r, rec.reg)
	}
	rec.desc = p.desc
	if strings.Contains(rec.desc, "%s") {
		rec.desc = strings.ReplaceAll(rec.desc, "%s", rec.reg.location)
	}
	if p.hourly {
		rec.usage = unit
		if p.attrs["normalizationSizeFactor"] != "" {
			rec.normFactor = 4 * unit
		}
	} else {
		rec.usage = g.logUnits(p.maxUsage)
	}
	rec.rate = p.rate
	rec.publicRate = p.rate
	rec.cost = mulUnits(rec.usage, rec.rate)
	rec.publicCost = rec.cost
	rec.team = pick(r, teams)
	rec.env = pick(r, environments)
	rec.costCenter = pick(r, costCenters)
	if r.IntN(4) == 0 {
		rec.createdBy = "AssumedRole:AROAEXAMPLE:terraform"
	}
	if p.code == "AmazonEC2" && r.IntN(2) == 0 {
		rec.k8sName = pick(r, []string{"api", "worker", "ingress-nginx"})
	}
	rec.chargeType = "Usage"

	switch rec.lineType {
	case "DiscountedUsage":
		rec.term = "Reserved"
		rec.purchaseOption = pick(r, []string{"All Upfront", "Partial Upfront", "No Upfront"})
		rec.riARN = "arn:aws:ec2:" + rec.reg.code + ":" + g.spec.Account + ":reserved-instances/" + uuidString(r)
		rec.riEffective = rec.cost * 6 / 10
		rec.cost = 0
		rec.rate = 0
		rec.desc = strings.Replace(rec.desc, "On Demand", "Reserved", 1)
	case "SavingsPlanCoveredUsage":
		rec.spARN = "arn:aws:savingsplans::" + g.spec.Account + ":savingsplan/" + uuidString(r)
		rec.spEffective = rec.cost * 72 / 100
		rec.spRate = rec.rate * 72 / 100
		rec.desc = rec.desc + " covered by Savings Plan"
	case "SavingsPlanNegation":
		rec.spARN = "arn:aws:savingsplans::" + g.spec.Account + ":savingsplan/" + uuidString(r)
		rec.cost = -rec.cost
		rec.rate = -rec.rate
		rec.desc = "SavingsPlanNegation used by AccountId : " + rec.acct.id + " and UsageSku : " + rec.sku
		rec.chargeType = "Savings Plan"
	case "Credit":
		rec.usage = 0
		rec.rateEmpty = true
		rec.cost = -g.logUnits(25 * unit)
		rec.publicCost = 0
		rec.publicRateEmpty = true
		rec.desc = "AWS Activate Credits, applied to " + p.name
		rec.term = ""
		rec.resource = ""
		rec.chargeType = "Credit"
	case "Refund":
		rec.usage = 0
		rec.rateEmpty = true
		rec.cost = -g.logUnits(5 * unit)
		rec.publicCost = 0
		rec.publicRateEmpty = true
		rec.billType = "Refund"
		rec.desc = "Refund for over-billing, case 1234567890"
		rec.term = ""
		rec.resource = ""
		rec.chargeType = "Refund"
	case "Fee", "RIFee":
		rec.usage = unit
		rec.cost = g.logUnits(150 * unit)
		rec.rate = rec.cost
		rec.publicCost = rec.cost
		rec.billType = "Purchase"
		rec.usageStart, rec.usageEnd = g.periodStart, g.periodEnd
		rec.ivStart, rec.ivEnd = g.periodStart, g.periodStart.Add(time.Hour)
		if rec.lineType == "RIFee" {
			rec.term = "Reserved"
			rec.riARN = "arn:aws:ec2:" + rec.reg.code + ":" + g.spec.Account + ":reserved-instances/" + uuidString(r)
			rec.desc = "USD 0.0576 hourly fee per Linux/UNIX (Amazon VPC), m5.large instance"
		} else {
			rec.prod = &support
			rec.reg = regions[0]
			rec.usageType, rec.operation, rec.az = support.usageType, "", ""
			rec.desc = "AWS Support (Business), per month"
		}
		rec.resource = ""
		rec.chargeType = "Fee"
	case "Tax":
		rec.usage = unit
		rec.rateEmpty = true
		rec.publicRateEmpty = true
		rec.cost = g.logUnits(40 * unit)
		rec.publicCost = 0
		rec.usageType, rec.operation, rec.az, rec.resource = "", "", "", ""
		rec.usageStart, rec.usageEnd = g.periodStart, g.periodEnd
		rec.ivStart, rec.ivEnd = g.periodStart, g.periodStart.Add(time.Hour)
		rec.desc = "Tax for product code " + p.code
		if rec.legal == "Amazon Web Services Canada, Inc." {
			rec.taxType = "Canada Tax"
		} else {
			rec.taxType = "US Sales Tax"
		}
		rec.term = ""
		rec.team, rec.env, rec.costCenter, rec.createdBy, rec.k8sName = "", "", "", "", ""
		rec.chargeType = "Tax"
	}
}
