package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pilar.id/pilar/internal/childproc"
)

// process is one of Pilar's programs running beside the test, its output
// kept for the failure message.
type process struct {
	*childproc.Process
	out *syncBuffer
}

// syncBuffer is an output both a process and the test touch.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tail is the last n lines written.
func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := strings.Split(strings.TrimRight(s.b.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// buildProgram builds one of the repository's commands, e.g. "operator".
func buildProgram(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), pkg)
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, "../"+pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./%s: %v\n%s", pkg, err, out)
	}
	t.Logf("built ./%s in %s", pkg, time.Since(start).Round(time.Millisecond))
	return bin
}

// startProcess runs bin with args and extra environment variables; the test's
// cleanup stops it (SIGTERM, then SIGKILL) if it still runs.
func startProcess(t *testing.T, name, bin string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &process{out: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	var err error
	if p.Process, err = childproc.Start(name, cmd, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop(10 * time.Second)
		if t.Failed() {
			t.Logf("last lines of the %s's output:\n%s", name, p.out.tail(40))
		}
	})
	return p
}

// stop sends SIGTERM and waits, then kills; it returns the exit error of a
// process that ended on SIGTERM, or an error saying it had to be killed.
func (p *process) stop(grace time.Duration) error { return p.Stop(syscall.SIGTERM, grace) }

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	port, err := childproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// waitHTTP waits until url answers 200, the process ends or the timeout passes.
func waitHTTP(t *testing.T, p *process, url string, timeout time.Duration) {
	t.Helper()
	if err := p.WaitHTTP(t.Context(), url, timeout); err != nil {
		t.Fatalf("%v\n%s", err, p.out.tail(40))
	}
}
