package testcluster_test

import (
	"os"
	"testing"

	"pilar.id/pilar/internal/testcluster"
)

// cluster is the API server the tests share.
var cluster *testcluster.Cluster

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m, &cluster)) }
