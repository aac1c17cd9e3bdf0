package store

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/internal/testpg"
)

var pg *testpg.Server

func TestMain(m *testing.M) { os.Exit(testpg.Main(m, &pg)) }

// onBoth runs a test once against a fresh SQLite file and once against a fresh
// PostgreSQL database.
func onBoth(t *testing.T, test func(t *testing.T, db *bun.DB)) {
	for _, d := range []Driver{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			o := Options{Driver: d, DSN: filepath.Join(t.TempDir(), "region.db")}
			if d == Postgres {
				o.DSN = pg.NewDatabase(t)
			}
			db, err := Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			test(t, db)
		})
	}
}

// migrated migrates db, stores a region's areas and creates an account for
// each username; it returns their ids by username.
func migrated(t *testing.T, db *bun.DB, r *partnership.Region, usernames ...string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := SyncAreas(ctx, db, r); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, u := range usernames {
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO accounts (username, display_name, password_hash, created_at) VALUES (?, ?, 'x', ?) RETURNING id`,
			u, u, fpNow).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[u] = id
	}
	return ids
}

// race runs do(0) to do(n-1) at once, each in a goroutine of its own
// released together with the others, and returns their errors by i.
func race(n int, do func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = do(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// filterCase is a filter of a list and the ids it must list, in order.
type filterCase[F any] struct {
	name string
	f    F
	want []int64
}

// checkFilters lists with each case's filter and checks that what comes
// back has the case's ids, in order.
func checkFilters[F, T any](t *testing.T, db bun.IDB, list func(context.Context, bun.IDB, F) ([]T, error), id func(T) int64, cases []filterCase[F]) {
	t.Helper()
	for _, c := range cases {
		got, err := list(context.Background(), db, c.f)
		if ids := idsOf(got, id); err != nil || !slices.Equal(ids, c.want) {
			t.Errorf("%s: %v, want %v (%v)", c.name, ids, c.want, err)
		}
	}
}

// idsOf is the ids of values, in order.
func idsOf[T any](vs []T, id func(T) int64) []int64 {
	ids := []int64{}
	for _, v := range vs {
		ids = append(ids, id(v))
	}
	return ids
}

// read reads the value id with get, failing the test if it cannot.
func read[T any](t *testing.T, db bun.IDB, get func(context.Context, bun.IDB, int64) (T, error), id int64) T {
	t.Helper()
	v, err := get(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// readsBack reads the value id with get and checks that it is want, every
// field of it; it returns what it read.
func readsBack[T any](t *testing.T, db bun.IDB, get func(context.Context, bun.IDB, int64) (T, error), id int64, want T) T {
	t.Helper()
	got := read(t, db, get, id)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}
	return got
}
