package childproc

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// A process that ends on the signal it is sent is stopped with how it ended;
// one that ignores it is killed once the grace period is over.
func TestStop(t *testing.T) {
	tests := []struct {
		name   string
		script string
		killed bool
	}{
		{"ends on SIGTERM", "exec sleep 60", false},
		{"ignores SIGTERM", `trap "" TERM; sleep 60 & wait`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start("sh", exec.Command("sh", "-c", tt.script), syscall.SIGKILL)
			if err != nil {
				t.Fatal(err)
			}
			if p.Exited() || p.Err() != nil || p.PID() == 0 {
				t.Fatalf("just started: exited %v, err %v, pid %d", p.Exited(), p.Err(), p.PID())
			}
			time.Sleep(100 * time.Millisecond) // let the shell set its trap
			err = p.Stop(syscall.SIGTERM, 500*time.Millisecond)
			if got := errors.Is(err, ErrKilled); got != tt.killed || err == nil {
				t.Errorf("Stop: %v, killed %v, want killed %v", err, got, tt.killed)
			}
			if !p.Exited() || p.Running().Err() == nil {
				t.Error("not ended after Stop")
			}
		})
	}
}

// Starting a program that does not exist says so.
func TestStartFails(t *testing.T) {
	if _, err := Start("nothing", exec.Command("/nonexistent/program"), syscall.SIGKILL); err == nil {
		t.Fatal("started a program that does not exist")
	}
}
