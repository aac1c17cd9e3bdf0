package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, v := range n {
			out = append(out, time.Duration(v)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100 .. 1, unsorted
	}
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want Latency
	}{
		{"empty", nil, Latency{}},
		{"one", ms(7), Latency{Mean: 7, P50: 7, P95: 7, P99: 7, Max: 7}},
		{"hundred", ms(hundred...), Latency{Mean: 50.5, P50: 50, P95: 95, P99: 99, Max: 100}},
		{"outlier", ms(1, 1, 1, 1, 1, 1, 1, 1, 1, 91), Latency{Mean: 10, P50: 1, P95: 91, P99: 91, Max: 91}},
	} {
		if got := Summarise(tc.in); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestRun(t *testing.T) {
	var hits [20]atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var region int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/r/"), "%d", &region)
		hits[region].Add(1)
		if region == 19 {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Options{
		Concurrency: 4, Warmup: 20 * time.Millisecond, Duration: 5 * time.Second, MaxRequests: 2000,
		Regions: 20, Skew: 1.2, Seed: 1, Status: http.StatusOK, Client: NewClient(4),
		Make: func(region, seq int) Request {
			return Request{Method: http.MethodGet, URL: fmt.Sprintf("%s/r/%d", srv.URL, region)}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 2000 {
		t.Errorf("%d requests measured, want the budget of 2000", res.Requests)
	}
	if res.Statuses["200"]+res.Statuses["403"] != res.Requests || res.Errors != res.Statuses["403"] {
		t.Errorf("statuses %v, errors %d", res.Statuses, res.Errors)
	}
	if res.Errors > 0 && res.FirstError != "status 403" {
		t.Errorf("first error %q", res.FirstError)
	}
	// Zipf: the largest region takes far more than a uniform 1/20th.
	if h0, h10 := hits[0].Load(), hits[10].Load(); h0 < 5*h10 || res.TopShare < 0.6 {
		t.Errorf("not skewed: region 0 had %d, region 10 %d, top share %.2f", h0, h10, res.TopShare)
	}
	if res.Latency.P99 < res.Latency.P50 || res.Throughput <= 0 {
		t.Errorf("result %+v", res)
	}
}

func TestRunBoundedByTime(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
	}))
	defer srv.Close()
	start := time.Now()
	res, err := Run(context.Background(), Options{
		Concurrency: 2, Duration: 200 * time.Millisecond, MaxRequests: 1 << 30, Regions: 3, Skew: 1.1,
		Status: http.StatusOK, Client: NewClient(2),
		Make: func(region, seq int) Request { return Request{Method: http.MethodGet, URL: srv.URL} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ran %v", d)
	}
	if res.Requests == 0 || res.Errors != 0 {
		t.Errorf("%+v", res)
	}
}

func TestOnce(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 3 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	reqs := make([]Request, 10)
	for i := range reqs {
		reqs[i] = Request{Method: http.MethodGet, URL: srv.URL}
	}
	_, failed, why := Once(context.Background(), NewClient(3), reqs, 3, http.StatusOK)
	if n.Load() != 10 || failed != 1 || len(why) != 1 {
		t.Errorf("%d sent, %d failed: %v", n.Load(), failed, why)
	}
}

func TestMerge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	o := Options{Concurrency: 2, Duration: 5 * time.Second, MaxRequests: 100, Regions: 5, Skew: 1.5, Status: http.StatusOK, Client: NewClient(2),
		Make: func(region, seq int) Request { return Request{Method: http.MethodGet, URL: srv.URL} }}
	a, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var m Result
	m.Merge(a)
	m.Merge(b)
	if m.Requests != 200 || m.Statuses["200"] != 200 || m.Seconds != a.Seconds+b.Seconds {
		t.Errorf("merged %+v", m)
	}
	if want := 200 / (a.Seconds + b.Seconds); m.Throughput != want {
		t.Errorf("throughput %v, want %v", m.Throughput, want)
	}
	if m.Latency.Max < a.Latency.Max || m.Latency.Max < b.Latency.Max {
		t.Errorf("max %v of %v and %v", m.Latency.Max, a.Latency.Max, b.Latency.Max)
	}
}
