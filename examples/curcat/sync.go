package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/curconnect/curconnect/curreader"
)

// runSync prints every delivery whose version differs from what the state
// file records, then records them there (unless -dry-run). A platform runs it
// on a schedule and ingests what it prints; a run right after prints
// nothing, and after AWS restates a month it prints that month alone.
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var src source
	var statePath string
	var dryRun bool
	if err := parseSub("sync", args, stderr, func(fs *flag.FlagSet) {
		src.register(fs)
		fs.StringVar(&statePath, "state", "", "the JSON file that records what was synced (created if absent)")
		fs.BoolVar(&dryRun, "dry-run", false, "print the changes without recording them")
	}); err != nil {
		return err
	}
	if statePath == "" {
		return usageError{errors.New("-state is required")}
	}
	state, err := loadState(statePath)
	if err != nil {
		return err
	}
	r, err := src.resolver(ctx)
	if err != nil {
		return err
	}
	out := newListWriter(stdout, src.asJSON)
	var changed []*curreader.Delivery
	failed, err := forEachDelivery(ctx, r, src.prefix, stderr, func(d *curreader.Delivery) error {
		if !state.Changed(d) {
			return nil
		}
		changed = append(changed, d)
		return out.write(d)
	})
	if err != nil {
		return err
	}
	if err := out.flush(); err != nil {
		return err
	}
	if !dryRun && len(changed) > 0 {
		for _, d := range changed {
			state.Commit(d)
		}
		if err := saveState(statePath, state); err != nil {
			return err
		}
	}
	if failed > 0 {
		return partialError{failed}
	}
	return nil
}

// loadState reads the state file; a file that does not exist is an empty
// state (the first run).
func loadState(path string) (*curreader.SyncState, error) {
	state := &curreader.SyncState{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return state, nil
	}
	if err != nil {
		return nil, usageError{fmt.Errorf("-state %s: %w", path, err)}
	}
	if err := json.Unmarshal(data, state); err != nil {
		return nil, usageError{fmt.Errorf("-state %s: %w", path, err)}
	}
	return state, nil
}

// saveState replaces the state file atomically: the new state is written to
// a temporary file in the same directory, synced, and renamed over it, so a
// crash leaves the old state or the new one, never half of either.
func saveState(path string, state *curreader.SyncState) error {
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing left to remove
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write state %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write state %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write state %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}
