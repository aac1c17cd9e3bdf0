// Package operatorrun runs the operator's reconciler inside another program —
// the operator's tests and the onboarding benchmark — and counts what it
// writes: a controller-runtime manager for one namespace, a client that counts
// every write it sends to the API server, and an event recorder that counts
// events (each a write too) and keeps the warnings.
//
// It does not import the operator: the caller wires its reconciler to the
// manager in the setup function it hands Start.
package operatorrun

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// Manager is a running manager with the counting client and recorder its
// reconciler was given.
type Manager struct {
	ctrl.Manager
	Writes *Client
	Events *Recorder
	stop   func() error
}

// Start makes a manager that caches only namespace, serves neither metrics
// nor probes and lets a controller name repeat (a test process starts many
// managers), and a counting client (keeping the first keep writes in its log;
// every one when keep is 0) and recorder over it. setup wires the reconciler
// to them; Start then starts the manager and waits for its cache. Stop it
// when done.
func Start(cfg *rest.Config, scheme *runtime.Scheme, namespace string, keep int, setup func(*Manager) error) (*Manager, error) {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{namespace: {}}},
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return nil, err
	}
	m := &Manager{
		Manager: mgr,
		Writes:  &Client{Client: mgr.GetClient(), keep: keep},
		Events:  &Recorder{EventRecorder: mgr.GetEventRecorder("pilar-operator")},
	}
	if err := setup(m); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	m.stop = func() error { cancel(); return <-done }
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return nil, errors.Join(errors.New("operatorrun: the manager's cache did not sync"), m.stop())
	}
	return m, nil
}

// Stop stops the manager and returns what it stopped with.
func (m *Manager) Stop() error { return m.stop() }

// Client counts every write sent through it to the API server, and logs the
// first ones.
type Client struct {
	client.Client
	keep int // how many writes the log keeps; 0: every one
	n    atomic.Int64
	mu   sync.Mutex
	log  []string
}

func (c *Client) count(verb string, obj client.Object) {
	c.n.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keep == 0 || len(c.log) < c.keep {
		c.log = append(c.log, fmt.Sprintf("%s %T %s/%s", verb, obj, obj.GetNamespace(), obj.GetName()))
	}
}

// Writes returns the number of writes and the log of them.
func (c *Client) Writes() (int64, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n.Load(), append([]string(nil), c.log...)
}

// Reset starts counting again from zero.
func (c *Client) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.log = nil
}

func (c *Client) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	c.count("create", obj)
	return c.Client.Create(ctx, obj, opts...)
}

func (c *Client) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	c.count("update", obj)
	return c.Client.Update(ctx, obj, opts...)
}

func (c *Client) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	c.count("patch", obj)
	return c.Client.Patch(ctx, obj, patch, opts...)
}

func (c *Client) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	c.count("delete", obj)
	return c.Client.Delete(ctx, obj, opts...)
}

func (c *Client) DeleteAllOf(ctx context.Context, obj client.Object, opts ...client.DeleteAllOfOption) error {
	c.count("deleteAllOf", obj)
	return c.Client.DeleteAllOf(ctx, obj, opts...)
}

// Apply is counted but not logged: an apply configuration names no object.
func (c *Client) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
	c.n.Add(1)
	return c.Client.Apply(ctx, obj, opts...)
}

func (c *Client) Status() client.SubResourceWriter {
	return &subResource{SubResourceWriter: c.Client.Status(), c: c, name: "status"}
}

// SubResource counts the writes to a subresource; its reads go through uncounted.
func (c *Client) SubResource(name string) client.SubResourceClient {
	sub := c.Client.SubResource(name)
	return struct {
		client.SubResourceReader
		client.SubResourceWriter
	}{sub, &subResource{SubResourceWriter: sub, c: c, name: name}}
}

// subResource counts the writes to one subresource.
type subResource struct {
	client.SubResourceWriter
	c    *Client
	name string
}

func (s *subResource) Create(ctx context.Context, obj, sub client.Object, opts ...client.SubResourceCreateOption) error {
	s.c.count("create "+s.name, obj)
	return s.SubResourceWriter.Create(ctx, obj, sub, opts...)
}

func (s *subResource) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	s.c.count("update "+s.name, obj)
	return s.SubResourceWriter.Update(ctx, obj, opts...)
}

func (s *subResource) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.c.count("patch "+s.name, obj)
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

func (s *subResource) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.SubResourceApplyOption) error {
	s.c.n.Add(1)
	return s.SubResourceWriter.Apply(ctx, obj, opts...)
}

// Recorder counts the events recorded through it and keeps the warnings'
// reasons and notes, by the name of the object they regard.
type Recorder struct {
	events.EventRecorder
	n        atomic.Int64
	mu       sync.Mutex
	warnings map[string][]string
}

func (r *Recorder) Eventf(regarding, related runtime.Object, typ, reason, action, note string, args ...any) {
	r.n.Add(1)
	if typ == corev1.EventTypeWarning {
		r.mu.Lock()
		if r.warnings == nil {
			r.warnings = map[string][]string{}
		}
		name := regarding.(metav1.Object).GetName()
		r.warnings[name] = append(r.warnings[name], reason+": "+fmt.Sprintf(note, args...))
		r.mu.Unlock()
	}
	r.EventRecorder.Eventf(regarding, related, typ, reason, action, note, args...)
}

// Count is the number of events recorded.
func (r *Recorder) Count() int64 { return r.n.Load() }

// Warnings returns the warnings recorded about the named object, each as
// "reason: note".
func (r *Recorder) Warnings(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.warnings[name]...)
}
