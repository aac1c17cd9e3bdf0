// Package load is the benchmarks' HTTP load generator: a fixed number of
// workers, each sending its next request as soon as the last one is answered
// (a closed loop), for a bounded time and a bounded number of requests. Each
// request goes to a region drawn from a Zipf distribution over the regions'
// ranks, so that a few large cities take most of the load and many small
// regencies a little each.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one HTTP request to send.
type Request struct {
	Method string
	URL    string
	Body   []byte
	// Header values are set on the request (Authorization, Content-Type).
	Header map[string]string
}

// Options bound and shape a run.
type Options struct {
	// Concurrency is the number of workers, each with one request in flight.
	Concurrency int
	// Warmup is sent and discarded before measuring.
	Warmup time.Duration
	// Duration bounds the measured part of the run.
	Duration time.Duration
	// MaxRequests bounds the number of measured requests.
	MaxRequests int
	// Regions is the number of regions; region 0 is the largest.
	Regions int
	// Skew is the Zipf exponent s (> 1); the probability of the region of
	// rank k is proportional to 1/(1+k)^s.
	Skew float64
	// Seed makes the sequence of regions repeatable.
	Seed uint64
	// Make builds the request for a region; seq counts the worker's requests.
	// It is called from every worker at once.
	Make func(region, seq int) Request
	// Status is the answer expected; anything else counts as an error.
	Status int
	Client *http.Client
	// Measuring, when set, is called once the warm-up is over, as the
	// measured part starts.
	Measuring func()
}

// Result is what a run measured.
type Result struct {
	Requests   int            `json:"requests"`
	Errors     int            `json:"errors"`
	Statuses   map[string]int `json:"statuses,omitempty"`
	FirstError string         `json:"firstError,omitempty"`
	Seconds    float64        `json:"seconds"`
	// Throughput is answered requests per second, errors included.
	Throughput float64 `json:"throughput"`
	Latency    Latency `json:"latency"`
	// RegionsTouched counts the distinct regions measured requests went to;
	// TopShare is the share of requests that went to the ten largest.
	RegionsTouched int     `json:"regionsTouched"`
	TopShare       float64 `json:"topShare"`

	latencies []time.Duration // sorted
	regions   map[int]int     // requests per region
}

// Latency summarises response times, in milliseconds.
type Latency struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// NewClient returns a client for loopback load: keep-alive connections, one
// per worker, and no transparent compression, so that every server answers
// the same plain JSON.
func NewClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency * 2,
			MaxIdleConnsPerHost: concurrency * 2,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}

type sample struct {
	latency time.Duration
	region  int
}

// Run sends load as the options say and returns what it measured. It returns
// an error only when it cannot run at all; failed requests are counted in the
// result.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Concurrency < 1 || o.Duration <= 0 || o.MaxRequests < 1 || o.Regions < 1 || o.Make == nil || o.Client == nil {
		return Result{}, errors.New("load: concurrency, duration, max requests, regions, Make and Client are required")
	}
	if o.Skew <= 1 {
		return Result{}, fmt.Errorf("load: skew %v: a Zipf exponent must be above 1", o.Skew)
	}
	if o.Warmup > 0 {
		wctx, cancel := context.WithTimeout(ctx, o.Warmup)
		runWorkers(wctx, o, o.Seed^0x5eed, nil)
		cancel()
	}
	if o.Measuring != nil {
		o.Measuring()
	}
	mctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var budget atomic.Int64
	budget.Store(int64(o.MaxRequests))
	start := time.Now()
	per := runWorkers(mctx, o, o.Seed, &budget)
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}

	res := Result{Statuses: map[string]int{}, Seconds: elapsed.Seconds(), regions: map[int]int{}}
	for _, w := range per {
		for _, s := range w.samples {
			res.latencies = append(res.latencies, s.latency)
			res.regions[s.region]++
		}
		res.Errors += w.errors
		for k, v := range w.statuses {
			res.Statuses[k] += v
		}
		if res.FirstError == "" {
			res.FirstError = w.firstError
		}
	}
	res.summarise()
	return res, nil
}

// summarise computes the figures from the samples.
func (r *Result) summarise() {
	r.Requests = len(r.latencies)
	r.Throughput = 0
	if r.Seconds > 0 {
		r.Throughput = float64(r.Requests) / r.Seconds
	}
	r.Latency = Summarise(r.latencies)
	r.RegionsTouched = len(r.regions)
	top := 0
	for region, n := range r.regions {
		if region < 10 {
			top += n
		}
	}
	r.TopShare = 0
	if r.Requests > 0 {
		r.TopShare = float64(top) / float64(r.Requests)
	}
}

// Merge adds the requests of another run of the same workload: its time,
// answers and latencies.
func (r *Result) Merge(o Result) {
	if r.Statuses == nil {
		r.Statuses = map[string]int{}
	}
	if r.regions == nil {
		r.regions = map[int]int{}
	}
	r.Seconds += o.Seconds
	r.Errors += o.Errors
	for k, v := range o.Statuses {
		r.Statuses[k] += v
	}
	if r.FirstError == "" {
		r.FirstError = o.FirstError
	}
	r.latencies = append(r.latencies, o.latencies...)
	for k, v := range o.regions {
		r.regions[k] += v
	}
	r.summarise()
}

type worker struct {
	samples    []sample
	errors     int
	statuses   map[string]int
	firstError string
}

// runWorkers runs the workers until ctx ends or, when budget is set, it is
// spent; samples are kept only when budget is set.
func runWorkers(ctx context.Context, o Options, seed uint64, budget *atomic.Int64) []*worker {
	per := make([]*worker, o.Concurrency)
	var wg sync.WaitGroup
	for i := range o.Concurrency {
		w := &worker{statuses: map[string]int{}}
		if budget != nil {
			w.samples = make([]sample, 0, min(o.MaxRequests/o.Concurrency+1, 1<<20))
		}
		per[i] = w
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			zipf := rand.NewZipf(rng, o.Skew, 1, uint64(o.Regions-1))
			for seq := 0; ctx.Err() == nil; seq++ {
				if budget != nil && budget.Add(-1) < 0 {
					return
				}
				region := int(zipf.Uint64())
				t0 := time.Now()
				status, err := send(ctx, o.Client, o.Make(region, seq))
				d := time.Since(t0)
				if ctx.Err() != nil && budget != nil {
					return // cut short by the end of the run: not an answer
				}
				if budget == nil {
					continue
				}
				w.samples = append(w.samples, sample{d, region})
				switch {
				case err != nil:
					w.errors++
					w.statuses["transport"]++
					if w.firstError == "" {
						w.firstError = err.Error()
					}
				case status != o.Status:
					w.errors++
					w.statuses[fmt.Sprint(status)]++
					if w.firstError == "" {
						w.firstError = fmt.Sprintf("status %d", status)
					}
				default:
					w.statuses[fmt.Sprint(status)]++
				}
			}
		})
	}
	wg.Wait()
	return per
}

// send makes one request and reads the whole answer.
func send(ctx context.Context, c *http.Client, r Request) (int, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return 0, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// Summarise returns the mean, percentiles (nearest rank) and maximum of
// latencies, in milliseconds. It sorts latencies.
func Summarise(latencies []time.Duration) Latency {
	if len(latencies) == 0 {
		return Latency{}
	}
	slices.Sort(latencies)
	var sum time.Duration
	for _, d := range latencies {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Latency{
		Mean: ms(sum / time.Duration(len(latencies))),
		P50:  ms(percentile(latencies, 50)),
		P95:  ms(percentile(latencies, 95)),
		P99:  ms(percentile(latencies, 99)),
		Max:  ms(latencies[len(latencies)-1]),
	}
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// Once sends every request once, concurrency at a time, and returns how long
// it took and the failures (a wrong status or a transport error), at most
// ten of them described.
func Once(ctx context.Context, c *http.Client, reqs []Request, concurrency, status int) (time.Duration, int, []string) {
	start := time.Now()
	var mu sync.Mutex
	failed := 0
	var why []string
	next := make(chan Request)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for r := range next {
				got, err := send(ctx, c, r)
				if err == nil && got == status {
					continue
				}
				mu.Lock()
				failed++
				if len(why) < 10 {
					if err != nil {
						why = append(why, fmt.Sprintf("%s %s: %v", r.Method, r.URL, err))
					} else {
						why = append(why, fmt.Sprintf("%s %s: status %d", r.Method, r.URL, got))
					}
				}
				mu.Unlock()
			}
		})
	}
	for _, r := range reqs {
		select {
		case next <- r:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	return time.Since(start), failed, why
}
