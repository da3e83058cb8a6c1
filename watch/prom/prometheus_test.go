package prom

// These tests run a real Prometheus server (promtest) scraping an exporter of Seldon's
// counters every second, with short rate windows to stay fast.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
)

// within reports whether got is within 10% of want.
func within(got, want float64) bool { return math.Abs(got-want) <= 0.1*want }

func seldonModels() []promtest.Model {
	return []promtest.Model{
		{Namespace: "seldon", Name: "iris", Server: "mlserver-iris", Pods: 2, RPS: 6, ErrorRPS: 1, LatencySec: 0.05},
		{Namespace: "seldon", Name: "tfsimple", Server: "triton-tfsimple", Pods: 1, RPS: 20, LatencySec: 0.01},
		{Namespace: "other", Name: "unwatched", Server: "s", Pods: 1, RPS: 3, LatencySec: 0.1},
	}
}

func TestAgainstPrometheus(t *testing.T) {
	t.Parallel()
	exp := promtest.NewExporter(t)
	exp.Set(seldonModels()...)
	var bulk []promtest.Model
	for i := range 1000 {
		bulk = append(bulk, promtest.Model{Namespace: "bulk", Name: fmt.Sprintf("m%04d", i), Server: fmt.Sprintf("s%04d", i), Pods: 1, RPS: float64(1 + i%10), LatencySec: 0.02})
	}
	exp.Set(bulk...)
	srv := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}})

	t.Run("rps, latency and errors within 10% of the set rates", func(t *testing.T) {
		o := testOptions(srv.URL)
		q, err := NewQuerier(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := newRecorder(o)
		runPoller(t, NewPoller(q, o, []string{"seldon"}, rec))
		promtest.Eventually(t, 30*time.Second, func() (bool, string) {
			p, n := rec.lastPoll()
			iris, tf := p.Samples["seldon/iris"], p.Samples["seldon/tfsimple"]
			ok := within(iris.RPS, 6) && within(tf.RPS, 20) &&
				iris.HasErrors && within(iris.Errors, 1) && tf.HasErrors && tf.Errors == 0 &&
				iris.HasLatency && within(iris.Latency, 0.05) && tf.HasLatency && within(tf.Latency, 0.01)
			return ok, fmt.Sprintf("after %d polls: iris %+v, tfsimple %+v; state %+v", n, iris, tf, rec.state())
		})
		p, _ := rec.lastPoll()
		if _, ok := p.Samples["other/unwatched"]; ok || len(p.Samples) != 2 {
			t.Errorf("samples outside the watched namespace: %v", p.Samples)
		}
		var s model.MetricSample
		rec.history(func(h *model.History) { s, _, _ = h.Latest("seldon/iris") })
		if !within(s.RPS, 6) || s.Problem != "" {
			t.Errorf("History.Latest = %+v", s)
		}
	})

	t.Run("backfill returns the history at once", func(t *testing.T) {
		o := testOptions(srv.URL)
		q, err := NewQuerier(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Wait until Prometheus holds a full history window of rates.
		promtest.Eventually(t, 30*time.Second, func() (bool, string) {
			end := time.Now()
			series, _, err := q.Range(context.Background(), `sum(rate(seldon_model_infer_total{model="tfsimple"}[5s]))`, end.Add(-o.History), end, time.Second)
			n := 0
			if err == nil && len(series) > 0 {
				for _, pt := range series[0].Points {
					if within(pt.V, 20) {
						n++
					}
				}
			}
			return n >= 10, fmt.Sprintf("%d settled points, err %v", n, err)
		})
		rec := newRecorder(o)
		p := NewPoller(q, o, []string{"seldon"}, rec)
		p.cycle(context.Background())
		if len(rec.backfills) != 1 {
			t.Fatalf("%d backfills, want 1; state %+v", len(rec.backfills), p.state)
		}
		b := rec.backfills[0]
		tf := b.Series["seldon/tfsimple"]
		if len(tf) != o.Capacity() || b.Step != time.Second {
			t.Fatalf("backfill of tfsimple has %d points at %v, want %d at 1s", len(tf), b.Step, o.Capacity())
		}
		good := 0
		for _, v := range tf {
			if within(v, 20) {
				good++
			}
		}
		if good < o.Capacity()-2 {
			t.Errorf("backfill %v: %d points within 10%% of 20, want at least %d", tf, good, o.Capacity()-2)
		}
		var spark []float64
		rec.history(func(h *model.History) { spark = h.Spark("seldon/tfsimple", o.Capacity()) })
		filled := 0
		for _, v := range spark {
			if !math.IsNaN(v) {
				filled++
			}
		}
		if filled < o.Capacity()-2 {
			t.Errorf("sparkline after the first poll %v: %d points filled, want the whole window", spark, filled)
		}
	})

	t.Run("one instant query per poll with 1000 models", func(t *testing.T) {
		o := testOptions(srv.URL)
		plain, err := NewQuerier(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		qs, _ := o.render([]string{"bulk"})
		promtest.Eventually(t, 30*time.Second, func() (bool, string) {
			s, _, err := plain.Instant(context.Background(), qs.rps, time.Now())
			return len(s) == 1000, fmt.Sprintf("%d series, err %v", len(s), err)
		})
		var counter *queryCounter
		o.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			counter = countQueries(rt)
			return counter
		}
		q, err := NewQuerier(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := newRecorder(o)
		p := NewPoller(q, o, []string{"bulk"}, rec)
		const polls = 3
		for range polls {
			p.cycle(context.Background())
		}
		if p.state.Failures != 0 {
			t.Fatalf("state %+v", p.state)
		}
		for _, poll := range rec.polls {
			if len(poll.Samples) != 1000 {
				t.Fatalf("a poll has %d samples, want 1000", len(poll.Samples))
			}
		}
		want := map[string]int{
			"range " + qs.rps:       1,
			"instant " + qs.rps:     polls,
			"instant " + qs.latency: polls,
			"instant " + qs.errors:  polls,
		}
		for k, n := range want {
			if got := counter.count(k); got != n {
				t.Errorf("%d requests for %s, want %d", got, k, n)
			}
		}
		if total := counter.total(); total != 1+3*polls {
			t.Errorf("%d query requests in all, want %d", total, 1+3*polls)
		}
		s := rec.polls[polls-1].Samples["bulk/m0007"]
		if !within(s.RPS, 8) || !s.HasLatency || !within(s.Latency, 0.02) {
			t.Errorf("bulk/m0007 = %+v, want 8 rps at 0.02 s", s)
		}
	})

	t.Run("a PromQL error gives Prometheus' bad_data text", func(t *testing.T) {
		o := testOptions(srv.URL)
		o.Query = `sum by (namespace, model) (rate(seldon_model_infer_total{namespace=~"{{.Namespaces}}"}[{{.Window}}])`
		if err := o.Validate(); err != nil {
			t.Fatalf("a valid template is refused: %v", err)
		}
		st := oneCycle(t, o, nil)
		if !strings.HasPrefix(st.LastError, "bad query (check --query): ") ||
			!strings.Contains(st.LastError, "parse error") || st.Failures != 1 || !st.BadQuery {
			t.Errorf("state = %+v", st)
		}
	})

	t.Run("a query without namespace and model labels says so", func(t *testing.T) {
		o := testOptions(srv.URL)
		o.Query = `sum(rate(seldon_model_infer_total[{{.Window}}]))`
		st := oneCycle(t, o, nil)
		if !strings.Contains(st.Warning, "query returns no namespace/model labels (1 series)") || st.Failures != 0 || st.BadQuery {
			t.Errorf("state = %+v", st)
		}
	})

	t.Run("a metric that does not exist says so", func(t *testing.T) {
		o := testOptions(srv.URL)
		o.Query = `sum by (namespace, model) (rate(no_such_metric_total{namespace=~"{{.Namespaces}}"}[{{.Window}}]))`
		st := oneCycle(t, o, []string{"bulk"})
		if !strings.Contains(st.Warning, "the --query returns no series for namespaces bulk") || st.Failures != 0 {
			t.Errorf("state = %+v", st)
		}
	})

	t.Run("a wrong path prefix says so", func(t *testing.T) {
		st := oneCycle(t, testOptions(srv.URL+"/not-prometheus"), nil)
		if !strings.Contains(st.LastError, "/not-prometheus has no Prometheus query API (404 Not Found)") {
			t.Errorf("state = %+v", st)
		}
	})

	t.Run("no series for the namespace", func(t *testing.T) {
		st := oneCycle(t, testOptions(srv.URL), []string{"nothing-here"})
		if !strings.Contains(st.Warning, "no series for seldon_model_infer_total in namespaces nothing-here in the last 5s") || st.Failures != 0 {
			t.Errorf("state = %+v", st)
		}
	})
}

// oneCycle runs a single poll cycle with fresh options and returns the state.
func oneCycle(t *testing.T, o Options, namespaces []string) model.PromState {
	t.Helper()
	q, err := NewQuerier(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPoller(q, o, namespaces, newRecorder(o))
	p.Log = (&logBuffer{}).logger()
	p.cycle(context.Background())
	return p.state
}

func TestConnectionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, want string
	}{
		{"nothing listens", "http://" + promtest.FreeAddr(t), "connection refused (is it running, and is the port right?)"},
		{"unknown host", "http://prometheus.invalid:9090", `cannot resolve host "prometheus.invalid"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(tt.url)
			o.Timeout = 5 * time.Second
			st := oneCycle(t, o, nil)
			if !strings.Contains(st.LastError, tt.want) || st.Failures != 1 {
				t.Errorf("state = %+v\nwant LastError containing %q", st, tt.want)
			}
		})
	}
}

func TestPrometheusOutage(t *testing.T) {
	t.Parallel()
	exp := promtest.NewExporter(t)
	exp.Set(seldonModels()...)
	srv := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}})
	o := testOptions(srv.URL)
	o.History = time.Minute // the outage must not roll the history out of the ring
	q, err := NewQuerier(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(o)
	p := NewPoller(q, o, []string{"seldon"}, rec)
	p.Log = (&logBuffer{}).logger()
	runPoller(t, p)
	promtest.Eventually(t, 30*time.Second, func() (bool, string) {
		last, n := rec.lastPoll()
		return n >= 2 && within(last.Samples["seldon/iris"].RPS, 6), fmt.Sprintf("%d polls, last %+v", n, last)
	})
	filled := func() (n int) {
		rec.history(func(h *model.History) {
			for _, v := range h.Pair("seldon/iris").RPS {
				if !math.IsNaN(v) {
					n++
				}
			}
		})
		return n
	}
	before := filled()

	srv.Stop()
	promtest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := rec.state()
		return st.Failures >= 2 && st.Stale && strings.Contains(st.LastError, "connection refused") && !st.LastSuccess.IsZero(), fmt.Sprintf("state %+v", st)
	})
	if during := filled(); during < before {
		t.Errorf("history lost points during the outage: %d before, %d during", before, during)
	}

	restarted := time.Now()
	srv.Restart()
	promtest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := rec.state()
		last, _ := rec.lastPoll()
		ok := st.Failures == 0 && !st.Stale && st.LastError == "" && st.LastSuccess.After(restarted) &&
			within(last.Samples["seldon/iris"].RPS, 6)
		return ok, fmt.Sprintf("state %+v, last poll %+v", st, last)
	})
	if after := filled(); after < before {
		t.Errorf("history lost points across the outage: %d before, %d after", before, after)
	}
}

// TestPrometheusHangs puts a proxy in front of Prometheus that accepts connections and
// then says nothing: every query times out, the series go stale, the history stays,
// and polling recovers by itself once Prometheus answers again.
func TestPrometheusHangs(t *testing.T) {
	t.Parallel()
	exp := promtest.NewExporter(t)
	exp.Set(seldonModels()...)
	srv := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}})
	proxy := kubetest.NewProxy(t, strings.TrimPrefix(srv.URL, "http://"))
	o := testOptions("http://" + proxy.Addr)
	o.Timeout = time.Second
	o.History = time.Minute
	q, err := NewQuerier(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(o)
	p := NewPoller(q, o, []string{"seldon"}, rec)
	p.Log = (&logBuffer{}).logger()
	runPoller(t, p)
	promtest.Eventually(t, 30*time.Second, func() (bool, string) {
		last, n := rec.lastPoll()
		return n >= 2 && within(last.Samples["seldon/iris"].RPS, 6), fmt.Sprintf("%d polls, last %+v", n, last)
	})
	filled := func() (n int) {
		rec.history(func(h *model.History) {
			for _, v := range h.Pair("seldon/iris").RPS {
				if !math.IsNaN(v) {
					n++
				}
			}
		})
		return n
	}
	before := filled()

	proxy.Hang(time.Hour)
	promtest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := rec.state()
		return st.Failures >= 2 && st.Stale && strings.Contains(st.LastError, "timed out after 1s (--prometheus-timeout)"),
			fmt.Sprintf("state %+v", st)
	})
	if during := filled(); during < before {
		t.Errorf("history lost points while Prometheus hung: %d before, %d during", before, during)
	}

	answering := time.Now()
	proxy.Hang(0)
	promtest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := rec.state()
		return st.Failures == 0 && !st.Stale && st.LastError == "" && st.LastSuccess.After(answering), fmt.Sprintf("state %+v", st)
	})
	if after := filled(); after < before {
		t.Errorf("history lost points across the hang: %d before, %d after", before, after)
	}
}

// testPassword matches testPasswordHash (bcrypt, cost 4); it exists only for tests.
const (
	testUser         = "twinscale"
	testPassword     = "twinscale-test-secret"
	testPasswordHash = "$2b$04$WuBHOR6y.QjBPyjWcBoaM.7XJ1Ooz0Yzsm7pKoN3IbuzpflBx0dLW"
)

func TestTLSAndAuth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := promtest.SelfSignedCert(t, dir)
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	ready := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	exp := promtest.NewExporter(t)
	exp.Set(seldonModels()...)
	srv := promtest.Start(t, promtest.Config{
		Targets: []string{exp.Addr}, CertFile: certFile, KeyFile: keyFile,
		BasicAuthUser: testUser, BasicAuthHash: testPasswordHash,
		Ready: func(u string) (*http.Response, error) {
			req, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			req.SetBasicAuth(testUser, testPassword)
			return ready.Do(req)
		},
	})
	addr := strings.TrimPrefix(srv.URL, "https://")
	pwFile := filepath.Join(dir, "password")
	writeFile(t, pwFile, testPassword)
	config := func(name, body string) string {
		f := filepath.Join(dir, name+".yml")
		writeFile(t, f, fmt.Sprintf("tls_config:\n  ca_file: %s\n%s", certFile, body))
		return f
	}
	caOnly := config("ca-only", "")
	wrong := config("wrong", "basic_auth:\n  username: twinscale\n  password: wrong-password-xyz\n")
	good := config("good", "basic_auth:\n  username: twinscale\n  password_file: "+pwFile+"\n")
	inline := config("inline", "basic_auth:\n  username: twinscale\n  password: "+testPassword+"\n")
	insecure := filepath.Join(dir, "insecure.yml")
	writeFile(t, insecure, "tls_config:\n  insecure_skip_verify: true\nbasic_auth:\n  username: twinscale\n  password: "+testPassword+"\n")

	tests := []struct {
		name, url, config, want string // want empty: the poll succeeds
	}{
		{"untrusted certificate", srv.URL, "", "TLS: cannot verify the certificate of " + srv.URL + ": x509: certificate signed by unknown authority"},
		{"plain HTTP to an HTTPS server", "http://" + addr, "", "if it serves HTTPS, use https://"},
		{"no credentials", srv.URL, caOnly, "rejected the credentials (401 Unauthorized): check the bearer token, basic auth or http_headers (Mimir's X-Scope-OrgID) in --prometheus-config or the http_config of --config"},
		{"wrong password", srv.URL, wrong, "rejected the credentials (401 Unauthorized)"},
		{"wrong password in the URL", "https://twinscale:url-secret-pw@" + addr, caOnly, "rejected the credentials (401 Unauthorized)"},
		{"password file", srv.URL, good, ""},
		{"inline password", srv.URL, inline, ""},
		{"password in the URL", "https://twinscale:" + testPassword + "@" + addr, caOnly, ""},
		{"insecure_skip_verify", srv.URL, insecure, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(tt.url)
			o.ConfigFile = tt.config
			if err := o.Validate(); err != nil {
				t.Fatalf("Validate = %v", err)
			}
			q, err := NewQuerier(o, nil)
			if err != nil {
				t.Fatal(err)
			}
			logs := &logBuffer{}
			p := NewPoller(q, o, []string{"seldon"}, newRecorder(o))
			p.Log = logs.logger()
			p.cycle(context.Background())
			st := p.state
			if tt.want == "" {
				if st.Failures != 0 || st.LastError != "" || st.LastSuccess.IsZero() {
					t.Errorf("state = %+v, want success", st)
				}
			} else if !strings.Contains(st.LastError, tt.want) || st.Failures != 1 {
				t.Errorf("LastError = %q\nwant it to contain %q", st.LastError, tt.want)
			}
			shown, _ := json.Marshal(st)
			for _, secret := range []string{testPassword, "wrong-password-xyz", "url-secret-pw"} {
				if strings.Contains(string(shown), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("credential %q shown: state %s, logs %s", secret, shown, logs.String())
				}
			}
			if strings.Contains(st.Target, "twinscale:") {
				t.Errorf("target shows user info: %q", st.Target)
			}
		})
	}
}
