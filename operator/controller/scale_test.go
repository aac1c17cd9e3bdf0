package controller

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"pilar.id/pilar/operator/api/v1alpha1"
)

// TestScale onboards a batch of regions at once, then restarts the operator,
// which resyncs every one of them, and checks that the resync writes nothing.
// It runs 5 regions by default; for the scale check in the issue:
//
//	PILAR_SCALE_REGIONS=50 go test ./operator/controller -run TestScale -v
//
// PILAR_SCALE_LOG=1 lists every write of the onboarding.
func TestScale(t *testing.T) {
	n := 5
	if v := os.Getenv("PILAR_SCALE_REGIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("PILAR_SCALE_REGIONS=%q: want a positive number", v)
		}
	}
	e := newEnv(t)
	ctx := context.Background()

	start := time.Now()
	for i := range n {
		e.create(e.region("sumedang", fmt.Sprintf("s%03d", i)))
	}
	ready := func() (int, string) {
		var list v1alpha1.RegionList
		if err := k8s.List(ctx, &list, client.MatchingLabels{"pilar.id/test": e.id}); err != nil {
			t.Fatal(err)
		}
		count := 0
		for _, r := range list.Items {
			if meta.IsStatusConditionTrue(r.Status.Conditions, v1alpha1.ConditionReady) {
				count++
			}
		}
		return count, fmt.Sprintf("%d/%d Ready", count, n)
	}
	e.eventually(fmt.Sprintf("%d regions Ready", n), func() (bool, string) { c, s := ready(); return c == n, s })
	onboard := time.Since(start)
	writesOnboard, onboardLog := e.writes.Writes()
	if os.Getenv("PILAR_SCALE_LOG") != "" {
		for _, w := range onboardLog {
			t.Log(w)
		}
	}
	sqlOnboard := e.sql.Writes()
	e.quiet()

	// The metrics see them (this test does not run in parallel, so no other
	// test's operator sets the gauge meanwhile).
	if got := gauge(t, v1alpha1.ConditionReady, "True"); got != float64(n) {
		t.Errorf("pilar_regions{condition=Ready,status=True} = %v, want %d", got, n)
	}
	if got := gauge(t, v1alpha1.ConditionDatabaseReady, "False"); got != 0 {
		t.Errorf("pilar_regions{condition=DatabaseReady,status=False} = %v, want 0", got)
	}
	var h dto.Metric
	if err := reconcileDuration.WithLabelValues("success").(prometheus.Histogram).Write(&h); err != nil || h.GetHistogram().GetSampleCount() < uint64(n) {
		t.Errorf("pilar_region_reconcile_duration_seconds{result=success} counted %d reconciles (%v)", h.GetHistogram().GetSampleCount(), err)
	}

	// A restarted operator lists every Region and reconciles each once.
	e.stopOperator()
	before, sqlBefore := e.reconciles.Load(), e.sql.Writes()
	start = time.Now()
	e.start()
	e.eventually(fmt.Sprintf("%d reconciles after the restart", n), func() (bool, string) {
		done := e.reconciles.Load() - before
		return done >= int64(n), fmt.Sprintf("%d done", done)
	})
	resync := time.Since(start)
	e.quiet()

	writes, log := e.writes.Writes()
	t.Logf("onboarded %d regions in %v (%v a region; %d Kubernetes writes, %d writing SQL statements incl. migration runs)",
		n, onboard.Round(time.Millisecond), (onboard / time.Duration(n)).Round(time.Millisecond), writesOnboard, sqlOnboard)
	t.Logf("resync of %d Ready regions by a restarted operator: %v, %d reconciles, %d Kubernetes writes, %d writing SQL statements, %d events",
		n, resync.Round(time.Millisecond), e.reconciles.Load()-before, writes, e.sql.Writes()-sqlBefore, e.events.Count())
	if writes != 0 {
		t.Errorf("the resync wrote to the Kubernetes API: %v", log)
	}
	if w := e.sql.Writes() - sqlBefore; w != 0 {
		t.Errorf("the resync issued %d writing SQL statements", w)
	}
	if ev := e.events.Count(); ev != 0 {
		t.Errorf("the resync recorded %d events", ev)
	}
	if c, s := ready(); c != n {
		t.Errorf("after the resync: %s", s)
	}
	if e.errors.Load() != 0 {
		t.Errorf("%d reconciles failed", e.errors.Load())
	}
}

func gauge(t *testing.T, condition, status string) float64 {
	t.Helper()
	var m dto.Metric
	if err := regionsByCondition.WithLabelValues(condition, status).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}
