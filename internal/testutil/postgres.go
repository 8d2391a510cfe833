package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Postgres is a throwaway PostgreSQL cluster started for one test: a new
// data directory, listening on 127.0.0.1 on a free port (and a Unix socket
// in its own directory), trusting every local connection, stopped and
// removed when the test ends.
type Postgres struct {
	// Port is the TCP port on 127.0.0.1.
	Port int
	dir  string
}

// DSN returns a connection URL for the database name as the superuser
// postgres, e.g. postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable.
func (p *Postgres) DSN(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, database)
}

// postgresBinDir finds the directory holding initdb and pg_ctl: the newest
// /usr/lib/postgresql/<version>/bin (Debian's layout), or PATH.
func postgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("initdb is neither in /usr/lib/postgresql/*/bin nor on PATH")
	}
	return filepath.Dir(p), nil
}

// StartPostgres initialises and starts a cluster for t. PostgreSQL refuses
// to run as root, so as root the data directory is made for, and the
// server run as, the postgres user (runuser -u postgres). It skips t when
// PostgreSQL is not installed, or fails t under CURCONNECT_REQUIRE_TOOLS=1.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin, err := postgresBinDir()
	if err != nil {
		MissingTool(t, "PostgreSQL", err.Error())
	}
	var asUser []string
	var uid, gid = -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			MissingTool(t, "PostgreSQL", "running as root, and there is no postgres user to run the server as")
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			MissingTool(t, "PostgreSQL", "running as root, and runuser is not available to run the server as postgres")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		asUser = []string{runuser, "-u", "postgres", "--"}
	}
	// Not t.TempDir: its parent directories are private to this user, and
	// the server runs as postgres.
	dir, err := os.MkdirTemp("", "curconnect-pg-")
	if err != nil {
		t.Fatalf("testutil: postgres temp dir: %v", err)
	}
	p := &Postgres{dir: dir}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("testutil: chown %s: %v", dir, err)
		}
	}
	run := func(name string, args ...string) (string, error) {
		argv := append(append(append([]string{}, asUser...), filepath.Join(bin, name)), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		t.Fatalf("testutil: initdb: %v\n%s", err, out)
	}
	var lastOut string
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("testutil: find a free port: %v", err)
		}
		opts := strings.Join([]string{"-p", strconv.Itoa(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=50"}, " ")
		out, err := run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			p.Port = port
			t.Cleanup(func() {
				if out, err := run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
					t.Logf("testutil: pg_ctl stop: %v\n%s", err, out)
				}
			})
			return p
		}
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		lastOut = out + "\n" + string(log)
	}
	t.Fatalf("testutil: PostgreSQL did not start:\n%s", lastOut)
	return nil
}
