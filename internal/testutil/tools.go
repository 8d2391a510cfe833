// Package testutil holds test harnesses shared by curconnect's packages: an
// in-process S3 (curtest.Server with request counting and fault
// injection), a moto_server launcher, and helpers to find the
// external tools (cfn-lint, moto_server) that some tests need.
package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RequireToolsEnv is the environment variable that turns a missing external
// tool from a skipped test into a failed one. .ci/run sets it to 1.
const RequireToolsEnv = "CURCONNECT_REQUIRE_TOOLS"

// ToolsRequired reports whether CURCONNECT_REQUIRE_TOOLS=1 is set.
func ToolsRequired() bool { return os.Getenv(RequireToolsEnv) == "1" }

// MissingTool skips t with a clear message, or fails it when
// CURCONNECT_REQUIRE_TOOLS=1.
func MissingTool(t testing.TB, tool, why string) {
	t.Helper()
	msg := tool + " is not available (" + why + "); install it, or run with " + RequireToolsEnv + "=1 to make this a failure"
	if ToolsRequired() {
		t.Fatalf("%s is required (%s=1) but not available: %s", tool, RequireToolsEnv, why)
	}
	t.Skip(msg)
}

// LookTool returns the path of an executable on PATH, or skips/fails t as
// MissingTool does.
func LookTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		MissingTool(t, name, err.Error())
	}
	return p
}
