// Command loadbench measures twinscale against a real API server: it starts envtest's
// kube-apiserver and etcd (watch/kube/kubetest, with its audit log), fills it with
// modeltest's Model/Server pairs, and runs the built binaries against it:
//
//   - cold start: `twinscale snapshot -A -o json` from process start to a complete
//     snapshot of every pair (wall time, peak RSS);
//   - the dashboard in tmux at 200x60: RSS, CPU while nothing changes, API requests by
//     verb while nothing changes (audit log), and the bytes it writes to the terminal
//     when one pair changes;
//   - the same watch in process through kube.CountingTransport;
//   - `kubectl get hpa -A -w` next to it: requests and RSS.
//
// With -clusters N it measures only cold snapshots of N API servers of -cold pairs each
// (--context c0,...), alternating with snapshots of one of them.
//
// Run it from the repository root after `make testenv` (make bench does both). It prints
// a Markdown table and, with -json, writes the numbers to a file.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

type options struct {
	cold, large int
	runs        int
	idle        time.Duration
	updates     int
	workers     int
	jsonOut     string
	// snapshotOnly measures only `twinscale snapshot` at -large pairs; compare is another
	// twinscale binary whose runs alternate with this tree's, in the same conditions.
	snapshotOnly bool
	compare      string
	hold         bool
	// clusters, when set, measures only snapshots of that many clusters of -cold pairs each
	// against one of them.
	clusters int
}

// result is one measured number.
type result struct {
	Pairs  int     `json:"pairs"`
	What   string  `json:"what"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Detail string  `json:"detail,omitempty"`
}

type bench struct {
	opts       options
	dir        string
	env        *kubetest.Env
	kubeconfig string
	twinscale  string
	kubectl    string
	audit      string
	results    []result
}

func main() {
	var o options
	flag.IntVar(&o.cold, "cold", 1000, "pairs for the cold start, idle and update measurements")
	flag.IntVar(&o.large, "large", 5000, "pairs for the RSS measurement (0 skips it)")
	flag.IntVar(&o.runs, "runs", 5, "cold starts to take the median of")
	flag.DurationVar(&o.idle, "idle", 60*time.Second, "how long to watch an idle cluster")
	flag.IntVar(&o.updates, "updates", 10, "single-pair changes to measure terminal output with")
	flag.IntVar(&o.workers, "workers", 16, "parallel writers filling the API server")
	flag.StringVar(&o.jsonOut, "json", "", "also write the results to this file")
	flag.BoolVar(&o.snapshotOnly, "snapshot-only", false, "measure only `twinscale snapshot` (time and peak RSS) at -large pairs")
	flag.BoolVar(&o.hold, "hold", false, "with -snapshot-only: after filling, print the kubeconfig and keep the API server up until interrupted (for profiling by hand)")
	flag.StringVar(&o.compare, "compare", "", "with -snapshot-only: another twinscale binary, run alternately with this tree's")
	flag.IntVar(&o.clusters, "clusters", 0, "measure only cold snapshots of this many clusters (one API server each) of -cold pairs, against one of them")
	flag.Parse()
	log.SetFlags(log.Ltime)
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

func run(o options) error {
	root, err := kubetest.RepoRoot()
	if err != nil {
		return err
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &bench{opts: o, dir: dir, twinscale: filepath.Join(dir, "twinscale"), kubectl: filepath.Join(root, "bin", "kubectl")}
	if _, err := os.Stat(b.kubectl); err != nil && !o.snapshotOnly {
		return fmt.Errorf("bin/kubectl not found: run `make testenv`")
	}
	log.Printf("building twinscale")
	if out, err := exec.Command("go", "build", "-o", b.twinscale, "./cmd/twinscale").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	if o.clusters > 0 {
		if err := b.clustersBench(); err != nil {
			return err
		}
		b.print(os.Stdout)
		if o.jsonOut != "" {
			raw, _ := json.MarshalIndent(b.results, "", "  ")
			return os.WriteFile(o.jsonOut, raw, 0o644)
		}
		return nil
	}
	log.Printf("starting kube-apiserver and etcd")
	b.env, err = kubetest.Start()
	if err != nil {
		return err
	}
	b.audit = b.env.AuditLog()
	defer func() { _ = b.env.Stop() }()
	if b.kubeconfig, err = writeKubeconfig(b.env.Config, filepath.Join(dir, "kubeconfig")); err != nil {
		return err
	}

	if o.snapshotOnly {
		if err := b.snapshotsOnly(); err != nil {
			return err
		}
		b.print(os.Stdout)
		return nil
	}
	if err := b.size(0, o.cold, true); err != nil {
		return err
	}
	if o.large > o.cold {
		if err := b.size(o.cold, o.large, false); err != nil {
			return err
		}
	}
	b.print(os.Stdout)
	if o.jsonOut != "" {
		raw, _ := json.MarshalIndent(b.results, "", "  ")
		return os.WriteFile(o.jsonOut, raw, 0o644)
	}
	return nil
}

func (b *bench) add(pairs int, what string, v float64, unit, detail string) {
	b.results = append(b.results, result{pairs, what, v, unit, detail})
	log.Printf("%d pairs: %s = %.3g %s %s", pairs, what, v, unit, detail)
}

// size fills the API server up to n pairs and measures; full adds the update and
// in-process measurements.
func (b *bench) size(from, n int, full bool) error {
	log.Printf("filling pairs %d..%d (%d objects each)", from, n-1, 5)
	cfg := rest.CopyConfig(b.env.Config)
	cfg.QPS, cfg.Burst = 5000, 10000
	dyn, cs, err := clients(cfg)
	if err != nil {
		return err
	}
	began := time.Now()
	if err := kubetest.Fill(context.Background(), dyn, cs, from, n, b.opts.workers); err != nil {
		return err
	}
	b.add(n, "fill the API server", time.Since(began).Seconds(), "s", fmt.Sprintf("%d objects", (n-from)*5))

	// Cold start of `twinscale snapshot`.
	var walls, rss []float64
	for r := range b.opts.runs {
		wall, maxRSS, pairs, err := b.snapshot()
		if err != nil {
			return err
		}
		if pairs != n {
			return fmt.Errorf("snapshot run %d printed %d pairs, want %d", r, pairs, n)
		}
		walls, rss = append(walls, wall.Seconds()), append(rss, float64(maxRSS)/1024)
	}
	b.add(n, "twinscale snapshot: start to complete snapshot", median(walls), "s", fmt.Sprintf("median of %d: %s", len(walls), fmtList(walls)))
	b.add(n, "twinscale snapshot: peak RSS", median(rss), "MiB", "")

	// The dashboard, kubectl and the in-process watch, side by side, then idle.
	started := fileSize(b.audit)
	dash, err := b.startDashboard(n, "")
	if err != nil {
		return err
	}
	defer dash.stop()
	kc, err := b.startKubectl(n)
	if err != nil {
		return err
	}
	defer kc.stop()
	var counter *kube.RequestCounter
	if full {
		var stop func()
		counter, stop, err = b.inProcess()
		if err != nil {
			return err
		}
		defer stop()
	}
	time.Sleep(5 * time.Second) // let start-up work settle
	dash0, kc0 := cpuTicks(dash.pid), cpuTicks(kc.pid)
	out0 := fileSize(dash.out)
	off := fileSize(b.audit)
	var before map[string]int64
	if counter != nil {
		before = counter.Counts()
	}
	log.Printf("idle for %s", b.opts.idle)
	time.Sleep(b.opts.idle)
	dash1, kc1 := cpuTicks(dash.pid), cpuTicks(kc.pid)
	reqs, err := auditCounts(b.audit, off)
	if err != nil {
		return err
	}
	secs := b.opts.idle.Seconds()
	b.add(n, "dashboard idle CPU", 100*float64(dash1-dash0)/clockTicks/secs, "% of a core", fmt.Sprintf("%d ticks in %s", dash1-dash0, b.opts.idle))
	b.add(n, "dashboard bytes written while idle", float64(fileSize(dash.out)-out0), "bytes", "over "+b.opts.idle.String())
	b.add(n, "dashboard RSS", float64(procStatus(dash.pid, "VmRSS"))/1024, "MiB", fmt.Sprintf("peak %.0f MiB", float64(procStatus(dash.pid, "VmHWM"))/1024))
	b.add(n, "dashboard requests while idle", float64(reqs["twinscale"].total()), "requests", reqs["twinscale"].String())
	b.add(n, "kubectl get hpa -A -w idle CPU", 100*float64(kc1-kc0)/clockTicks/secs, "% of a core", "")
	b.add(n, "kubectl get hpa -A -w RSS", float64(procStatus(kc.pid, "VmRSS"))/1024, "MiB", fmt.Sprintf("peak %.0f MiB", float64(procStatus(kc.pid, "VmHWM"))/1024))
	b.add(n, "kubectl get hpa -A -w requests while idle", float64(reqs["kubectl"].total()), "requests", reqs["kubectl"].String())
	if counter != nil {
		after := counter.Counts()
		var parts []string
		var total int64
		for _, v := range []string{kube.VerbList, kube.VerbWatch, kube.VerbGet, kube.VerbDiscovery, kube.VerbWrite} {
			d := after[v] - before[v]
			total += d
			parts = append(parts, fmt.Sprintf("%s %d", v, d))
		}
		b.add(n, "in-process watch requests while idle (CountingTransport)", float64(total), "requests", strings.Join(parts, ", "))
	}
	if all, err := auditCounts(b.audit, started); err == nil {
		b.add(n, "dashboard requests from process start to the end of the idle window", float64(all["twinscale"].total()), "requests",
			all["twinscale"].String())
		b.add(n, "kubectl get hpa -A -w requests from process start to the end of the idle window", float64(all["kubectl"].total()), "requests",
			all["kubectl"].String())
	}
	if full {
		if err := b.updates(dash, cs); err != nil {
			return err
		}
	}
	dash.stop()
	kc.stop()
	return b.withPrometheus(n)
}

// withPrometheus runs the dashboard with a real Prometheus scraping n pairs' counters:
// every pair has its metric history ring, and every poll re-analyses every pair. It
// measures RSS and CPU over two minutes of polls, and the queries per poll.
func (b *bench) withPrometheus(n int) error {
	log.Printf("starting prometheus with %d pairs' counters", n)
	p, err := startPrometheus(b.dir, n)
	if err != nil {
		return err
	}
	defer p.stop()
	proxy, err := newCountingProxy(p.url)
	if err != nil {
		return err
	}
	defer proxy.srv.Close()
	dash, err := b.startDashboard(n, proxy.url)
	if err != nil {
		return err
	}
	defer dash.stop()
	time.Sleep(20 * time.Second) // the first polls after the backfill
	before, c0 := proxy.snapshot(), cpuTicks(dash.pid)
	const window = 2 * time.Minute
	log.Printf("polling for %s", window)
	time.Sleep(window)
	after, c1 := proxy.snapshot(), cpuTicks(dash.pid)
	polls := window.Seconds() / 15
	b.add(n, "with Prometheus: queries per poll", float64(after["/api/v1/query"]-before["/api/v1/query"])/polls, "queries",
		fmt.Sprintf("instant queries over %s (a poll every 15 s); range queries %d", window, after["/api/v1/query_range"]-before["/api/v1/query_range"]))
	b.add(n, "with Prometheus: dashboard CPU", 100*float64(c1-c0)/clockTicks/window.Seconds(), "% of a core", "a poll and a re-analysis of every pair every 15 s")
	b.add(n, "with Prometheus: dashboard RSS", float64(procStatus(dash.pid, "VmRSS"))/1024, "MiB",
		fmt.Sprintf("peak %.0f MiB", float64(procStatus(dash.pid, "VmHWM"))/1024))
	return nil
}

// verbs counts requests by verb.
type verbs map[string]int

func (v verbs) total() int {
	n := 0
	for _, c := range v {
		n += c
	}
	return n
}

func (v verbs) String() string {
	if len(v) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, v[k]))
	}
	return strings.Join(parts, ", ")
}

// auditCounts counts the requests logged after offset by client (the user agent's
// program name) and verb. kubetest's audit policy logs a request when it completes, and
// a watch also when its response starts: a watch counts at its start, the rest when done.
func auditCounts(path string, offset int64) (map[string]verbs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	out := map[string]verbs{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev struct {
			Stage, Verb, UserAgent string
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		if counted := ev.Stage == "ResponseStarted" && ev.Verb == "watch" || ev.Stage == "ResponseComplete" && ev.Verb != "watch"; !counted {
			continue
		}
		client, _, _ := strings.Cut(ev.UserAgent, "/")
		if out[client] == nil {
			out[client] = verbs{}
		}
		out[client][ev.Verb]++
	}
	return out, sc.Err()
}

// snapshot runs `twinscale snapshot` once: wall time from process start to exit, peak
// RSS in KiB, and the number of pairs printed.
func (b *bench) snapshot() (time.Duration, int64, int, error) { return b.snapshotOf(b.twinscale) }

// snapshotOf runs one cold `snapshot -A -o json` of the binary bin.
func (b *bench) snapshotOf(bin string) (time.Duration, int64, int, error) {
	cmd := exec.Command(bin, "snapshot", "-A", "-o", "json", "--kubeconfig", b.kubeconfig,
		"--log-file", filepath.Join(b.dir, "snapshot.log"), "--sync-timeout", "120s")
	cmd.Env = cleanEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	began := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, fmt.Errorf("twinscale snapshot: %v: %s", err, errOut.String())
	}
	wall := time.Since(began)
	var snap struct {
		Pairs []json.RawMessage `json:"pairs"`
	}
	if err := json.Unmarshal(out.Bytes(), &snap); err != nil {
		return 0, 0, 0, fmt.Errorf("snapshot output: %w", err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var maxRSS int64
	if ru != nil {
		maxRSS = ru.Maxrss
	}
	return wall, maxRSS, len(snap.Pairs), nil
}

// cleanEnv is the environment without a Prometheus: these runs measure the cluster side.
func cleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "PROMETHEUS_URL=") })
}

// proc is a process the benchmark started.
type proc struct {
	pid  int
	out  string
	stop func()
}

const tmuxSocket = "twinscale-loadbench"

func tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", tmuxSocket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// startDashboard runs the dashboard in a 200x60 tmux pane, pipes what it writes to a
// file, and waits until it shows n pairs synced (and, with promURL, Prometheus ok).
func (b *bench) startDashboard(n int, promURL string) (*proc, error) {
	_, _ = tmux("kill-server")
	out := filepath.Join(b.dir, fmt.Sprintf("dashboard-%d-%t.out", n, promURL != ""))
	shell := fmt.Sprintf("exec env -u PROMETHEUS_URL TERM=xterm-256color %s -A --theme dark --kubeconfig %s --log-file %s",
		b.twinscale, b.kubeconfig, filepath.Join(b.dir, "dashboard.log"))
	if promURL != "" {
		shell += " --prometheus-url " + promURL
	}
	if msg, err := tmux("new-session", "-d", "-s", "dash", "-x", "200", "-y", "60", shell); err != nil {
		return nil, fmt.Errorf("tmux: %v: %s", err, msg)
	}
	stop := func() { _, _ = tmux("kill-server") }
	if msg, err := tmux("pipe-pane", "-t", "dash", "-o", "cat >> "+out); err != nil {
		stop()
		return nil, fmt.Errorf("tmux pipe-pane: %v: %s", err, msg)
	}
	pidText, err := tmux("list-panes", "-t", "dash", "-F", "#{pane_pid}")
	pid, perr := strconv.Atoi(pidText)
	if err != nil || perr != nil {
		stop()
		return nil, fmt.Errorf("dashboard pid: %v %v", err, perr)
	}
	want := fmt.Sprintf("%d pairs", n)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		screen, _ := tmux("capture-pane", "-t", "dash", "-p")
		if strings.Contains(screen, want) && strings.Contains(screen, "synced") && !strings.Contains(screen, "syncing") &&
			(promURL == "" || strings.Contains(screen, "prometheus ok")) {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("the dashboard never showed %q synced; screen:\n%s", want, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &proc{pid: pid, out: out, stop: stop}, nil
}

// startKubectl runs `kubectl get hpa -A -w` and waits for its first listing.
func (b *bench) startKubectl(n int) (*proc, error) {
	out := filepath.Join(b.dir, fmt.Sprintf("kubectl-%d.out", n))
	f, err := os.Create(out)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.kubectl, "get", "hpa", "-A", "-w", "--kubeconfig", b.kubeconfig)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); f.Close() }
	deadline := time.Now().Add(3 * time.Minute)
	for countLines(out) < 2*n+1 {
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("kubectl listed %d lines, want %d", countLines(out), 2*n+1)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &proc{pid: cmd.Process.Pid, out: out, stop: stop}, nil
}

// inProcess runs the dashboard's watch and engine in this process through a counting
// transport, and waits for it to sync.
func (b *bench) inProcess() (*kube.RequestCounter, func(), error) {
	cfg := rest.CopyConfig(b.env.Config)
	cfg.UserAgent = "loadbench-watch"
	counter := &kube.RequestCounter{}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return kube.CountingTransport(rt, counter) })
	w, err := kube.New(cfg, kube.Options{})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.Start(ctx)
	e := watch.NewEngine(w, watch.EngineOptions{Tracker: model.TrackerOptions{}})
	go e.Run(ctx)
	sctx, scancel := context.WithTimeout(ctx, 3*time.Minute)
	defer scancel()
	if err := w.WaitForSync(sctx); err != nil {
		cancel()
		return nil, nil, err
	}
	return counter, cancel, nil
}

// updates changes one pair's HPA status at a time while the dashboard runs (pairs on the
// screen, then pairs scrolled off it) and measures what the dashboard writes to the
// terminal for each change.
func (b *bench) updates(dash *proc, cs kubernetes.Interface) error {
	screen, _ := tmux("capture-pane", "-t", "dash", "-p")
	var onScreen []int
	for _, m := range modelName.FindAllString(screen, -1) {
		i, _ := strconv.Atoi(strings.TrimPrefix(m, "model-"))
		if !slices.Contains(onScreen, i) {
			onScreen = append(onScreen, i)
		}
	}
	if len(onScreen) == 0 {
		return fmt.Errorf("no pair on the dashboard's screen:\n%s", screen)
	}
	var offScreen []int
	for i := 0; len(offScreen) < b.opts.updates && i < b.opts.cold; i += 7 {
		if !slices.Contains(onScreen, i) {
			offScreen = append(offScreen, i)
		}
	}
	for _, set := range []struct {
		what  string
		pairs []int
	}{{"on the screen", onScreen}, {"off the screen", offScreen}} {
		var sizes []float64
		for k := range b.opts.updates {
			i := set.pairs[k%len(set.pairs)]
			n, err := b.changeOne(dash, cs, i, k)
			if err != nil {
				return err
			}
			sizes = append(sizes, float64(n))
		}
		b.add(b.opts.cold, "dashboard bytes written per change of one pair "+set.what, median(sizes), "bytes",
			fmt.Sprintf("median of %d: %s", len(sizes), fmtList(sizes)))
	}
	return nil
}

var modelName = regexp.MustCompile(`model-\d{5}`)

// changeOne writes a new status to pair i's Model HPA and returns how many bytes the
// dashboard wrote before it went quiet again.
func (b *bench) changeOne(dash *proc, cs kubernetes.Interface, i, k int) (int64, error) {
	ctx := context.Background()
	o := kubetest.Pair(i)
	hpas := cs.AutoscalingV2().HorizontalPodAutoscalers(o.Namespace)
	h, err := hpas.Get(ctx, o.ModelHPA.Name, metav1.GetOptions{})
	if err != nil {
		return 0, err
	}
	h.Status.DesiredReplicas = h.Status.DesiredReplicas%6 + 1
	if len(h.Status.CurrentMetrics) > 0 && h.Status.CurrentMetrics[0].Object != nil {
		h.Status.CurrentMetrics[0].Object.Current.AverageValue = resource.NewMilliQuantity(int64(1000+k*137), resource.DecimalSI)
	}
	time.Sleep(time.Second) // whatever was still being drawn is done
	before := fileSize(dash.out)
	if _, err := hpas.UpdateStatus(ctx, h, metav1.UpdateOptions{}); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(dash.out) == before {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the dashboard wrote nothing after pair %d changed", i)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Quiet for longer than the engine's and the UI's 250 ms ticks together.
	last, quiet := fileSize(dash.out), time.Now()
	for time.Since(quiet) < 800*time.Millisecond {
		time.Sleep(20 * time.Millisecond)
		if n := fileSize(dash.out); n != last {
			last, quiet = n, time.Now()
		}
	}
	return last - before, nil
}

// clients builds the dynamic and typed clients of cfg.
func clients(cfg *rest.Config) (dynamic.Interface, kubernetes.Interface, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	return dyn, cs, err
}

// writeKubeconfig writes a kubeconfig for envtest's admin user.
func writeKubeconfig(cfg *rest.Config, path string) (string, error) {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin", Namespace: "default"}
	kc.CurrentContext = "envtest"
	return path, clientcmd.WriteToFile(*kc, path)
}

// clockTicks is the kernel's USER_HZ, the unit of utime and stime in /proc/PID/stat.
const clockTicks = 100

// cpuTicks is the user and system CPU a process used, in clock ticks.
func cpuTicks(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces: fields start after its closing parenthesis.
	rest := string(raw[bytes.LastIndexByte(raw, ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// procStatus reads a kB field (VmRSS, VmHWM) of /proc/PID/status, in KiB.
func procStatus(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func countLines(path string) int {
	raw, _ := os.ReadFile(path)
	return bytes.Count(raw, []byte("\n"))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fmtList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'g', 4, 64)
	}
	return strings.Join(parts, " ")
}

// print writes the results as a Markdown table.
func (b *bench) print(w io.Writer) {
	fmt.Fprintln(w, "| pairs | measurement | value | unit | detail |")
	fmt.Fprintln(w, "|---:|---|---:|---|---|")
	for _, r := range b.results {
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s |\n", r.Pairs, r.What, strconv.FormatFloat(r.Value, 'g', 4, 64), r.Unit, r.Detail)
	}
}
