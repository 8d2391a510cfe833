package curreader

import (
	"encoding/json"

	"github.com/curconnect/curconnect/internal/colname"
)

// fromMap finds a column that CUR 2.0 keeps inside a map column: legacy
// product/ProductName is product['product_name'], resourceTags/user:Team
// is resource_tags['user_team'], costCategory/Team is
// cost_category['team'], and the newer tags map holds source-prefixed keys
// (tags['resourceTags/user:Team'], tags['accountTag/x']). ok is true when
// the row's file has the map the name belongs to (even if this row's map
// lacks the key) or the tags map holds the key.
func (w Row) fromMap(col string) (val []byte, ok bool) {
	c := colname.Canonical(col)
	if m, _, split := colname.SplitMap(c); split {
		if idx := w.m.index.Lookup(m); len(idx) > 0 {
			if v, found := mapValue(w.field(idx[0]), m, c); found {
				return v, true
			}
			ok = true
		}
	}
	if idx := w.m.index.Lookup(colname.MapTags); len(idx) > 0 {
		if v, found := mapValue(w.field(idx[0]), colname.MapTags, c); found {
			return v, true
		}
	}
	return nil, ok
}

// mapValue looks up the key whose canonical column name is c in a map
// cell (JSON object text). Strings come unquoted, numbers as written.
func mapValue(raw []byte, mapColumn, c string) ([]byte, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	var kv map[string]json.RawMessage
	if json.Unmarshal(raw, &kv) != nil {
		return nil, false
	}
	for k, v := range kv {
		if colname.MapKey(mapColumn, k) != c {
			continue
		}
		var s string
		switch {
		case json.Unmarshal(v, &s) == nil:
			return []byte(s), true
		case string(v) == "null":
			return nil, true
		}
		return v, true // a number (the discount map)
	}
	return nil, false
}
