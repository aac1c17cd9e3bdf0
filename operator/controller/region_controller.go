// Package controller reconciles Region objects into isolated tenants: a
// database and login role on a PostgreSQL server with the schema applied, a
// credentials Secret, the rendered policy set in a ConfigMap, the region's
// prerequisites, and its serving (the shared API server, or a Deployment of
// its own).
//
// One file per concern: region_controller.go (the order of the steps and the
// wiring), database.go, schema.go, policy.go, prerequisites.go, serving.go,
// deletion.go, status.go (conditions, events, the status write) and
// metrics.go. Every step compares before it writes, so that reconciling a
// Ready region again writes nothing, to the Kubernetes API or to PostgreSQL.
package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/postgres"
	"pilar.id/pilar/operator/resources"
)

// Finalizer holds a Region until its database has been retained or dropped
// as its reclaim policy says.
const Finalizer = "pilar.id/finalizer"

// Options are the operator's settings, parsed once from its flags.
type Options struct {
	// Namespace the operator runs in: the PostgreSQL admin Secrets are read
	// from it and every object made for a region is put in it.
	Namespace string
	// DefaultServerSecret names the admin Secret of regions that name none.
	DefaultServerSecret string
	// APIServerImage and APIServerServiceAccount are those of Dedicated
	// regions' API servers.
	APIServerImage          string
	APIServerServiceAccount string
	// NIKKeySecret and NIKKeySecretKey hold the platform's key for hashing
	// national ID numbers, mounted into dedicated API servers.
	NIKKeySecret    string
	NIKKeySecretKey string
	// Selector limits the Regions reconciled to those it matches; nil
	// matches all. It lets two operators (or two tests) share a cluster.
	Selector labels.Selector
	// MaxConcurrentReconciles bounds how many Regions are reconciled at once.
	MaxConcurrentReconciles int
}

// RegionReconciler reconciles Regions.
type RegionReconciler struct {
	// Client reads through the manager's cache and writes to the API server.
	Client client.Client
	// APIReader reads past the cache: it confirms that a credentials Secret
	// is really gone before new credentials replace it.
	APIReader client.Reader
	// Events records what happened to a Region; nil records nothing.
	Events events.EventRecorder
	// SQL counts the statements issued to PostgreSQL; nil counts nothing.
	SQL *postgres.Counter
	Options
}

// pgTimeout bounds the PostgreSQL work of one reconcile.
const pgTimeout = 2 * time.Minute

// The operator's permissions. Regions are cluster-scoped; everything it
// makes lives in its own namespace ("pilar-system" here, which kustomize and
// the Helm chart replace). Events about a cluster-scoped object go to the
// "default" namespace, hence a cluster-wide grant for them.
//
// +kubebuilder:rbac:groups=pilar.id,resources=regions,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=pilar.id,resources=regions/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=pilar.id,resources=regions/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups="",namespace=pilar-system,resources=secrets,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",namespace=pilar-system,resources=configmaps,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",namespace=pilar-system,resources=services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,namespace=pilar-system,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=coordination.k8s.io,namespace=pilar-system,resources=leases,verbs=get;list;watch;create;update;patch;delete

// Reconcile brings one Region to its spec, in this order: deletion (before
// any other gate, so that a suspended or broken region can still go), the
// finalizer, suspension, then database, schema, policy, prerequisites,
// serving, and Ready. A step that fails or refuses says so in its condition
// and an event; the others still run, so the status shows every problem at
// once.
func (r *RegionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, err error) {
	start := time.Now()
	defer func() { r.observe(ctx, time.Since(start), res, err) }()

	var region v1alpha1.Region
	if err := r.Client.Get(ctx, req.NamespacedName, &region); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !r.selects(&region) {
		return ctrl.Result{}, nil
	}
	if !region.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, &region)
	}
	if controllerutil.AddFinalizer(&region, Finalizer) {
		if err := r.Client.Update(ctx, &region); apierrors.IsConflict(err) {
			return ctrl.Result{RequeueAfter: time.Second}, nil // a newer version is on its way
		} else if err != nil {
			return ctrl.Result{}, fmt.Errorf("unable to add the finalizer: %w", err)
		}
	}
	if region.Spec.Suspend {
		log.FromContext(ctx).V(1).Info("suspended: leaving the region as it is")
		return ctrl.Result{}, nil
	}

	rc := newReconciliation(&region)
	r.reconcileDatabase(ctx, rc)
	r.reconcileSchema(ctx, rc)
	r.reconcilePolicy(ctx, rc)
	r.reconcilePrerequisites(ctx, rc)
	r.reconcileServing(ctx, rc)
	rc.setReady()
	if err := r.writeStatus(ctx, rc); err != nil {
		if apierrors.IsConflict(err) {
			// Someone changed the Region meanwhile; its update event brings
			// it back with the new version.
			return ctrl.Result{RequeueAfter: time.Second}, nil
		}
		return ctrl.Result{}, errors.Join(append(rc.errs, err)...)
	}
	return rc.result()
}

func (r *RegionReconciler) selects(region *v1alpha1.Region) bool {
	return r.Selector == nil || r.Selector.Matches(labels.Set(region.Labels))
}

// SetupWithManager registers the reconciler: it watches Regions (their spec,
// labels, annotations and deletion, not their status, which it writes
// itself), the objects made for them, and the admin Secrets.
func (r *RegionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return r.setupWithManager(mgr, r)
}

// setupWithManager registers rec, which is r or (in tests) a wrapper of it.
func (r *RegionReconciler) setupWithManager(mgr ctrl.Manager, rec reconcile.Reconciler) error {
	if r.Namespace == "" {
		return errors.New("controller: the operator's namespace is required")
	}
	if r.DefaultServerSecret == "" {
		return errors.New("controller: the default server Secret is required")
	}
	n := r.MaxConcurrentReconciles
	if n <= 0 {
		n = 1
	}
	selected := predicate.NewPredicateFuncs(func(o client.Object) bool {
		return r.Selector == nil || r.Selector.Matches(labels.Set(o.GetLabels()))
	})
	changed := predicate.Or(predicate.GenerationChangedPredicate{}, predicate.LabelChangedPredicate{}, predicate.AnnotationChangedPredicate{})
	return ctrl.NewControllerManagedBy(mgr).
		Named("region").
		For(&v1alpha1.Region{}, builder.WithPredicates(selected, changed)).
		// Secrets and ConfigMaps are mapped by label rather than by owner, so
		// that removing a leftover the region refused (a retained Secret, say)
		// brings the region back at once; an admin Secret brings back the
		// regions on its server.
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.regionsOfSecret)).
		Watches(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(regionOfLabel)).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: n}).
		Complete(rec)
}

// regionOfLabel maps an object made for a region to that region.
func regionOfLabel(_ context.Context, o client.Object) []reconcile.Request {
	if name := o.GetLabels()[resources.LabelRegion]; name != "" {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Name: name}}}
	}
	return nil
}

// regionsOfSecret maps a region's credentials Secret to its region, and a
// PostgreSQL admin Secret to the regions on that server.
func (r *RegionReconciler) regionsOfSecret(ctx context.Context, o client.Object) []reconcile.Request {
	if reqs := regionOfLabel(ctx, o); reqs != nil {
		return reqs
	}
	var list v1alpha1.RegionList
	if err := r.Client.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		log.FromContext(ctx).Error(err, "unable to list Regions for a changed Secret", "secret", o.GetName())
		return nil
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		region := &list.Items[i]
		server := region.Spec.Database.Server.SecretName
		if server == "" {
			server = r.DefaultServerSecret
		}
		if server == o.GetName() && r.selects(region) {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKey{Name: region.Name}})
		}
	}
	return reqs
}
