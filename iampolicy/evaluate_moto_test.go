package iampolicy_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/awserr"
)

// s3Call is one S3 request of the differential matrix: what moto is asked,
// and the IAM request it stands for.
type s3Call struct {
	name     string
	action   string
	resource string
	do       func(ctx context.Context, c *s3.Client) error
}

func s3Calls() []s3Call {
	getObj := func(b, k string) s3Call {
		return s3Call{"GetObject " + b + "/" + k, "s3:GetObject", "arn:aws:s3:::" + b + "/" + k, func(ctx context.Context, c *s3.Client) error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
			if err == nil {
				out.Body.Close()
			}
			return err
		}}
	}
	list := func(b, prefix string) s3Call {
		return s3Call{"ListObjectsV2 " + b + "?prefix=" + prefix, "s3:ListBucket", "arn:aws:s3:::" + b, func(ctx context.Context, c *s3.Client) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(prefix)})
			return err
		}}
	}
	put := func(b, k string) s3Call {
		return s3Call{"PutObject " + b + "/" + k, "s3:PutObject", "arn:aws:s3:::" + b + "/" + k, func(ctx context.Context, c *s3.Client) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader("x")})
			return err
		}}
	}
	del := func(b, k string) s3Call {
		return s3Call{"DeleteObject " + b + "/" + k, "s3:DeleteObject", "arn:aws:s3:::" + b + "/" + k, func(ctx context.Context, c *s3.Client) error {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
			return err
		}}
	}
	return []s3Call{
		getObj(enfBucket, enfKeys[enfBucket][0]),
		getObj(enfBucket, enfKeys[enfBucket][1]),
		getObj(enfBucket, "private/secret.txt"),
		getObj(enfOther, "cur/x.csv"),
		list(enfBucket, "cur"),
		list(enfOther, "cur"),
		put(enfBucket, "cur/new.csv"),
		put(enfOther, "cur/new.csv"),
		del(enfBucket, "private/secret.txt"),
	}
}

// TestEvaluateAgreesWithMoto runs a matrix of S3 calls, for roles with
// several policies (the generated one, the classic hand-written mistakes,
// an explicit Deny, NotAction, wildcards), against moto's IAM
// enforcement, and requires Evaluate to give the same answer for each.
func TestEvaluateAgreesWithMoto(t *testing.T) {
	mustParse := func(s string) iampolicy.Policy {
		p, err := iampolicy.Parse([]byte(s))
		require.NoError(t, err)
		return p
	}
	policies := map[string]iampolicy.Policy{
		// GetObject on the bucket ARN without /*, ListBucket on bucket/*.
		"mistaken": mustParse(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["s3:GetObject","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::cur-billing-bucket"},
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::cur-billing-bucket/*"}]}`),
		// Everything on both buckets, with an explicit Deny that wins.
		"deny-wins": mustParse(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:*","Resource":"*"},
			{"Sid":"NoPrivate","Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::cur-billing-bucket/private/*","arn:aws:s3:::other-bucket","arn:aws:s3:::other-bucket/*"]}]}`),
		// Wildcards in actions and resources, NotAction.
		"wildcards": mustParse(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::cur-*/cur/*"},
			{"Effect":"Allow","Action":"s3:List*","Resource":"arn:aws:s3:::*"},
			{"Effect":"Allow","NotAction":["s3:Get*","s3:List*","s3:Delete*"],"Resource":"arn:aws:s3:::other-bucket/*"}]}`),
		// "*" inside a key pattern, crossing "/". Left out, because moto 5
		// gets them wrong and the evaluator's own table tests cover them:
		// NotResource (moto treats the statement as matching every
		// resource) and "?" (moto reads it as a regular expression).
		"mid-wildcard": mustParse(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::cur-billing-bucket/cur/*/2024*-*/*"}]}`),
	}
	a := setupMotoAccess(t, policies)
	policies["cur-reader"] = a.policy
	ctx := t.Context()

	names := make([]string, 0, len(policies))
	for n := range policies {
		names = append(names, n)
	}
	sort.Strings(names)
	allowed, denied := 0, 0
	for _, name := range names {
		c, err := a.assumeRole(ctx, a.roleARNs[name], a.externalID)
		require.NoError(t, err, name)
		for _, call := range s3Calls() {
			t.Run(fmt.Sprintf("%s/%s", name, call.name), func(t *testing.T) {
				err := call.do(ctx, c)
				motoAllowed := err == nil
				if err != nil {
					require.ErrorIs(t, awserr.Classify(err), awserr.ErrAccessDenied, "moto failed for another reason: %v", err)
				}
				d := iampolicy.Evaluate(iampolicy.Request{Action: call.action, Resource: call.resource}, policies[name])
				assert.Equal(t, motoAllowed, d.IsAllowed(), "moto allowed=%v, evaluator: %s", motoAllowed, d)
				if motoAllowed {
					allowed++
				} else {
					denied++
				}
			})
		}
	}
	// The matrix must exercise both answers, or agreement proves nothing.
	assert.Greater(t, allowed, 5)
	assert.Greater(t, denied, 5)
}
