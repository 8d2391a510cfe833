package onboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dialect is the SQL database behind a SQLStore.
type Dialect string

// Dialects NewSQLStore speaks. Each is tested against the real database:
// SQLite through modernc.org/sqlite (pure Go, no server), PostgreSQL 15
// through github.com/jackc/pgx/v5/stdlib.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// SQLOptions tune NewSQLStore.
type SQLOptions struct {
	// TablePrefix starts the name of every table the store creates. If
	// empty, DefaultTablePrefix. Letters, digits and underscores only.
	TablePrefix string
}

// DefaultTablePrefix is the prefix of the store's tables:
// curconnect_onboard_migrations and curconnect_onboard_connections.
const DefaultTablePrefix = "curconnect_onboard_"

// SQLStore is a Store in a SQL database, through database/sql. It creates
// its tables and migrates them to the newest schema when it is made, and
// writes with compare-and-swap on the version column, so any number of
// processes may share one database.
type SQLStore struct {
	db      *sql.DB
	dialect Dialect
	table   string // the connections table
	mig     string // the migrations table
}

var _ Store = (*SQLStore)(nil)

var tablePrefixRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)

// migrations are the schema's versions, in order; migration i+1 is
// migrations[i]. Each runs in one transaction with the row recording it.
// Never edit one that has shipped: add the next.
var migrations = []func(p string) []string{
	// 1: the connections table.
	func(p string) []string {
		return []string{`CREATE TABLE ` + p + `connections (
	id                TEXT PRIMARY KEY,
	tenant            TEXT NOT NULL,
	version           BIGINT NOT NULL,
	profile           TEXT NOT NULL,
	payer_account_id  TEXT NOT NULL,
	bucket            TEXT NOT NULL,
	prefix            TEXT NOT NULL,
	report_name       TEXT NOT NULL,
	external_id       TEXT NOT NULL,
	role_arn          TEXT NOT NULL,
	definition        TEXT NOT NULL,
	state             TEXT NOT NULL,
	checks            TEXT NOT NULL,
	verify_token      TEXT NOT NULL,
	verify_started_at TEXT NOT NULL,
	verified_at       TEXT NOT NULL,
	connected_at      TEXT NOT NULL,
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL
)`}
	},
	// 2: List reads one tenant's connections in creation order.
	func(p string) []string {
		return []string{`CREATE INDEX ` + p + `connections_tenant ON ` + p + `connections (tenant, created_at, id)`}
	},
}

// NewSQLStore returns a Store in db, creating or migrating its tables first.
// Several processes may call it at once on one database: each migration
// runs once. It refuses a database whose schema is newer than this package
// knows.
//
// With SQLite, open db with a busy timeout, so that writers wait for each
// other instead of failing at once:
//
//	db, err := sql.Open("sqlite", "file:onboard.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
//
// With PostgreSQL, any database/sql driver works (pgx's stdlib is tested).
func NewSQLStore(ctx context.Context, db *sql.DB, dialect Dialect, optFns ...func(*SQLOptions)) (*SQLStore, error) {
	var o SQLOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.TablePrefix == "" {
		o.TablePrefix = DefaultTablePrefix
	}
	if !tablePrefixRE.MatchString(o.TablePrefix) {
		return nil, fmt.Errorf("onboard: sql store: table prefix %q must be letters, digits and underscores", o.TablePrefix)
	}
	if dialect != SQLite && dialect != Postgres {
		return nil, fmt.Errorf("onboard: sql store: unknown dialect %q (want %q or %q)", dialect, SQLite, Postgres)
	}
	if db == nil {
		return nil, errors.New("onboard: sql store: db is nil")
	}
	s := &SQLStore{db: db, dialect: dialect, table: o.TablePrefix + "connections", mig: o.TablePrefix + "migrations"}
	if err := s.migrate(ctx, o.TablePrefix, len(migrations)); err != nil {
		return nil, err
	}
	return s, nil
}

// q rewrites ? placeholders for the dialect.
func (s *SQLStore) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrate brings the schema to version target.
func (s *SQLStore) migrate(ctx context.Context, prefix string, target int) error {
	var lastErr error
	for attempt := 0; attempt < 20; attempt++ {
		if attempt > 0 {
			// Another process is migrating the same database: wait for it.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
			}
		}
		done, err := s.migrateOnce(ctx, prefix, target)
		if err == nil && done {
			return nil
		}
		if errors.Is(err, errSchemaTooNew) || ctx.Err() != nil {
			return err
		}
		lastErr = err
	}
	return fmt.Errorf("onboard: sql store: migrate: %w", lastErr)
}

var errSchemaTooNew = errors.New("onboard: sql store: the database's schema is newer than this package")

// migrateOnce applies the next migration, if any, in one transaction. It
// reports done when the schema is at target.
func (s *SQLStore) migrateOnce(ctx context.Context, prefix string, target int) (bool, error) {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+s.mig+` (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	if s.dialect == Postgres {
		// One migrating process at a time; the others wait here.
		h := fnv.New64a()
		h.Write([]byte(s.mig))
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64()>>1)); err != nil {
			return false, err
		}
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+s.mig).Scan(&version); err != nil {
		return false, err
	}
	switch {
	case version > len(migrations):
		return false, fmt.Errorf("%w: version %d, and this package knows %d: upgrade curconnect", errSchemaTooNew, version, len(migrations))
	case version >= target:
		return true, tx.Commit()
	}
	for _, stmt := range migrations[version](prefix) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migration %d: %w", version+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+s.mig+` (version, applied_at) VALUES (?, ?)`), version+1, formatTime(time.Now())); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return version+1 >= target, nil
}

// Version returns the schema version of the database.
func (s *SQLStore) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+s.mig).Scan(&v)
	return v, err
}

// timeLayout is fixed-width UTC, so that the text sorts as the time does.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

const columns = `id, tenant, version, profile, payer_account_id, bucket, prefix, report_name, external_id, role_arn, definition, state, checks, verify_token, verify_started_at, verified_at, connected_at, created_at, updated_at`

// values returns c's columns after id, tenant and version, in order.
func values(c Connection) ([]any, error) {
	checks := c.Checks
	if checks == nil {
		checks = []Check{}
	}
	j, err := json.Marshal(checks)
	if err != nil {
		return nil, err
	}
	return []any{c.Profile, c.PayerAccountID, c.Bucket, c.Prefix, c.ReportName, c.ExternalID, c.RoleARN, c.Definition,
		string(c.State), string(j), c.VerifyToken, formatTime(c.VerifyStartedAt), formatTime(c.VerifiedAt),
		formatTime(c.ConnectedAt), formatTime(c.CreatedAt), formatTime(c.UpdatedAt)}, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanConnection(r scanner) (Connection, error) {
	var c Connection
	var state, checks, started, verified, connected, created, updated string
	err := r.Scan(&c.ID, &c.Tenant, &c.Version, &c.Profile, &c.PayerAccountID, &c.Bucket, &c.Prefix, &c.ReportName,
		&c.ExternalID, &c.RoleARN, &c.Definition, &state, &checks, &c.VerifyToken, &started, &verified, &connected, &created, &updated)
	if err != nil {
		return Connection{}, err
	}
	c.State = State(state)
	if err := json.Unmarshal([]byte(checks), &c.Checks); err != nil {
		return Connection{}, fmt.Errorf("connection %s: checks: %w", c.ID, err)
	}
	if len(c.Checks) == 0 {
		c.Checks = nil
	}
	for _, f := range []struct {
		dst *time.Time
		s   string
	}{{&c.VerifyStartedAt, started}, {&c.VerifiedAt, verified}, {&c.ConnectedAt, connected}, {&c.CreatedAt, created}, {&c.UpdatedAt, updated}} {
		if *f.dst, err = parseTime(f.s); err != nil {
			return Connection{}, fmt.Errorf("connection %s: %w", c.ID, err)
		}
	}
	return c, nil
}

// Create implements Store.
func (s *SQLStore) Create(ctx context.Context, c Connection) (Connection, error) {
	c.Version = 1
	vals, err := values(c)
	if err != nil {
		return Connection{}, fmt.Errorf("onboard: sql store: create: %w", err)
	}
	args := append([]any{c.ID, c.Tenant, c.Version}, vals...)
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO `+s.table+` (`+columns+`) VALUES (`+strings.Repeat("?, ", len(args)-1)+`?) ON CONFLICT (id) DO NOTHING`), args...)
	if err != nil {
		return Connection{}, fmt.Errorf("onboard: sql store: create: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Connection{}, fmt.Errorf("onboard: sql store: create: %w", err)
	} else if n == 0 {
		return Connection{}, ErrExists
	}
	return clone(c), nil
}

// Get implements Store.
func (s *SQLStore) Get(ctx context.Context, tenant, id string) (Connection, error) {
	c, err := scanConnection(s.db.QueryRowContext(ctx, s.q(`SELECT `+columns+` FROM `+s.table+` WHERE id = ? AND tenant = ?`), id, tenant))
	if errors.Is(err, sql.ErrNoRows) {
		return Connection{}, ErrNotFound
	}
	if err != nil {
		return Connection{}, fmt.Errorf("onboard: sql store: get: %w", err)
	}
	return c, nil
}

// List implements Store.
func (s *SQLStore) List(ctx context.Context, tenant string) ([]Connection, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+columns+` FROM `+s.table+` WHERE tenant = ? ORDER BY created_at, id`), tenant)
	if err != nil {
		return nil, fmt.Errorf("onboard: sql store: list: %w", err)
	}
	defer rows.Close()
	var out []Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("onboard: sql store: list: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("onboard: sql store: list: %w", err)
	}
	return out, nil
}

// Update implements Store.
func (s *SQLStore) Update(ctx context.Context, c Connection) (Connection, error) {
	vals, err := values(c)
	if err != nil {
		return Connection{}, fmt.Errorf("onboard: sql store: update: %w", err)
	}
	set := `version = version + 1, profile = ?, payer_account_id = ?, bucket = ?, prefix = ?, report_name = ?, external_id = ?, role_arn = ?, definition = ?, state = ?, checks = ?, verify_token = ?, verify_started_at = ?, verified_at = ?, connected_at = ?, created_at = ?, updated_at = ?`
	args := append(vals, c.ID, c.Tenant, c.Version)
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE `+s.table+` SET `+set+` WHERE id = ? AND tenant = ? AND version = ?`), args...)
	if err != nil {
		return Connection{}, fmt.Errorf("onboard: sql store: update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Connection{}, fmt.Errorf("onboard: sql store: update: %w", err)
	}
	if n == 0 {
		if _, err := s.Get(ctx, c.Tenant, c.ID); err != nil {
			return Connection{}, err
		}
		return Connection{}, ErrConflict
	}
	c.Version++
	return clone(c), nil
}

// Delete implements Store.
func (s *SQLStore) Delete(ctx context.Context, tenant, id string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM `+s.table+` WHERE id = ? AND tenant = ?`), id, tenant)
	if err != nil {
		return fmt.Errorf("onboard: sql store: delete: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("onboard: sql store: delete: %w", err)
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}
