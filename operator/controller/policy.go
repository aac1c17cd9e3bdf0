package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/resources"
	"pilar.id/pilar/policies"
)

// reconcilePolicy renders the national baseline plus the region's overrides
// into the region's ConfigMap. Overrides that exceed the national guardrails
// are refused with the offending lines in PolicyReady's message, and the
// ConfigMap keeps the last set that passed: a typo in an override never
// takes permissions away from a running region, nor grants any.
func (r *RegionReconciler) reconcilePolicy(ctx context.Context, rc *reconciliation) {
	const cond = v1alpha1.ConditionPolicyReady
	region := rc.region
	set, err := policies.Render(region.Spec.Policy.Overrides)
	if err != nil {
		// Only a change of the spec can fix it, and that is watched.
		rc.set(cond, false, ReasonOverrideRefused, "spec.policy.overrides refused, the previous policy set stays in force: %v", err)
		return
	}
	want := resources.PolicyConfigMap(region, r.Namespace, set)
	var have corev1.ConfigMap
	err = r.Client.Get(ctx, client.ObjectKeyFromObject(want), &have)
	switch {
	case apierrors.IsNotFound(err):
		if err := r.Client.Create(ctx, want); err != nil {
			rc.fail(cond, ReasonPolicyFailed, fmt.Errorf("unable to create ConfigMap %s/%s: %w", want.Namespace, want.Name, err))
			return
		}
	case err != nil:
		rc.fail(cond, ReasonPolicyFailed, fmt.Errorf("unable to read ConfigMap %s/%s: %w", want.Namespace, want.Name, err))
		return
	case !metav1.IsControlledBy(&have, region):
		rc.refuse(cond, ReasonConfigMapNotControlled, "ConfigMap %s/%s exists and is not controlled by this Region; it is never overwritten",
			want.Namespace, want.Name)
		return
	case have.Data[resources.KeyPolicy] != want.Data[resources.KeyPolicy] || len(have.Data) != len(want.Data) ||
		have.Annotations[resources.AnnotationPolicyHash] != set.Hash || !hasLabels(&have, want.Labels):
		updated := have.DeepCopy()
		updated.Data = want.Data
		if updated.Annotations == nil {
			updated.Annotations = map[string]string{}
		}
		updated.Annotations[resources.AnnotationPolicyHash] = set.Hash
		updated.Labels = mergeLabels(updated.Labels, want.Labels)
		if err := r.Client.Update(ctx, updated); err != nil {
			rc.fail(cond, ReasonPolicyFailed, fmt.Errorf("unable to update ConfigMap %s/%s: %w", want.Namespace, want.Name, err))
			return
		}
	}
	if rc.status.PolicyHash != set.Hash && rc.status.PolicyHash != "" {
		r.event(region, corev1.EventTypeNormal, "PolicyChanged", "Render", "policy set %s replaces %s", short(set.Hash), short(rc.status.PolicyHash))
	}
	rc.status.PolicyConfigMap, rc.status.PolicyHash = want.Name, set.Hash
	rc.set(cond, true, ReasonRendered, "%d rules (%d overrides) in ConfigMap %s, hash %s",
		len(set.Rules), len(set.Overrides()), want.Name, short(set.Hash))
}

func short(hash string) string { return hash[:min(len(hash), 12)] }
