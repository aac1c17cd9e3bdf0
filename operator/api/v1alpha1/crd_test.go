package v1alpha1_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"pilar.id/pilar/operator/api/v1alpha1"
)

func readRegion(t *testing.T, path string) *v1alpha1.Region {
	t.Helper()
	r, err := v1alpha1.ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The demo manifests are accepted by a real API server with the generated CRD,
// exactly as they are read by the embedded mode.
func TestDemoRegionsAreAcceptedByTheCRD(t *testing.T) {
	k8s := cluster.Client(t, v1alpha1.NewScheme())
	for _, f := range []string{"bandung", "sumedang"} {
		r := readRegion(t, "../../../tenants/"+f+".yaml")
		if err := k8s.Create(context.Background(), r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var got v1alpha1.Region
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: r.Name}, &got); err != nil {
			t.Fatal(err)
		}
		if got.Spec.Code != r.Spec.Code || len(got.Spec.Pillars) != len(r.Spec.Pillars) {
			t.Errorf("%s: stored %+v", f, got.Spec)
		}
	}
}

func TestCRDSchemaRefusesBadValues(t *testing.T) {
	k8s := cluster.Client(t, v1alpha1.NewScheme())
	tests := []struct {
		name   string
		mutate func(r *v1alpha1.Region)
		want   string
	}{
		{"negative allocation", func(r *v1alpha1.Region) { r.Spec.TwoPillar.AllocationPerInstitution = -1 }, "allocationPerInstitution"},
		{"malformed code", func(r *v1alpha1.Region) { r.Spec.Code = "3273" }, "spec.code"},
		{"unknown pillar", func(r *v1alpha1.Region) { r.Spec.Pillars = []v1alpha1.Pillar{"FivePillar"} }, "spec.pillars"},
		{"ward code outside the pattern", func(r *v1alpha1.Region) { r.Spec.Areas.Kecamatan[0].Wards[0].Code = "32.73.01.9001" }, "code"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := readRegion(t, "../../../tenants/bandung.yaml")
			r.Name = fmt.Sprintf("bad-%d", i)
			tt.mutate(r)
			err := k8s.Create(context.Background(), r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %s", err, tt.want)
			}
		})
	}
}
