package resources

import (
	corev1 "k8s.io/api/core/v1"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/policies"
)

// PolicyConfigMap is the region's rendered policy set: its text under
// policy.csv and its hash in the pilar.id/policy-hash annotation, so that a
// reader can tell which set it holds without hashing it again.
func PolicyConfigMap(region *v1alpha1.Region, namespace string, set *policies.Set) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		ObjectMeta: objectMeta(region, PolicyConfigMapName(region.Name), namespace),
		Data:       map[string]string{KeyPolicy: set.Text()},
	}
	cm.Annotations = map[string]string{AnnotationPolicyHash: set.Hash}
	return cm
}
