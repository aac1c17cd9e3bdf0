package resources

import (
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"pilar.id/pilar/operator/api/v1alpha1"
)

// ServingOptions are the operator's settings for dedicated API servers.
type ServingOptions struct {
	// Image of the API server (the operator's --apiserver-image).
	Image string
	// ServiceAccount the API server runs as; it must be allowed to read
	// Regions, and the Secrets and ConfigMaps of the operator's namespace.
	ServiceAccount string
	// NIKKeySecret and NIKKeySecretKey name the platform's key for hashing
	// national ID numbers, which the API server's cluster mode requires
	// (-nik-key-file); the Secret is mounted read-only.
	NIKKeySecret    string
	NIKKeySecretKey string
}

// The API server's port inside the pod and the Service's port.
const (
	apiserverPort = 8080
	servicePort   = 80
	// nonRootUID is the conventional "nonroot" user of distroless images. It
	// is set explicitly because runAsNonRoot alone cannot be checked against
	// an image whose USER is a name.
	nonRootUID = 65532
	// nikKeyDir is where the NIK key Secret is mounted.
	nikKeyDir = "/etc/pilar/nik"
)

// selectorLabels select a Dedicated region's API server pods. A Deployment's
// selector is immutable, so they never change.
func selectorLabels(region *v1alpha1.Region) map[string]string {
	return map[string]string{LabelRegion: region.Name, LabelComponent: "apiserver"}
}

func servingLabels(region *v1alpha1.Region) map[string]string {
	l := Labels(region)
	maps.Copy(l, selectorLabels(region))
	return l
}

// Deployment runs the API server for this region alone
// (-mode=cluster -region=<name>), hardened: not root, read-only root
// filesystem, no capabilities, no privilege escalation, the runtime's
// default seccomp profile. The pod learns the operator's namespace, where
// the region's Secret and ConfigMap live, from POD_NAMESPACE (the API
// server's -namespace defaults to it). Readiness is /readyz: with one region
// only, its database failing is exactly when the pod should get no traffic.
func Deployment(region *v1alpha1.Region, namespace string, o ServingOptions) *appsv1.Deployment {
	replicas := int32(1)
	if region.Spec.Serving.Replicas != nil {
		replicas = *region.Spec.Serving.Replicas
	}
	var res corev1.ResourceRequirements
	if region.Spec.Serving.Resources != nil {
		res = *region.Spec.Serving.Resources.DeepCopy()
	}
	// Every number of a probe is written out, the API server's defaults
	// included: the operator compares what it wants with what is stored,
	// and a zero left out would read as a difference forever.
	probe := func(path string, period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: path, Port: intstr.FromString("http"), Scheme: corev1.URISchemeHTTP,
			}},
			PeriodSeconds: period, FailureThreshold: failures, TimeoutSeconds: 1, SuccessThreshold: 1,
		}
	}
	d := &appsv1.Deployment{
		ObjectMeta: objectMeta(region, DedicatedName(region.Name), namespace),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selectorLabels(region)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: podMeta(region),
				Spec: corev1.PodSpec{
					ServiceAccountName: o.ServiceAccount,
					EnableServiceLinks: ptr.To(false),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr.To(true),
						RunAsUser:      ptr.To[int64](nonRootUID),
						RunAsGroup:     ptr.To[int64](nonRootUID),
						FSGroup:        ptr.To[int64](nonRootUID),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{{
						Name:  "apiserver",
						Image: o.Image,
						Args: []string{
							"-mode=cluster",
							"-region=" + region.Name,
							"-listen=:8080",
							"-nik-key-file=" + nikKeyDir + "/key",
						},
						Env: []corev1.EnvVar{{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{
							FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"},
						}}},
						Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: apiserverPort, Protocol: corev1.ProtocolTCP}},
						// The server listens once it serves the region: until then
						// the startup probe holds the other two back.
						StartupProbe:   probe("/healthz", 2, 90),
						LivenessProbe:  probe("/healthz", 20, 3),
						ReadinessProbe: probe("/readyz", 5, 3),
						Resources:      res,
						SecurityContext: &corev1.SecurityContext{
							RunAsNonRoot:             ptr.To(true),
							ReadOnlyRootFilesystem:   ptr.To(true),
							AllowPrivilegeEscalation: ptr.To(false),
							Privileged:               ptr.To(false),
							Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
							SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
						},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "nik-key", MountPath: nikKeyDir, ReadOnly: true},
							// The root filesystem is read-only; scratch space goes here.
							{Name: "tmp", MountPath: "/tmp"},
						},
					}},
					Volumes: []corev1.Volume{
						{Name: "nik-key", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
							SecretName: o.NIKKeySecret,
							Items:      []corev1.KeyToPath{{Key: o.NIKKeySecretKey, Path: "key"}},
							// Readable by the pod's group (fsGroup), as the
							// file belongs to root and the server does not run as root.
							DefaultMode: ptr.To[int32](0o440),
						}}},
						{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr.To(resource.MustParse("64Mi"))}}},
					},
				},
			},
		},
	}
	d.Labels = servingLabels(region)
	return d
}

func podMeta(region *v1alpha1.Region) metav1.ObjectMeta {
	return metav1.ObjectMeta{Labels: servingLabels(region)}
}

// Service exposes a Dedicated region's API server inside the cluster on port 80.
func Service(region *v1alpha1.Region, namespace string) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: objectMeta(region, DedicatedName(region.Name), namespace),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selectorLabels(region),
			Ports: []corev1.ServicePort{{
				Name: "http", Port: servicePort, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
	s.Labels = servingLabels(region)
	return s
}
