package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/apiserver/web"
)

// syncTimeout bounds the wait for the first listing of the cluster's Regions:
// a server that cannot see them should fail and be restarted, not hang.
const syncTimeout = 2 * time.Minute

// runCluster serves the Regions of a Kubernetes cluster that are Ready, as
// the operator provisioned them, and follows them as they come and go. It
// starts listening only once the Regions present at start are served.
func runCluster(ctx context.Context, cfg config, log *slog.Logger) error {
	key, err := readNIKKey(cfg.NIKKeyFile)
	if err != nil {
		return err
	}
	restCfg, err := kubeConfig(cfg.Kubeconfig)
	if err != nil {
		return err
	}
	// controller-runtime logs through its own global logger as well.
	ctrllog.SetLogger(logr.FromSlogHandler(log.Handler()))

	reg := tenancy.NewRegistry()
	w, err := tenancy.NewWatcher(reg, tenancy.WatchOptions{
		Config: restCfg, Namespace: cfg.Namespace, Region: cfg.Region,
		NIKKey: key, MaxConns: cfg.DBMaxConns, Log: log,
	})
	if err != nil {
		return err
	}
	// The watcher's failure ends serving too: a replica that no longer sees
	// its Regions would serve stale ones, so it exits and is restarted.
	watchCtx, stopWatching := context.WithCancelCause(ctx)
	defer stopWatching(nil)
	watched := make(chan error, 1)
	go func() {
		err := w.Run(watchCtx)
		if err == nil {
			err = errors.New("stopped watching Regions")
		}
		stopWatching(err)
		watched <- err
	}()
	failed := func(err error) error {
		stopWatching(nil)
		<-watched
		if cause := context.Cause(watchCtx); ctx.Err() == nil && cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return err
	}

	syncCtx, cancel := context.WithTimeout(watchCtx, syncTimeout)
	err = w.Sync(syncCtx)
	cancel()
	if err != nil {
		return failed(fmt.Errorf("%w (is the API server reachable, and may this server's account list Regions?)", err))
	}

	var platform *web.Platform
	if cfg.PlatformDSN != "" {
		if platform, err = openPlatformDB(ctx, store.Options{Driver: store.Postgres, DSN: cfg.PlatformDSN, MaxConns: cfg.DBMaxConns}); err != nil {
			return failed(err)
		}
		defer platform.DB.Close()
	}

	err = serve(watchCtx, cfg, log, reg, platform, func(addr net.Addr) {
		log.Info("Pilar is serving the cluster's Regions", "address", addr.String(), "namespace", cfg.Namespace,
			"region", cfg.Region, "regions", len(reg.All()), "platform", platform != nil)
	})
	return failed(err)
}

// readNIKKey reads the platform's key for hashing national ID numbers. A
// trailing newline (an editor's, or echo's) is not part of the key.
func readNIKKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("unable to read the NIK key: %w", err)
	}
	key = bytes.TrimRight(key, "\r\n")
	if len(key) < 32 {
		return nil, fmt.Errorf("the NIK key in %s has %d bytes; it needs 32 or more (e.g. openssl rand -hex 32)", path, len(key))
	}
	return key, nil
}

// kubeConfig reaches the Kubernetes API server: through the kubeconfig given
// (a file, or a list of them separated like PATH, as $KUBECONFIG may be),
// else as the pod it runs in.
func kubeConfig(path string) (*rest.Config, error) {
	if path == "" {
		cfg, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("no -kubeconfig or $KUBECONFIG, and not in a cluster: %w", err)
		}
		return cfg, nil
	}
	files := filepath.SplitList(path)
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("kubeconfig: %w", err)
		}
	}
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: files}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	return cfg, nil
}
