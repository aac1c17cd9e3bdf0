// Command pilarbench runs Pilar's benchmark suite (`make bench`) and writes
// BENCHMARKS.md and benchmarks.json at the repository root.
//
// In one run, on one throwaway PostgreSQL server and one envtest API server:
//
//   - the operator (its production reconciler, in this process) onboards
//     batches of regions generated from Indonesia's administrative areas and
//     is restarted to resync them, its writes counted;
//   - every served region is seeded with its tree, a ward office and a
//     resident with API tokens, and proposals;
//   - the API server, built from ./apiserver and run as its own process in
//     the cluster mode, serves every region: its memory and connections are
//     read idle, after a burst touching every region, and after its idle
//     timeout;
//   - an authorised read and an authorised write are sent from this process
//     over loopback, skewed over the regions, to the API server and to the
//     bare baseline (./bench/cmd/baseline) on the same databases;
//   - the Go benchmarks of policy enforcement, authorization and the audit
//     log run, beside the figures Casbin publishes.
//
// PILARBENCH_APISERVER names an API server binary to measure instead of one
// built from the tree: another build, for a before-and-after comparison;
// PILARBENCH_BASELINE_FLAGS adds flags to the baseline's (e.g.
// -query-exec-mode simple_protocol); PILARBENCH_COMPARE names a second API
// server binary, loaded in turn with the first in the same run: a
// before-and-after comparison that other work on the machine cannot skew.
//
// -quick (or BENCH_QUICK=1) takes the 15 largest regions and short runs and
// finishes in under two minutes; the full mode takes all 514. A scenario
// that cannot run, or whose requests fail, makes the command exit non-zero
// after writing what it measured; a slow machine never does.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"pilar.id/pilar/bench/gobench"
	"pilar.id/pilar/bench/report"
	"pilar.id/pilar/bench/wilayah"
	"pilar.id/pilar/internal/childproc"
	"pilar.id/pilar/internal/testcluster"
	"pilar.id/pilar/internal/testpg"
	"pilar.id/pilar/operator/api/v1alpha1"
)

// config is the run's shape, fixed by the mode and a few flags.
type config struct {
	quick          bool
	root           string
	regions        int
	batches        []int // onboarding batches; the last one is served
	concurrency    []int
	warmup         time.Duration
	duration       time.Duration // of each server's runs in all
	rounds         int           // the servers take turns this many times
	maxRequests    int
	idle           time.Duration
	dbMaxConns     int
	skew           float64
	benchtime      string
	benchcount     int
	onboardTimeout time.Duration
	deadline       time.Duration
	jsonPath       string
	mdPath         string
	render         string // a benchmarks.json to write BENCHMARKS.md from
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("pilarbench", flag.ContinueOnError)
	quick := fs.Bool("quick", getenv("BENCH_QUICK") != "" && getenv("BENCH_QUICK") != "0", "a quick look: 15 regions, short runs (also BENCH_QUICK=1)")
	regions := fs.Int("regions", 0, "regions served (default 15 quick, 514 full)")
	conc := fs.String("concurrency", "", "comma-separated load concurrencies (default 4 quick, 2,8 full)")
	duration := fs.Duration("duration", 0, "measured length of each server's load, all rounds together (default 4s quick, 30s full)")
	rounds := fs.Int("rounds", 0, "rounds in which the servers take turns (default 2 quick, 3 full)")
	out := fs.String("out", ".", "directory to write BENCHMARKS.md and benchmarks.json into")
	render := fs.String("render", "", "measure nothing: write BENCHMARKS.md again from this benchmarks.json (after a change of the report's text)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	c := config{quick: *quick, skew: 1.1, dbMaxConns: 4}
	if c.quick {
		c.regions, c.concurrency = 15, []int{4}
		c.warmup, c.duration, c.rounds, c.maxRequests = time.Second, 4*time.Second, 2, 200_000
		c.idle, c.benchtime, c.benchcount = 4*time.Second, "150ms", 1
		c.deadline = 5 * time.Minute
	} else {
		c.regions, c.concurrency = 514, []int{2, 8}
		c.warmup, c.duration, c.rounds, c.maxRequests = 3*time.Second, 30*time.Second, 3, 2_000_000
		c.idle, c.benchtime, c.benchcount = 30*time.Second, "1s", 3
		c.deadline = 90 * time.Minute
	}
	if *regions > 0 {
		c.regions = *regions
	}
	// Bounds for a machine several times slower than the one the figures
	// were first taken on (0.3 s a region).
	c.onboardTimeout = time.Minute + time.Duration(c.regions)*1500*time.Millisecond
	c.deadline = max(c.deadline, 5*time.Minute+time.Duration(c.regions)*4*time.Second)
	if *duration > 0 {
		c.duration = *duration
	}
	if *rounds > 0 {
		c.rounds = *rounds
	}
	if *conc != "" {
		c.concurrency = nil
		for _, s := range strings.Split(*conc, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				return c, fmt.Errorf("-concurrency %q: want positive numbers separated by commas", *conc)
			}
			c.concurrency = append(c.concurrency, n)
		}
	}
	c.batches = []int{c.regions}
	if !c.quick && c.regions == 514 {
		c.batches = []int{50, 200, 514}
	}
	root, err := testcluster.RepoRoot()
	if err != nil {
		return c, err
	}
	c.root = root
	c.jsonPath = filepath.Join(*out, "benchmarks.json")
	c.mdPath = filepath.Join(*out, "BENCHMARKS.md")
	c.render = *render
	return c, nil
}

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pilarbench:", err)
		os.Exit(2)
	}
	if cfg.render != "" {
		if err := rerender(cfg.render, cfg.mdPath); err != nil {
			fmt.Fprintln(os.Stderr, "pilarbench:", err)
			os.Exit(1)
		}
		return
	}
	// controller-runtime's own logging (envtest, the managers) is not wanted here.
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithTimeout(context.Background(), cfg.deadline)
	defer cancel()
	rep := run(ctx, cfg)
	if err := rep.Write(cfg.jsonPath, cfg.mdPath); err != nil {
		fmt.Fprintln(os.Stderr, "pilarbench:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "wrote %s and %s\n", cfg.mdPath, cfg.jsonPath)
	for _, t := range rep.Targets {
		fmt.Fprintf(os.Stderr, "  %-7s %s: %s (want %s)\n", t.Status, t.Name, t.Got, t.Want)
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintln(os.Stderr, "pilarbench: these scenarios failed:")
		for _, e := range rep.Errors {
			fmt.Fprintln(os.Stderr, "  -", e)
		}
		os.Exit(1)
	}
}

// rerender writes the Markdown of a run's figures again from its JSON.
func rerender(jsonPath, mdPath string) error {
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		return err
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("%s: %w", jsonPath, err)
	}
	report.Evaluate(&rep)
	return os.WriteFile(mdPath, []byte(rep.Markdown()), 0o644)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

// run runs every scenario it can and returns the report; a failed scenario
// is recorded in the report's errors and the next one that does not depend on
// it still runs.
func run(ctx context.Context, cfg config) *report.Report {
	began := time.Now()
	rep := &report.Report{Date: began.UTC().Truncate(time.Second), Commit: commit(cfg.root), Machine: machine()}
	rep.Mode = "full"
	if cfg.quick {
		rep.Mode = "quick"
	}
	rep.Settings = report.Settings{Regions: cfg.regions, Skew: cfg.skew, Concurrency: cfg.concurrency,
		WarmupSeconds: cfg.warmup.Seconds(), DurationSeconds: cfg.duration.Seconds(), Rounds: cfg.rounds, MaxRequests: cfg.maxRequests,
		DBMaxConns: cfg.dbMaxConns, IdleSeconds: cfg.idle.Seconds(), Durability: "off (fsync, synchronous_commit and full_page_writes off, as in the tests)",
		BenchTime: cfg.benchtime, BenchCount: cfg.benchcount}
	rep.Casbin, rep.CasbinSource = casbinPublished()
	fail := func(what string, err error) { rep.Errors = append(rep.Errors, what+": "+err.Error()) }
	defer func() {
		report.Evaluate(rep)
		logf("done in %v", time.Since(began).Round(time.Second))
	}()

	// The Go benchmarks need nothing else; they run first, on a quiet machine.
	logf("Go benchmarks of policy enforcement, authorization and the audit log (-benchtime %s, -count %d)", cfg.benchtime, cfg.benchcount)
	results, err := gobench.Run(ctx, cfg.root, "^(BenchmarkEnforce|BenchmarkAuthorize|BenchmarkRequestAuthorization|BenchmarkAppend)$",
		cfg.benchtime, cfg.benchcount, os.Stderr, "./policies", "./apiserver/authz", "./apiserver/audit")
	if err != nil {
		fail("Go benchmarks", err)
	}
	rep.GoBenchmarks = results

	dataDir, err := wilayah.Dir(cfg.root, os.Getenv)
	if err != nil {
		fail("regions", err)
		return rep
	}
	all, err := wilayah.Load(os.DirFS(dataDir))
	if err != nil {
		fail("regions", err)
		return rep
	}
	if cfg.regions > len(all) {
		fail("regions", fmt.Errorf("-regions %d: the data set has %d", cfg.regions, len(all)))
		return rep
	}
	template, err := wilayah.ReadTemplate(filepath.Join(cfg.root, "tenants", "bandung.yaml"))
	if err != nil {
		fail("regions", err)
		return rep
	}

	tmp, err := os.MkdirTemp("", "pilarbench-")
	if err != nil {
		fail("setup", err)
		return rep
	}
	defer os.RemoveAll(tmp)
	logf("building ./apiserver and ./bench/cmd/baseline")
	apiserverBin := os.Getenv("PILARBENCH_APISERVER")
	if apiserverBin == "" {
		if apiserverBin, err = build(ctx, cfg.root, tmp, "./apiserver"); err != nil {
			fail("build", err)
			return rep
		}
	} else {
		rep.Notes = append(rep.Notes, "The API server was not built from this tree: PILARBENCH_APISERVER="+apiserverBin)
	}
	baselineBin, err := build(ctx, cfg.root, tmp, "./bench/cmd/baseline")
	if err != nil {
		fail("build", err)
		return rep
	}

	// Every region's pool in the API server(s) and in the baseline, the
	// operator's connections and some room.
	serverCount := 2
	if os.Getenv("PILARBENCH_COMPARE") != "" {
		serverCount = 3
	}
	maxConns := serverCount*cfg.regions*cfg.dbMaxConns + 200
	rep.Settings.PGMaxConnections = maxConns
	logf("starting PostgreSQL (max_connections %d)", maxConns)
	pg, err := testpg.StartWith(testpg.Options{MaxConnections: maxConns})
	if err != nil {
		fail("PostgreSQL", err)
		return rep
	}
	defer pg.Stop()
	rep.Machine.PostgreSQL = pgVersion(ctx, pg.AdminDSN())

	scheme := v1alpha1.NewScheme()
	// Each batch is onboarded on a fresh API server; the last one's stays up
	// for the API server to serve its regions.
	var cluster *testcluster.Cluster
	var served []*v1alpha1.Region
	for i, size := range cfg.batches {
		last := i == len(cfg.batches)-1
		if cluster, err = testcluster.Start(); err != nil {
			fail("envtest", err)
			return rep
		}
		admin, err := client.New(cluster.Config, client.Options{Scheme: scheme})
		if err == nil {
			err = prepareCluster(ctx, admin, pg)
		}
		if err != nil {
			fail("envtest", err)
			cluster.Stop()
			return rep
		}
		batch := fmt.Sprintf("b%d", size)
		prefix := ""
		if !last {
			prefix = fmt.Sprintf("o%d-", size) // its databases must not be the served batch's
		}
		var manifests []*v1alpha1.Region
		for _, r := range all[:size] {
			m, err := r.Manifest(template, prefix+r.Slug, map[string]string{batchLabel: batch})
			if err != nil {
				fail("regions", err)
				cluster.Stop()
				return rep
			}
			manifests = append(manifests, m)
		}
		logf("operator: onboarding %d regions", size)
		ob, err := onboard(ctx, cluster.Config, scheme, admin, batch, manifests, cfg.onboardTimeout, logf)
		rep.Onboarding = append(rep.Onboarding, ob)
		if err != nil {
			fail(fmt.Sprintf("onboarding %d regions", size), err)
			cluster.Stop()
			return rep
		}
		logf("  %d regions Ready in %.1fs (%.0f ms a region, %d Kubernetes writes, %d SQL writes); resync: %d reconciles, %d Kubernetes writes, %d SQL writes in %.1fs",
			size, ob.Seconds, ob.PerRegionMs, ob.KubeWrites, ob.SQLWrites, ob.Resync.Reconciles, ob.Resync.KubeWrites, ob.Resync.SQLWrites, ob.Resync.Seconds)
		if !last {
			if err := cluster.Stop(); err != nil {
				fail("envtest", err)
			}
			continue
		}
		served = manifests
		defer cluster.Stop()
	}

	admin, err := client.New(cluster.Config, client.Options{Scheme: scheme})
	if err != nil {
		fail("envtest", err)
		return rep
	}
	logf("seeding %d regions", len(served))
	ranks := make([]int, len(served))
	skipped := 0
	for i := range served {
		ranks[i] = all[i].Rank
		skipped += len(all[i].Skipped)
	}
	targets, seeding, err := seed(ctx, admin, served, ranks, 4)
	seeding.Skipped = skipped
	rep.Seeding = &seeding
	if err != nil {
		fail("seeding", err)
		return rep
	}
	logf("  %d wards, %d institutions, %d proposals in %.1fs", seeding.Wards, seeding.Institutions, seeding.Proposals, seeding.Seconds)

	files, err := writeFiles(tmp, cluster, targets)
	if err != nil {
		fail("setup", err)
		return rep
	}
	pilarArgs := func(port int, idle time.Duration) []string {
		args := []string{"-mode", "cluster", "-kubeconfig", files.kubeconfig, "-namespace", namespace,
			"-nik-key-file", files.nikKey, "-listen", fmt.Sprintf("127.0.0.1:%d", port), "-db-max-conns", strconv.Itoa(cfg.dbMaxConns)}
		if idle > 0 {
			args = append(args, "-db-idle", idle.String())
		}
		return args
	}
	env := func(app string) []string {
		return []string{"PGAPPNAME=" + app, "GOMAXPROCS=" + strconv.Itoa(runtime.NumCPU())}
	}

	// Footprint: a server with a short idle timeout.
	logf("API server footprint with %d regions (idle timeout %v)", len(targets), cfg.idle)
	if port, err := childproc.FreePort(); err != nil {
		fail("footprint", err)
	} else if p, err := start("apiserver", apiserverBin, pilarArgs(port, cfg.idle), env(appPilar), filepath.Join(tmp, "apiserver-footprint.log")); err != nil {
		fail("footprint", err)
	} else {
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		if err := waitHTTP(ctx, p, base+"/healthz", 3*time.Minute); err != nil {
			fail("footprint", err)
		} else {
			fp, err := footprint(ctx, cfg, p, base, pg.AdminDSN(), targets, logf)
			rep.Footprint = fp
			if err != nil {
				fail("footprint", err)
			}
		}
		p.stop()
	}

	// Load: the API server with its default idle timeout, and the baseline.
	logf("load: the API server and the baseline, %v a run after %v of warm-up", cfg.duration, cfg.warmup)
	var s servers
	s.adminDSN, s.pgPID = pg.AdminDSN(), pg.PID()
	pPort, err1 := childproc.FreePort()
	bPort, err2 := childproc.FreePort()
	if err := errors.Join(err1, err2); err != nil {
		fail("load", err)
		return rep
	}
	if s.pilar, err = start("apiserver", apiserverBin, pilarArgs(pPort, 0), env(appPilar), filepath.Join(tmp, "apiserver-load.log")); err != nil {
		fail("load", err)
		return rep
	}
	defer s.pilar.stop()
	baselineArgs := []string{"-listen", fmt.Sprintf("127.0.0.1:%d", bPort), "-regions", files.baselineRegions, "-max-conns", strconv.Itoa(cfg.dbMaxConns)}
	if extra := os.Getenv("PILARBENCH_BASELINE_FLAGS"); extra != "" {
		baselineArgs = append(baselineArgs, strings.Fields(extra)...)
		rep.Notes = append(rep.Notes, "The baseline ran with PILARBENCH_BASELINE_FLAGS="+extra)
	}
	if s.baseline, err = start("baseline", baselineBin, baselineArgs, env(appBaseline), filepath.Join(tmp, "baseline.log")); err != nil {
		fail("load", err)
		return rep
	}
	defer s.baseline.stop()
	s.pilarBase, s.baselineBase = fmt.Sprintf("http://127.0.0.1:%d", pPort), fmt.Sprintf("http://127.0.0.1:%d", bPort)
	if err := errors.Join(waitHTTP(ctx, s.pilar, s.pilarBase+"/healthz", 3*time.Minute), waitHTTP(ctx, s.baseline, s.baselineBase+"/healthz", time.Minute)); err != nil {
		fail("load", err)
		return rep
	}
	if other := os.Getenv("PILARBENCH_COMPARE"); other != "" {
		cPort, err := childproc.FreePort()
		if err == nil {
			s.compare, err = start("apiserver (compared)", other, pilarArgs(cPort, 0), env(appCompare), filepath.Join(tmp, "apiserver-compare.log"))
		}
		if err == nil {
			defer s.compare.stop()
			s.compareBase = fmt.Sprintf("http://127.0.0.1:%d", cPort)
			err = waitHTTP(ctx, s.compare, s.compareBase+"/healthz", 3*time.Minute)
		}
		if err != nil {
			fail("load", err)
			return rep
		}
		rep.Notes = append(rep.Notes, "*"+report.PilarCompared+"* is the API server binary PILARBENCH_COMPARE="+other+", loaded in turn with the others.")
	}
	before := loadAverage()
	runs, errs := loadRuns(ctx, cfg, s, targets, logf)
	rep.Load = runs
	rep.Notes = append(rep.Notes, fmt.Sprintf("The machine's load average (1, 5, 15 min) was %s when the load runs began and %s when they ended. "+
		"The runs themselves keep about three processes busy (a server, PostgreSQL, the load generator); other work on the machine slows "+
		"every server alike, as they take turns.", before, loadAverage()))
	for _, e := range errs {
		rep.Errors = append(rep.Errors, "load: "+e)
	}
	return rep
}

type runFiles struct{ kubeconfig, nikKey, baselineRegions string }

// writeFiles writes what the servers are started with: a kubeconfig of the
// envtest API server, the platform's NIK key and the baseline's regions.
func writeFiles(dir string, cluster *testcluster.Cluster, targets []target) (runFiles, error) {
	f := runFiles{kubeconfig: filepath.Join(dir, "kubeconfig"), nikKey: filepath.Join(dir, "nik.key"), baselineRegions: filepath.Join(dir, "regions.json")}
	user, err := cluster.Env.AddUser(envtest.User{Name: "pilar-apiserver", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return f, err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return f, err
	}
	if err := os.WriteFile(f.kubeconfig, kc, 0o600); err != nil {
		return f, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.WriteFile(f.nikKey, []byte(hex.EncodeToString(key)), 0o600); err != nil {
		return f, err
	}
	type region struct {
		Slug    string `json:"slug"`
		DSN     string `json:"dsn"`
		Account int64  `json:"account"`
	}
	var list []region
	for _, t := range targets {
		list = append(list, region{t.Slug, t.DSN, t.Account})
	}
	data, err := json.Marshal(list)
	if err != nil {
		return f, err
	}
	return f, os.WriteFile(f.baselineRegions, data, 0o600)
}

// loadAverage is /proc/loadavg's first three figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], ", ")
	}
	return "unknown"
}

// commit is the checked-out commit, marked when the tree has changes.
func commit(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}

// machine describes this machine from /proc.
func machine() report.Machine {
	m := report.Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
				m.MemoryGiB = kb / (1 << 20)
			}
		}
	}
	return m
}
