package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The browser the portal's tests drive: Debian's Chromium, headless, in a
// fresh profile, through the DevTools protocol. It counts the bytes each page
// load transfers (compressed, as the network delivered them), refuses any
// request that leaves the server under test, and checks every page with
// axe-core.

// pageBudget is the most a page's first load may transfer: HTML, styles,
// scripts and images together, compressed.
const pageBudget = 100 * 1024

// chromiumPath finds the Chromium the tests drive: $PILAR_CHROMIUM, else
// chromium on the PATH. The test setup installs it (hack/chromium.sh, called
// by `make test`); without it the tests fail rather than skip.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("PILAR_CHROMIUM"), "chromium", "chromium-browser"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is missing: the browser tests need Debian's chromium. Install it with hack/chromium.sh " +
		"(as root: apt-get install chromium), which `make test` runs first, or set PILAR_CHROMIUM to a Chromium binary.")
	return ""
}

// axeScript reads axe-core's axe.min.js: $PILAR_AXE, else where hack/axe.sh
// installs it. Without it the tests fail rather than skip.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PILAR_AXE")
	if path == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		matches, _ := filepath.Glob(filepath.Join(cache, "pilar", "axe-core-*", "node_modules", "axe-core", "axe.min.js"))
		sort.Strings(matches)
		if len(matches) > 0 {
			path = matches[len(matches)-1]
		}
	}
	data, err := os.ReadFile(path)
	if path == "" || err != nil {
		t.Fatalf("axe-core is missing (%v): install it with hack/axe.sh, which `make test` runs first, or set PILAR_AXE to its axe.min.js", err)
	}
	return string(data)
}

// browser is one headless Chromium with one tab.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string // the server under test, e.g. http://127.0.0.1:40123
	axe  string
	host string

	mu       sync.Mutex
	bytes    int64             // transferred since the last reset
	urls     map[string]string // request id → URL, since the last reset
	foreign  []string          // requests to anywhere but the server
	results  *[]pageResult     // what every checked page measured
	resultMu *sync.Mutex       // guards results across browsers
	seen     map[string]bool   // pages already checked by this browser
	encoding map[string]string // request id → Content-Encoding
	types    map[string]string // request id → MIME type
}

// pageResult is what one page measured: its transfer and its axe findings.
type pageResult struct {
	Lang, Name, URL string
	Bytes           int64
	Requests        int
	Violations      []axeViolation
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// newBrowser starts Chromium headless in a fresh profile, with the cache off
// so that every page load is a first load.
func newBrowser(t *testing.T, chromium, axe, base string, results *[]pageResult, mu *sync.Mutex) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	u, _ := url.Parse(base)
	b := &browser{t: t, ctx: ctx, base: base, axe: axe, host: u.Host, urls: map[string]string{}, results: results, resultMu: mu,
		seen: map[string]bool{}, encoding: map[string]string{}, types: map[string]string{}}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enabling the network domain: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	// axe-core is injected by the test, not by the page: the page's own
	// Content-Security-Policy would refuse it.
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		u := e.Request.URL
		b.urls[string(e.RequestID)] = u
		if pu, err := url.Parse(u); err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != b.host {
			b.foreign = append(b.foreign, u)
		}
	case *network.EventResponseReceived:
		if e.Response != nil {
			b.types[string(e.RequestID)] = e.Response.MimeType
			for k, v := range e.Response.Headers {
				if strings.EqualFold(k, "Content-Encoding") {
					b.encoding[string(e.RequestID)] = fmt.Sprint(v)
				}
			}
		}
	case *network.EventLoadingFinished:
		b.bytes += int64(e.EncodedDataLength)
	}
}

// reset starts counting a new page load.
func (b *browser) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bytes, b.urls = 0, map[string]string{}
	b.encoding, b.types = map[string]string{}, map[string]string{}
}

// settle waits until the page's requests have all finished loading.
func (b *browser) settle() {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		done, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.readyState === "complete"`))
		if err == nil && done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond) // the last loadingFinished events
}

func (b *browser) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page of the server and returns its status.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	return b.load("opening "+path, func(ctx context.Context) (*network.Response, error) {
		return chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	})
}

// submit clicks a button that sends a form and waits for the page that
// answers (after any redirect); it returns that page's status.
func (b *browser) submit(button string) int64 {
	b.t.Helper()
	return b.load("submitting with "+button, func(ctx context.Context) (*network.Response, error) {
		return chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	})
}

// load runs what leads to a new page, waits until the page has loaded and
// returns its status; what says what it did, for a failure.
func (b *browser) load(what string, run func(context.Context) (*network.Response, error)) int64 {
	b.t.Helper()
	b.reset()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := run(ctx)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	b.settle()
	return resp.Status
}

// text is the text of the first element matching a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// flashed fails the test unless the page's flash message is want; what says
// what was done.
func (b *browser) flashed(want, what string) {
	b.t.Helper()
	if got := b.text(".flash"); got != want {
		b.t.Fatalf("%s: %q", what, got)
	}
}

// eval evaluates JavaScript in the page.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// set types a value into a field (or chooses an option of a select).
func (b *browser) set(sel, value string) {
	b.t.Helper()
	b.run("setting "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.run("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// check measures the page just loaded against the budget, refuses requests
// to anywhere but the server, and runs axe-core on it: no serious or critical
// violation. Each page name is checked once per browser.
func (b *browser) check(lang, name string) {
	b.t.Helper()
	b.mu.Lock()
	bytes, n, foreign := b.bytes, len(b.urls), b.foreign
	var uncompressed []string
	for id, u := range b.urls {
		typ := b.types[id]
		if (strings.HasPrefix(typ, "text/") || strings.Contains(typ, "javascript")) && b.encoding[id] == "" {
			uncompressed = append(uncompressed, u)
		}
	}
	b.mu.Unlock()
	if len(foreign) > 0 {
		b.t.Errorf("%s: requests left the server: %v", name, foreign)
	}
	if bytes > pageBudget {
		b.t.Errorf("%s: the first load transferred %d bytes, over the budget of %d", name, bytes, pageBudget)
	}
	if len(uncompressed) > 0 {
		b.t.Errorf("%s: sent uncompressed: %v", name, uncompressed)
	}
	if b.seen[name] {
		return
	}
	b.seen[name] = true
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	if got := eval[string](b, `document.documentElement.lang`); got != lang {
		b.t.Errorf("%s: <html lang=%q>, want %q", name, got, lang)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
		b.t.Fatalf("%s: injecting axe-core: %v", name, err)
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: running axe-core: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatalf("%s: reading axe-core's answer: %v", name, err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("%s (%s): axe-core %s violation %s: %s at %v", name, loc, v.Impact, v.ID, v.Help, v.Nodes)
		}
	}
	b.resultMu.Lock()
	*b.results = append(*b.results, pageResult{Lang: lang, Name: name, URL: strings.TrimPrefix(loc, b.base), Bytes: bytes, Requests: n, Violations: vs})
	b.resultMu.Unlock()
}

// screenshot writes the page at a width to screenshots/<name>-<width>.png,
// the whole page's height.
func (b *browser) screenshot(name string, width int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
		b.t.Fatalf("resizing to %d: %v", width, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		b.t.Fatal(err)
	}
}

// writeReport writes what every page measured to screenshots/pages.md, for
// a person to read beside the screenshots.
func writeReport(t *testing.T, results []pageResult) {
	var sb strings.Builder
	sb.WriteString("# Pages checked by the browser tests\n\n")
	sb.WriteString("First load of each page, compressed, against the budget of 100 KB; axe-core violations by impact.\n\n")
	sb.WriteString("| lang | page | path | bytes | requests | axe |\n|---|---|---|---:|---:|---|\n")
	for _, r := range results {
		var vs []string
		for _, v := range r.Violations {
			vs = append(vs, v.Impact+" "+v.ID)
		}
		axe := "none"
		if len(vs) > 0 {
			axe = strings.Join(vs, ", ")
		}
		fmt.Fprintf(&sb, "| %s | %s | `%s` | %d | %d | %s |\n", r.Lang, r.Name, r.URL, r.Bytes, r.Requests, axe)
	}
	dir := filepath.Join("..", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pages.md"), []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + sb.String())
}
