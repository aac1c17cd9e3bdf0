// Package gobench runs Go benchmarks with `go test -bench` and reads their
// figures from its output.
package gobench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Result is one benchmark's figures; with several runs (-count), the median
// of each figure.
type Result struct {
	Package     string  `json:"package"`
	Name        string  `json:"name"` // without the Benchmark prefix and the -GOMAXPROCS suffix
	Runs        int     `json:"runs"`
	NsPerOp     float64 `json:"nsPerOp"`
	MinNsPerOp  float64 `json:"minNsPerOp"`
	MaxNsPerOp  float64 `json:"maxNsPerOp"`
	BytesPerOp  float64 `json:"bytesPerOp"`
	AllocsPerOp float64 `json:"allocsPerOp"`
}

// Run runs the benchmarks matching pattern in the packages, from dir, and
// returns their figures. The output is copied to log as it comes.
func Run(ctx context.Context, dir, pattern, benchtime string, count int, log io.Writer, packages ...string) ([]Result, error) {
	args := append([]string{"test", "-run", "^$", "-bench", pattern, "-benchmem",
		"-benchtime", benchtime, "-count", strconv.Itoa(count)}, packages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, log)
	cmd.Stderr = log
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("gobench: go %s: %w", strings.Join(args, " "), err)
	}
	results, err := Parse(&out)
	if err != nil {
		return nil, err
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("gobench: no benchmark matched %q in %v", pattern, packages)
	}
	return results, nil
}

// Parse reads `go test -bench -benchmem` output. Results come in the order
// benchmarks first appear.
func Parse(r io.Reader) ([]Result, error) {
	type key struct{ pkg, name string }
	var order []key
	runs := map[key][][3]float64{}
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || f[3] != "ns/op" {
			continue // a benchmark's own log line
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		var v [3]float64
		var err error
		if v[0], err = strconv.ParseFloat(f[2], 64); err != nil {
			return nil, fmt.Errorf("gobench: %q: %w", line, err)
		}
		for i := 4; i+1 < len(f); i += 2 {
			x, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "B/op":
				v[1] = x
			case "allocs/op":
				v[2] = x
			}
		}
		k := key{pkg, name}
		if _, seen := runs[k]; !seen {
			order = append(order, k)
		}
		runs[k] = append(runs[k], v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gobench: %w", err)
	}
	out := make([]Result, 0, len(order))
	for _, k := range order {
		rs := runs[k]
		col := func(i int) []float64 {
			c := make([]float64, len(rs))
			for j, r := range rs {
				c[j] = r[i]
			}
			slices.Sort(c)
			return c
		}
		ns := col(0)
		out = append(out, Result{Package: k.pkg, Name: k.name, Runs: len(rs),
			NsPerOp: median(ns), MinNsPerOp: ns[0], MaxNsPerOp: ns[len(ns)-1],
			BytesPerOp: median(col(1)), AllocsPerOp: median(col(2))})
	}
	return out, nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Find returns the result of a benchmark by name, or false.
func Find(results []Result, name string) (Result, bool) {
	for _, r := range results {
		if r.Name == name {
			return r, true
		}
	}
	return Result{}, false
}
