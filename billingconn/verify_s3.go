package billingconn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curconnect/curconnect/curreader"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/awserr"
)

func (v *verifier) bucketARN() string { return "arn:" + v.partition + ":s3:::" + v.conn.Bucket }

func (v *verifier) s3opts() []func(*s3.Options) {
	if v.region == "" {
		return nil
	}
	region := v.region
	return []func(*s3.Options){func(o *s3.Options) { o.Region = region }}
}

func (v *verifier) checkBucketRegion(ctx context.Context, r *CheckResult) error {
	if v.s3c == nil {
		v.s3c = v.clients.NewS3(v.creds)
	}
	bucket := v.conn.Bucket
	r.Action, r.Resource = "s3:GetBucketLocation", v.bucketARN()
	out, err := v.s3c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err == nil {
		v.region = bucketRegion(string(out.LocationConstraint))
		v.rep.BucketRegion = v.region
		r.Message = "bucket s3://" + bucket + " is in " + v.region
		return nil
	}
	cerr := awserr.Classify(err)
	if errors.Is(cerr, curerr.ErrBucketNotFound) {
		r.Message = "there is no bucket named " + bucket
		r.Remediation = "Check the bucket name: it must be the S3 bucket your Cost and Usage Report or data export delivers to, in the payer account."
		r.Hint = "Connection.Bucket must be the definition's S3Bucket (legacy report) or DestinationConfigurations.S3Destination.S3Bucket (export)."
		return &stepError{err: err, sentinel: curerr.ErrBucketNotFound}
	}
	// HeadBucket reports the region in a header, even with a 403.
	hb, herr := v.s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	region := ""
	if herr == nil {
		region = aws.ToString(hb.BucketRegion)
	} else {
		var re *smithyhttp.ResponseError
		if errors.As(herr, &re) && re.Response != nil {
			region = re.Response.Header.Get("X-Amz-Bucket-Region")
		}
	}
	if region != "" {
		v.region = region
		v.rep.BucketRegion = region
		r.Message = "s3:GetBucketLocation failed (" + awsMessage(err) + "); HeadBucket says the bucket is in " + region
		return &stepError{err: err, proceed: true}
	}
	return err
}

// bucketRegion maps a LocationConstraint to a region: empty is us-east-1,
// EU is eu-west-1.
func bucketRegion(lc string) string {
	switch lc {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return lc
}

// listPrefix is the key prefix a report prefix's keys start with.
func listPrefix(p string) string {
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

func (v *verifier) checkListPrefix(ctx context.Context, r *CheckResult) error {
	p := listPrefix(v.conn.Prefix)
	r.Action, r.Resource = "s3:ListBucket", v.bucketARN()
	out, err := v.s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(v.conn.Bucket), Prefix: aws.String(p), MaxKeys: aws.Int32(100)}, v.s3opts()...)
	if err != nil {
		return err
	}
	n := len(out.Contents)
	switch {
	case n == 0:
		r.Message = "listed s3://" + v.conn.Bucket + "/" + p + ": no objects yet"
	case aws.ToBool(out.IsTruncated):
		r.Message = fmt.Sprintf("listed s3://%s/%s: more than %d objects", v.conn.Bucket, p, n)
	default:
		r.Message = fmt.Sprintf("listed s3://%s/%s: %s", v.conn.Bucket, p, plural(n, "object"))
	}
	return nil
}

func (v *verifier) checkManifest(ctx context.Context, r *CheckResult) error {
	res := curreader.New(v.s3c, v.conn.Bucket, func(o *curreader.Options) { o.ClientOptions = v.s3opts() })
	where := "s3://" + v.conn.Bucket + "/" + listPrefix(v.conn.Prefix)
	reps, err := res.Reports(ctx, v.conn.Prefix)
	if err != nil {
		return v.manifestErr(r, err)
	}
	targets := reps
	if v.conn.ReportName != "" {
		targets = nil
		for _, rep := range reps {
			if rep.Name == v.conn.ReportName {
				targets = append(targets, rep)
			}
		}
	}
	noDelivery := func(msg string) error {
		r.Code = CheckCodeNoDeliveryYet
		r.Retryable = true
		r.Message = "no delivery yet: the first one can take 24 hours (" + msg + ")"
		r.Remediation = "Wait for AWS's first delivery (up to 24 hours after the report or export is created) and verify again. If it has been longer, check that the report or export delivers to " + where +
			" and that the bucket policy lets billingreports.amazonaws.com and bcm-data-exports.amazonaws.com write to the bucket."
		r.Hint = "curreader found no complete delivery under the prefix; iampolicy.DeliveryBucketPolicy writes the bucket policy the delivery services need."
		return &stepError{err: ErrNoDeliveryYet, resource: where}
	}
	if len(targets) == 0 {
		if len(reps) == 0 || v.conn.ReportName == "" {
			return noDelivery("nothing under " + where)
		}
		found := make([]string, len(reps))
		for i, rep := range reps {
			found[i] = rep.Name
		}
		r.Code = CheckCodeReportNotFound
		r.Retryable = true
		r.Message = fmt.Sprintf("no delivery of %q under %s (found: %s)", v.conn.ReportName, where, strings.Join(found, ", "))
		r.Remediation = "Check the report name and prefix you gave the platform against your report or export. If it was created in the last 24 hours, its first delivery may not have arrived yet: verify again later."
		r.Hint = "Connection.ReportName and Prefix must be the definition's ReportName and S3Prefix (legacy report) or Name and S3Prefix (export)."
		return &stepError{err: curreader.ErrReportNotFound, sentinel: ErrNoDeliveryYet, resource: where}
	}
	var msgs []string
	for _, rep := range targets {
		periods, err := res.Periods(ctx, rep)
		if err != nil {
			return v.manifestErr(r, err)
		}
		var d *curreader.Delivery
		// The newest period may be mid-delivery (no top-level manifest
		// yet): fall back to the newest complete one.
		for i := len(periods) - 1; i >= 0 && d == nil; i-- {
			got, err := res.Resolve(ctx, rep, periods[i].Month)
			switch {
			case err == nil:
				d = got
			case errors.Is(err, curreader.ErrManifestNotFound) && !errors.Is(err, curerr.ErrAccessDenied):
				continue
			default:
				return v.manifestErr(r, err)
			}
		}
		if d == nil {
			return noDelivery(rep.Name + " has no complete delivery under " + where)
		}
		v.rep.Deliveries = append(v.rep.Deliveries, d)
		m := fmt.Sprintf("%s %s: version %s, %s, manifest s3://%s/%s", rep.Name, d.Period, d.Version, plural(len(d.Files), "file"), v.conn.Bucket, d.ManifestKey)
		if !d.Ready {
			m += " (AWS is still updating this delivery)"
		}
		msgs = append(msgs, m)
	}
	r.Message = "newest delivery: " + strings.Join(msgs, "; ")
	return nil
}

// manifestErr fills r for a failure of the manifest step.
func (v *verifier) manifestErr(r *CheckResult, err error) error {
	var me *curreader.ManifestError
	var le *curreader.ListError
	switch {
	case errors.As(err, &me):
		r.Resource = "s3://" + me.Bucket + "/" + me.Key
		switch {
		case errors.Is(err, curerr.ErrAccessDenied):
			r.Action, r.Resource = "s3:GetObject", "arn:"+v.partition+":s3:::"+me.Bucket+"/"+me.Key
			r.Message = "s3:GetObject on the manifest s3://" + me.Bucket + "/" + me.Key + " was denied: " + awsMessage(err)
		case errors.Is(err, curreader.ErrManifestEscapes):
			r.Code = CheckCodeManifestEscapes
			r.Message = "the manifest s3://" + me.Bucket + "/" + me.Key + " lists a file outside its report; it was not read: " + err.Error()
			r.Remediation = "Inspect the manifest: AWS never writes such a manifest, so someone else wrote into the report's prefix. Allow only billingreports.amazonaws.com and bcm-data-exports.amazonaws.com to write to the bucket (s3:PutObject)."
			r.Hint = "curreader refused the manifest (curreader.ErrManifestEscapes); iampolicy.DeliveryBucketPolicy writes a bucket policy that lets only the delivery services write."
		case errors.Is(err, curreader.ErrFileMissing):
			r.Code = CheckCodeFileMissing
			r.Message = "the manifest s3://" + me.Bucket + "/" + me.Key + " lists a file that does not exist: " + me.File
			r.Remediation = "Check the bucket's lifecycle rules and replication: a delivery's files must stay as long as its manifest."
		case errors.Is(err, curreader.ErrMalformedManifest):
			r.Code = CheckCodeMalformedManifest
			r.Message = "the manifest s3://" + me.Bucket + "/" + me.Key + " cannot be read: " + err.Error()
			r.Remediation = "Inspect the manifest; if another tool rewrote it, let AWS deliver again (it restates the month)."
		}
		return &stepError{err: err, resource: r.Resource}
	case errors.As(err, &le):
		r.Resource = v.bucketARN()
		if errors.Is(err, curerr.ErrAccessDenied) {
			r.Action = "s3:ListBucket"
			r.Message = "s3:ListBucket on s3://" + le.Bucket + "/" + le.Prefix + " was denied: " + awsMessage(err)
		}
		return err
	}
	return err
}
