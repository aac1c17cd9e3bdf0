package tenancy

import "github.com/uptrace/bun"

// AcquireIfOpen lends the region's database to work the server does on its
// own schedule, but only when it is already open: it never opens an idle
// region, and giving the database back does not count as a use, so scheduled
// work never keeps a region from being closed when nobody else uses it.
// ok is false, and release nil, when the database is not open.
func (t *Tenant) AcquireIfOpen() (db *bun.DB, release func(), ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.db == nil {
		return nil, nil, false
	}
	t.inflight++
	return t.db, func() {
		t.mu.Lock()
		t.inflight--
		t.closeIfRetired()
		t.mu.Unlock()
	}, true
}
