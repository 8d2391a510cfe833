package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/internal/testutil"
)

// TestDemoInBrowser: go run ./examples/onboard shows the flow in a
// browser, with no AWS account: the demo settings connect, and a report
// created today waits for its first delivery. Screenshots go to
// $CURCONNECT_ARTIFACTS/TestDemoInBrowser, when set.
func TestDemoInBrowser(t *testing.T) {
	testutil.Chromium(t)
	p := start(t)
	browser := testutil.Browser(t, 2*time.Minute)
	dir := t.TempDir()
	if root := os.Getenv("CURCONNECT_ARTIFACTS"); root != "" {
		dir = filepath.Join(root, t.Name())
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	n := 0
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			n++
			return os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d-%s.png", n, name)), png, 0o644)
		})
	}
	connect := func(prefix string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(p.URL+"/new"), chromedp.WaitVisible(chromedp.ID("payerAccountId")),
			chromedp.SendKeys(chromedp.ID("payerAccountId"), demoPayer), chromedp.SendKeys(chromedp.ID("bucket"), demoBucket),
			chromedp.SendKeys(chromedp.ID("prefix"), prefix), chromedp.SendKeys(chromedp.ID("reportName"), demoReport),
			chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("verify-button")),
			chromedp.Click(chromedp.ID("verify-button")),
		)
	}
	require.NoError(t, chromedp.Do(browser, connect(demoPrefix), chromedp.WaitVisible(chromedp.CSS("#state-text.state-connected")), shot("demo-connected")))
	text, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("#check-list")))
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(text, "Passed"), text)
	note, err := chromedp.Run(browser, chromedp.Text(chromedp.ID("template-note")))
	require.NoError(t, err)
	assert.Contains(t, note, "On AWS the template must be hosted on S3")

	require.NoError(t, chromedp.Do(browser, connect(demoFreshPrefix), chromedp.WaitVisible(chromedp.CSS("#state-text.state-waiting")), shot("demo-waiting-for-delivery")))
	text, err = chromedp.Run(browser, chromedp.Text(chromedp.ID("outcome")))
	require.NoError(t, err)
	assert.Contains(t, text, "up to 24 hours")
	badge, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`li[data-check="manifest"] .badge`)))
	require.NoError(t, err)
	assert.Equal(t, "Not yet", badge, "no delivery yet is not shown as the customer's failure")
	live, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById("live").textContent`))
	require.NoError(t, err)
	assert.Contains(t, live, "Waiting for the first report delivery")

	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(p.URL+"/"), chromedp.WaitVisible(chromedp.CSS("table.connections")), shot("demo-list")))
	text, err = chromedp.Run(browser, chromedp.Text(chromedp.CSS("table.connections")))
	require.NoError(t, err)
	assert.Contains(t, text, "Connected: data flows")
	assert.Contains(t, text, "Waiting for the first report delivery")
}
