package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/postgres"
)

// finalize carries out the reclaim policy of a Region being deleted, then
// removes the finalizer. Retain keeps the database, the role with its login
// disabled, and the credentials Secret, freed of its owner reference so that
// the garbage collector leaves the only copy of the password alone. Delete
// ends the database's sessions, drops the database, then the role; the
// Secret and the other owned objects go with the Region.
//
// A failure keeps the finalizer and says why in DatabaseReady and an event,
// so that a Region stuck in deletion always explains itself.
func (r *RegionReconciler) finalize(ctx context.Context, region *v1alpha1.Region) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(region, Finalizer) {
		return ctrl.Result{}, nil
	}
	policy := region.Spec.Database.ReclaimPolicy
	if policy == "" {
		policy = v1alpha1.Retain
	}
	if err := r.release(ctx, region, policy); err != nil {
		rc := newReconciliation(region)
		rc.fail(v1alpha1.ConditionDatabaseReady, ReasonDeletionFailed,
			fmt.Errorf("reclaim policy %s not carried out yet, so the finalizer %s stays: %w", policy, Finalizer, err))
		rc.setReady()
		if werr := r.writeStatus(ctx, rc); werr != nil && !apierrors.IsNotFound(werr) {
			rc.errs = append(rc.errs, werr)
		}
		return rc.result()
	}
	controllerutil.RemoveFinalizer(region, Finalizer)
	if err := r.Client.Update(ctx, region); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	return ctrl.Result{}, nil
}

// release applies the reclaim policy to the region's role and database and
// to its credentials Secret.
func (r *RegionReconciler) release(ctx context.Context, region *v1alpha1.Region, policy v1alpha1.ReclaimPolicy) error {
	names, err := provisionedNames(region, r.DefaultServerSecret)
	if err != nil {
		// Names that were never valid were never provisioned.
		return nil
	}
	if err := r.releaseDatabase(ctx, region, names, policy); err != nil {
		return err
	}
	if policy == v1alpha1.Retain {
		return r.orphanSecret(ctx, region)
	}
	return nil
}

func (r *RegionReconciler) releaseDatabase(ctx context.Context, region *v1alpha1.Region, names databaseNames, policy v1alpha1.ReclaimPolicy) error {
	admin, err := r.admin(ctx, names.Server)
	if err != nil {
		if region.Status.Database == "" {
			// Never provisioned as far as the status knows, and no server to
			// look at: nothing to release.
			log.FromContext(ctx).Info("no admin Secret and nothing provisioned: releasing nothing", "error", err.Error())
			return nil
		}
		return err
	}
	pgCtx, cancel := context.WithTimeout(ctx, pgTimeout)
	defer cancel()
	server, err := postgres.Connect(pgCtx, admin, r.SQL)
	if err != nil {
		return err
	}
	defer server.Close(context.WithoutCancel(ctx))

	var res postgres.Result
	switch policy {
	case v1alpha1.Delete:
		res, err = server.Drop(pgCtx, region.Name, names.Database, names.Role)
	default:
		res, err = server.DisableLogin(pgCtx, region.Name, names.Role)
	}
	if errors.Is(err, postgres.ErrNotManaged) {
		// Another region's (a refused duplicate claim) or nobody's: never
		// ours to release.
		r.event(region, corev1.EventTypeNormal, "NotReleased", "Delete", "%v; left as it is", err)
		return nil
	}
	if err != nil {
		return err
	}
	if res.Changed() {
		reason := "Retained"
		if policy == v1alpha1.Delete {
			reason = "Dropped"
		}
		r.event(region, corev1.EventTypeNormal, reason, "Delete", "%s", strings.Join(res.Changes, "; "))
	}
	return nil
}

// orphanSecret removes the region's owner reference from its credentials
// Secret, so that the Secret outlives the Region.
func (r *RegionReconciler) orphanSecret(ctx context.Context, region *v1alpha1.Region) error {
	s, err := r.credentialsSecret(ctx, region)
	if err != nil || s == nil || !metav1.IsControlledBy(s, region) {
		return err
	}
	updated := s.DeepCopy()
	updated.OwnerReferences = slices.DeleteFunc(updated.OwnerReferences, func(o metav1.OwnerReference) bool {
		return o.UID == region.UID
	})
	if err := r.Client.Update(ctx, updated); err != nil {
		return fmt.Errorf("unable to keep Secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	r.event(region, corev1.EventTypeNormal, "Retained", "Delete", "Secret %s/%s kept without its owner reference: %s", s.Namespace, s.Name,
		"it holds the password of the retained role")
	return nil
}
