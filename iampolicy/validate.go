package iampolicy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
)

var (
	sidRE    = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	actionRE = regexp.MustCompile(`^([A-Za-z0-9-]+:[A-Za-z0-9*?]+|\*)$`)
)

// Validate checks p against IAM's grammar and returns every problem at
// once, as joined [*curerr.FieldError] values naming the statement and element
// (e.g. "Statement[1].Effect"). It checks what holds for every kind of
// policy: Version, Effect, one of Action/NotAction, at most one of
// Resource/NotResource and of Principal/NotPrincipal, action syntax, unique
// Sids, known condition values. Whether a Resource or Principal is required
// depends on the kind (identity, resource or trust policy); see
// ValidateIdentity and ValidateTrust.
func (p Policy) Validate() error { return joinFieldErrors(p.validate()) }

func (p Policy) validate() []*curerr.FieldError {
	var errs []*curerr.FieldError
	switch p.Version {
	case "", Version2012, "2008-10-17":
	default:
		errs = append(errs, fieldErr("Version", "%q is not 2012-10-17 or 2008-10-17", p.Version))
	}
	if len(p.Statement) == 0 {
		errs = append(errs, fieldErr("Statement", "the policy has no statements"))
	}
	sids := map[string]int{}
	for i, s := range p.Statement {
		f := func(el string) string { return fmt.Sprintf("Statement[%d].%s", i, el) }
		if s.Effect != EffectAllow && s.Effect != EffectDeny {
			errs = append(errs, fieldErr(f("Effect"), "%q is not Allow or Deny", s.Effect))
		}
		if s.Sid != "" {
			if !sidRE.MatchString(s.Sid) {
				errs = append(errs, fieldErr(f("Sid"), "%q has characters other than letters and digits", s.Sid))
			}
			if j, dup := sids[s.Sid]; dup {
				errs = append(errs, fieldErr(f("Sid"), "%q is also the Sid of Statement[%d]", s.Sid, j))
			}
			sids[s.Sid] = i
		}
		switch {
		case len(s.Action) > 0 && len(s.NotAction) > 0:
			errs = append(errs, fieldErr(f("Action"), "a statement has Action or NotAction, not both"))
		case len(s.Action) == 0 && len(s.NotAction) == 0:
			errs = append(errs, fieldErr(f("Action"), "a statement needs Action or NotAction"))
		}
		for j, a := range append(append(Strings{}, s.Action...), s.NotAction...) {
			if !actionRE.MatchString(a) {
				errs = append(errs, fieldErr(fmt.Sprintf("Statement[%d].Action[%d]", i, j), "%q is not service:action", a))
			}
		}
		if len(s.Resource) > 0 && len(s.NotResource) > 0 {
			errs = append(errs, fieldErr(f("Resource"), "a statement has Resource or NotResource, not both"))
		}
		for j, r := range append(append(Strings{}, s.Resource...), s.NotResource...) {
			if r != "*" && !strings.HasPrefix(r, "arn:") {
				errs = append(errs, fieldErr(fmt.Sprintf("Statement[%d].Resource[%d]", i, j), "%q is neither \"*\" nor an ARN", r))
			}
		}
		if s.Principal != nil && s.NotPrincipal != nil {
			errs = append(errs, fieldErr(f("Principal"), "a statement has Principal or NotPrincipal, not both"))
		}
		if s.Principal != nil && s.Principal.IsZero() {
			errs = append(errs, fieldErr(f("Principal"), "names no principal"))
		}
		for _, op := range sortedKeys(s.Condition) {
			if len(s.Condition[op]) == 0 {
				errs = append(errs, fieldErr(f("Condition."+op), "has no condition keys"))
			}
			for _, k := range sortedKeys(s.Condition[op]) {
				if len(s.Condition[op][k]) == 0 {
					errs = append(errs, fieldErr(f("Condition."+op+"."+k), "has no values"))
				}
			}
		}
	}
	return errs
}

// ValidateIdentity is Validate plus the rules of an identity policy (one
// attached to a role, user or group): every statement has Resource or
// NotResource and none has Principal or NotPrincipal.
func (p Policy) ValidateIdentity() error {
	return p.validateKind(func(i int, s Statement) *curerr.FieldError {
		if len(s.Resource)+len(s.NotResource) == 0 {
			return fieldErr(fmt.Sprintf("Statement[%d].Resource", i), "an identity policy statement needs Resource or NotResource")
		}
		if s.Principal != nil || s.NotPrincipal != nil {
			return fieldErr(fmt.Sprintf("Statement[%d].Principal", i), "an identity policy statement must not have Principal")
		}
		return nil
	})
}

// ValidateTrust is Validate plus the rules of a role trust policy: every
// statement has Principal (or NotPrincipal) and no Resource.
func (p Policy) ValidateTrust() error {
	return p.validateKind(func(i int, s Statement) *curerr.FieldError {
		if s.Principal == nil && s.NotPrincipal == nil {
			return fieldErr(fmt.Sprintf("Statement[%d].Principal", i), "a trust policy statement needs Principal")
		}
		if len(s.Resource)+len(s.NotResource) > 0 {
			return fieldErr(fmt.Sprintf("Statement[%d].Resource", i), "a trust policy statement must not have Resource")
		}
		return nil
	})
}

func (p Policy) validateKind(rule func(int, Statement) *curerr.FieldError) error {
	errs := p.validate()
	for i, s := range p.Statement {
		if fe := rule(i, s); fe != nil {
			errs = append(errs, fe)
		}
	}
	return joinFieldErrors(errs)
}
