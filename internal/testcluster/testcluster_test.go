package testcluster_test

import (
	"bufio"
	"bytes"
	"context"
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

func TestStartIsShared(t *testing.T) {
	t.Logf("API server %s, binaries from %s", cluster.Config.Host, cluster.AssetsDir)
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

	cl := cluster.Client(t, clientgoscheme.Scheme)
	ns := testcluster.Namespace(t, cl, "smoke-")

	want := map[string]string{"greeting": "hello", "answer": "42"}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke", Namespace: ns},
		Data:       want,
	}
	if err := cl.Create(ctx, cm); err != nil {
		t.Fatalf("creating configmap: %v", err)
	}

	var got corev1.ConfigMap
	if err := cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: "smoke"}, &got); err != nil {
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
