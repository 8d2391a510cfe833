package testutil

import (
	"net/http"
	"strings"
	"sync"
)

// Requests is an aws.HTTPClient that counts the requests SDK clients send,
// by operation: Glue's and other JSON services' from X-Amz-Target
// ("CreateTable"), S3's by method ("s3 PUT", "s3 GET", "s3 LIST"), and a
// request for a bucket's configuration (?notification, ?policy, ?acl
// written, ?lifecycle, ?cors) as "s3 config". It keeps the paths S3 PUTs
// went to. The zero value sends through http.DefaultClient.
type Requests struct {
	mu   sync.Mutex
	ops  map[string]int
	puts []string
}

// Do counts req and sends it.
func (c *Requests) Do(req *http.Request) (*http.Response, error) {
	var op string
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		_, op, _ = strings.Cut(target, ".")
	} else {
		q := req.URL.Query()
		switch {
		case q.Has("notification"), q.Has("policy"), q.Has("lifecycle"), q.Has("cors"), q.Has("acl") && req.Method != http.MethodGet:
			op = "s3 config"
		case req.Method == http.MethodGet && q.Get("list-type") == "2":
			op = "s3 LIST"
		default:
			op = "s3 " + req.Method
		}
	}
	c.mu.Lock()
	if c.ops == nil {
		c.ops = map[string]int{}
	}
	c.ops[op]++
	if op == "s3 PUT" {
		c.puts = append(c.puts, req.URL.Path)
	}
	c.mu.Unlock()
	return http.DefaultClient.Do(req)
}

// Take returns the counts and the PUT paths so far, and resets them.
func (c *Requests) Take() (map[string]int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops, puts := c.ops, c.puts
	if ops == nil {
		ops = map[string]int{}
	}
	c.ops, c.puts = map[string]int{}, nil
	return ops, puts
}

// Writes keeps the operations of ops that change something: all but S3's
// GET, HEAD and LIST and the Get* operations of other services.
func Writes(ops map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range ops {
		if op != "s3 GET" && op != "s3 HEAD" && op != "s3 LIST" && !strings.HasPrefix(op, "Get") {
			out[op] = n
		}
	}
	return out
}
