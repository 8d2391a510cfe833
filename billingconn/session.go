package billingconn

import (
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
)

// DefaultReadSessionName is the session name Connection.Config passes to
// AssumeRole when SessionOptions.RoleSessionName is empty. It shows in the
// customer's CloudTrail as the assumed role's session.
const DefaultReadSessionName = "curconnect-read"

// SessionOptions tune the credentials of Connection.Config.
type SessionOptions struct {
	// RoleSessionName names the assumed-role session, so that the
	// customer's CloudTrail shows who read (for instance the platform's
	// name and its tenant): 2 to 64 of letters, digits and +=,.@-. If
	// empty, DefaultReadSessionName.
	RoleSessionName string
	// Duration is how long each session lasts, from 15 minutes to the
	// role's maximum (1 hour unless the customer raised it). Zero means
	// STS's default, 1 hour.
	Duration time.Duration
	// ExpiryWindow is how long before a session expires a new one is
	// fetched, so that a long read never meets expired credentials. Zero
	// means 5 minutes.
	ExpiryWindow time.Duration
	// STSOptions are applied to the STS client that calls AssumeRole (an
	// endpoint, a retryer).
	STSOptions []func(*sts.Options)
}

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// Config returns a copy of cfg, the platform's own AWS configuration, whose
// credentials are the connection's, so that every client made from it reads
// the customer's data as the platform does:
//
//   - for a role, cfg's credentials call sts:AssumeRole on the role with the
//     external ID and the session name, and the session is cached and
//     renewed before it expires (SessionOptions.ExpiryWindow);
//   - for an IAM user's access key pair, the pair itself.
//
// When the connection has a Region (the bucket's), the copy uses it. Nothing
// is called until a client needs credentials: run Verify to learn, step by
// step, whether they work. The connection's fields are checked first
// (Validate); an invalid connection or option is an error wrapping
// curerr.ErrMalformed.
func (c Connection) Config(cfg aws.Config, optFns ...func(*SessionOptions)) (aws.Config, error) {
	if err := c.Validate(); err != nil {
		return aws.Config{}, err
	}
	var o SessionOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.RoleSessionName == "" {
		o.RoleSessionName = DefaultReadSessionName
	}
	if o.ExpiryWindow == 0 {
		o.ExpiryWindow = 5 * time.Minute
	}
	switch {
	case !sessionNameRE.MatchString(o.RoleSessionName):
		return aws.Config{}, fieldErr("RoleSessionName", "%q must be 2 to 64 of letters, digits and +=,.@-", o.RoleSessionName)
	case o.Duration != 0 && (o.Duration < 15*time.Minute || o.Duration > 12*time.Hour):
		return aws.Config{}, fieldErr("Duration", "%s is outside STS's 15 minutes to 12 hours", o.Duration)
	case o.ExpiryWindow < 0:
		return aws.Config{}, fieldErr("ExpiryWindow", "must not be negative")
	}
	out := cfg.Copy()
	if c.Region != "" {
		out.Region = c.Region
	}
	var p aws.CredentialsProvider
	switch c.Credentials.Kind() {
	case CredentialsRole:
		stsc := sts.NewFromConfig(cfg, o.STSOptions...)
		p = stscreds.NewAssumeRoleProvider(stsc, c.Credentials.RoleARN, func(ao *stscreds.AssumeRoleOptions) {
			ao.ExternalID = aws.String(c.Credentials.ExternalID)
			ao.RoleSessionName = o.RoleSessionName
			if o.Duration != 0 {
				ao.Duration = o.Duration
			}
		})
	case CredentialsAccessKey:
		p = credentials.NewStaticCredentialsProvider(c.Credentials.AccessKeyID, c.Credentials.SecretAccessKey, "")
	default:
		return aws.Config{}, fmt.Errorf("billingconn: the connection has no credentials: %w", curerr.ErrMalformed)
	}
	out.Credentials = aws.NewCredentialsCache(p, func(co *aws.CredentialsCacheOptions) { co.ExpiryWindow = o.ExpiryWindow })
	return out, nil
}

// Resolver returns a curreader.Resolver over the connection's bucket that
// reads with the connection's credentials (Config with default
// SessionOptions). optFns tune it as curreader.New's do (an S3-compatible
// endpoint or path-style addressing go in Options.ClientOptions).
func (c Connection) Resolver(cfg aws.Config, optFns ...func(*curreader.Options)) (*curreader.Resolver, error) {
	conf, err := c.Config(cfg)
	if err != nil {
		return nil, err
	}
	return curreader.New(s3.NewFromConfig(conf), c.Bucket, optFns...), nil
}
