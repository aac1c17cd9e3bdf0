package v1alpha1

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// ReadManifest reads a Region manifest such as tenants/bandung.yaml
// strictly: a field the Region type does not have is an error, as it is to
// `kubectl apply`.
func ReadManifest(path string) (*Region, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Region
	if err := yaml.UnmarshalStrict(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}
