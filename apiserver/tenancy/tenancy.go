// Package tenancy knows which regions exist — from tenants/*.yaml in the
// embedded mode, from Kubernetes in a cluster — and holds each one's lazily
// opened database: a small bounded pool, migrated on first use and closed again
// after it has been idle, so that hundreds of registered regions cost nothing
// until they are used.
package tenancy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// ErrUnknownRegion is returned for a region the registry does not serve.
var ErrUnknownRegion = errors.New("tenancy: unknown region")

// Prepare readies a freshly opened database for use: migrations, the
// administrative tree, demo data. It runs once per opening.
type Prepare func(ctx context.Context, db *bun.DB, t *Tenant) error

// Migrate is the usual Prepare: it migrates a region's freshly opened
// database, brings its administrative tree up to date with the region's
// manifest and records the policy set it is served under.
func Migrate(ctx context.Context, db *bun.DB, t *Tenant) error {
	if _, err := store.Migrate(ctx, db); err != nil {
		return err
	}
	if err := store.SyncAreas(ctx, db, t.Region); err != nil {
		return err
	}
	return RecordPolicy(ctx, db, t.Region.Code, t.Policy)
}

// Tenant is one served region: its regulations, its policy set, its database
// and its policy enforcer.
type Tenant struct {
	Region *partnership.Region
	Policy *policies.Set
	// NIK hashes national ID numbers with the region's own key.
	NIK *authz.NIKHasher

	opts    store.Options
	prepare Prepare

	mu       sync.Mutex
	enforcer *casbin.SyncedCachedEnforcer // built on first use, dropped when idle
	db       *bun.DB
	inflight int
	retired  bool // no longer served: closed as soon as nobody holds it
	lastUsed time.Time
	lastErr  error
	opening  chan struct{} // closed when an opening in progress ends
}

// NewTenant describes a region whose database is reached with opts and renders
// its policy set (the national baseline and the region's overrides); nothing is
// opened until the first Acquire.
func NewTenant(r *partnership.Region, opts store.Options, prepare Prepare) (*Tenant, error) {
	set, err := policies.Render(r.PolicyOverrides)
	if err != nil {
		return nil, fmt.Errorf("tenancy: region %s: spec.policy.overrides: %w", r.Slug, err)
	}
	return NewTenantWithPolicy(r, set, opts, prepare), nil
}

// NewTenantWithPolicy describes a region served under a policy set rendered
// elsewhere — in a cluster, by the operator into the region's ConfigMap, read
// back with policies.ParseSet — rather than from the region's overrides here.
// Nothing is opened until the first Acquire.
func NewTenantWithPolicy(r *partnership.Region, set *policies.Set, opts store.Options, prepare Prepare) *Tenant {
	return &Tenant{Region: r, Policy: set, opts: opts, prepare: prepare}
}

// Enforcer returns the region's policy enforcer, building it on first use. It
// is safe for concurrent use and caches its (role, permission) decisions.
func (t *Tenant) Enforcer() (*casbin.SyncedCachedEnforcer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.enforcer == nil {
		e, err := policies.NewEnforcer(t.Policy)
		if err != nil {
			return nil, fmt.Errorf("tenancy: region %s: %w", t.Region.Slug, err)
		}
		t.enforcer = e
	}
	return t.enforcer, nil
}

// Acquire returns the region's database, opening and preparing it on first
// use, and a release function the caller must call when done. The database is
// never closed while acquired.
func (t *Tenant) Acquire(ctx context.Context) (*bun.DB, func(), error) {
	for {
		t.mu.Lock()
		if t.retired {
			t.mu.Unlock()
			return nil, nil, fmt.Errorf("%w %q: it is no longer served", ErrUnknownRegion, t.Region.Slug)
		}
		if t.db != nil {
			t.inflight++
			db := t.db
			t.mu.Unlock()
			return db, t.release, nil
		}
		if wait := t.opening; wait != nil {
			t.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		t.opening = make(chan struct{})
		t.mu.Unlock()

		db, err := t.open(ctx)

		t.mu.Lock()
		close(t.opening)
		t.opening = nil
		t.lastErr = err
		if err != nil {
			t.mu.Unlock()
			return nil, nil, err
		}
		t.db = db
		t.mu.Unlock()
	}
}

func (t *Tenant) open(ctx context.Context) (*bun.DB, error) {
	db, err := store.Open(ctx, t.opts)
	if err != nil {
		return nil, fmt.Errorf("tenancy: region %s: %w", t.Region.Slug, err)
	}
	if t.prepare != nil {
		if err := t.prepare(ctx, db, t); err != nil {
			db.Close()
			return nil, fmt.Errorf("tenancy: region %s: %w", t.Region.Slug, err)
		}
	}
	return db, nil
}

func (t *Tenant) release() {
	t.mu.Lock()
	t.inflight--
	t.lastUsed = time.Now()
	t.closeIfRetired()
	t.mu.Unlock()
}

// retire stops serving the tenant: requests already holding its database
// finish with it, and the last one to let go closes it.
func (t *Tenant) retire() {
	t.mu.Lock()
	t.retired = true
	t.closeIfRetired()
	t.mu.Unlock()
}

// closeIfRetired closes a retired tenant's database once nobody holds it; t.mu is held.
func (t *Tenant) closeIfRetired() {
	if t.retired && t.inflight == 0 && t.db != nil {
		t.db.Close()
		t.db, t.enforcer = nil, nil
	}
}

// closeIfIdle closes the database when nobody holds it and it has not been used since before.
func (t *Tenant) closeIfIdle(before time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.db == nil || t.inflight > 0 || t.lastUsed.After(before) {
		return false
	}
	t.db.Close()
	t.db = nil
	t.enforcer = nil
	return true
}

// Close closes the database if it is open, whoever holds it.
func (t *Tenant) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.db == nil {
		return nil
	}
	err := t.db.Close()
	t.db = nil
	return err
}

// State is what readiness reports of a tenant's database.
type State struct {
	Database string `json:"database"` // "closed" (not opened yet or idle), "open" or "error"
	Error    string `json:"error,omitempty"`
	InUse    int    `json:"inUse,omitempty"`
}

// State reports whether the database is open, closed or failed at its last opening.
func (t *Tenant) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.db != nil:
		return State{Database: "open", InUse: t.inflight}
	case t.lastErr != nil:
		return State{Database: "error", Error: t.lastErr.Error()}
	default:
		return State{Database: "closed"}
	}
}

// Registry is the set of served tenants, safe for concurrent use. In a cluster
// tenants come and go as Regions become Ready or are deleted.
type Registry struct {
	mu      sync.RWMutex
	tenants map[string]*Tenant
}

// NewRegistry returns a registry serving the given tenants.
func NewRegistry(tenants ...*Tenant) *Registry {
	r := &Registry{tenants: map[string]*Tenant{}}
	for _, t := range tenants {
		r.tenants[t.Region.Slug] = t
	}
	return r
}

// Get returns the tenant of a region, or ErrUnknownRegion.
func (r *Registry) Get(slug string) (*Tenant, error) {
	r.mu.RLock()
	t, ok := r.tenants[slug]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownRegion, slug)
	}
	return t, nil
}

// Put adds or replaces a tenant; a replaced tenant's database is closed once
// the requests still using it are done.
func (r *Registry) Put(t *Tenant) {
	r.mu.Lock()
	old := r.tenants[t.Region.Slug]
	r.tenants[t.Region.Slug] = t
	r.mu.Unlock()
	if old != nil && old != t {
		old.retire()
	}
}

// Remove stops serving a region; its database is closed once the requests
// still using it are done.
func (r *Registry) Remove(slug string) {
	r.mu.Lock()
	t := r.tenants[slug]
	delete(r.tenants, slug)
	r.mu.Unlock()
	if t != nil {
		t.retire()
	}
}

// All returns the tenants sorted by region name.
func (r *Registry) All() []*Tenant {
	r.mu.RLock()
	out := make([]*Tenant, 0, len(r.tenants))
	for _, t := range r.tenants {
		out = append(out, t)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Region.Slug < out[j].Region.Slug })
	return out
}

// CloseIdle closes the databases not used for the idle duration and returns how many it closed.
func (r *Registry) CloseIdle(idle time.Duration) int {
	before := time.Now().Add(-idle)
	n := 0
	for _, t := range r.All() {
		if t.closeIfIdle(before) {
			n++
		}
	}
	return n
}

// ReapIdle closes idle databases every interval until ctx ends, then closes them all.
func (r *Registry) ReapIdle(ctx context.Context, idle time.Duration, log *slog.Logger) {
	tick := time.NewTicker(max(idle/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			for _, t := range r.All() {
				t.Close()
			}
			return
		case <-tick.C:
			if n := r.CloseIdle(idle); n > 0 {
				log.Debug("closed idle region databases", "count", n)
			}
		}
	}
}

// Realm is the region as its workflow steps see it, around a database the
// caller has acquired and holds for as long as it uses the realm.
func (t *Tenant) Realm(db bun.IDB) *step.Region {
	return &step.Region{Spec: t.Region, Root: t.Region.Code, DB: db, Policy: t.Policy, Enforcer: t.Enforcer, NIK: t.NIK, Location: t.Region.Location}
}
