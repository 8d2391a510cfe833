package onboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/curconnect/curconnect/billingconn"
)

// ErrVerifying is returned while another verification of the same
// connection runs: one connection runs one verification at a time.
var ErrVerifying = errors.New("onboard: a verification of this connection is running")

// ErrLeaseLost is returned when a verification ran longer than its lease
// (Options.VerifyTimeout) and another one has taken the connection since:
// its results are dropped.
var ErrLeaseLost = errors.New("onboard: the verification's lease expired before it finished")

// RateLimitError is returned when a connection was verified less than
// Options.MinVerifyInterval ago.
type RateLimitError struct {
	// RetryAfter is how long to wait.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("onboard: verified moments ago; verify again in %d seconds", e.seconds())
}

func (e *RateLimitError) seconds() int { return int(math.Ceil(e.RetryAfter.Seconds())) }

// checkLabels name the checks for the customer.
var checkLabels = map[billingconn.CheckID]string{
	billingconn.CheckCredentials:      "The platform signs in to AWS",
	billingconn.CheckAssumeRole:       "The platform assumes your role with the external ID",
	billingconn.CheckBucketRegion:     "The role finds the bucket",
	billingconn.CheckListPrefix:       "The role lists the report prefix",
	billingconn.CheckManifest:         "The role reads the newest report delivery",
	billingconn.CheckOrganizations:    "The role lists your organization's accounts",
	billingconn.CheckCostExplorer:     "The role reads Cost Explorer",
	billingconn.CheckReportDefinition: "The report's settings suit the platform",
}

// CheckLabel returns the customer-facing name of a verification step.
func CheckLabel(id billingconn.CheckID) string {
	if l, ok := checkLabels[id]; ok {
		return l
	}
	return string(id)
}

// plan returns the checks a verification of c will run, in order: what
// billingconn.Verify plans for the options verify gives it.
func (h *Handler) plan(c Connection) []billingconn.CheckID {
	return billingconn.PlannedChecks(c.BillingConn(), h.clients, h.verifyOptions(c)...)
}

// verifyOptions are the options of c's verification: its profile, its
// pasted definition, then the platform's own.
func (h *Handler) verifyOptions(c Connection) []func(*billingconn.VerifyOptions) {
	opts := []func(*billingconn.VerifyOptions){func(o *billingconn.VerifyOptions) {
		o.Profiles = []*billingconn.Profile{h.profile(c.Profile)}
		if o.Profiles[0] == nil {
			o.Profiles = nil
		}
		if c.Definition != "" {
			if defs, err := billingconn.ParseDefinitions([]byte(c.Definition)); err == nil && len(defs) == 1 {
				o.Definition = &defs[0]
			}
		}
		o.PropagationWait = DefaultPropagationWait
	}}
	return append(opts, h.o.VerifyOptions...)
}

// claim takes the connection for one verification with the given role
// ARN (checked, or derived when empty): the connection becomes verifying
// under a new token, unless another verification holds it (ErrVerifying)
// or the last one started less than MinVerifyInterval ago
// (*RateLimitError).
func (h *Handler) claim(ctx context.Context, tenant, id, rawRoleARN string) (Connection, error) {
	token := newID()
	return update(ctx, h.store, tenant, id, func(c *Connection) error {
		arn, err := h.roleARN(*c, rawRoleARN)
		if err != nil {
			return err
		}
		now := h.o.Now()
		if c.EffectiveState(now, h.o.VerifyTimeout) == StateVerifying {
			return ErrVerifying
		}
		if wait := h.o.MinVerifyInterval - now.Sub(c.VerifyStartedAt); !c.VerifyStartedAt.IsZero() && h.o.MinVerifyInterval > 0 && wait > 0 {
			return &RateLimitError{RetryAfter: wait}
		}
		c.RoleARN = arn
		c.State = StateVerifying
		c.VerifyToken = token
		c.VerifyStartedAt = now
		c.UpdatedAt = now
		return nil
	})
}

// verify runs a claimed verification and stores its outcome; progress, if
// set, sees each check as it ends. The verification outlives ctx's
// cancellation (the customer may close the page) but not
// Options.VerifyTimeout.
func (h *Handler) verify(ctx context.Context, c Connection, progress func(Check)) (Connection, error) {
	token := c.VerifyToken
	vctx, cancel := context.WithTimeout(detached(ctx), h.o.VerifyTimeout*9/10)
	defer cancel()
	opts := append(h.verifyOptions(c), func(o *billingconn.VerifyOptions) {
		platformHook := o.OnCheck
		o.OnCheck = func(r billingconn.CheckResult) {
			if platformHook != nil {
				platformHook(r)
			}
			if progress != nil {
				progress(checkFrom(r))
			}
		}
	})
	rep, verr := billingconn.Verify(vctx, c.BillingConn(), h.clients, opts...)
	var checks []Check
	if rep != nil {
		for _, r := range rep.Checks {
			checks = append(checks, checkFrom(r))
		}
	}
	if verr != nil && vctx.Err() != nil {
		// Out of time: the checks so far, and one that says so.
		next := billingconn.CheckID("verification")
		if plan := h.plan(c); len(checks) < len(plan) {
			next = plan[len(checks)]
		}
		ch := Check{ID: next, Status: billingconn.StatusFail, Code: "TIMEOUT", Retryable: true,
			Message:     fmt.Sprintf("the verification did not finish within %s", h.o.VerifyTimeout*9/10),
			Remediation: "AWS did not answer in time. Verify again in a few minutes."}
		checks = append(checks, ch)
		if progress != nil {
			progress(ch)
		}
		verr = nil
	}
	if verr != nil {
		// Verify could not run (an invalid connection): give the lease back.
		h.log.LogAttrs(ctx, slog.LevelError, "onboard: verification could not run", slog.String("tenant", c.Tenant), slog.String("id", c.ID), slog.String("error", verr.Error()))
		_, _ = update(detached(ctx), h.store, c.Tenant, c.ID, func(c *Connection) error {
			if c.VerifyToken != token {
				return ErrLeaseLost
			}
			c.State, c.VerifyToken = settledState(c.Checks), ""
			return nil
		})
		return Connection{}, verr
	}

	var becameConnected bool
	out, err := update(detached(ctx), h.store, c.Tenant, c.ID, func(c *Connection) error {
		becameConnected = false
		if c.VerifyToken != token {
			return ErrLeaseLost
		}
		now := h.o.Now()
		c.Checks = checks
		c.State = settledState(checks)
		c.VerifyToken = ""
		c.VerifiedAt = now
		c.UpdatedAt = now
		if c.State == StateConnected {
			if c.ConnectedAt.IsZero() {
				c.ConnectedAt = now
				becameConnected = true
			}
		} else {
			c.ConnectedAt = time.Time{}
		}
		return nil
	})
	if err != nil {
		return Connection{}, err
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "onboard: verified", slog.String("tenant", out.Tenant), slog.String("id", out.ID),
		slog.String("state", string(out.State)), slog.Int("failed", countFailed(out.Checks)))
	if becameConnected && h.o.OnConnected != nil {
		h.o.OnConnected(detached(ctx), out.Tenant, out)
	}
	return out, nil
}

func countFailed(checks []Check) int {
	n := 0
	for _, c := range checks {
		if c.Status == billingconn.StatusFail {
			n++
		}
	}
	return n
}

// Verify verifies the tenant's connection again with the role ARN it
// holds, as a platform's scheduler may do for a connection waiting for its
// first delivery; the rate limit and the one-at-a-time rule apply. It
// returns the stored connection, ErrNotFound, ErrVerifying, a
// *RateLimitError, or an error wrapping curerr.ErrMalformed when the
// connection has no role ARN yet.
func (h *Handler) Verify(ctx context.Context, tenant, id string) (Connection, error) {
	c, err := h.store.Get(ctx, tenant, id)
	if err != nil {
		return Connection{}, err
	}
	if c.RoleARN == "" {
		return Connection{}, fieldErr("roleArn", "The connection has no role yet.")
	}
	c, err = h.claim(ctx, tenant, id, c.RoleARN)
	if err != nil {
		return Connection{}, err
	}
	return h.verify(ctx, c, nil)
}
