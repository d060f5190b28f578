package report_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// Names from a user's files, which the page must show as text.
const (
	hostileScenario = `smoke <script>alert("scenario")</script> & co`
	hostileLogin    = `login <script>alert(1)</script>`
	hostileProfile  = `a&b "profile"`
	hostileClass    = `rate<limited>&`
)

var chartIDs = []string{"chart-latency", "chart-throughput", "chart-errors", "chart-spectrum"}

// flakyTarget answers like a struggling auth API: mostly 200 after a
// millisecond or two, some slow answers, and 503s (lock timeouts and plain),
// 500s and 429s, more of them and slower in the run's second second.
func flakyTarget() *httptest.Server {
	var n atomic.Int64
	start := time.Now()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		i := n.Add(1)
		bad := time.Since(start) > time.Second && time.Since(start) < 2*time.Second
		pause := time.Duration(1+i%3) * time.Millisecond
		if bad {
			pause *= 3
		}
		if i%53 == 0 {
			pause = 40 * time.Millisecond
		}
		time.Sleep(pause)
		switch {
		case i%11 == 0 || bad && i%4 == 0:
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "storage lock timeout")
		case i%17 == 0:
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		case i%29 == 0:
			http.Error(w, "boom", http.StatusInternalServerError)
		case i%37 == 0:
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
}

// realRun runs load against target with two steps whose names, like the
// scenario's and a custom class's, need escaping.
func realRun(t *testing.T, target string, load runner.Load) *runner.Result {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	classifier := runner.DefaultClassifier()
	classifier.Custom = []runner.ClassRule{{Name: hostileClass, Rule: runner.Rule{Status: http.StatusTooManyRequests}}}
	res, err := runner.Run(t.Context(), runner.Plan{
		Scenario: hostileScenario, Target: u, Load: load, Timeout: 5 * time.Second, Classifier: classifier,
		Steps: []runner.Step{
			{Name: hostileLogin, Method: http.MethodPost, Path: "/login",
				Body: func(runner.Iteration) []byte { return []byte(`{"user":"alice"}`) }},
			{Name: hostileProfile, Method: http.MethodGet, Path: "/profile"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var (
	reportOnce sync.Once
	reportPage []byte
	reportRes  *runner.Result
)

// flakyReport renders, once for all the tests, the HTML of a 3-second run of
// 4 workers against flakyTarget.
func flakyReport(t *testing.T) ([]byte, *runner.Result) {
	t.Helper()
	reportOnce.Do(func() {
		srv := flakyTarget()
		defer srv.Close()
		res := realRun(t, srv.URL, runner.Load{Concurrency: 4, Duration: 3 * time.Second})
		var slos []slo.SLO
		for _, expr := range []string{"p95<20ms", "error_rate<1%", "requests>100", "lock_timeouts<5%"} {
			s, err := slo.Parse(expr, hostileClass)
			if err != nil {
				t.Fatal(err)
			}
			slos = append(slos, s)
		}
		var buf bytes.Buffer
		if err := report.HTML(&buf, res, slo.Judge(res, slos)); err != nil {
			t.Fatal(err)
		}
		reportPage, reportRes = buf.Bytes(), res
	})
	if reportPage == nil {
		t.Fatal("the shared run failed in an earlier test")
	}
	return reportPage, reportRes
}

// tagPattern matches a tag: escaped text has no raw "<", and html/template
// escapes ">" in attribute values, so a tag ends at the first ">".
var tagPattern = regexp.MustCompile(`<[^>]*>`)

// handler matches an event handler attribute in a tag.
var handler = regexp.MustCompile(`\son[a-z]+\s*=`)

// checkSelfContained reports anything in page that could load a resource or
// run code: references in tags, scripts, external styles.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	lower := strings.ToLower(page)
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "<object", "<embed", "<base", "url(", "@import", "javascript:"} {
		if strings.Contains(lower, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	for _, tag := range tagPattern.FindAllString(lower, -1) {
		for _, bad := range []string{"http://", "https://", "src=", "href=", "srcset=", "xlink:"} {
			if strings.Contains(tag, bad) {
				t.Errorf("tag %.120q contains %q", tag, bad)
			}
		}
		if handler.MatchString(tag) {
			t.Errorf("tag %.120q has an event handler", tag)
		}
	}
	const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`
	if !strings.Contains(page, csp) {
		t.Errorf("no Content-Security-Policy meta tag %s", csp)
	}
}

// chartPoints returns, per chart id, whether the page has it as an SVG and
// how many data points it has.
func chartPoints(page, id string) (svg bool, points int) {
	at := strings.Index(page, `id="`+id+`"`)
	if at < 0 {
		return false, 0
	}
	open := strings.LastIndex(page[:at], "<")
	svg = strings.HasPrefix(page[open:], "<svg")
	end := strings.Index(page[at:], "</svg>")
	if !svg || end < 0 {
		return false, 0
	}
	return true, strings.Count(page[at:at+end], `class="point"`)
}

func TestHTMLReport(t *testing.T) {
	data, res := flakyReport(t)
	page := string(data)
	if len(res.Series.Endpoints) != 2 || len(res.Series.Endpoints[0]) < 3 {
		t.Fatalf("the run has a series of %d endpoints, the first of %d points; want 2 and 3 or more",
			len(res.Series.Endpoints), len(res.Series.Endpoints[0]))
	}
	checkSelfContained(t, page)
	for _, id := range chartIDs {
		if svg, n := chartPoints(page, id); !svg || n < 2 {
			t.Errorf("chart %s: svg %v with %d points; want an svg with 2 or more", id, svg, n)
		}
	}
	// The names are there, escaped.
	for _, want := range []string{
		"smoke &lt;script&gt;alert(&#34;scenario&#34;)&lt;/script&gt; &amp; co",
		"login &lt;script&gt;alert(1)&lt;/script&gt;",
		"a&amp;b &#34;profile&#34;",
		"rate&lt;limited&gt;&amp;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The sections come in order, the verdicts first.
	last := -1
	for _, marker := range []string{`id="verdict"`, `id="slo-table"`, `id="chart-latency"`, `id="chart-throughput"`,
		`id="chart-errors"`, `id="chart-spectrum"`, `id="endpoint-table"`, `id="settings"`} {
		at := strings.Index(page, marker)
		if at <= last {
			t.Errorf("%s at %d, not after the part before it (at %d)", marker, at, last)
		}
		last = max(last, at)
	}
	if !strings.Contains(page, `<div class="banner fail" id="verdict"><strong>FAIL</strong>`) {
		t.Errorf("no FAIL banner (error_rate<1%% fails)")
	}
	for _, want := range []string{">0%<", ">90%<", ">99%<", ">99.9%<", ">99.99%<", ">99.999%<", "latency (ms)", "requests/s", "errors/s", "time since start (s)"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the page", want)
		}
	}
	for _, class := range []string{"lock_timeout", "unavailable", "server_error", "rate&lt;limited&gt;&amp;"} {
		if !regexp.MustCompile(`<text x="[0-9.]+" y="[0-9.]+">` + regexp.QuoteMeta(class) + `<title>`).MatchString(page) {
			t.Errorf("the errors legend lacks class %s", class)
		}
	}
}

// TestHTMLSparse renders a run of one interval without errors, and a result
// without a time series: notes where there is nothing to plot.
func TestHTMLSparse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	res := realRun(t, srv.URL, runner.Load{Concurrency: 1, Iterations: 5})
	var buf bytes.Buffer
	if err := report.HTML(&buf, res, nil); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkSelfContained(t, page)
	for _, id := range []string{"chart-latency", "chart-throughput", "chart-spectrum"} {
		if svg, n := chartPoints(page, id); !svg || n < 1 {
			t.Errorf("chart %s: svg %v with %d points; want an svg with points", id, svg, n)
		}
	}
	if !strings.Contains(page, `<div class="chart nodata" id="chart-errors">`) || !strings.Contains(page, "No errors in this run") {
		t.Errorf("no note in place of the errors chart")
	}
	if !strings.Contains(page, `<div class="banner none" id="verdict">`) {
		t.Errorf("no neutral banner without SLOs")
	}

	buf.Reset()
	if err := report.HTML(&buf, testkit.Result(), verdicts(t, "p95<1s", "register.p99<1s")); err != nil {
		t.Fatal(err)
	}
	page = buf.String()
	checkSelfContained(t, page)
	for _, id := range []string{"chart-latency", "chart-throughput", "chart-errors"} {
		if !strings.Contains(page, `<div class="chart nodata" id="`+id+`">`) {
			t.Errorf("no note in place of %s for a result without a series", id)
		}
	}
	if svg, n := chartPoints(page, "chart-spectrum"); !svg || n < 2 {
		t.Errorf("spectrum: svg %v with %d points", svg, n)
	}
}

// chromium finds the browser, as Debian, Ubuntu and Google name it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Fatal("no chromium, chromium-browser or google-chrome in PATH: install Debian's chromium (apt-get install chromium); .ci/run does")
	return ""
}

// trapProxy is a proxy that answers nothing and keeps the request line of
// each connection: the browser sends every network request of the page to
// it. A connection that sends no request (Chromium opens some ahead of
// need) asks for nothing, and is not kept.
type trapProxy struct {
	ln       net.Listener
	mu       sync.Mutex
	requests []string
}

func newTrapProxy(t *testing.T) *trapProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &trapProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetReadDeadline(time.Now().Add(2 * time.Second))
				line, _ := bufio.NewReader(conn).ReadString('\n')
				if line = strings.TrimSpace(line); line != "" {
					p.mu.Lock()
					p.requests = append(p.requests, line)
					p.mu.Unlock()
				}
			}()
		}
	}()
	return p
}

func (p *trapProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// browserHosts are the hosts Chromium calls on its own, whatever the page
// (component updates, network time, account checks): a blank page makes
// these requests too. Exact names only, so that a page reaching for, say,
// fonts.googleapis.com is still caught.
var browserHosts = map[string]bool{
	"accounts.google.com": true, "android.clients.google.com": true, "clients2.google.com": true,
	"clients4.google.com": true, "clientservices.googleapis.com": true, "content-autofill.googleapis.com": true,
	"dl.google.com": true, "edgedl.me.gvt1.com": true, "optimizationguide-pa.googleapis.com": true,
	"redirector.gvt1.com": true, "safebrowsing.googleapis.com": true, "update.googleapis.com": true,
}

// requestHost is the host a proxy request line names: "CONNECT host:443
// HTTP/1.1" or "GET http://host/path HTTP/1.1".
func requestHost(line string) string {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return ""
	}
	if fields[0] == http.MethodConnect {
		host, _, _ := net.SplitHostPort(fields[1])
		return host
	}
	u, err := url.Parse(fields[1])
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// pageRequests splits the request lines into the browser's own and the
// rest, which the page made.
func pageRequests(lines []string) (page, browser []string) {
	for _, line := range lines {
		if browserHosts[requestHost(line)] {
			browser = append(browser, line)
		} else {
			page = append(page, line)
		}
	}
	return page, browser
}

// consoleTrouble matches the browser's log lines about the page: console
// messages, uncaught exceptions, Content-Security-Policy refusals, and
// errors.
var consoleTrouble = regexp.MustCompile(`CONSOLE|Uncaught|Refused to|Content Security Policy|:ERROR:`)

// hostNoise matches the errors of a host without a D-Bus, which a container
// or CI runner has not: not the page's.
var hostNoise = regexp.MustCompile(`:ERROR:dbus/`)

// runChromium runs the browser headless on file with args added, through
// proxy, logging to stderr, and returns its stdout and the log lines that
// consoleTrouble matches.
func runChromium(t *testing.T, bin string, proxy *trapProxy, file string, args ...string) (stdout []byte, trouble []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	argv := append([]string{"--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--window-size=1280,3000", "--user-data-dir=" + t.TempDir(),
		"--proxy-server=http://" + proxy.ln.Addr().String(), "--proxy-bypass-list=<-loopback>",
		"--enable-logging=stderr", "--v=0"}, args...)
	argv = append(argv, "file://"+file)
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	started := time.Now()
	err := cmd.Run()
	t.Logf("%s (%s)", strings.Join(cmd.Args, " "), time.Since(started).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, errOut.String())
	}
	for _, line := range strings.Split(errOut.String(), "\n") {
		if consoleTrouble.MatchString(line) && !hostNoise.MatchString(line) {
			trouble = append(trouble, line)
		}
	}
	return out.Bytes(), trouble
}

// TestHTMLInChromium opens the report in headless Chromium: no console
// message, no network request, every chart drawn with its points, and a
// screenshot, kept in $LOADGATE_ARTIFACTS when that is set.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	data, _ := flakyReport(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	proxy := newTrapProxy(t)

	t.Run("control", func(t *testing.T) {
		// A page that loads an image and logs to the console must trip both
		// detectors, or their silence below proves nothing.
		probe := filepath.Join(t.TempDir(), "probe.html")
		os.WriteFile(probe, []byte(`<!DOCTYPE html><title>probe</title><img src="http://loadgate-probe.invalid/x.png"><script>console.error("probe")</script>`), 0o644)
		before := len(proxy.seen())
		_, trouble := runChromium(t, bin, proxy, probe, "--dump-dom")
		if page, _ := pageRequests(proxy.seen()[before:]); len(page) == 0 {
			t.Errorf("the probe's image request did not reach the trap proxy")
		}
		if len(trouble) == 0 {
			t.Errorf("the probe's console.error was not in the log")
		}
	})

	before := len(proxy.seen())
	shot := filepath.Join(dir, "report.png")
	_, trouble := runChromium(t, bin, proxy, file, "--screenshot="+shot)
	dom, more := runChromium(t, bin, proxy, file, "--dump-dom")
	for _, line := range append(trouble, more...) {
		t.Errorf("browser log: %s", line)
	}
	page, browser := pageRequests(proxy.seen()[before:])
	if len(page) > 0 {
		t.Errorf("the page made %d network requests: %q", len(page), page)
	}
	t.Logf("%d requests of the browser's own to its services, trapped: %q", len(browser), browser)
	for _, id := range chartIDs {
		if svg, n := chartPoints(string(dom), id); !svg || n < 2 {
			t.Errorf("rendered chart %s: svg %v with %d points", id, svg, n)
		}
	}
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 10_000 {
		t.Fatalf("screenshot: %d bytes, %v", len(png), err)
	}
	if artifacts := os.Getenv("LOADGATE_ARTIFACTS"); artifacts != "" {
		if err := os.MkdirAll(artifacts, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string][]byte{"report.png": png, "report.html": data} {
			if err := os.WriteFile(filepath.Join(artifacts, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("screenshot and page written to %s", artifacts)
	}
}

// TestHTMLRetries: the page has a table of retries and first attempts per
// endpoint when the run retried, and none when it did not.
func TestHTMLRetries(t *testing.T) {
	cases := []struct {
		name string
		r    *runner.Result
		want []string // rows of the table; none: no table
	}{
		{"a run that retried", awkwardResult(), []string{
			`<tr><td class="name">log|in</td><td class="num">2</td><td class="num">43</td><td class="num errors">5 (11.63%)</td></tr>`,
			`<tr class="total"><td class="name">total</td><td class="num">2</td><td class="num">74</td><td class="num errors">6 (8.11%)</td></tr>`,
		}},
		{"a run without retries", testkit.Result(), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.HTML(&buf, tc.r, nil); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			if has := strings.Contains(page, `<table id="retry-table">`); has != (tc.want != nil) {
				t.Errorf("retry table present %v, want %v", has, tc.want != nil)
			}
			for _, row := range tc.want {
				if !strings.Contains(page, row) {
					t.Errorf("the page lacks the row %s", row)
				}
			}
		})
	}
}

// htmlPageOf renders r without SLOs.
func htmlPageOf(t *testing.T, r *runner.Result) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.HTML(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestHTMLSliverFolds: the last few milliseconds of a run (the requests in
// flight when it stopped) join the interval before, in a run's report and
// in a report of it merged with a later run alike: no point of a sliver is
// drawn as a whole second.
func TestHTMLSliverFolds(t *testing.T) {
	s, ms := time.Second, time.Millisecond
	first := func() *runner.Result { return testkit.TimedRun(0, 4*s+ms, 1, 0, s, 2*s, 3*s, 4*s) }
	merged := func() *runner.Result {
		m, err := runner.MergeResults(first(), testkit.TimedRun(10*s, 4*s+ms, 1, 0, s, 2*s, 3*s, 4*s))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name      string
		r         *runner.Result
		want, not []string
	}{
		{"one run", first(), []string{"p50: 1.00ms at 3–4.001 s (2 requests)"}, []string{"at 4–"}},
		{"merged with a later run", merged(), []string{"p50: 1.00ms at 3–4 s (2 requests)", "p50: 1.00ms at 13–14.001 s (2 requests)"}, []string{"p50: 1.00ms at 4–", "at 14–"}},
		{"one run read back through a merge", func() *runner.Result {
			m, err := runner.MergeResults(first())
			if err != nil {
				t.Fatal(err)
			}
			return m
		}(), []string{"p50: 1.00ms at 3–4.001 s (2 requests)"}, []string{"at 4–"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := htmlPageOf(t, tc.r)
			for _, want := range tc.want {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(page, not) {
					t.Errorf("the page has %q", not)
				}
			}
		})
	}
}

// degenerateLine matches a line that starts where it ends.
var degenerateLine = regexp.MustCompile(`<line x1="([0-9.]+)" y1="([0-9.]+)" x2="([0-9.]+)" y2="([0-9.]+)"`)

// TestHTMLNoEmptyLines: no line of the page has zero length, not even the
// grid line of a tick just inside a chart's right edge (a run of 4.001 s
// has its tick at 4 s there).
func TestHTMLNoEmptyLines(t *testing.T) {
	page := htmlPageOf(t, testkit.TimedRun(0, 4*time.Second+time.Millisecond, 1, 0, time.Second, 2*time.Second, 3*time.Second))
	if !strings.Contains(page, `<text x="963.8" y="354.0">4.0</text>`) {
		t.Fatalf("no tick at 4 s near the right edge: the test proves nothing")
	}
	lines := degenerateLine.FindAllStringSubmatch(page, -1)
	for _, l := range lines {
		if l[1] == l[3] && l[2] == l[4] {
			t.Errorf("a line of zero length: %s", l[0])
		}
	}
	if len(lines) < 10 {
		t.Errorf("%d lines in the page: the pattern finds none", len(lines))
	}
}
