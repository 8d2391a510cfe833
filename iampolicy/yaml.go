package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// This file holds a small YAML emitter for JSON-shaped trees (objects,
// arrays, strings, numbers, booleans, null). It exists so that templates can
// be written as YAML without a YAML dependency. It reads the JSON encoding of
// a value and writes the same tree in YAML block style, so the YAML and JSON
// forms of a template always carry identical content, with keys in the same
// order.
//
// Every string is written double-quoted with JSON-style escapes, which is
// valid YAML 1.1 and 1.2 and sidesteps YAML's implicit typing ("yes", "on",
// "1e3", "null", "0x1F" stay strings) and indicator pitfalls (": ", " #",
// leading "-", "*", "&", "!"). Characters YAML does not allow unescaped
// (C0 and C1 controls, DEL, line separators, BOM, non-characters) are
// escaped; invalid UTF-8 becomes U+FFFD, as encoding/json does.

// yamlNode is one value of the tree, with object keys in document order.
type yamlNode struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'l' literal (number, true, false, null)
	keys   []string
	values []*yamlNode
	text   string
}

// maxYAMLDepth bounds nesting, so a hostile tree cannot exhaust the stack.
const maxYAMLDepth = 64

// jsonToYAML converts a JSON document to YAML.
func jsonToYAML(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readYAMLNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	var buf bytes.Buffer
	writeYAMLDocument(&buf, n)
	return buf.Bytes(), nil
}

func readYAMLNode(dec *json.Decoder, depth int) (*yamlNode, error) {
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("nesting deeper than %d", maxYAMLDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &yamlNode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T, not a string", kt)
				}
				child, err := readYAMLNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.values = append(n.values, child)
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return n, nil
		case '[':
			n := &yamlNode{kind: 'a'}
			for dec.More() {
				child, err := readYAMLNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.values = append(n.values, child)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("unexpected delimiter %v", v)
	case string:
		return &yamlNode{kind: 's', text: v}, nil
	case json.Number:
		return &yamlNode{kind: 'l', text: v.String()}, nil
	case bool:
		return &yamlNode{kind: 'l', text: strconv.FormatBool(v)}, nil
	case nil:
		return &yamlNode{kind: 'l', text: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %T", tok)
}

func writeYAMLDocument(buf *bytes.Buffer, n *yamlNode) {
	switch {
	case n.kind == 'o' && len(n.keys) > 0:
		writeYAMLObject(buf, n, 0)
	case n.kind == 'a' && len(n.values) > 0:
		writeYAMLArray(buf, n, 0)
	default:
		buf.WriteString(yamlInline(n))
		buf.WriteByte('\n')
	}
}

// isYAMLBlock reports whether n is written as an indented block (a
// non-empty object or array) rather than inline.
func isYAMLBlock(n *yamlNode) bool {
	return (n.kind == 'o' && len(n.keys) > 0) || (n.kind == 'a' && len(n.values) > 0)
}

// yamlInline writes a scalar or an empty collection.
func yamlInline(n *yamlNode) string {
	switch n.kind {
	case 'o':
		return "{}"
	case 'a':
		return "[]"
	case 's':
		return yamlQuote(n.text)
	}
	return n.text
}

func yamlIndent(buf *bytes.Buffer, level int) {
	for i := 0; i < level; i++ {
		buf.WriteString("  ")
	}
}

// writeYAMLObject writes the entries of a non-empty object, the first one
// without indentation (the caller has positioned the cursor, e.g. after
// "- "), the others at level.
func writeYAMLObject(buf *bytes.Buffer, n *yamlNode, level int) {
	for i, k := range n.keys {
		if i > 0 {
			yamlIndent(buf, level)
		}
		if key := yamlKey(k); len(key) > maxImplicitKey {
			// YAML limits implicit keys to 1024 characters; write a
			// longer one as an explicit "? key" entry.
			buf.WriteString("? ")
			buf.WriteString(key)
			buf.WriteByte('\n')
			yamlIndent(buf, level)
			buf.WriteByte(':')
		} else {
			buf.WriteString(key)
			buf.WriteByte(':')
		}
		v := n.values[i]
		if !isYAMLBlock(v) {
			buf.WriteByte(' ')
			buf.WriteString(yamlInline(v))
			buf.WriteByte('\n')
			continue
		}
		buf.WriteByte('\n')
		yamlIndent(buf, level+1)
		if v.kind == 'o' {
			writeYAMLObject(buf, v, level+1)
		} else {
			writeYAMLArray(buf, v, level+1)
		}
	}
}

// writeYAMLArray writes the items of a non-empty array, the first one
// without indentation, the others at level.
func writeYAMLArray(buf *bytes.Buffer, n *yamlNode, level int) {
	for i, v := range n.values {
		if i > 0 {
			yamlIndent(buf, level)
		}
		buf.WriteString("- ")
		switch {
		case !isYAMLBlock(v):
			buf.WriteString(yamlInline(v))
			buf.WriteByte('\n')
		case v.kind == 'o':
			writeYAMLObject(buf, v, level+1)
		default:
			writeYAMLArray(buf, v, level+1)
		}
	}
}

// maxImplicitKey is the longest key, in bytes, written as "key: value".
// YAML allows 1024 characters in an implicit key; bytes never undercount
// characters.
const maxImplicitKey = 1000

// plainKeyRE matches keys that are safe unquoted: a letter, then letters,
// digits and underscores (CloudFormation's logical IDs and property names).
// Keys YAML 1.1 would read as booleans or null are quoted anyway.
var plainKeyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func yamlKey(k string) string {
	if plainKeyRE.MatchString(k) && !yamlReserved(k) {
		return k
	}
	return yamlQuote(k)
}

// yamlReserved reports whether a plain scalar k would not be read as a
// string by YAML 1.1 or 1.2 (booleans and null in their accepted spellings).
func yamlReserved(k string) bool {
	switch k {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF",
		"null", "Null", "NULL":
		return true
	}
	return false
}

// yamlQuote returns s as a YAML double-quoted scalar. Printable characters
// are kept; everything YAML requires escaped, and every line break, is
// escaped.
func yamlQuote(s string) string {
	var b bytes.Buffer
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if yamlPrintable(r) {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// yamlPrintable reports whether r may appear unescaped inside a
// double-quoted scalar. It follows YAML's printable set, minus the
// characters YAML 1.1 treats as line breaks (NEL, LS, PS) and the BOM.
// utf8.RuneError from invalid input is printable U+FFFD.
func yamlPrintable(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7E:
		return true
	case r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF:
		return false
	case r >= 0xA0 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}
