package curreader

import (
	"strings"

	"github.com/curconnect/curconnect/internal/colname"
)

// Header describes the columns of one data file as its rows show them
// (after ReadOptions.Columns), in file order. Every row of a file shares one
// *Header, and each file brings its own (AWS adds and drops columns from
// month to month, and files of one delivery may differ), so a caller that
// reads columns by position resolves their positions once per Header:
//
//	var h *curreader.Header
//	var cost int
//	for row, err := range rd.Rows() {
//		…
//		if row.Header() != h {
//			h = row.Header()
//			cost = h.Index("lineItem/UnblendedCost") // -1 when this file lacks it
//		}
//		if cost >= 0 {
//			v, ok, err := row.DecimalAt(cost)
//			…
//		}
//	}
//
// A Header is immutable and safe for concurrent use.
type Header struct {
	key   string
	index *colname.Index // the visible (projected) columns
	src   []int          // visible column i is field src[i] of the file
	cols  *columnChecker // the reader's: tells an absent column from a typo
}

// Len returns the number of columns.
func (h *Header) Len() int {
	if h == nil {
		return 0
	}
	return h.index.Len()
}

// Name returns column i's name as the file writes it
// ("lineItem/UnblendedCost" in a legacy CSV, "line_item_unblended_cost" in
// CUR 2.0 or legacy Parquet).
func (h *Header) Name(i int) string { return h.index.Header(i) }

// Canonical returns column i's canonical name, the one both naming schemes
// meet on ("line_item_unblended_cost").
func (h *Header) Canonical(i int) string { return h.index.CanonicalAt(i) }

// Index returns the position of the column named col in either naming
// scheme, or -1 when the file has no such column. When several columns share
// a canonical name (tag keys that differ only in case), it returns the first
// and Row.Get merges them; a name spelt exactly as one of them in the file
// selects that one. Columns CUR 2.0 keeps inside map columns
// (product/ProductName) have no position of their own: use Row.Get.
func (h *Header) Index(col string) int {
	if h == nil {
		return -1
	}
	if idx := h.index.Lookup(col); len(idx) > 0 {
		return idx[0]
	}
	return -1
}

// projection is the set of canonical names a caller asked for.
type projection struct {
	names map[string]bool
	tags  bool
}

func newProjection(cols []string) *projection {
	if len(cols) == 0 {
		return nil
	}
	p := &projection{names: map[string]bool{}}
	for _, c := range cols {
		cn := colname.Canonical(c)
		p.names[cn] = true
		if cn == colname.MapResourceTags || cn == colname.MapTags {
			p.tags = true
		}
		// A key inside a CUR 2.0 map column brings the map (and the newer
		// tags map, which holds tags and cost categories too).
		if m, _, ok := colname.SplitMap(cn); ok {
			p.names[m] = true
			p.names[colname.MapTags] = true
		}
	}
	if p.tags {
		p.names[colname.MapResourceTags] = true
		p.names[colname.MapTags] = true
	}
	return p
}

// keep reports whether a column (by canonical name) is visible.
func (p *projection) keep(canonical string) bool {
	if p == nil || p.names[canonical] {
		return true
	}
	return p.tags && strings.HasPrefix(canonical, colname.MapResourceTags+"_")
}

// newMeta projects a file's header.
func newMeta(key string, header []string, p *projection) *Header {
	m := &Header{key: key}
	if p == nil {
		m.index = colname.NewIndex(header)
		m.src = make([]int, len(header))
		for i := range m.src {
			m.src[i] = i
		}
		return m
	}
	var vis []string
	for i, h := range header {
		if p.keep(colname.Canonical(h)) {
			vis = append(vis, h)
			m.src = append(m.src, i)
		}
	}
	m.index = colname.NewIndex(vis)
	return m
}
