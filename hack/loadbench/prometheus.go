package main

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twinscale/twinscale/model/modeltest"
)

// exporter serves Seldon's per-model counters for modeltest's first n pairs, growing at
// each pair's modeltest.RPS, the way Seldon's agents expose them.
type exporter struct {
	n     int
	start time.Time
}

func (e *exporter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	secs := time.Since(e.start).Seconds()
	var b strings.Builder
	b.WriteString("# TYPE seldon_model_infer_total counter\n")
	for i := range e.n {
		ns, m, srv := modeltest.Names(i)
		fmt.Fprintf(&b, "seldon_model_infer_total{namespace=%q,model=%q,server=%q,code=\"200\"} %s\n",
			ns, m, srv, strconv.FormatFloat(modeltest.RPS(i, 0)*secs, 'f', 3, 64))
	}
	b.WriteString("# TYPE seldon_model_infer_seconds_total counter\n")
	for i := range e.n {
		ns, m, srv := modeltest.Names(i)
		fmt.Fprintf(&b, "seldon_model_infer_seconds_total{namespace=%q,model=%q,server=%q,code=\"200\"} %s\n",
			ns, m, srv, strconv.FormatFloat(modeltest.RPS(i, 0)*0.012*secs, 'f', 3, 64))
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(b.String()))
}

// prometheus is a real Prometheus server scraping an exporter.
type prometheus struct {
	url  string
	cmd  *exec.Cmd
	exp  *http.Server
	done chan struct{}
}

func (p *prometheus) stop() {
	_ = p.cmd.Process.Kill()
	<-p.done
	_ = p.exp.Close()
}

// startPrometheus runs the prometheus binary on PATH scraping an exporter of n pairs
// every 5 s, and waits until a rate over its samples is known.
func startPrometheus(dir string, n int) (*prometheus, error) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		return nil, fmt.Errorf("no prometheus binary on PATH: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	exp := &http.Server{Handler: &exporter{n: n, start: time.Now()}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = exp.Serve(ln) }()
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := pl.Addr().String()
	pl.Close()
	pdir := filepath.Join(dir, fmt.Sprintf("prometheus-%d", n))
	if err := os.MkdirAll(pdir, 0o700); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf("global:\n  scrape_interval: 5s\n  scrape_timeout: 5s\nscrape_configs:\n  - job_name: seldon\n    honor_labels: true\n    static_configs:\n      - targets: [%q]\n", ln.Addr().String())
	if err := os.WriteFile(filepath.Join(pdir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	logs, err := os.Create(filepath.Join(pdir, "log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--config.file="+filepath.Join(pdir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(pdir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &prometheus{url: "http://" + addr, cmd: cmd, exp: exp, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logs.Close(); close(p.done) }()
	// A 2m rate needs two scrapes of every series.
	query := p.url + "/api/v1/query?query=" + "count(rate(seldon_model_infer_total[2m])>0)"
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(query)
		if err == nil {
			var body strings.Builder
			buf := make([]byte, 4096)
			for {
				k, rerr := resp.Body.Read(buf)
				body.Write(buf[:k])
				if rerr != nil {
					break
				}
			}
			resp.Body.Close()
			if strings.Contains(body.String(), fmt.Sprintf(`"%d"`, n)) {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("prometheus has no rate for %d models after 2 minutes", n)
		}
		time.Sleep(time.Second)
	}
}

// countingProxy forwards to a Prometheus and counts the queries by API path.
type countingProxy struct {
	url    string
	srv    *http.Server
	mu     sync.Mutex
	counts map[string]int
}

func newCountingProxy(target string) (*countingProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{url: "http://" + ln.Addr().String(), counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.counts[r.URL.Path]++
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// snapshot returns the counts so far.
func (p *countingProxy) snapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}
