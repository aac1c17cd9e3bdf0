// Command operator runs the controller-runtime manager that reconciles Region
// objects (pilar.id/v1alpha1) into isolated tenants.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/controller"
	"pilar.id/pilar/operator/postgres"
)

// config is everything the operator is told at start, parsed once.
type config struct {
	MetricsAddr, ProbeAddr string
	LeaderElect            bool
	Controller             controller.Options
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("operator", flag.ContinueOnError)
	fs.StringVar(&c.MetricsAddr, "metrics-bind-address", ":8080", "address the metrics endpoint binds to (0 disables it)")
	fs.StringVar(&c.ProbeAddr, "health-probe-bind-address", ":8081", "address the health probes bind to")
	fs.BoolVar(&c.LeaderElect, "leader-elect", false, "elect a leader, so that only one replica reconciles at a time")
	namespace := getenv("POD_NAMESPACE")
	if namespace == "" {
		namespace = "pilar-system"
	}
	o := &c.Controller
	fs.StringVar(&o.Namespace, "namespace", namespace,
		"namespace of the PostgreSQL admin Secrets and of every object made for a region (default: $POD_NAMESPACE, else pilar-system)")
	fs.StringVar(&o.DefaultServerSecret, "default-server-secret", "pilar-postgres-admin",
		"admin Secret (host, port, username, password, optional sslmode) of the PostgreSQL server of regions that name none")
	fs.StringVar(&o.APIServerImage, "apiserver-image", "", "image of the API server that Dedicated regions run (empty: Dedicated regions are not served)")
	fs.StringVar(&o.APIServerServiceAccount, "apiserver-service-account", "pilar-apiserver",
		"service account of Dedicated regions' API servers; it must read Regions and this namespace's Secrets and ConfigMaps")
	fs.StringVar(&o.NIKKeySecret, "nik-key-secret", "pilar-nik-key", "Secret holding the platform's NIK hashing key, mounted into Dedicated regions' API servers")
	fs.StringVar(&o.NIKKeySecretKey, "nik-key-secret-key", "key", "key of the NIK key in that Secret")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "Regions reconciled at once")
	selector := fs.String("region-selector", "", "reconcile only the Regions this label selector matches (empty: all)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.Namespace == "" {
		return c, errors.New("-namespace must not be empty")
	}
	if o.DefaultServerSecret == "" {
		return c, errors.New("-default-server-secret must not be empty")
	}
	if o.NIKKeySecret == "" || o.NIKKeySecretKey == "" {
		return c, errors.New("-nik-key-secret and -nik-key-secret-key must not be empty")
	}
	if o.MaxConcurrentReconciles < 1 {
		return c, fmt.Errorf("-max-concurrent-reconciles %d: must be at least 1", o.MaxConcurrentReconciles)
	}
	if *selector != "" {
		s, err := labels.Parse(*selector)
		if err != nil {
			return c, fmt.Errorf("-region-selector: %w", err)
		}
		o.Selector = s
	}
	return c, nil
}

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fail(err)
	}
	ctrl.SetLogger(logr.FromSlogHandler(slog.NewJSONHandler(os.Stderr, nil)))

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                  v1alpha1.NewScheme(),
		Metrics:                 metricsserver.Options{BindAddress: cfg.MetricsAddr},
		HealthProbeBindAddress:  cfg.ProbeAddr,
		LeaderElection:          cfg.LeaderElect,
		LeaderElectionID:        "operator.pilar.id",
		LeaderElectionNamespace: cfg.Controller.Namespace,
		// Namespaced objects (Secrets, ConfigMaps, Deployments, Services)
		// are only watched in the operator's namespace, which is all its
		// Role allows; Regions are cluster-scoped and watched everywhere.
		Cache: cache.Options{DefaultNamespaces: map[string]cache.Config{cfg.Controller.Namespace: {}}},
	})
	if err != nil {
		fail(err)
	}
	r := &controller.RegionReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    mgr.GetEventRecorder("pilar-operator"),
		SQL:       new(postgres.Counter),
		Options:   cfg.Controller,
	}
	if err := r.SetupWithManager(mgr); err != nil {
		fail(err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		fail(err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		fail(err)
	}
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "operator:", err)
	os.Exit(1)
}
