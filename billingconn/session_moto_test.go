package billingconn

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/curreader/curtest"
	"github.com/curconnect/curconnect/curreader/decimal"
	"github.com/curconnect/curconnect/internal/awserr"
)

// countingTransport counts the requests an SDK client sends.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestConnectionConfigMoto reads a customer's bucket as a platform does,
// against moto_server with IAM enforcement on: the role (made by
// iampolicy's builders) is assumed with the external ID, once, the session
// carries the platform's name, and every row of a generated delivery is
// read through it and summed exactly. A wrong external ID fails at the
// first call that needs credentials, with AccessDenied.
func TestConnectionConfigMoto(t *testing.T) {
	v := setupMotoVerify(t)
	ctx := t.Context()

	// A real delivery under the prefix the role may read (written with
	// moto's auth off, as AWS's own delivery would be).
	require.NoError(t, v.moto.DisableAuth(ctx))
	admin := s3.NewFromConfig(v.moto.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	res, err := curtest.Generate(ctx, curtest.S3Sink{Client: admin, Bucket: vBucket},
		curtest.Spec{Kind: curtest.LegacyCUR, Name: "gen", Prefix: "cur", Bucket: vBucket, Rows: 40, Files: 2, Seed: 11})
	require.NoError(t, err)
	require.NoError(t, v.moto.EnableAuth(ctx))

	platform := v.moto.ConfigWithCredentials(v.userCreds)
	counter := &countingTransport{next: http.DefaultTransport}
	conn := v.conn("cur-reader", "cur")
	conf, err := conn.Config(platform, func(o *SessionOptions) {
		o.RoleSessionName = "acme-platform"
		o.STSOptions = append(o.STSOptions, func(so *sts.Options) { so.HTTPClient = &http.Client{Transport: counter} })
	})
	require.NoError(t, err)

	who, err := sts.NewFromConfig(conf).GetCallerIdentity(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::"+accountOf(conn.Credentials.RoleARN)+":assumed-role/cur-reader/acme-platform", aws.ToString(who.Arn),
		"the session carries the platform's name")

	// moto's signature check needs its own signer (see motoSigner).
	r := curreader.New(s3.NewFromConfig(conf, func(so *s3.Options) { so.UsePathStyle = true; so.HTTPSignerV4 = motoSigner{} }), vBucket)
	rep, err := r.Find(ctx, "cur", "gen")
	require.NoError(t, err)
	ds, err := r.Latest(ctx, rep)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	rd, err := r.Open(ctx, ds[0])
	require.NoError(t, err)
	defer rd.Close()
	var total decimal.Decimal
	for row, err := range rd.Rows() {
		require.NoError(t, err)
		c, ok, err := row.Decimal("lineItem/UnblendedCost")
		require.NoError(t, err)
		if ok {
			total = total.Add(c)
		}
	}
	want := res.Current(res.Periods()[0]).Total
	assert.Equal(t, decimal.MustParse(want).String(), total.String(), "every row, read through the role, sums exactly")
	assert.EqualValues(t, 1, counter.n.Load(), "one AssumeRole for every call: the session is cached")

	// The same role reading outside its prefix is refused by moto's IAM.
	reader := s3.NewFromConfig(conf, func(so *s3.Options) { so.UsePathStyle = true; so.HTTPSignerV4 = motoSigner{} })
	_, err = reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(vBucket), Key: aws.String("fresh/aws-programmatic-access-test-object")})
	require.ErrorIs(t, awserr.Classify(err), curerr.ErrAccessDenied)

	// A wrong external ID fails at the first call that needs credentials.
	bad := conn
	bad.Credentials.ExternalID = "WRONG-external-id-0000000000"
	conf, err = bad.Config(platform)
	require.NoError(t, err)
	_, err = conf.Credentials.Retrieve(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, awserr.Classify(err), curerr.ErrAccessDenied)
}

// TestConnectionConfigRefresh: a session is renewed before it expires
// (ExpiryWindow), and kept until then.
func TestConnectionConfigRefresh(t *testing.T) {
	v := setupMotoVerify(t)
	ctx := t.Context()
	platform := v.moto.ConfigWithCredentials(v.userCreds)
	for _, tc := range []struct {
		window time.Duration
		calls  int32
	}{
		{time.Minute, 1},      // 15-minute sessions, renewed a minute before: one session serves both
		{16 * time.Minute, 2}, // a window longer than the session: every use renews it
	} {
		counter := &countingTransport{next: http.DefaultTransport}
		conf, err := v.conn("cur-reader", "cur").Config(platform, func(o *SessionOptions) {
			o.Duration, o.ExpiryWindow = 15*time.Minute, tc.window
			o.STSOptions = append(o.STSOptions, func(so *sts.Options) { so.HTTPClient = &http.Client{Transport: counter} })
		})
		require.NoError(t, err)
		for range 2 {
			_, err := conf.Credentials.Retrieve(ctx)
			require.NoError(t, err)
		}
		assert.Equal(t, tc.calls, counter.n.Load(), "window %s", tc.window)
	}
}

// TestConnectionConfigOffline: access keys are used as they are, the
// bucket's region wins, and bad connections or options are refused before
// anything is called.
func TestConnectionConfigOffline(t *testing.T) {
	keys := Connection{PayerAccountID: "111122223333", Bucket: "acme-billing", Region: "eu-west-1",
		Credentials: Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}
	conf, err := keys.Config(aws.Config{Region: "us-east-1"})
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", conf.Region)
	c, err := conf.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "AKIAIOSFODNN7EXAMPLE", c.AccessKeyID)

	r, err := keys.Resolver(aws.Config{Region: "us-east-1"})
	require.NoError(t, err)
	assert.Equal(t, "acme-billing", r.Bucket())

	_, err = Connection{Bucket: "acme-billing"}.Config(aws.Config{})
	require.ErrorIs(t, err, curerr.ErrMalformed)
	bad := keys
	bad.Region = "Ireland"
	_, err = bad.Config(aws.Config{})
	require.ErrorIs(t, err, curerr.ErrMalformed)
	for _, fn := range []func(*SessionOptions){
		func(o *SessionOptions) { o.RoleSessionName = "a b" },
		func(o *SessionOptions) { o.Duration = time.Minute },
		func(o *SessionOptions) { o.ExpiryWindow = -time.Second },
	} {
		_, err := keys.Config(aws.Config{}, fn)
		var fe *curerr.FieldError
		require.ErrorAs(t, err, &fe)
	}
}
