package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSize(t *testing.T) {
	p, err := CURReadPolicy("b-b-b", "")
	require.NoError(t, err)
	n, err := Size(p)
	require.NoError(t, err)
	require.Less(t, n, QuotaManagedPolicy.Limit())

	var keys []string
	for range 80 {
		keys = append(keys, "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	}
	_, err = CURReadPolicy("b-b-b", "", func(o *ReadPolicyOptions) { o.KMSKeyARNs = keys })
	var se *SizeError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, 6144, se.Limit)
	assert.Greater(t, se.Size, 6144)

	// Whitespace does not count.
	withSpace := Policy{Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:Get Object"}}}}
	a, _ := Size(withSpace)
	b, _ := Size(Policy{Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:GetObject"}}}})
	assert.Equal(t, b, a)
}
