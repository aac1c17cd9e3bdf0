package postgres

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"pilar.id/pilar/internal/testpg"
)

func admin() Admin {
	return Admin{Endpoint: Endpoint{Host: pg.Host(), Port: pg.Port()}, User: pg.User(), Password: pg.Password()}
}

var seq atomic.Int64

// names returns a region, database and role name no other test uses.
func names(t *testing.T) (region, database, role string) {
	n := seq.Add(1)
	region = fmt.Sprintf("r%d", n)
	return region, "pilar_" + region, "pilar_" + region
}

// connect returns a server connection whose statements are counted in c, and
// which drops the test's database and role at cleanup.
func connect(t *testing.T, c *Counter) *Server {
	t.Helper()
	ctx := context.Background()
	s, err := Connect(ctx, admin(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	return s
}

func canLogin(t *testing.T, role, password, database string) bool {
	t.Helper()
	ok, err := connect(t, nil).CanLogin(context.Background(), role, password, database)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func ensure(t *testing.T, s *Server, spec Spec) Result {
	t.Helper()
	res, err := s.Ensure(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestEnsureCreatesARoleAndADatabaseNobodyElseCanEnter(t *testing.T) {
	region, db, role := names(t)
	spec := Spec{Region: region, Database: db, Role: role, Password: "first-Secret1", ConnectionLimit: 7}
	res := ensure(t, connect(t, nil), spec)
	if !res.Changed() {
		t.Fatal("Ensure on an empty server reports no change")
	}

	if !canLogin(t, role, spec.Password, db) {
		t.Error("the role cannot log in to its database with its password")
	}
	if got := testpg.Query[string](t, pg, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", db); got != role {
		t.Errorf("database owner %q, want %q", got, role)
	}
	if got := testpg.Query[int32](t, pg, "SELECT rolconnlimit FROM pg_roles WHERE rolname = $1", role); got != 7 {
		t.Errorf("connection limit %d, want 7", got)
	}
	if testpg.Query[bool](t, pg, "SELECT has_database_privilege('public', $1, 'CONNECT')", db) {
		t.Error("PUBLIC may still connect to the database")
	}
	// Another login role is refused at the door.
	pg.Exec(t, "CREATE ROLE stranger_"+region+" LOGIN PASSWORD 'stranger'")
	if _, err := connect(t, nil).CanLogin(context.Background(), "stranger_"+region, "stranger", db); err == nil ||
		!strings.Contains(err.Error(), "permission denied") {
		t.Errorf("a stranger connecting: %v, want permission denied", err)
	}
	for _, q := range []string{
		"SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1",
		"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
	} {
		name := role
		if strings.Contains(q, "pg_database") {
			name = db
		}
		if got := testpg.Query[string](t, pg, q, name); got != Marker(region) {
			t.Errorf("%s: comment %q, want the marker %q", name, got, Marker(region))
		}
	}
}

func TestEnsureOnACorrectServerWritesNothing(t *testing.T) {
	region, db, role := names(t)
	spec := Spec{Region: region, Database: db, Role: role, Password: "pw-1", ConnectionLimit: 5}
	ensure(t, connect(t, nil), spec)

	var c Counter
	res := ensure(t, connect(t, &c), spec)
	if res.Changed() || c.Writes() != 0 {
		t.Errorf("second Ensure: changes %v, %d writing statements; want none", res.Changes, c.Writes())
	}
	if c.Reads() == 0 {
		t.Error("second Ensure read nothing: the counter does not count")
	}
}

// Each disturbance is repaired by exactly the statements it calls for.
func TestEnsureRepairsOnlyWhatDiffers(t *testing.T) {
	tests := []struct {
		name       string
		disturb    func(db, role string) []string
		change     func(*Spec)
		wantWrites int64
		check      func(t *testing.T, db, role string)
	}{
		{
			name:       "connection limit changed in the spec",
			change:     func(s *Spec) { s.ConnectionLimit = 9 },
			wantWrites: 1,
			check: func(t *testing.T, db, role string) {
				if got := testpg.Query[int32](t, pg, "SELECT rolconnlimit FROM pg_roles WHERE rolname = $1", role); got != 9 {
					t.Errorf("connection limit %d, want 9", got)
				}
			},
		},
		{
			name:       "login disabled behind the operator's back",
			disturb:    func(db, role string) []string { return []string{"ALTER ROLE " + role + " NOLOGIN"} },
			wantWrites: 1,
		},
		{
			name:       "CONNECT granted to PUBLIC again",
			disturb:    func(db, role string) []string { return []string{"GRANT CONNECT ON DATABASE " + db + " TO PUBLIC"} },
			wantWrites: 1,
			check: func(t *testing.T, db, role string) {
				if testpg.Query[bool](t, pg, "SELECT has_database_privilege('public', $1, 'CONNECT')", db) {
					t.Error("PUBLIC may connect")
				}
			},
		},
		{
			name:       "owner's CONNECT revoked",
			disturb:    func(db, role string) []string { return []string{"REVOKE CONNECT ON DATABASE " + db + " FROM " + role} },
			wantWrites: 1,
		},
		{
			name:       "database given away",
			disturb:    func(db, role string) []string { return []string{"ALTER DATABASE " + db + " OWNER TO postgres"} },
			wantWrites: 1,
			check: func(t *testing.T, db, role string) {
				if got := testpg.Query[string](t, pg, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", db); got != role {
					t.Errorf("owner %q, want %q", got, role)
				}
			},
		},
		{
			name:       "password reset asked for",
			change:     func(s *Spec) { s.Password, s.ResetPassword = "second-pw", true },
			wantWrites: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			region, db, role := names(t)
			spec := Spec{Region: region, Database: db, Role: role, Password: "pw", ConnectionLimit: 3}
			ensure(t, connect(t, nil), spec)
			if tt.disturb != nil {
				pg.Exec(t, tt.disturb(db, role)...)
			}
			if tt.change != nil {
				tt.change(&spec)
			}
			var c Counter
			res := ensure(t, connect(t, &c), spec)
			if c.Writes() != tt.wantWrites {
				t.Errorf("%d writing statements (%v), want %d", c.Writes(), res.Changes, tt.wantWrites)
			}
			if !canLogin(t, role, spec.Password, db) {
				t.Error("the role cannot log in after the repair")
			}
			if tt.check != nil {
				tt.check(t, db, role)
			}
			var again Counter
			ensure(t, connect(t, &again), Spec{Region: region, Database: db, Role: role, Password: spec.Password, ConnectionLimit: spec.ConnectionLimit})
			if again.Writes() != 0 {
				t.Errorf("Ensure after the repair wrote %d statements", again.Writes())
			}
		})
	}
}

func TestEnsureRefusesWhatItDoesNotManage(t *testing.T) {
	tests := []struct {
		name  string
		setup func(region, db, role string) []string
		kind  string
	}{
		{"a database of some other application", func(region, db, role string) []string {
			return []string{"CREATE DATABASE " + db}
		}, "database"},
		{"a role of some other application", func(region, db, role string) []string {
			return []string{"CREATE ROLE " + role + " LOGIN"}
		}, "role"},
		{"the database of another region", func(region, db, role string) []string {
			return []string{"CREATE DATABASE " + db, "COMMENT ON DATABASE " + db + " IS 'pilar.id/region=elsewhere'"}
		}, "database"},
		{"a database an unmarked role owns", func(region, db, role string) []string {
			return []string{"CREATE ROLE other_" + region, "CREATE DATABASE " + db + " OWNER other_" + region}
		}, "database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			region, db, role := names(t)
			pg.Exec(t, tt.setup(region, db, role)...)
			var c Counter
			_, err := connect(t, &c).Ensure(context.Background(), Spec{Region: region, Database: db, Role: role, Password: "pw", ConnectionLimit: 3})
			var nm *NotManagedError
			if !errors.Is(err, ErrNotManaged) || !errors.As(err, &nm) || nm.Kind != tt.kind {
				t.Fatalf("Ensure: %v, want a NotManagedError about the %s", err, tt.kind)
			}
			if c.Writes() != 0 {
				t.Errorf("a refused Ensure wrote %d statements", c.Writes())
			}
			_, err = connect(t, &c).Drop(context.Background(), region, db, role)
			if !errors.Is(err, ErrNotManaged) || c.Writes() != 0 {
				t.Errorf("Drop: %v after %d writes, want ErrNotManaged and none", err, c.Writes())
			}
		})
	}
}

// A crash between CREATE DATABASE and its COMMENT leaves an unmarked database
// owned by the region's role: the next Ensure adopts it.
func TestEnsureFinishesAfterACrashBeforeTheMarker(t *testing.T) {
	region, db, role := names(t)
	spec := Spec{Region: region, Database: db, Role: role, Password: "pw", ConnectionLimit: 3}
	ensure(t, connect(t, nil), spec)
	pg.Exec(t, "COMMENT ON DATABASE "+db+" IS NULL", "GRANT ALL ON DATABASE "+db+" TO PUBLIC")
	var c Counter
	res := ensure(t, connect(t, &c), spec)
	if c.Writes() != 2 {
		t.Errorf("writes %d (%v), want the marker and the revoke", c.Writes(), res.Changes)
	}
	if got := testpg.Query[string](t, pg, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", db); got != Marker(region) {
		t.Errorf("comment %q after the repair", got)
	}
}

// Names are quoted by the driver: a name made to break out of its quotes is
// just a name.
func TestIdentifiersAndPasswordsAreQuoted(t *testing.T) {
	region, _, _ := names(t)
	evil := `x"; DROP ROLE postgres; --`
	spec := Spec{Region: region, Database: "db " + evil + region, Role: "role " + evil + region,
		Password: `it's\a"pass'word`, ConnectionLimit: 2}
	ensure(t, connect(t, nil), spec)
	if !canLogin(t, spec.Role, spec.Password, spec.Database) {
		t.Error("the role with an awkward name cannot log in with an awkward password")
	}
	var c Counter
	ensure(t, connect(t, &c), spec)
	if c.Writes() != 0 {
		t.Errorf("second Ensure wrote %d statements", c.Writes())
	}
	if _, err := connect(t, nil).Drop(context.Background(), region, spec.Database, spec.Role); err != nil {
		t.Fatal(err)
	}
	if !pg.HasRole(t, "postgres") {
		t.Fatal("the superuser is gone")
	}
}

func TestSetPasswordReplacesTheOldOne(t *testing.T) {
	region, db, role := names(t)
	ensure(t, connect(t, nil), Spec{Region: region, Database: db, Role: role, Password: "old-pw", ConnectionLimit: 3})
	if err := connect(t, nil).SetPassword(context.Background(), region, role, "new-pw"); err != nil {
		t.Fatal(err)
	}
	if !canLogin(t, role, "new-pw", db) {
		t.Error("the new password does not work")
	}
	if canLogin(t, role, "old-pw", db) {
		t.Error("the old password still works")
	}
	if err := connect(t, nil).SetPassword(context.Background(), "another-region", role, "x"); !errors.Is(err, ErrNotManaged) {
		t.Errorf("SetPassword for another region: %v, want ErrNotManaged", err)
	}
}

func TestDisableLoginEndsSessionsAndIsIdempotent(t *testing.T) {
	region, db, role := names(t)
	ensure(t, connect(t, nil), Spec{Region: region, Database: db, Role: role, Password: "pw", ConnectionLimit: 3})
	ctx := context.Background()
	session := testpg.Connect(t, admin().URL(role, "pw", db))

	res, err := connect(t, nil).DisableLogin(ctx, region, role)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 {
		t.Errorf("changes %v, want login disabled and one session ended", res.Changes)
	}
	if canLogin(t, role, "pw", db) {
		t.Error("the role can still log in")
	}
	if err := session.Ping(ctx); err == nil {
		t.Error("the open session survived")
	}
	if !pg.HasDatabase(t, db) {
		t.Error("the database is gone")
	}
	var c Counter
	if _, err := connect(t, &c).DisableLogin(ctx, region, role); err != nil || c.Writes() != 0 {
		t.Errorf("second DisableLogin: %v, %d writes", err, c.Writes())
	}
	// Ensure brings the login back: a retained region can be adopted again.
	ensure(t, connect(t, nil), Spec{Region: region, Database: db, Role: role, Password: "pw2", ResetPassword: true, ConnectionLimit: 3})
	if !canLogin(t, role, "pw2", db) {
		t.Error("Ensure did not restore the login")
	}
}

func TestDropEndsSessionsThenDropsDatabaseAndRole(t *testing.T) {
	region, db, role := names(t)
	ensure(t, connect(t, nil), Spec{Region: region, Database: db, Role: role, Password: "pw", ConnectionLimit: 3})
	ctx := context.Background()
	testpg.Connect(t, admin().URL(role, "pw", db)) // a session Drop must end

	res, err := connect(t, nil).Drop(ctx, region, db, role)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 {
		t.Errorf("changes %v, want the database and the role dropped", res.Changes)
	}
	if pg.HasDatabase(t, db) {
		t.Error("the database survived")
	}
	if pg.HasRole(t, role) {
		t.Error("the role survived")
	}
	var c Counter
	if res, err := connect(t, &c).Drop(ctx, region, db, role); err != nil || res.Changed() || c.Writes() != 0 {
		t.Errorf("second Drop: %v, %v, %d writes", err, res.Changes, c.Writes())
	}
}

// The verifier computed here is the one PostgreSQL computes for the same
// password, salt and iteration count.
func TestSCRAMVerifierMatchesTheServer(t *testing.T) {
	region, _, _ := names(t)
	role := "scram_" + region
	pg.Exec(t, "CREATE ROLE "+role+" LOGIN PASSWORD 'Sup3r-secret!'")
	stored := testpg.Query[string](t, pg, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role)
	// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
	head, _, ok := strings.Cut(strings.TrimPrefix(stored, "SCRAM-SHA-256$"), "$")
	iterText, saltText, ok2 := strings.Cut(head, ":")
	if !ok || !ok2 {
		t.Fatalf("unexpected verifier %q", stored)
	}
	iterations, err := strconv.Atoi(iterText)
	if err != nil {
		t.Fatal(err)
	}
	salt, err := base64.StdEncoding.DecodeString(saltText)
	if err != nil {
		t.Fatal(err)
	}
	got, err := scramVerifierWith("Sup3r-secret!", salt, iterations)
	if err != nil {
		t.Fatal(err)
	}
	if got != stored {
		t.Errorf("verifier\n%s\nwant\n%s", got, stored)
	}
}

func TestQuoteLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "'plain'"},
		{"it's", "'it''s'"},
		{`back\slash`, ` E'back\\slash'`},
		{`both\'`, ` E'both\\'''`},
	}
	for _, tt := range tests {
		if got := quoteLiteral(tt.in); got != tt.want {
			t.Errorf("quoteLiteral(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, p := range []string{"", "with space", "tab\t", "ünïcode", "nul\x00"} {
		if checkPassword(p) == nil {
			t.Errorf("checkPassword(%q) accepted it", p)
		}
	}
	if err := checkPassword(`ok-'"\!~`); err != nil {
		t.Error(err)
	}
}

func TestEndpointURL(t *testing.T) {
	tests := []struct {
		e    Endpoint
		want string
	}{
		{Endpoint{Host: "db", Port: 5432}, "postgres://u:p@db:5432/d?sslmode=disable"},
		{Endpoint{Host: "::1", Port: 5433, SSLMode: "require"}, "postgres://u:p@[::1]:5433/d?sslmode=require"},
	}
	for _, tt := range tests {
		if got := tt.e.URL("u", "p", "d"); got != tt.want {
			t.Errorf("URL = %s, want %s", got, tt.want)
		}
	}
	if got := (Endpoint{Host: "h", Port: 1}).URL("u@x", "p:/?#", "d"); !strings.HasPrefix(got, "postgres://u%40x:p%3A%2F%3F%23@h:1/d") {
		t.Errorf("escaped URL %s", got)
	}
}
