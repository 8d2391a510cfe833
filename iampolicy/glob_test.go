package iampolicy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true}, {"*", "", true}, {"*", "abc", true}, {"a*c", "abc", true}, {"a*c", "ac", true},
		{"a*c", "ab", false}, {"a**c", "axxc", true}, {"*a*b*c*", "xxaxxbxxcxx", true}, {"*a*b*c*", "xxaxxcxxbxx", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"?", "é", true}, {"a*", "b", false},
		{strings.Repeat("*a", 50), strings.Repeat("a", 200), true},
		{strings.Repeat("*a", 50) + "b", strings.Repeat("a", 2000), false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, globMatch(compileGlob(tc.pattern, false), tc.s, false), "%q ~ %q", tc.pattern, tc.s)
	}
	assert.True(t, globMatch(compileGlob(`a\*`, true), "a*", false))
	assert.False(t, globMatch(compileGlob(`a\*`, true), "ab", false))
	assert.True(t, globMatch(compileGlob("S3:GET*", false), "s3:getobject", true))
}
