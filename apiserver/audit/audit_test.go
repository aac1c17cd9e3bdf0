package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// sample is the i-th entry of a small log: even entries are public, entries
// alternate between two proposals, and every third one is a grant.
func sample(i int) Entry {
	e := Entry{
		Actor:      fmt.Sprintf("a%d", i),
		ActorRole:  "ward-office",
		ActorScope: "32.73.01.1001",
		Action:     "proposal:decide",
		ObjectType: "proposal",
		ObjectID:   fmt.Sprint(i % 2),
		Decision:   "grant 12 ward-office at 32.73.01.1001; rule baseline allow ward-office proposal:decide",
		Before:     map[string]any{"status": "submitted", "cost": 1000000 * i},
		After:      map[string]any{"status": "funded", "cost": 1000000 * i, "note": "<b>& more</b>"},
		Public:     i%2 == 0,
	}
	if i%3 == 0 {
		e.Action, e.ObjectType, e.ObjectID = "grant:manage", "grant", fmt.Sprint(i)
		e.Before = nil
	}
	return e
}

func appendAll(t *testing.T, db bun.IDB, n int) []Entry {
	t.Helper()
	var es []Entry
	for i := 1; i <= n; i++ {
		e, err := Append(context.Background(), db, sample(i))
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	return es
}

func verifyOK(t *testing.T, db bun.IDB, entries int64) {
	t.Helper()
	rep, err := Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Report{Entries: entries, OK: true}); rep != want {
		t.Fatalf("verify: %+v, want %+v", rep, want)
	}
}

func TestAppendVerifyList(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		verifyOK(t, db, 0)

		es := appendAll(t, db, 6)
		// An explicit time, off UTC and with nanoseconds, comes back in UTC
		// to the microsecond.
		wib := time.FixedZone("WIB", 7*60*60)
		at := time.Date(2016, 3, 1, 9, 3, 4, 123456789, wib)
		e7 := sample(7)
		e7.At = at
		got, err := Append(ctx, db, e7)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2016, 3, 1, 2, 3, 4, 123456000, time.UTC); !got.At.Equal(want) || got.At.Location() != time.UTC {
			t.Fatalf("at %v, want %v", got.At, want)
		}
		es = append(es, got)

		prev := Genesis
		for i, e := range es {
			if e.Seq != int64(i+1) || e.PrevHash != prev || len(e.Hash) != 64 {
				t.Fatalf("entry %d: seq %d prev %s hash %s, want seq %d prev %s", i, e.Seq, e.PrevHash, e.Hash, i+1, prev)
			}
			prev = e.Hash
		}
		verifyOK(t, db, 7)

		all, err := List(ctx, db, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(all, es) {
			t.Fatalf("listed entries differ from the appended ones:\n%+v\n%+v", all, es)
		}
		if all[0].After["cost"] != json.Number("1000000") || all[0].After["note"] != "<b>& more</b>" {
			t.Fatalf("after image read back as %#v", all[0].After)
		}

		tests := []struct {
			name string
			f    Filter
			want []int64
		}{
			{"everything", Filter{}, []int64{1, 2, 3, 4, 5, 6, 7}},
			{"public only", Filter{PublicOnly: true}, []int64{2, 4, 6}},
			{"after a seq", Filter{AfterSeq: 4}, []int64{5, 6, 7}},
			{"a page", Filter{AfterSeq: 2, Limit: 2}, []int64{3, 4}},
			{"limit above the maximum", Filter{Limit: 10000}, []int64{1, 2, 3, 4, 5, 6, 7}},
			{"one object", Filter{ObjectType: "proposal", ObjectID: "1"}, []int64{1, 5, 7}},
			{"one kind of object", Filter{ObjectType: "grant"}, []int64{3, 6}},
			{"one action", Filter{Action: "grant:manage"}, []int64{3, 6}},
			{"public decisions on one object", Filter{PublicOnly: true, ObjectType: "proposal", ObjectID: "0"}, []int64{2, 4}},
			{"nothing", Filter{ObjectType: "complaint"}, []int64{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				es, err := List(ctx, db, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				got := []int64{}
				for _, e := range es {
					got = append(got, e.Seq)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("seqs %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func TestListLimitDefaultsTo50(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := 1; i <= DefaultLimit+10; i++ {
				if _, err := Append(ctx, tx, sample(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		es, err := List(ctx, db, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != DefaultLimit || es[len(es)-1].Seq != DefaultLimit {
			t.Fatalf("%d entries up to %d, want %d", len(es), es[len(es)-1].Seq, DefaultLimit)
		}
	})
}

func TestAppendRejectsIncompleteEntries(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		tests := []struct {
			name string
			e    Entry
			want string
		}{
			{"no actor", Entry{Action: "grant:manage"}, "without an actor"},
			{"no action", Entry{Actor: "system"}, "without an action"},
			{"after image that is not JSON", Entry{Actor: "system", Action: "grant:manage", After: map[string]any{"c": make(chan int)}}, "after image"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := Append(context.Background(), db, tt.e)
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "audit: ") {
					t.Fatalf("error %v, want one about %q", err, tt.want)
				}
			})
		}
		verifyOK(t, db, 0)
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *bun.DB)
		broken int64
		reason string
	}{
		{
			name:   "decision changed in place",
			tamper: execSQL(`UPDATE audit_log SET decision = 'rule baseline allow everyone' WHERE seq = 3`),
			broken: 3, reason: "entry 3 was altered: its hash does not match its contents",
		},
		{
			name:   "after image changed in place",
			tamper: execSQL(`UPDATE audit_log SET after_json = '{"cost":1,"status":"funded"}' WHERE seq = 2`),
			broken: 2, reason: "entry 2 was altered",
		},
		{
			name:   "before image removed",
			tamper: execSQL(`UPDATE audit_log SET before_json = NULL WHERE seq = 4`),
			broken: 4, reason: "entry 4 was altered",
		},
		{
			name:   "actor changed in place",
			tamper: execSQL(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1`),
			broken: 1, reason: "entry 1 was altered",
		},
		{
			name:   "visibility flipped",
			tamper: execSQL(`UPDATE audit_log SET public = NOT public WHERE seq = 5`),
			broken: 5, reason: "entry 5 was altered",
		},
		{
			name: "time moved",
			tamper: func(t *testing.T, db *bun.DB) {
				if _, err := db.NewUpdate().Table("audit_log").Set("at = ?", time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)).Where("seq = 2").Exec(context.Background()); err != nil {
					t.Fatal(err)
				}
			},
			broken: 2, reason: "entry 2 was altered",
		},
		{
			name:   "entry deleted",
			tamper: execSQL(`DELETE FROM audit_log WHERE seq = 3`),
			broken: 3, reason: "entry 3 is missing",
		},
		{
			name:   "two entries deleted",
			tamper: execSQL(`DELETE FROM audit_log WHERE seq IN (2, 3)`),
			broken: 2, reason: "entries 2 to 3 are missing",
		},
		{
			name:   "first entry deleted",
			tamper: execSQL(`DELETE FROM audit_log WHERE seq = 1`),
			broken: 1, reason: "entry 1 is missing",
		},
		{
			name:   "entry changed and its hash recomputed",
			tamper: rewrite(2, func(r *row) { r.Decision = "rule baseline allow everyone" }),
			broken: 2, reason: "entry 2 was altered and its hash recomputed: entry 3 still chains to its original hash",
		},
		{
			name:   "first entry changed and its hash recomputed",
			tamper: rewrite(1, func(r *row) { r.Actor = "someone-else" }),
			broken: 1, reason: "entry 1 was altered and its hash recomputed: entry 2 still chains",
		},
		{
			name:   "entry relinked and its hash recomputed",
			tamper: rewrite(3, func(r *row) { r.PrevHash = strings.Repeat("ab", 32) }),
			broken: 3, reason: "entry 3 was altered and its hash recomputed: it no longer chains to entry 2",
		},
		{
			name:   "first entry relinked and its hash recomputed",
			tamper: rewrite(1, func(r *row) { r.PrevHash = strings.Repeat("ab", 32) }),
			broken: 1, reason: "entry 1 was altered: it does not chain to the genesis hash",
		},
		{
			name:   "last entry changed and its hash recomputed",
			tamper: rewrite(5, func(r *row) { r.Public = !r.Public }),
			broken: 5, reason: "the head's hash does not match entry 5",
		},
		{
			name:   "last entry deleted",
			tamper: execSQL(`DELETE FROM audit_log WHERE seq = 5`),
			broken: 5, reason: "entry 5 is missing: the head records entry 5 but the log ends at entry 4",
		},
		{
			name:   "last two entries deleted",
			tamper: execSQL(`DELETE FROM audit_log WHERE seq >= 4`),
			broken: 4, reason: "entries 4 to 5 are missing",
		},
		{
			name:   "head hash altered",
			tamper: execSQL(`UPDATE audit_head SET hash = '` + strings.Repeat("f", 64) + `'`),
			broken: 5, reason: "the head's hash does not match entry 5",
		},
		{
			name:   "head moved back",
			tamper: execSQL(`UPDATE audit_head SET seq = 4`),
			broken: 5, reason: "the head was altered",
		},
		{
			name:   "head moved forward",
			tamper: execSQL(`UPDATE audit_head SET seq = 7`),
			broken: 6, reason: "entries 6 to 7 are missing",
		},
		{
			name:   "head deleted",
			tamper: execSQL(`DELETE FROM audit_head`),
			broken: 5, reason: "the head is missing",
		},
		{
			name: "entry forged at the end behind the head's back",
			tamper: func(t *testing.T, db *bun.DB) {
				var last row
				if err := db.NewSelect().Model(&last).Where("seq = 5").Scan(context.Background()); err != nil {
					t.Fatal(err)
				}
				forged := last
				forged.Seq, forged.PrevHash = 6, last.Hash
				forged.Hash = forged.chainHash()
				if _, err := db.NewInsert().Model(&forged).Exec(context.Background()); err != nil {
					t.Fatal(err)
				}
			},
			broken: 6, reason: "the head was altered, or entries were added behind its back",
		},
	}
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				if _, err := db.ExecContext(ctx, `DELETE FROM audit_log`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ExecContext(ctx, `UPDATE audit_head SET seq = 0, hash = ?`, Genesis); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ExecContext(ctx, `INSERT INTO audit_head (id, seq, hash) SELECT 1, 0, ? WHERE NOT EXISTS (SELECT 1 FROM audit_head)`, Genesis); err != nil {
					t.Fatal(err)
				}
				appendAll(t, db, 5)
				verifyOK(t, db, 5)

				tt.tamper(t, db)
				rep, err := Verify(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK || rep.FirstBroken != tt.broken || !strings.Contains(rep.Reason, tt.reason) {
					t.Fatalf("verify: %+v, want first broken %d because %q", rep, tt.broken, tt.reason)
				}
			})
		}
	})
}

func execSQL(query string) func(t *testing.T, db *bun.DB) {
	return func(t *testing.T, db *bun.DB) {
		t.Helper()
		if _, err := db.ExecContext(context.Background(), query); err != nil {
			t.Fatal(err)
		}
	}
}

// rewrite changes entry seq and stores it with its hash recomputed, as
// someone who knows the chain's encoding would.
func rewrite(seq int64, change func(r *row)) func(t *testing.T, db *bun.DB) {
	return func(t *testing.T, db *bun.DB) {
		t.Helper()
		ctx := context.Background()
		var r row
		if err := db.NewSelect().Model(&r).Where("seq = ?", seq).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		change(&r)
		r.Hash = r.chainHash()
		if _, err := db.NewUpdate().Model(&r).WherePK().Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRedaction(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		before := map[string]any{
			"name":     "Budi",
			"password": "hunter2",
			"profile":  map[string]any{"NIK": "3273010101900001", "address": "Jl. Sukasari 1"},
			"sessions": []any{map[string]any{"Token": "tok-clear", "device": "phone"}},
		}
		after := map[string]any{
			"name":          "Budi",
			"password_hash": "$2a$10$clearhash",
			"resetToken":    "reset-clear",
			"profile":       map[string]any{"nik": "3273010101900001", "address": "Jl. Sukasari 1"},
		}
		e, err := Append(ctx, db, Entry{Actor: "a1", Action: "account:update", ObjectType: "account", ObjectID: "a1", Before: before, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if before["password"] != "hunter2" {
			t.Fatal("Append changed the caller's before image")
		}

		listed, err := List(ctx, db, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []Entry{e, listed[0]} {
			if got.Before["password"] != Redacted || got.Before["name"] != "Budi" ||
				got.Before["profile"].(map[string]any)["NIK"] != Redacted ||
				got.Before["profile"].(map[string]any)["address"] != "Jl. Sukasari 1" ||
				got.Before["sessions"].([]any)[0].(map[string]any)["Token"] != Redacted ||
				got.After["password_hash"] != Redacted || got.After["resetToken"] != Redacted ||
				got.After["profile"].(map[string]any)["nik"] != Redacted {
				t.Fatalf("images not redacted: before %v after %v", got.Before, got.After)
			}
		}

		var rawBefore, rawAfter string
		if err := db.QueryRowContext(ctx, `SELECT before_json, after_json FROM audit_log WHERE seq = 1`).Scan(&rawBefore, &rawAfter); err != nil {
			t.Fatal(err)
		}
		for _, clear := range []string{"hunter2", "3273010101900001", "tok-clear", "clearhash", "reset-clear"} {
			if strings.Contains(rawBefore+rawAfter, clear) {
				t.Fatalf("%q stored in clear: %s %s", clear, rawBefore, rawAfter)
			}
		}
		if want := `{"name":"Budi","password":"[redacted]","profile":{"NIK":"[redacted]","address":"Jl. Sukasari 1"},"sessions":[{"Token":"[redacted]","device":"phone"}]}`; rawBefore != want {
			t.Fatalf("before_json %s, want %s", rawBefore, want)
		}
		verifyOK(t, db, 1)
	})
}

func TestSensitive(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"password", true},
		{"Password", true},
		{"password_hash", true},
		{"passwordHash", true},
		{"Password-Hash", true},
		{"new_password", true},
		{"token", true},
		{"TOKEN", true},
		{"token_hash", true},
		{"resetToken", true},
		{"APIToken", true},
		{"nik", true},
		{"NIK", true},
		{"resident_nik", true},
		{"national_id", true},
		{"nationalID", true},
		{"secret", true},
		{"client-secret", true},
		{"name", false},
		{"status", false},
		{"kode_unik", false},
		{"tokens", false},
		{"password_policy", false},
		{"secretariat", false},
		{"nik_verified", false},
	}
	for _, tt := range tests {
		if got := Sensitive(tt.key); got != tt.want {
			t.Errorf("Sensitive(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

// TestHashEncoding pins the chain's encoding to the one the package doc
// describes: changing it would break every stored chain.
func TestHashEncoding(t *testing.T) {
	r := row{Entry: Entry{
		Seq:        1,
		At:         time.Date(2016, 3, 1, 2, 3, 4, 123456000, time.UTC),
		Actor:      "a42",
		ActorRole:  "ward-office",
		ActorScope: "32.73.01.1001",
		Action:     "proposal:decide",
		ObjectType: "proposal",
		ObjectID:   "17",
		Public:     true,
		PrevHash:   Genesis,
	}}
	var err error
	if r.AfterJSON, err = canonicalJSON(map[string]any{"status": "funded"}); err != nil {
		t.Fatal(err)
	}
	text := Genesis + "\n" +
		"seq=1:1\n" +
		"at=27:2016-03-01T02:03:04.123456Z\n" +
		"actor=3:a42\n" +
		"actor_role=11:ward-office\n" +
		"actor_scope=13:32.73.01.1001\n" +
		"action=15:proposal:decide\n" +
		"object_type=8:proposal\n" +
		"object_id=2:17\n" +
		"decision=0:\n" +
		"before=4:null\n" +
		`after=19:{"status":"funded"}` + "\n" +
		"public=4:true\n"
	sum := sha256.Sum256([]byte(text))
	if got, want := r.chainHash(), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("hash %s, want %s", got, want)
	}
}

func TestCanonicalJSON(t *testing.T) {
	type point struct {
		Y, X int
	}
	tests := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"keys sorted at every depth", map[string]any{"b": 1, "a": map[string]any{"d": 1, "c": 2}}, `{"a":{"c":2,"d":1},"b":1}`},
		{"numbers as given", map[string]any{"big": int64(1) << 60, "f": 0.5}, `{"big":1152921504606846976,"f":0.5}`},
		{"no HTML escaping", map[string]any{"s": "<a>&"}, `{"s":"<a>&"}`},
		{"structs become objects", map[string]any{"p": point{Y: 1, X: 2}}, `{"p":{"X":2,"Y":1}}`},
		{"empty", map[string]any{}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := canonicalJSON(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Valid || got.String != tt.want {
				t.Fatalf("%v, want %s", got, tt.want)
			}
		})
	}
	if got, err := canonicalJSON(nil); err != nil || got.Valid {
		t.Fatalf("nil encodes as %v, %v; want NULL", got, err)
	}
}

func TestRolledBackAppendLeavesNoTrace(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		appendAll(t, db, 2)
		errAbandoned := errors.New("the change failed")
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := Append(ctx, tx, sample(3)); err != nil {
				return err
			}
			return errAbandoned
		})
		if !errors.Is(err, errAbandoned) {
			t.Fatalf("transaction returned %v", err)
		}
		verifyOK(t, db, 2)
		e, err := Append(ctx, db, sample(4))
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != 3 {
			t.Fatalf("the append after a rollback got seq %d, want 3", e.Seq)
		}
		verifyOK(t, db, 3)
	})
}

// TestConcurrentAppends has 8 writers each make 25 changes in transactions
// of their own, abandoning some others half way, and checks that the chain
// comes out whole: seqs 1 to 200 without gaps or forks.
func TestConcurrentAppends(t *testing.T) {
	const writers, perWriter = 8, 25
	storetest.Each(t, func(t *testing.T, d store.Driver) {
		ctx := context.Background()
		o := storetest.Options(t, d)
		o.MaxConns = writers
		db := storetest.Open(t, o)
		errAbandoned := errors.New("abandoned")
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
						e := sample(i)
						e.Actor = fmt.Sprintf("writer-%d", w)
						_, err := Append(ctx, tx, e)
						return err
					})
					if err != nil {
						errs[w] = err
						return
					}
					if i%5 == 0 {
						err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
							if _, err := Append(ctx, tx, sample(i)); err != nil {
								return err
							}
							return errAbandoned
						})
						if !errors.Is(err, errAbandoned) {
							errs[w] = fmt.Errorf("abandoned transaction returned %v", err)
							return
						}
					}
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}

		es, err := List(ctx, db, Filter{Limit: MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != writers*perWriter {
			t.Fatalf("%d entries, want %d", len(es), writers*perWriter)
		}
		perActor := map[string]int{}
		for i, e := range es {
			if e.Seq != int64(i+1) {
				t.Fatalf("entry %d has seq %d", i+1, e.Seq)
			}
			perActor[e.Actor]++
		}
		for w := range writers {
			if n := perActor[fmt.Sprintf("writer-%d", w)]; n != perWriter {
				t.Fatalf("writer %d has %d entries, want %d", w, n, perWriter)
			}
		}
		verifyOK(t, db, writers*perWriter)
	})
}

func BenchmarkAppend(b *testing.B) {
	db := storetest.Open(b, storetest.Options(b, store.SQLite))
	ctx := context.Background()
	e := sample(1)
	for b.Loop() {
		if _, err := Append(ctx, db, e); err != nil {
			b.Fatal(err)
		}
	}
}
