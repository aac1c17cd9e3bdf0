// Package testpg owns throwaway PostgreSQL clusters for tests.
//
// Start (meant for TestMain, one cluster per test binary) runs initdb into a
// fresh temporary directory, starts a postgres server on a free loopback TCP
// port with durability switched off, and waits until it accepts connections.
// NewDatabase hands each test its own freshly created database and drops it
// again in the test's cleanup. Stop shuts the server down and removes the
// directory.
//
// The package owns everything under the temporary directory and the server
// process it starts; nothing else on the machine is touched. PostgreSQL
// refuses to run as root, so when the test process is root the server
// binaries are run as the unprivileged "postgres" user, or "nobody" when that
// user does not exist.
//
// If the test binary dies without calling Stop (panic, os.Exit, -timeout,
// even SIGKILL), the kernel sends the postmaster SIGQUIT (parent-death
// signal), so the server does not outlive the test process. The temporary
// directory is left behind in that case; a later Start removes such
// directories once their server is certainly gone.
package testpg

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"pilar.id/pilar/internal/childproc"
	"pilar.id/pilar/internal/testmain"
)

const (
	superuser    = "postgres"
	host         = "127.0.0.1"
	startTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
	adminTimeout = 30 * time.Second
	staleAfter   = time.Minute
	// maxStartAttempts bounds retries when the chosen port was taken by
	// someone else between picking it and the server binding it.
	maxStartAttempts = 5
)

// debianBinGlob is where Debian/Ubuntu packages install the server binaries,
// one directory per major version.
const debianBinGlob = "/usr/lib/postgresql/*/bin"

// Server is a running throwaway PostgreSQL cluster.
type Server struct {
	dir      string // temporary root, owned by the server user
	dataDir  string
	logPath  string
	bins     binaries
	cred     *syscall.Credential // nil when not switching users
	env      []string
	port     int
	password string
	maxConns int

	postmaster *childproc.Process // nil until started, and after it failed to start

	dbSeq    atomic.Uint64
	stopOnce sync.Once
	stopErr  error
}

type binaries struct {
	initdb, pgCtl, postgres string
}

// Options say how large the server may grow.
type Options struct {
	// MaxConnections is PostgreSQL's max_connections; 300 when zero. The
	// benchmarks need more: hundreds of regions, each with a small pool in
	// every server they start.
	MaxConnections int
}

// Start creates and starts a new PostgreSQL cluster in a temporary
// directory. Call Stop when done with it (typically at the end of TestMain).
func Start() (*Server, error) { return StartWith(Options{}) }

// StartWith is Start with the server's size chosen by the caller.
func StartWith(o Options) (*Server, error) {
	if o.MaxConnections == 0 {
		o.MaxConnections = 300
	}
	bins, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	password, err := randomHex(24)
	if err != nil {
		return nil, fmt.Errorf("testpg: generate password: %w", err)
	}
	dir, err := makeTempDir(cred)
	if err != nil {
		return nil, err
	}
	s := &Server{
		dir:      dir,
		dataDir:  filepath.Join(dir, "data"),
		logPath:  filepath.Join(dir, "postgres.log"),
		bins:     bins,
		cred:     cred,
		env:      childEnv(),
		password: password,
		maxConns: o.MaxConnections,
	}
	if err := s.start(); err != nil {
		return nil, errors.Join(err, s.stop())
	}
	return s, nil
}

func (s *Server) start() error {
	if err := s.initdb(); err != nil {
		return err
	}
	var lastErr error
	for range maxStartAttempts {
		port, err := childproc.FreePort()
		if err != nil {
			return err
		}
		s.port = port
		err = s.startPostgres()
		if err == nil {
			return nil
		}
		lastErr = err
		if !errors.Is(err, errPortInUse) {
			return err
		}
	}
	return lastErr
}

func (s *Server) initdb() error {
	pwFile := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pwFile, []byte(s.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("testpg: write password file: %w", err)
	}
	defer os.Remove(pwFile)
	if err := s.chown(pwFile); err != nil {
		return err
	}
	cmd := s.command(s.bins.initdb,
		"--pgdata="+s.dataDir,
		"--username="+superuser,
		"--pwfile="+pwFile,
		"--auth=scram-sha-256",
		"--encoding=UTF8",
		"--locale=C",
		"--no-sync",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("testpg: initdb: %w\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

var errPortInUse = errors.New("port already in use")

// startPostgres runs the postmaster as a direct child (not daemonized via
// pg_ctl start) so it can carry a parent-death signal, then waits until it
// accepts connections.
func (s *Server) startPostgres() error {
	logFile, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("testpg: open server log: %w", err)
	}
	defer logFile.Close() // the child keeps its own copy of the descriptor
	if err := s.chown(s.logPath); err != nil {
		return err
	}

	cmd := s.command(s.bins.postgres,
		"-D", s.dataDir,
		"-p", strconv.Itoa(s.port),
		"-c", "listen_addresses="+host,
		"-c", "unix_socket_directories="+s.dir,
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections="+strconv.Itoa(s.maxConns),
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// SIGQUIT makes the postmaster do an immediate shutdown, taking its
	// backends with it.
	postmaster, err := childproc.Start("postgres", cmd, syscall.SIGQUIT)
	if err != nil {
		return fmt.Errorf("testpg: %w", err)
	}
	s.postmaster = postmaster
	// A readiness probe stuck on a port someone else holds gives up once the
	// postmaster is gone rather than waiting out its timeout.
	running := postmaster.Running()

	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(running, 2*time.Second)
		conn, err := pgx.Connect(ctx, s.AdminDSN())
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-running.Done():
			s.postmaster = nil
			tail := s.logTail()
			if strings.Contains(tail, "could not bind") || strings.Contains(tail, "could not create any TCP/IP sockets") {
				return fmt.Errorf("testpg: start postgres on port %d: %w", s.port, errPortInUse)
			}
			return fmt.Errorf("testpg: postgres exited during startup (%v); server log tail:\n%s", postmaster.Err(), tail)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testpg: postgres not accepting connections on %s:%d after %v: %w; server log tail:\n%s",
				host, s.port, startTimeout, err, s.logTail())
		}
	}
}

// Stop shuts the server down (pg_ctl stop -m immediate) and removes its
// directory. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	var errs []error
	if s.postmaster != nil {
		cmd := s.command(s.bins.pgCtl, "stop",
			"-D", s.dataDir,
			"-m", "immediate",
			"-w", "-t", strconv.Itoa(int(stopTimeout/time.Second)),
		)
		if out, err := cmd.CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("testpg: pg_ctl stop: %w\n%s", err, bytes.TrimSpace(out)))
		}
		// Gone after pg_ctl; else what pg_ctl did not stop is sent SIGQUIT
		// and, if even that does not end it, killed.
		if err := s.postmaster.Stop(syscall.SIGQUIT, stopTimeout); errors.Is(err, childproc.ErrKilled) {
			errs = append(errs, errors.New("testpg: stop server: postmaster did not exit, killed it"))
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, fmt.Errorf("testpg: remove server directory: %w", err))
	}
	return errors.Join(errs...)
}

// Host is the address the server listens on (always loopback).
func (s *Server) Host() string { return host }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.port }

// User is the superuser's name.
func (s *Server) User() string { return superuser }

// Password is the superuser's password, generated randomly per Start.
func (s *Server) Password() string { return s.password }

// PID is the postmaster's process id; 0 before it has started.
func (s *Server) PID() int {
	if s.postmaster == nil {
		return 0
	}
	return s.postmaster.PID()
}

// AdminDSN is a postgres:// URL for the superuser on the "postgres" database.
func (s *Server) AdminDSN() string { return s.DSN("postgres") }

// DSN is a postgres:// URL for the superuser on the given database.
func (s *Server) DSN(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, s.password),
		Host:     net.JoinHostPort(host, strconv.Itoa(s.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// NewDatabase creates a fresh, uniquely named database for one test,
// registers a cleanup that drops it (WITH (FORCE), so lingering connections
// do not block it), and returns its DSN. It is safe for parallel tests.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	suffix, err := randomHex(4)
	if err != nil {
		t.Fatalf("testpg: generate database name: %v", err)
	}
	name := "t_" + identPart(t.Name(), 40) + "_" + strconv.FormatUint(s.dbSeq.Add(1), 10) + "_" + suffix
	ident := pgx.Identifier{name}.Sanitize()

	if err := s.adminExec("CREATE DATABASE " + ident + " TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		t.Fatalf("testpg: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := s.adminExec("DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)"); err != nil {
			t.Errorf("testpg: drop database %s: %v", name, err)
		}
	})
	return s.DSN(name)
}

// adminExec runs one statement as the superuser on the "postgres" database.
func (s *Server) adminExec(sql string) error {
	return s.admin(func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, sql)
		return err
	})
}

// admin runs f on a connection of the superuser's to the "postgres"
// database, its own so parallel callers do not share one.
func (s *Server) admin(f func(ctx context.Context, conn *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.AdminDSN())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	return f(ctx, conn)
}

// Exec runs statements as the superuser on the "postgres" database, in
// order on one connection, to set up or disturb what a test looks at. The
// first that fails fails the test.
func (s *Server) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	err := s.admin(func(ctx context.Context, conn *pgx.Conn) error {
		for _, q := range stmts {
			if _, err := conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Query runs a query as the superuser of s on the "postgres" database and
// scans its one row into a T; an error fails the test.
func Query[T any](t testing.TB, s *Server, q string, args ...any) T {
	t.Helper()
	var v T
	err := s.admin(func(ctx context.Context, conn *pgx.Conn) error {
		return conn.QueryRow(ctx, q, args...).Scan(&v)
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// Connect opens a connection with dsn — a session a test holds open — and
// closes it at the test's cleanup; failing to connect fails the test.
func Connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("testpg: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// HasDatabase reports whether the server has a database of that name.
func (s *Server) HasDatabase(t testing.TB, name string) bool {
	t.Helper()
	return Query[bool](t, s, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name)
}

// HasRole reports whether the server has a role of that name.
func (s *Server) HasRole(t testing.TB, name string) bool {
	t.Helper()
	return Query[bool](t, s, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", name)
}

// command prepares a server binary to run as the server user, in the
// server's directory, with an environment free of PG* variables.
func (s *Server) command(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	return cmd
}

func (s *Server) chown(path string) error {
	if s.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
		return fmt.Errorf("testpg: chown %s: %w", path, err)
	}
	return nil
}

// logTail returns the last lines of the server log.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", s.logPath, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// findBinaries looks for initdb, pg_ctl and postgres on PATH, then in
// Debian's per-version directories, highest version first.
func findBinaries() (binaries, error) {
	names := []string{"initdb", "pg_ctl", "postgres"}
	var found []string
	var missing []string
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			missing = append(missing, n)
			continue
		}
		found = append(found, p)
	}
	if len(missing) == 0 {
		return binaries{initdb: found[0], pgCtl: found[1], postgres: found[2]}, nil
	}

	dirs, _ := filepath.Glob(debianBinGlob)
	slices.SortFunc(dirs, func(a, b string) int {
		return -compareVersions(filepath.Base(filepath.Dir(a)), filepath.Base(filepath.Dir(b)))
	})
	for _, d := range dirs {
		b := binaries{
			initdb:   filepath.Join(d, "initdb"),
			pgCtl:    filepath.Join(d, "pg_ctl"),
			postgres: filepath.Join(d, "postgres"),
		}
		if isExecutable(b.initdb) && isExecutable(b.pgCtl) && isExecutable(b.postgres) {
			return b, nil
		}
	}
	return binaries{}, fmt.Errorf("testpg: PostgreSQL server binaries (%s) not found on PATH or in %s: install them, e.g. apt-get install postgresql-15",
		strings.Join(missing, ", "), debianBinGlob)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// compareVersions compares dotted numeric versions such as "9.6" and "15".
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return strings.Compare(a, b)
}

// serverCredential returns the credential to run the server binaries with:
// nil when not root, else the "postgres" user if it exists, else "nobody".
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("testpg: running as root and neither user postgres nor nobody exists: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("testpg: parse uid of user %s: %w", u.Username, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("testpg: parse gid of user %s: %w", u.Username, err)
	}
	// An empty Groups drops root's supplementary groups.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// makeTempDir creates the server's root directory, owned by the server user.
// The default temp directory is used when the server user can reach it,
// else /tmp.
func makeTempDir(cred *syscall.Credential) (string, error) {
	bases := []string{os.TempDir()}
	if cred != nil && os.TempDir() != "/tmp" {
		bases = append(bases, "/tmp")
	}
	var reachErr error
	for _, base := range bases {
		if cred != nil {
			if err := traversable(base, cred); err != nil {
				reachErr = err
				continue
			}
		}
		sweepStale(base)
		dir, err := os.MkdirTemp(base, "testpg-")
		if err != nil {
			return "", fmt.Errorf("testpg: create temp dir: %w", err)
		}
		if cred != nil {
			if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
				os.RemoveAll(dir)
				return "", fmt.Errorf("testpg: chown temp dir: %w", err)
			}
		}
		return dir, nil
	}
	return "", fmt.Errorf("testpg: no temp dir usable by the server user: %w", reachErr)
}

// sweepStale removes directories left behind by earlier test binaries that
// died without calling Stop (a test panic or -timeout, SIGKILL). A directory
// counts as stale only when its server is certainly gone: the data directory
// has no postmaster.pid (postgres holds it for its whole life) and the log
// was last written over a minute ago (so a Start in progress, which creates
// the log just before launching postgres, is never mistaken for one).
func sweepStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, "testpg-*"))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "data", "PG_VERSION")); err != nil {
			continue
		}
		if _, err := os.Lstat(filepath.Join(d, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		fi, err := os.Stat(filepath.Join(d, "postgres.log"))
		if err != nil || time.Since(fi.ModTime()) < staleAfter {
			continue
		}
		_ = os.RemoveAll(d)
	}
}

// traversable reports an error if uid/gid cannot search dir and each of its
// ancestors.
func traversable(dir string, cred *syscall.Credential) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for d := dir; ; d = filepath.Dir(d) {
		var st syscall.Stat_t
		if err := syscall.Stat(d, &st); err != nil {
			return fmt.Errorf("stat %s: %w", d, err)
		}
		var bit uint32
		switch {
		case st.Uid == cred.Uid:
			bit = 0o100
		case st.Gid == cred.Gid:
			bit = 0o010
		default:
			bit = 0o001
		}
		if st.Mode&bit == 0 {
			return fmt.Errorf("%s is not searchable by uid %d", d, cred.Uid)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// childEnv is the current environment without PG* variables, which would
// otherwise steer initdb and pg_ctl (PGDATA, PGPORT, ...).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

// identPart turns s into a short lower-case [a-z0-9_] fragment for a
// database name.
func identPart(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if b.Len() >= n {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Main is a TestMain for a package whose tests share one server: it starts
// the server into *srv, runs the tests and stops the server, and returns the
// exit code, failing when the server cannot start or stop:
//
//	func TestMain(m *testing.M) { os.Exit(testpg.Main(m, &pg)) }
func Main(m *testing.M, srv **Server) int { return testmain.Run(m, srv, Start) }
