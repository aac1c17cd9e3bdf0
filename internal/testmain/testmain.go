// Package testmain runs a package's tests around a throwaway server they
// share — a PostgreSQL server (internal/testpg), a Kubernetes API server
// (internal/testcluster) — started once per test binary.
package testmain

import (
	"fmt"
	"os"
	"testing"
)

// Run starts the server with start into *srv, runs the tests, stops the
// server and returns the exit code for os.Exit. A server that cannot start
// or stop fails the run: it is never skipped, because a test suite that
// silently does not run is worse than a failing one.
func Run[S interface{ Stop() error }](m *testing.M, srv *S, start func() (S, error)) int {
	s, err := start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*srv = s
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = max(code, 1)
	}
	return code
}
