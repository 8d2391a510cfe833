package testutil

import (
	"os/exec"
	"testing"
)

// Chromium returns the path of a Chromium (or Chrome) executable for
// headless browser tests: chromium, chromium-browser, google-chrome or
// google-chrome-stable on PATH. It skips t when there is none, or fails t
// under CURCONNECT_REQUIRE_TOOLS=1 (install Debian's: apt-get install -y
// chromium).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	MissingTool(t, "chromium", "no chromium, chromium-browser or google-chrome on PATH; apt-get install -y chromium")
	return ""
}
