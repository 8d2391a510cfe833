package iampolicy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Glob matching: the * and ? wildcards of actions, resources and
// condition values, and ARN matching part by part.

// arnMatch matches an escaped glob (see expand) against an ARN, part by
// part.
func arnMatch(escapedPattern, arn string) bool {
	toks := compileGlob(escapedPattern, true)
	psegs := splitTokens(toks, 6)
	ssegs := strings.SplitN(arn, ":", 6)
	if len(psegs) != 6 || len(ssegs) != 6 {
		return globMatch(toks, arn, false)
	}
	for i := range psegs {
		if !globMatch(psegs[i], ssegs[i], false) {
			return false
		}
	}
	return true
}

// splitTokens splits a compiled glob at literal colons into at most n
// parts.
func splitTokens(toks []globToken, n int) [][]globToken {
	var out [][]globToken
	start := 0
	for i, t := range toks {
		if len(out) == n-1 {
			break
		}
		if t.kind == tokLiteral && t.r == ':' {
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

// unescape turns an escaped glob back into literal text.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

type tokKind uint8

const (
	tokLiteral tokKind = iota
	tokStar
	tokOne
)

type globToken struct {
	kind tokKind
	r    rune
}

// compileGlob turns a pattern into tokens. With escaped, \x is a literal x.
func compileGlob(p string, escaped bool) []globToken {
	toks := make([]globToken, 0, len(p))
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case escaped && r == '\\' && i+size < len(p):
			i += size
			r, size = utf8.DecodeRuneInString(p[i:])
			toks = append(toks, globToken{tokLiteral, r})
		case r == '*':
			if n := len(toks); n == 0 || toks[n-1].kind != tokStar {
				toks = append(toks, globToken{kind: tokStar})
			}
		case r == '?':
			toks = append(toks, globToken{kind: tokOne})
		default:
			toks = append(toks, globToken{tokLiteral, r})
		}
		i += size
	}
	return toks
}

// globMatch matches s against toks in O(len(toks)·len(s)) at worst, with
// one backtracking point (the last star).
func globMatch(toks []globToken, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		if pi < len(toks) {
			t := toks[pi]
			switch {
			case t.kind == tokStar:
				starP, starS = pi, si
				pi++
				continue
			case t.kind == tokOne, t.kind == tokLiteral && (t.r == r || fold && equalFoldRune(t.r, r)):
				pi++
				si += size
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, sz := utf8.DecodeRuneInString(s[starS:])
		starS += sz
		pi, si = starP+1, starS
	}
	for pi < len(toks) && toks[pi].kind == tokStar {
		pi++
	}
	return pi == len(toks)
}

func equalFoldRune(a, b rune) bool { return unicode.ToLower(a) == unicode.ToLower(b) }

// escapeGlob escapes a literal value so that unescape returns it as is.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `\*?`) {
		return s
	}
	var b strings.Builder
	writeEscaped(&b, s)
	return b.String()
}
