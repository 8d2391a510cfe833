package iampolicy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConditionOperators covers every operator, its IfExists form and the
// ForAnyValue/ForAllValues qualifiers, with the key present, absent and
// multivalued.
func TestConditionOperators(t *testing.T) {
	type ctx = map[string][]string
	cases := []struct {
		op     string
		key    string
		values Strings
		ctx    ctx
		want   bool
	}{
		// String.
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, ctx{"aws:sourceaccount": {"111122223333"}}, true}, // keys case-insensitive
		{"StringEquals", "AWS:SOURCEACCOUNT", Strings{"111122223333"}, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, ctx{"aws:SourceAccount": {"444455556666"}}, false},
		{"StringEquals", "aws:SourceAccount", Strings{"1", "111122223333"}, ctx{"aws:SourceAccount": {"111122223333"}}, true}, // values OR
		{"StringEquals", "aws:SourceAccount", Strings{"111122223333"}, nil, false},                                            // missing key
		{"StringEquals", "k", Strings{"a*"}, ctx{"k": {"abc"}}, false},                                                        // no wildcards
		{"StringEquals", "k", Strings{"a*"}, ctx{"k": {"a*"}}, true},
		{"StringEquals", "k", Strings{"A"}, ctx{"k": {"a"}}, false},
		{"StringNotEquals", "k", Strings{"a"}, ctx{"k": {"b"}}, true},
		{"StringNotEquals", "k", Strings{"a"}, ctx{"k": {"a"}}, false},
		{"StringNotEquals", "k", Strings{"a", "b"}, ctx{"k": {"b"}}, false}, // negated: AND over values
		{"StringNotEquals", "k", Strings{"a"}, nil, true},                   // negated, missing key: true
		{"StringEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"abc"}}, true},
		{"StringEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"abd"}}, false},
		{"StringNotEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"abc"}}, false},
		{"StringNotEqualsIgnoreCase", "k", Strings{"ABC"}, ctx{"k": {"x"}}, true},
		{"StringLike", "k", Strings{"cur/*"}, ctx{"k": {"cur/2026/x"}}, true},
		{"StringLike", "k", Strings{"cur/?"}, ctx{"k": {"cur/ab"}}, false},
		{"StringLike", "k", Strings{"Cur/*"}, ctx{"k": {"cur/x"}}, false},
		{"StringLike", "k", Strings{"cur/*"}, nil, false},
		{"StringNotLike", "k", Strings{"cur/*"}, ctx{"k": {"other"}}, true},
		{"StringNotLike", "k", Strings{"cur/*"}, ctx{"k": {"cur/x"}}, false},
		{"StringNotLike", "k", Strings{"cur/*"}, nil, true},
		// ARN.
		{"ArnEquals", "aws:SourceArn", Strings{"arn:aws:cur:us-east-1:111122223333:definition/*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:111122223333:definition/r1"}}, true},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:us-east-1:111122223333:definition/*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:444455556666:definition/r1"}}, false},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*:111122223333:*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:111122223333:definition/r1"}}, true},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*"}, ctx{"aws:SourceArn": {"arn:aws:cur:us-east-1:1:d"}}, true}, // short pattern: whole-string glob
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*:*:*"}, ctx{"aws:SourceArn": {"not-an-arn"}}, false},
		{"ArnLike", "aws:SourceArn", Strings{"arn:aws:cur:*:*:*"}, nil, false},
		{"ArnNotEquals", "aws:SourceArn", Strings{"arn:aws:s3:::a"}, ctx{"aws:SourceArn": {"arn:aws:s3:::b"}}, true},
		{"ArnNotLike", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, ctx{"aws:SourceArn": {"arn:aws:s3:::b"}}, false},
		{"ArnNotLike", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, nil, true},
		// Bool.
		{"Bool", "aws:SecureTransport", Strings{"true"}, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool", "aws:SecureTransport", Strings{"true"}, ctx{"aws:SecureTransport": {"TRUE"}}, true},
		{"Bool", "aws:SecureTransport", Strings{"false"}, ctx{"aws:SecureTransport": {"true"}}, false},
		{"Bool", "aws:SecureTransport", Strings{"true"}, nil, false},
		// Null.
		{"Null", "aws:TokenIssueTime", Strings{"true"}, nil, true},
		{"Null", "aws:TokenIssueTime", Strings{"true"}, ctx{"aws:TokenIssueTime": {"x"}}, false},
		{"Null", "aws:TokenIssueTime", Strings{"false"}, ctx{"aws:TokenIssueTime": {"x"}}, true},
		{"Null", "aws:TokenIssueTime", Strings{"false"}, nil, false},
		{"Null", "aws:TokenIssueTime", Strings{"false"}, ctx{"aws:TokenIssueTime": {}}, false}, // empty counts as absent
		// Numeric.
		{"NumericEquals", "n", Strings{"10"}, ctx{"n": {"10.0"}}, true},
		{"NumericEquals", "n", Strings{"10"}, ctx{"n": {"11"}}, false},
		{"NumericEquals", "n", Strings{"10"}, ctx{"n": {"ten"}}, false},
		{"NumericNotEquals", "n", Strings{"10"}, ctx{"n": {"11"}}, true},
		{"NumericNotEquals", "n", Strings{"10"}, nil, true},
		{"NumericLessThan", "n", Strings{"10"}, ctx{"n": {"9"}}, true},
		{"NumericLessThan", "n", Strings{"10"}, ctx{"n": {"10"}}, false},
		{"NumericLessThanEquals", "n", Strings{"10"}, ctx{"n": {"10"}}, true},
		{"NumericGreaterThan", "n", Strings{"10"}, ctx{"n": {"10"}}, false},
		{"NumericGreaterThan", "n", Strings{"10"}, ctx{"n": {"1e3"}}, true},
		{"NumericGreaterThanEquals", "n", Strings{"10"}, ctx{"n": {"10"}}, true},
		{"NumericLessThan", "n", Strings{"10"}, nil, false},
		// Date.
		{"DateLessThan", "aws:CurrentTime", Strings{"2027-01-01T00:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:00Z"}}, true},
		{"DateLessThan", "aws:CurrentTime", Strings{"2026-01-01"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:00Z"}}, false},
		{"DateGreaterThan", "aws:EpochTime", Strings{"1700000000"}, ctx{"aws:EpochTime": {"1800000000"}}, true},
		{"DateEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T07:00:00+01:00"}}, true},
		{"DateNotEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:01Z"}}, true},
		{"DateLessThanEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"2026-11-25T06:00:00Z"}}, true},
		{"DateGreaterThanEquals", "aws:CurrentTime", Strings{"2026-11-25T06:00:00Z"}, ctx{"aws:CurrentTime": {"garbage"}}, false},
		// IP.
		{"IpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"198.51.100.7"}}, false},
		{"IpAddress", "aws:SourceIp", Strings{"203.0.113.7"}, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress", "aws:SourceIp", Strings{"2001:db8::/32"}, ctx{"aws:SourceIp": {"2001:db8::1"}}, true},
		{"NotIpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, ctx{"aws:SourceIp": {"198.51.100.7"}}, true},
		{"NotIpAddress", "aws:SourceIp", Strings{"203.0.113.0/24"}, nil, true},
		// Binary.
		{"BinaryEquals", "k", Strings{"QmluYXJ5"}, ctx{"k": {"QmluYXJ5"}}, true},
		{"BinaryEquals", "k", Strings{"QmluYXJ5"}, ctx{"k": {"eA=="}}, false},
		// IfExists: missing key is true; present key is checked.
		{"StringEqualsIfExists", "k", Strings{"a"}, nil, true},
		{"StringEqualsIfExists", "k", Strings{"a"}, ctx{"k": {"b"}}, false},
		{"StringEqualsIfExists", "k", Strings{"a"}, ctx{"k": {"a"}}, true},
		{"StringNotEqualsIfExists", "k", Strings{"a"}, ctx{"k": {"a"}}, false},
		{"StringLikeIfExists", "k", Strings{"a*"}, nil, true},
		{"ArnLikeIfExists", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, nil, true},
		{"ArnLikeIfExists", "aws:SourceArn", Strings{"arn:aws:s3:::*"}, ctx{"aws:SourceArn": {"arn:aws:sqs:us-east-1:1:q"}}, false},
		{"BoolIfExists", "aws:MultiFactorAuthPresent", Strings{"true"}, nil, true},
		{"BoolIfExists", "aws:MultiFactorAuthPresent", Strings{"true"}, ctx{"aws:MultiFactorAuthPresent": {"false"}}, false},
		{"NumericLessThanIfExists", "n", Strings{"5"}, nil, true},
		{"IpAddressIfExists", "aws:SourceIp", Strings{"10.0.0.0/8"}, nil, true},
		{"DateLessThanIfExists", "aws:CurrentTime", Strings{"2027-01-01"}, nil, true},
		// ForAnyValue: some request value matches; missing key false.
		{"ForAnyValue:StringEquals", "aws:TagKeys", Strings{"team", "env"}, ctx{"aws:TagKeys": {"owner", "env"}}, true},
		{"ForAnyValue:StringEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {"owner", "env"}}, false},
		{"ForAnyValue:StringEquals", "aws:TagKeys", Strings{"team"}, nil, false},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {"team"}}, false},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", Strings{"team"}, nil, false},
		{"ForAnyValue:StringLike", "aws:TagKeys", Strings{"cost-*"}, ctx{"aws:TagKeys": {"x", "cost-center"}}, true},
		{"ForAnyValue:StringEqualsIfExists", "aws:TagKeys", Strings{"team"}, nil, true},
		{"ForAnyValue:ArnLike", "k", Strings{"arn:aws:s3:::b*"}, ctx{"k": {"arn:aws:s3:::a", "arn:aws:s3:::bb"}}, true},
		// ForAllValues: every request value matches; missing key true.
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team", "env"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team", "env"}, ctx{"aws:TagKeys": {"team", "owner"}}, false},
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team"}, nil, true},
		{"ForAllValues:StringEquals", "aws:TagKeys", Strings{"team"}, ctx{"aws:TagKeys": {}}, true},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", Strings{"secret"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", Strings{"secret"}, ctx{"aws:TagKeys": {"team", "secret"}}, false},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", Strings{"secret"}, nil, true},
		{"ForAllValues:StringLike", "aws:TagKeys", Strings{"cost-*"}, ctx{"aws:TagKeys": {"cost-a", "cost-b"}}, true},
		{"ForAllValues:StringEqualsIgnoreCase", "aws:TagKeys", Strings{"TEAM"}, ctx{"aws:TagKeys": {"team", "Team"}}, true},
		// Without a qualifier, a multivalued key: positive any, negated none.
		{"StringEquals", "aws:TagKeys", Strings{"env"}, ctx{"aws:TagKeys": {"team", "env"}}, true},
		{"StringNotEquals", "aws:TagKeys", Strings{"env"}, ctx{"aws:TagKeys": {"team", "env"}}, false},
		// Policy variables in condition values.
		{"StringEquals", "s3:prefix", Strings{"home/${aws:username}/"}, ctx{"s3:prefix": {"home/alice/"}, "aws:username": {"alice"}}, true},
		{"StringEquals", "s3:prefix", Strings{"home/${aws:username}/"}, ctx{"s3:prefix": {"home/${aws:username}/"}}, false},
		{"StringLike", "s3:prefix", Strings{"home/${aws:username}/*"}, ctx{"s3:prefix": {"home/alice/x"}, "aws:username": {"alice"}}, true},
		{"StringLike", "s3:prefix", Strings{"${*}"}, ctx{"s3:prefix": {"x"}}, false},
		{"StringLike", "s3:prefix", Strings{"${*}"}, ctx{"s3:prefix": {"*"}}, true},
	}
	for _, tc := range cases {
		name := tc.op + " " + tc.key + " " + strings.Join(tc.values, ",")
		t.Run(name, func(t *testing.T) {
			p := pol(Statement{Effect: EffectAllow, Action: Strings{"s3:GetObject"}, Resource: Strings{"*"},
				Condition: Condition{tc.op: {tc.key: tc.values}}})
			d := Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: tc.ctx}, p)
			require.Empty(t, d.Warnings)
			assert.Equal(t, tc.want, d.IsAllowed(), "ctx %v: %s", tc.ctx, d)
		})
	}
}

func TestConditionsCombine(t *testing.T) {
	c := Condition{
		"StringEquals": {"aws:SourceAccount": {"111122223333"}, "aws:PrincipalOrgID": {"o-abc"}},
		"ArnLike":      {"aws:SourceArn": {"arn:aws:cur:us-east-1:111122223333:definition/*"}},
	}
	p := pol(Statement{Effect: EffectAllow, Action: Strings{"s3:PutObject"}, Resource: Strings{"*"}, Condition: c})
	full := map[string][]string{
		"aws:SourceAccount":  {"111122223333"},
		"aws:PrincipalOrgID": {"o-abc"},
		"aws:SourceArn":      {"arn:aws:cur:us-east-1:111122223333:definition/r"},
	}
	assert.True(t, Evaluate(Request{Action: "s3:PutObject", Resource: "x", Context: full}, p).IsAllowed())
	for k := range full {
		partial := map[string][]string{}
		for k2, v := range full {
			if k2 != k {
				partial[k2] = v
			}
		}
		assert.False(t, Evaluate(Request{Action: "s3:PutObject", Resource: "x", Context: partial}, p).IsAllowed(), "without %s", k)
	}
}
