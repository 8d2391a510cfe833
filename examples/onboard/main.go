// Command onboard serves the "connect your AWS account" flow of package
// billingconn/onboard: the pages at /, the JSON API under /api/.
//
// Usage:
//
//	go run ./examples/onboard [-addr 127.0.0.1:8080] [-db sqlite:PATH|postgres://…] [-endpoint URL -path-style | -aws] [-trusted-account ID | -trusted-principal ARN] [-template-url URL] [-tenant T]
//
// With no -endpoint it needs no AWS account: an embedded S3 (curtest's, as
// in the quickstart) holds a delivered Cost and Usage Report for payer
// account 111122223333 in bucket acme-billing-111122223333 under prefix
// cur (report acme-cur), and the same server plays the customer's STS: it
// lets the platform assume the template's role with the external ID of any
// connection the page created, as if the customer had created the stack
// from the link at once. Enter those settings, verify, and watch the checks
// pass; enter another bucket to see them fail.
//
// With -endpoint, every AWS call goes to that URL (moto_server, say); with
// -aws, to AWS itself. Either way the standard AWS configuration chain
// gives the platform's own identity, which assumes the customer's role, and
// -trusted-account or -trusted-principal names it for the template.
//
// -db keeps the connections in SQLite (sqlite:PATH, created if absent) or
// PostgreSQL (postgres://…); without it they are kept in memory and vanish
// when the program stops. The tenant is the X-Tenant header, or -tenant
// (default demo) when the header is absent: a stand-in for the platform's
// own authentication. -template-url is where the hosted template lives on
// S3; without it the page links to the program's own /template.yaml.
//
// The program listens until interrupted, and prints the URL to open.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	_ "github.com/jackc/pgx/v5/stdlib" // the postgres:// store
	_ "modernc.org/sqlite"             // the sqlite: store

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
)

// Exit codes, as every example program uses them.
const (
	exitOK       = 0
	exitFailed   = 1
	exitBadInput = 2
)

// usageError marks bad flags or arguments (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "onboard:", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, curerr.ErrMalformed) {
		return exitBadInput
	}
	return exitFailed
}

type options struct {
	addr, db, endpoint, trustedAccount, trustedPrincipal, templateURL, tenant string
	pathStyle, realAWS                                                        bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("onboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on this address (127.0.0.1:0 picks a free port)")
	fs.StringVar(&o.db, "db", "", "keep connections in sqlite:PATH or postgres://… (default: in memory)")
	fs.StringVar(&o.endpoint, "endpoint", "", "send every AWS call to this URL (an AWS-compatible server such as moto_server); without it, the embedded demo S3")
	fs.BoolVar(&o.pathStyle, "path-style", false, "use path-style S3 addressing")
	fs.BoolVar(&o.realAWS, "aws", false, "use AWS itself (the standard configuration chain) instead of the embedded demo")
	fs.StringVar(&o.trustedAccount, "trusted-account", "", "the platform's AWS account ID, which the customer's role trusts (default 451234325714 for the demo)")
	fs.StringVar(&o.trustedPrincipal, "trusted-principal", "", "the platform's IAM principal ARN (a role or user), instead of -trusted-account")
	fs.StringVar(&o.templateURL, "template-url", "", "where the hosted template lives on S3 (https); default: this program's /template.yaml")
	fs.StringVar(&o.tenant, "tenant", "demo", "the tenant of requests without an X-Tenant header")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: onboard [-addr 127.0.0.1:PORT] [-db sqlite:PATH|postgres://…] [-endpoint URL -path-style | -aws] [-trusted-account ID | -trusted-principal ARN] [-template-url URL] [-tenant T]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	if o.trustedAccount != "" && o.trustedPrincipal != "" {
		return nil, usageError{errors.New("-trusted-account and -trusted-principal: give one")}
	}
	if o.trustedAccount != "" {
		if err := iampolicy.ValidateAccountID(o.trustedAccount); err != nil {
			return nil, usageError{fmt.Errorf("-trusted-account: %w", err)}
		}
	}
	if o.realAWS && o.endpoint != "" {
		return nil, usageError{errors.New("-aws and -endpoint: give one")}
	}
	if o.tenant == "" {
		return nil, usageError{errors.New("-tenant is empty")}
	}
	if o.db != "" && !strings.HasPrefix(o.db, "sqlite:") && !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://") {
		return nil, usageError{fmt.Errorf("-db %q: want sqlite:PATH or postgres://…", o.db)}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	store, closeStore, err := openStore(ctx, o.db)
	if err != nil {
		return err
	}
	defer closeStore()

	var clients billingconn.Clients
	trusted := o.trustedPrincipal
	if trusted == "" {
		trusted = o.trustedAccount
	}
	if o.endpoint == "" && !o.realAWS {
		demo, err := startDemo(ctx)
		if err != nil {
			return err
		}
		defer demo.close()
		clients = demo.clients()
		store = demo.trusting(store)
		if trusted == "" {
			trusted = demoPlatform
		}
		fmt.Fprintf(stdout, "onboard: no -endpoint, so the demo runs on an embedded S3 (%s); no AWS account is used.\n", demo.srv.URL)
		fmt.Fprintf(stdout, "onboard: try payer account %s, bucket %s, prefix %s, report %s.\n", demoPayer, demoBucket, demoPrefix, demoReport)
	} else {
		if trusted == "" {
			return usageError{errors.New("-endpoint and -aws need -trusted-account or -trusted-principal: the principal the customer's role trusts")}
		}
		// The SDK logs to os.Stderr by default (checksum notices at DEBUG
		// and WARN); a program's stderr is for its own messages.
		cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
		if err != nil {
			return fmt.Errorf("load the AWS configuration: %w", err)
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		if o.endpoint != "" {
			cfg.BaseEndpoint = aws.String(o.endpoint)
			// S3-compatible servers rarely return checksums; do not ask for them.
			cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
		clients = billingconn.NewClients(cfg, func(co *billingconn.ClientOptions) {
			if o.pathStyle {
				co.S3 = append(co.S3, func(so *s3.Options) { so.UsePathStyle = true })
			}
		})
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h, err := onboard.New(func(r *http.Request) (string, error) {
		if t := r.Header.Get("X-Tenant"); t != "" {
			return t, nil
		}
		return o.tenant, nil
	}, store, clients, func(opt *onboard.Options) {
		opt.Template.TrustedPrincipal = trusted
		opt.TemplateURL = o.templateURL
		opt.Title = "Connect your AWS account (curconnect demo)"
		opt.Logger = logger
		opt.OnConnected = func(_ context.Context, tenant string, c onboard.Connection) {
			fmt.Fprintf(stdout, "onboard: tenant %s connected payer account %s (s3://%s/%s, report %s)\n", tenant, c.PayerAccountID, c.Bucket, c.Prefix, c.ReportName)
		}
	})
	if err != nil {
		return usageError{err}
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return usageError{fmt.Errorf("-addr %s: %w", o.addr, err)}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "onboard: open http://%s/ (tenant %q unless X-Tenant says otherwise; Ctrl-C stops)\n", ln.Addr(), o.tenant)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openStore opens -db: SQLite, PostgreSQL, or memory.
func openStore(ctx context.Context, db string) (onboard.Store, func(), error) {
	switch {
	case db == "":
		return onboard.NewMemoryStore(), func() {}, nil
	case strings.HasPrefix(db, "sqlite:"):
		path := strings.TrimPrefix(db, "sqlite:")
		if path == "" {
			return nil, nil, usageError{errors.New("-db sqlite: needs a path, e.g. sqlite:onboard.db")}
		}
		// Writers wait for each other (busy_timeout), readers do not block
		// them (WAL).
		sdb, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err != nil {
			return nil, nil, err
		}
		s, err := onboard.NewSQLStore(ctx, sdb, onboard.SQLite)
		if err != nil {
			sdb.Close()
			return nil, nil, fmt.Errorf("-db %s: %w", db, err)
		}
		return s, func() { sdb.Close() }, nil
	default:
		pdb, err := sql.Open("pgx", db)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("-db: %w", err)}
		}
		s, err := onboard.NewSQLStore(ctx, pdb, onboard.Postgres)
		if err != nil {
			pdb.Close()
			return nil, nil, fmt.Errorf("-db postgres: %w", err)
		}
		return s, func() { pdb.Close() }, nil
	}
}
