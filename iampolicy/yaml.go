package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// YAML output: the template's JSON encoding, read as a token stream so that
// object keys keep their order, becomes a yaml.Node tree that
// go.yaml.in/yaml/v3 writes. The YAML and JSON forms therefore always hold
// the same tree with keys in the same order.
//
// Every string value is a double-quoted scalar, which sidesteps YAML's
// implicit typing ("yes", "on", "1e3", "null", "0x1F" stay strings, in YAML
// 1.1 and 1.2 readers alike) and its indicator pitfalls (": ", " #", a
// leading "-", "*", "&", "!"); the emitter escapes what YAML does not allow
// raw (control characters, line breaks, the BOM). Keys are written plain
// only when they are identifiers that no YAML version reads as anything
// but a string.

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
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readYAMLNode reads one JSON value from dec as a YAML node.
func readYAMLNode(dec *json.Decoder, depth int) (*yaml.Node, error) {
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("nesting deeper than %d", maxYAMLDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		var n *yaml.Node
		switch v {
		case '{':
			n = &yaml.Node{Kind: yaml.MappingNode}
		case '[':
			n = &yaml.Node{Kind: yaml.SequenceNode}
		default:
			return nil, fmt.Errorf("unexpected delimiter %v", v)
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T, not a string", kt)
				}
				n.Content = append(n.Content, yamlKey(k))
			}
			child, err := readYAMLNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, child)
		}
		if _, err := dec.Token(); err != nil { // '}' or ']'
			return nil, err
		}
		if len(n.Content) == 0 {
			n.Style = yaml.FlowStyle // {} and [], not an empty block
		}
		return n, nil
	case string:
		return yamlString(v), nil
	case json.Number:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: v.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatBool(v)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %T", tok)
}

// yamlString is a double-quoted string scalar.
func yamlString(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

// plainKeyRE matches keys that are safe unquoted: a letter, then letters,
// digits and underscores (CloudFormation's logical IDs and property names).
var plainKeyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// yamlKey writes k plain when it is an identifier no YAML reader takes for
// a boolean or null, and double-quoted otherwise ("Fn::Sub", "yes", "").
func yamlKey(k string) *yaml.Node {
	if plainKeyRE.MatchString(k) && !yamlReserved(k) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
	}
	return yamlString(k)
}

// yamlReserved reports whether a plain scalar k would not be read as a
// string by YAML 1.1 or 1.2 (booleans and null in their accepted
// spellings). go.yaml.in/yaml/v3 resolves as YAML 1.2 does, so it would
// write "yes" plain, which a YAML 1.1 reader (PyYAML, as cfn-lint uses)
// takes for true.
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
