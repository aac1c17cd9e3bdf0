package authz

import (
	"sync"
	"time"
)

// Throttle slows down password guessing. It counts failed sign-ins per account
// and per client address within a window; past the limit, further attempts
// for that account or from that address are refused, even with the right
// password, until the lock-out ends. It lives in memory: a restart forgets it,
// which costs an attacker a restart they cannot cause.
type Throttle struct {
	PerAccount int           // failures of one account allowed per window
	PerAddress int           // failures from one address allowed per window
	Window     time.Duration // how long failures are remembered
	LockOut    time.Duration // how long a key is refused once over its limit

	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	failures    int
	windowStart time.Time
	lockedUntil time.Time
}

// NewThrottle returns a throttle with Pilar's limits: 5 failures per account
// and 20 per address within 15 minutes, then 15 minutes of refusal.
func NewThrottle() *Throttle {
	return &Throttle{PerAccount: 5, PerAddress: 20, Window: 15 * time.Minute, LockOut: 15 * time.Minute, keys: map[string]*attempts{}}
}

// Allow reports whether a sign-in attempt may proceed and, if not, when it may.
func (t *Throttle) Allow(account, address string, now time.Time) (bool, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var until time.Time
	for _, k := range []string{"a:" + account, "ip:" + address} {
		if a := t.keys[k]; a != nil && now.Before(a.lockedUntil) && a.lockedUntil.After(until) {
			until = a.lockedUntil
		}
	}
	return until.IsZero(), until
}

// Fail records a failed sign-in.
func (t *Throttle) Fail(account, address string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	t.fail("a:"+account, t.PerAccount, now)
	t.fail("ip:"+address, t.PerAddress, now)
}

func (t *Throttle) fail(key string, limit int, now time.Time) {
	a := t.keys[key]
	if a == nil || now.Sub(a.windowStart) > t.Window {
		a = &attempts{windowStart: now}
		t.keys[key] = a
	}
	a.failures++
	if a.failures >= limit {
		a.lockedUntil = now.Add(t.LockOut)
	}
}

// Succeed forgets an account's failures after a successful sign-in. The
// address keeps its count: one right password does not excuse many wrong ones.
func (t *Throttle) Succeed(account string) {
	t.mu.Lock()
	delete(t.keys, "a:"+account)
	t.mu.Unlock()
}

// sweep drops keys whose window and lock-out have both passed, so that the
// map stays as small as the recent failures.
func (t *Throttle) sweep(now time.Time) {
	if len(t.keys) < 1024 {
		return
	}
	for k, a := range t.keys {
		if now.Sub(a.windowStart) > t.Window && now.After(a.lockedUntil) {
			delete(t.keys, k)
		}
	}
}
