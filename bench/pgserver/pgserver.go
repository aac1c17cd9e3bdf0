// Package pgserver runs the throwaway PostgreSQL server of a benchmark run.
//
// It does what internal/testpg does for tests — initdb into a temporary
// directory, a postmaster on a free loopback port, durability off, the
// postmaster tied to this process by a parent-death signal — with one
// difference that the benchmarks need: max_connections is chosen by the
// caller. 514 regions, each with a small pool in the API server and another
// in the baseline, need far more than the tests' 300.
//
// Run as root, the server binaries run as the "postgres" user (or "nobody").
package pgserver

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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	host         = "127.0.0.1"
	superuser    = "postgres"
	startTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
)

// Options say how large the server may grow.
type Options struct {
	// MaxConnections is PostgreSQL's max_connections; 100 when zero.
	MaxConnections int
}

// Server is a running throwaway PostgreSQL server.
type Server struct {
	dir, dataDir, logPath string
	bin                   string
	cred                  *syscall.Credential
	port                  int
	password              string
	cmd                   *exec.Cmd
	exited                chan struct{}
}

// Start initialises a cluster in a temporary directory and starts it. Call
// Stop when done.
func Start(o Options) (*Server, error) {
	if o.MaxConnections == 0 {
		o.MaxConnections = 100
	}
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	pw := make([]byte, 24)
	if _, err := rand.Read(pw); err != nil {
		return nil, fmt.Errorf("pgserver: unable to make a password: %w", err)
	}
	dir, err := os.MkdirTemp("", "pilar-bench-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgserver: unable to make a directory: %w", err)
	}
	s := &Server{dir: dir, dataDir: filepath.Join(dir, "data"), logPath: filepath.Join(dir, "postgres.log"),
		bin: bin, cred: cred, password: hex.EncodeToString(pw)}
	if err := s.chown(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.initdb(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.start(o.MaxConnections); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) initdb() error {
	pwFile := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pwFile, []byte(s.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	defer os.Remove(pwFile)
	if err := s.chown(pwFile); err != nil {
		return err
	}
	out, err := s.command(filepath.Join(s.bin, "initdb"), "--pgdata="+s.dataDir, "--username="+superuser,
		"--pwfile="+pwFile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgserver: initdb: %w\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

func (s *Server) start(maxConns int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("pgserver: unable to pick a port: %w", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	logFile, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	defer logFile.Close()
	if err := s.chown(s.logPath); err != nil {
		return err
	}
	cmd := s.command(filepath.Join(s.bin, "postgres"), "-D", s.dataDir, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses="+host, "-c", "unix_socket_directories="+s.dir,
		// Durability off, as in the tests: the figures measure CPU work, not the disk.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections="+strconv.Itoa(maxConns))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	s.exited = make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// The parent-death signal follows the thread that forked the child.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(s.exited)
			return
		}
		started <- nil
		cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgserver: unable to start postgres: %w", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.DSN("postgres"))
		if err == nil {
			conn.Close(ctx)
			cancel()
			return nil
		}
		cancel()
		select {
		case <-s.exited:
			return fmt.Errorf("pgserver: postgres exited while starting:\n%s", s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgserver: postgres not accepting connections after %v: %w\n%s", startTimeout, err, s.logTail())
		}
	}
}

// Stop shuts the server down and removes its directory.
func (s *Server) Stop() error {
	var errs []error
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGQUIT) // immediate shutdown: nothing is kept
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			s.cmd.Process.Kill()
			<-s.exited
			errs = append(errs, errors.New("pgserver: postgres did not stop; killed"))
		}
		s.cmd = nil
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, fmt.Errorf("pgserver: %w", err))
	}
	return errors.Join(errs...)
}

// Host is the loopback address the server listens on.
func (s *Server) Host() string { return host }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.port }

// User is the superuser's name.
func (s *Server) User() string { return superuser }

// Password is the superuser's password.
func (s *Server) Password() string { return s.password }

// DSN is a URL for the superuser on the given database.
func (s *Server) DSN(database string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(superuser, s.password),
		Host: net.JoinHostPort(host, strconv.Itoa(s.port)), Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String()
}

// PID is the postmaster's process id.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Version is the server binaries' major version directory, e.g. "15".
func (s *Server) Version() string { return filepath.Base(filepath.Dir(s.bin)) }

func (s *Server) command(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = s.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	return cmd
}

func (s *Server) chown(path string) error {
	if s.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	return nil
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// findBinaries returns the directory of initdb and postgres: the one on PATH,
// else Debian's newest /usr/lib/postgresql/<version>/bin.
func findBinaries() (string, error) {
	if p, err := exec.LookPath("postgres"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("pgserver: the PostgreSQL server binaries (initdb, postgres) are neither on PATH nor in /usr/lib/postgresql/*/bin: install postgresql-15")
}

// serverCredential is nil unless running as root, which PostgreSQL refuses:
// then the "postgres" user, else "nobody".
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
		return nil, fmt.Errorf("pgserver: running as root and neither user postgres nor nobody exists: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}
