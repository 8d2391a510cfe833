package iampolicy

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// ValidateAccountID accepts a 12-digit AWS account ID. Leading zeros are
// significant: account IDs are strings, never numbers.
func ValidateAccountID(id string) error {
	if !accountRE.MatchString(id) {
		return fieldErr("account ID", "%q is not a 12-digit AWS account ID", id)
	}
	return nil
}

// ValidateBucketName checks an S3 general purpose bucket name against S3's
// naming rules: 3–63 characters of lowercase letters, digits, dots and
// hyphens, starting and ending with a letter or digit, no "..", not an IP
// address, none of the reserved prefixes and suffixes.
func ValidateBucketName(name string) error {
	bad := func(why string) error { return fieldErr("bucket", "%q is not a valid S3 bucket name: %s", name, why) }
	if len(name) < 3 || len(name) > 63 {
		return bad("it must be 3 to 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad(fmt.Sprintf("character %q at %d is not a lowercase letter, digit, '.' or '-'", c, i))
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return bad("it must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return bad("it must not contain two adjacent periods")
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return bad("it must not be formatted as an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return bad("the prefix " + p + " is reserved")
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return bad("the suffix " + s + " is reserved")
		}
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

var prefixRE = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()/]*$`)

// ValidatePrefix checks a report's S3 prefix against the characters and
// length AWS allows for a report definition's S3Prefix (up to 256 of
// letters, digits and !-_.*'()/).
func ValidatePrefix(prefix string) error {
	if len(prefix) > 256 {
		return fieldErr("prefix", "is %d characters, over the limit of 256", len(prefix))
	}
	if !prefixRE.MatchString(prefix) {
		return fieldErr("prefix", "%q has characters AWS does not allow in a report prefix (allowed: letters, digits and !-_.*'()/)", prefix)
	}
	return nil
}

// checkPrintable refuses control characters, which no ARN, name or ID
// may hold and which would corrupt logs and documents: ASCII and C1
// controls, invalid UTF-8, line and paragraph separators, and the
// invisible characters that make a console show other text than the
// value holds (bidirectional overrides and isolates, zero-width space,
// byte order mark).
func checkPrintable(field, s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fieldErr(field, "is not valid UTF-8 at byte %d", i)
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return fieldErr(field, "has a control character (%U) at byte %d", r, i)
		case r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) ||
			(r >= 0x2066 && r <= 0x2069) || r == 0x200b || r == 0xfeff:
			return fieldErr(field, "has an invisible formatting character (%U) at byte %d", r, i)
		}
	}
	return nil
}
