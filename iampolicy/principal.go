package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

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

// awsPrincipal returns a principal for the given AWS account IDs or ARNs.
func awsPrincipal(arns ...string) *Principal { return &Principal{AWS: Strings(arns)} }

// servicePrincipal returns a principal for the given service names.
func servicePrincipal(services ...string) *Principal { return &Principal{Service: Strings(services)} }

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

// Matching a request's principal against Principal and NotPrincipal.

// identity is one name a request's principal is known by.
type identity struct {
	kind    identityKind
	account string
	name    string // role name for idRole
	exact   string // the principal string for idExact
}

type identityKind int

const (
	idAnonymous identityKind = iota
	idAccount
	idRole
	idExact
)

// principalIdentities lists the identities a principal is known by, most
// specific first: an assumed-role session is itself, its role and its
// account; a role or user is itself and its account; an account root is
// the account.
func principalIdentities(p string) []identity {
	if p == "" {
		return []identity{{kind: idAnonymous}}
	}
	if accountRE.MatchString(p) {
		return []identity{{kind: idAccount, account: p}}
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return []identity{{kind: idExact, exact: p}}
	}
	svc, acct, res := parts[2], parts[4], parts[5]
	exact := identity{kind: idExact, exact: p}
	account := identity{kind: idAccount, account: acct}
	switch {
	case svc == "iam" && res == "root":
		return []identity{account}
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		name := res[strings.LastIndexByte(res, '/')+1:]
		return []identity{exact, {kind: idRole, account: acct, name: name}, account}
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		rest := strings.TrimPrefix(res, "assumed-role/")
		name, _, _ := strings.Cut(rest, "/")
		return []identity{exact, {kind: idRole, account: acct, name: name}, account}
	case (svc == "iam" || svc == "sts") && acct != "":
		return []identity{exact, account}
	}
	return []identity{exact}
}

// matchPrincipal applies Principal or NotPrincipal. A statement with
// neither (an identity policy's) applies to any principal.
//
// NotPrincipal excludes a request only when every identity of its
// principal is listed, as AWS documents: to exempt an assumed-role
// session, a Deny's NotPrincipal must list the session, the role and the
// account.
func (e *evaluator) matchPrincipal(st *Statement) bool {
	switch {
	case st.Principal != nil:
		for _, id := range e.ids {
			if principalNames(st.Principal, id) {
				return true
			}
		}
		return false
	case st.NotPrincipal != nil:
		for _, id := range e.ids {
			if !principalNames(st.NotPrincipal, id) {
				return true
			}
		}
		return false
	}
	return true
}

// principalNames reports whether the Principal element p names id.
func principalNames(p *Principal, id identity) bool {
	if p.Wildcard {
		return true
	}
	for _, v := range p.AWS {
		if v == "*" {
			return true
		}
		switch id.kind {
		case idAccount:
			if v == id.account || isRootARNOf(v, id.account) {
				return true
			}
		case idRole:
			parts := strings.SplitN(v, ":", 6)
			if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] == id.account && strings.HasPrefix(parts[5], "role/") &&
				parts[5][strings.LastIndexByte(parts[5], '/')+1:] == id.name {
				return true
			}
		case idExact:
			if v == id.exact {
				return true
			}
		}
	}
	if id.kind == idExact {
		for _, v := range p.Service {
			if strings.EqualFold(v, id.exact) {
				return true
			}
		}
		for _, list := range []Strings{p.Federated, p.CanonicalUser} {
			for _, v := range list {
				if v == id.exact {
					return true
				}
			}
		}
	}
	return false
}

func isRootARNOf(v, account string) bool {
	parts := strings.SplitN(v, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3] == "" && parts[4] == account && parts[5] == "root"
}
