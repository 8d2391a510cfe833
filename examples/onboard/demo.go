package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/iampolicy"
)

// The demo customer, as in the quickstart, and the demo platform.
const (
	demoPayer    = "111122223333"
	demoBucket   = "acme-billing-111122223333"
	demoPrefix   = "cur"
	demoReport   = "acme-cur"
	demoPlatform = "451234325714"
	// demoFreshPrefix holds only AWS's access test object: a report
	// created today, not delivered yet.
	demoFreshPrefix = "fresh"
)

// demo is the embedded S3 with a delivered report, answering STS for the
// demo customer's account on the same endpoint.
type demo struct {
	srv *curtest.Server

	mu      sync.Mutex
	stacks  map[string]bool // external IDs the demo role trusts
	request int
}

// startDemo starts the embedded S3 on 127.0.0.1 and delivers two months of
// a legacy report (create-new versions, gzip CSV) to it.
func startDemo(ctx context.Context) (*demo, error) {
	srv, err := curtest.NewUnstartedServer(demoBucket)
	if err != nil {
		return nil, fmt.Errorf("embedded S3: %w", err)
	}
	d := &demo{srv: srv, stacks: map[string]bool{}}
	srv.Config.Handler = d.handler(srv.Config.Handler)
	if err := srv.Start(); err != nil {
		srv.Close()
		return nil, fmt.Errorf("embedded S3: %w", err)
	}
	if _, err := srv.Generate(ctx, curtest.Spec{Kind: curtest.LegacyCUR, Name: demoReport, Bucket: demoBucket, Prefix: demoPrefix, Account: demoPayer,
		Versioning: curtest.CreateNew, Format: curtest.CSVGzip, Start: "2024-03", Months: 2, Files: 2, Rows: 200, Seed: 2024, AccessTestObject: true}); err != nil {
		srv.Close()
		return nil, fmt.Errorf("embedded S3: generate: %w", err)
	}
	if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(demoFreshPrefix + "/aws-programmatic-access-test-object"),
		Body: strings.NewReader("test")}); err != nil {
		srv.Close()
		return nil, fmt.Errorf("embedded S3: %w", err)
	}
	return d, nil
}

func (d *demo) close() { d.srv.Close() }

// trusting wraps store so that every connection created trusts its
// external ID at once: the demo customer creates the stack from the link.
func (d *demo) trusting(store onboard.Store) onboard.Store { return trustingStore{store, d} }

type trustingStore struct {
	onboard.Store
	d *demo
}

func (s trustingStore) Create(ctx context.Context, c onboard.Connection) (onboard.Connection, error) {
	c, err := s.Store.Create(ctx, c)
	if err == nil {
		s.d.mu.Lock()
		s.d.stacks[c.ExternalID] = true
		s.d.mu.Unlock()
	}
	return c, err
}

// clients reach the embedded server: STS and S3. Organizations and Cost
// Explorer need a real account and are left out.
func (d *demo) clients() billingconn.Clients {
	endpoint := aws.String(d.srv.URL)
	return billingconn.Clients{
		Credentials: credentials.NewStaticCredentialsProvider("AKIAONBOARDDEMO00001", "onboardDemoSecretNotARealKey000000000000", ""),
		NewSTS: func(p aws.CredentialsProvider) billingconn.STSAPI {
			return sts.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: p}, func(o *sts.Options) { o.BaseEndpoint = endpoint })
		},
		NewS3: func(p aws.CredentialsProvider) billingconn.S3API {
			return s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: p,
				RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
				ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}, func(o *s3.Options) {
				o.BaseEndpoint = endpoint
				o.UsePathStyle = true
			})
		},
	}
}

// handler answers STS's GetCallerIdentity and AssumeRole, in STS's query
// protocol, and passes everything else to the S3 server. AssumeRole
// succeeds for the template's role in the demo payer account with an
// external ID a connection was created with, and is refused as STS refuses
// a wrong one otherwise.
func (d *demo) handler(s3h http.Handler) http.Handler {
	role, _ := iampolicy.RoleARN("", demoPayer, iampolicy.DefaultRoleName)
	caller := "arn:aws:iam::" + demoPlatform + ":user/cost-platform"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			s3h.ServeHTTP(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		d.mu.Lock()
		d.request++
		reqID := fmt.Sprintf("onboard-demo-%04d", d.request)
		trusted := d.stacks[r.PostForm.Get("ExternalId")]
		d.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		switch r.PostForm.Get("Action") {
		case "GetCallerIdentity":
			fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
				`<Arn>%s</Arn><UserId>AIDAONBOARDDEMO00001</UserId><Account>%s</Account></GetCallerIdentityResult>`+
				`<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, caller, demoPlatform, reqID)
		case "AssumeRole":
			arn := r.PostForm.Get("RoleArn")
			if arn != role || !trusted {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>`+
					`<Message>User: %s is not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
					caller, html.EscapeString(arn), reqID)
				return
			}
			session := html.EscapeString(r.PostForm.Get("RoleSessionName"))
			fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>`+
				`<AccessKeyId>ASIAONBOARDDEMO00001</AccessKeyId><SecretAccessKey>onboardDemoSessionSecretNotARealKey00000</SecretAccessKey>`+
				`<SessionToken>onboard-demo-session-token</SessionToken><Expiration>%s</Expiration></Credentials>`+
				`<AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn><AssumedRoleId>AROAONBOARDDEMO00001:%s</AssumedRoleId></AssumedRoleUser>`+
				`</AssumeRoleResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></AssumeRoleResponse>`,
				time.Now().Add(time.Hour).UTC().Format(time.RFC3339), demoPayer, iampolicy.DefaultRoleName, session, session, reqID)
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not served by the demo</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, reqID)
		}
	})
}
