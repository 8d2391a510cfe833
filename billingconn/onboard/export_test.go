package onboard

import (
	"database/sql"
	"testing"
)

// MigrateTo brings db's schema to version v only, as an older curconnect
// left it.
func MigrateTo(t *testing.T, db *sql.DB, d Dialect, v int) {
	t.Helper()
	s := &SQLStore{db: db, dialect: d, table: DefaultTablePrefix + "connections", mig: DefaultTablePrefix + "migrations"}
	if err := s.migrate(t.Context(), DefaultTablePrefix, v); err != nil {
		t.Fatal(err)
	}
}
