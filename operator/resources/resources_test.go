package resources

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/policies"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func region(name string, mutate ...func(*v1alpha1.Region)) *v1alpha1.Region {
	r := &v1alpha1.Region{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name)},
		Spec:       v1alpha1.RegionSpec{Code: "32.73", Name: "Kota " + name},
	}
	for _, m := range mutate {
		m(r)
	}
	return r
}

// Every object is owned by its Region, as controller, and labelled with it.
func TestEveryObjectIsOwnedAndLabelled(t *testing.T) {
	r := region("bandung")
	set, err := policies.Render("")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		obj  client.Object
		name string
	}{
		{CredentialsSecret(r, "pilar-system", Credentials{}), "pilar-region-bandung"},
		{PolicyConfigMap(r, "pilar-system", set), "pilar-policy-bandung"},
		{Deployment(r, "pilar-system", ServingOptions{Image: "img"}), "pilar-apiserver-bandung"},
		{Service(r, "pilar-system"), "pilar-apiserver-bandung"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.obj.GetName() != tt.name || tt.obj.GetNamespace() != "pilar-system" {
				t.Errorf("object %s/%s, want pilar-system/%s", tt.obj.GetNamespace(), tt.obj.GetName(), tt.name)
			}
			if got := tt.obj.GetLabels()[LabelRegion]; got != "bandung" {
				t.Errorf("label %s=%q, want bandung", LabelRegion, got)
			}
			refs := tt.obj.GetOwnerReferences()
			want := metav1.OwnerReference{APIVersion: "pilar.id/v1alpha1", Kind: "Region", Name: "bandung",
				UID: "uid-bandung", Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
			if len(refs) != 1 || refs[0].String() != want.String() {
				t.Errorf("owner references %v, want [%v]", refs, want)
			}
		})
	}
}

func TestCredentialsSecret(t *testing.T) {
	tests := []struct {
		name    string
		c       Credentials
		wantURI string
	}{
		{"plain", Credentials{Host: "pg.db", Port: 5432, Username: "pilar_bandung", Password: "pw", Database: "pilar_bandung"},
			"postgres://pilar_bandung:pw@pg.db:5432/pilar_bandung?sslmode=disable"},
		{"tls and an awkward password", Credentials{Host: "10.0.0.1", Port: 6432, Username: "u", Password: "p@ss/w:rd", Database: "d", SSLMode: "verify-full"},
			"postgres://u:p%40ss%2Fw%3Ard@10.0.0.1:6432/d?sslmode=verify-full"},
		{"IPv6", Credentials{Host: "fd00::1", Port: 5432, Username: "u", Password: "p", Database: "d"},
			"postgres://u:p@[fd00::1]:5432/d?sslmode=disable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := CredentialsSecret(region("bandung"), "ns", tt.c)
			want := map[string]string{
				"username": tt.c.Username, "password": tt.c.Password, "database": tt.c.Database,
				"host": tt.c.Host, "port": strconv.Itoa(tt.c.Port), "uri": tt.wantURI,
			}
			if len(s.Data) != len(want) {
				t.Errorf("keys %v, want %v", slices.Sorted(maps.Keys(s.Data)), want)
			}
			for k, v := range want {
				if got := string(s.Data[k]); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if s.Type != corev1.SecretTypeOpaque {
				t.Errorf("type %s", s.Type)
			}
		})
	}
}

func TestPolicyConfigMapHoldsTheRenderedSet(t *testing.T) {
	for _, overrides := range []string{"", "allow forum-lpm participation:read\n"} {
		set, err := policies.Render(overrides)
		if err != nil {
			t.Fatal(err)
		}
		cm := PolicyConfigMap(region("bandung"), "ns", set)
		if cm.Data[KeyPolicy] != set.Text() {
			t.Errorf("policy.csv differs from the set's text")
		}
		if cm.Annotations[AnnotationPolicyHash] != set.Hash || set.Hash == "" {
			t.Errorf("hash annotation %q, want %q", cm.Annotations[AnnotationPolicyHash], set.Hash)
		}
		if len(cm.Data) != 1 {
			t.Errorf("keys %v, want only %s", cm.Data, KeyPolicy)
		}
	}
}

func TestDeploymentIsHardened(t *testing.T) {
	d := Deployment(region("bandung"), "ns", ServingOptions{Image: "ghcr.io/pilar/apiserver:1", ServiceAccount: "pilar-apiserver",
		NIKKeySecret: "pilar-nik-key", NIKKeySecretKey: "key"})
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	checks := []struct {
		what string
		ok   bool
	}{
		{"pod runAsNonRoot", *pod.SecurityContext.RunAsNonRoot},
		{"pod runs as a non-zero uid", *pod.SecurityContext.RunAsUser != 0},
		{"pod seccomp RuntimeDefault", pod.SecurityContext.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"container runAsNonRoot", *sc.RunAsNonRoot},
		{"read-only root filesystem", *sc.ReadOnlyRootFilesystem},
		{"no privilege escalation", !*sc.AllowPrivilegeEscalation},
		{"not privileged", !*sc.Privileged},
		{"all capabilities dropped", slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) && len(sc.Capabilities.Add) == 0},
		{"container seccomp RuntimeDefault", sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"image from the options", c.Image == "ghcr.io/pilar/apiserver:1"},
		{"service account from the options", pod.ServiceAccountName == "pilar-apiserver"},
		{"cluster mode for this region", slices.Equal(c.Args, []string{"-mode=cluster", "-region=bandung", "-listen=:8080", "-nik-key-file=/etc/pilar/nik/key"})},
		{"the NIK key mounted read-only", c.VolumeMounts[0].MountPath == "/etc/pilar/nik" && c.VolumeMounts[0].ReadOnly &&
			pod.Volumes[0].Secret.SecretName == "pilar-nik-key" && pod.Volumes[0].Secret.Items[0].Key == "key"},
		{"the NIK key readable by the pod's group", *pod.SecurityContext.FSGroup == *pod.SecurityContext.RunAsGroup && *pod.Volumes[0].Secret.DefaultMode == 0o440},
		{"a writable /tmp", c.VolumeMounts[1].MountPath == "/tmp" && pod.Volumes[1].EmptyDir != nil},
		{"the namespace from the downward API", c.Env[0].Name == "POD_NAMESPACE" && c.Env[0].ValueFrom.FieldRef.FieldPath == "metadata.namespace"},
		{"readiness on /readyz", c.ReadinessProbe.HTTPGet.Path == "/readyz"},
		{"liveness on /healthz", c.LivenessProbe.HTTPGet.Path == "/healthz"},
		{"startup on /healthz", c.StartupProbe.HTTPGet.Path == "/healthz"},
	}
	for _, check := range checks {
		if !check.ok {
			t.Errorf("not so: %s", check.what)
		}
	}
}

func TestDeploymentFollowsTheServingSpec(t *testing.T) {
	limits := corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}
	tests := []struct {
		name         string
		serving      v1alpha1.ServingSpec
		wantReplicas int32
		wantLimits   corev1.ResourceList
	}{
		{"defaults", v1alpha1.ServingSpec{Mode: v1alpha1.Dedicated}, 1, nil},
		{"replicas and resources", v1alpha1.ServingSpec{Mode: v1alpha1.Dedicated, Replicas: ptr.To[int32](3),
			Resources: &corev1.ResourceRequirements{Limits: limits}}, 3, limits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := region("bandung", func(r *v1alpha1.Region) { r.Spec.Serving = tt.serving })
			d := Deployment(r, "ns", ServingOptions{Image: "img"})
			if *d.Spec.Replicas != tt.wantReplicas {
				t.Errorf("replicas %d, want %d", *d.Spec.Replicas, tt.wantReplicas)
			}
			got := d.Spec.Template.Spec.Containers[0].Resources.Limits
			if len(got) != len(tt.wantLimits) || !got.Memory().Equal(*tt.wantLimits.Memory()) {
				t.Errorf("limits %v, want %v", got, tt.wantLimits)
			}
			// The builder copies the resources: changing the Region afterwards
			// leaves the Deployment alone.
			if tt.serving.Resources != nil {
				tt.serving.Resources.Limits[corev1.ResourceMemory] = resource.MustParse("1Gi")
				if !got.Memory().Equal(resource.MustParse("256Mi")) {
					t.Error("the Deployment shares the Region's resource list")
				}
			}
		})
	}
}

func TestServiceSelectsTheDeploymentsPods(t *testing.T) {
	r := region("bandung")
	d := Deployment(r, "ns", ServingOptions{Image: "img"})
	s := Service(r, "ns")
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("the Deployment's selector %s=%s misses its own pods", k, v)
		}
		if s.Spec.Selector[k] != v {
			t.Errorf("the Service's selector lacks %s=%s", k, v)
		}
	}
	if len(s.Spec.Selector) != len(d.Spec.Selector.MatchLabels) {
		t.Errorf("selectors differ: %v and %v", s.Spec.Selector, d.Spec.Selector.MatchLabels)
	}
	// Two regions' pods never mix.
	other := Service(region("sumedang"), "ns")
	if other.Spec.Selector[LabelRegion] == s.Spec.Selector[LabelRegion] {
		t.Error("two regions share a selector")
	}
	if p := s.Spec.Ports[0]; p.Port != 80 || p.TargetPort.StrVal != "http" {
		t.Errorf("port %+v", p)
	}
}

// The whole Deployment and Service as YAML, to review a change of builder in
// one diff. go test ./operator/resources -update rewrites them.
func TestGolden(t *testing.T) {
	r := region("bandung", func(r *v1alpha1.Region) {
		r.Spec.Serving = v1alpha1.ServingSpec{Mode: v1alpha1.Dedicated, Replicas: ptr.To[int32](2), Host: "bandung.pilar.go.id"}
	})
	tests := []struct {
		file string
		obj  any
	}{
		{"deployment.yaml", Deployment(r, "pilar-system", ServingOptions{Image: "ghcr.io/pilar/apiserver:v1", ServiceAccount: "pilar-apiserver",
			NIKKeySecret: "pilar-nik-key", NIKKeySecretKey: "key"})},
		{"service.yaml", Service(r, "pilar-system")},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := yaml.Marshal(tt.obj)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the builder's output (run with -update after checking):\n%s", path, got)
			}
		})
	}
}
