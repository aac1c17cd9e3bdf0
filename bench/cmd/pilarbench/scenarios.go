package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"pilar.id/pilar/bench/load"
	"pilar.id/pilar/bench/report"
)

// The application names the servers' connections carry (PGAPPNAME), so that
// pg_stat_activity tells them apart.
const (
	appPilar    = "pilar-apiserver"
	appBaseline = "pilar-baseline"
	appCompare  = "pilar-apiserver-compared"
)

// readRequest is the authorised read: a ward's proposals, one page of 50,
// with the ward office's API token. Without a token it is the baseline's.
func readRequest(base string, t *target, token string) load.Request {
	r := load.Request{Method: http.MethodGet, URL: base + "/r/" + t.Slug + "/api/proposals?scope=" + t.Ward + "&limit=50"}
	if token != "" {
		r.Header = map[string]string{"Authorization": "Bearer " + token}
	}
	return r
}

// writeRequest is the authorised write: a resident's aspiration to one of the
// ward's institutions, audited by Pilar.
func writeRequest(base string, t *target, token string, seq int) load.Request {
	body, _ := json.Marshal(map[string]string{
		"institution": t.Institutions[seq%len(t.Institutions)],
		"title":       fmt.Sprintf("Penerangan jalan RW %02d", seq%20+1),
		"body":        "Lampu jalan di gang depan balai RW sudah dua minggu mati; mohon diperbaiki sebelum musim hujan.",
	})
	h := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return load.Request{Method: http.MethodPost, URL: base + "/r/" + t.Slug + "/api/aspirations", Body: body, Header: h}
}

// footprint measures the API server with every region registered: idle,
// after a burst touching each region once, and after its idle timeout.
func footprint(ctx context.Context, cfg config, p *process, base, adminDSN string, targets []target, log func(string, ...any)) (*report.Footprint, error) {
	fp := &report.Footprint{Regions: len(targets), IdleSeconds: cfg.idle.Seconds(), ReleasedAfterSeconds: -1}
	served, _, err := openRegions(base)
	if err != nil {
		return fp, err
	}
	if served != len(targets) {
		return fp, fmt.Errorf("the API server serves %d regions, want %d", served, len(targets))
	}
	// Let start-up garbage settle before the idle reading.
	time.Sleep(2 * time.Second)
	ph, err := reading(ctx, "idle, every region registered", p, appPilar, adminDSN, base)
	if err != nil {
		return fp, err
	}
	fp.Phases = append(fp.Phases, ph)
	log("  idle: %.0f MiB, %d connections", ph.RSSMiB, ph.Conns)

	reqs := make([]load.Request, len(targets))
	for i := range targets {
		reqs[i] = readRequest(base, &targets[i], targets[i].ReadToken)
	}
	took, failed, why := load.Once(ctx, load.NewClient(8), reqs, 8, http.StatusOK)
	fp.BurstSeconds, fp.BurstFailed = took.Seconds(), failed
	burstEnd := time.Now()
	if failed > 0 {
		return fp, fmt.Errorf("%d of %d requests of the burst failed: %v", failed, len(reqs), why)
	}
	if ph, err = reading(ctx, "after a burst touching every region", p, appPilar, adminDSN, base); err != nil {
		return fp, err
	}
	fp.Phases = append(fp.Phases, ph)
	log("  burst over %d regions in %v: %.0f MiB, %d connections, %d regions open", len(reqs), took.Round(time.Millisecond), ph.RSSMiB, ph.Conns, ph.OpenRegions)

	deadline := burstEnd.Add(3*cfg.idle + 30*time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(250 * time.Millisecond)
		conns, err := connections(ctx, adminDSN)
		if err != nil {
			return fp, err
		}
		if _, open, err := openRegions(base); err == nil && conns[appPilar] == 0 && open == 0 {
			fp.ReleasedAfterSeconds = time.Since(burstEnd).Seconds()
			break
		}
	}
	if ph, err = reading(ctx, "after the idle timeout", p, appPilar, adminDSN, base); err != nil {
		return fp, err
	}
	fp.Phases = append(fp.Phases, ph)
	log("  after the idle timeout: %.0f MiB, %d connections, released after %.1fs", ph.RSSMiB, ph.Conns, fp.ReleasedAfterSeconds)
	return fp, nil
}

// servers are the two servers under load.
type servers struct {
	pilar, baseline         *process
	pilarBase, baselineBase string
	// compare is another build of the API server, when one is compared.
	compare     *process
	compareBase string
	adminDSN    string
	pgPID       int
}

// variant is one server's side of a workload.
type variant struct {
	server string
	base   string
	// token: send the region's API token; audit: ask the baseline to audit.
	token, audit bool
	proc         *process
	app          string
	readyz       bool
}

// loadRuns runs each workload at each concurrency against Pilar, its
// variant, the baseline and its variant, with the same regions drawn in the
// same order.
func loadRuns(ctx context.Context, cfg config, s servers, targets []target, log func(string, ...any)) ([]report.LoadRun, []string) {
	pilar := variant{server: report.Pilar, base: s.pilarBase, token: true, proc: s.pilar, app: appPilar, readyz: true}
	anon := variant{server: report.PilarAnonymous, base: s.pilarBase, proc: s.pilar, app: appPilar, readyz: true}
	base := variant{server: report.Baseline, base: s.baselineBase, proc: s.baseline, app: appBaseline}
	audited := variant{server: report.BaselineAudit, base: s.baselineBase, audit: true, proc: s.baseline, app: appBaseline}
	workloads := []struct {
		name     string
		status   int
		variants []variant
	}{
		{"read", http.StatusOK, []variant{pilar, anon, base}},
		{"write", http.StatusCreated, []variant{pilar, base, audited}},
	}
	primed := []variant{pilar, base}
	if s.compare != nil {
		other := variant{server: report.PilarCompared, base: s.compareBase, token: true, proc: s.compare, app: appCompare, readyz: true}
		for i := range workloads {
			workloads[i].variants = append(workloads[i].variants, other)
		}
		primed = append(primed, other)
	}
	var runs []report.LoadRun
	var errs []string
	// Steady state: every region's database is opened (the API server) or
	// connected (the baseline) before anything is measured; what a first
	// touch costs is the footprint's burst.
	for _, v := range primed {
		reqs := make([]load.Request, len(targets))
		for i := range targets {
			token := ""
			if v.token {
				token = targets[i].ReadToken
			}
			reqs[i] = readRequest(v.base, &targets[i], token)
		}
		took, failed, why := load.Once(ctx, load.NewClient(8), reqs, 8, http.StatusOK)
		if failed > 0 {
			errs = append(errs, fmt.Sprintf("%s: %d of %d requests opening every region failed: %v", v.server, failed, len(reqs), why))
		}
		log("  %s: every region opened in %v", v.server, took.Round(time.Millisecond))
	}
	for _, c := range cfg.concurrency {
		for _, w := range workloads {
			run := report.LoadRun{Workload: w.name, Concurrency: c}
			results := make([]load.Result, len(w.variants))
			cpu := make([][3]float64, len(w.variants)) // server, database, client seconds
			failed := make([]bool, len(w.variants))
			// Rounds take turns among the servers, so that whatever else the
			// machine does falls on each of them alike.
			for round := range cfg.rounds {
				warmup := cfg.warmup
				if round > 0 {
					warmup = cfg.warmup / 4
				}
				for i, v := range w.variants {
					if failed[i] {
						continue
					}
					mk := func(region, seq int) load.Request {
						t := &targets[region]
						if w.name == "read" {
							token := ""
							if v.token {
								token = t.ReadToken
							}
							return readRequest(v.base, t, token)
						}
						token := ""
						if v.token {
							token = t.WriteToken
						}
						r := writeRequest(v.base, t, token, seq+round*1_000_000)
						if v.audit {
							r.URL += "?audit=1"
						}
						return r
					}
					opts := load.Options{
						Concurrency: c, Warmup: warmup, Duration: cfg.duration / time.Duration(cfg.rounds), MaxRequests: cfg.maxRequests / cfg.rounds,
						Regions: len(targets), Skew: cfg.skew, Seed: uint64(c*100 + round), Make: mk, Status: w.status, Client: load.NewClient(c),
					}
					var before [3]float64
					opts.Measuring = func() { before = cpuNow(v.proc, s.pgPID) }
					res, err := load.Run(ctx, opts)
					after := cpuNow(v.proc, s.pgPID)
					what := fmt.Sprintf("%s, %s at concurrency %d", v.server, w.name, c)
					if err != nil {
						errs = append(errs, fmt.Sprintf("%s: %v", what, err))
						failed[i] = true
						continue
					}
					for k := range cpu[i] {
						cpu[i][k] += after[k] - before[k]
					}
					results[i].Merge(res)
				}
			}
			for i, v := range w.variants {
				if failed[i] {
					continue
				}
				res := results[i]
				what := fmt.Sprintf("%s, %s at concurrency %d", v.server, w.name, c)
				if res.Errors > 0 {
					errs = append(errs, fmt.Sprintf("%s: %d of %d requests failed (%v; first: %s)", what, res.Errors, res.Requests, res.Statuses, res.FirstError))
				}
				rbase := ""
				if v.readyz {
					rbase = v.base
				}
				ph, err := reading(ctx, v.server, v.proc, v.app, s.adminDSN, rbase)
				if err != nil {
					errs = append(errs, err.Error())
				}
				sr := report.ServerRun{Server: v.server, Result: res, After: ph}
				if n := float64(res.Requests); n > 0 {
					sr.ServerCPUus, sr.DBCPUus, sr.ClientCPUus = cpu[i][0]/n*1e6, cpu[i][1]/n*1e6, cpu[i][2]/n*1e6
				}
				run.Servers = append(run.Servers, sr)
				log("  %-30s %-5s c=%-3d %6.0f req/s  p50 %6.2f  p95 %6.2f  p99 %6.2f ms  errors %d  cpu µs/req: server %4.0f db %4.0f client %4.0f  rss %.0f MiB  conns %d",
					v.server, w.name, c, res.Throughput, res.Latency.P50, res.Latency.P95, res.Latency.P99, res.Errors,
					sr.ServerCPUus, sr.DBCPUus, sr.ClientCPUus, ph.RSSMiB, ph.Conns)
			}
			run.Compare()
			runs = append(runs, run)
		}
	}
	return runs, errs
}

// cpuNow reads the CPU seconds used so far by a server, by PostgreSQL and by
// this process.
func cpuNow(p *process, pgPID int) [3]float64 {
	server, _ := cpuSeconds(p.PID())
	db, _ := treeCPUSeconds(pgPID)
	return [3]float64{server, db, ownCPUSeconds()}
}
