package main

import (
	"os"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	quick, err := parseConfig(nil, env(map[string]string{"BENCH_QUICK": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	if !quick.quick || quick.regions != 15 || len(quick.batches) != 1 || quick.batches[0] != 15 || quick.duration > 10*time.Second {
		t.Errorf("quick: %+v", quick)
	}
	full, err := parseConfig(nil, env(map[string]string{"BENCH_QUICK": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if full.quick || full.regions != 514 || len(full.batches) != 3 || full.batches[2] != 514 {
		t.Errorf("full: %+v", full)
	}
	c, err := parseConfig([]string{"-regions", "40", "-concurrency", "2, 8", "-out", "x"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.regions != 40 || len(c.batches) != 1 || len(c.concurrency) != 2 || c.concurrency[1] != 8 || c.mdPath != "x/BENCHMARKS.md" {
		t.Errorf("flags: %+v", c)
	}
	if _, err := parseConfig([]string{"-concurrency", "0"}, env(nil)); err == nil {
		t.Error("concurrency 0 accepted")
	}
}

func TestProcStat(t *testing.T) {
	// Burn a little CPU so that this process has some to show.
	deadline := time.Now().Add(30 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	ppid, self, _, err := procStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if ppid != os.Getppid() || self <= 0 {
		t.Errorf("ppid %d (want %d), cpu %v", ppid, os.Getppid(), self)
	}
	tree, err := treeCPUSeconds(os.Getpid())
	if err != nil || tree < self {
		t.Errorf("tree %v < self %v (%v)", tree, self, err)
	}
	if own := ownCPUSeconds(); own <= 0 {
		t.Errorf("own CPU %v", own)
	}
	if rss, peak, err := memory(os.Getpid()); err != nil || rss <= 0 || peak < rss {
		t.Errorf("memory %v %v %v", rss, peak, err)
	}
}
