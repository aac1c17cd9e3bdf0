package controller

// The tests run the reconciler against a real API server (envtest, with the
// generated CRD) and a real PostgreSQL server (internal/testpg), both started
// once for the whole package.
//
// Each test gets an environment of its own: a namespace that stands for the
// operator's namespace (with the PostgreSQL admin Secret in it), and a
// manager of its own reconciling only the Regions labelled for that test (the
// reconciler's Selector). Regions are cluster-scoped, so without the selector
// every manager would reconcile every test's Regions; with it, tests are
// independent, can run in parallel, can stop and start "the operator" at
// will, and can count every write their operator makes.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/jackc/pgx/v5"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"pilar.id/pilar/internal/operatorrun"
	"pilar.id/pilar/internal/testcluster"
	"pilar.id/pilar/internal/testpg"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/postgres"
	"pilar.id/pilar/operator/resources"
)

var (
	cluster *testcluster.Cluster
	pg      *testpg.Server
	scheme  *runtime.Scheme
	// k8s is the test's own admin client: what it does is not counted.
	k8s client.Client
)

const adminSecret = "pilar-postgres-admin"

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = max(code, 1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	scheme = v1alpha1.NewScheme()
	var err error
	if cluster, err = testcluster.Start(); err != nil {
		return 1, err
	}
	defer cluster.Stop()
	if pg, err = testpg.Start(); err != nil {
		return 1, err
	}
	defer pg.Stop()
	if k8s, err = client.New(cluster.Config, client.Options{Scheme: scheme}); err != nil {
		return 1, err
	}
	ctrl.SetLogger(testLogger())
	return m.Run(), nil
}

// env is one test's operator: its namespace, its manager, and counters of
// everything the operator writes.
type env struct {
	t         *testing.T
	id        string // value of the pilar.id/test label selecting the test's Regions
	namespace string

	writes     *operatorrun.Client
	events     *operatorrun.Recorder
	sql        *postgres.Counter
	reconciles atomic.Int64
	errors     atomic.Int64

	r    *RegionReconciler
	stop func()
}

var envSeq atomic.Int64

// newEnv makes a namespace with the admin Secret of the test PostgreSQL
// server and starts an operator for the test; it is stopped at cleanup.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, sql: new(postgres.Counter)}
	e.id = fmt.Sprintf("%s-%d", slug(t.Name(), 20), envSeq.Add(1))
	e.namespace = "op-" + e.id
	ctx := context.Background()
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.namespace}}); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: adminSecret, Namespace: e.namespace},
		StringData: map[string]string{
			"host": pg.Host(), "port": fmt.Sprint(pg.Port()), "username": pg.User(), "password": pg.Password(),
		},
	}); err != nil {
		t.Fatal(err)
	}
	e.start()
	t.Cleanup(func() { e.stopOperator() })
	return e
}

// start runs a new manager for the test, as a restarted operator would be.
func (e *env) start() {
	e.t.Helper()
	e.startAs(cluster.Config)
}

// startAs runs a new manager that talks to the API server with cfg.
func (e *env) startAs(cfg *rest.Config) {
	e.t.Helper()
	mgr, err := operatorrun.Start(cfg, scheme, e.namespace, 0, func(mgr *operatorrun.Manager) error {
		e.writes, e.events = mgr.Writes, mgr.Events
		e.r = &RegionReconciler{
			Client: e.writes, APIReader: mgr.GetAPIReader(), Events: e.events, SQL: e.sql,
			Options: Options{
				Namespace: e.namespace, DefaultServerSecret: adminSecret,
				APIServerImage: "ghcr.io/pilar-id/apiserver:test", APIServerServiceAccount: "pilar-apiserver",
				NIKKeySecret: "pilar-nik-key", NIKKeySecretKey: "key",
				Selector:                labels.SelectorFromSet(labels.Set{"pilar.id/test": e.id}),
				MaxConcurrentReconciles: 4,
			},
		}
		counted := reconcile.Func(func(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
			res, err := e.r.Reconcile(ctx, req)
			e.reconciles.Add(1)
			if err != nil && ctx.Err() == nil {
				e.errors.Add(1)
				e.t.Logf("reconcile %s: %v", req.Name, err)
			}
			return res, err
		})
		return e.r.setupWithManager(mgr, counted)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.stop = func() {
		if err := mgr.Stop(); err != nil {
			e.t.Errorf("manager: %v", err)
		}
	}
}

func (e *env) stopOperator() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
}

// slug turns a test name into a short DNS label fragment.
func slug(s string, n int) string {
	s = strings.ToLower(regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(s, "-"))
	s = strings.Trim(s[:min(len(s), n)], "-")
	return s
}

// region reads a demo manifest from tenants/, names it, labels it for the
// test's operator and lets mutate change it before it is returned (not
// created).
func (e *env) region(manifest, name string, mutate ...func(*v1alpha1.Region)) *v1alpha1.Region {
	e.t.Helper()
	r, err := v1alpha1.ReadManifest("../../tenants/" + manifest + ".yaml")
	if err != nil {
		e.t.Fatal(err)
	}
	r.Name = name + "-" + e.id
	r.Labels = map[string]string{"pilar.id/test": e.id}
	for _, m := range mutate {
		m(r)
	}
	return r
}

func (e *env) create(r *v1alpha1.Region) *v1alpha1.Region {
	e.t.Helper()
	if err := k8s.Create(context.Background(), r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// ready creates a Region and waits until the operator reports it Ready; it
// returns the Region as created and as it stands then.
func (e *env) ready(r *v1alpha1.Region) (created, ready *v1alpha1.Region) {
	e.t.Helper()
	e.create(r)
	return r, e.waitReady(r.Name)
}

// update changes a Region's spec through the test's admin client, retrying
// on conflicts with the operator's writes.
func (e *env) update(name string, mutate func(*v1alpha1.Region)) *v1alpha1.Region {
	e.t.Helper()
	for {
		r := e.get(name)
		mutate(r)
		err := k8s.Update(context.Background(), r)
		if apierrors.IsConflict(err) {
			continue
		}
		if err != nil {
			e.t.Fatal(err)
		}
		return r
	}
}

func (e *env) get(name string) *v1alpha1.Region {
	e.t.Helper()
	return mustGet[v1alpha1.Region](e.t, client.ObjectKey{Name: name})
}

// mustGet reads an object with the test's admin client; an error fails the
// test.
func mustGet[T any, P interface {
	*T
	client.Object
}](t *testing.T, key client.ObjectKey) P {
	t.Helper()
	obj := P(new(T))
	if err := k8s.Get(context.Background(), key, obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// key names an object of the test's namespace.
func (e *env) key(name string) client.ObjectKey {
	return client.ObjectKey{Namespace: e.namespace, Name: name}
}

const waitTimeout = 90 * time.Second

// eventually polls until cond holds, failing the test with what after the
// timeout.
func (e *env) eventually(what string, cond func() (bool, string)) {
	e.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatalf("timed out waiting for %s; last seen: %s", what, last)
}

// waitCondition waits until the Region's condition has the status (for its
// current generation) and returns the Region.
func (e *env) waitCondition(name, typ string, status metav1.ConditionStatus) *v1alpha1.Region {
	e.t.Helper()
	var r *v1alpha1.Region
	e.eventually(fmt.Sprintf("%s %s=%s", name, typ, status), func() (bool, string) {
		r = e.get(name)
		c := meta.FindStatusCondition(r.Status.Conditions, typ)
		return c != nil && c.Status == status && c.ObservedGeneration == r.Generation &&
			r.Status.ObservedGeneration == r.Generation, conditions(r)
	})
	return r
}

func (e *env) waitReady(name string) *v1alpha1.Region {
	e.t.Helper()
	return e.waitCondition(name, v1alpha1.ConditionReady, metav1.ConditionTrue)
}

// delete deletes a Region and waits until the operator has let it go.
func (e *env) delete(r *v1alpha1.Region) {
	e.t.Helper()
	if err := k8s.Delete(context.Background(), r); err != nil {
		e.t.Fatal(err)
	}
	e.waitGone(r.Name)
}

func (e *env) waitGone(name string) {
	e.t.Helper()
	e.eventually(name+" gone", func() (bool, string) {
		var r v1alpha1.Region
		err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, &r)
		return apierrors.IsNotFound(err), fmt.Sprintf("err=%v finalizers=%v %s", err, r.Finalizers, conditions(&r))
	})
}

// quiet waits until the operator has had nothing to do for a while, so that
// counters read afterwards only see what the test does next.
func (e *env) quiet() {
	e.t.Helper()
	last, since := e.reconciles.Load(), time.Now()
	for time.Since(since) < 1500*time.Millisecond {
		time.Sleep(100 * time.Millisecond)
		if n := e.reconciles.Load(); n != last {
			last, since = n, time.Now()
		}
	}
}

func conditions(r *v1alpha1.Region) string {
	var parts []string
	for _, c := range r.Status.Conditions {
		parts = append(parts, fmt.Sprintf("%s=%s(%s: %s)", c.Type, c.Status, c.Reason, c.Message))
	}
	return strings.Join(parts, "; ")
}

func condition(r *v1alpha1.Region, typ string) metav1.Condition {
	if c := meta.FindStatusCondition(r.Status.Conditions, typ); c != nil {
		return *c
	}
	return metav1.Condition{}
}

func (e *env) secret(region string) (*corev1.Secret, error) {
	var s corev1.Secret
	err := k8s.Get(context.Background(), e.key(resources.SecretName(region)), &s)
	return &s, err
}

func (e *env) mustSecret(region string) *corev1.Secret {
	e.t.Helper()
	s, err := e.secret(region)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) configMap(region string) *corev1.ConfigMap {
	e.t.Helper()
	return mustGet[corev1.ConfigMap](e.t, e.key(resources.PolicyConfigMapName(region)))
}

// login connects with a credentials URI; nil means it worked.
func login(uri string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx)
}

// isOwnedBy reports whether obj has a controller owner reference to the Region.
func isOwnedBy(obj metav1.Object, r *v1alpha1.Region) bool {
	for _, o := range obj.GetOwnerReferences() {
		if o.UID == r.UID && o.Kind == "Region" && o.APIVersion == v1alpha1.GroupVersion.String() && ptr.Deref(o.Controller, false) {
			return true
		}
	}
	return false
}

// collectGarbage does what the garbage collector, which envtest lacks, does
// once a Region is gone: it deletes the objects the Region owned.
func (e *env) collectGarbage(owner *v1alpha1.Region) {
	e.t.Helper()
	ctx := context.Background()
	lists := []client.ObjectList{&corev1.SecretList{}, &corev1.ConfigMapList{}, &appsv1.DeploymentList{}, &corev1.ServiceList{}}
	for _, list := range lists {
		if err := k8s.List(ctx, list, client.InNamespace(e.namespace)); err != nil {
			e.t.Fatal(err)
		}
		if err := meta.EachListItem(list, func(o runtime.Object) error {
			obj := o.(client.Object)
			if refs := obj.GetOwnerReferences(); len(refs) == 1 && refs[0].UID == owner.UID {
				return client.IgnoreNotFound(k8s.Delete(ctx, obj))
			}
			return nil
		}); err != nil {
			e.t.Fatal(err)
		}
	}
}

var errStop = errors.New("the operator stopped here")

// testLogger discards the managers' logs unless PILAR_TEST_LOG is set.
func testLogger() logr.Logger {
	if os.Getenv("PILAR_TEST_LOG") == "" {
		return logr.Discard()
	}
	return logr.FromSlogHandler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
