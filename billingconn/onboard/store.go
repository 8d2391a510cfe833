package onboard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/curconnect/curconnect/curreader/curerr"
)

// Store keeps connections. Every method is scoped to a tenant: a
// connection of another tenant is ErrNotFound, never returned or changed.
// Writes are compare-and-swap on Connection.Version, so two writers (two
// verifications of one connection, on one process or several) cannot
// interleave: the second one's write fails with ErrConflict, and it reads
// again.
//
// NewMemoryStore and NewSQLStore implement it; package storetest holds the
// tests every implementation must pass.
type Store interface {
	// Create stores a new connection, with Version 1. It fails with
	// ErrExists when the ID is taken.
	Create(ctx context.Context, c Connection) (Connection, error)
	// Get returns the tenant's connection with the given ID, or
	// ErrNotFound.
	Get(ctx context.Context, tenant, id string) (Connection, error)
	// List returns the tenant's connections, oldest first (by CreatedAt,
	// then ID).
	List(ctx context.Context, tenant string) ([]Connection, error)
	// Update writes c over the stored connection with c's Tenant and ID if,
	// and only if, the stored Version is c.Version; the stored (and
	// returned) connection has Version c.Version+1. It fails with
	// ErrConflict when the version differs and ErrNotFound when there is no
	// such connection for the tenant.
	Update(ctx context.Context, c Connection) (Connection, error)
	// Delete removes the tenant's connection, or fails with ErrNotFound.
	Delete(ctx context.Context, tenant, id string) error
}

// Errors a Store returns. ErrNotFound wraps curerr.ErrNotFound.
var (
	ErrNotFound = fmt.Errorf("onboard: connection not found: %w", curerr.ErrNotFound)
	ErrExists   = errors.New("onboard: connection exists")
	ErrConflict = errors.New("onboard: connection changed since it was read")
)

// MemoryStore is a Store in memory, for tests, demos and single-process
// platforms that keep their connections elsewhere. Its zero value is not
// usable: call NewMemoryStore.
type MemoryStore struct {
	mu    sync.Mutex
	conns map[string]Connection // by ID
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore. It is safe for concurrent use.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{conns: map[string]Connection{}}
}

// clone copies the slices a caller could change.
func clone(c Connection) Connection {
	c.Checks = slices.Clone(c.Checks)
	for i := range c.Checks {
		c.Checks[i].Findings = slices.Clone(c.Checks[i].Findings)
	}
	return c
}

// Create implements Store.
func (m *MemoryStore) Create(ctx context.Context, c Connection) (Connection, error) {
	if err := ctx.Err(); err != nil {
		return Connection{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.conns[c.ID]; ok {
		return Connection{}, ErrExists
	}
	c.Version = 1
	m.conns[c.ID] = clone(c)
	return clone(c), nil
}

// Get implements Store.
func (m *MemoryStore) Get(ctx context.Context, tenant, id string) (Connection, error) {
	if err := ctx.Err(); err != nil {
		return Connection{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.conns[id]
	if !ok || c.Tenant != tenant {
		return Connection{}, ErrNotFound
	}
	return clone(c), nil
}

// List implements Store.
func (m *MemoryStore) List(ctx context.Context, tenant string) ([]Connection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Connection
	for _, c := range m.conns {
		if c.Tenant == tenant {
			out = append(out, clone(c))
		}
	}
	slices.SortFunc(out, func(a, b Connection) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Update implements Store.
func (m *MemoryStore) Update(ctx context.Context, c Connection) (Connection, error) {
	if err := ctx.Err(); err != nil {
		return Connection{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.conns[c.ID]
	if !ok || old.Tenant != c.Tenant {
		return Connection{}, ErrNotFound
	}
	if old.Version != c.Version {
		return Connection{}, ErrConflict
	}
	c.Version++
	m.conns[c.ID] = clone(c)
	return clone(c), nil
}

// Delete implements Store.
func (m *MemoryStore) Delete(ctx context.Context, tenant, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.conns[id]
	if !ok || c.Tenant != tenant {
		return ErrNotFound
	}
	delete(m.conns, id)
	return nil
}

// update reads the tenant's connection, applies fn and writes it back,
// reading again when another writer got there first. fn may return an
// error to stop without writing.
func update(ctx context.Context, s Store, tenant, id string, fn func(*Connection) error) (Connection, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.Get(ctx, tenant, id)
		if err != nil {
			return Connection{}, err
		}
		if err := fn(&c); err != nil {
			return c, err
		}
		out, err := s.Update(ctx, c)
		if errors.Is(err, ErrConflict) && attempt < 50 {
			continue
		}
		return out, err
	}
}
