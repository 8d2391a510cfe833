package iampolicy

import (
	"crypto/rand"
	"fmt"
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

// minRecommendedExternalIDLen is the length under which ExternalIDWarning
// warns.
const minRecommendedExternalIDLen = 16

// ExternalIDWarning returns a warning in plain words when id is a valid
// external ID shorter than 16 characters, and "" otherwise. It is advice,
// not a rule: [ValidateExternalID] is the rule, and short IDs stay valid
// because some platforms' flows use an identifier the customer already has
// (such as the organization ID). A short or well-known external ID can be
// guessed or learned by another customer of the platform, who can then
// point the platform at this role from their own connection: the
// confused-deputy problem the external ID exists to prevent. The warning
// never repeats the ID.
func ExternalIDWarning(id string) string {
	if len(id) >= minRecommendedExternalIDLen || ValidateExternalID(id) != nil {
		return ""
	}
	return fmt.Sprintf("the external ID is only %d characters long: an external ID shorter than %d characters can be guessed, "+
		"or known to others when it is an account or organization ID, and whoever knows it can have the platform assume "+
		"this role from their own connection (the confused-deputy problem); prefer a random one of at least %d characters, "+
		"as NewExternalID makes", len(id), minRecommendedExternalIDLen, minRecommendedExternalIDLen)
}
