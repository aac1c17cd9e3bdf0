package tenancy

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/yaml"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/policies"
)

var platformKey = bytes.Repeat([]byte("k"), 32)

func kubeClient(t *testing.T) client.Client {
	t.Helper()
	cl, err := newClient(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// newNamespace makes the namespace of one test, standing for the operator's;
// envtest never finishes deleting one, so each test has its own.
func newNamespace(t *testing.T, cl client.Client) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "tenancy-"}}
	if err := cl.Create(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Delete(context.Background(), ns) })
	return ns.Name
}

// operatorDid stands in for the operator: a Region with its credentials
// Secret, its policy ConfigMap and its status, Ready or not.
type operatorDid struct {
	name, namespace string
	mode            v1alpha1.ServingMode
	ready           bool
	overrides       string
	dsn             string
}

func (o operatorDid) create(t *testing.T, cl client.Client) *v1alpha1.Region {
	t.Helper()
	ctx := t.Context()
	var r v1alpha1.Region
	if err := yaml.Unmarshal([]byte(base), &r); err != nil {
		t.Fatal(err)
	}
	r.Name = o.name
	r.Spec.Serving.Mode = o.mode
	r.Spec.Policy.Overrides = o.overrides
	if err := cl.Create(ctx, &r); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Delete(context.Background(), &r) })
	dsn := o.dsn
	if dsn == "" {
		dsn = "postgres://nobody@127.0.0.1:1/none?sslmode=disable" // never opened
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "pilar-region-" + o.name, Namespace: o.namespace},
		StringData: map[string]string{"uri": dsn},
	}
	if err := cl.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	set := o.writePolicy(t, cl)
	r.Status.SecretName = secret.Name
	r.Status.PolicyConfigMap = "pilar-policy-" + o.name
	r.Status.PolicyHash = set.Hash
	setReady(&r, o.ready)
	if err := cl.Status().Update(ctx, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// writePolicy renders the region's overrides into its ConfigMap, as the operator does.
func (o operatorDid) writePolicy(t *testing.T, cl client.Client) *policies.Set {
	t.Helper()
	set, err := policies.Render(o.overrides)
	if err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "pilar-policy-" + o.name, Namespace: o.namespace}}
	_, err = controllerutil.CreateOrUpdate(t.Context(), cl, cm, func() error {
		cm.Annotations = map[string]string{PolicyHashAnnotation: set.Hash}
		cm.Data = map[string]string{PolicyKey: set.Text()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func setReady(r *v1alpha1.Region, ready bool) {
	c := metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: "Provisioning", Message: "not yet", ObservedGeneration: r.Generation}
	if ready {
		c.Status, c.Reason, c.Message = metav1.ConditionTrue, "Ready", "served"
	}
	meta.SetStatusCondition(&r.Status.Conditions, c)
}

// watch runs a Watcher of the namespace until the test ends and returns its
// registry once the Regions present at start have been considered.
func watch(t *testing.T, namespace, region string) *Registry {
	t.Helper()
	reg := NewRegistry()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, err := NewWatcher(reg, WatchOptions{Config: cluster.Config, Namespace: namespace, Region: region, NIKKey: platformKey, MaxConns: 2, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		for _, tn := range reg.All() {
			tn.Close()
		}
	})
	syncCtx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	if err := w.Sync(syncCtx); err != nil {
		t.Fatal(err)
	}
	return reg
}

// eventually waits up to ten seconds for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func served(reg *Registry, name string) *Tenant {
	t, err := reg.Get(name)
	if err != nil {
		return nil
	}
	return t
}

// A Ready region is served with the operator's credentials, policy set and a
// NIK key of its own; a policy change replaces its tenant; not Ready or
// deleted, it is no longer served.
func TestWatcherServesReadyRegionsAndStopsServingDeletedOnes(t *testing.T) {
	cl := kubeClient(t)
	ns := newNamespace(t, cl)
	pending := operatorDid{name: "watch-pending", namespace: ns, ready: false}
	pending.create(t, cl)
	reg := watch(t, ns, "")
	if served(reg, pending.name) != nil {
		t.Fatal("a Region that is not Ready is served")
	}

	ready := operatorDid{name: "watch-ready", namespace: ns, ready: true, dsn: pg.NewDatabase(t)}
	r := ready.create(t, cl)
	eventually(t, "the Ready region is served", func() bool { return served(reg, ready.name) != nil })
	tn := served(reg, ready.name)
	_, release, err := tn.Acquire(t.Context())
	if err != nil {
		t.Fatalf("the served region's database: %v", err)
	}
	release()
	want, _ := authz.NewNIKHasher(RegionNIKKey(platformKey, "32.99"))
	if tn.NIK == nil || tn.NIK.Hash("3273010101010001") != want.Hash("3273010101010001") {
		t.Error("the region's NIK key is not HMAC-SHA256(platform key, region code)")
	}
	if tn.Policy.Hash != r.Status.PolicyHash {
		t.Errorf("served under policy %s, the operator rendered %s", tn.Policy.Hash, r.Status.PolicyHash)
	}

	// A new policy set: the ConfigMap first, then the status, as the operator writes them.
	ready.overrides = "allow university participation:read"
	set := ready.writePolicy(t, cl)
	time.Sleep(100 * time.Millisecond)
	if got := served(reg, ready.name); got != tn {
		t.Fatal("the tenant was replaced before the status named the new policy set")
	}
	if err := cl.Get(t.Context(), client.ObjectKeyFromObject(r), r); err != nil {
		t.Fatal(err)
	}
	r.Status.PolicyHash = set.Hash
	if err := cl.Status().Update(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the tenant is replaced under the new policy set", func() bool {
		got := served(reg, ready.name)
		return got != nil && got != tn && got.Policy.Hash == set.Hash
	})

	setReady(r, false)
	if err := cl.Status().Update(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a region no longer Ready is no longer served", func() bool { return served(reg, ready.name) == nil })
	setReady(r, true)
	if err := cl.Status().Update(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a region Ready again is served again", func() bool { return served(reg, ready.name) != nil })

	if err := cl.Delete(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a deleted region is no longer served", func() bool { return served(reg, ready.name) == nil })
	if _, err := reg.Get(ready.name); err == nil || !strings.Contains(err.Error(), "unknown region") {
		t.Errorf("a deleted region: %v, want ErrUnknownRegion", err)
	}
}

// The shared server passes over Dedicated regions; a dedicated server serves
// its own region only, whatever the others are.
func TestWatcherServesDedicatedRegionsOnlyWhereNamed(t *testing.T) {
	cl := kubeClient(t)
	ns := newNamespace(t, cl)
	shared := operatorDid{name: "watch-shared", namespace: ns, mode: v1alpha1.Shared, ready: true}
	dedicated := operatorDid{name: "watch-dedicated", namespace: ns, mode: v1alpha1.Dedicated, ready: true}
	shared.create(t, cl)
	dedicated.create(t, cl)

	all := watch(t, ns, "")
	if served(all, shared.name) == nil || served(all, dedicated.name) != nil {
		t.Errorf("the shared server serves %v, want %s only", slugs(all), shared.name)
	}
	own := watch(t, ns, dedicated.name)
	if served(own, dedicated.name) == nil || served(own, shared.name) != nil {
		t.Errorf("the dedicated server of %s serves %v", dedicated.name, slugs(own))
	}
}

func slugs(reg *Registry) []string {
	var out []string
	for _, t := range reg.All() {
		out = append(out, t.Region.Slug)
	}
	return out
}

// Equal texts give one shared set, different texts their own, and a text
// that is not a set an error.
func TestPolicySetsShared(t *testing.T) {
	w := &Watcher{sets: map[[32]byte]*policies.Set{}}
	base, err := policies.Render("")
	if err != nil {
		t.Fatal(err)
	}
	bandung, err := policies.Render("allow forum-lpm participation:read")
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.policySet(base.Text())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := w.policySet(base.Text())
	c, _ := w.policySet(bandung.Text())
	if a != b || a == c || a.Hash != base.Hash || c.Hash != bandung.Hash {
		t.Errorf("sets %p %p %p", a, b, c)
	}
	if _, err := w.policySet("p, nobody, nothing, allow"); err == nil {
		t.Error("a broken set was parsed")
	}
	if len(w.sets) != 2 {
		t.Errorf("%d sets kept", len(w.sets))
	}
}

func TestSecretDSN(t *testing.T) {
	tests := []struct {
		data    map[string]string
		want    string
		wantErr string
	}{
		{map[string]string{"uri": "postgres://a:b@h:5432/d", "host": "ignored"}, "postgres://a:b@h:5432/d", ""},
		{map[string]string{"username": "pilar_bandung", "password": "p@ss/word", "host": "pg.pilar-system", "port": "5432", "database": "pilar_bandung", "sslmode": "require"},
			"postgres://pilar_bandung:p%40ss%2Fword@pg.pilar-system:5432/pilar_bandung?sslmode=require", ""},
		{map[string]string{"username": "u", "password": "p", "host": "h", "port": "x", "database": "d"}, "", "port"},
		{map[string]string{"username": "u"}, "", "password"},
	}
	for _, tt := range tests {
		data := map[string][]byte{}
		for k, v := range tt.data {
			data[k] = []byte(v)
		}
		got, err := secretDSN(data)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want one naming %s", tt.data, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: %q %v, want %q", tt.data, got, err, tt.want)
		}
	}
}

// A server starting beside 50 Ready regions serves them all before it
// listens, in well under the time a probe allows.
func TestWatcherSyncsFiftyRegionsAtStart(t *testing.T) {
	cl := kubeClient(t)
	ns := newNamespace(t, cl)
	const n = 50
	for i := range n {
		operatorDid{name: fmt.Sprintf("watch-many-%02d", i), namespace: ns, ready: true}.create(t, cl)
	}
	start := time.Now()
	reg := watch(t, ns, "")
	took := time.Since(start)
	served := 0
	for i := range n {
		if _, err := reg.Get(fmt.Sprintf("watch-many-%02d", i)); err == nil {
			served++
		}
	}
	if served != n {
		t.Fatalf("%d of %d Ready regions served after Sync", served, n)
	}
	// Served under the same text, they share one parsed policy set.
	first, _ := reg.Get("watch-many-00")
	for i := range n {
		if tn, _ := reg.Get(fmt.Sprintf("watch-many-%02d", i)); tn.Policy != first.Policy {
			t.Fatalf("watch-many-%02d has a policy set of its own", i)
		}
	}
	t.Logf("%d regions served %s after the watcher started", n, took.Round(time.Millisecond))
	if took > 30*time.Second {
		t.Errorf("serving %d regions took %s", n, took)
	}
}
