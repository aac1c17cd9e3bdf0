package web

import (
	"fmt"
	"os"
	"testing"

	"pilar.id/pilar/internal/testpg"
)

// pg is a throwaway PostgreSQL server for the tests that serve a region from
// PostgreSQL, as a cluster does.
var pg *testpg.Server

func TestMain(m *testing.M) {
	var err error
	if pg, err = testpg.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := pg.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}
