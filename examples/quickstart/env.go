package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curtest"
)

// The demo customer.
const (
	demoPayer  = "111122223333"
	demoBucket = "acme-billing-111122223333"
	// Legacy report and CUR 2.0 export names, as in the two definitions
	// validated below.
	demoReport = "acme-cur"
	demoExport = "acme-cur2"
)

// environment is where the story runs: the embedded S3, or a real account.
type environment struct {
	s3         *s3.Client
	bucket     string
	cfg        aws.Config
	embedded   bool
	close      func()
	accessKey  string
	secretKey  string
	payer      string
	clientOpts []func(*s3.Options)
	endpoint   *string
}

// Fake keys for the embedded S3; gofakes3 accepts any.
const (
	demoAccessKey = "AKIAQUICKSTARTDEMO22"
	demoSecretKey = "quickstartDemoSecretNotARealKey000000000"
)

// startEmbedded starts gofakes3 on 127.0.0.1 and creates the bucket.
func startEmbedded(ctx context.Context, st *story) (*environment, error) {
	backend := s3mem.New()
	srv := httptest.NewServer(embeddedHandler(gofakes3.New(backend).Server()))
	client := s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(demoAccessKey, demoSecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(demoBucket)}); err != nil {
		srv.Close()
		return nil, fmt.Errorf("embedded S3: create bucket: %w", err)
	}
	st.Bucket, st.Embedded = demoBucket, true
	fmt.Fprintf(st.w, "curconnect quickstart: connecting AWS payer account %s to a cost\n", st.opts.payer)
	fmt.Fprintf(st.w, "platform (account %s), on an in-memory S3 at %s.\n", st.opts.trusted, srv.URL)
	fmt.Fprintf(st.w, "No AWS account is used. External ID: %s\n", st.opts.externalID)
	return &environment{s3: client, bucket: demoBucket, embedded: true, close: srv.Close,
		accessKey: demoAccessKey, secretKey: demoSecretKey, payer: st.opts.payer, endpoint: aws.String(srv.URL),
		cfg: aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(demoAccessKey, demoSecretKey, "")},
		clientOpts: []func(*s3.Options){func(o *s3.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
			o.UsePathStyle = true
		}}}, nil
}

// connectReal loads the standard AWS configuration for a real bucket.
func connectReal(ctx context.Context, st *story) (*environment, error) {
	// The SDK logs to os.Stderr by default (checksum notices at DEBUG and WARN);
	// a program's stderr is for its own messages.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	var opts []func(*s3.Options)
	if st.opts.endpoint != "" {
		opts = append(opts, func(o *s3.Options) { o.BaseEndpoint = aws.String(st.opts.endpoint) })
	}
	if st.opts.pathStyle {
		opts = append(opts, func(o *s3.Options) { o.UsePathStyle = true })
	}
	fmt.Fprintf(st.w, "curconnect quickstart: reading s3://%s/%s with your AWS configuration.\n", st.opts.bucket, st.opts.prefix)
	return &environment{s3: s3.NewFromConfig(cfg, opts...), bucket: st.opts.bucket, cfg: cfg, close: func() {}, payer: st.opts.payer, clientOpts: opts}, nil
}

// generatedStream describes one stream curtest delivered.
type generatedStream struct {
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Periods  []string `json:"periods"`
	Files    int      `json:"filesPerDelivery"`
	Versions int      `json:"deliveries"`
	Format   string   `json:"format"`
}

// demoSpecs are the deliveries the embedded bucket receives: a legacy CUR
// as the Optima guide sets it up (create-new, gzip CSV, several files; AWS
// restates the first month after a refund) and a CUR 2.0 export in Parquet.
func demoSpecs(prefix string) []curtest.Spec {
	return []curtest.Spec{
		{Kind: curtest.LegacyCUR, Name: demoReport, Bucket: demoBucket, Prefix: prefix, Account: demoPayer,
			Versioning: curtest.CreateNew, Format: curtest.CSVGzip, Start: "2024-03", Months: 2, Versions: 2, Files: 3, Rows: 400,
			Restate: true, Seed: 2024, AccessTestObject: true},
		{Kind: curtest.CUR2, Name: demoExport, Bucket: demoBucket, Prefix: prefix, Account: demoPayer,
			Versioning: curtest.Overwrite, Format: curtest.Parquet, Start: "2024-03", Months: 2, Files: 2, Rows: 300, Seed: 2025},
	}
}

// generate delivers the demo reports into the embedded bucket.
func (st *story) generate(ctx context.Context, env *environment) error {
	if !env.embedded {
		return nil
	}
	st.section("1. AWS delivers the reports (generated by curreader/curtest)")
	sink := &curtest.S3Sink{Client: env.s3, Bucket: env.bucket}
	st.truth = map[string]*curtest.Result{}
	tw := st.table()
	fmt.Fprintln(tw, "KIND\tNAME\tMONTHS\tDELIVERIES\tFILES\tFORMAT")
	for _, spec := range demoSpecs(st.opts.prefix) {
		res, err := curtest.Generate(ctx, sink, spec)
		if err != nil {
			return fmt.Errorf("generate %s: %w", spec.Name, err)
		}
		st.truth[spec.Name] = res
		g := generatedStream{Kind: res.Spec.Kind.String(), Name: spec.Name, Periods: res.Periods(), Files: res.Spec.Files,
			Versions: len(res.Deliveries), Format: res.Spec.Format.String()}
		st.Generated = append(st.Generated, g)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", g.Kind, g.Name, strings.Join(g.Periods, ","), g.Versions, g.Files, g.Format)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(st.w, "%s is restated: a refund arrived after the month closed.\n", st.Generated[0].Periods[0])
	return nil
}

// embeddedHandler serves S3 through gofakes3 and answers STS's
// GetCallerIdentity for the demo's access key, so that verification's first
// step runs; every other STS call is refused.
func embeddedHandler(s3h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if err := r.ParseForm(); err == nil && r.PostForm.Get("Action") == "GetCallerIdentity" {
				w.Header().Set("Content-Type", "text/xml")
				fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
					`<Arn>arn:aws:iam::%s:user/cost-platform</Arn><UserId>AIDAQUICKSTARTDEMO00</UserId><Account>%s</Account>`+
					`</GetCallerIdentityResult><ResponseMetadata><RequestId>quickstart-0001</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, demoPayer, demoPayer)
				return
			}
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not served by the quickstart</Message></Error></ErrorResponse>`)
			return
		}
		s3h.ServeHTTP(w, r)
	})
}

// newResolver returns a resolver over the environment's bucket.
func (env *environment) newResolver() *curreader.Resolver {
	return curreader.New(env.s3, env.bucket)
}

// clients returns verification clients: for the embedded S3, only S3 (the
// STS, Organizations and Cost Explorer steps need a real account and are
// left out); for a real account, all of them.
func (env *environment) clients() billingconn.Clients {
	if env.embedded {
		return billingconn.Clients{
			NewSTS: func(p aws.CredentialsProvider) billingconn.STSAPI {
				return sts.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: p}, func(o *sts.Options) { o.BaseEndpoint = env.endpoint })
			},
			NewS3: func(p aws.CredentialsProvider) billingconn.S3API {
				return s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: p,
					RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
					ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}, env.clientOpts...)
			},
		}
	}
	return billingconn.NewClients(env.cfg, func(o *billingconn.ClientOptions) { o.S3 = append(o.S3, env.clientOpts...) })
}
