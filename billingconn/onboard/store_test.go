package onboard_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/billingconn/onboard/storetest"
	"github.com/curconnect/curconnect/internal/testutil"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) onboard.Store { return onboard.NewMemoryStore() })
}

// sqliteDSN is how a platform should open SQLite for the store: writers
// wait for each other (busy_timeout) and readers do not block them (WAL).
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
}

func openSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(t.TempDir(), "onboard.db")))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLStoreSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) onboard.Store {
		s, err := onboard.NewSQLStore(t.Context(), openSQLite(t), onboard.SQLite)
		require.NoError(t, err)
		return s
	})
}

// pgCount names the databases the tests create.
var pgCount atomic.Int64

var testTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// openPostgres returns a new, empty database in a throwaway cluster, which
// is stopped and removed when the test that started it ends.
func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	p := testutil.StartPostgres(t)
	name := fmt.Sprintf("onboard_%d", pgCount.Add(1))
	admin, err := sql.Open("pgx", p.DSN("postgres"))
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.ExecContext(t.Context(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	db, err := sql.Open("pgx", p.DSN(name))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLStorePostgres(t *testing.T) {
	// One cluster for every subtest: each gets its own database.
	p := testutil.StartPostgres(t)
	admin, err := sql.Open("pgx", p.DSN("postgres"))
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close() })
	storetest.Run(t, func(t *testing.T) onboard.Store {
		name := fmt.Sprintf("store_%d", pgCount.Add(1))
		_, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+name)
		require.NoError(t, err)
		db, err := sql.Open("pgx", p.DSN(name))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		s, err := onboard.NewSQLStore(t.Context(), db, onboard.Postgres)
		require.NoError(t, err)
		return s
	})
}

// TestSQLStoreMigrates: every process that opens the store at once
// migrates it once; the tables are the prefix's; a schema newer than the
// package is refused.
func TestSQLStoreMigrates(t *testing.T) {
	dbs := map[onboard.Dialect]func(*testing.T) *sql.DB{onboard.SQLite: openSQLite, onboard.Postgres: openPostgres}
	for _, dialect := range []onboard.Dialect{onboard.SQLite, onboard.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			db := dbs[dialect](t)
			ctx := t.Context()
			// Eight replicas start at once on an empty database.
			var wg sync.WaitGroup
			stores := make([]*onboard.SQLStore, 8)
			errs := make([]error, 8)
			for i := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					stores[i], errs[i] = onboard.NewSQLStore(ctx, db, dialect, func(o *onboard.SQLOptions) { o.TablePrefix = "platform_onboard_" })
				}()
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			v, err := stores[0].Version(ctx)
			require.NoError(t, err)
			assert.Equal(t, 2, v)
			var applied int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM platform_onboard_migrations").Scan(&applied))
			assert.Equal(t, 2, applied, "each migration ran once")

			// A connection written by one replica is read by another.
			_, err = stores[3].Create(ctx, storetest.Sample("acme", "c1", testTime))
			require.NoError(t, err)
			got, err := stores[5].Get(ctx, "acme", "c1")
			require.NoError(t, err)
			assert.Equal(t, "acme-billing", got.Bucket)

			// Opening again changes nothing.
			again, err := onboard.NewSQLStore(ctx, db, dialect, func(o *onboard.SQLOptions) { o.TablePrefix = "platform_onboard_" })
			require.NoError(t, err)
			got, err = again.Get(ctx, "acme", "c1")
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Version)

			// A newer schema (a newer curconnect migrated it) is refused.
			_, err = db.ExecContext(ctx, "INSERT INTO platform_onboard_migrations (version, applied_at) VALUES (99, 'later')")
			require.NoError(t, err)
			_, err = onboard.NewSQLStore(ctx, db, dialect, func(o *onboard.SQLOptions) { o.TablePrefix = "platform_onboard_" })
			require.Error(t, err)
			assert.Contains(t, err.Error(), "version 99")
		})
	}
}

// TestSQLStoreMigratesFromVersion1: a database made by the first schema
// (the table alone) keeps its rows and gains the index.
func TestSQLStoreMigratesFromVersion1(t *testing.T) {
	db := openSQLite(t)
	ctx := t.Context()
	onboard.MigrateTo(t, db, onboard.SQLite, 1)
	_, err := db.ExecContext(ctx, `INSERT INTO curconnect_onboard_connections (id, tenant, version, profile, payer_account_id, bucket, prefix, report_name, external_id, role_arn, definition, state, checks, verify_token, verify_started_at, verified_at, connected_at, created_at, updated_at)
		VALUES ('old', 'acme', 3, 'optima', '111122223333', 'acme-billing', 'cur', 'acme-cur', 'EXTERNAL', '', '', 'pending', '[]', '', '', '', '', '2024-01-02T03:04:05.000000000Z', '2024-01-02T03:04:05.000000000Z')`)
	require.NoError(t, err)
	s, err := onboard.NewSQLStore(ctx, db, onboard.SQLite)
	require.NoError(t, err)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, v)
	got, err := s.Get(ctx, "acme", "old")
	require.NoError(t, err)
	assert.Equal(t, int64(3), got.Version)
	assert.Equal(t, onboard.StatePending, got.State)
	var idx int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'curconnect_onboard_connections_tenant'`).Scan(&idx))
	assert.Equal(t, 1, idx)
}

func TestSQLStoreRefusesBadOptions(t *testing.T) {
	db := openSQLite(t)
	_, err := onboard.NewSQLStore(t.Context(), db, "mysql")
	require.Error(t, err)
	_, err = onboard.NewSQLStore(t.Context(), db, onboard.SQLite, func(o *onboard.SQLOptions) { o.TablePrefix = "x; DROP TABLE y" })
	require.Error(t, err)
	_, err = onboard.NewSQLStore(t.Context(), nil, onboard.SQLite)
	require.Error(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = onboard.NewSQLStore(ctx, db, onboard.SQLite)
	require.ErrorIs(t, err, context.Canceled)
}
