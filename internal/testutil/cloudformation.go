package testutil

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// CloudFormation calls moto_server's CloudFormation query API with
// SigV4-signed form posts, as the console does when a customer creates a
// stack from a quick-create link. The module does not depend on the
// CloudFormation SDK client for the handful of calls tests make.
type CloudFormation struct {
	Endpoint string
	Creds    aws.Credentials
	Region   string
}

// CloudFormation returns a client of the server's CloudFormation with its
// root credentials (call it while IAM enforcement is off).
func (m *Moto) CloudFormation(ctx context.Context) (*CloudFormation, error) {
	cfg := m.AWSConfig()
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	return &CloudFormation{Endpoint: m.Endpoint, Creds: creds, Region: cfg.Region}, nil
}

// CFNError is an error answer of the CloudFormation query API.
type CFNError struct {
	Action, Code, Message, Body string
	Status                      int
}

func (e *CFNError) Error() string {
	return fmt.Sprintf("cloudformation %s: HTTP %d %s: %s", e.Action, e.Status, e.Code, e.Message)
}

func (c *CloudFormation) call(ctx context.Context, form url.Values, out any) error {
	form.Set("Version", "2010-05-15")
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+"/", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, c.Creds, req, hex.EncodeToString(sum[:]), "cloudformation", c.Region, time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		e := &CFNError{Action: form.Get("Action"), Status: resp.StatusCode, Body: string(data)}
		var x struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if xml.Unmarshal(data, &x) == nil {
			e.Code, e.Message = x.Code, x.Message
		}
		return e
	}
	if out == nil {
		return nil
	}
	return xml.Unmarshal(data, out)
}

// CreateStack creates a stack from the template at templateURL (an S3 URL
// the server can read) with the given parameters, acknowledging
// CAPABILITY_NAMED_IAM as the customer does on the quick-create page.
func (c *CloudFormation) CreateStack(ctx context.Context, name, templateURL string, params map[string]string) error {
	return c.createStack(ctx, name, "TemplateURL", templateURL, params)
}

// CreateStackBody is CreateStack with the template's text itself.
func (c *CloudFormation) CreateStackBody(ctx context.Context, name, body string, params map[string]string) error {
	return c.createStack(ctx, name, "TemplateBody", body, params)
}

// createStack creates a stack from the template at templateKey
// (TemplateURL or TemplateBody).
func (c *CloudFormation) createStack(ctx context.Context, name, templateKey, template string, params map[string]string) error {
	form := url.Values{
		"Action":                {"CreateStack"},
		"StackName":             {name},
		templateKey:             {template},
		"Capabilities.member.1": {"CAPABILITY_NAMED_IAM"},
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		n := strconv.Itoa(i + 1)
		form.Set("Parameters.member."+n+".ParameterKey", k)
		form.Set("Parameters.member."+n+".ParameterValue", params[k])
	}
	var out struct {
		StackID string `xml:"CreateStackResult>StackId"`
	}
	if err := c.call(ctx, form, &out); err != nil {
		return err
	}
	if out.StackID == "" {
		return fmt.Errorf("cloudformation CreateStack %s returned no StackId", name)
	}
	return nil
}

// DeleteStack deletes a stack and what it created.
func (c *CloudFormation) DeleteStack(ctx context.Context, name string) error {
	return c.call(ctx, url.Values{"Action": {"DeleteStack"}, "StackName": {name}}, nil)
}

// Stack is what DescribeStacks says of a stack.
type Stack struct {
	StackStatus       string
	StackStatusReason string
	Outputs           []struct {
		OutputKey   string
		OutputValue string
	} `xml:"Outputs>member"`
}

// Output returns the value of the stack's output key, or "".
func (s Stack) Output(key string) string {
	for _, o := range s.Outputs {
		if o.OutputKey == key {
			return o.OutputValue
		}
	}
	return ""
}

// WaitStack polls DescribeStacks until the stack leaves CREATE_IN_PROGRESS
// (or a minute has passed).
func (c *CloudFormation) WaitStack(ctx context.Context, name string) (Stack, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		var out struct {
			Stacks []Stack `xml:"DescribeStacksResult>Stacks>member"`
		}
		if err := c.call(ctx, url.Values{"Action": {"DescribeStacks"}, "StackName": {name}}, &out); err != nil {
			return Stack{}, err
		}
		if len(out.Stacks) != 1 {
			return Stack{}, fmt.Errorf("cloudformation DescribeStacks %s: %d stacks", name, len(out.Stacks))
		}
		if s := out.Stacks[0]; s.StackStatus != "CREATE_IN_PROGRESS" || time.Now().After(deadline) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return Stack{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
