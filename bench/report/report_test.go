package report

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pilar.id/pilar/bench/gobench"
	"pilar.id/pilar/bench/load"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func result(throughput, p99 float64) load.Result {
	return load.Result{Requests: int(throughput * 10), Seconds: 10, Throughput: throughput, Statuses: map[string]int{"200": int(throughput * 10)},
		Latency: load.Latency{Mean: p99 / 3, P50: p99 / 4, P95: p99 / 2, P99: p99, Max: 2 * p99}, RegionsTouched: 514, TopShare: 0.4}
}

// sample is a full run's report with one of each kind of figure.
func sample() *Report {
	r := &Report{
		Mode: "full", Date: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), Commit: "0123456789ab",
		Machine:  Machine{Cores: 2, MemoryGiB: 23.5, CPU: "Test CPU", Go: "go1.26", OS: "linux/amd64", PostgreSQL: "PostgreSQL 15"},
		Settings: Settings{Regions: 514, Skew: 1.1, Concurrency: []int{2, 8}, WarmupSeconds: 3, DurationSeconds: 30, Rounds: 3, MaxRequests: 1000, DBMaxConns: 4, IdleSeconds: 10, Durability: "off", BenchTime: "1s", BenchCount: 3},
		Onboarding: []Onboarding{{Regions: 514, Seconds: 300, PerRegionMs: 584, Reconciles: 1500, KubeWrites: 2056, SQLWrites: 3084,
			Resync: Resync{Seconds: 20, Reconciles: 514, SQLReads: 1028}}},
		Seeding: &Seeding{Regions: 514, Seconds: 100, Wards: 83000, Institutions: 700000, Proposals: 80000, Accounts: 1028, Skipped: 14},
		Footprint: &Footprint{Regions: 514, IdleSeconds: 10, BurstSeconds: 20, ReleasedAfterSeconds: 12, Phases: []Phase{
			{Name: "idle", RSSMiB: 250, PeakMiB: 260, Conns: 0, OpenRegions: 0},
			{Name: "burst", RSSMiB: 400, PeakMiB: 410, Conns: 1028, OpenRegions: 514},
			{Name: "after", RSSMiB: 380, PeakMiB: 410, Conns: 0, OpenRegions: 0},
		}},
		Load: []LoadRun{
			{Workload: "read", Concurrency: 4, Servers: []ServerRun{
				{Server: Pilar, Result: result(900, 8), ServerCPUus: 600, DBCPUus: 300},
				{Server: PilarAnonymous, Result: result(1000, 7), ServerCPUus: 550, DBCPUus: 200},
				{Server: Baseline, Result: result(1000, 6), ServerCPUus: 500, DBCPUus: 200},
			}},
			{Workload: "write", Concurrency: 16, Servers: []ServerRun{
				{Server: Pilar, Result: result(500, 40)},
				{Server: Baseline, Result: result(2000, 12)},
			}},
		},
		GoBenchmarks: []gobench.Result{
			{Package: "pilar.id/pilar/policies", Name: "Enforce/cached", Runs: 3, NsPerOp: 300, MinNsPerOp: 290, MaxNsPerOp: 310},
			{Package: "pilar.id/pilar/policies", Name: "Enforce/uncached", Runs: 3, NsPerOp: 6000, MinNsPerOp: 5000, MaxNsPerOp: 7000},
			{Package: "pilar.id/pilar/apiserver/authz", Name: "Authorize/cached", Runs: 3, NsPerOp: 1200, MinNsPerOp: 1100, MaxNsPerOp: 1300},
			{Package: "pilar.id/pilar/apiserver/authz", Name: "RequestAuthorization", Runs: 3, NsPerOp: 60000, MinNsPerOp: 50000, MaxNsPerOp: 70000},
		},
		Casbin:       []Published{{Case: "RBAC", Rules: "5 rules", MsPerOp: 0.021738, KB: 7.522}},
		CasbinSource: "https://casbin.org/docs/benchmark/",
		Notes:        []string{"A note."},
	}
	for i := range r.Load {
		r.Load[i].Compare()
	}
	Evaluate(r)
	return r
}

func TestEvaluate(t *testing.T) {
	r := sample()
	want := map[string]string{
		"authorised read, concurrency 4: throughput":                                                    Met, // 90%
		"authorised read, concurrency 4: p99":                                                           Met, // 8 ms, the baseline's 6
		"authorised write, concurrency 16: throughput":                                                  Missed,
		"authorised write, concurrency 16: p99":                                                         NA, // the baseline's p99 is 12 ms
		"514 idle regions: memory":                                                                      Met,
		"514 idle regions: database connections":                                                        Met,
		"touched regions release their connections after the idle timeout":                              Met,
		"cached enforcement (policies.BenchmarkEnforce/cached)":                                         Met,
		"cached authorization (authz.BenchmarkAuthorize/cached)":                                        Missed,
		"uncached enforcement (policies.BenchmarkEnforce/uncached)":                                     Met,
		"uncached authorization, cache cleared each time (authz.BenchmarkAuthorize/uncached)":           NA,
		"a request's grants read and decided among 10,000 grants (authz.BenchmarkRequestAuthorization)": Missed,
		"onboard 514 regions":                                                                           Met,
		"resync of 514 Ready regions":                                                                   Met,
	}
	got := map[string]string{}
	for _, tg := range r.Targets {
		got[tg.Name] = tg.Status
	}
	for name, status := range want {
		if got[name] != status {
			t.Errorf("%s: %q, want %q", name, got[name], status)
		}
	}
	if len(got) != len(want) {
		t.Errorf("targets %v", got)
	}
	if run := r.Load[0]; run.ThroughputRatio != 0.9 || run.CPURatio != 700.0/900 {
		t.Errorf("read ratios %v, %v", run.ThroughputRatio, run.CPURatio)
	}
}

// A quick run's figures on fewer regions than 514 do not claim the targets
// that speak of 514; those independent of the count still count.
func TestEvaluateScaledDown(t *testing.T) {
	r := sample()
	r.Footprint.Regions, r.Onboarding[0].Regions = 15, 15
	Evaluate(r)
	for _, tg := range r.Targets {
		switch tg.Name {
		case "15 idle regions: memory", "onboard 15 regions":
			if tg.Status != NA || tg.Note == "" {
				t.Errorf("%s: %s (%s)", tg.Name, tg.Status, tg.Note)
			}
		case "resync of 15 Ready regions", "15 idle regions: database connections":
			if tg.Status != Met {
				t.Errorf("%s: %s", tg.Name, tg.Status)
			}
		}
	}
}

func TestMarkdownGolden(t *testing.T) {
	got := sample().Markdown()
	path := filepath.Join("testdata", "report.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bench/report -update)", err)
	}
	if got != string(want) {
		t.Errorf("Markdown differs from %s (run go test ./bench/report -update and review the diff):\n%s", path, got)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	r := sample()
	jsonPath, mdPath := filepath.Join(dir, "out", "benchmarks.json"), filepath.Join(dir, "out", "BENCHMARKS.md")
	if err := r.Write(jsonPath, mdPath); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Load[0].Servers[0].Result.Throughput != 900 || len(back.Targets) != len(r.Targets) {
		t.Errorf("read back %+v", back.Load[0])
	}
	md, _ := os.ReadFile(mdPath)
	if !strings.HasPrefix(string(md), "# Benchmarks") {
		t.Errorf("BENCHMARKS.md starts %q", string(md[:20]))
	}
}
