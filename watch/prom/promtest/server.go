package promtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"maps"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Config says what a test Prometheus scrapes and how it serves.
type Config struct {
	// Targets are host:port addresses scraped every second at /metrics.
	Targets []string
	// TargetLabels are labels Prometheus attaches to every series of a target, by its
	// address: cluster=a and cluster=b make two targets look like two clusters' agents
	// behind one Thanos Query or Mimir.
	TargetLabels map[string]map[string]string
	// ListenHost is the IP the server listens on; empty means 127.0.0.1. The API
	// server's service proxy refuses loopback endpoints, so proxy tests use another.
	ListenHost string
	// CertFile and KeyFile, when set, make Prometheus serve HTTPS only.
	CertFile, KeyFile string
	// BasicAuthUser and BasicAuthHash (bcrypt) make Prometheus require basic auth.
	BasicAuthUser, BasicAuthHash string
	// Ready checks readiness; it defaults to a plain GET of /-/ready. A server that
	// needs TLS or auth needs a Ready that can pass them.
	Ready func(url string) (*http.Response, error)
}

// Prometheus is a real Prometheus server process on a loopback port.
type Prometheus struct {
	// URL is the server's base URL (http or https).
	URL string

	t    testing.TB
	cfg  Config
	bin  string
	dir  string // config and logs
	data string // TSDB, kept across restarts
	addr string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	logs *bytes.Buffer
}

// Binary returns the prometheus binary: the one on PATH, else bin/prometheus of the
// repository (built by `make prometheus`). It fails the test when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("prometheus"); err == nil {
		return p
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, "bin", "prometheus")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	t.Fatal("no prometheus binary: install Debian's prometheus package or run `make prometheus`")
	return ""
}

// Start runs Prometheus with a generated config scraping cfg.Targets every second,
// waits until it is ready, and stops it when the test ends.
func Start(t testing.TB, cfg Config) *Prometheus {
	t.Helper()
	host := cfg.ListenHost
	if host == "" {
		host = "127.0.0.1"
	}
	p := &Prometheus{t: t, cfg: cfg, bin: Binary(t), dir: t.TempDir(), addr: freeAddrOn(t, host)}
	p.data = filepath.Join(p.dir, "data")
	scheme := "http"
	if cfg.CertFile != "" {
		scheme = "https"
	}
	p.URL = scheme + "://" + p.addr
	p.writeConfig()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", p.Logs())
		}
	})
	p.start()
	return p
}

// Stop stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit.
// Stopping a stopped server does nothing.
func (p *Prometheus) Stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Restart starts a stopped server again on the same port with the same storage.
func (p *Prometheus) Restart() {
	p.t.Helper()
	p.Stop()
	p.start()
}

// Logs returns what the server printed so far.
func (p *Prometheus) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.logs == nil {
		return ""
	}
	return p.logs.String()
}

func (p *Prometheus) start() {
	p.t.Helper()
	args := []string{
		"--config.file=" + filepath.Join(p.dir, "prometheus.yml"),
		"--storage.tsdb.path=" + p.data,
		"--web.listen-address=" + p.addr,
		"--log.level=warn",
	}
	if p.cfg.CertFile != "" || p.cfg.BasicAuthUser != "" {
		args = append(args, "--web.config.file="+filepath.Join(p.dir, "web.yml"))
	}
	cmd := exec.Command(p.bin, args...)
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = syncWriter{&p.mu, logs}, syncWriter{&p.mu, logs}
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done, p.logs = cmd, done, logs
	p.mu.Unlock()
	p.waitReady(done)
}

// waitReady polls /-/ready until it answers 200, the process exits or 60 s pass.
func (p *Prometheus) waitReady(done chan struct{}) {
	p.t.Helper()
	ready := p.cfg.Ready
	if ready == nil {
		c := &http.Client{Timeout: 2 * time.Second}
		ready = c.Get
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := ready(p.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			p.t.Fatalf("prometheus exited before it was ready:\n%s", p.Logs())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("prometheus not ready after 60s (last error %v):\n%s", err, p.Logs())
		}
	}
}

func (p *Prometheus) writeConfig() {
	p.t.Helper()
	var b strings.Builder
	b.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n")
	b.WriteString("  - job_name: seldon\n    honor_labels: true\n    static_configs:\n")
	for _, tg := range p.cfg.Targets {
		fmt.Fprintf(&b, "      - targets: [%q]\n", tg)
		if labels := p.cfg.TargetLabels[tg]; len(labels) > 0 {
			b.WriteString("        labels:\n")
			for _, k := range slices.Sorted(maps.Keys(labels)) {
				fmt.Fprintf(&b, "          %s: %q\n", k, labels[k])
			}
		}
	}
	if len(p.cfg.Targets) == 0 {
		b.WriteString("      - targets: []\n")
	}
	write(p.t, filepath.Join(p.dir, "prometheus.yml"), b.String())
	var web strings.Builder
	if p.cfg.CertFile != "" {
		fmt.Fprintf(&web, "tls_server_config:\n  cert_file: %q\n  key_file: %q\n", p.cfg.CertFile, p.cfg.KeyFile)
	}
	if p.cfg.BasicAuthUser != "" {
		fmt.Fprintf(&web, "basic_auth_users:\n  %q: %q\n", p.cfg.BasicAuthUser, p.cfg.BasicAuthHash)
	}
	write(p.t, filepath.Join(p.dir, "web.yml"), web.String())
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t testing.TB) string { return freeAddrOn(t, "127.0.0.1") }

func freeAddrOn(t testing.TB, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// FreeAddr returns a loopback address nobody listens on, for "connection refused" tests.
func FreeAddr(t testing.TB) string { return freeAddr(t) }

// Port is the port the server listens on.
func (p *Prometheus) Port() int {
	_, port, _ := net.SplitHostPort(p.addr)
	n, _ := strconv.Atoi(port)
	return n
}

// NonLoopbackIP returns an IPv4 address of this machine that is not loopback or
// link-local, for servers the API server's proxy must reach.
func NonLoopbackIP(t testing.TB) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip := n.IP.To4(); ip != nil && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
				return ip.String()
			}
		}
	}
	t.Fatal("no non-loopback IPv4 address: the service proxy test needs one (the API server refuses loopback endpoints)")
	return ""
}

// SelfSignedCert writes a certificate and key for 127.0.0.1 into dir and returns their
// paths; the certificate is its own CA.
func SelfSignedCert(t testing.TB, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "twinscale test prometheus"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	write(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	write(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile
}

// Eventually polls cond every 50 ms until it holds or timeout passes, then fails the
// test with cond's last explanation. Tests use it instead of sleeping.
func Eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not true after %s: %s", timeout, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncWriter serialises writes to a buffer shared with Logs.
type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
