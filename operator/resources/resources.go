// Package resources builds the Kubernetes objects a Region wants, in the
// operator's namespace: the Secret with its database credentials, the
// ConfigMap with its rendered policy set and, for a region served on its own,
// the API server's Deployment and Service.
//
// The builders are pure functions of the Region and what the operator knows
// (credentials, the policy set, its flags): no client, no clock, no
// randomness, so that table tests cover them without a cluster. Each object is
// owned by its Region (a controller owner reference, so that the garbage
// collector removes it with the Region) and labelled with the region's name.
package resources

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"pilar.id/pilar/operator/api/v1alpha1"
)

// Labels and annotations on the objects the operator makes. The API server's
// cluster mode finds a region's objects by these names and keys.
const (
	// LabelRegion names the Region an object belongs to.
	LabelRegion = "pilar.id/region"
	// LabelManagedBy and ManagedBy say which program made the object.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "pilar-operator"
	// LabelComponent names the part of Pilar a workload runs.
	LabelComponent = "app.kubernetes.io/component"
	// AnnotationPolicyHash on the policy ConfigMap is policies.Set.Hash of its content.
	AnnotationPolicyHash = "pilar.id/policy-hash"
)

// Keys of the credentials Secret and the policy ConfigMap.
const (
	KeyUsername = "username"
	KeyPassword = "password"
	KeyDatabase = "database"
	KeyHost     = "host"
	KeyPort     = "port"
	KeyURI      = "uri"
	// KeyPolicy holds the policy set's text in the ConfigMap.
	KeyPolicy = "policy.csv"
)

// SecretName is the name of a region's credentials Secret.
func SecretName(region string) string { return "pilar-region-" + region }

// PolicyConfigMapName is the name of a region's policy ConfigMap.
func PolicyConfigMapName(region string) string { return "pilar-policy-" + region }

// DedicatedName is the name of a Dedicated region's Deployment and Service.
func DedicatedName(region string) string { return "pilar-apiserver-" + region }

// Labels are the labels of every object made for the region.
func Labels(region *v1alpha1.Region) map[string]string {
	return map[string]string{LabelRegion: region.Name, LabelManagedBy: ManagedBy}
}

// OwnerReference makes the Region the controller of an object: the garbage
// collector deletes the object with the Region, and the Region cannot be
// removed from under it while deletion blocks on it.
func OwnerReference(region *v1alpha1.Region) metav1.OwnerReference {
	return *metav1.NewControllerRef(region, v1alpha1.GroupVersion.WithKind("Region"))
}

func objectMeta(region *v1alpha1.Region, name, namespace string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:            name,
		Namespace:       namespace,
		Labels:          Labels(region),
		OwnerReferences: []metav1.OwnerReference{OwnerReference(region)},
	}
}
