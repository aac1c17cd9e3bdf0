package controller

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"pilar.id/pilar/operator/api/v1alpha1"
)

// The operator's own metrics, served with controller-runtime's on the
// manager's metrics endpoint.
var (
	regionsByCondition = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pilar_regions",
		Help: "Regions reconciled by this operator, by condition type and status (Unknown: not reported yet).",
	}, []string{"condition", "status"})
	reconcileDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "pilar_region_reconcile_duration_seconds",
		Help:    "Time one reconcile of a Region takes, by result: success, requeue (a refusal looked at later) or error.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120},
	}, []string{"result"})
)

func init() {
	metrics.Registry.MustRegister(regionsByCondition, reconcileDuration)
}

var conditionTypes = []string{
	v1alpha1.ConditionDatabaseReady, v1alpha1.ConditionPolicyReady, v1alpha1.ConditionServingReady,
	v1alpha1.ConditionPrerequisitesMet, v1alpha1.ConditionReady,
}

// observe records a reconcile's duration and recounts the regions by
// condition from the cache (no request to the API server).
func (r *RegionReconciler) observe(ctx context.Context, d time.Duration, res ctrl.Result, err error) {
	result := "success"
	switch {
	case err != nil:
		result = "error"
	case res.RequeueAfter > 0:
		result = "requeue"
	}
	reconcileDuration.WithLabelValues(result).Observe(d.Seconds())

	var list v1alpha1.RegionList
	if err := r.Client.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return
	}
	type key struct{ typ, status string }
	counts := map[key]float64{}
	for i := range list.Items {
		region := &list.Items[i]
		if !r.selects(region) {
			continue
		}
		for _, typ := range conditionTypes {
			status := string(metav1.ConditionUnknown)
			if c := meta.FindStatusCondition(region.Status.Conditions, typ); c != nil {
				status = string(c.Status)
			}
			counts[key{typ, status}]++
		}
	}
	// Every combination is set, zeros included, so that a scrape never sees
	// a series vanish and come back.
	for _, typ := range conditionTypes {
		for _, s := range []metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown} {
			regionsByCondition.WithLabelValues(typ, string(s)).Set(counts[key{typ, string(s)}])
		}
	}
}
