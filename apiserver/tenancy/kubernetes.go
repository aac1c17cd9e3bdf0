package tenancy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"

	"github.com/go-logr/logr"
	"github.com/uptrace/bun"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/policies"
)

// What the operator writes for each Region, in its namespace, and the API
// server reads back. The Region's status names the Secret and the ConfigMap;
// these names are the operator's convention and the fallback when it does not.
const (
	// RegionSecretPrefix + region name is the Secret of the region's database
	// credentials: keys username, password, database, host, port and uri.
	RegionSecretPrefix = "pilar-region-"
	// PolicyConfigMapPrefix + region name is the ConfigMap of the region's
	// rendered policy set, under PolicyKey.
	PolicyConfigMapPrefix = "pilar-policy-"
	// PolicyKey is the ConfigMap key holding the rendered set (policies.Set.Text).
	PolicyKey = "policy.csv"
	// PolicyHashAnnotation on the ConfigMap carries the hash the operator
	// rendered; the Region's status.policyHash names the one it means to serve.
	PolicyHashAnnotation = "pilar.id/policy-hash"
)

// RegionNIKKey derives a region's key for hashing national ID numbers from
// the platform's key: HMAC-SHA256(platform key, region code). One mounted
// Secret serves every region, and no region's hashes can be matched against
// another's.
func RegionNIKKey(platformKey []byte, code string) []byte {
	m := hmac.New(sha256.New, platformKey)
	m.Write([]byte(code))
	return m.Sum(nil)
}

// WatchOptions say which Regions of a cluster a Watcher serves, and how.
type WatchOptions struct {
	// Config reaches the Kubernetes API server.
	Config *rest.Config
	// Namespace holds each region's credentials Secret and policy ConfigMap:
	// the operator's namespace.
	Namespace string
	// Region, when set, serves that one region whatever its serving mode (the
	// Deployment of a Dedicated region); when empty, every Shared region.
	Region string
	// NIKKey is the platform's key, at least 32 bytes; see RegionNIKKey.
	NIKKey []byte
	// MaxConns bounds each region's connection pool.
	MaxConns int
	// Prepare readies a region's database when it is opened; Migrate when nil.
	Prepare Prepare
	Log     *slog.Logger
}

// Watcher keeps a Registry in step with the Regions of a cluster: a Region
// that is Ready (and Shared, or the one region asked for) is served with the
// credentials and policy set the operator wrote for it; a change of either
// replaces its tenant; a Region deleted, being deleted or no longer Ready is
// removed, and its portal answers 404.
//
// Every replica of the API server runs its own Watcher: there is no leader,
// and a Watcher writes nothing to the cluster.
type Watcher struct {
	reg *Registry
	o   WatchOptions
	log *slog.Logger
	mgr manager.Manager
	// cached reads Regions and ConfigMaps from the informers; Secrets are read
	// from the API server itself, so that no Secret's data is kept in memory
	// beyond the regions' own (only their metadata is watched).
	cached, direct client.Reader

	mu     sync.Mutex        // one reconcile at a time, whoever calls it
	served map[string]string // region name → fingerprint of what it is served with
	// sets are the policy sets parsed so far, by their text's hash: most
	// regions are served under the national baseline alone, and a Set is
	// immutable, so they share one instead of holding 514 copies.
	sets map[[sha256.Size]byte]*policies.Set
}

// maxSharedSets bounds the parsed sets kept for sharing; past it they are
// dropped (still held by their tenants) and the sharing starts over.
const maxSharedSets = 1024

// NewWatcher prepares a Watcher of the cluster o.Config reaches; nothing is
// watched until Run.
func NewWatcher(reg *Registry, o WatchOptions) (*Watcher, error) {
	if o.Config == nil {
		return nil, errors.New("tenancy: no Kubernetes configuration")
	}
	if o.Namespace == "" {
		return nil, errors.New("tenancy: no namespace for the regions' Secrets and ConfigMaps")
	}
	if len(o.NIKKey) < 32 {
		return nil, errors.New("tenancy: the platform's NIK key must be at least 32 bytes")
	}
	if o.Prepare == nil {
		o.Prepare = Migrate
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	cacheOpts := cache.Options{
		// Secrets and ConfigMaps of the operator's namespace only; Regions
		// are cluster-scoped and unaffected.
		DefaultNamespaces: map[string]cache.Config{o.Namespace: {}},
	}
	if o.Region != "" {
		// A dedicated server needs no other Region in memory.
		cacheOpts.ByObject = map[client.Object]cache.ByObject{
			&v1alpha1.Region{}: {Field: fields.OneTermEqualSelector("metadata.name", o.Region)},
		}
	}
	restCfg := rest.CopyConfig(o.Config)
	if restCfg.QPS == 0 {
		// client-go's default of 5 requests a second would take minutes to
		// read 514 regions' Secrets at start; the API server's priority and
		// fairness limits instead, as in controller-runtime's GetConfig.
		restCfg.QPS = -1
	}
	skip := true
	mgr, err := manager.New(restCfg, manager.Options{
		Scheme:                 scheme,
		Cache:                  cacheOpts,
		Logger:                 logr.FromSlogHandler(o.Log.Handler()),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		LeaderElection:         false, // every replica serves
		Controller:             config.Controller{SkipNameValidation: &skip},
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: unable to watch the cluster: %w", err)
	}
	w := &Watcher{
		reg: reg, o: o, log: o.Log, mgr: mgr,
		cached: mgr.GetClient(), direct: mgr.GetAPIReader(),
		served: map[string]string{},
		sets:   map[[sha256.Size]byte]*policies.Set{},
	}
	err = builder.ControllerManagedBy(mgr).
		Named("regions").
		For(&v1alpha1.Region{}).
		Watches(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(w.regionsUsing)).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(w.regionsUsing)).
		Complete(reconcile.Func(w.Reconcile))
	if err != nil {
		return nil, fmt.Errorf("tenancy: unable to watch Regions: %w", err)
	}
	return w, nil
}

// Run watches until ctx ends. The tenants it put stay in the registry.
func (w *Watcher) Run(ctx context.Context) error {
	if err := w.mgr.Start(ctx); err != nil {
		return fmt.Errorf("tenancy: watching Regions: %w", err)
	}
	return nil
}

// Sync returns once the Regions present in the cluster have each been served
// or passed over, so that a server that starts listening after it serves
// every Ready region from its first request. Run must be running.
func (w *Watcher) Sync(ctx context.Context) error {
	if !w.mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("tenancy: the Regions were not listed: %w", context.Cause(ctx))
	}
	var list v1alpha1.RegionList
	if err := w.cached.List(ctx, &list); err != nil {
		return fmt.Errorf("tenancy: unable to list Regions: %w", err)
	}
	for _, r := range list.Items {
		if _, err := w.Reconcile(ctx, reconcile.Request{NamespacedName: types.NamespacedName{Name: r.Name}}); err != nil {
			return err
		}
	}
	return nil
}

// regionsUsing maps a Secret or ConfigMap of the namespace to the Regions
// whose status names it, or whose conventional name it has.
func (w *Watcher) regionsUsing(ctx context.Context, obj client.Object) []reconcile.Request {
	var list v1alpha1.RegionList
	if err := w.cached.List(ctx, &list); err != nil {
		w.log.Error("unable to list Regions", "err", err)
		return nil
	}
	var out []reconcile.Request
	for _, r := range list.Items {
		secret, configMap := objectNames(&r)
		if obj.GetName() == secret || obj.GetName() == configMap {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Name: r.Name}})
		}
	}
	return out
}

// objectNames are the names of a Region's credentials Secret and policy ConfigMap.
func objectNames(r *v1alpha1.Region) (secret, configMap string) {
	secret, configMap = r.Status.SecretName, r.Status.PolicyConfigMap
	if secret == "" {
		secret = RegionSecretPrefix + r.Name
	}
	if configMap == "" {
		configMap = PolicyConfigMapPrefix + r.Name
	}
	return secret, configMap
}

// Reconcile brings one region's tenant in line with its Region. It returns an
// error only for a failure worth retrying (the API server unreachable); a
// Region that cannot be served as it stands is logged and waits for a change.
func (w *Watcher) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	name := req.Name
	var r v1alpha1.Region
	if err := w.cached.Get(ctx, client.ObjectKey{Name: name}, &r); err != nil {
		if apierrors.IsNotFound(err) {
			w.stop(name, "the Region was deleted")
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, err
	}
	if why := w.passOver(&r); why != "" {
		w.stop(name, why)
		return reconcile.Result{}, nil
	}

	// The operator writes the ConfigMap and the status one after the other;
	// until they agree, what is served stays as it is.
	text, dsn, missing, err := regionParts(ctx, w.cached, w.direct, w.o.Namespace, &r)
	if errors.Is(err, errPolicyMismatch) {
		w.log.Debug("waiting for the region's policy ConfigMap to match its status", "region", name, "status", r.Status.PolicyHash)
		return reconcile.Result{}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	if missing != "" {
		w.stop(name, missing)
		return reconcile.Result{}, nil
	}
	fp := fingerprint(r.Generation, text, dsn)
	if w.served[name] == fp {
		return reconcile.Result{}, nil
	}

	t, err := w.tenant(&r, text, dsn)
	if err != nil {
		w.stop(name, err.Error())
		return reconcile.Result{}, nil
	}
	_, replaced := w.served[name]
	w.reg.Put(t)
	w.served[name] = fp
	w.log.Info("serving region", "region", name, "policyHash", t.Policy.Hash, "replaced", replaced)
	return reconcile.Result{}, nil
}

// errPolicyMismatch stands for a policy ConfigMap the operator has not yet
// brought in line with the Region's status.
var errPolicyMismatch = errors.New("tenancy: the policy ConfigMap does not match the Region's status yet")

// regionParts reads what a Region is served with: the policy set the operator
// rendered into its ConfigMap (read through cached) and the PostgreSQL URL of
// its credentials Secret (read through direct, so that no Secret's data is
// cached). missing says why it cannot be served when one of them is absent
// or unusable; err is a failure worth retrying, or errPolicyMismatch while
// the operator writes the ConfigMap and the status one after the other.
func regionParts(ctx context.Context, cached, direct client.Reader, namespace string, r *v1alpha1.Region) (policyText, dsn, missing string, err error) {
	secretName, configMapName := objectNames(r)
	var cm corev1.ConfigMap
	if err := cached.Get(ctx, client.ObjectKey{Namespace: namespace, Name: configMapName}, &cm); err != nil {
		if apierrors.IsNotFound(err) {
			return "", "", "its policy ConfigMap " + namespace + "/" + configMapName + " does not exist", nil
		}
		return "", "", "", err
	}
	if want, have := r.Status.PolicyHash, cm.Annotations[PolicyHashAnnotation]; want != "" && have != "" && want != have {
		return "", "", "", errPolicyMismatch
	}
	var secret corev1.Secret
	if err := direct.Get(ctx, client.ObjectKey{Namespace: namespace, Name: secretName}, &secret); err != nil {
		if apierrors.IsNotFound(err) {
			return "", "", "its credentials Secret " + namespace + "/" + secretName + " does not exist", nil
		}
		return "", "", "", err
	}
	dsn, err = secretDSN(secret.Data)
	if err != nil {
		return "", "", fmt.Sprintf("its credentials Secret %s/%s: %v", namespace, secretName, err), nil
	}
	return cm.Data[PolicyKey], dsn, "", nil
}

// newScheme is what the tenancy reads of Kubernetes: its own kinds and
// Regions.
func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, fmt.Errorf("tenancy: %w", err)
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, fmt.Errorf("tenancy: %w", err)
	}
	return scheme, nil
}

// newClient is a client of the cluster config reaches, reading straight
// from its API server.
func newClient(config *rest.Config) (client.Client, error) {
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	c, err := client.New(config, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("tenancy: unable to reach the cluster: %w", err)
	}
	return c, nil
}

// ClusterTenant is one Region of a cluster as the API server serves it — its
// spec, the policy set the operator rendered for it and its database — read
// straight from the Kubernetes API server at config, for an administrative
// command. nikKey is the platform's key, or nil where the command hashes no
// NIK. prepare readies the database when it is opened (nil: nothing, for a
// command that must not migrate what the operator migrates).
func ClusterTenant(ctx context.Context, config *rest.Config, namespace, name string, nikKey []byte, prepare Prepare) (*Tenant, error) {
	c, err := newClient(config)
	if err != nil {
		return nil, err
	}
	var r v1alpha1.Region
	if err := c.Get(ctx, client.ObjectKey{Name: name}, &r); err != nil {
		return nil, fmt.Errorf("tenancy: Region %s: %w", name, err)
	}
	text, dsn, missing, err := regionParts(ctx, c, c, namespace, &r)
	if errors.Is(err, errPolicyMismatch) {
		return nil, fmt.Errorf("tenancy: Region %s: its policy is being changed; try again in a moment", name)
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy: Region %s: %w", name, err)
	}
	if missing != "" {
		return nil, fmt.Errorf("tenancy: Region %s cannot be reached: %s (has the operator provisioned it?)", name, missing)
	}
	region, err := FromRegion(&r)
	if err != nil {
		return nil, fmt.Errorf("tenancy: Region %s: its spec: %w", name, err)
	}
	set, err := policies.ParseSet(text)
	if err != nil {
		return nil, fmt.Errorf("tenancy: Region %s: its policy set: %w", name, err)
	}
	if prepare == nil {
		prepare = func(context.Context, *bun.DB, *Tenant) error { return nil }
	}
	t := NewTenantWithPolicy(region, set, store.Options{Driver: store.Postgres, DSN: dsn, MaxConns: 2}, prepare)
	if nikKey != nil {
		if t.NIK, err = authz.NewNIKHasher(RegionNIKKey(nikKey, region.Code)); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// passOver says why a Region is not served here, or "" when it is.
func (w *Watcher) passOver(r *v1alpha1.Region) string {
	switch {
	case !r.DeletionTimestamp.IsZero():
		return "the Region is being deleted"
	case w.o.Region != "" && r.Name != w.o.Region:
		return "this server serves region " + w.o.Region + " only"
	case w.o.Region == "" && r.Spec.Serving.Mode == v1alpha1.Dedicated:
		return "the region is served by its own Deployment (serving mode Dedicated)"
	case !meta.IsStatusConditionTrue(r.Status.Conditions, v1alpha1.ConditionReady):
		return "the Region is not Ready"
	}
	return ""
}

// tenant builds the tenant of a Ready Region from its spec, its rendered
// policy set and its database.
func (w *Watcher) tenant(r *v1alpha1.Region, policyText, dsn string) (*Tenant, error) {
	region, err := FromRegion(r)
	if err != nil {
		return nil, fmt.Errorf("its spec: %w", err)
	}
	set, err := w.policySet(policyText)
	if err != nil {
		return nil, fmt.Errorf("its policy set: %w", err)
	}
	nik, err := authz.NewNIKHasher(RegionNIKKey(w.o.NIKKey, region.Code))
	if err != nil {
		return nil, err
	}
	t := NewTenantWithPolicy(region, set, store.Options{Driver: store.Postgres, DSN: dsn, MaxConns: w.o.MaxConns}, w.o.Prepare)
	t.NIK = nik
	return t, nil
}

// policySet parses a policy set's text, or returns the set already parsed
// from the same text. The caller holds w.mu.
func (w *Watcher) policySet(text string) (*policies.Set, error) {
	key := sha256.Sum256([]byte(text))
	if set, ok := w.sets[key]; ok {
		return set, nil
	}
	set, err := policies.ParseSet(text)
	if err != nil {
		return nil, err
	}
	if len(w.sets) >= maxSharedSets {
		clear(w.sets)
	}
	w.sets[key] = set
	return set, nil
}

// stop removes a region this watcher serves, saying why.
func (w *Watcher) stop(name, why string) {
	if _, ok := w.served[name]; ok {
		w.reg.Remove(name)
		delete(w.served, name)
		w.log.Info("no longer serving region", "region", name, "reason", why)
		return
	}
	w.log.Debug("not serving region", "region", name, "reason", why)
}

// secretDSN is the PostgreSQL URL of a region's credentials: its uri, or one
// made of its parts.
func secretDSN(data map[string][]byte) (string, error) {
	if uri := string(data["uri"]); uri != "" {
		return uri, nil
	}
	var missing []string
	for _, k := range []string{"username", "password", "host", "port", "database"} {
		if len(data[k]) == 0 {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("no uri, and no %v", missing)
	}
	if _, err := strconv.Atoi(string(data["port"])); err != nil {
		return "", fmt.Errorf("port %q is not a number", data["port"])
	}
	u := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(string(data["username"]), string(data["password"])),
		Host:   net.JoinHostPort(string(data["host"]), string(data["port"])),
		Path:   "/" + string(data["database"]),
	}
	if mode := string(data["sslmode"]); mode != "" {
		u.RawQuery = "sslmode=" + url.QueryEscape(mode)
	}
	return u.String(), nil
}

// fingerprint tells whether a region is still served with what it was served
// with: its spec, its policy set and its credentials (hashed, not kept).
func fingerprint(generation int64, policyText, dsn string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s", generation, policyText, dsn)
	return hex.EncodeToString(h.Sum(nil))
}
