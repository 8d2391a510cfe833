package decimal

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type line struct {
	Cost Decimal `json:"cost"`
}

func TestJSONMarshalsAString(t *testing.T) {
	b, err := json.Marshal(line{Cost: MustParse("0.0110000000")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"cost":"0.011"}`, string(b))
	b, err = json.Marshal(map[string]Decimal{"x": MustParse("-1E-20")})
	require.NoError(t, err)
	assert.Equal(t, `{"x":"-0.00000000000000000001"}`, string(b))
}

func TestJSONUnmarshal(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"cost":"0.0110000000"}`, "0.011"},
		{`{"cost":0.1}`, "0.1"},
		{`{"cost":1.1E-5}`, "0.000011"},
		{`{"cost":-3}`, "-3"},
		{`{"cost":"\u0031.5"}`, "1.5"},
		{`{"cost":12345678901234567890123456789.000000001}`, "12345678901234567890123456789.000000001"},
		{`{"cost":null}`, "7"}, // unchanged
		{`{}`, "7"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			l := line{Cost: MustParse("7")}
			require.NoError(t, json.Unmarshal([]byte(tc.in), &l))
			assert.Equal(t, tc.want, l.Cost.String())
		})
	}
}

func TestJSONUnmarshalErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{`{"cost":""}`, ErrEmpty},
		{`{"cost":"abc"}`, ErrSyntax},
		{`{"cost":" 1"}`, ErrSyntax},
		{`{"cost":true}`, ErrSyntax},
		{`{"cost":[1]}`, ErrSyntax},
		{`{"cost":"1e99999"}`, ErrRange},
		{`{"cost":1e99999}`, ErrRange},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			l := line{Cost: MustParse("7")}
			err := json.Unmarshal([]byte(tc.in), &l)
			require.ErrorIs(t, err, tc.want)
			assert.Equal(t, "7", l.Cost.String(), "unchanged on error")
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "-0.5", "1.1E-5", "123456789012345678901234567890.5", "1E30"} {
		in := line{Cost: MustParse(s)}
		b, err := json.Marshal(in)
		require.NoError(t, err)
		var out line
		require.NoError(t, json.Unmarshal(b, &out))
		assert.True(t, in.Cost.Equal(out.Cost), s)
	}
}
