package report

import (
	"fmt"

	"pilar.id/pilar/bench/gobench"
)

// The scale: every regency and city of Indonesia.
const allRegions = 514

// Target statuses.
const (
	Met    = "met"
	Missed = "missed"
	NA     = "n/a"
)

func status(ok bool) string {
	if ok {
		return Met
	}
	return Missed
}

// Evaluate sets r.Targets from the figures: the targets, each met,
// missed, or not applicable to this run (a figure not measured, or measured
// on fewer regions than the target speaks of).
func Evaluate(r *Report) {
	r.Targets = nil
	add := func(t Target) { r.Targets = append(r.Targets, t) }

	for _, run := range r.Load {
		name := fmt.Sprintf("authorised %s, concurrency %d: throughput", run.Workload, run.Concurrency)
		pilar, ok1 := run.Server(Pilar)
		base, ok2 := run.Server(Baseline)
		if !ok1 || !ok2 || base.Result.Throughput == 0 {
			add(Target{Name: name, Want: "≥ 85% of the baseline's", Got: "not measured", Status: NA})
			continue
		}
		add(Target{Name: name, Want: "≥ 85% of the baseline's",
			Got:    fmt.Sprintf("%.0f%% (%.0f vs %.0f req/s)%s", 100*run.ThroughputRatio, pilar.Result.Throughput, base.Result.Throughput, byCPU(run.CPURatio)),
			Status: status(run.ThroughputRatio >= 0.85)})
		t := Target{Name: fmt.Sprintf("authorised %s, concurrency %d: p99", run.Workload, run.Concurrency),
			Want: "< 20 ms where the baseline's p99 < 10 ms",
			Got:  fmt.Sprintf("%.2f ms (baseline %.2f ms)", pilar.Result.Latency.P99, base.Result.Latency.P99)}
		if base.Result.Latency.P99 < 10 {
			t.Status = status(pilar.Result.Latency.P99 < 20)
		} else {
			t.Status, t.Note = NA, "the baseline's p99 is 10 ms or more at this load"
		}
		add(t)
	}

	scaled := func(n int) string {
		if n == allRegions {
			return ""
		}
		return fmt.Sprintf("measured on %d regions; the target is for %d", n, allRegions)
	}
	if fp := r.Footprint; fp != nil && len(fp.Phases) > 0 {
		idle := fp.Phases[0]
		t := Target{Name: fmt.Sprintf("%d idle regions: memory", fp.Regions), Want: "< 300 MiB RSS",
			Got: fmt.Sprintf("%.0f MiB", idle.RSSMiB), Status: status(idle.RSSMiB < 300), Note: scaled(fp.Regions)}
		if t.Note != "" {
			t.Status = NA
		}
		add(t)
		add(Target{Name: fmt.Sprintf("%d idle regions: database connections", fp.Regions), Want: "none beyond a small fixed number (≤ 2)",
			Got: fmt.Sprint(idle.Conns), Status: status(idle.Conns <= 2)})
		if len(fp.Phases) >= 3 {
			after := fp.Phases[len(fp.Phases)-1]
			got := fmt.Sprintf("%d connections, %d regions open after the burst; %d and %d after %.1f s",
				fp.Phases[1].Conns, fp.Phases[1].OpenRegions, after.Conns, after.OpenRegions, fp.ReleasedAfterSeconds)
			if fp.ReleasedAfterSeconds < 0 {
				got = fmt.Sprintf("%d connections, %d regions still open", after.Conns, after.OpenRegions)
			}
			add(Target{Name: "touched regions release their connections after the idle timeout",
				Want: fmt.Sprintf("0 connections after the idle timeout (%.0f s)", fp.IdleSeconds), Got: got,
				Status: status(fp.ReleasedAfterSeconds >= 0 && after.Conns <= 2)})
		}
	}

	bench := func(name, what, want string, limitNs float64) {
		res, ok := gobench.Find(r.GoBenchmarks, name)
		if !ok {
			add(Target{Name: what, Want: want, Got: "not measured", Status: NA})
			return
		}
		add(Target{Name: what, Want: want, Got: formatNs(res.NsPerOp), Status: status(res.NsPerOp < limitNs)})
	}
	bench("Enforce/cached", "cached enforcement (policies.BenchmarkEnforce/cached)", "< 1 µs", 1000)
	bench("Authorize/cached", "cached authorization (authz.BenchmarkAuthorize/cached)", "< 1 µs", 1000)
	bench("Enforce/uncached", "uncached enforcement (policies.BenchmarkEnforce/uncached)", "< 50 µs", 50_000)
	bench("Authorize/uncached", "uncached authorization, cache cleared each time (authz.BenchmarkAuthorize/uncached)", "< 50 µs", 50_000)
	bench("RequestAuthorization", "a request's grants read and decided among 10,000 grants (authz.BenchmarkRequestAuthorization)", "< 50 µs", 50_000)

	if len(r.Onboarding) > 0 {
		ob := r.Onboarding[len(r.Onboarding)-1]
		t := Target{Name: fmt.Sprintf("onboard %d regions", ob.Regions), Want: "< 10 minutes for 514",
			Got: fmt.Sprintf("%.1f s", ob.Seconds), Status: status(ob.Seconds > 0 && ob.Seconds < 600), Note: scaled(ob.Regions)}
		if t.Note != "" || ob.Seconds == 0 {
			t.Status = NA
		}
		add(t)
		w := ob.Resync.KubeWrites + ob.Resync.SQLWrites + ob.Resync.Events
		t = Target{Name: fmt.Sprintf("resync of %d Ready regions", ob.Regions), Want: "zero writes",
			Got:    fmt.Sprintf("%d Kubernetes writes, %d SQL writes, %d events (%d reconciles)", ob.Resync.KubeWrites, ob.Resync.SQLWrites, ob.Resync.Events, ob.Resync.Reconciles),
			Status: status(w == 0 && ob.Resync.Reconciles >= int64(ob.Regions)), Note: scaled(ob.Regions)}
		add(t)
	}
}

func byCPU(ratio float64) string {
	if ratio == 0 {
		return ""
	}
	return fmt.Sprintf("; by CPU per request %.0f%%", 100*ratio)
}

// formatNs renders nanoseconds in the unit that reads best.
func formatNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
