package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"pilar.id/pilar/bench/report"
	"pilar.id/pilar/internal/childproc"
)

// build compiles a command of the module into dir and returns its path.
func build(ctx context.Context, root, dir, pkg string) (string, error) {
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return out, nil
}

// process is a server the benchmark started, its output in a file. It dies
// with the benchmark.
type process struct {
	*childproc.Process
	log string
}

// start runs a program with extra environment variables, its output going to
// logPath.
func start(name, path string, args, env []string, logPath string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own copy
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p, err := childproc.Start(name, cmd, syscall.SIGKILL)
	if err != nil {
		return nil, err
	}
	return &process{Process: p, log: logPath}, nil
}

// stop asks the process to end and waits for it.
func (p *process) stop() { p.Stop(syscall.SIGTERM, 30*time.Second) }

// tail is the end of the process's output.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	return string(b[max(0, len(b)-4096):])
}

// waitHTTP waits until the server answers url with 200; the error of one that
// does not ends with the end of its output.
func waitHTTP(ctx context.Context, p *process, url string, timeout time.Duration) error {
	if err := p.WaitHTTP(ctx, url, timeout); err != nil {
		return fmt.Errorf("%w\n%s", err, p.tail())
	}
	return nil
}

// memory reads a process's resident set (VmRSS) and its peak (VmHWM), in MiB.
func memory(pid int) (rss, peak float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[0], 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			peak = kb / 1024
		}
	}
	return rss, peak, sc.Err()
}

// connections counts the client connections of each application name in
// pg_stat_activity.
func connections(ctx context.Context, adminDSN string) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT application_name, count(*) FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for rows.Next() {
		var app string
		var n int
		if err := rows.Scan(&app, &n); err != nil {
			return nil, err
		}
		out[app] = n
	}
	return out, rows.Err()
}

// openRegions asks the API server's /readyz how many regions it serves and
// how many of their databases are open.
func openRegions(base string) (served, open int, err error) {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Tenants map[string]struct {
			Database string `json:"database"`
		} `json:"tenants"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, 0, fmt.Errorf("/readyz: %w", err)
	}
	for _, t := range body.Tenants {
		if t.Database == "open" {
			open++
		}
	}
	return len(body.Tenants), open, nil
}

// reading takes one reading of a server process: memory and connections, and
// for the API server (base set) its open regions.
func reading(ctx context.Context, name string, p *process, app, adminDSN, base string) (report.Phase, error) {
	ph := report.Phase{Name: name, OpenRegions: -1}
	var err error
	if ph.RSSMiB, ph.PeakMiB, err = memory(p.PID()); err != nil {
		return ph, fmt.Errorf("memory of %s: %w", p.Name, err)
	}
	conns, err := connections(ctx, adminDSN)
	if err != nil {
		return ph, fmt.Errorf("pg_stat_activity: %w", err)
	}
	ph.Conns = conns[app]
	if base != "" {
		if _, ph.OpenRegions, err = openRegions(base); err != nil {
			return ph, err
		}
	}
	return ph, nil
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat's times:
// 100 on every Linux this runs on.
const clockTicks = 100

// procStat reads a process's parent, and its own and its reaped children's
// CPU time in seconds, from /proc/<pid>/stat.
func procStat(pid int) (ppid int, self, children float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	// The command name, in parentheses, may hold spaces: fields start after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, 0, 0, fmt.Errorf("/proc/%d/stat: unreadable", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0, 0, 0, fmt.Errorf("/proc/%d/stat: too short", pid)
	}
	n := func(k int) float64 { v, _ := strconv.ParseFloat(f[k], 64); return v }
	// f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
	ppid, _ = strconv.Atoi(f[1])
	return ppid, (n(11) + n(12)) / clockTicks, (n(13) + n(14)) / clockTicks, nil
}

// cpuSeconds is the CPU time a process has used.
func cpuSeconds(pid int) (float64, error) {
	_, self, _, err := procStat(pid)
	return self, err
}

// treeCPUSeconds is the CPU time of a process, the children it has reaped and
// its live children: a PostgreSQL server's postmaster and backends.
func treeCPUSeconds(root int) (float64, error) {
	_, self, reaped, err := procStat(root)
	if err != nil {
		return 0, err
	}
	total := self + reaped
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, self, reaped, err := procStat(pid)
		if err != nil || ppid != root {
			continue // gone meanwhile, or not a child
		}
		total += self + reaped
	}
	return total, nil
}

// ownCPUSeconds is the CPU time of this process: the load generator's.
func ownCPUSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
