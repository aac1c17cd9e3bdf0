package v1alpha1_test

import (
	"os"
	"testing"

	"pilar.id/pilar/internal/testcluster"
)

// cluster is a throwaway API server with the generated CRD installed.
var cluster *testcluster.Cluster

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m, &cluster)) }
