package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connectTimeout bounds each connection attempt, so that an unreachable server
// fails a reconcile instead of hanging it.
const connectTimeout = 10 * time.Second

// Endpoint is where a server listens.
type Endpoint struct {
	Host string
	Port int
	// SSLMode is a libpq sslmode; "disable" when empty.
	SSLMode string
}

// URL returns a postgres:// URL for database as user on the endpoint, with
// user and password escaped as a URL needs.
func (e Endpoint) URL(user, password, database string) string {
	mode := e.SSLMode
	if mode == "" {
		mode = "disable"
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     net.JoinHostPort(e.Host, strconv.Itoa(e.Port)),
		Path:     "/" + database,
		RawQuery: url.Values{"sslmode": {mode}}.Encode(),
	}
	return u.String()
}

// Admin is how to reach a server as a role that may create roles and
// databases (a superuser, or a role with CREATEROLE and CREATEDB).
type Admin struct {
	Endpoint
	User     string
	Password string
	// Database the administrator connects to; "postgres" when empty.
	Database string
}

// A Counter counts the statements a Server issues, by kind: reads inspect the
// catalogue, writes change something on the server. It is safe for
// concurrent use; one Counter may be shared by many Servers.
type Counter struct {
	reads, writes atomic.Int64
}

// Reads returns the number of reading statements and login checks so far.
func (c *Counter) Reads() int64 {
	if c == nil {
		return 0
	}
	return c.reads.Load()
}

// Writes returns the number of writing statements so far.
func (c *Counter) Writes() int64 {
	if c == nil {
		return 0
	}
	return c.writes.Load()
}

// AddWrites records n writing statements issued elsewhere (the schema
// migrations run through bun), so that the counter sees every write the
// operator causes.
func (c *Counter) AddWrites(n int64) {
	if c != nil {
		c.writes.Add(n)
	}
}

// AddReads records n reading statements issued elsewhere.
func (c *Counter) AddReads(n int64) {
	if c != nil {
		c.reads.Add(n)
	}
}

// ErrNotManaged reports a role or database that exists on the server without
// the marker of the region asking for it.
var ErrNotManaged = errors.New("not managed for this region")

// NotManagedError names the role or database Ensure or Drop refused to touch.
type NotManagedError struct {
	// Kind is "role" or "database".
	Kind string
	Name string
	// Region is the region that asked; Comment is the object's comment as found.
	Region, Comment string
}

func (e *NotManagedError) Error() string {
	found := "it has no Pilar marker"
	if e.Comment != "" {
		found = fmt.Sprintf("its comment is %q", e.Comment)
	}
	return fmt.Sprintf("postgres: %s %q exists on the server and is not managed for region %q (%s); "+
		"choose another name or remove it", e.Kind, e.Name, e.Region, found)
}

// Unwrap returns ErrNotManaged.
func (e *NotManagedError) Unwrap() error { return ErrNotManaged }

// Marker is the comment Ensure puts on a region's role and database.
func Marker(region string) string { return "pilar.id/region=" + region }

// Server is an administrator's connection to one PostgreSQL server. It is not
// safe for concurrent use.
type Server struct {
	admin Admin
	conn  *pgx.Conn
	count *Counter
}

// Connect opens an administrator's connection to the server. Statements are
// counted in count, which may be nil.
func Connect(ctx context.Context, admin Admin, count *Counter) (*Server, error) {
	db := admin.Database
	if db == "" {
		db = "postgres"
	}
	cfg, err := pgx.ParseConfig(admin.URL(admin.User, admin.Password, db))
	if err != nil {
		return nil, fmt.Errorf("postgres: invalid admin settings for %s:%d: %w", admin.Host, admin.Port, withoutConnString(err))
	}
	cfg.ConnectTimeout = connectTimeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: unable to connect to %s:%d as %s: %w", admin.Host, admin.Port, admin.User, err)
	}
	return &Server{admin: admin, conn: conn, count: count}, nil
}

// Close closes the connection.
func (s *Server) Close(ctx context.Context) error { return s.conn.Close(ctx) }

// Spec is the wanted state of one region's role and database.
type Spec struct {
	// Region names the region the objects belong to (their marker).
	Region   string
	Database string
	Role     string
	// Password of the role. A role Ensure creates always gets it; an existing
	// role gets it only with ResetPassword.
	Password        string
	ResetPassword   bool
	ConnectionLimit int32
}

// Result says what Ensure, Drop or DisableLogin changed, one entry a change,
// in words fit for an event ("created database pilar_bandung").
type Result struct {
	Changes []string
}

// Changed reports whether anything was written.
func (r Result) Changed() bool { return len(r.Changes) > 0 }

func (r *Result) add(format string, args ...any) {
	r.Changes = append(r.Changes, fmt.Sprintf(format, args...))
}

// Ensure brings the region's role and database to spec: the role exists, may
// log in, has the connection limit (and, when asked, the password); the
// database exists, is owned by the role, grants nothing to PUBLIC and CONNECT
// to the role. It reads first and writes only what differs.
func (s *Server) Ensure(ctx context.Context, spec Spec) (Result, error) {
	var res Result
	if err := spec.validate(); err != nil {
		return res, err
	}
	role, err := s.role(ctx, spec.Role)
	if err != nil {
		return res, err
	}
	db, err := s.database(ctx, spec.Database, spec.Role)
	if err != nil {
		return res, err
	}
	marker := Marker(spec.Region)
	if err := checkManaged(spec.Region, role, db, spec.Role); err != nil {
		return res, err
	}
	roleID := pgx.Identifier{spec.Role}.Sanitize()
	dbID := pgx.Identifier{spec.Database}.Sanitize()

	switch {
	case !role.exists:
		verifier, err := scramVerifier(spec.Password)
		if err != nil {
			return res, err
		}
		// The role and its marker go together, so that a crash never leaves
		// an unmarked role this package would then refuse as not its own.
		err = pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
			if err := s.exec(ctx, tx, fmt.Sprintf("CREATE ROLE %s LOGIN CONNECTION LIMIT %d PASSWORD %s",
				roleID, spec.ConnectionLimit, quoteLiteral(verifier))); err != nil {
				return err
			}
			return s.exec(ctx, tx, fmt.Sprintf("COMMENT ON ROLE %s IS %s", roleID, quoteLiteral(marker)))
		})
		if err != nil {
			return res, fmt.Errorf("postgres: unable to create role %q: %w", spec.Role, err)
		}
		res.add("created role %s", spec.Role)
	default:
		if !role.canLogin || role.connLimit != spec.ConnectionLimit {
			if err := s.exec(ctx, s.conn, fmt.Sprintf("ALTER ROLE %s LOGIN CONNECTION LIMIT %d", roleID, spec.ConnectionLimit)); err != nil {
				return res, fmt.Errorf("postgres: unable to alter role %q: %w", spec.Role, err)
			}
			res.add("set role %s to LOGIN CONNECTION LIMIT %d", spec.Role, spec.ConnectionLimit)
		}
		if spec.ResetPassword {
			if err := s.setPassword(ctx, spec.Role, spec.Password); err != nil {
				return res, err
			}
			res.add("set a new password for role %s", spec.Role)
		}
	}

	if !db.exists {
		// CREATE DATABASE cannot run in a transaction, so the marker follows
		// it; a crash in between leaves a database owned by the (marked) role,
		// which checkManaged accepts and the next call marks.
		if err := s.exec(ctx, s.conn, fmt.Sprintf("CREATE DATABASE %s OWNER %s", dbID, roleID)); err != nil {
			return res, fmt.Errorf("postgres: unable to create database %q: %w", spec.Database, err)
		}
		res.add("created database %s", spec.Database)
		if db, err = s.database(ctx, spec.Database, spec.Role); err != nil {
			return res, err
		}
	}
	if db.comment != marker {
		if err := s.exec(ctx, s.conn, fmt.Sprintf("COMMENT ON DATABASE %s IS %s", dbID, quoteLiteral(marker))); err != nil {
			return res, fmt.Errorf("postgres: unable to mark database %q: %w", spec.Database, err)
		}
		res.add("marked database %s as region %s's", spec.Database, spec.Region)
	}
	if db.owner != spec.Role {
		if err := s.exec(ctx, s.conn, fmt.Sprintf("ALTER DATABASE %s OWNER TO %s", dbID, roleID)); err != nil {
			return res, fmt.Errorf("postgres: unable to give database %q to role %q: %w", spec.Database, spec.Role, err)
		}
		res.add("gave database %s to role %s", spec.Database, spec.Role)
		// A new owner inherits the old owner's privileges: read them again.
		if db, err = s.database(ctx, spec.Database, spec.Role); err != nil {
			return res, err
		}
	}
	if db.publicAccess {
		if err := s.exec(ctx, s.conn, fmt.Sprintf("REVOKE ALL ON DATABASE %s FROM PUBLIC", dbID)); err != nil {
			return res, fmt.Errorf("postgres: unable to revoke PUBLIC access to database %q: %w", spec.Database, err)
		}
		res.add("revoked PUBLIC access to database %s", spec.Database)
	}
	if !db.roleConnect {
		if err := s.exec(ctx, s.conn, fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s", dbID, roleID)); err != nil {
			return res, fmt.Errorf("postgres: unable to grant CONNECT on database %q: %w", spec.Database, err)
		}
		res.add("granted CONNECT on database %s to role %s", spec.Database, spec.Role)
	}
	return res, nil
}

func (spec Spec) validate() error {
	switch {
	case spec.Region == "":
		return errors.New("postgres: a region is required")
	case spec.Database == "" || spec.Role == "":
		return errors.New("postgres: a database and a role are required")
	case spec.ConnectionLimit < -1:
		return fmt.Errorf("postgres: connection limit %d: must be -1 (none) or more", spec.ConnectionLimit)
	}
	return checkPassword(spec.Password)
}

// checkManaged refuses a role or database that exists without the region's
// marker. A database without any comment is accepted when the region's own
// (marked) role owns it: that is what a crash between CREATE DATABASE and its
// COMMENT leaves behind.
func checkManaged(region string, role roleState, db databaseState, roleName string) error {
	marker := Marker(region)
	if role.exists && role.comment != marker {
		return &NotManagedError{Kind: "role", Name: roleName, Region: region, Comment: role.comment}
	}
	if db.exists && db.comment != marker && (db.comment != "" || !role.exists || db.owner != roleName) {
		return &NotManagedError{Kind: "database", Name: db.name, Region: region, Comment: db.comment}
	}
	return nil
}

// SetPassword gives the region's role a new password, for when the one the
// operator holds no longer works.
func (s *Server) SetPassword(ctx context.Context, region, roleName, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	role, err := s.role(ctx, roleName)
	if err != nil {
		return err
	}
	if !role.exists {
		return fmt.Errorf("postgres: role %q does not exist", roleName)
	}
	if role.comment != Marker(region) {
		return &NotManagedError{Kind: "role", Name: roleName, Region: region, Comment: role.comment}
	}
	return s.setPassword(ctx, roleName, password)
}

func (s *Server) setPassword(ctx context.Context, roleName, password string) error {
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	stmt := fmt.Sprintf("ALTER ROLE %s PASSWORD %s", pgx.Identifier{roleName}.Sanitize(), quoteLiteral(verifier))
	if err := s.exec(ctx, s.conn, stmt); err != nil {
		return fmt.Errorf("postgres: unable to set the password of role %q: %w", roleName, err)
	}
	return nil
}

// CanLogin reports whether role can connect to database with password. A
// refused password or a role that may not log in is false with no error;
// anything else (server unreachable, database missing) is an error.
func (s *Server) CanLogin(ctx context.Context, roleName, password, database string) (bool, error) {
	s.count.AddReads(1)
	cfg, err := pgx.ParseConfig(s.admin.URL(roleName, password, database))
	if err != nil {
		return false, fmt.Errorf("postgres: invalid settings for role %q: %w", roleName, withoutConnString(err))
	}
	cfg.ConnectTimeout = connectTimeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		if IsAuthFailure(err) {
			return false, nil
		}
		return false, fmt.Errorf("postgres: unable to connect to database %q as %q: %w", database, roleName, err)
	}
	return true, conn.Close(ctx)
}

// withoutConnString returns the reason of a pgx.ParseConfig error without the
// connection string it quotes, which holds a password.
func withoutConnString(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return errors.New("invalid connection settings")
}

// IsAuthFailure reports whether err is the server refusing a login: a wrong
// password (28P01) or a role that may not log in (28000).
func IsAuthFailure(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000")
}

// DisableLogin keeps the region's role but stops it logging in, and ends the
// sessions it has open. A missing role is not an error.
func (s *Server) DisableLogin(ctx context.Context, region, roleName string) (Result, error) {
	var res Result
	role, err := s.role(ctx, roleName)
	if err != nil || !role.exists {
		return res, err
	}
	if role.comment != Marker(region) {
		return res, &NotManagedError{Kind: "role", Name: roleName, Region: region, Comment: role.comment}
	}
	if role.canLogin {
		if err := s.exec(ctx, s.conn, fmt.Sprintf("ALTER ROLE %s NOLOGIN", pgx.Identifier{roleName}.Sanitize())); err != nil {
			return res, fmt.Errorf("postgres: unable to disable login of role %q: %w", roleName, err)
		}
		res.add("disabled login of role %s", roleName)
	}
	n, err := s.terminate(ctx, "usename", roleName)
	if err != nil {
		return res, err
	}
	if n > 0 {
		res.add("ended %d sessions of role %s", n, roleName)
	}
	return res, nil
}

// Drop removes the region's database and then its role: it disables the
// role's login (so that nothing reconnects), ends the database's sessions,
// drops the database and drops the role. What is already gone is skipped;
// what is not the region's is refused before anything is written.
func (s *Server) Drop(ctx context.Context, region, database, roleName string) (Result, error) {
	var res Result
	role, err := s.role(ctx, roleName)
	if err != nil {
		return res, err
	}
	db, err := s.database(ctx, database, roleName)
	if err != nil {
		return res, err
	}
	if err := checkManaged(region, role, db, roleName); err != nil {
		return res, err
	}
	if db.exists {
		if role.exists && role.canLogin {
			if err := s.exec(ctx, s.conn, fmt.Sprintf("ALTER ROLE %s NOLOGIN", pgx.Identifier{roleName}.Sanitize())); err != nil {
				return res, fmt.Errorf("postgres: unable to disable login of role %q: %w", roleName, err)
			}
		}
		if _, err := s.terminate(ctx, "datname", database); err != nil {
			return res, err
		}
		if err := s.exec(ctx, s.conn, "DROP DATABASE "+pgx.Identifier{database}.Sanitize()); err != nil {
			return res, fmt.Errorf("postgres: unable to drop database %q: %w", database, err)
		}
		res.add("dropped database %s", database)
	}
	if role.exists {
		if _, err := s.terminate(ctx, "usename", roleName); err != nil {
			return res, err
		}
		if err := s.exec(ctx, s.conn, "DROP ROLE "+pgx.Identifier{roleName}.Sanitize()); err != nil {
			return res, fmt.Errorf("postgres: unable to drop role %q: %w", roleName, err)
		}
		res.add("dropped role %s", roleName)
	}
	return res, nil
}

// terminate ends the sessions whose column (datname or usename) is value,
// other than this one, and returns how many it ended. It looks before it
// acts, so that nothing is counted as a write when there is none to end.
func (s *Server) terminate(ctx context.Context, column, value string) (int, error) {
	if column != "datname" && column != "usename" {
		panic("postgres: terminate by " + column)
	}
	where := fmt.Sprintf("FROM pg_stat_activity WHERE %s = $1 AND pid <> pg_backend_pid()", column)
	var n int
	if err := s.queryRow(ctx, "SELECT count(*) "+where, value).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: unable to list the sessions of %q: %w", value, err)
	}
	if n == 0 {
		return 0, nil
	}
	s.count.AddWrites(1)
	rows, err := s.conn.Query(ctx, "SELECT pg_terminate_backend(pid) "+where, value)
	if err != nil {
		return 0, fmt.Errorf("postgres: unable to end the sessions of %q: %w", value, err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("postgres: unable to end the sessions of %q: %w", value, err)
	}
	return n, nil
}

type roleState struct {
	exists    bool
	canLogin  bool
	connLimit int32
	comment   string
}

func (s *Server) role(ctx context.Context, name string) (roleState, error) {
	st := roleState{exists: true}
	err := s.queryRow(ctx, `SELECT rolcanlogin, rolconnlimit, coalesce(shobj_description(oid, 'pg_authid'), '')
		FROM pg_roles WHERE rolname = $1`, name).Scan(&st.canLogin, &st.connLimit, &st.comment)
	if errors.Is(err, pgx.ErrNoRows) {
		return roleState{}, nil
	}
	if err != nil {
		return roleState{}, fmt.Errorf("postgres: unable to read role %q: %w", name, err)
	}
	return st, nil
}

type databaseState struct {
	name         string
	exists       bool
	owner        string
	comment      string
	publicAccess bool // PUBLIC holds any privilege on the database
	roleConnect  bool // the role holds CONNECT itself (not through PUBLIC)
}

func (s *Server) database(ctx context.Context, name, roleName string) (databaseState, error) {
	st := databaseState{name: name, exists: true}
	// A NULL datacl means the default privileges, which grant CONNECT and
	// TEMPORARY to PUBLIC; aclexplode of acldefault shows them as such.
	err := s.queryRow(ctx, `SELECT pg_get_userbyid(d.datdba), coalesce(shobj_description(d.oid, 'pg_database'), ''),
			EXISTS (SELECT 1 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a WHERE a.grantee = 0),
			EXISTS (SELECT 1 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
				JOIN pg_roles r ON r.oid = a.grantee WHERE r.rolname = $2 AND a.privilege_type = 'CONNECT')
		FROM pg_database d WHERE d.datname = $1`, name, roleName).
		Scan(&st.owner, &st.comment, &st.publicAccess, &st.roleConnect)
	if errors.Is(err, pgx.ErrNoRows) {
		return databaseState{name: name}, nil
	}
	if err != nil {
		return databaseState{}, fmt.Errorf("postgres: unable to read database %q: %w", name, err)
	}
	return st, nil
}

// DatabaseExists reports whether the server has the database.
func (s *Server) DatabaseExists(ctx context.Context, name string) (bool, error) {
	var ok bool
	if err := s.queryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&ok); err != nil {
		return false, fmt.Errorf("postgres: unable to look for database %q: %w", name, err)
	}
	return ok, nil
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// exec runs a writing statement. Statements may hold a SCRAM verifier, never
// a password, so an error quoting one leaks nothing that logs in.
func (s *Server) exec(ctx context.Context, e execer, stmt string) error {
	s.count.AddWrites(1)
	_, err := e.Exec(ctx, stmt)
	return err
}

func (s *Server) queryRow(ctx context.Context, query string, args ...any) pgx.Row {
	s.count.AddReads(1)
	return s.conn.QueryRow(ctx, query, args...)
}

// quoteLiteral quotes s as an SQL string literal the way libpq's
// PQescapeLiteral does: quotes doubled and, when s holds a backslash, an E”
// literal with backslashes doubled, so that the result is right whatever
// standard_conforming_strings says. Callers only pass strings without NUL.
func quoteLiteral(s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if strings.Contains(s, `\`) {
		return ` E'` + strings.ReplaceAll(s, `\`, `\\`) + `'`
	}
	return "'" + s + "'"
}
