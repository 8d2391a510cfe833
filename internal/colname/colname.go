// Package colname gives every billing-data column one canonical name across
// the naming schemes AWS uses.
//
// Legacy CUR CSV headers look like `lineItem/UnblendedCost` and
// `resourceTags/user:Team`; legacy Parquet (Athena) and CUR 2.0 use
// snake_case (`line_item_unblended_cost`); CUR 2.0 moved tags, cost
// categories, most product attributes and discounts into map columns
// (`resource_tags` with key `user_team`), and its newer `tags` map keeps
// source-prefixed keys (`resourceTags/user:Team`). [Canonical] applies
// AWS's Athena conversion rules, so all of these meet on one name:
//
//	lineItem/UnblendedCost      → line_item_unblended_cost
//	line_item_unblended_cost    → line_item_unblended_cost
//	reservation/ReservationARN  → reservation_reservation_a_r_n
//	resourceTags/user:Team      → resource_tags_user_team
//	resource_tags + user_team   → resource_tags_user_team  (MapKey)
//	tags + resourceTags/user:Team → resource_tags_user_team (MapKey)
//
// Distinct headers can share a canonical name (`resourceTags/user:client`
// and `resourceTags/user:Client`); AWS merges such columns in Athena.
// [Index] keeps them all, in header order, so lookups are deterministic.
//
// Not implemented: Athena's shortening of over-long names (removing
// underscores left to right), whose length limit is not documented in the
// reference. Letters outside ASCII are kept (lower-cased), not replaced;
// AWS's handling of them is unconfirmed.
package colname

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Canonical returns the canonical name of a column header: an underscore is
// inserted before each upper-case letter, everything is lower-cased, every
// character that is not a letter or digit becomes an underscore, runs of
// underscores collapse to one, and leading and trailing underscores are
// trimmed. Canonical is idempotent.
func Canonical(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 8)
	pendingSep := false
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			if pendingSep {
				b.WriteByte('_')
				pendingSep = false
			}
			b.WriteRune(r)
		case r < utf8.RuneSelf && r >= 'A' && r <= 'Z',
			r >= utf8.RuneSelf && unicode.IsUpper(r):
			if b.Len() > 0 {
				pendingSep = true
			}
			if pendingSep {
				b.WriteByte('_')
				pendingSep = false
			}
			b.WriteRune(unicode.ToLower(r))
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if pendingSep {
				b.WriteByte('_')
				pendingSep = false
			}
			b.WriteRune(r)
		default:
			if b.Len() > 0 {
				pendingSep = true
			}
		}
	}
	return b.String()
}

// Map columns of CUR 2.0 whose keys become canonical column names. The
// `tags` map is special: its keys carry their source (`resourceTags/…`).
const (
	MapResourceTags = "resource_tags"
	MapCostCategory = "cost_category"
	MapProduct      = "product"
	MapDiscount     = "discount"
	MapTags         = "tags"
)

// mapPrefixes are matched longest first by SplitMap.
var mapPrefixes = []string{MapResourceTags, MapCostCategory, MapDiscount, MapProduct}

// IsMapColumn reports whether the canonical name is one of the CUR 2.0 map
// columns (resource_tags, cost_category, product, discount, tags).
func IsMapColumn(canonical string) bool {
	switch canonical {
	case MapResourceTags, MapCostCategory, MapProduct, MapDiscount, MapTags:
		return true
	}
	return false
}

// MapKey returns the canonical column name of key inside the CUR 2.0 map
// column mapColumn (either naming scheme): `resource_tags` + `user_team`
// gives `resource_tags_user_team`, the canonical name of the legacy column
// `resourceTags/user:Team`. Keys of the `tags` map name their source
// (`resourceTags/user:Team`, `costCategory/Team`, `accountTag/x`), so
// their canonical name is the key's own. MapKey returns "" for an empty key.
func MapKey(mapColumn, key string) string {
	k := Canonical(key)
	if k == "" {
		return ""
	}
	m := Canonical(mapColumn)
	if m == MapTags {
		return k
	}
	return m + "_" + k
}

// SplitMap splits a canonical name into the CUR 2.0 map column that would
// hold it and the key inside that map: `resource_tags_user_team` gives
// (`resource_tags`, `user_team`, true), `product_product_name` gives
// (`product`, `product_name`, true). A name without such a prefix gives
// ok == false. CUR 2.0 keeps some product and discount attributes as
// top-level columns too (`product_region_code`, `discount_total_discount`),
// so callers look up the column itself first and the map second.
func SplitMap(canonical string) (mapColumn, key string, ok bool) {
	for _, p := range mapPrefixes {
		if len(canonical) > len(p)+1 && canonical[len(p)] == '_' && strings.HasPrefix(canonical, p) {
			return p, canonical[len(p)+1:], true
		}
	}
	return "", "", false
}

// Index maps names to the columns of one header. It is immutable once
// built and safe for concurrent use.
type Index struct {
	header []string
	canon  []string
	exact  map[string]int   // first column with this exact header name
	byCan  map[string][]int // columns sharing a canonical name, in header order
	order  []string         // distinct canonical names, first appearance order
	// other caches Lookup of names that are no header entry (string →
	// []int): a legacy name over a snake_case header, or the reverse. A
	// caller reading by name looks the same few names up on every row,
	// and Canonical allocates; a hit is a lock-free read. At most
	// maxOther names are kept, so a caller passing ever new names (user
	// input) costs no more memory than that.
	other  sync.Map
	others atomic.Int32
}

// maxOther bounds the names an Index caches beyond its header.
const maxOther = 256

// NewIndex indexes a header. It copies the names.
func NewIndex(header []string) *Index {
	x := &Index{
		header: make([]string, len(header)),
		canon:  make([]string, len(header)),
		exact:  make(map[string]int, len(header)),
		byCan:  make(map[string][]int, len(header)),
	}
	for i, h := range header {
		h = strings.Clone(h)
		x.header[i] = h
		c := Canonical(h)
		x.canon[i] = c
		if _, ok := x.exact[h]; !ok {
			x.exact[h] = i
		}
		if _, ok := x.byCan[c]; !ok {
			x.order = append(x.order, c)
		}
		x.byCan[c] = append(x.byCan[c], i)
	}
	return x
}

// Len returns the number of columns in the header.
func (x *Index) Len() int { return len(x.header) }

// Header returns the original name of column i.
func (x *Index) Header(i int) string { return x.header[i] }

// CanonicalAt returns the canonical name of column i.
func (x *Index) CanonicalAt(i int) string { return x.canon[i] }

// Columns returns the distinct canonical names in order of first
// appearance. The caller must not modify the slice.
func (x *Index) Columns() []string { return x.order }

// Lookup returns the columns a name refers to, in header order. A name
// equal to a header entry refers to that column alone (so
// `resourceTags/user:Client` can be told from `resourceTags/user:client`);
// any other name refers to every column with the same canonical name,
// which callers merge by taking the first non-empty value. The caller must
// not modify the slice. Lookup returns nil when nothing matches.
func (x *Index) Lookup(name string) []int {
	if i, ok := x.exact[name]; ok {
		if cols := x.byCan[x.canon[i]]; len(cols) == 1 {
			return cols
		}
		return []int{i}
	}
	if v, ok := x.other.Load(name); ok {
		return v.([]int)
	}
	cols := x.byCan[Canonical(name)]
	// A slot is taken before the name is stored, so that goroutines
	// looking names up at once never store more than maxOther.
	for n := x.others.Load(); n < maxOther; n = x.others.Load() {
		if x.others.CompareAndSwap(n, n+1) {
			if _, loaded := x.other.LoadOrStore(strings.Clone(name), cols); loaded {
				x.others.Add(-1) // another goroutine stored it first
			}
			break
		}
	}
	return cols
}
