package testutil

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// Browser starts a headless Chromium for t, in a fresh profile, with the
// background traffic a test machine must not send (component updates,
// sync, QUIC probes) turned off, and returns a chromedp context for its
// first tab, which ends when the test does or after limit. It skips or
// fails t as Chromium does when there is no browser.
func Browser(t testing.TB, limit time.Duration) context.Context {
	t.Helper()
	chrome := Chromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(cancelTimeout)
	return ctx
}
