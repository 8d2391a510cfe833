package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// repoRoot returns the module's root (two levels up from this package).
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	root := filepath.Clean(filepath.Join(wd, "..", ".."))
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	return root
}

// TestREADMECommands runs the two commands the README promises work on a
// fresh machine: `go run ./examples/quickstart` (its output checked for
// its key lines) and `go test ./...` (every package's tests build and
// link; running them from here would recurse into this test, so
// -run '^$' runs none — CI runs them all).
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole module: skipped with -short")
	}
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	for _, cmd := range []string{"go run ./examples/quickstart", "go test ./..."} {
		require.Contains(t, string(readme), cmd, "the README shows %q", cmd)
	}
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the README's commands need go on PATH")

	run := exec.CommandContext(t.Context(), goBin, "run", "./examples/quickstart")
	run.Dir = root
	var out, errOut bytes.Buffer
	run.Stdout, run.Stderr = &out, &errOut
	require.NoError(t, run.Run(), errOut.String())
	for _, line := range quickstartKeyLines {
		require.Contains(t, out.String(), line)
	}

	test := exec.CommandContext(t.Context(), goBin, "test", "-count=1", "-run", "^$", "./...")
	test.Dir = root
	b, err := test.CombinedOutput()
	require.NoError(t, err, string(b))
	require.False(t, strings.Contains(string(b), "FAIL"), string(b))
}
