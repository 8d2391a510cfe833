// Package storetest holds the tests every onboard.Store must pass, as
// golang.org/x/net/nettest holds those of a net.Conn: a platform that
// keeps its connections in its own database runs them against its own
// Store.
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) onboard.Store { return newMyStore(t) })
//	}
//
// The package's own MemoryStore and SQLStore (on SQLite and PostgreSQL) run
// the same tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/curreader/curerr"
)

// Run runs every store test, each on a new, empty store from newStore.
func Run(t *testing.T, newStore func(t *testing.T) onboard.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, onboard.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"CreateTwice", testCreateTwice},
		{"TenantsAreApart", testTenantsAreApart},
		{"ListOrder", testListOrder},
		{"UpdateIsCompareAndSwap", testUpdateCAS},
		{"ConcurrentWritersDoNotInterleave", testConcurrentWriters},
		{"Delete", testDelete},
		{"ReturnsCopies", testReturnsCopies},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var base = time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)

// Sample returns a connection with every field set, for tenant and id.
func Sample(tenant, id string, created time.Time) onboard.Connection {
	return onboard.Connection{
		ID: id, Tenant: tenant, Profile: "optima",
		PayerAccountID: "111122223333", Bucket: "acme-billing", Prefix: "cur/daily", ReportName: "acme-cur",
		ExternalID: "EXTERNALID" + id, RoleARN: "arn:aws:iam::111122223333:role/curconnect-billing-read",
		Definition: `{"ReportDefinition": {"ReportName": "acme-cur"}}`,
		State:      onboard.StateFailing,
		Checks: []onboard.Check{
			{ID: billingconn.CheckCredentials, Status: billingconn.StatusPass, Message: "caller arn:aws:iam::451234325714:user/platform"},
			{ID: billingconn.CheckManifest, Status: billingconn.StatusFail, Code: billingconn.CheckCodeNoDeliveryYet,
				Message: "no delivery yet", Remediation: "Wait: the first delivery can take 24 hours.", Retryable: true, Hint: "ErrNoDeliveryYet"},
			{ID: billingconn.CheckReportDefinition, Status: billingconn.StatusFail, Code: "TIME_UNIT_NOT_HOURLY", Findings: billingconn.Findings{
				{Code: billingconn.CodeTimeUnitNotHourly, Severity: billingconn.SeverityError, Field: "TimeUnit", Message: "optima needs HOURLY", Profile: "optima"},
			}},
		},
		CreatedAt: created, UpdatedAt: created.Add(time.Second),
		VerifyStartedAt: created.Add(2 * time.Second), VerifiedAt: created.Add(3 * time.Second),
	}
}

func testRoundTrip(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	want := Sample("acme", "c1", base)
	got, err := s.Create(ctx, want)
	require.NoError(t, err)
	want.Version = 1
	assert.Equal(t, want, got, "Create returns what it stored, at version 1")
	read, err := s.Get(ctx, "acme", "c1")
	require.NoError(t, err)
	assert.Equal(t, want, read)

	// Zero times and no checks come back as such.
	bare := onboard.Connection{ID: "c2", Tenant: "acme", Profile: "eco", PayerAccountID: "111122223333", Bucket: "b-b-b", ExternalID: "x", State: onboard.StatePending, CreatedAt: base}
	_, err = s.Create(ctx, bare)
	require.NoError(t, err)
	read, err = s.Get(ctx, "acme", "c2")
	require.NoError(t, err)
	bare.Version = 1
	assert.Equal(t, bare, read)
	assert.True(t, read.ConnectedAt.IsZero())
	assert.Nil(t, read.Checks)
}

func testCreateTwice(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	_, err := s.Create(ctx, Sample("acme", "c1", base))
	require.NoError(t, err)
	_, err = s.Create(ctx, Sample("globex", "c1", base))
	require.ErrorIs(t, err, onboard.ErrExists, "an ID is unique across tenants")
	got, err := s.Get(ctx, "acme", "c1")
	require.NoError(t, err)
	assert.Equal(t, "acme", got.Tenant)
	_, err = s.Get(ctx, "globex", "c1")
	require.ErrorIs(t, err, onboard.ErrNotFound)
}

func testTenantsAreApart(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	a, err := s.Create(ctx, Sample("acme", "a1", base))
	require.NoError(t, err)
	_, err = s.Create(ctx, Sample("globex", "g1", base))
	require.NoError(t, err)

	_, err = s.Get(ctx, "globex", "a1")
	require.ErrorIs(t, err, onboard.ErrNotFound)
	require.ErrorIs(t, err, curerr.ErrNotFound)
	_, err = s.Get(ctx, "", "a1")
	require.ErrorIs(t, err, onboard.ErrNotFound, "the empty tenant is a tenant like any other")

	list, err := s.List(ctx, "globex")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "g1", list[0].ID)
	list, err = s.List(ctx, "initech")
	require.NoError(t, err)
	assert.Empty(t, list)

	// Another tenant can neither overwrite nor delete.
	stolen := a
	stolen.Tenant = "globex"
	stolen.Bucket = "globex-bucket"
	_, err = s.Update(ctx, stolen)
	require.ErrorIs(t, err, onboard.ErrNotFound)
	require.ErrorIs(t, s.Delete(ctx, "globex", "a1"), onboard.ErrNotFound)
	got, err := s.Get(ctx, "acme", "a1")
	require.NoError(t, err)
	assert.Equal(t, a, got, "unchanged")
}

func testListOrder(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	for _, c := range []onboard.Connection{
		Sample("acme", "z", base.Add(-time.Hour)),
		Sample("acme", "b", base),
		Sample("acme", "a", base),
		Sample("acme", "m", base.Add(time.Nanosecond)),
	} {
		_, err := s.Create(ctx, c)
		require.NoError(t, err)
	}
	list, err := s.List(ctx, "acme")
	require.NoError(t, err)
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{"z", "a", "b", "m"}, ids, "oldest first, then by ID")
}

func testUpdateCAS(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	c, err := s.Create(ctx, Sample("acme", "c1", base))
	require.NoError(t, err)
	stale := c

	c.State = onboard.StateConnected
	c.ConnectedAt = base.Add(time.Minute)
	c.Checks = c.Checks[:1]
	c2, err := s.Update(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, int64(2), c2.Version)
	got, err := s.Get(ctx, "acme", "c1")
	require.NoError(t, err)
	assert.Equal(t, c2, got)

	stale.RoleARN = "arn:aws:iam::111122223333:role/other"
	_, err = s.Update(ctx, stale)
	require.ErrorIs(t, err, onboard.ErrConflict, "a write over an old version is refused")
	got, err = s.Get(ctx, "acme", "c1")
	require.NoError(t, err)
	assert.Equal(t, c2, got, "and changes nothing")

	missing := Sample("acme", "nope", base)
	missing.Version = 1
	_, err = s.Update(ctx, missing)
	require.ErrorIs(t, err, onboard.ErrNotFound)
}

// testConcurrentWriters: writers that read, change and write back with
// retries on ErrConflict lose no write, however they interleave.
func testConcurrentWriters(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	c := Sample("acme", "c1", base)
	c.Checks = nil
	_, err := s.Create(ctx, c)
	require.NoError(t, err)
	const writers, each = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := appendCheck(ctx, s, fmt.Sprintf("w%d-%d", w, i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got, err := s.Get(ctx, "acme", "c1")
	require.NoError(t, err)
	assert.Len(t, got.Checks, writers*each, "every write is there")
	assert.Equal(t, int64(1+writers*each), got.Version)
	seen := map[string]bool{}
	for _, ch := range got.Checks {
		assert.False(t, seen[ch.Message], "written once: %s", ch.Message)
		seen[ch.Message] = true
	}
}

func appendCheck(ctx context.Context, s onboard.Store, msg string) error {
	for range 1000 {
		c, err := s.Get(ctx, "acme", "c1")
		if err != nil {
			return err
		}
		c.Checks = append(c.Checks, onboard.Check{ID: billingconn.CheckCredentials, Status: billingconn.StatusPass, Message: msg})
		_, err = s.Update(ctx, c)
		if errors.Is(err, onboard.ErrConflict) {
			continue
		}
		return err
	}
	return errors.New("storetest: too many conflicts")
}

func testDelete(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	_, err := s.Create(ctx, Sample("acme", "c1", base))
	require.NoError(t, err)
	require.NoError(t, s.Delete(ctx, "acme", "c1"))
	_, err = s.Get(ctx, "acme", "c1")
	require.ErrorIs(t, err, onboard.ErrNotFound)
	require.ErrorIs(t, s.Delete(ctx, "acme", "c1"), onboard.ErrNotFound)
	list, err := s.List(ctx, "acme")
	require.NoError(t, err)
	assert.Empty(t, list)
}

func testReturnsCopies(t *testing.T, s onboard.Store) {
	ctx := t.Context()
	c, err := s.Create(ctx, Sample("acme", "c1", base))
	require.NoError(t, err)
	c.Checks[0].Message = "changed by the caller"
	c.Checks[2].Findings[0].Message = "changed by the caller"
	got, err := s.Get(ctx, "acme", "c1")
	require.NoError(t, err)
	got.Checks[1].Message = "changed again"
	again, err := s.Get(ctx, "acme", "c1")
	require.NoError(t, err)
	assert.Equal(t, Sample("acme", "c1", base).Checks, again.Checks, "a caller's changes never reach the store")
}
