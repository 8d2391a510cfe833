package curreader

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/curreader/curerr"
)

func TestSyncStateKeys(t *testing.T) {
	mar := Period{Month: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
	d := &Delivery{Bucket: "b", Prefix: "cur", Report: "r", Period: mar, Version: "v1", Kind: KindCUR, ManifestKey: "cur/r/20240301-20240401/r-Manifest.json"}
	var s SyncState
	assert.True(t, s.Changed(d), "the zero state has seen nothing")
	s.Commit(d)
	assert.False(t, s.Changed(d))

	// Each of bucket, prefix, report and period is part of the key.
	for _, other := range []Delivery{
		{Bucket: "b2", Prefix: "cur", Report: "r", Period: mar, Version: "v1"},
		{Bucket: "b", Prefix: "cur/", Report: "r", Period: mar, Version: "v1"},
		{Bucket: "b", Prefix: "cur", Report: "r2", Period: mar, Version: "v1"},
		{Bucket: "b", Prefix: "cur", Report: "r", Period: Period{Month: mar.Month.AddDate(0, 1, 0)}, Version: "v1"},
		{Bucket: "b", Prefix: "cur", Report: "r", Period: mar, Version: "v2"},
	} {
		assert.True(t, s.Changed(&other), "%+v", other)
	}
	e, ok := s.Entry("b", "cur", "r", "2024-03")
	require.True(t, ok)
	assert.Equal(t, "v1", e.Version)
	assert.Equal(t, KindCUR, e.Kind)
	assert.Equal(t, d.ManifestKey, e.Manifest)
	assert.False(t, e.Committed.IsZero())
}

func TestSyncStateJSON(t *testing.T) {
	var s SyncState
	for i, r := range []string{"b", "a"} {
		s.Commit(&Delivery{Bucket: "bucket", Prefix: "p", Report: r, Period: Period{Month: time.Date(2024, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC)}, Version: "v"})
	}
	data, err := json.Marshal(&s)
	require.NoError(t, err)
	var back SyncState
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, s.Entries(), back.Entries())
	assert.Equal(t, "a", back.Entries()[0].Report, "entries are sorted")

	for name, bad := range map[string]string{
		"unknown version": `{"version": 2, "deliveries": []}`,
		"unknown field":   `{"version": 1, "deliveries": [], "extra": 1}`,
		"no version":      `{"version": 1, "deliveries": [{"bucket": "b", "report": "r", "period": "2024-03"}]}`,
		"bad period":      `{"version": 1, "deliveries": [{"bucket": "b", "report": "r", "period": "2024-3", "version": "v"}]}`,
		"duplicate": `{"version": 1, "deliveries": [{"bucket": "b", "report": "r", "period": "2024-03", "version": "v"},
			{"bucket": "b", "report": "r", "period": "2024-03", "version": "w"}]}`,
	} {
		var s SyncState
		assert.ErrorIs(t, json.Unmarshal([]byte(bad), &s), curerr.ErrMalformed, name)
	}
}
