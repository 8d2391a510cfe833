package iampolicy

import (
	"errors"
	"testing"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// FuzzPolicyRoundTrip checks that Parse never panics, that every failure is
// curerr.ErrMalformed, and that a parsed policy writes, re-reads and re-writes to
// the same bytes.
func FuzzPolicyRoundTrip(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
		`{"Statement":[{"Sid":"A","Effect":"Deny","NotAction":["s3:*"],"NotResource":"*","Principal":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["1","2"],"Service":"x"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"},"Bool":{"k":true},"NumericLessThan":{"n":1e3}}}]}`,
		`{"Id":"x","Statement":[]}`,
		`[]`, `null`, `{"Statement":[{"Effect":"Allow","Action":[]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !errors.Is(err, curerr.ErrMalformed) {
				t.Fatalf("error does not wrap curerr.ErrMalformed: %v", err)
			}
			return
		}
		b1, err := p.JSON()
		if err != nil {
			t.Fatalf("encode parsed policy: %v", err)
		}
		p2, err := Parse(b1)
		if err != nil {
			t.Fatalf("re-parse own output: %v\n%s", err, b1)
		}
		b2, err := p2.JSON()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if string(b1) != string(b2) {
			t.Fatalf("round trip not stable:\n%s\n%s", b1, b2)
		}
		_ = p2.Validate()
		_, _ = Size(p2)
	})
}
