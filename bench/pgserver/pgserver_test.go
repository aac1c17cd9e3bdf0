package pgserver

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The server starts with the max_connections asked for, answers as its
// superuser, and leaves nothing behind when stopped.
func TestStartStop(t *testing.T) {
	s, err := Start(Options{MaxConnections: 150})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		s.Stop()
		t.Fatal(err)
	}
	var max string
	err = conn.QueryRow(ctx, "SHOW max_connections").Scan(&max)
	conn.Close(ctx)
	if err != nil || max != "150" {
		t.Errorf("max_connections %q (%v), want 150", max, err)
	}
	if s.PID() == 0 || s.Version() == "" {
		t.Errorf("pid %d, version %q", s.PID(), s.Version())
	}
	dir := s.dir
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there (%v)", dir, err)
	}
}
