package postgres

import (
	"os"
	"testing"

	"pilar.id/pilar/internal/testpg"
)

// pg is the throwaway PostgreSQL server the tests provision on.
var pg *testpg.Server

func TestMain(m *testing.M) { os.Exit(testpg.Main(m, &pg)) }
