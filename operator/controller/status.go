package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/resources"
)

// Reasons of the conditions, in CamelCase as Kubernetes wants them.
const (
	ReasonProvisioned         = "Provisioned"
	ReasonInvalidName         = "InvalidName"
	ReasonDatabaseRenamed     = "DatabaseRenamed"
	ReasonDatabaseClaimed     = "DatabaseClaimed"
	ReasonServerUnavailable   = "ServerUnavailable"
	ReasonNotManaged          = "NotManaged"
	ReasonSecretNotControlled = "SecretNotControlled"
	ReasonProvisioningFailed  = "ProvisioningFailed"
	ReasonMigrationFailed     = "MigrationFailed"
	ReasonDeletionFailed      = "DeletionFailed"

	ReasonRendered               = "Rendered"
	ReasonOverrideRefused        = "OverrideRefused"
	ReasonConfigMapNotControlled = "ConfigMapNotControlled"
	ReasonPolicyFailed           = "PolicyFailed"

	ReasonAllRegulationsInForce = "AllRegulationsInForce"
	ReasonMissingRegulations    = "MissingRegulations"
	ReasonInvalidSpec           = "InvalidSpec"

	ReasonSharedAPIServer          = "SharedAPIServer"
	ReasonDeploymentAvailable      = "DeploymentAvailable"
	ReasonDeploymentNotAvailable   = "DeploymentNotAvailable"
	ReasonWaitingForDatabasePolicy = "WaitingForDatabaseAndPolicy"
	ReasonNoAPIServerImage         = "NoAPIServerImage"
	ReasonServingNotControlled     = "ServingObjectNotControlled"
	ReasonServingFailed            = "ServingFailed"

	ReasonReady    = "Ready"
	ReasonNotReady = "NotReady"
)

// refusalRetry is how soon a region refused for a reason outside its own
// spec (another Region's claim, an object someone else owns) is looked at
// again, for the changes no watch brings (another Region deleted, a
// leftover object that lost its label).
const refusalRetry = time.Minute

// maxMessage bounds a condition's message well under the API's 32768.
const maxMessage = 4000

// reconciliation is one pass over one Region: what the steps learnt and the
// status they are building, compared with the stored one at the end.
type reconciliation struct {
	region *v1alpha1.Region
	old    v1alpha1.RegionStatus
	status v1alpha1.RegionStatus

	// Set by the steps for the later ones.
	names   *databaseNames
	creds   *resources.Credentials
	domain  *partnership.Region // nil when the spec does not convert
	specErr error

	// errs are failures worth a retry with backoff; retryAfter is set by a
	// refusal that only a change elsewhere can lift.
	errs       []error
	retryAfter time.Duration
}

func newReconciliation(region *v1alpha1.Region) *reconciliation {
	return &reconciliation{region: region, old: *region.Status.DeepCopy(), status: *region.Status.DeepCopy()}
}

// set records a condition with meta.SetStatusCondition semantics: its
// lastTransitionTime moves only when its status does.
func (rc *reconciliation) set(typ string, ok bool, reason, format string, args ...any) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	msg := fmt.Sprintf(format, args...)
	if len(msg) > maxMessage {
		msg = msg[:maxMessage] + " ..."
	}
	meta.SetStatusCondition(&rc.status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: rc.region.Generation,
	})
}

// fail records a failure that deserves a retry with backoff.
func (rc *reconciliation) fail(typ, reason string, err error) {
	rc.set(typ, false, reason, "%v", err)
	rc.errs = append(rc.errs, fmt.Errorf("%s: %w", typ, err))
}

// refuse records a refusal: nothing is changed until something elsewhere
// changes, so it is looked at again after refusalRetry.
func (rc *reconciliation) refuse(typ, reason, format string, args ...any) {
	rc.set(typ, false, reason, format, args...)
	rc.retryAfter = refusalRetry
}

func (rc *reconciliation) isTrue(typ string) bool {
	return meta.IsStatusConditionTrue(rc.status.Conditions, typ)
}

// setReady sums up: Ready when the database, the policy and the serving are.
// PrerequisitesMet is informative and left out.
func (rc *reconciliation) setReady() {
	var waiting []string
	for _, typ := range []string{v1alpha1.ConditionDatabaseReady, v1alpha1.ConditionPolicyReady, v1alpha1.ConditionServingReady} {
		if c := meta.FindStatusCondition(rc.status.Conditions, typ); c == nil || c.Status != metav1.ConditionTrue {
			reason := "not yet reconciled"
			if c != nil {
				reason = c.Reason
			}
			waiting = append(waiting, fmt.Sprintf("%s (%s)", typ, reason))
		}
	}
	if len(waiting) > 0 {
		rc.set(v1alpha1.ConditionReady, false, ReasonNotReady, "waiting for %s", strings.Join(waiting, ", "))
		return
	}
	rc.set(v1alpha1.ConditionReady, true, ReasonReady, "database, policy and serving are ready")
}

// result is what the pass asks of the controller: a retry with backoff
// after a failure, a later look after a refusal, or nothing.
func (rc *reconciliation) result() (ctrl.Result, error) {
	if len(rc.errs) > 0 {
		return ctrl.Result{}, errors.Join(rc.errs...)
	}
	return ctrl.Result{RequeueAfter: rc.retryAfter}, nil
}

// writeStatus stores the status when it differs from what was read, and
// reports each condition that changed as an event: a Warning when it turned
// (or stays, with a new reason) False, Normal when the region became Ready or
// when the informative PrerequisitesMet turned False.
// A region whose status did not change causes no write at all.
func (r *RegionReconciler) writeStatus(ctx context.Context, rc *reconciliation) error {
	rc.status.ObservedGeneration = rc.region.Generation
	if equality.Semantic.DeepEqual(rc.old, rc.status) {
		return nil
	}
	rc.region.Status = rc.status
	if err := r.Client.Status().Update(ctx, rc.region); err != nil {
		return fmt.Errorf("unable to update the status: %w", err)
	}
	for _, c := range rc.status.Conditions {
		before := meta.FindStatusCondition(rc.old.Conditions, c.Type)
		if before != nil && before.Status == c.Status && before.Reason == c.Reason && before.Message == c.Message {
			continue
		}
		switch {
		case c.Status == metav1.ConditionFalse && c.Type == v1alpha1.ConditionPrerequisitesMet:
			// Informative: the region is served all the same.
			r.event(rc.region, corev1.EventTypeNormal, c.Reason, "Reconcile", "%s: %s", c.Type, c.Message)
		case c.Status == metav1.ConditionFalse && c.Type != v1alpha1.ConditionReady:
			r.event(rc.region, corev1.EventTypeWarning, c.Reason, "Reconcile", "%s: %s", c.Type, c.Message)
		case c.Status == metav1.ConditionTrue && c.Type == v1alpha1.ConditionReady:
			r.event(rc.region, corev1.EventTypeNormal, c.Reason, "Reconcile", "%s", c.Message)
		}
	}
	return nil
}

// event records an event about the Region, when the reconciler has a recorder.
func (r *RegionReconciler) event(region *v1alpha1.Region, typ, reason, action, format string, args ...any) {
	if r.Events != nil {
		r.Events.Eventf(region, nil, typ, reason, action, format, args...)
	}
}
