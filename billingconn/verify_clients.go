package billingconn

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	dx "github.com/aws/aws-sdk-go-v2/service/bcmdataexports"
	cur "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curconnect/curconnect/curreader"
)

// STSAPI is the part of the STS client verification uses: AssumeRole
// (stscreds.AssumeRoleAPIClient, so the same client feeds
// stscreds.NewAssumeRoleProvider) and GetCallerIdentity.
// *sts.Client implements it.
type STSAPI interface {
	stscreds.AssumeRoleAPIClient
	GetCallerIdentity(ctx context.Context, params *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// S3API is the part of the S3 client verification uses: curreader.S3API
// (ListObjectsV2, GetObject, HeadObject) plus GetBucketLocation and
// HeadBucket. *s3.Client implements it.
type S3API interface {
	curreader.S3API
	GetBucketLocation(ctx context.Context, params *s3.GetBucketLocationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	HeadBucket(ctx context.Context, params *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// CostExplorerAPI is the part of the Cost Explorer client verification uses.
// *costexplorer.Client implements it.
type CostExplorerAPI interface {
	GetReservationUtilization(ctx context.Context, params *costexplorer.GetReservationUtilizationInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetReservationUtilizationOutput, error)
}

var (
	_ STSAPI          = (*sts.Client)(nil)
	_ S3API           = (*s3.Client)(nil)
	_ CostExplorerAPI = (*costexplorer.Client)(nil)
)

// Clients make the AWS clients verification needs. Verify calls each
// factory with the credentials of the step: the platform's own for STS,
// the assumed role's (or the connection's access key pair) for the rest.
// A nil factory skips the checks that need it (the report omits them), so a
// platform can leave out, say, Cost Explorer. NewClients fills every field
// from an aws.Config; tests point the factories at moto_server or HTTP stubs.
type Clients struct {
	// Credentials are the platform's own credentials, which call
	// sts:AssumeRole for a role connection. Not used for access keys.
	Credentials aws.CredentialsProvider

	NewSTS           func(aws.CredentialsProvider) STSAPI
	NewS3            func(aws.CredentialsProvider) S3API
	NewOrganizations func(aws.CredentialsProvider) OrganizationsAPI
	NewCostExplorer  func(aws.CredentialsProvider) CostExplorerAPI
	NewCUR           func(aws.CredentialsProvider) CURAPI
	NewDataExports   func(aws.CredentialsProvider) DataExportsAPI
}

// ClientOptions are per-service options NewClients applies to every client
// it makes, after its own (credentials).
type ClientOptions struct {
	S3            []func(*s3.Options)
	STS           []func(*sts.Options)
	Organizations []func(*organizations.Options)
	CostExplorer  []func(*costexplorer.Options)
	CUR           []func(*cur.Options)
	DataExports   []func(*dx.Options)
}

// NewClients returns Clients that build SDK clients from cfg: the platform's
// credentials are cfg.Credentials, and each factory copies cfg with the
// given credentials provider (wrapped in an aws.CredentialsCache). Use
// ClientOptions for an S3-compatible endpoint or path-style addressing:
//
//	clients := billingconn.NewClients(cfg, func(o *billingconn.ClientOptions) {
//		o.S3 = append(o.S3, func(so *s3.Options) { so.UsePathStyle = true })
//	})
func NewClients(cfg aws.Config, optFns ...func(*ClientOptions)) Clients {
	var o ClientOptions
	for _, fn := range optFns {
		fn(&o)
	}
	with := func(p aws.CredentialsProvider) aws.Config {
		c := cfg.Copy()
		if p != nil {
			if _, cached := p.(*aws.CredentialsCache); !cached {
				p = aws.NewCredentialsCache(p)
			}
		}
		c.Credentials = p
		return c
	}
	return Clients{
		Credentials: cfg.Credentials,
		NewSTS: func(p aws.CredentialsProvider) STSAPI {
			return sts.NewFromConfig(with(p), o.STS...)
		},
		NewS3: func(p aws.CredentialsProvider) S3API {
			return s3.NewFromConfig(with(p), o.S3...)
		},
		NewOrganizations: func(p aws.CredentialsProvider) OrganizationsAPI {
			return organizations.NewFromConfig(with(p), o.Organizations...)
		},
		NewCostExplorer: func(p aws.CredentialsProvider) CostExplorerAPI {
			return costexplorer.NewFromConfig(with(p), o.CostExplorer...)
		},
		NewCUR: func(p aws.CredentialsProvider) CURAPI {
			return cur.NewFromConfig(with(p), o.CUR...)
		},
		NewDataExports: func(p aws.CredentialsProvider) DataExportsAPI {
			return dx.NewFromConfig(with(p), o.DataExports...)
		},
	}
}
