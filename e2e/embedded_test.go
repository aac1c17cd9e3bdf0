package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// embedded is a running API server binary in the embedded mode.
type embedded struct {
	*process
	base string // http://host:port
}

// startEmbedded starts the API server the way `make run` does, on a free port,
// with the given data directory, and waits until it prints its URLs.
func startEmbedded(t *testing.T, bin, dataDir string) *embedded {
	t.Helper()
	s := &embedded{process: startProcess(t, "apiserver", bin, nil, "-listen", "127.0.0.1:0", "-tenants", "../tenants", "-data", dataDir)}
	url := regexp.MustCompile(`(http://[0-9.:]+)/r/`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := url.FindStringSubmatch(s.out.String()); m != nil {
			s.base = m[1]
			return s
		}
		if s.Exited() {
			t.Fatalf("apiserver exited before serving: %v", s.Err())
		}
		if time.Now().After(deadline) {
			t.Fatal("apiserver printed no URL within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shutdown sends SIGTERM and expects a clean exit: graceful shutdown.
func (s *embedded) shutdown(t *testing.T) {
	t.Helper()
	if err := s.stop(30 * time.Second); err != nil {
		t.Fatalf("apiserver did not shut down cleanly: %v", err)
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
	bin := buildProgram(t, "apiserver")
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
		s.shutdown(t)
	}
	for _, f := range []string{"bandung.db", "sumedang.db"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("region database %s: %v", f, err)
		}
	}
}
