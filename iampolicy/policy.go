package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// Version2012 is the current IAM policy language version. Every builder in
// this package sets it.
const Version2012 = "2012-10-17"

// Effect values.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Policy is an IAM policy document: an identity policy, a resource (bucket)
// policy or a role trust policy. Its JSON form is IAM's: fields in AWS's
// order, single values as scalars, no HTML escaping.
//
// Statement may be written by AWS as one object or as a list; Policy reads
// both and always writes a list.
type Policy struct {
	Version   string      `json:"Version,omitempty"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy. Fields are declared in the order
// AWS documents and prints them.
type Statement struct {
	Sid          string     `json:"Sid,omitempty"`
	Effect       string     `json:"Effect"`
	Principal    *Principal `json:"Principal,omitempty"`
	NotPrincipal *Principal `json:"NotPrincipal,omitempty"`
	Action       Strings    `json:"Action,omitempty"`
	NotAction    Strings    `json:"NotAction,omitempty"`
	Resource     Strings    `json:"Resource,omitempty"`
	NotResource  Strings    `json:"NotResource,omitempty"`
	Condition    Condition  `json:"Condition,omitempty"`
}

// Condition maps a condition operator (StringEquals, ArnLike,
// ForAnyValue:StringLike, StringEqualsIfExists, …) to condition keys and
// their values. encoding/json writes map keys sorted, so output is
// deterministic.
type Condition map[string]map[string]Strings

// Strings is a list of strings that IAM writes as a scalar when it holds one
// value and as a list otherwise. When read, it also accepts JSON booleans and
// numbers (as condition values may be written) and keeps them as their text.
type Strings []string

// MarshalJSON writes one value as a scalar string, several as a list.
func (s Strings) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return marshalNoEscape(s[0])
	}
	return marshalNoEscape([]string(s))
}

// UnmarshalJSON reads a string, a boolean, a number, or a list of them.
func (s *Strings) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return err
		}
		out := make(Strings, 0, len(raw))
		for _, r := range raw {
			v, err := scalarString(r)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		*s = out
		return nil
	}
	v, err := scalarString(data)
	if err != nil {
		return err
	}
	*s = Strings{v}
	return nil
}

func scalarString(data []byte) (string, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "", errors.New("empty value")
	}
	switch data[0] {
	case '"':
		var v string
		err := json.Unmarshal(data, &v)
		return v, err
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(data, &b); err != nil {
			return "", err
		}
		return strconv.FormatBool(b), nil
	case 'n':
		return "", errors.New("null is not a valid value")
	case '{', '[':
		return "", errors.New("expected a string, found " + string(data[:1]))
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}

// Principal is the Principal or NotPrincipal element: either the wildcard
// "*" (Wildcard true, the maps empty) or a map of principal kinds to values.
type Principal struct {
	// Wildcard is the bare "*" principal (everyone). {"AWS": "*"} is
	// written as AWS: Strings{"*"} instead.
	Wildcard bool
	// AWS holds account IDs, account root ARNs, role, user and
	// assumed-role ARNs.
	AWS Strings
	// Service holds service principals such as billingreports.amazonaws.com.
	Service Strings
	// Federated holds identity providers.
	Federated Strings
	// CanonicalUser holds S3 canonical user IDs.
	CanonicalUser Strings
}

// AWSPrincipal returns a principal for the given AWS account IDs or ARNs.
func AWSPrincipal(arns ...string) *Principal { return &Principal{AWS: Strings(arns)} }

// ServicePrincipal returns a principal for the given service names.
func ServicePrincipal(services ...string) *Principal { return &Principal{Service: Strings(services)} }

// MarshalJSON writes "*" or an object with the kinds in sorted order.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Wildcard {
		return []byte(`"*"`), nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	for _, kv := range []struct {
		k string
		v Strings
	}{{"AWS", p.AWS}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}, {"Service", p.Service}} {
		if len(kv.v) == 0 {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		b, err := kv.v.MarshalJSON()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&buf, "%q:", kv.k)
		buf.Write(b)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads "*" or an object of principal kinds.
func (p *Principal) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s != "*" {
			return fmt.Errorf("a principal string must be \"*\", found %q", s)
		}
		*p = Principal{Wildcard: true}
		return nil
	}
	var m map[string]Strings
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	var out Principal
	for k, v := range m {
		switch k {
		case "AWS":
			out.AWS = v
		case "Service":
			out.Service = v
		case "Federated":
			out.Federated = v
		case "CanonicalUser":
			out.CanonicalUser = v
		default:
			return fmt.Errorf("unknown principal type %q", k)
		}
	}
	*p = out
	return nil
}

// IsZero reports whether p names no principal at all.
func (p *Principal) IsZero() bool {
	return p == nil || (!p.Wildcard && len(p.AWS)+len(p.Service)+len(p.Federated)+len(p.CanonicalUser) == 0)
}

// UnmarshalJSON reads a statement and refuses unknown keys, so a typo such
// as "Principle" is an error rather than a silently broader policy.
func (s *Statement) UnmarshalJSON(data []byte) error {
	type plain Statement
	var v plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	*s = Statement(v)
	return nil
}

// UnmarshalJSON reads a policy whose Statement is an object or a list, and
// refuses unknown top-level keys.
func (p *Policy) UnmarshalJSON(data []byte) error {
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	out := Policy{Version: raw.Version, ID: raw.ID}
	st := bytes.TrimSpace(raw.Statement)
	switch {
	case len(st) == 0 || string(st) == "null":
		return errors.New("policy has no Statement")
	case st[0] == '{':
		var one Statement
		if err := json.Unmarshal(st, &one); err != nil {
			return err
		}
		out.Statement = []Statement{one}
	default:
		if err := json.Unmarshal(st, &out.Statement); err != nil {
			return err
		}
	}
	*p = out
	return nil
}

// Limits on what Parse reads, so a hostile document cannot exhaust memory
// or the stack. IAM's own quotas are far smaller (see CheckSize).
const (
	// MaxDocumentBytes is the largest document Parse accepts.
	MaxDocumentBytes = 1 << 20
	// MaxNesting is the deepest JSON nesting Parse accepts. A valid IAM
	// policy nests at most 5 levels (Statement, list, Condition, operator,
	// values).
	MaxNesting = 16
)

// Parse reads an IAM policy document. It refuses documents over
// MaxDocumentBytes or nested deeper than MaxNesting, unknown keys, and
// wrong value types; the error wraps curerr.ErrMalformed (and ErrTooLarge for size
// and depth). Parse checks syntax only: call Validate for IAM's rules.
func Parse(data []byte) (Policy, error) {
	if len(data) > MaxDocumentBytes {
		return Policy{}, fmt.Errorf("iampolicy: parse: document is %d bytes, over the limit of %d: %w", len(data), MaxDocumentBytes, ErrTooLarge)
	}
	if d := nestingDepth(data); d > MaxNesting {
		return Policy{}, fmt.Errorf("iampolicy: parse: document nests %d levels deep, over the limit of %d: %w", d, MaxNesting, ErrTooLarge)
	}
	var p Policy
	if err := json.Unmarshal(data, &p); err != nil {
		return Policy{}, fmt.Errorf("iampolicy: parse: %w: %w", curerr.ErrMalformed, err)
	}
	return p, nil
}

// nestingDepth returns the deepest [ / { nesting outside strings.
func nestingDepth(data []byte) int {
	depth, maxDepth := 0, 0
	inStr, esc := false, false
	for _, c := range data {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > maxDepth {
				maxDepth = depth
			}
		case '}', ']':
			depth--
		}
	}
	return maxDepth
}

// JSON returns the document indented by two spaces, without HTML escaping,
// with a trailing newline. The output is deterministic.
func (p Policy) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("iampolicy: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// CompactJSON returns the document on one line without HTML escaping and
// without a trailing newline, as IAM's APIs take it.
func (p Policy) CompactJSON() ([]byte, error) {
	b, err := marshalNoEscape(p)
	if err != nil {
		return nil, fmt.Errorf("iampolicy: encode: %w", err)
	}
	return b, nil
}

// String returns the compact JSON form, or an error text if p cannot be
// encoded.
func (p Policy) String() string {
	b, err := p.CompactJSON()
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
