package web

import (
	"os"
	"testing"

	"pilar.id/pilar/internal/testpg"
)

// pg is a throwaway PostgreSQL server for the tests that serve a region from
// PostgreSQL, as a cluster does.
var pg *testpg.Server

func TestMain(m *testing.M) { os.Exit(testpg.Main(m, &pg)) }
