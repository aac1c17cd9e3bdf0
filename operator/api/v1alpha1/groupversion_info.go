// Package v1alpha1 holds the Region type of the pilar.id API group: the one
// description of a tenant. The same manifest is applied to a cluster with
// kubectl and read from tenants/*.yaml by the API server's embedded mode.
//
// +kubebuilder:object:generate=true
// +groupName=pilar.id
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the API group and version of the Region type.
	GroupVersion = schema.GroupVersion{Group: "pilar.id", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package with a runtime scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// NewScheme returns a scheme of Kubernetes' built-in kinds and this
// package's: what every client of Regions and the objects they own needs.
// Registering them fails only if the kinds conflict, a programming error:
// then it panics.
func NewScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(AddToScheme(s))
	return s
}
