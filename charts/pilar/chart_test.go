// Package chart_test renders the Pilar Helm chart with Helm's own Go packages
// and checks what it would install: hardened pods, no Secret data, values
// refused by the schema, and every object accepted by a real API server
// (envtest) in a server-side dry run.
package chart_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"pilar.id/pilar/internal/testcluster"
)

func load(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// render renders the chart as `helm install` would, values checked against
// values.schema.json, and returns the objects of its templates.
func render(ch *chart.Chart, namespace, values string) ([]*unstructured.Unstructured, error) {
	vals, err := chartutil.ReadValues([]byte(values))
	if err != nil {
		return nil, err
	}
	rv, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: "pilar", Namespace: namespace, IsInstall: true}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	files, err := engine.Render(ch, rv)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var objs []*unstructured.Unstructured
	for _, name := range names {
		if path.Ext(name) != ".yaml" {
			continue // NOTES.txt, _helpers.tpl
		}
		docs, err := splitYAML(files[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, doc := range docs {
			u := &unstructured.Unstructured{}
			if err := yaml.UnmarshalStrict(doc, &u.Object); err != nil {
				return nil, fmt.Errorf("%s: %w\n%s", name, err, doc)
			}
			objs = append(objs, u)
		}
	}
	return objs, nil
}

// splitYAML splits a multi-document YAML file, dropping empty documents.
func splitYAML(text string) ([][]byte, error) {
	var docs [][]byte
	for _, part := range strings.Split("\n"+text, "\n---") {
		var probe map[string]any
		if err := yaml.Unmarshal([]byte(part), &probe); err != nil {
			return nil, err
		}
		if len(probe) > 0 {
			docs = append(docs, []byte(part))
		}
	}
	return docs, nil
}

// variation exercises the optional parts of the chart.
const variation = `
postgres:
  adminSecretName: pg-admin-credentials
nikKey:
  secretName: pilar-nik
  key: platform-key
imagePullSecrets: [{name: registry-credentials}]
operator:
  image: {repository: registry.pilar.go.id/operator, tag: "1.2.3"}
  replicas: 2
  nodeSelector: {kubernetes.io/os: linux}
apiserver:
  image: {repository: registry.pilar.go.id/apiserver, tag: "1.2.3", pullPolicy: Always}
  replicas: 5
  baseDomain: pilar.go.id
  pathRegions: false
  dbMaxConns: 3
  dbIdle: 90s
  platform: {secretName: pilar-platform-db, key: uri}
  service: {type: LoadBalancer, port: 443}
  tolerations: [{key: dedicated, operator: Equal, value: pilar, effect: NoSchedule}]
`

func TestChartRendersHardenedPodsAndNoSecrets(t *testing.T) {
	ch := load(t)
	for _, tc := range []struct{ name, values string }{{"defaults", ""}, {"variation", variation}} {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := render(ch, "pilar-system", tc.values)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, u := range objs {
				kinds[u.GetKind()]++
				if u.GetKind() == "Secret" {
					t.Errorf("the chart renders Secret %s: credentials must come from Secrets that already exist", u.GetName())
				}
				if u.GetNamespace() == "" && !clusterScoped[u.GetKind()] {
					t.Errorf("%s %s has no namespace", u.GetKind(), u.GetName())
				}
			}
			for kind, n := range map[string]int{"Deployment": 2, "ServiceAccount": 2, "ClusterRole": 2, "ClusterRoleBinding": 2, "Role": 2, "RoleBinding": 2, "Service": 1} {
				if kinds[kind] != n {
					t.Errorf("%d %s objects, want %d (rendered %v)", kinds[kind], kind, n, kinds)
				}
			}
			deployments := map[string]*appsv1.Deployment{}
			for _, u := range objs {
				if u.GetKind() != "Deployment" {
					continue
				}
				var d appsv1.Deployment
				if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, &d, true); err != nil {
					t.Fatalf("Deployment %s: %v", u.GetName(), err)
				}
				checkHardened(t, &d)
				deployments[d.Name] = &d
			}
			api, op := deployments["pilar-apiserver"], deployments["pilar-operator"]
			if api == nil || op == nil {
				t.Fatalf("deployments %v, want pilar-apiserver and pilar-operator", slices.Sorted(maps.Keys(deployments)))
			}
			apiArgs := strings.Join(api.Spec.Template.Spec.Containers[0].Args, " ")
			opArgs := strings.Join(op.Spec.Template.Spec.Containers[0].Args, " ")
			for _, want := range []string{"-mode=cluster", "-nik-key-file=/etc/pilar/nik/key"} {
				if !strings.Contains(apiArgs, want) {
					t.Errorf("API server args %q lack %s", apiArgs, want)
				}
			}
			for _, want := range []string{"--namespace=pilar-system", "--leader-elect=true", "--health-probe-bind-address=:8081", "--apiserver-service-account=pilar-apiserver"} {
				if !strings.Contains(opArgs, want) {
					t.Errorf("operator args %q lack %s", opArgs, want)
				}
			}
			var nikSecret string
			for _, v := range api.Spec.Template.Spec.Volumes {
				if v.Secret != nil {
					nikSecret = v.Secret.SecretName
				}
			}
			dsnFrom := ""
			for _, e := range api.Spec.Template.Spec.Containers[0].Env {
				if e.Value != "" && strings.Contains(strings.ToUpper(e.Name), "DSN") {
					t.Errorf("env %s is given a literal value", e.Name)
				}
				if e.Name == "PILAR_PLATFORM_DSN" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					dsnFrom = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
				}
			}
			switch tc.name {
			case "defaults":
				if !strings.Contains(opArgs, "--default-server-secret=pilar-postgres-admin --apiserver-image=") || nikSecret != "pilar-nik-key" || dsnFrom != "" ||
					!strings.Contains(opArgs, "--nik-key-secret=pilar-nik-key --nik-key-secret-key=key") {
					t.Errorf("defaults: operator args %q, NIK key Secret %q, platform DSN from %q", opArgs, nikSecret, dsnFrom)
				}
				if *api.Spec.Replicas != 2 || !strings.Contains(opArgs, "--apiserver-image=ghcr.io/pilar-id/apiserver:"+ch.Metadata.AppVersion) {
					t.Errorf("defaults: %d API server replicas, operator args %q", *api.Spec.Replicas, opArgs)
				}
			case "variation":
				if !strings.Contains(opArgs, "--default-server-secret=pg-admin-credentials") || nikSecret != "pilar-nik" || dsnFrom != "pilar-platform-db/uri" ||
					!strings.Contains(opArgs, "--nik-key-secret=pilar-nik --nik-key-secret-key=platform-key") {
					t.Errorf("variation: operator args %q, NIK key Secret %q, platform DSN from %q", opArgs, nikSecret, dsnFrom)
				}
				if *api.Spec.Replicas != 5 || !strings.Contains(apiArgs, "-base-domain=pilar.go.id") || !strings.Contains(apiArgs, "-path-regions=false") ||
					!strings.Contains(apiArgs, "-db-idle=90s") || api.Spec.Template.Spec.Containers[0].Image != "registry.pilar.go.id/apiserver:1.2.3" {
					t.Errorf("variation: %d replicas, args %q, image %s", *api.Spec.Replicas, apiArgs, api.Spec.Template.Spec.Containers[0].Image)
				}
			}
		})
	}
}

var clusterScoped = map[string]bool{"ClusterRole": true, "ClusterRoleBinding": true, "Namespace": true, "CustomResourceDefinition": true}

// checkHardened fails unless every container of d runs as non-root, with no
// privilege escalation, no capability, a read-only root filesystem and the
// runtime's default seccomp profile.
func checkHardened(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	pod := d.Spec.Template.Spec
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod security context %+v", d.Name, psc)
	}
	for _, v := range pod.Volumes {
		// Secret files belong to root; the non-root user reads them through
		// the pod's fsGroup and the group-read bit.
		if s := v.Secret; s != nil && (psc == nil || psc.FSGroup == nil || s.DefaultMode == nil || *s.DefaultMode&0o040 == 0 || *s.DefaultMode&0o007 != 0) {
			t.Errorf("%s: Secret volume %s: mode %v with fsGroup %v: unreadable by the pod's user, or readable by others", d.Name, v.Name, s.DefaultMode, psc.FSGroup)
		}
	}
	containers := append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...)
	for _, c := range containers {
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Errorf("%s/%s: no security context", d.Name, c.Name)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Errorf("%s/%s: privilege escalation allowed", d.Name, c.Name)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Errorf("%s/%s: writable root filesystem", d.Name, c.Name)
		case sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" || len(sc.Capabilities.Add) > 0:
			t.Errorf("%s/%s: capabilities %+v, want all dropped and none added", d.Name, c.Name, sc.Capabilities)
		case sc.Privileged != nil && *sc.Privileged:
			t.Errorf("%s/%s: privileged", d.Name, c.Name)
		}
		if c.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s/%s: no memory limit", d.Name, c.Name)
		}
		for _, m := range c.VolumeMounts {
			if !m.ReadOnly && m.MountPath != "/tmp" {
				t.Errorf("%s/%s: writable mount %s", d.Name, c.Name, m.MountPath)
			}
		}
	}
}

func TestValuesSchemaRefusesWhatItShould(t *testing.T) {
	ch := load(t)
	for _, tt := range []struct{ name, values, want string }{
		{"a password in values", "postgres: {adminSecretName: pg, password: hunter2}", "password"},
		{"a replica count in words", "apiserver: {replicas: two}", "replicas"},
		{"a fractional replica count", "operator: {replicas: 1.5}", "replicas"},
		{"no replicas", "apiserver: {replicas: 0}", "replicas"},
		{"an unknown value", "ingress: {enabled: true}", "ingress"},
		{"a DSN in values", "apiserver: {platform: {dsn: 'postgres://u:p@h/db'}}", "dsn"},
		{"no admin Secret", "postgres: {adminSecretName: ''}", "adminSecretName"},
		{"a bad duration", "apiserver: {dbIdle: 'five minutes'}", "dbIdle"},
		{"a bad log level", "operator: {logLevel: loud}", "logLevel"},
		{"a pool too large", "apiserver: {dbMaxConns: 500}", "dbMaxConns"},
	} {
		_, err := render(ch, "pilar-system", tt.values)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want a schema error naming %s", tt.name, err, tt.want)
		}
	}
	if _, err := render(ch, "pilar-system", "operator: {replicas: 2, leaderElect: false}"); err == nil || !strings.Contains(err.Error(), "leaderElect") {
		t.Errorf("two operators without a leader election: %v", err)
	}
}

// Every object the chart renders, and its CRD, is accepted by a real API
// server: a server-side dry run with strict field validation, in a namespace
// of its own.
func TestChartAppliesToAnAPIServer(t *testing.T) {
	cl := cluster.Client(t, clientgoscheme.Scheme)
	ctx := t.Context()
	ch := load(t)
	for _, tc := range []struct{ name, values string }{{"defaults", ""}, {"variation", variation}} {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := render(ch, testcluster.Namespace(t, cl, "chart-"), tc.values)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range objs {
				if err := cl.Create(ctx, u, client.DryRunAll, client.FieldValidation("Strict")); err != nil {
					t.Errorf("%s %s: %v", u.GetKind(), u.GetName(), err)
				}
			}
		})
	}
	crds := ch.CRDObjects()
	if len(crds) == 0 {
		t.Fatal("the chart holds no CRD")
	}
	for _, crd := range crds {
		docs, err := splitYAML(string(crd.File.Data))
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(doc, &u.Object); err != nil {
				t.Fatal(err)
			}
			// The CRD is installed already (envtest installs config/crd/bases),
			// so it is applied rather than created.
			err := cl.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.DryRunAll, client.FieldOwner("helm"), client.ForceOwnership)
			if err != nil {
				t.Errorf("%s: %v", crd.Name, err)
			}
		}
	}
}

// The operator's RBAC in the chart is what its reconciler's markers generate
// into config/rbac/role.yaml: no permission missing, none added.
func TestChartOperatorRBACIsTheGeneratedOne(t *testing.T) {
	data, err := os.ReadFile("../../config/rbac/role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := splitYAML(string(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]bool{}
	for _, doc := range docs {
		var role rbacv1.ClusterRole // a Role has the same rules
		if err := yaml.Unmarshal(doc, &role); err != nil {
			t.Fatal(err)
		}
		want[role.Kind] = permissions(role.Rules)
	}
	objs, err := render(load(t), "pilar-system", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range objs {
		if u.GetName() != "pilar-operator" || (u.GetKind() != "ClusterRole" && u.GetKind() != "Role") {
			continue
		}
		var role rbacv1.ClusterRole
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &role); err != nil {
			t.Fatal(err)
		}
		got := permissions(role.Rules)
		for p := range want[u.GetKind()] {
			if !got[p] {
				t.Errorf("the chart's %s lacks %s, which config/rbac/role.yaml grants", u.GetKind(), p)
			}
		}
		for p := range got {
			if !want[u.GetKind()][p] {
				t.Errorf("the chart's %s grants %s, which config/rbac/role.yaml does not", u.GetKind(), p)
			}
		}
		delete(want, u.GetKind())
	}
	for kind := range want {
		t.Errorf("the chart renders no operator %s", kind)
	}
}

// permissions flattens rules into "group/resource verb" strings.
func permissions(rules []rbacv1.PolicyRule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					out[g+"/"+res+" "+v] = true
				}
			}
		}
	}
	return out
}

// The chart's CRD is the one generated into config/crd/bases.
func TestChartCRDIsTheGeneratedOne(t *testing.T) {
	for _, crd := range load(t).CRDObjects() {
		want, err := os.ReadFile("../../config/crd/bases/" + path.Base(crd.Filename))
		if errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: no such file in config/crd/bases", crd.Filename)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(crd.File.Data, want) {
			t.Errorf("%s differs from config/crd/bases: run make generate-k8s", crd.Filename)
		}
	}
}
