package controller

// Tests of the manifests in config/: that the API server accepts them, that
// the operator's Deployment is hardened, that the samples are the demo
// regions, and that the RBAC generated from the markers is all the operator
// needs.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"pilar.id/pilar/operator/api/v1alpha1"
)

const configDir = "../../config"

// kustomization is the part of a kustomization.yaml the tests read.
type kustomization struct {
	Namespace string   `json:"namespace"`
	Resources []string `json:"resources"`
}

func readKustomization(t *testing.T, dir string) kustomization {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return k
}

// objects returns every object of a kustomization's resources, following
// directories to their own kustomizations.
func objects(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, res := range readKustomization(t, dir).Resources {
		path := filepath.Join(dir, res)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatalf("%s lists %s: %v", dir, res, err)
		}
		if fi.IsDir() {
			out = append(out, objects(t, path)...)
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var u unstructured.Unstructured
			if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if len(u.Object) > 0 {
				out = append(out, &u)
			}
		}
	}
	return out
}

// Every object config/default installs is accepted by the API server
// (server-side dry run, after the CRD and the namespace, which the test
// environment has for real), and everything lives in pilar-system.
func TestConfigDefaultIsAccepted(t *testing.T) {
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "pilar-system"}}
	if err := k8s.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if readKustomization(t, filepath.Join(configDir, "default")).Namespace != "pilar-system" {
		t.Error("config/default does not put everything in pilar-system")
	}
	kinds := map[string]int{}
	for _, u := range objects(t, filepath.Join(configDir, "default")) {
		kinds[u.GetKind()]++
		if u.GetKind() == "CustomResourceDefinition" || u.GetKind() == "Namespace" {
			continue // installed for real by testcluster; and the namespace above
		}
		if ns := u.GetNamespace(); ns != "" && ns != "pilar-system" {
			t.Errorf("%s %s is in namespace %s", u.GetKind(), u.GetName(), ns)
		}
		if err := k8s.Create(ctx, u, client.DryRunAll); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Errorf("%s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	for _, kind := range []string{"CustomResourceDefinition", "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment"} {
		if kinds[kind] == 0 {
			t.Errorf("config/default installs no %s", kind)
		}
	}
}

func TestOperatorDeploymentIsHardened(t *testing.T) {
	var dep *appsv1.Deployment
	for _, u := range objects(t, filepath.Join(configDir, "manager")) {
		if u.GetKind() == "Deployment" {
			dep = new(appsv1.Deployment)
			data, _ := u.MarshalJSON()
			if err := yaml.Unmarshal(data, dep); err != nil {
				t.Fatal(err)
			}
		}
	}
	if dep == nil {
		t.Fatal("config/manager has no Deployment")
	}
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]
	sc := c.SecurityContext
	checks := []struct {
		what string
		ok   bool
	}{
		{"pod runAsNonRoot", *pod.SecurityContext.RunAsNonRoot},
		{"pod seccomp RuntimeDefault", pod.SecurityContext.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"container runAsNonRoot", *sc.RunAsNonRoot},
		{"read-only root filesystem", *sc.ReadOnlyRootFilesystem},
		{"no privilege escalation", !*sc.AllowPrivilegeEscalation},
		{"all capabilities dropped", len(sc.Capabilities.Drop) == 1 && sc.Capabilities.Drop[0] == "ALL"},
		{"container seccomp RuntimeDefault", sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"its own service account", pod.ServiceAccountName == "pilar-operator"},
		{"the namespace from the downward API", len(c.Env) > 0 && c.Env[0].Name == "POD_NAMESPACE" && c.Env[0].ValueFrom.FieldRef.FieldPath == "metadata.namespace"},
		{"leader election", strings.Contains(strings.Join(c.Args, " "), "--leader-elect")},
		{"an API server image for Dedicated regions", strings.Contains(strings.Join(c.Args, " "), "--apiserver-image=")},
	}
	for _, check := range checks {
		if !check.ok {
			t.Errorf("not so: %s", check.what)
		}
	}
	// Every flag in the manifest is one the operator has.
	for _, a := range c.Args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !knownFlags[name] {
			t.Errorf("the manifest passes %s, which the operator does not know", a)
		}
	}
}

// knownFlags are operator/main.go's flags (kept in step by hand; the
// operator refuses an unknown flag at start).
var knownFlags = map[string]bool{
	"metrics-bind-address": true, "health-probe-bind-address": true, "leader-elect": true,
	"namespace": true, "default-server-secret": true, "apiserver-image": true,
	"apiserver-service-account": true, "nik-key-secret": true, "nik-key-secret-key": true,
	"max-concurrent-reconciles": true, "region-selector": true,
}

func TestSamplesAreTheDemoRegions(t *testing.T) {
	for _, name := range readKustomization(t, filepath.Join(configDir, "samples")).Resources {
		sample, err := os.ReadFile(filepath.Join(configDir, "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		demo, err := os.ReadFile(filepath.Join("../../tenants", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sample, demo) {
			t.Errorf("config/samples/%s differs from tenants/%s: cp tenants/%s config/samples/", name, name, name)
		}
	}
}

// The operator, running as its service account with only the generated
// RBAC, takes a region to Ready and deletes it. A marker missing from
// region_controller.go fails here.
func TestGeneratedRBACIsEnough(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.stopOperator()
	ctx := context.Background()

	data, err := os.ReadFile(filepath.Join(configDir, "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "pilar-operator", Namespace: e.namespace}}
	if err := k8s.Create(ctx, sa); err != nil {
		t.Fatal(err)
	}
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: e.namespace}}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var u unstructured.Unstructured
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil || len(u.Object) == 0 {
			continue
		}
		raw, _ := u.MarshalJSON()
		switch u.GetKind() {
		case "ClusterRole":
			var role rbacv1.ClusterRole
			if err := yaml.Unmarshal(raw, &role); err != nil {
				t.Fatal(err)
			}
			role.Name += "-" + e.id // cluster-scoped: one per test
			mustCreate(t, &role)
			mustCreate(t, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role.Name}, Subjects: subject,
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}})
		case "Role":
			var role rbacv1.Role
			if err := yaml.Unmarshal(raw, &role); err != nil {
				t.Fatal(err)
			}
			if role.Namespace != "pilar-system" {
				t.Errorf("the generated Role is in %q, not pilar-system", role.Namespace)
			}
			role.Namespace = e.namespace // the test's operator namespace
			mustCreate(t, &role)
			mustCreate(t, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: role.Name, Namespace: e.namespace}, Subjects: subject,
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}})
		}
	}

	cfg := rest.CopyConfig(cluster.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + e.namespace + ":pilar-operator"}
	e.startAs(cfg)
	// Dedicated first (Deployments and Services made), then Shared (and
	// removed), then deleted (finalizer removed): every verb the operator uses.
	r := e.create(e.region("sumedang", "rbac", func(r *v1alpha1.Region) {
		r.Spec.Database.ReclaimPolicy = v1alpha1.Delete
		r.Spec.Serving.Mode = v1alpha1.Dedicated
	}))
	e.eventually("the dedicated Deployment", func() (bool, string) {
		got := e.get(r.Name)
		return condition(got, v1alpha1.ConditionServingReady).Reason == ReasonDeploymentNotAvailable, conditions(got)
	})
	e.update(r.Name, func(r *v1alpha1.Region) { r.Spec.Serving.Mode = v1alpha1.Shared })
	e.waitReady(r.Name)
	// Events about a cluster-scoped Region go to "default".
	e.eventually("the Region's events stored", func() (bool, string) {
		var list eventsv1.EventList
		if err := k8s.List(ctx, &list, client.InNamespace(metav1.NamespaceDefault)); err != nil {
			return false, err.Error()
		}
		n := 0
		for _, ev := range list.Items {
			if ev.Regarding.Name == r.Name && ev.Regarding.Kind == "Region" {
				n++
			}
		}
		return n > 0, "no event"
	})
	e.delete(e.get(r.Name))
	if n := e.errors.Load(); n != 0 {
		t.Errorf("%d reconciles failed (forbidden?)", n)
	}
}

func mustCreate(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}
