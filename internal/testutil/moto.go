package testutil

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// MotoAccountID is the account moto_server plays by default.
const MotoAccountID = "123456789012"

// Moto is a moto_server process started for one test. It listens on
// 127.0.0.1 on a free port and is stopped when the test ends.
type Moto struct {
	// Endpoint is the server's base URL, e.g. http://127.0.0.1:41234.
	Endpoint string

	cmd    *exec.Cmd
	mu     sync.Mutex
	output bytes.Buffer
}

// StartMoto starts moto_server (or python3 -m moto.server) for t and waits
// until it answers. It skips t when moto is not installed, or fails t when
// CURCONNECT_REQUIRE_TOOLS=1.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	var argv []string
	if p, err := exec.LookPath("moto_server"); err == nil {
		argv = []string{p}
	} else if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import moto.server").Run() == nil {
		argv = []string{py, "-m", "moto.server"}
	} else {
		MissingTool(t, "moto_server", "neither moto_server nor python3 -m moto.server found")
	}

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("testutil: find a free port: %v", err)
		}
		m := &Moto{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port)}
		args := append(append([]string{}, argv[1:]...), "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		m.cmd = exec.Command(argv[0], args...)
		m.cmd.Stdout = lockedWriter{m}
		m.cmd.Stderr = lockedWriter{m}
		m.cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1")
		if err := m.cmd.Start(); err != nil {
			MissingTool(t, "moto_server", err.Error())
		}
		exited := make(chan error, 1)
		go func() { exited <- m.cmd.Wait() }()
		if err := m.waitReady(exited, 30*time.Second); err != nil {
			lastErr = err
			_ = m.cmd.Process.Kill()
			continue
		}
		t.Cleanup(func() {
			_ = m.cmd.Process.Kill()
			<-exited
		})
		return m
	}
	t.Fatalf("testutil: moto_server did not start: %v", lastErr)
	return nil
}

type lockedWriter struct{ m *Moto }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	if w.m.output.Len() < 1<<20 {
		w.m.output.Write(p)
	}
	return len(p), nil
}

// Output returns what the server printed so far (bounded), for failure messages.
func (m *Moto) Output() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.output.String()
}

func (m *Moto) waitReady(exited <-chan error, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("moto_server exited: %v: %s", err, m.Output())
		default:
		}
		resp, err := client.Get(m.Endpoint + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("moto_server at %s not ready after %v: %s", m.Endpoint, limit, m.Output())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// AWSConfig returns an SDK config for the server: region us-east-1, static
// root credentials (moto accepts any while auth is off), BaseEndpoint set.
// S3 clients built from it must set UsePathStyle.
func (m *Moto) AWSConfig() aws.Config {
	return m.ConfigWithCredentials(credentials.NewStaticCredentialsProvider("test", "test", ""))
}

// ConfigWithCredentials is AWSConfig with the given credentials.
func (m *Moto) ConfigWithCredentials(p aws.CredentialsProvider) aws.Config {
	return aws.Config{
		Region:                     "us-east-1",
		Credentials:                aws.NewCredentialsCache(p),
		BaseEndpoint:               aws.String(m.Endpoint),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	}
}

// EnableAuth turns on moto's IAM enforcement. Requests made before with root
// credentials keep working only for the first few calls moto lets through,
// so create users, roles and policies before calling it.
func (m *Moto) EnableAuth(ctx context.Context) error { return m.setAuth(ctx, "0") }

// DisableAuth turns moto's IAM enforcement off again. moto enforces auth
// once its count of requests reaches the number posted to reset-auth, so
// "off" is an infinite count ("-1" would mean "always on").
func (m *Moto) DisableAuth(ctx context.Context) error { return m.setAuth(ctx, "inf") }

func (m *Moto) setAuth(ctx context.Context, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/moto-api/reset-auth", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("testutil: moto reset-auth: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("testutil: moto reset-auth: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Reset clears all of moto's state.
func (m *Moto) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("testutil: moto reset: %w", err)
	}
	resp.Body.Close()
	return nil
}
