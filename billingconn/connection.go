package billingconn

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

// Connection is what a platform stores to read one customer's billing data:
// the payer account, where the reports land, which report or export to read,
// and how to get in.
//
// A Connection never prints, logs or marshals its secrets: String, the fmt
// verbs (%v, %+v, %#v, %s, %q), slog and encoding/json all show the secret
// access key and the external ID as "REDACTED" and the access key ID
// shortened to its first and last four characters. JSON written by
// MarshalJSON therefore cannot be read back into working credentials; store
// secrets elsewhere.
type Connection struct {
	// PayerAccountID is the 12-digit management (payer) account that owns
	// the report.
	PayerAccountID string `json:"payerAccountId"`
	// Bucket is the S3 bucket the reports are delivered to.
	Bucket string `json:"bucket"`
	// Prefix is the report's S3 prefix (the definition's S3Prefix), exactly
	// as configured; it may be empty.
	Prefix string `json:"prefix,omitempty"`
	// ReportName is the legacy report's ReportName or the Data Export's Name.
	// It may be empty when the platform reads whatever it discovers.
	ReportName string `json:"reportName,omitempty"`
	// Region is the bucket's region (Verification.BucketRegion tells it),
	// which Config uses for S3 calls; empty keeps the configuration's own.
	Region string `json:"region,omitempty"`
	// Credentials say how the platform gets in.
	Credentials Credentials `json:"credentials"`
}

// Credentials hold either a role to assume with an external ID (preferred)
// or an IAM user's access key pair (legacy), never both.
type Credentials struct {
	// RoleARN is the cross-account role the platform assumes,
	// arn:aws:iam::<account>:role/<name>.
	RoleARN string `json:"roleArn,omitempty"`
	// ExternalID is the sts:ExternalId the role's trust policy requires.
	// It is required with RoleARN.
	ExternalID string `json:"externalId,omitempty"`
	// AccessKeyID is a legacy IAM user's access key ID (AKIA…).
	AccessKeyID string `json:"accessKeyId,omitempty"`
	// SecretAccessKey is the legacy IAM user's secret access key.
	SecretAccessKey string `json:"secretAccessKey,omitempty"`
}

// CredentialsKind says which kind of credentials a Connection carries.
type CredentialsKind string

// Kinds of Credentials.
const (
	CredentialsNone      CredentialsKind = ""
	CredentialsRole      CredentialsKind = "role"
	CredentialsAccessKey CredentialsKind = "access-key"
)

// Kind returns CredentialsRole when a role ARN is set, CredentialsAccessKey
// when an access key ID or secret is set (and no role), else CredentialsNone.
func (c Credentials) Kind() CredentialsKind {
	switch {
	case c.RoleARN != "":
		return CredentialsRole
	case c.AccessKeyID != "" || c.SecretAccessKey != "":
		return CredentialsAccessKey
	}
	return CredentialsNone
}

const redacted = "REDACTED"

// redactedCredentials is what every printing and marshalling path shows.
type redactedCredentials struct {
	RoleARN         string `json:"roleArn,omitempty"`
	ExternalID      string `json:"externalId,omitempty"`
	AccessKeyID     string `json:"accessKeyId,omitempty"`
	SecretAccessKey string `json:"secretAccessKey,omitempty"`
}

func (c Credentials) redacted() redactedCredentials {
	r := redactedCredentials{RoleARN: c.RoleARN, AccessKeyID: maskKeyID(c.AccessKeyID)}
	if c.ExternalID != "" {
		r.ExternalID = redacted
	}
	if c.SecretAccessKey != "" {
		r.SecretAccessKey = redacted
	}
	return r
}

// maskKeyID keeps the first and last four characters of an access key ID
// (enough to tell keys apart in a console) and hides the rest.
func maskKeyID(id string) string {
	if id == "" {
		return ""
	}
	if len(id) <= 8 {
		return redacted
	}
	return id[:4] + "…" + id[len(id)-4:]
}

// String returns a one-line description with secrets redacted.
func (c Credentials) String() string {
	r := c.redacted()
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("RoleARN", r.RoleARN)
	add("ExternalID", r.ExternalID)
	add("AccessKeyID", r.AccessKeyID)
	add("SecretAccessKey", r.SecretAccessKey)
	return "{" + strings.Join(parts, " ") + "}"
}

// Format implements fmt.Formatter so that every verb, including %+v and
// %#v, prints the redacted form.
func (c Credentials) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue implements slog.LogValuer with secrets redacted.
func (c Credentials) LogValue() slog.Value {
	r := c.redacted()
	var attrs []slog.Attr
	for _, a := range []slog.Attr{
		slog.String("roleArn", r.RoleARN), slog.String("externalId", r.ExternalID),
		slog.String("accessKeyId", r.AccessKeyID), slog.String("secretAccessKey", r.SecretAccessKey),
	} {
		if a.Value.String() != "" {
			attrs = append(attrs, a)
		}
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON writes the credentials with secrets redacted.
func (c Credentials) MarshalJSON() ([]byte, error) { return json.Marshal(c.redacted()) }

// String returns a one-line description with secrets redacted.
func (c Connection) String() string {
	return fmt.Sprintf("{PayerAccountID=%s Bucket=%s Prefix=%q ReportName=%q Credentials=%s}",
		c.PayerAccountID, c.Bucket, c.Prefix, c.ReportName, c.Credentials.String())
}

// Format implements fmt.Formatter so that every verb prints the redacted form.
func (c Connection) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue implements slog.LogValuer with secrets redacted.
func (c Connection) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("payerAccountId", c.PayerAccountID),
		slog.String("bucket", c.Bucket),
		slog.String("prefix", c.Prefix),
		slog.String("reportName", c.ReportName),
		slog.Any("credentials", c.Credentials),
	)
}

// MarshalJSON writes the connection with secrets redacted.
func (c Connection) MarshalJSON() ([]byte, error) {
	type plain Connection // drops the methods, keeps the tags
	p := plain(c)
	return json.Marshal(struct {
		plain
		Credentials redactedCredentials `json:"credentials"`
	}{plain: p, Credentials: c.Credentials.redacted()})
}

func formatRedacted(f fmt.State, verb rune, s string) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s)
	default:
		// %v, %+v, %#v, %s and any other verb print the redacted text.
		_, _ = f.Write([]byte(s))
	}
}

var (
	reportNameRE  = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()]+$`)
	accessKeyIDRE = regexp.MustCompile(`^(AKIA|ASIA)[A-Z2-7]{16}$`)
	// legacyBucketRE is the us-east-1 naming rule before March 2018.
	legacyBucketRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{3,255}$`)
)

// Validate checks every field and returns all problems at once, as
// errors.Join of *curerr.FieldError (each wrapping curerr.ErrMalformed). It checks shapes
// only, offline; verification against AWS is a separate step. No message
// repeats a secret.
func (c Connection) Validate() error {
	var errs []*curerr.FieldError
	add := func(field string, err error) {
		if err == nil {
			return
		}
		var fe *curerr.FieldError
		if errors.As(err, &fe) {
			errs = append(errs, &curerr.FieldError{Field: field, Msg: fe.Msg, Err: fe.Err})
			return
		}
		errs = append(errs, &curerr.FieldError{Field: field, Msg: err.Error()})
	}
	if c.PayerAccountID == "" {
		add("PayerAccountID", errors.New("is empty"))
	} else {
		add("PayerAccountID", iampolicy.ValidateAccountID(c.PayerAccountID))
	}
	switch {
	case c.Bucket == "":
		add("Bucket", errors.New("is empty"))
	case legacyBucketRE.MatchString(c.Bucket) && iampolicy.ValidateBucketName(c.Bucket) != nil:
		// A bucket created in us-east-1 before March 2018 may have capitals
		// and underscores and up to 255 characters; CUR delivers to such
		// buckets (its S3Bucket pattern is [A-Za-z0-9_.-]+), so accept them.
	default:
		add("Bucket", iampolicy.ValidateBucketName(c.Bucket))
	}
	add("Prefix", iampolicy.ValidatePrefix(c.Prefix))
	if c.Region != "" {
		if _, err := iampolicy.RegionPartition(c.Region); err != nil {
			add("Region", fmt.Errorf("%q is not an AWS region code like eu-west-1", c.Region))
		}
	}
	if c.ReportName != "" {
		if len(c.ReportName) > 256 {
			add("ReportName", fmt.Errorf("is %d characters; AWS allows up to 256", len(c.ReportName)))
		} else if !reportNameRE.MatchString(c.ReportName) {
			add("ReportName", fmt.Errorf("%q has characters AWS does not allow in a report or export name (allowed: letters, digits and !-_.*'())", c.ReportName))
		}
	}
	cr := c.Credentials
	hasKeys := cr.AccessKeyID != "" || cr.SecretAccessKey != ""
	switch {
	case cr.RoleARN == "" && !hasKeys:
		add("Credentials", errors.New("are empty: set RoleARN and ExternalID (preferred) or an access key pair (legacy)"))
	case cr.RoleARN != "" && hasKeys:
		add("Credentials", errors.New("hold both a role and an access key pair: set one"))
	case cr.RoleARN != "":
		add("Credentials.RoleARN", validateRoleARN(cr.RoleARN))
		add("Credentials.ExternalID", iampolicy.ValidateExternalID(cr.ExternalID))
	default:
		if cr.ExternalID != "" {
			add("Credentials.ExternalID", errors.New("is set without a RoleARN; an external ID only applies to AssumeRole"))
		}
		switch {
		case cr.AccessKeyID == "":
			add("Credentials.AccessKeyID", errors.New("is empty but a secret access key is set"))
		case !accessKeyIDRE.MatchString(cr.AccessKeyID):
			add("Credentials.AccessKeyID", fmt.Errorf("is not an access key ID (AKIA or ASIA and 16 more of A-Z, 2-7; %d characters given)", len(cr.AccessKeyID)))
		}
		switch {
		case cr.SecretAccessKey == "":
			add("Credentials.SecretAccessKey", errors.New("is empty but an access key ID is set"))
		case len(cr.SecretAccessKey) != 40:
			add("Credentials.SecretAccessKey", fmt.Errorf("is %d characters; a secret access key has 40", len(cr.SecretAccessKey)))
		}
	}
	return joinFieldErrors(errs)
}

// validateRoleARN accepts arn:<partition>:iam::<12 digits>:role/<path/>name.
func validateRoleARN(s string) error {
	a, err := iampolicy.ParseARN(s)
	if err != nil {
		return err
	}
	if a.Service != "iam" || a.Region != "" || a.AccountID == "" ||
		!strings.HasPrefix(a.Resource, "role/") || len(a.Resource) == len("role/") {
		return fmt.Errorf("%q is not an IAM role ARN (arn:%s:iam::<account>:role/<name>)", s, a.Partition)
	}
	return nil
}
