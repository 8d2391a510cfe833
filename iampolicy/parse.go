package iampolicy

import (
	"encoding/json"
	"fmt"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// MaxDocumentBytes is the largest document [Parse] accepts, so a hostile
// document cannot exhaust memory. IAM's own quotas are far smaller (see
// [CheckSize]); a caller reading a policy from a network can stop reading
// after MaxDocumentBytes+1 bytes.
const MaxDocumentBytes = 1 << 20

// maxNesting is the deepest JSON nesting Parse accepts, so a hostile
// document cannot exhaust the stack. A valid IAM policy nests at most 5
// levels (Statement, list, Condition, operator, values).
const maxNesting = 16

// Parse reads an IAM policy document. It refuses documents over
// [MaxDocumentBytes] or nested deeper than 16 levels (both errors wrap
// [ErrTooLarge]), unknown keys and wrong value types; every error wraps
// [curerr.ErrMalformed]. Parse checks syntax only: call [Policy.Validate]
// for IAM's rules.
func Parse(data []byte) (Policy, error) {
	if len(data) > MaxDocumentBytes {
		return Policy{}, fmt.Errorf("iampolicy: parse: document is %d bytes, over the limit of %d: %w", len(data), MaxDocumentBytes, ErrTooLarge)
	}
	if d := nestingDepth(data); d > maxNesting {
		return Policy{}, fmt.Errorf("iampolicy: parse: document nests %d levels deep, over the limit of %d: %w", d, maxNesting, ErrTooLarge)
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
