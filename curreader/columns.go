package curreader

import (
	"slices"
	"sync"

	"github.com/curconnect/curconnect/internal/colname"
)

// columnChecker decides whether a name is a real column of one delivery:
// documented anywhere, or listed by the delivery's manifest, or (for a
// delivery without one) in the header of the first file read.
type columnChecker struct {
	mu       sync.Mutex
	declared map[string]bool // canonical names the manifest or first header declares
	names    []string        // the same, as spelt, for suggestions
	headerOK bool            // declared holds the first file's header
	seen     map[string]error
}

func newColumnChecker(d *Delivery) *columnChecker {
	c := &columnChecker{declared: map[string]bool{}, seen: map[string]error{}}
	for _, col := range d.Columns {
		c.declare(col.FullName())
	}
	c.headerOK = len(d.Columns) > 0
	return c
}

func (c *columnChecker) declare(name string) {
	cn := colname.Canonical(name)
	if cn == "" || c.declared[cn] {
		return
	}
	c.declared[cn] = true
	c.names = append(c.names, name)
}

// sawHeader declares a file's columns when the delivery has no manifest
// that lists them (a single local file, an Athena folder without a
// manifest): the first file read speaks for the delivery.
func (c *columnChecker) sawHeader(h *Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.headerOK || h == nil {
		return
	}
	c.headerOK = true
	for i := range h.Len() {
		c.declare(h.Name(i))
	}
}

// check returns a *ColumnError for a name that is neither documented nor
// declared, nil otherwise. Until the delivery's columns are known (from a
// manifest, or a first header), only documented names pass; others are left
// for later, with deferred true.
func (c *columnChecker) check(name string) (deferred bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.seen[name]; ok {
		return false, e
	}
	cn := colname.Canonical(name)
	known := colname.Documented(name) || c.declared[cn]
	if !known {
		// A key of a CUR 2.0 map column the delivery has.
		if m, _, ok := colname.SplitMap(cn); ok && c.declared[m] {
			known = true
		}
	}
	if !known && !c.headerOK {
		return true, nil
	}
	var e error
	if !known {
		e = &ColumnError{Column: name, Closest: colname.Closest(name, slices.Concat(c.names, colname.Known()), 3)}
	}
	c.seen[name] = e
	return false, e
}

// checkAll checks the names of a projection; names that cannot be judged
// until the first header are returned.
func (c *columnChecker) checkAll(names []string) (pending []string, err error) {
	for _, n := range names {
		deferred, e := c.check(n)
		if e != nil {
			return nil, e
		}
		if deferred {
			pending = append(pending, n)
		}
	}
	return pending, nil
}
