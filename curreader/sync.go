package curreader

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// SyncState records which version of each billing period a caller has
// processed, so that a platform reads every delivery once, and again only
// when AWS delivers that period anew (a new day of the current month, or a
// closed month restated after credits and refunds).
//
// It is keyed by bucket, report prefix, report and billing period, and
// marshals to JSON, so a platform keeps it wherever it keeps state (a file,
// a database row per connection). The zero value is an empty state: every
// delivery is a change. A SyncState is not safe for concurrent use.
//
// The protocol makes a crash re-read rather than skip:
//
//	changes, err := r.Changes(ctx, rep, state) // what differs from state
//	for _, d := range changes {
//		// read d with r.Open and replace the month in the platform's store
//		state.Commit(d) // only once d is stored
//		// persist state (in the same transaction as the rows, where possible)
//	}
//
// A delivery is the whole month to date, never an increment, so reading one
// again replaces the month with the same rows: nothing is counted twice.
type SyncState struct {
	entries map[syncKey]SyncEntry
}

// SyncEntry is the version of one billing period that a caller processed.
type SyncEntry struct {
	Bucket string `json:"bucket"`
	// Prefix is the report prefix (Delivery.Prefix).
	Prefix string `json:"prefix"`
	Report string `json:"report"`
	// Period is the billing period, YYYY-MM.
	Period string `json:"period"`
	Kind   Kind   `json:"kind,omitempty"`
	// Version is the Delivery.Version processed.
	Version string `json:"version"`
	// Manifest is the manifest key the delivery came from, for the record.
	Manifest string `json:"manifest,omitempty"`
	// Committed is when Commit recorded it, UTC.
	Committed time.Time `json:"committed,omitzero"`
}

type syncKey struct{ bucket, prefix, report, period string }

func keyOf(d *Delivery) syncKey {
	return syncKey{d.Bucket, d.Prefix, d.Report, d.Period.String()}
}

// syncStateVersion is the JSON format's version.
const syncStateVersion = 1

// Changed reports whether d differs from what the state recorded for its
// period: a period never committed, or another version of it.
func (s *SyncState) Changed(d *Delivery) bool {
	e, ok := s.entries[keyOf(d)]
	return !ok || e.Version != d.Version
}

// Commit records d as processed. Call it only once d's rows are stored.
func (s *SyncState) Commit(d *Delivery) {
	if s.entries == nil {
		s.entries = map[syncKey]SyncEntry{}
	}
	s.entries[keyOf(d)] = SyncEntry{Bucket: d.Bucket, Prefix: d.Prefix, Report: d.Report, Period: d.Period.String(),
		Kind: d.Kind, Version: d.Version, Manifest: d.ManifestKey, Committed: time.Now().UTC().Truncate(time.Second)}
}

// Entry returns what the state recorded for a billing period ("YYYY-MM")
// of a report.
func (s *SyncState) Entry(bucket, prefix, report, period string) (SyncEntry, bool) {
	e, ok := s.entries[syncKey{bucket, prefix, report, period}]
	return e, ok
}

// Entries returns every entry, sorted by bucket, prefix, report and period.
func (s *SyncState) Entries() []SyncEntry {
	out := make([]SyncEntry, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b SyncEntry) int {
		return cmp.Or(cmp.Compare(a.Bucket, b.Bucket), cmp.Compare(a.Prefix, b.Prefix), cmp.Compare(a.Report, b.Report), cmp.Compare(a.Period, b.Period))
	})
	return out
}

type syncStateJSON struct {
	Version    int         `json:"version"`
	Deliveries []SyncEntry `json:"deliveries"`
}

// MarshalJSON writes {"version": 1, "deliveries": [entries, sorted]}.
func (s *SyncState) MarshalJSON() ([]byte, error) {
	return json.Marshal(syncStateJSON{Version: syncStateVersion, Deliveries: s.Entries()})
}

// UnmarshalJSON reads what MarshalJSON writes. An entry without bucket,
// report, period or version, a period that is not YYYY-MM, two entries for
// one period, or an unknown format version is an error wrapping
// curerr.ErrMalformed: a state that cannot be trusted must not make a
// platform skip deliveries.
func (s *SyncState) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j syncStateJSON
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("curreader: sync state: %w: %w", curerr.ErrMalformed, err)
	}
	if j.Version != syncStateVersion {
		return fmt.Errorf("curreader: sync state: %w: format version %d, want %d", curerr.ErrMalformed, j.Version, syncStateVersion)
	}
	entries := make(map[syncKey]SyncEntry, len(j.Deliveries))
	for i, e := range j.Deliveries {
		if e.Bucket == "" || e.Report == "" || e.Version == "" {
			return fmt.Errorf("curreader: sync state: %w: deliveries[%d] lacks its bucket, report or version", curerr.ErrMalformed, i)
		}
		if _, err := time.Parse("2006-01", e.Period); err != nil || len(e.Period) != 7 {
			return fmt.Errorf("curreader: sync state: %w: deliveries[%d]: period %q is not YYYY-MM", curerr.ErrMalformed, i, e.Period)
		}
		k := syncKey{e.Bucket, e.Prefix, e.Report, e.Period}
		if _, dup := entries[k]; dup {
			return fmt.Errorf("curreader: sync state: %w: deliveries[%d]: %s %s recorded twice", curerr.ErrMalformed, i, e.Report, e.Period)
		}
		entries[k] = e
	}
	s.entries = entries
	return nil
}

// Changes returns the report's deliveries that differ from what state
// recorded, oldest first: new billing periods, and periods AWS delivered
// again since (restated closed months included). It does not change
// state: Commit each delivery once it is processed. A nil state counts
// everything as changed.
func (r *Resolver) Changes(ctx context.Context, rep Report, state *SyncState) ([]*Delivery, error) {
	all, err := r.Latest(ctx, rep)
	if err != nil {
		return nil, err
	}
	var out []*Delivery
	for _, d := range all {
		if state == nil || state.Changed(d) {
			out = append(out, d)
		}
	}
	return out, nil
}
