// Package report holds the figures of a benchmark run and writes them out:
// benchmarks.json (the figures, for tools and for comparing runs) and
// BENCHMARKS.md (a table per scenario, the targets and whether they were met,
// for people). Both come from the same Report value.
package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"pilar.id/pilar/bench/gobench"
	"pilar.id/pilar/bench/load"
)

// Report is everything one run measured.
type Report struct {
	Mode     string    `json:"mode"` // "quick" or "full"
	Date     time.Time `json:"date"`
	Commit   string    `json:"commit"`
	Machine  Machine   `json:"machine"`
	Settings Settings  `json:"settings"`

	Onboarding []Onboarding `json:"onboarding"`
	Seeding    *Seeding     `json:"seeding,omitempty"`
	Footprint  *Footprint   `json:"footprint,omitempty"`
	Load       []LoadRun    `json:"load"`
	// GoBenchmarks are the Go benchmarks of policy enforcement, the request's
	// authorization and the audit log.
	GoBenchmarks []gobench.Result `json:"goBenchmarks"`
	// Casbin are the figures Casbin publishes, for comparison.
	Casbin []Published `json:"casbin"`
	// CasbinSource is where they are published.
	CasbinSource string   `json:"casbinSource"`
	Targets      []Target `json:"targets"`
	// Errors are the scenarios that could not run, or ran with failed requests.
	Errors []string `json:"errors,omitempty"`
	Notes  []string `json:"notes,omitempty"`
}

// Machine describes where the run ran.
type Machine struct {
	Cores      int     `json:"cores"`
	MemoryGiB  float64 `json:"memoryGiB"`
	CPU        string  `json:"cpu"`
	Go         string  `json:"go"`
	OS         string  `json:"os"`
	PostgreSQL string  `json:"postgresql"`
}

// Settings are the run's parameters.
type Settings struct {
	Regions          int     `json:"regions"`
	Skew             float64 `json:"zipfSkew"`
	Concurrency      []int   `json:"concurrency"`
	WarmupSeconds    float64 `json:"warmupSeconds"`
	DurationSeconds  float64 `json:"durationSeconds"`
	Rounds           int     `json:"rounds"`
	MaxRequests      int     `json:"maxRequests"`
	DBMaxConns       int     `json:"dbMaxConns"`
	IdleSeconds      float64 `json:"idleTimeoutSeconds"`
	PGMaxConnections int     `json:"pgMaxConnections"`
	Durability       string  `json:"durability"`
	BenchTime        string  `json:"benchTime"`
	BenchCount       int     `json:"benchCount"`
}

// Onboarding is one batch of Regions taken to Ready by the operator on
// envtest and the real PostgreSQL server, then resynced by a restarted one.
type Onboarding struct {
	Regions     int     `json:"regions"`
	Seconds     float64 `json:"seconds"`
	PerRegionMs float64 `json:"perRegionMs"`
	Reconciles  int64   `json:"reconciles"`
	Failures    int64   `json:"failedReconciles"`
	KubeWrites  int64   `json:"kubeWrites"`
	SQLWrites   int64   `json:"sqlWrites"`
	Resync      Resync  `json:"resync"`
}

// Resync is what a restarted operator did with regions already Ready.
type Resync struct {
	Seconds      float64  `json:"seconds"`
	Reconciles   int64    `json:"reconciles"`
	KubeWrites   int64    `json:"kubeWrites"`
	KubeWriteLog []string `json:"kubeWriteLog,omitempty"`
	SQLWrites    int64    `json:"sqlWrites"`
	SQLReads     int64    `json:"sqlReads"`
	Events       int64    `json:"events"`
}

// Seeding is the data put into the served regions before the load.
type Seeding struct {
	Regions      int     `json:"regions"`
	Seconds      float64 `json:"seconds"`
	Wards        int     `json:"wards"`
	Institutions int     `json:"institutions"`
	Proposals    int     `json:"proposals"`
	Accounts     int     `json:"accounts"`
	Skipped      int     `json:"skippedVillages"`
}

// Footprint is the API server's memory and database connections with every
// region registered: idle, right after a burst that touched each region
// once, and after the idle timeout.
type Footprint struct {
	Regions     int     `json:"regions"`
	IdleSeconds float64 `json:"idleTimeoutSeconds"`
	Phases      []Phase `json:"phases"`
	// BurstSeconds is how long touching every region once took; first
	// touches open the region's database.
	BurstSeconds float64 `json:"burstSeconds"`
	BurstFailed  int     `json:"burstFailed"`
	// ReleasedAfterSeconds is how long after the burst the connections were
	// gone; negative when they were not within the wait.
	ReleasedAfterSeconds float64 `json:"releasedAfterSeconds"`
}

// Phase is one reading of a process.
type Phase struct {
	Name string `json:"name"`
	// RSSMiB is VmRSS, PeakMiB VmHWM, of /proc/<pid>/status.
	RSSMiB  float64 `json:"rssMiB"`
	PeakMiB float64 `json:"peakMiB"`
	// Conns are the process's connections in pg_stat_activity.
	Conns int `json:"conns"`
	// OpenRegions are the regions whose database is open (the API server's
	// /readyz), -1 when unknown.
	OpenRegions int `json:"openRegions"`
}

// LoadRun is one workload at one concurrency, against Pilar and against the
// bare baseline (and their variants), one after the other on the same
// databases with the same sequence of regions.
type LoadRun struct {
	Workload    string      `json:"workload"` // "read" or "write"
	Concurrency int         `json:"concurrency"`
	Servers     []ServerRun `json:"servers"`
	// ThroughputRatio is Pilar's throughput over the baseline's; P99Ratio
	// Pilar's p99 over the baseline's.
	ThroughputRatio float64 `json:"throughputRatio"`
	P99Ratio        float64 `json:"p99Ratio"`
	CPURatio        float64 `json:"cpuRatio"`
}

// The servers of a load run.
const (
	Pilar          = "Pilar"
	PilarAnonymous = "Pilar, no token (public read)"
	Baseline       = "baseline"
	BaselineAudit  = "baseline + audit log"
	// PilarCompared is another build of the API server (PILARBENCH_COMPARE).
	PilarCompared = "Pilar, compared build"
)

// ServerRun is one server's part of a load run.
type ServerRun struct {
	Server string      `json:"server"`
	Result load.Result `json:"result"`
	// After is a reading of the server's process right after its run.
	After Phase `json:"after"`
	// CPU time spent per request, in microseconds: by the server process, by
	// PostgreSQL (postmaster and backends) and by the load generator. On a
	// machine shared with other work, these vary less than throughput.
	ServerCPUus float64 `json:"serverCpuMicros"`
	DBCPUus     float64 `json:"dbCpuMicros"`
	ClientCPUus float64 `json:"clientCpuMicros"`
	// ThroughputRatio and P99Ratio compare it with the baseline;
	// CPURatio is the baseline's server and database CPU per request over
	// this one's: the throughput ratio a CPU-bound machine would show.
	ThroughputRatio float64 `json:"throughputRatio"`
	P99Ratio        float64 `json:"p99Ratio"`
	CPURatio        float64 `json:"cpuRatio"`
}

// Server returns the run of the named server, or false.
func (l *LoadRun) Server(name string) (ServerRun, bool) {
	for _, s := range l.Servers {
		if s.Server == name {
			return s, true
		}
	}
	return ServerRun{}, false
}

// Compare sets every server's ratios to the baseline's, and the run's.
func (l *LoadRun) Compare() {
	base, ok := l.Server(Baseline)
	if !ok {
		return
	}
	for i := range l.Servers {
		s := &l.Servers[i]
		if base.Result.Throughput > 0 {
			s.ThroughputRatio = s.Result.Throughput / base.Result.Throughput
		}
		if base.Result.Latency.P99 > 0 {
			s.P99Ratio = s.Result.Latency.P99 / base.Result.Latency.P99
		}
		if cpu := s.ServerCPUus + s.DBCPUus; cpu > 0 {
			s.CPURatio = (base.ServerCPUus + base.DBCPUus) / cpu
		}
		if s.Server == Pilar {
			l.ThroughputRatio, l.P99Ratio, l.CPURatio = s.ThroughputRatio, s.P99Ratio, s.CPURatio
		}
	}
}

// Published is one figure Casbin publishes.
type Published struct {
	Case    string  `json:"case"`
	Rules   string  `json:"rules"`
	MsPerOp float64 `json:"msPerOp"`
	KB      float64 `json:"kb"`
}

// Target is one of the targets and how this run fared.
type Target struct {
	Name string `json:"name"`
	Want string `json:"want"`
	Got  string `json:"got"`
	// Status is "met", "missed" or "n/a".
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

// Write writes the figures as JSON to jsonPath and as Markdown to mdPath,
// making their directories when missing.
func (r *Report) Write(jsonPath, mdPath string) error {
	for _, p := range []string{jsonPath, mdPath} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(jsonPath, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(mdPath, []byte(r.Markdown()), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
