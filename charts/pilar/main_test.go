package chart_test

import (
	"os"
	"testing"

	"pilar.id/pilar/internal/testcluster"
)

// cluster is the throwaway API server the rendered chart is dry-run on.
var cluster *testcluster.Cluster

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m, &cluster)) }
