package iampolicy

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

func TestValidate(t *testing.T) {
	good, err := CURReadPolicy("my-cur-bucket", "cur")
	require.NoError(t, err)
	require.NoError(t, good.Validate())
	require.NoError(t, good.ValidateIdentity())
	require.Error(t, good.ValidateTrust())

	bad := Policy{Version: "2013-01-01", Statement: []Statement{
		{Sid: "a-b", Effect: "allow", Action: Strings{"GetObject"}, NotAction: Strings{"s3:*"}, Resource: Strings{"bucket"}, NotResource: Strings{"*"}},
		{Sid: "a-b", Effect: EffectAllow, Principal: &Principal{}, NotPrincipal: &Principal{Wildcard: true}, Condition: Condition{"StringEquals": {}}},
	}}
	err = bad.Validate()
	require.ErrorIs(t, err, curerr.ErrMalformed)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *curerr.FieldError
		require.True(t, errors.As(e, &fe))
		fields = append(fields, fe.Field)
	}
	assert.ElementsMatch(t, []string{
		"Version", "Statement[0].Effect", "Statement[0].Sid", "Statement[0].Action", "Statement[0].Action[0]",
		"Statement[0].Resource", "Statement[0].Resource[0]",
		"Statement[1].Sid", "Statement[1].Sid", "Statement[1].Action", "Statement[1].Principal", "Statement[1].Principal", "Statement[1].Condition.StringEquals",
	}, fields)
	require.ErrorIs(t, Policy{}.Validate(), curerr.ErrMalformed)
}
