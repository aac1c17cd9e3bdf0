package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/internal/testcluster"
	"pilar.id/pilar/internal/testpg"
	"pilar.id/pilar/operator/api/v1alpha1"
)

// How long the operator may take to make a region Ready, and to finish
// deleting it: bounded, so that a stuck reconcile fails with its conditions
// rather than hanging the suite.
const (
	onboardTimeout = 2 * time.Minute
	removeTimeout  = time.Minute
)

// rig is a cluster as an installation has it: a real kube-apiserver and
// PostgreSQL, the operator's namespace with the PostgreSQL admin Secret and
// the platform's NIK key, and the operator and the shared API server running
// as their programs. log notes the steps of a test with their time.
type rig struct {
	t                     *testing.T
	cl                    client.Client
	pg                    *testpg.Server
	kubeconfig, namespace string
	env                   []string
	apiserverBin          string
	operator, server      *process
	base                  string // the Bandung portal's URL
	platformDSN           string
	log                   func(what string)
}

// startRig brings a rig up; everything stops with the test.
func startRig(t *testing.T) *rig {
	start := time.Now()
	r := &rig{t: t, log: func(what string) { t.Logf("%6.1fs %s", time.Since(start).Seconds(), what) }}
	cluster, err := testcluster.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Stop(); err != nil {
			t.Error(err)
		}
	})
	if r.pg, err = testpg.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.pg.Stop(); err != nil {
			t.Error(err)
		}
	})
	r.log("kube-apiserver and PostgreSQL are up")

	dir := t.TempDir()
	r.kubeconfig = writeKubeconfig(t, cluster, dir)
	r.cl = cluster.Client(t, v1alpha1.NewScheme())
	ctx := t.Context()

	// The operator's namespace, the PostgreSQL admin credentials in it, and the
	// platform's NIK key, as an installation would have them.
	r.namespace = testcluster.Namespace(t, r.cl, "pilar-e2e-")
	admin := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "pilar-postgres-admin", Namespace: r.namespace},
		StringData: map[string]string{
			"host": r.pg.Host(), "port": strconv.Itoa(r.pg.Port()),
			"username": r.pg.User(), "password": r.pg.Password(), "sslmode": "disable",
		},
	}
	if err := r.cl.Create(ctx, admin); err != nil {
		t.Fatal(err)
	}
	nikKey := make([]byte, 32)
	rand.Read(nikKey)
	nikKeyFile := filepath.Join(dir, "nik.key") // a mounted Secret in a cluster
	if err := os.WriteFile(nikKeyFile, []byte(hex.EncodeToString(nikKey)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.platformDSN = r.pg.NewDatabase(t)

	operatorBin := buildProgram(t, "operator")
	r.apiserverBin = buildProgram(t, "apiserver")
	r.log("programs built")

	r.env = []string{"KUBECONFIG=" + r.kubeconfig}
	probes := freeAddr(t)
	r.operator = startProcess(t, "operator", operatorBin, r.env,
		"--namespace", r.namespace, "--leader-elect=false",
		"--metrics-bind-address=0", "--health-probe-bind-address="+probes)
	listen := freeAddr(t)
	r.server = startProcess(t, "API server", r.apiserverBin, r.env,
		"-mode", "cluster", "-listen", listen, "-namespace", r.namespace,
		"-nik-key-file", nikKeyFile, "-platform-dsn", r.platformDSN, "-log-level", "debug")
	waitHTTP(t, r.operator, "http://"+probes+"/readyz", time.Minute)
	waitHTTP(t, r.server, "http://"+listen+"/healthz", time.Minute)
	r.log("operator and API server are running")
	r.base = "http://" + listen + "/r/bandung"
	return r
}

// onboardBandung applies tenants/bandung.yaml with kubectl and waits until
// the portal answers with Bandung's own data.
func (r *rig) onboardBandung() {
	t := r.t
	manifest := filepath.Join("..", "tenants", "bandung.yaml")
	want, err := tenancy.LoadDir(filepath.Dir(manifest))
	if err != nil {
		t.Fatal(err)
	}
	wantKecamatan := -1
	for _, reg := range want {
		if reg.Slug == "bandung" {
			wantKecamatan = len(reg.Kecamatan)
		}
	}
	applyManifest(t, r.cl, r.kubeconfig, manifest)
	r.log("tenants/bandung.yaml applied")

	deadline := time.Now().Add(onboardTimeout)
	for {
		code, body := get(t, r.base+"/api/region")
		if code == 200 {
			var got struct {
				Name      string `json:"name"`
				Kecamatan int    `json:"kecamatan"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("/api/region: %v\n%s", err, body)
			}
			if got.Name != "Kota Bandung" || got.Kecamatan != wantKecamatan {
				t.Fatalf("/api/region: %s with %d kecamatan, want Kota Bandung with %d\n%s", got.Name, got.Kecamatan, wantKecamatan, body)
			}
			break
		}
		if r.operator.Exited() || r.server.Exited() {
			t.Fatalf("a program exited while onboarding (operator: %v, API server: %v)\n%s", r.operator.Err(), r.server.Err(), regionState(t, r.cl, "bandung"))
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, /r/bandung/api/region still answers %d %.200s\n%s", onboardTimeout, code, body, regionState(t, r.cl, "bandung"))
		}
		time.Sleep(250 * time.Millisecond)
	}
	r.log("Bandung's portal answers")
}

// stop shuts both programs down, as a rollout would.
func (r *rig) stop() {
	if err := r.server.stop(30 * time.Second); err != nil {
		r.t.Errorf("the API server did not shut down cleanly: %v", err)
	}
	if err := r.operator.stop(30 * time.Second); err != nil {
		r.t.Errorf("the operator did not shut down cleanly: %v", err)
	}
}

// A national agency onboards Kota Bandung with `kubectl apply`: on a real
// kube-apiserver and PostgreSQL, with the operator and the shared API server
// running as they would in a cluster, the region's portal answers with its
// data under its policy; deleting the Region takes the portal away.
func TestClusterOnboardsARegionFromItsManifest(t *testing.T) {
	r := startRig(t)
	base := r.base
	if code, body := get(t, base+"/api/region"); code != 404 {
		t.Fatalf("before the Region exists, /r/bandung/api/region: %d %.200s", code, body)
	}
	r.onboardBandung()

	// Served under the region's policy: grants are for signed-in admins,
	// proposals are public.
	if code, body := get(t, base+"/api/grants"); code != 401 {
		t.Errorf("anonymous GET /api/grants: %d %.200s, want 401", code, body)
	}
	if code, body := get(t, base+"/api/proposals"); code != 200 {
		t.Errorf("anonymous GET /api/proposals: %d %.200s, want 200", code, body)
	}
	if code, body := get(t, base+"/"); code != 200 || !strings.Contains(body, "Kota Bandung") {
		t.Errorf("the portal's home page: %d %.200s", code, body)
	}

	// Offboarded: the Region deleted, the portal is gone and the operator
	// lets the Region go.
	if out, err := kubectl(t, r.kubeconfig, "delete", "region", "bandung", "--wait=false"); err != nil {
		t.Fatalf("kubectl delete region bandung: %v\n%s", err, out)
	}
	deadline := time.Now().Add(removeTimeout)
	for {
		code, body := get(t, base+"/api/region")
		if code == 404 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, a deleted region's portal still answers %d %.200s\n%s", removeTimeout, code, body, regionState(t, r.cl, "bandung"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.log("Bandung's portal answers 404")
	for {
		err := r.cl.Get(t.Context(), client.ObjectKey{Name: "bandung"}, &v1alpha1.Region{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, the deleted Region is still there (its finalizer?)\n%s", removeTimeout, regionState(t, r.cl, "bandung"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.log("the Region is gone")
	r.stop()
}

// writeKubeconfig writes a kubeconfig file for a cluster admin of the test
// API server, the way the programs would be given one.
func writeKubeconfig(t *testing.T, cluster *testcluster.Cluster, dir string) string {
	t.Helper()
	user, err := cluster.Env.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// kubectl runs kubectl against the test API server.
func kubectl(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("kubectl"); err != nil {
		return "", fmt.Errorf("kubectl is not on PATH")
	}
	cmd := exec.CommandContext(t.Context(), "kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// applyManifest applies a Region manifest as a person would, with kubectl
// when it is on PATH, else with a client.
func applyManifest(t *testing.T, cl client.Client, kubeconfig, path string) {
	t.Helper()
	if _, err := exec.LookPath("kubectl"); err == nil {
		if out, err := kubectl(t, kubeconfig, "apply", "-f", path); err != nil {
			t.Fatalf("kubectl apply -f %s: %v\n%s", path, err, out)
		}
		return
	}
	r, err := v1alpha1.ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Create(t.Context(), r); err != nil {
		t.Fatalf("creating Region %s: %v", r.Name, err)
	}
}

// regionState describes a Region for a failure message: its conditions, the
// names in its status, and its finalizers.
func regionState(t *testing.T, cl client.Client, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var r v1alpha1.Region
	if err := cl.Get(ctx, client.ObjectKey{Name: name}, &r); err != nil {
		return fmt.Sprintf("Region %s: %v", name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Region %s (generation %d, observed %d, finalizers %v, deleting %v):\n",
		name, r.Generation, r.Status.ObservedGeneration, r.Finalizers, r.DeletionTimestamp != nil)
	if len(r.Status.Conditions) == 0 {
		b.WriteString("  no conditions: has the operator reconciled it at all?\n")
	}
	for _, c := range r.Status.Conditions {
		fmt.Fprintf(&b, "  %s=%s %s: %s\n", c.Type, c.Status, c.Reason, c.Message)
	}
	fmt.Fprintf(&b, "  secretName=%q policyConfigMap=%q policyHash=%q database=%q schemaVersion=%q\n",
		r.Status.SecretName, r.Status.PolicyConfigMap, r.Status.PolicyHash, r.Status.Database, r.Status.SchemaVersion)
	return b.String()
}
