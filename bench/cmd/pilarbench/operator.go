package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"pilar.id/pilar/bench/pgserver"
	"pilar.id/pilar/bench/report"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/controller"
	"pilar.id/pilar/operator/postgres"
)

const (
	namespace   = "pilar-system"
	adminSecret = "pilar-postgres-admin"
	batchLabel  = "pilar.id/bench-batch"
)

func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// prepareCluster makes the operator's namespace and the Secret of the
// PostgreSQL server's admin credentials, as an installation does.
func prepareCluster(ctx context.Context, c client.Client, pg *pgserver.Server) error {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		return fmt.Errorf("namespace: %w", err)
	}
	return c.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: adminSecret, Namespace: namespace},
		StringData: map[string]string{"host": pg.Host(), "port": fmt.Sprint(pg.Port()), "username": pg.User(),
			"password": pg.Password(), "sslmode": "disable"},
	})
}

// operator is one run of the operator: a manager with the production
// reconciler, its writes to the API server and to PostgreSQL counted.
type operator struct {
	writes *countingClient
	events *countingRecorder
	sql    *postgres.Counter
	base   counts // controller-runtime's reconcile counters when started
	stop   func() error
}

// counts are reconciles of the "region" controller, by result.
type counts struct{ total, errors int64 }

// reconcileCounts reads controller-runtime's controller_runtime_reconcile_total
// for the region controller. Every manager of this process adds to it.
func reconcileCounts() (counts, error) {
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		return counts{}, err
	}
	var c counts
	for _, mf := range mfs {
		if mf.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var region bool
			var result string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "controller":
					region = l.GetValue() == "region"
				case "result":
					result = l.GetValue()
				}
			}
			if region {
				c.total += int64(m.GetCounter().GetValue())
				if result == "error" {
					c.errors += int64(m.GetCounter().GetValue())
				}
			}
		}
	}
	return c, nil
}

// reconciles returns the reconciles done, and failed, since the start.
func (o *operator) reconciles() (done, failed int64) {
	c, _ := reconcileCounts()
	return c.total - o.base.total, c.errors - o.base.errors
}

// startOperator runs the reconciler the operator's main runs, on the Regions
// labelled with the batch, as a (re)started operator would.
func startOperator(cfg *rest.Config, scheme *runtime.Scheme, batch string) (*operator, error) {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{namespace: {}}},
		Controller:             ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return nil, err
	}
	o := &operator{
		writes: &countingClient{Client: mgr.GetClient()},
		events: &countingRecorder{EventRecorder: mgr.GetEventRecorder("pilar-operator")},
		sql:    new(postgres.Counter),
	}
	r := &controller.RegionReconciler{
		Client: o.writes, APIReader: mgr.GetAPIReader(), Events: o.events, SQL: o.sql,
		Options: controller.Options{
			Namespace: namespace, DefaultServerSecret: adminSecret,
			APIServerServiceAccount: "pilar-apiserver", NIKKeySecret: "pilar-nik-key", NIKKeySecretKey: "key",
			Selector:                labels.SelectorFromSet(labels.Set{batchLabel: batch}),
			MaxConcurrentReconciles: 4, // the operator's default
		},
	}
	// The production wiring (watches, predicates, concurrency); reconciles
	// are counted by controller-runtime's own metric.
	if err := r.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	o.base, _ = reconcileCounts()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	o.stop = func() error { cancel(); return <-done }
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		o.stop()
		return nil, fmt.Errorf("the operator's cache did not sync")
	}
	return o, nil
}

// quiet waits until the operator has had nothing to do for a while.
func (o *operator) quiet(ctx context.Context, idle time.Duration) {
	last, _ := o.reconciles()
	since := time.Now()
	for time.Since(since) < idle && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		if n, _ := o.reconciles(); n != last {
			last, since = n, time.Now()
		}
	}
}

// onboard creates the Regions of a batch, runs an operator until every one
// is Ready, then restarts the operator and counts what its resync of the
// Ready regions writes.
func onboard(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, admin client.Client, batch string,
	regions []*v1alpha1.Region, timeout time.Duration, log func(string, ...any)) (report.Onboarding, error) {
	out := report.Onboarding{Regions: len(regions)}
	op, err := startOperator(cfg, scheme, batch)
	if err != nil {
		return out, err
	}
	start := time.Now()
	for _, r := range regions {
		if err := admin.Create(ctx, r); err != nil {
			op.stop()
			return out, fmt.Errorf("creating Region %s: %w", r.Name, err)
		}
	}
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for {
		n, err := countReady(ctx, admin, batch)
		if err != nil {
			op.stop()
			return out, err
		}
		if n == len(regions) {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			op.stop()
			_, failed := op.reconciles()
			return out, fmt.Errorf("%d of %d regions Ready after %v (%d reconciles failed)", n, len(regions), timeout, failed)
		}
		if time.Since(lastLog) > 15*time.Second {
			log("  %d/%d Ready after %v", n, len(regions), time.Since(start).Round(time.Second))
			lastLog = time.Now()
		}
		time.Sleep(200 * time.Millisecond)
	}
	out.Seconds = time.Since(start).Seconds()
	out.PerRegionMs = out.Seconds * 1000 / float64(len(regions))
	op.quiet(ctx, 1500*time.Millisecond)
	out.KubeWrites = op.writes.n.Load()
	out.SQLWrites = op.sql.Writes()
	out.Reconciles, out.Failures = op.reconciles()
	if err := op.stop(); err != nil {
		return out, fmt.Errorf("the operator stopped with %w", err)
	}

	// A restarted operator lists every Region and reconciles each once.
	op, err = startOperator(cfg, scheme, batch)
	if err != nil {
		return out, err
	}
	start = time.Now()
	deadline = time.Now().Add(timeout)
	for done, _ := op.reconciles(); done < int64(len(regions)); done, _ = op.reconciles() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			op.stop()
			return out, fmt.Errorf("the restarted operator reconciled %d of %d regions in %v", done, len(regions), timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	out.Resync.Seconds = time.Since(start).Seconds()
	op.quiet(ctx, 1500*time.Millisecond)
	out.Resync.Reconciles, _ = op.reconciles()
	out.Resync.KubeWrites = op.writes.n.Load()
	out.Resync.KubeWriteLog = op.writes.log()
	out.Resync.SQLWrites = op.sql.Writes()
	out.Resync.SQLReads = op.sql.Reads()
	out.Resync.Events = op.events.n.Load()
	if err := op.stop(); err != nil {
		return out, fmt.Errorf("the restarted operator stopped with %w", err)
	}
	if n, err := countReady(ctx, admin, batch); err != nil || n != len(regions) {
		return out, fmt.Errorf("after the resync %d of %d regions are Ready (%v)", n, len(regions), err)
	}
	return out, nil
}

func countReady(ctx context.Context, c client.Client, batch string) (int, error) {
	var list v1alpha1.RegionList
	if err := c.List(ctx, &list, client.MatchingLabels{batchLabel: batch}); err != nil {
		return 0, fmt.Errorf("listing Regions: %w", err)
	}
	n := 0
	for _, r := range list.Items {
		if meta.IsStatusConditionTrue(r.Status.Conditions, v1alpha1.ConditionReady) && r.Status.ObservedGeneration == r.Generation {
			n++
		}
	}
	return n, nil
}

// countingClient counts every write the operator sends to the API server.
type countingClient struct {
	client.Client
	n       atomic.Int64
	entries atomic.Pointer[[]string]
}

func (c *countingClient) count(verb string, obj client.Object) {
	c.n.Add(1)
	for {
		old := c.entries.Load()
		var next []string
		if old != nil {
			next = append(next, (*old)...)
		}
		if len(next) >= 20 {
			return
		}
		next = append(next, fmt.Sprintf("%s %T %s/%s", verb, obj, obj.GetNamespace(), obj.GetName()))
		if c.entries.CompareAndSwap(old, &next) {
			return
		}
	}
}

// log returns the first writes counted.
func (c *countingClient) log() []string {
	if p := c.entries.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *countingClient) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	c.count("create", obj)
	return c.Client.Create(ctx, obj, opts...)
}

func (c *countingClient) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	c.count("update", obj)
	return c.Client.Update(ctx, obj, opts...)
}

func (c *countingClient) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	c.count("patch", obj)
	return c.Client.Patch(ctx, obj, patch, opts...)
}

func (c *countingClient) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	c.count("delete", obj)
	return c.Client.Delete(ctx, obj, opts...)
}

func (c *countingClient) DeleteAllOf(ctx context.Context, obj client.Object, opts ...client.DeleteAllOfOption) error {
	c.count("deleteAllOf", obj)
	return c.Client.DeleteAllOf(ctx, obj, opts...)
}

func (c *countingClient) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
	c.n.Add(1)
	return c.Client.Apply(ctx, obj, opts...)
}

func (c *countingClient) Status() client.SubResourceWriter {
	return &countingSubWriter{SubResourceWriter: c.Client.Status(), c: c, what: "status"}
}

func (c *countingClient) SubResource(name string) client.SubResourceClient {
	return &countingSubClient{SubResourceClient: c.Client.SubResource(name), c: c, what: name}
}

type countingSubWriter struct {
	client.SubResourceWriter
	c    *countingClient
	what string
}

func (s *countingSubWriter) Create(ctx context.Context, obj, sub client.Object, opts ...client.SubResourceCreateOption) error {
	s.c.count("create "+s.what, obj)
	return s.SubResourceWriter.Create(ctx, obj, sub, opts...)
}

func (s *countingSubWriter) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	s.c.count("update "+s.what, obj)
	return s.SubResourceWriter.Update(ctx, obj, opts...)
}

func (s *countingSubWriter) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.c.count("patch "+s.what, obj)
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

func (s *countingSubWriter) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.SubResourceApplyOption) error {
	s.c.n.Add(1)
	return s.SubResourceWriter.Apply(ctx, obj, opts...)
}

type countingSubClient struct {
	client.SubResourceClient
	c    *countingClient
	what string
}

func (s *countingSubClient) Create(ctx context.Context, obj, sub client.Object, opts ...client.SubResourceCreateOption) error {
	s.c.count("create "+s.what, obj)
	return s.SubResourceClient.Create(ctx, obj, sub, opts...)
}

func (s *countingSubClient) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	s.c.count("update "+s.what, obj)
	return s.SubResourceClient.Update(ctx, obj, opts...)
}

func (s *countingSubClient) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.c.count("patch "+s.what, obj)
	return s.SubResourceClient.Patch(ctx, obj, patch, opts...)
}

// countingRecorder counts events: each is a write to the API server too.
type countingRecorder struct {
	events.EventRecorder
	n atomic.Int64
}

func (r *countingRecorder) Eventf(regarding, related runtime.Object, typ, reason, action, note string, args ...any) {
	r.n.Add(1)
	r.EventRecorder.Eventf(regarding, related, typ, reason, action, note, args...)
}
