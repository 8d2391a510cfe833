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
	assert.Equal(t, QuotaManagedPolicy, se.Quota)
	assert.Contains(t, se.Error(), "managed policy")

	// Whitespace does not count.
	withSpace := Policy{Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:Get Object"}}}}
	a, _ := Size(withSpace)
	b, _ := Size(Policy{Statement: []Statement{{Effect: EffectAllow, Action: Strings{"s3:GetObject"}}}})
	assert.Equal(t, b, a)
}

func TestQuota(t *testing.T) {
	for q, want := range map[Quota]struct {
		name  string
		limit int
	}{
		QuotaManagedPolicy:    {"managed policy", 6144},
		QuotaTrustPolicy:      {"role trust policy", 2048},
		QuotaRoleInlinePolicy: {"role inline policy", 10240},
		QuotaUserInlinePolicy: {"user inline policy", 2048},
		QuotaBucketPolicy:     {"bucket policy", 20480},
	} {
		assert.Equal(t, want.name, q.String())
		assert.Equal(t, want.limit, q.Limit())
	}
	assert.Equal(t, "Quota(9)", Quota(9).String())
	assert.Zero(t, Quota(9).Limit())
}
