package onboard

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/curconnect/curconnect/billingconn"
)

// State is where a connection is in the flow.
type State string

// States. A connection starts pending, is verifying while a verification
// runs, and settles connected (every check passed) or failing (a check
// failed: its remediation says what the customer must change).
const (
	StatePending   State = "pending"
	StateVerifying State = "verifying"
	StateConnected State = "connected"
	StateFailing   State = "failing"
)

// Connection is one payer account a tenant connects: the settings the
// customer chose, the external ID the server generated for it, the role
// ARN the customer returned, and the outcome of the last verification.
//
// A Connection never prints or logs its external ID: String, the fmt
// verbs, slog and encoding/json show it as REDACTED (as billingconn's
// Connection does), so JSON written by MarshalJSON cannot be stored and
// read back: a Store keeps the fields itself. The JSON API writes the
// fields its contract names.
type Connection struct {
	// ID identifies the connection; random, unguessable, URL-safe.
	ID string
	// Tenant is the platform's tenant that owns the connection, as the
	// handler's TenantFunc returned it.
	Tenant string
	// Profile names the consumer profile the report is checked against
	// (Options.Profiles), e.g. "optima".
	Profile string
	// PayerAccountID, Bucket, Prefix and ReportName are the customer's
	// settings: the payer (management) account, where the reports land, and
	// the report's or export's name.
	PayerAccountID string
	Bucket         string
	Prefix         string
	ReportName     string
	// ExternalID is the sts:ExternalId the customer's role trusts: made by
	// iampolicy.NewExternalID on the server when the connection is
	// created, never taken from a request.
	ExternalID string
	// RoleARN is the customer's role, as returned or derived; empty until
	// the customer returns it.
	RoleARN string
	// Definition is the report definition or export the customer pasted
	// (the AWS CLI's JSON), or empty.
	Definition string
	// State is the state as stored: pending, verifying, connected or
	// failing. While a verification's lease has expired (its process
	// stopped), the connection is in the state its last checks say
	// (EffectiveState).
	State State
	// Checks are the last verification's results, in order.
	Checks []Check
	// CreatedAt and UpdatedAt are when the connection was created and last
	// written.
	CreatedAt, UpdatedAt time.Time
	// VerifyStartedAt is when the last verification started (the rate
	// limit counts from it); VerifiedAt is when the last one finished.
	VerifyStartedAt, VerifiedAt time.Time
	// ConnectedAt is when the connection last became connected; zero
	// unless it is connected.
	ConnectedAt time.Time
	// VerifyToken identifies the verification that holds the connection
	// (its lease, with VerifyStartedAt); empty when none does. Only that
	// verification may write its results.
	VerifyToken string
	// Version counts the writes; Store.Update writes only over the version
	// it was read at.
	Version int64
}

// Check is the result of one verification step, as the JSON API and
// examples/verify -json show it, plus the findings of the report-definition
// step.
type Check struct {
	ID          billingconn.CheckID `json:"id"`
	Status      billingconn.Status  `json:"status"`
	Code        string              `json:"code"`
	Message     string              `json:"message"`
	Remediation string              `json:"remediation"`
	Retryable   bool                `json:"retryable"`
	Hint        string              `json:"hint"`
	// Findings are the report-definition step's findings, if any.
	Findings billingconn.Findings `json:"findings,omitempty"`
}

// checkFrom converts a verification result.
func checkFrom(r billingconn.CheckResult) Check {
	return Check{ID: r.ID, Status: r.Status, Code: r.Code, Message: r.Message, Remediation: r.Remediation,
		Retryable: r.Retryable, Hint: r.Hint, Findings: r.Findings}
}

// BillingConn returns the billingconn.Connection the platform reads with
// (Connection.Resolver, Connection.Config): the settings, the role and the
// external ID.
func (c Connection) BillingConn() billingconn.Connection {
	return billingconn.Connection{
		PayerAccountID: c.PayerAccountID, Bucket: c.Bucket, Prefix: c.Prefix, ReportName: c.ReportName,
		Credentials: billingconn.Credentials{RoleARN: c.RoleARN, ExternalID: c.ExternalID},
	}
}

// EffectiveState returns the state to show at now: State, except that a
// verification whose lease (started at VerifyStartedAt, lasting lease) has
// expired no longer counts, and the connection is in the state its last
// checks say.
func (c Connection) EffectiveState(now time.Time, lease time.Duration) State {
	if c.State != StateVerifying {
		return c.State
	}
	if c.VerifyToken != "" && now.Sub(c.VerifyStartedAt) < lease {
		return StateVerifying
	}
	return settledState(c.Checks)
}

// settledState is the state checks lead to: pending with none, connected
// when every one passed, failing otherwise.
func settledState(checks []Check) State {
	if len(checks) == 0 {
		return StatePending
	}
	for _, c := range checks {
		if c.Status != billingconn.StatusPass {
			return StateFailing
		}
	}
	return StateConnected
}

// WaitingForDelivery reports whether the last verification failed only
// because nothing has been delivered yet (or the report is not among the
// deliveries yet): the role works, and AWS's first delivery can take 24
// hours.
func (c Connection) WaitingForDelivery() bool {
	waiting := false
	for _, ch := range c.Checks {
		if ch.Status != billingconn.StatusFail {
			continue
		}
		if ch.Code != billingconn.CheckCodeNoDeliveryYet && ch.Code != billingconn.CheckCodeReportNotFound {
			return false
		}
		waiting = true
	}
	return waiting
}

// String describes the connection without its external ID.
func (c Connection) String() string {
	return fmt.Sprintf("onboard.Connection{ID:%s Tenant:%s Profile:%s PayerAccountID:%s Bucket:%s Prefix:%s ReportName:%s RoleARN:%s ExternalID:%s State:%s}",
		c.ID, c.Tenant, c.Profile, c.PayerAccountID, c.Bucket, c.Prefix, c.ReportName, c.RoleARN, redactedIf(c.ExternalID), c.State)
}

// Format implements fmt.Formatter so that every verb, %#v included, prints
// String's redacted form.
func (c Connection) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// LogValue implements slog.LogValuer without the external ID.
func (c Connection) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", c.ID), slog.String("tenant", c.Tenant), slog.String("profile", c.Profile),
		slog.String("payerAccountId", c.PayerAccountID), slog.String("bucket", c.Bucket), slog.String("prefix", c.Prefix),
		slog.String("reportName", c.ReportName), slog.String("roleArn", c.RoleARN), slog.String("state", string(c.State)),
	)
}

// MarshalJSON writes the connection with its external ID redacted, for
// logs and debugging; the JSON API has its own shapes.
func (c Connection) MarshalJSON() ([]byte, error) {
	type plain Connection
	p := plain(c)
	p.ExternalID = redactedIf(c.ExternalID)
	return json.Marshal(p)
}

func redactedIf(s string) string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}
