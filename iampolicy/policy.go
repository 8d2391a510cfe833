package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Version2012 is the current IAM policy language version. Every builder in
// this package sets it.
const Version2012 = "2012-10-17"

// Effect is a statement's Effect element: [EffectAllow] or [EffectDeny].
// It is a string, so a policy with any other value still parses and
// writes back as it was; [Policy.Validate] reports such a value, and
// [Evaluate] treats the statement as not matching (with a [Warning]).
type Effect string

// Effects of a statement.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
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
	Effect       Effect     `json:"Effect"`
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
