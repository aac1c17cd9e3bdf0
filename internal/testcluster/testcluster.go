// Package testcluster starts a throwaway Kubernetes API server for tests with
// envtest (sigs.k8s.io/controller-runtime/pkg/envtest), using the
// kube-apiserver and etcd binaries built by hack/envtest-binaries.sh.
//
// Call Start from TestMain and Stop when the tests are done, or let Main do
// both:
//
//	var cluster *testcluster.Cluster
//
//	func TestMain(m *testing.M) { os.Exit(testcluster.Main(m, &cluster)) }
//
// The binaries are taken from the directory named by KUBEBUILDER_ASSETS when
// that variable is set. Otherwise Start runs hack/envtest-binaries.sh from
// the repository root, which builds them from Go modules on first use (this
// takes a few minutes) and caches them.
//
// CustomResourceDefinitions in <repo>/config/crd/bases are installed when
// that directory exists.
//
// One API server is shared per test binary: further calls to Start return
// the same Cluster, and it is stopped when every Start has been matched by a
// Stop.
package testcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"pilar.id/pilar/internal/testmain"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ModulePath is the module path of the repository's go.mod; RepoRoot looks
// for it.
const ModulePath = "pilar.id/pilar"

// binariesScript is the script, relative to the repository root, that builds
// and caches the envtest binaries and prints their directory last on stdout.
const binariesScript = "hack/envtest-binaries.sh"

// defaultStartTimeout replaces envtest's default of 20s, which is tight on a
// busy machine (e.g. while `go test ./...` builds other packages). The
// KUBEBUILDER_CONTROLPLANE_START_TIMEOUT variable still takes precedence.
const defaultStartTimeout = 90 * time.Second

// Cluster is a running throwaway API server.
type Cluster struct {
	// Config connects to the API server as a cluster admin
	// (system:masters).
	Config *rest.Config
	// Env is the underlying envtest environment.
	Env *envtest.Environment
	// AssetsDir is the directory the kube-apiserver and etcd binaries were
	// taken from.
	AssetsDir string
}

var (
	mu      sync.Mutex
	shared  *Cluster
	holders int
)

// Start starts the API server, or returns the one already started in this
// process. Each successful call must be matched by a call to Stop.
func Start() (*Cluster, error) {
	mu.Lock()
	defer mu.Unlock()

	if shared != nil {
		holders++
		return shared, nil
	}

	c, err := start()
	if err != nil {
		return nil, err
	}
	shared, holders = c, 1
	return c, nil
}

// Stop releases the cluster; the API server and etcd are stopped when the
// last holder releases it.
func (c *Cluster) Stop() error {
	mu.Lock()
	defer mu.Unlock()

	if c == nil || c != shared || holders == 0 {
		return errors.New("testcluster: Stop called on a cluster that is not running")
	}
	holders--
	if holders > 0 {
		return nil
	}
	shared = nil
	if err := c.Env.Stop(); err != nil {
		return fmt.Errorf("testcluster: stopping the API server: %w", err)
	}
	return nil
}

func start() (*Cluster, error) {
	// The repository root is needed for the CRDs and, without
	// KUBEBUILDER_ASSETS, for the build script.
	root, rootErr := RepoRoot()

	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		if rootErr != nil {
			return nil, fmt.Errorf("testcluster: KUBEBUILDER_ASSETS is not set and %w; "+
				"run the tests from inside the repository or set KUBEBUILDER_ASSETS=$(hack/envtest-binaries.sh | tail -1)", rootErr)
		}
		var err error
		if assets, err = buildBinaries(root); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, name)); err != nil {
			return nil, fmt.Errorf("testcluster: %s is missing from the envtest binaries directory %q "+
				"(set KUBEBUILDER_ASSETS to the directory printed by hack/envtest-binaries.sh, or unset it "+
				"to let the tests build the binaries): %w", name, assets, err)
		}
	}

	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		// Never talk to a real cluster, even if USE_EXISTING_CLUSTER=true
		// is set in the environment: tests create and delete objects.
		UseExistingCluster:    boolPtr(false),
		ErrorIfCRDPathMissing: false,
	}
	if os.Getenv("KUBEBUILDER_CONTROLPLANE_START_TIMEOUT") == "" {
		env.ControlPlaneStartTimeout = defaultStartTimeout
	}
	if rootErr == nil {
		crds := filepath.Join(root, "config", "crd", "bases")
		if fi, err := os.Stat(crds); err == nil && fi.IsDir() {
			env.CRDDirectoryPaths = []string{crds}
		}
	}

	cfg, err := env.Start()
	if err != nil {
		// Start may leave etcd running when the API server fails.
		_ = env.Stop()
		return nil, fmt.Errorf("testcluster: starting envtest with binaries from %q "+
			"(set KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT=true to see the API server's output): %w", assets, err)
	}
	return &Cluster{Config: cfg, Env: env, AssetsDir: assets}, nil
}

// buildBinaries runs hack/envtest-binaries.sh and returns the directory it
// prints on its last line of stdout. Its progress output goes to stderr.
func buildBinaries(root string) (string, error) {
	script := filepath.Join(root, binariesScript)
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("testcluster: cannot find %s: %w", binariesScript, err)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		return "", fmt.Errorf("testcluster: %s needs bash; install it or set KUBEBUILDER_ASSETS "+
			"to a directory holding kube-apiserver and etcd: %w", binariesScript, err)
	}

	var stdout bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Dir = root
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("testcluster: %s failed (see its output above; it builds kube-apiserver and etcd "+
			"from Go modules, so it needs the Go module proxy; or set KUBEBUILDER_ASSETS to a directory "+
			"holding kube-apiserver and etcd): %w", binariesScript, err)
	}

	dir := lastLine(stdout.String())
	if dir == "" {
		return "", fmt.Errorf("testcluster: %s printed no directory on stdout", binariesScript)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("testcluster: %s printed %q, which is not a directory", binariesScript, dir)
	}
	return dir, nil
}

func lastLine(s string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			last = line
		}
	}
	return last
}

// RepoRoot returns the repository root: the nearest directory, walking up
// from the working directory, whose go.mod declares module ModulePath.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("testcluster: getting the working directory: %w", err)
	}
	for dir := wd; ; {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && moduleOf(data) == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testcluster: no go.mod with module %s in %s or any parent directory", ModulePath, wd)
		}
		dir = parent
	}
}

// moduleOf returns the module path declared in go.mod data.
func moduleOf(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '"') {
			continue
		}
		return strings.Trim(strings.TrimSpace(rest), `"`)
	}
	return ""
}

func boolPtr(b bool) *bool { return &b }

// Main is a TestMain for a package whose tests share the API server: it
// starts the server into *c, runs the tests and stops the server, and
// returns the exit code, failing when the server cannot start or stop:
//
//	func TestMain(m *testing.M) { os.Exit(testcluster.Main(m, &cluster)) }
func Main(m *testing.M, c **Cluster) int { return testmain.Run(m, c, Start) }

// Client returns a client of the API server, as a cluster admin, that knows
// the kinds of scheme; an error fails the test.
func (c *Cluster) Client(t testing.TB, scheme *runtime.Scheme) client.Client {
	t.Helper()
	cl, err := client.New(c.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatalf("testcluster: creating a client: %v", err)
	}
	return cl
}

// Namespace makes a namespace of the test, its name prefix followed by a
// random suffix, and returns the name. The test's cleanup deletes it again;
// envtest runs no namespace controller, so it only moves to Terminating,
// which is fine for a throwaway server.
func Namespace(t testing.TB, cl client.Client, prefix string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
	if err := cl.Create(t.Context(), ns); err != nil {
		t.Fatalf("testcluster: creating a namespace: %v", err)
	}
	t.Cleanup(func() { cl.Delete(context.Background(), ns) })
	return ns.Name
}
