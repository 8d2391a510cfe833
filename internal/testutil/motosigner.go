package testutil

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// MotoSigner signs S3 requests the way moto_server checks them while its
// auth is on. moto decodes the query string before it recomputes the
// signature, so a "/" in a query value (prefix=cur/, delimiter=/) must be
// sent, and signed, unescaped; otherwise every listing curreader makes fails
// with SignatureDoesNotMatch. Everything else is plain SigV4. Only tests use
// it, as s3.Options.HTTPSignerV4: real S3 takes the SDK's own signer.
type MotoSigner struct{}

func sigEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), "%2F", "/")
}

func hmacSHA256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// SignHTTP implements the SDK's v4 HTTPSigner.
func (MotoSigner) SignHTTP(_ context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, _ ...func(*v4.SignerOptions)) error {
	amzDate := t.UTC().Format("20060102T150405Z")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, sigEscape(k)+"="+sigEscape(v))
		}
	}
	query := strings.Join(pairs, "&")
	r.URL.RawQuery = query
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	signed := []string{"host", "x-amz-content-sha256", "x-amz-date"}
	headers := map[string]string{"host": host, "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate}
	if c.SessionToken != "" {
		signed = append(signed, "x-amz-security-token")
		headers["x-amz-security-token"] = c.SessionToken
	}
	var canonHeaders strings.Builder
	for _, h := range signed {
		canonHeaders.WriteString(h + ":" + headers[h] + "\n")
	}
	canonical := strings.Join([]string{r.Method, r.URL.EscapedPath(), query, canonHeaders.String(), strings.Join(signed, ";"), payloadHash}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	scope := amzDate[:8] + "/" + region + "/" + service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+c.SecretAccessKey), amzDate[:8])
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "aws4_request")
	r.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		c.AccessKeyID, scope, strings.Join(signed, ";"), hex.EncodeToString(hmacSHA256(key, toSign))))
	return nil
}
