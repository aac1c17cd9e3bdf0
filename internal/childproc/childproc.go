// Package childproc runs the servers a test or a benchmark starts beside
// itself — PostgreSQL, the API server, the operator — tied to it: the kernel
// sends each child a signal when its parent dies (a parent-death signal), so
// no server outlives the run that started it, however that run ends (a
// panic, -timeout, even SIGKILL).
package childproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// ErrKilled says that a process did not stop when asked and was killed.
var ErrKilled = errors.New("killed")

// Process is a started program.
type Process struct {
	Name string
	cmd  *exec.Cmd
	// ended is cancelled once the process has ended and been reaped; err is
	// how it ended, valid from then on.
	ended  context.Context
	reaped context.CancelFunc
	err    error
}

// Start starts cmd, as the caller prepared it (arguments, environment,
// output, credentials), with sig as its parent-death signal. name says what
// it is in errors.
func Start(name string, cmd *exec.Cmd, sig syscall.Signal) (*Process, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = sig
	p := &Process{Name: name, cmd: cmd}
	p.ended, p.reaped = context.WithCancel(context.Background())
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked the
		// child exits, not the process. Go may retire threads, so fork from
		// a locked thread and keep it busy in Wait for the child's lifetime.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		p.reaped()
	}()
	if err := <-started; err != nil {
		p.reaped()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	return p, nil
}

// Running is a context cancelled once the process has ended: for waiting on
// the process, or to give up on something only it could have answered.
func (p *Process) Running() context.Context { return p.ended }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool { return p.ended.Err() != nil }

// Err is how the process ended; nil while it runs.
func (p *Process) Err() error {
	if !p.Exited() {
		return nil
	}
	return p.err
}

// PID is the process's id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Stop sends the process sig and waits up to grace for it to end, then kills
// it. It returns how a process that ended by itself ended, or an error
// wrapping ErrKilled.
func (p *Process) Stop(sig os.Signal, grace time.Duration) error {
	if p.Exited() {
		return p.err
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.ended.Done():
		return p.err
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.ended.Done()
		return fmt.Errorf("%s did not stop within %s of %v: %w", p.Name, grace, sig, ErrKilled)
	}
}

// WaitHTTP polls url until it answers 200 and returns nil; it gives up with
// an error when the process ends, ctx ends or timeout passes first.
func (p *Process) WaitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if p.Exited() {
			return fmt.Errorf("%s exited before %s answered: %v", p.Name, url, p.err)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not answer 200 within %v (last: %v)", url, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// FreePort asks the kernel for a free loopback TCP port. Another process may
// take it before the server binds it.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("childproc: unable to pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
