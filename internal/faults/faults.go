// Package faults is a fault-injecting front for S3 servers in tests: an
// http.Handler that wraps an S3 handler (gofakes3) and a TCP proxy for real
// servers (moto_server, versitygw). It returns 503 SlowDown and 500 errors,
// resets connections after N body bytes, stalls, changes an object mid-read,
// and truncates bodies — seeded, bounded in count, and logged, so a test
// can say exactly what it survived.
//
// The handler also enforces If-Match on GET and HEAD (gofakes3 enforces it
// only on PUT), answering 412 PreconditionFailed when the object's ETag has
// changed: that is what a resuming reader meets on AWS when a report is
// overwritten mid-read.
package faults

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is a kind of fault.
type Kind int

// Fault kinds.
const (
	// SlowDown answers 503 with S3's SlowDown error code.
	SlowDown Kind = iota + 1
	// InternalError answers 500 with S3's InternalError code.
	InternalError
	// ResetAfter sends the headers and AfterBytes bytes of the body, then
	// closes the connection: the client sees an unexpected EOF.
	ResetAfter
	// Stall waits Delay before answering (or until the client gives up).
	Stall
	// ChangeObject sends AfterBytes bytes of the body, calls the
	// handler's OnChange to overwrite the object, then closes the
	// connection. A reader that resumes with If-Match gets 412.
	ChangeObject
	// Truncate serves only the first AfterBytes bytes of the body with a
	// matching Content-Length: a clean HTTP response holding a cut file
	// (a truncated gzip member, a CSV without its last rows).
	Truncate
)

func (k Kind) String() string {
	switch k {
	case SlowDown:
		return "503 SlowDown"
	case InternalError:
		return "500 InternalError"
	case ResetAfter:
		return "connection reset"
	case Stall:
		return "stall"
	case ChangeObject:
		return "object changed mid-read"
	case Truncate:
		return "truncated body"
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// Rule says which requests get which fault.
type Rule struct {
	Kind Kind
	// Method is the HTTP method to match; empty matches GET.
	Method string
	// PathContains matches requests whose URL path contains it (path-style
	// URLs are /bucket/key); empty matches all.
	PathContains string
	// QueryContains matches requests whose raw query contains it
	// ("list-type=2" for ListObjectsV2); empty matches all.
	QueryContains string
	// AfterBytes is where ResetAfter, ChangeObject and Truncate cut the
	// body. Negative picks a random offset within the body from the
	// handler's seeded source.
	AfterBytes int64
	// Delay is how long Stall waits.
	Delay time.Duration
	// Times bounds how often the rule fires; 0 means once.
	Times int
	// Probability is the chance a matching request gets the fault; 0
	// means always (until Times is used up).
	Probability float64
}

// Event records one injected fault.
type Event struct {
	Kind   Kind
	Method string
	Path   string
	// Offset is where the body was cut, for the kinds that cut it.
	Offset int64
}

func (e Event) String() string {
	return fmt.Sprintf("%s %s: %s at byte %d", e.Method, e.Path, e.Kind, e.Offset)
}

// Handler injects faults in front of an S3 handler.
type Handler struct {
	next http.Handler
	// OnChange, if set, is called by ChangeObject faults with the request
	// to overwrite the object it names.
	OnChange func(r *http.Request)

	mu     sync.Mutex
	rng    *rand.Rand
	rules  []Rule
	fired  []int
	events []Event
}

// New returns a Handler in front of next. The seed makes random offsets
// and probabilities repeatable.
func New(next http.Handler, seed uint64, rules ...Rule) *Handler {
	return &Handler{next: next, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), rules: rules, fired: make([]int, len(rules))}
}

// AddRules adds rules to the handler.
func (h *Handler) AddRules(rules ...Rule) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rules = append(h.rules, rules...)
	h.fired = append(h.fired, make([]int, len(rules))...)
}

// Events returns the faults injected so far.
func (h *Handler) Events() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Event(nil), h.events...)
}

// pick returns the rule to apply to r, if any, and records it.
func (h *Handler) pick(r *http.Request) (Rule, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, rule := range h.rules {
		m := rule.Method
		if m == "" {
			m = http.MethodGet
		}
		if r.Method != m || (rule.PathContains != "" && !strings.Contains(r.URL.Path, rule.PathContains)) ||
			(rule.QueryContains != "" && !strings.Contains(r.URL.RawQuery, rule.QueryContains)) {
			continue
		}
		limit := rule.Times
		if limit == 0 {
			limit = 1
		}
		if h.fired[i] >= limit {
			continue
		}
		if rule.Probability > 0 && h.rng.Float64() >= rule.Probability {
			continue
		}
		h.fired[i]++
		return rule, true
	}
	return Rule{}, false
}

func (h *Handler) record(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

func (h *Handler) randOffset(size int64) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if size <= 1 {
		return 0
	}
	return h.rng.Int64N(size)
}

// ServeHTTP enforces If-Match, then applies the first matching rule.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if want := r.Header.Get("If-Match"); want != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// Ask the backend for the object's current ETag, as S3 checks
		// preconditions before it looks at the Range.
		head := httptest.NewRecorder()
		hr := r.Clone(r.Context())
		hr.Method = http.MethodHead
		hr.Header.Del("Range")
		hr.Header.Del("If-Match")
		h.next.ServeHTTP(head, hr)
		if got := head.Header().Get("ETag"); head.Code < 300 && got != "" && strings.Trim(got, `"`) != strings.Trim(want, `"`) {
			writeError(w, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
			return
		}
	}
	rule, ok := h.pick(r)
	if !ok {
		h.next.ServeHTTP(w, r)
		return
	}
	ev := Event{Kind: rule.Kind, Method: r.Method, Path: r.URL.Path}
	switch rule.Kind {
	case SlowDown:
		h.record(ev)
		writeError(w, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
	case InternalError:
		h.record(ev)
		writeError(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
	case Stall:
		h.record(ev)
		select {
		case <-time.After(rule.Delay):
		case <-r.Context().Done():
			return
		}
		h.next.ServeHTTP(w, r)
	case ResetAfter, ChangeObject, Truncate:
		cw := &cutWriter{ResponseWriter: w, h: h, rule: rule, ev: ev, req: r}
		h.next.ServeHTTP(cw, r)
	default:
		h.next.ServeHTTP(w, r)
	}
}

// writeError writes an S3 XML error.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", "FAULT"+strconv.Itoa(status))
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>FAULT%d</RequestId></Error>`, code, msg, status)
}

// cutWriter cuts a successful body at an offset.
type cutWriter struct {
	http.ResponseWriter
	wrote   bool
	h       *Handler
	rule    Rule
	ev      Event
	req     *http.Request
	limit   int64
	written int64
	cut     bool
	active  bool
}

func (c *cutWriter) WriteHeader(status int) {
	if c.wrote {
		return
	}
	if status >= 200 && status < 300 && c.req.Method == http.MethodGet {
		size, err := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64)
		switch {
		case err == nil && size > 0:
			c.limit = c.rule.AfterBytes
			if c.limit < 0 {
				c.limit = c.h.randOffset(size)
			}
			c.limit = min(c.limit, size-1)
			c.active = true
			if c.rule.Kind == Truncate {
				c.Header().Set("Content-Length", strconv.FormatInt(c.limit, 10))
			}
		case err != nil && c.rule.Kind != Truncate:
			// A body of unknown length (gofakes3 streams listings):
			// cut it within its first few hundred bytes. A truncation
			// needs a length to announce, so it is not applied.
			c.limit = c.rule.AfterBytes
			if c.limit < 0 {
				c.limit = c.h.randOffset(256)
			}
			c.active = true
		}
	}
	c.wrote = true
	c.ResponseWriter.WriteHeader(status)
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	if !c.active {
		return c.ResponseWriter.Write(p)
	}
	if c.cut {
		return 0, fmt.Errorf("faults: connection cut")
	}
	n := int64(len(p))
	if c.written+n > c.limit {
		keep := c.limit - c.written
		if keep > 0 {
			if _, err := c.ResponseWriter.Write(p[:keep]); err != nil {
				return 0, err
			}
		}
		c.written += keep
		c.cutNow()
		if c.rule.Kind == Truncate {
			return len(p), nil // swallow the rest: the response is complete at its new length
		}
		return int(keep), fmt.Errorf("faults: connection cut")
	}
	c.written += n
	return c.ResponseWriter.Write(p)
}

func (c *cutWriter) cutNow() {
	if c.cut {
		return
	}
	c.cut = true
	c.ev.Offset = c.written
	c.h.record(c.ev)
	if c.rule.Kind == Truncate {
		return
	}
	if c.rule.Kind == ChangeObject && c.h.OnChange != nil {
		c.h.OnChange(c.req)
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	if hj, ok := c.ResponseWriter.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			closeHard(conn)
		}
	} else {
		panic(http.ErrAbortHandler) // net/http closes the connection without logging
	}
}

func closeHard(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // send RST, not FIN
	}
	_ = conn.Close()
}

// Proxy is a TCP proxy on 127.0.0.1 in front of a real server. It resets
// client connections after a number of response bytes, chosen per
// connection from a seeded source, for up to Budget connections.
type Proxy struct {
	// Addr is the proxy's host:port.
	Addr string

	target string
	ln     net.Listener
	mu     sync.Mutex
	rng    *rand.Rand
	budget int
	maxCut int64
	prob   float64
	events []Event
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// NewProxy starts a proxy to target (host:port). Each new connection is,
// with probability prob and while budget lasts, reset after a random
// number of response bytes below maxCut.
func NewProxy(target string, seed uint64, budget int, prob float64, maxCut int64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, rng: rand.New(rand.NewPCG(seed, seed+1)), budget: budget, prob: prob, maxCut: maxCut}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Events returns the resets injected so far.
func (p *Proxy) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// Close stops the proxy, closes its open connections and waits for them to
// end.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		cut := int64(-1)
		p.mu.Lock()
		if p.conns == nil {
			p.conns = map[net.Conn]struct{}{}
		}
		p.conns[c] = struct{}{}
		if p.budget > 0 && p.rng.Float64() < p.prob && p.maxCut > 0 {
			p.budget--
			cut = p.rng.Int64N(p.maxCut)
		}
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.pipe(c, cut)
		}()
	}
}

func (p *Proxy) pipe(client net.Conn, cut int64) {
	defer func() {
		client.Close()
		p.mu.Lock()
		delete(p.conns, client)
		p.mu.Unlock()
	}()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()

	done := make(chan struct{})
	go func() {
		defer close(done)
		br := bufio.NewReader(client)
		_, _ = br.WriteTo(server)
		// The client went away (or Close closed it): end the server side,
		// which ends the copy below.
		server.Close()
	}()
	buf := make([]byte, 32*1024)
	var sent int64
	for {
		n, err := server.Read(buf)
		if n > 0 {
			if cut >= 0 && sent+int64(n) > cut {
				keep := cut - sent
				_, _ = client.Write(buf[:keep])
				p.mu.Lock()
				p.events = append(p.events, Event{Kind: ResetAfter, Method: "TCP", Path: p.target, Offset: cut})
				p.mu.Unlock()
				closeHard(client)
				server.Close()
				<-done
				return
			}
			if _, werr := client.Write(buf[:n]); werr != nil {
				break
			}
			sent += int64(n)
		}
		if err != nil {
			break
		}
	}
	if tc, ok := client.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	<-done
}
