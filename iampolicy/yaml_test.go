package iampolicy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestYAMLMatchesJSON checks the YAML emitter on strings and keys YAML would
// misread, empty collections, nested lists and scalars of every type: the
// YAML must parse to the same tree as the JSON.
func TestYAMLMatchesJSON(t *testing.T) {
	props := map[string]any{}
	for i, s := range trickyStrings {
		props["K"+strings.Repeat("x", i)] = s
		props[s] = []any{s, map[string]any{s: s}}
	}
	props["Empty"] = map[string]any{}
	props["EmptyList"] = []any{}
	props["Nested"] = []any{[]any{"a", []any{"b", map[string]any{}}}, []any{}, map[string]any{"k": []any{1, 2.5, true, false, nil}}}
	props["Numbers"] = []any{0, -1, 1e21, 123456789012}
	tmpl := &Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              strings.Join(trickyStrings, "|"),
		Resources:                map[string]Resource{"R": {Type: "AWS::X::Y", Properties: props}},
	}
	j, err := tmpl.JSON()
	require.NoError(t, err)
	y, err := tmpl.YAML()
	require.NoError(t, err)
	requireSameTree(t, j, y)
	for _, line := range strings.Split(strings.TrimSuffix(string(y), "\n"), "\n") {
		assert.NotContains(t, line, "\t", "YAML indentation never uses tabs")
		assert.True(t, strings.TrimLeft(line, " ") != "", "no blank lines")
	}
	// Deterministic.
	y2, err := tmpl.YAML()
	require.NoError(t, err)
	assert.Equal(t, y, y2)
}
