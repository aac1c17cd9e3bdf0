package e2e

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// apiserver is a running API server binary in the embedded mode.
type apiserver struct {
	cmd  *exec.Cmd
	base string // http://host:port
	done chan error
}

func buildAPIServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "apiserver")
	out, err := exec.Command("go", "build", "-o", bin, "../apiserver").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startEmbedded starts the API server the way `make run` does, on a free port,
// with the given data directory, and waits until it prints its URLs.
func startEmbedded(t *testing.T, bin, dataDir string) *apiserver {
	t.Helper()
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-tenants", "../tenants", "-data", dataDir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &apiserver{cmd: cmd, done: make(chan error, 1)}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`(http://[0-9.:]+)/r/`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.base = <-urls:
	case err := <-s.done:
		t.Fatalf("apiserver exited before serving: %v", err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("apiserver printed no URL within a minute")
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	return s
}

// stop sends SIGTERM and expects a clean exit: graceful shutdown.
func (s *apiserver) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("apiserver did not shut down cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("apiserver did not stop within 30s of SIGTERM")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestEmbeddedRunServesTheDemoRegions(t *testing.T) {
	bin := buildAPIServer(t)
	data := t.TempDir()
	for run := 1; run <= 2; run++ { // the second start finds the data of the first
		s := startEmbedded(t, bin, data)
		if code, body := get(t, s.base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
			t.Fatalf("run %d: /healthz: %d %s", run, code, body)
		}
		if code, body := get(t, s.base+"/readyz"); code != 200 || !strings.Contains(body, `"bandung"`) || !strings.Contains(body, `"sumedang"`) {
			t.Fatalf("run %d: /readyz: %d %s", run, code, body)
		}
		for slug, name := range map[string]string{"bandung": "Kota Bandung", "sumedang": "Kabupaten Sumedang"} {
			code, body := get(t, s.base+"/r/"+slug+"/")
			if code != 200 || !strings.Contains(body, "<h1>"+name+"</h1>") {
				t.Fatalf("run %d: /r/%s/: %d %.300s", run, slug, code, body)
			}
		}
		if code, body := get(t, s.base+"/r/atlantis/"); code != 404 || !strings.Contains(body, "not_found") {
			t.Fatalf("run %d: unknown region: %d %s", run, code, body)
		}
		s.stop(t)
	}
	for _, f := range []string{"bandung.db", "sumedang.db"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("region database %s: %v", f, err)
		}
	}
}
