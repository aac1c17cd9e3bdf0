package testcluster_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"pilar.id/pilar/internal/testcluster"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) {
	start := time.Now()
	c, err := testcluster.Start()
	if err != nil {
		// Never skip: a test suite that silently does not run is worse
		// than a failing one.
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "testcluster: API server %s up in %s (binaries from %s)\n",
		c.Config.Host, time.Since(start).Round(time.Millisecond), c.AssetsDir)
	cluster = c

	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = max(code, 1)
	}
	os.Exit(code)
}

func TestStartIsShared(t *testing.T) {
	c, err := testcluster.Start()
	if err != nil {
		t.Fatal(err)
	}
	if c != cluster {
		t.Errorf("second Start returned a different cluster")
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	// The cluster must still be running: TestMain holds a reference.
	if _, err := discovery.NewDiscoveryClientForConfigOrDie(cluster.Config).ServerVersion(); err != nil {
		t.Fatalf("API server stopped after releasing a shared reference: %v", err)
	}
}

func TestConfigMapRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cl, err := client.New(cluster.Config, client.Options{Scheme: clientgoscheme.Scheme})
	if err != nil {
		t.Fatalf("creating client: %v", err)
	}

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "smoke-"}}
	if err := cl.Create(ctx, ns); err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	t.Cleanup(func() {
		// envtest runs no namespace controller, so the namespace only
		// moves to Terminating; that is fine for a throwaway server.
		_ = cl.Delete(context.Background(), ns)
	})

	want := map[string]string{"greeting": "hello", "answer": "42"}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke", Namespace: ns.Name},
		Data:       want,
	}
	if err := cl.Create(ctx, cm); err != nil {
		t.Fatalf("creating configmap: %v", err)
	}

	var got corev1.ConfigMap
	if err := cl.Get(ctx, client.ObjectKey{Namespace: ns.Name, Name: "smoke"}, &got); err != nil {
		t.Fatalf("reading configmap back: %v", err)
	}
	if got.UID == "" || got.UID != cm.UID {
		t.Errorf("UID = %q, want %q", got.UID, cm.UID)
	}
	if len(got.Data) != len(want) {
		t.Errorf("data = %v, want %v", got.Data, want)
	}
	for k, v := range want {
		if got.Data[k] != v {
			t.Errorf("data[%q] = %q, want %q", k, got.Data[k], v)
		}
	}
}

func TestServerVersionMatchesGoMod(t *testing.T) {
	root, err := testcluster.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	clientGo := requiredVersion(t, filepath.Join(root, "go.mod"), "k8s.io/client-go")
	// k8s.io/client-go v0.X.Y is released with Kubernetes v1.X.Y.
	parts := strings.Split(strings.TrimPrefix(clientGo, "v"), ".")
	if len(parts) < 3 || parts[0] != "0" {
		t.Fatalf("unexpected k8s.io/client-go version %q in go.mod", clientGo)
	}
	wantMinor := parts[1]
	wantPrefix := "v1." + wantMinor + "."

	dc, err := discovery.NewDiscoveryClientForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	info, err := dc.ServerVersion()
	if err != nil {
		t.Fatalf("getting server version: %v", err)
	}
	t.Logf("server version %s (major %q, minor %q), go.mod has k8s.io/client-go %s",
		info.GitVersion, info.Major, info.Minor, clientGo)
	if !strings.HasPrefix(info.GitVersion, wantPrefix) {
		t.Errorf("server GitVersion = %q, want %sx (from k8s.io/client-go %s in go.mod)", info.GitVersion, wantPrefix, clientGo)
	}
	if info.Major != "1" || strings.TrimSuffix(info.Minor, "+") != wantMinor {
		t.Errorf("server major.minor = %s.%s, want 1.%s", info.Major, info.Minor, wantMinor)
	}
}

// requiredVersion returns the version of module mod required by the go.mod
// file at path.
func requiredVersion(t *testing.T, path, mod string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && f[0] == "require" {
			f = f[1:]
		}
		if len(f) >= 2 && f[0] == mod {
			return f[1]
		}
	}
	t.Fatalf("%s does not require %s", path, mod)
	return ""
}
