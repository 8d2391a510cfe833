package iampolicy

import (
	"crypto/rand"
	"regexp"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// External ID limits, as IAM and STS enforce them for sts:ExternalId.
const (
	minExternalIDLen = 2
	maxExternalIDLen = 1224
)

var externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]*$`)

// NewExternalID returns a new external ID: 26 characters of the base32
// alphabet (A–Z, 2–7) carrying 130 bits from crypto/rand. It is unguessable,
// unlike the account numbers and customer names some platforms use, and
// within IAM's allowed alphabet and length.
func NewExternalID() string { return rand.Text() }

// ValidateExternalID checks an external ID against IAM's rules: 2 to 1224
// characters of letters, digits and +=,.@:/-_. The error names the field
// "external ID" and wraps [curerr.ErrMalformed] (and [ErrNoExternalID]
// when id is empty); it never repeats the value.
func ValidateExternalID(id string) error {
	if id == "" {
		return &curerr.FieldError{Field: "external ID", Msg: "is empty", Err: ErrNoExternalID}
	}
	if err := checkPrintable("external ID", id); err != nil {
		return err
	}
	if len(id) < minExternalIDLen || len(id) > maxExternalIDLen {
		return fieldErr("external ID", "is %d characters; IAM allows %d to %d", len(id), minExternalIDLen, maxExternalIDLen)
	}
	if !externalIDRE.MatchString(id) {
		return fieldErr("external ID", "has characters IAM does not allow (allowed: letters, digits and +=,.@:/-_)")
	}
	return nil
}
