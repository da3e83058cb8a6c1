package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/demo"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/multi"
	"github.com/twinscale/twinscale/watch/prom"
	"github.com/twinscale/twinscale/watch/static"
)

// opened is a data source ready to read, with what its caller needs around it.
type opened struct {
	watch.Source
	// waitSynced blocks until the first complete picture (informers synced, Prometheus and
	// the metrics API answered); nil for a source that starts complete.
	waitSynced func(context.Context) error
	// stop stops the source; call it on exit.
	stop func()
	// clusters names the contexts when several are watched; nil with one.
	clusters []string
}

// openSource is the one place that decides where the data comes from: a saved snapshot,
// the simulated cluster (--demo), or the cluster of the kubeconfig with Prometheus when
// one is configured.
func openSource(ctx context.Context, o *rootOptions) (*opened, error) {
	if o.snapshotFile != "" {
		src, err := static.Load(o.snapshotFile)
		if err != nil {
			return nil, err
		}
		return &opened{Source: src, stop: func() {}}, nil
	}
	if o.demo.enabled {
		if ignored := o.demoIgnores(); ignored != "" {
			fmt.Fprintf(o.stderr, "twinscale: --demo ignores %s: the simulated cluster has its own namespaces and metrics\n", ignored)
		}
		if len(o.contexts) > 1 {
			return openDemos(ctx, o, o.contexts)
		}
		return openDemo(ctx, o, o.demo.opts, "demo")
	}
	names, err := o.watchedContexts()
	if err != nil {
		return nil, err
	}
	if len(names) > 1 {
		return openClusters(ctx, o, names)
	}
	cfg, err := o.restConfig()
	if err != nil {
		return nil, err
	}
	namespaces, err := o.targetNamespaces()
	if err != nil {
		return nil, err
	}
	if o.wrap != nil {
		cfg.Wrap(o.wrap)
	}
	// Fail fast on a cluster that cannot be reached: once the dashboard runs, the watch
	// retries for ever and says so, but at start a typo should not look like an outage.
	if _, err := kube.Probe(ctx, cfg, 0); err != nil {
		var pe *kube.ProbeError
		if errors.As(err, &pe) && pe.Failure == kube.ProbeCredentials {
			return nil, &exitErr{code: exitKubeconfig, err: err}
		}
		return nil, &exitErr{code: exitCluster, err: err}
	}
	ctxName, cluster := o.kubeContext()
	w, err := kube.New(cfg, kube.Options{Namespaces: namespaces, Context: ctxName, Cluster: cluster})
	if err != nil {
		return nil, &exitErr{code: exitKubeconfig, err: fmt.Errorf("cluster watch: %w", err)}
	}
	po := o.promFor(ctxName)
	var q prom.Querier
	if po.Enabled() {
		if q, err = newQuerier(o, po, cfg); err != nil {
			return nil, &exitErr{code: exitPrometheus, err: err}
		}
		if po.ClusterLabel != "" {
			// Behind Thanos or Mimir: only this cluster's series.
			q = prom.ForCluster(q, po.ClusterLabel, po.Cluster)
		}
	}
	return startLive(ctx, w, q, po, namespaces, time.Now, time.After)
}

// promFor is the Prometheus of a kubeconfig context: its entry in --config, else the flags.
func (o *rootOptions) promFor(ctxName string) prom.Options {
	if o.file == nil {
		return o.prom
	}
	po, _ := o.file.promFor(ctxName, o.prom)
	return po
}

// newQuerier builds the Prometheus client. Like the watcher's, it is read-only at the
// transport: only GET and HEAD leave the process, through the API server's service proxy
// or straight to --prometheus-url.
func newQuerier(o *rootOptions, po prom.Options, cfg *rest.Config) (prom.Querier, error) {
	pcfg := rest.CopyConfig(cfg) // carries o.wrap already
	pcfg.Wrap(kube.ReadOnly)
	if po.Service == "" {
		wrap := o.wrap
		po.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			if wrap != nil {
				rt = wrap(rt)
			}
			return kube.ReadOnly(rt)
		}
	}
	return prom.NewQuerier(po, pcfg)
}

// yamlValue matches the values YAML decoders quote in their errors (`hunter2`), which
// may be a credential from the kubeconfig.
var yamlValue = regexp.MustCompile("`[^`]*`")

// scrubYAML prints err without the values a YAML decoder quoted.
func scrubYAML(err error) string { return yamlValue.ReplaceAllString(err.Error(), "`…`") }

// restConfig loads the kubeconfig of the flags (or the in-cluster config), checking the
// things a user gets wrong first: no kubeconfig at all, a broken one, a context that is
// not in it. Its errors carry exitKubeconfig.
func (o *rootOptions) restConfig() (*rest.Config, error) { return restConfigOf(o.config) }

// restConfigOf is restConfig for the kubectl flags cf (one context of several).
func restConfigOf(cf *genericclioptions.ConfigFlags) (*rest.Config, error) {
	fail := func(format string, args ...any) error {
		return &exitErr{code: exitKubeconfig, err: fmt.Errorf(format, args...)}
	}
	raw, err := cf.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, fail("kubeconfig: %s", scrubYAML(err))
	}
	if want := deref(cf.Context); want != "" {
		if _, ok := raw.Contexts[want]; !ok {
			names := slices.Sorted(maps.Keys(raw.Contexts))
			if len(names) == 0 {
				return nil, fail("kubeconfig: context %q not found: %s", want, noContexts(cf))
			}
			return nil, fail("kubeconfig: context %q not found; contexts: %s", want, strings.Join(names, ", "))
		}
	}
	if len(raw.Contexts) == 0 && deref(cf.APIServer) == "" {
		if _, err := rest.InClusterConfig(); err != nil {
			if len(kubeconfigFiles(cf)) > 0 {
				// The file is there: "no kubeconfig found" would send the user looking for it.
				return nil, fail("%s: add one (kubectl config set-context), or point --kubeconfig or KUBECONFIG at another file (or try --demo)", noContexts(cf))
			}
			return nil, fail("no kubeconfig found: set --kubeconfig or KUBECONFIG, or create ~/.kube/config (or try --demo)")
		}
	}
	cfg, err := cf.ToRESTConfig()
	if err != nil {
		return nil, fail("kubeconfig: %s", scrubYAML(err))
	}
	return cfg, nil
}

// kubeconfigFiles are the kubeconfig files cf loads that exist: --kubeconfig, else those of
// KUBECONFIG, else ~/.kube/config.
func kubeconfigFiles(cf *genericclioptions.ConfigFlags) []string {
	var out []string
	for _, f := range cf.ToRawKubeConfigLoader().ConfigAccess().GetLoadingPrecedence() {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			out = append(out, f)
		}
	}
	return out
}

// noContexts says that the kubeconfig has no contexts, naming its files.
func noContexts(cf *genericclioptions.ConfigFlags) string {
	switch files := kubeconfigFiles(cf); len(files) {
	case 0:
		return "the kubeconfig has no contexts"
	case 1:
		return "the kubeconfig file " + files[0] + " has no contexts"
	default:
		return "the kubeconfig files " + strings.Join(files, ", ") + " have no contexts"
	}
}

// deref reads an optional string flag.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// kubeContext names the kubeconfig context and cluster in use, for the header.
func (o *rootOptions) kubeContext() (ctxName, cluster string) { return kubeContextOf(o.config) }

// kubeContextOf is kubeContext for the kubectl flags cf.
func kubeContextOf(cf *genericclioptions.ConfigFlags) (ctxName, cluster string) {
	raw, err := cf.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return "", ""
	}
	ctxName = raw.CurrentContext
	if cf.Context != nil && *cf.Context != "" {
		ctxName = *cf.Context
	}
	if c, ok := raw.Contexts[ctxName]; ok {
		cluster = c.Cluster
	}
	return ctxName, cluster
}

// startLive starts the watcher, the poller and the engine, all stopped by the returned func.
func startLive(ctx context.Context, w *kube.Watcher, q prom.Querier, po prom.Options, namespaces []string,
	now func() time.Time, after func(time.Duration) <-chan time.Time) (*opened, error) {
	ctx, cancel := context.WithCancel(ctx)
	step := po.PollInterval
	if step <= 0 {
		step = prom.DefaultPollInterval
	}
	engine := watch.NewEngine(w, watch.EngineOptions{Now: now, Tracker: model.TrackerOptions{
		Step: step, Capacity: max(po.Capacity(), int(2*time.Hour/step)), Metrics: q != nil,
	}})
	w.Start(ctx)
	done := make(chan struct{})
	apiDone := make(chan struct{})
	go func() {
		defer close(apiDone)
		readMetricsAPI(ctx, w.MetricsAPIReader(), engine, step, after)
	}()
	go func() {
		defer close(done)
		defer func() { <-apiDone }()
		if q == nil {
			engine.Run(ctx)
			return
		}
		poller := prom.NewPoller(q, po, namespaces, engine)
		poller.Now, poller.After = now, after
		poller.Log = slog.Default()
		go engine.Run(ctx)
		poller.Run(ctx)
	}()
	return &opened{Source: engine, waitSynced: waitSynced(engine, w, q != nil), stop: func() { cancel(); <-done }}, nil
}

// readMetricsAPI reads the metrics pipeline every step (one request per namespace with
// HPAs, plus the APIServices) until ctx is done.
func readMetricsAPI(ctx context.Context, r *kube.MetricsAPIReader, e *watch.Engine, step time.Duration, after func(time.Duration) <-chan time.Time) {
	if after == nil {
		after = time.After
	}
	// The namespaces to ask come from the pairs: wait for the first synced snapshot.
	for !e.Snapshot().Watch.Synced {
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	for {
		rctx, cancel := context.WithTimeout(ctx, step)
		e.MetricsAPI(r.Read(rctx, e.HPANamespaces()))
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-after(step):
		}
	}
}

// waitSynced waits for the informers to sync and, with Prometheus, for its first answer,
// so `twinscale snapshot` prints a complete picture.
func waitSynced(e *watch.Engine, w *kube.Watcher, prom bool) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := w.WaitForSync(ctx); err != nil {
			return err
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			e.Refresh()
			snap := e.Snapshot()
			p := snap.Prom
			// The metrics API is read once the watch has synced; its first read completes the picture.
			if (!prom || !p.LastSuccess.IsZero() || p.Failures > 0) && !snap.MetricsAPI.ReadAt.IsZero() {
				return nil
			}
			select {
			case <-ctx.Done():
				return errors.New("no answer from Prometheus yet")
			case <-tick.C:
			}
		}
	}
}

// demoFlags are --demo and the simulation's own flags.
type demoFlags struct {
	enabled bool
	advance time.Duration
	opts    demo.Options
}

func (d *demoFlags) addFlags(fs *pflag.FlagSet) {
	d.opts = demo.DefaultOptions()
	fs.BoolVar(&d.enabled, "demo", false, "show a simulated Seldon Core 2 cluster instead of a real one (no cluster needed)")
	fs.DurationVar(&d.advance, "demo-advance", 0, "run the demo story this far before showing it (e.g. 10m)")
	d.opts.AddFlags(fs)
}

// openDemo runs the simulated cluster and feeds it through the real informers and poller.
func openDemo(ctx context.Context, o *rootOptions, opts demo.Options, name string) (*opened, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	c, err := demo.New(opts)
	if err != nil {
		return nil, err
	}
	if o.demo.advance < 0 || o.demo.advance > 24*time.Hour {
		return nil, fmt.Errorf("demo: --demo-advance %v is out of range (0 to 24h)", o.demo.advance)
	}
	c.Step(o.demo.advance)
	dyn, cs := c.Clients()
	w := kube.NewForClients(dyn, cs, c.Discovery(), kube.Options{Context: name, Cluster: c.Options().Scenario + ", simulated"})
	ctx, cancel := context.WithCancel(ctx)
	simDone := make(chan struct{})
	go func() {
		defer close(simDone)
		if err := c.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			slog.Error("Demo cluster stopped", "err", err)
		}
	}()
	po := o.prom
	po.URL = "demo://simulated"
	src, err := startLive(ctx, w, c.Querier(), po, nil, c.Now, c.After)
	if err != nil {
		cancel()
		return nil, err
	}
	stop := src.stop
	src.stop = func() { stop(); cancel(); <-simDone }
	return src, nil
}

// openDemos simulates one cluster per --context name (--demo --context a,b), each its own
// simulation with its own seed, shown together as several real clusters are.
func openDemos(ctx context.Context, o *rootOptions, names []string) (*opened, error) {
	var members []multi.Member
	var started []*opened
	stopAll := func() {
		for _, s := range started {
			s.stop()
		}
	}
	for i, name := range names {
		opts := o.demo.opts
		opts.Seed += uint64(i)
		src, err := openDemo(ctx, o, opts, name)
		if err != nil {
			stopAll()
			return nil, err
		}
		started = append(started, src)
		members = append(members, multi.Member{Name: name, Source: src.Source})
	}
	return &opened{Source: multi.New(members), waitSynced: waitClusters(names, started), stop: stopAll, clusters: names}, nil
}

// demoIgnores names the cluster and Prometheus settings --demo does not use, so a user who gave
// them learns why they changed nothing.
func (o *rootOptions) demoIgnores() string {
	var out []string
	if len(o.namespaces) > 0 || o.allNamespaces {
		out = append(out, "-n/-A")
	}
	if o.prom.URL != "" {
		out = append(out, "--prometheus-url")
	}
	if o.prom.Service != "" {
		out = append(out, "--prometheus-service")
	}
	return strings.Join(out, ", ")
}
