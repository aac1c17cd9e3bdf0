package controller

import (
	"context"
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/resources"
)

// reconcileServing makes the region servable. Shared: the shared API server
// picks the region up once it is Ready (it watches Regions and reads their
// Secret and ConfigMap), so serving is ready as soon as the database and the
// policy are. Dedicated: a Deployment and a Service for this region alone,
// ready once the Deployment has all its replicas available.
func (r *RegionReconciler) reconcileServing(ctx context.Context, rc *reconciliation) {
	const cond = v1alpha1.ConditionServingReady
	region := rc.region
	dedicated := region.Spec.Serving.Mode == v1alpha1.Dedicated
	if !dedicated {
		// A region moved back from Dedicated leaves its API server behind.
		if err := r.removeDedicated(ctx, region); err != nil {
			rc.fail(cond, ReasonServingFailed, err)
			return
		}
	}
	switch {
	case rc.specErr != nil:
		rc.set(cond, false, ReasonInvalidSpec, "the API server cannot load this region (see %s)", v1alpha1.ConditionPrerequisitesMet)
		return
	case !rc.isTrue(v1alpha1.ConditionDatabaseReady) || !rc.isTrue(v1alpha1.ConditionPolicyReady):
		// A dedicated API server started now would only crash-loop.
		rc.set(cond, false, ReasonWaitingForDatabasePolicy, "serving starts once DatabaseReady and PolicyReady are True")
		return
	case !dedicated:
		rc.set(cond, true, ReasonSharedAPIServer, "served by the shared API server")
		return
	case r.APIServerImage == "":
		rc.set(cond, false, ReasonNoAPIServerImage, "the operator was started without --apiserver-image, so it cannot run a dedicated API server")
		return
	}

	opts := resources.ServingOptions{
		Image: r.APIServerImage, ServiceAccount: r.APIServerServiceAccount,
		NIKKeySecret: r.NIKKeySecret, NIKKeySecretKey: r.NIKKeySecretKey,
	}
	dep, refused, err := applyOwned(ctx, r, region, resources.Deployment(region, r.Namespace, opts),
		func(have, want *appsv1.Deployment) bool {
			return equality.Semantic.DeepDerivative(want.Spec, have.Spec)
		},
		func(have, want *appsv1.Deployment) { have.Spec = want.Spec })
	if err == nil && !refused {
		_, refused, err = applyOwned(ctx, r, region, resources.Service(region, r.Namespace),
			func(have, want *corev1.Service) bool { return equality.Semantic.DeepDerivative(want.Spec, have.Spec) },
			func(have, want *corev1.Service) {
				// The cluster IP the API server assigned stays.
				have.Spec.Type, have.Spec.Selector, have.Spec.Ports = want.Spec.Type, want.Spec.Selector, want.Spec.Ports
			})
	}
	switch {
	case err != nil:
		rc.fail(cond, ReasonServingFailed, err)
		return
	case refused:
		rc.refuse(cond, ReasonServingNotControlled, "a Deployment or Service named %s exists in %s and is not controlled by this Region; it is never overwritten",
			resources.DedicatedName(region.Name), r.Namespace)
		return
	}
	want := int32(1)
	if dep.Spec.Replicas != nil {
		want = *dep.Spec.Replicas
	}
	available := dep.Status.AvailableReplicas
	if dep.Status.ObservedGeneration >= dep.Generation && available >= want {
		rc.set(cond, true, ReasonDeploymentAvailable, "Deployment %s has %d/%d replicas available", dep.Name, available, want)
		return
	}
	// The Deployment's status changes are watched: no retry needed.
	rc.set(cond, false, ReasonDeploymentNotAvailable, "Deployment %s has %d/%d replicas available", dep.Name, available, want)
}

// applyOwned creates want, or updates the object of its name when the region
// controls it and same says it differs from want (update copies want's part
// into it). It returns the object as stored, or refused when an object of
// that name is not the region's.
func applyOwned[T client.Object](ctx context.Context, r *RegionReconciler, region *v1alpha1.Region, want T,
	same func(have, want T) bool, update func(have, want T)) (stored T, refused bool, err error) {
	have := want.DeepCopyObject().(T)
	kind := reflect.TypeOf(want).Elem().Name()
	err = r.Client.Get(ctx, client.ObjectKeyFromObject(want), have)
	switch {
	case apierrors.IsNotFound(err):
		if err := r.Client.Create(ctx, want); err != nil {
			return want, false, fmt.Errorf("unable to create %s %s/%s: %w", kind, want.GetNamespace(), want.GetName(), err)
		}
		return want, false, nil
	case err != nil:
		return want, false, fmt.Errorf("unable to read %s %s/%s: %w", kind, want.GetNamespace(), want.GetName(), err)
	case !metav1.IsControlledBy(have, region):
		return have, true, nil
	case same(have, want) && hasLabels(have, want.GetLabels()):
		return have, false, nil
	}
	update(have, want)
	have.SetLabels(mergeLabels(have.GetLabels(), want.GetLabels()))
	if err := r.Client.Update(ctx, have); err != nil {
		return have, false, fmt.Errorf("unable to update %s %s/%s: %w", kind, want.GetNamespace(), want.GetName(), err)
	}
	return have, false, nil
}

// removeDedicated deletes the region's dedicated Deployment and Service, if
// it has any.
func (r *RegionReconciler) removeDedicated(ctx context.Context, region *v1alpha1.Region) error {
	key := client.ObjectKey{Namespace: r.Namespace, Name: resources.DedicatedName(region.Name)}
	for _, obj := range []client.Object{&appsv1.Deployment{}, &corev1.Service{}} {
		kind := reflect.TypeOf(obj).Elem().Name()
		if err := r.Client.Get(ctx, key, obj); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return fmt.Errorf("unable to read %s %s: %w", kind, key, err)
		}
		if !metav1.IsControlledBy(obj, region) {
			continue // not ours to remove
		}
		if err := r.Client.Delete(ctx, obj); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("unable to delete %s %s: %w", kind, key, err)
		}
		r.event(region, corev1.EventTypeNormal, "DedicatedRemoved", "Serve", "%s %s removed: the region is served by the shared API server", kind, key)
	}
	return nil
}
