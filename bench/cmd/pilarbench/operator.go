package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"pilar.id/pilar/bench/report"
	"pilar.id/pilar/internal/operatorrun"
	"pilar.id/pilar/internal/testpg"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/controller"
	"pilar.id/pilar/operator/postgres"
)

const (
	namespace   = "pilar-system"
	adminSecret = "pilar-postgres-admin"
	batchLabel  = "pilar.id/bench-batch"
	writeLog    = 20 // the writes of a resync the report lists
)

// prepareCluster makes the operator's namespace and the Secret of the
// PostgreSQL server's admin credentials, as an installation does.
func prepareCluster(ctx context.Context, c client.Client, pg *testpg.Server) error {
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
	*operatorrun.Manager
	sql  *postgres.Counter
	base counts // controller-runtime's reconcile counters when started
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
	o := &operator{sql: new(postgres.Counter)}
	mgr, err := operatorrun.Start(cfg, scheme, namespace, writeLog, func(mgr *operatorrun.Manager) error {
		r := &controller.RegionReconciler{
			Client: mgr.Writes, APIReader: mgr.GetAPIReader(), Events: mgr.Events, SQL: o.sql,
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
			return err
		}
		o.base, _ = reconcileCounts()
		return nil
	})
	if err != nil {
		return nil, err
	}
	o.Manager = mgr
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
			op.Stop()
			return out, fmt.Errorf("creating Region %s: %w", r.Name, err)
		}
	}
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for {
		n, err := countReady(ctx, admin, batch)
		if err != nil {
			op.Stop()
			return out, err
		}
		if n == len(regions) {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			op.Stop()
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
	out.KubeWrites, _ = op.Writes.Writes()
	out.SQLWrites = op.sql.Writes()
	out.Reconciles, out.Failures = op.reconciles()
	if err := op.Stop(); err != nil {
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
			op.Stop()
			return out, fmt.Errorf("the restarted operator reconciled %d of %d regions in %v", done, len(regions), timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	out.Resync.Seconds = time.Since(start).Seconds()
	op.quiet(ctx, 1500*time.Millisecond)
	out.Resync.Reconciles, _ = op.reconciles()
	out.Resync.KubeWrites, out.Resync.KubeWriteLog = op.Writes.Writes()
	out.Resync.SQLWrites = op.sql.Writes()
	out.Resync.SQLReads = op.sql.Reads()
	out.Resync.Events = op.Events.Count()
	if err := op.Stop(); err != nil {
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
