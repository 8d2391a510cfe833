package testutil

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Versity is a versitygw process (a real S3-compatible server that checks
// request signatures) serving a temporary directory through its posix
// backend, started for one test.
type Versity struct {
	// Endpoint is the server's base URL.
	Endpoint string
	// Addr is its host:port.
	Addr string
	// AccessKey and SecretKey are the root credentials it accepts.
	AccessKey, SecretKey string
}

// StartVersity starts versitygw on 127.0.0.1 on a free port. It looks for
// the binary on PATH and in $(go env GOPATH)/bin, and skips t when it is
// absent (or fails t under CURCONNECT_REQUIRE_TOOLS=1). Install it with
// go install github.com/versity/versitygw/cmd/versitygw@v1.8.0.
func StartVersity(t testing.TB) *Versity {
	t.Helper()
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			if home, herr := os.UserHomeDir(); herr == nil {
				gopath = filepath.Join(home, "go")
			}
		}
		cand := filepath.Join(gopath, "bin", "versitygw")
		if _, serr := os.Stat(cand); serr != nil {
			MissingTool(t, "versitygw", "not on PATH nor in "+cand+"; go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
		}
		bin = cand
	}
	root := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatalf("testutil: find a free port: %v", err)
	}
	v := &Versity{Addr: "127.0.0.1:" + strconv.Itoa(port), AccessKey: "curconnecttest", SecretKey: "curconnecttestsecret"}
	v.Endpoint = "http://" + v.Addr
	cmd := exec.Command(bin, "--port", v.Addr, "--access", v.AccessKey, "--secret", v.SecretKey, "posix", "--nometa", root)
	var out lockedBuf
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("testutil: start versitygw: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("testutil: versitygw exited: %v: %s", err, out.String())
		default:
		}
		resp, err := http.Get(v.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("testutil: versitygw not ready at %s: %v: %s", v.Endpoint, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// S3 returns a client for the server (path style, signed with the root
// credentials). Pass endpoint to reach it through a proxy; empty means
// directly.
func (v *Versity) S3(endpoint string) *s3.Client {
	if endpoint == "" {
		endpoint = v.Endpoint
	}
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(v.AccessKey, v.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

type lockedBuf struct{ m Moto }

func (b *lockedBuf) Write(p []byte) (int, error) { return lockedWriter{&b.m}.Write(p) }
func (b *lockedBuf) String() string              { return b.m.Output() }
