package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/twinscale/twinscale/cmd/twinscale/manifests"
	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/watch/demo"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/prom"
	"github.com/twinscale/twinscale/watch/traffic"
)

// whatifOptions are the flags of `twinscale whatif`.
type whatifOptions struct {
	*rootOptions
	recording   string
	from, to    string
	last        time.Duration
	sets        []string
	files       []string
	serverReady time.Duration
	output      string
	width       int
	syncTimeout time.Duration
	mismatches  int
}

// newWhatifCmd builds `twinscale whatif NAMESPACE/MODEL`.
func newWhatifCmd(root *rootOptions) *cobra.Command {
	o := &whatifOptions{rootOptions: root, output: "text", syncTimeout: 30 * time.Second, mismatches: 5}
	cmd := &cobra.Command{
		Use:   "whatif NAMESPACE/MODEL",
		Short: "Replay a pair's real traffic through edited HPA specs",
		Long: `whatif replays a pair's real infer_rps through its twin HPAs as the HPA controller would (a 15 s
sync per HPA at its own phase, tolerance, stabilization windows with their memory, policies,
min/max), with the Server's pods ready after the readiness delay and Seldon's scheduler placing
Model replicas only on ready Server replicas (ScheduleFailed otherwise): once with the specs as
they are (the baseline) and once edited with --set or -f, side by side.

The traffic comes from a recording made with --record (--recording FILE), or from Prometheus
(--last or --from/--to, one range query with --rate-window, as the adapter computes infer_rps)
with the specs from the cluster (or the simulated one with --demo). On a recording the baseline
is checked against the desired replicas the real HPAs recorded, and the match rate is printed.

Edits (--set SIDE.FIELD=VALUE, SIDE model, server or both): minReplicas, maxReplicas, target,
behavior.scaleUp|scaleDown.{stabilizationWindowSeconds,selectPolicy,tolerance,policies,
policies[N],policies[N].{type,value,periodSeconds}}, behavior=none. -f reads HPA manifests
(the files twinscale lint reads); the HPAs that target the pair's Model and Server replace them.

Exit codes: 0 done; 2 bad flags, an unknown or ill-typed --set, an edit that makes a spec
invalid, an unreadable recording or manifest, no infer_rps in the range; 3-5 as the dashboard.`,
		Example: `  twinscale whatif seldon-mesh/irisa0 --recording incident.rec --set server.behavior.scaleUp.policies[0].value=2
  twinscale whatif seldon-mesh/irisa0 --last 2h --set both.target=4 -o csv > whatif.csv
  twinscale whatif seldon-mesh/irisa0 --recording incident.rec -f deploy/irisa0-hpas.yaml`,
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			key := ""
			if len(args) == 1 {
				key = args[0]
			}
			return o.run(cmd.Context(), cmd.InOrStdin(), key)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitErr{code: exitError, err: fmt.Errorf("whatif: %w (see --help)", err)}
	})
	root.addShared(cmd, whatifFlags)
	f := cmd.Flags()
	f.StringVar(&o.recording, "recording", "", "replay a recording made with --record")
	f.StringVar(&o.from, "from", "", "start of the Prometheus range (RFC 3339, e.g. 2026-12-03T14:00:00Z)")
	f.StringVar(&o.to, "to", "", "end of the Prometheus range (RFC 3339; default now)")
	f.DurationVar(&o.last, "last", 0, "replay the last DURATION from Prometheus (e.g. 2h)")
	f.StringArrayVar(&o.sets, "set", nil, "edit a field: SIDE.FIELD=VALUE, SIDE model, server or both (repeatable)")
	f.StringArrayVarP(&o.files, "filename", "f", nil, "HPA manifests to replay instead of the current specs (file, directory or -)")
	f.DurationVar(&o.serverReady, "server-ready", 0, "time a new Server pod takes to become ready (default: measured, else 45s)")
	f.StringVarP(&o.output, "output", "o", o.output, "output format: text, csv or json")
	f.IntVar(&o.width, "width", 0, "width of the text output (default: the terminal's, else 80)")
	f.DurationVar(&o.syncTimeout, "sync-timeout", o.syncTimeout, "how long to wait for the cluster watch to sync")
	f.IntVar(&o.mismatches, "mismatches", o.mismatches, "how many baseline mismatches to list")
	_ = cmd.MarkFlagFilename("recording")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "csv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// whatifRun is one pair's replay: its input, notes and both runs.
type whatifRun struct {
	Key      string             `json:"pair"`
	Notes    traffic.Notes      `json:"notes"`
	Edits    []string           `json:"edits,omitempty"`
	Match    whatif.MatchReport `json:"match"`
	Baseline whatif.Result      `json:"baseline"`
	Edited   *whatif.Result     `json:"edited,omitempty"`
	Verdict  string             `json:"verdict,omitempty"`
	input    whatif.Input
	edited   whatif.Input
}

func usage(format string, args ...any) error {
	return &exitErr{code: exitError, err: fmt.Errorf(format, args...)}
}

func (o *whatifOptions) run(ctx context.Context, stdin io.Reader, key string) error {
	switch o.output {
	case "text", "csv", "json":
	default:
		return usage("whatif: --output %q: want text, csv or json", o.output)
	}
	edits, err := parseSets(o.sets)
	if err != nil {
		return err
	}
	if key != "" {
		if err := validatePairs([]string{key}); err != nil {
			return usage("whatif: pair %q: want NAMESPACE/MODEL", key)
		}
	}
	var in whatif.Input
	var notes traffic.Notes
	if o.recording != "" {
		if o.from != "" || o.to != "" || o.last != 0 {
			return usage("whatif: --recording replays the recording's span; --from, --to and --last are for Prometheus")
		}
		if key == "" {
			keys, err := traffic.PairKeys(o.recording)
			if err != nil {
				return usage("whatif: %v", err)
			}
			if len(keys) != 1 {
				return usage("whatif: name the pair to replay (NAMESPACE/MODEL); the recording has %d: %s", len(keys), strings.Join(keys, ", "))
			}
			key = keys[0]
		}
		in, notes, err = traffic.FromRecording(o.recording, key, o.serverReady)
		if err != nil {
			return usage("whatif: %v", err)
		}
	} else {
		if key == "" {
			return usage("whatif: name the pair to replay: twinscale whatif NAMESPACE/MODEL")
		}
		in, notes, err = o.fromCluster(ctx, key)
		if err != nil {
			return err
		}
	}
	run, err := replay(in, notes, edits, o.files, stdin)
	if err != nil {
		return err
	}
	return o.print(run)
}

// parseSets reads every --set, failing on the first unusable one.
func parseSets(sets []string) ([]whatif.Edit, error) {
	var edits []whatif.Edit
	for _, s := range sets {
		e, err := whatif.ParseSet(s)
		if err != nil {
			return nil, usage("whatif: %v", err)
		}
		edits = append(edits, e)
	}
	return edits, nil
}

// replay runs the baseline and, when there are edits or manifests, the edited specs.
func replay(in whatif.Input, notes traffic.Notes, edits []whatif.Edit, files []string, stdin io.Reader) (*whatifRun, error) {
	run := &whatifRun{Key: in.Key, Notes: notes, input: in}
	run.Baseline = whatif.Simulate(in)
	run.Match = whatif.Match(in, run.Baseline)
	if len(edits) == 0 && len(files) == 0 {
		return run, nil
	}
	ed := in
	ed.RecordedModel, ed.RecordedServer = nil, nil
	ed.CapacityTarget = in.Target()
	var replaced [2]bool // the sides -f replaced
	if len(files) > 0 {
		m, s, err := hpasFromManifests(files, stdin, in)
		if err != nil {
			return nil, err
		}
		replaced = [2]bool{m != nil, s != nil}
		if m != nil {
			ed.ModelHPA = m
			run.Edits = append(run.Edits, "Model HPA from "+strings.Join(files, ", "))
		}
		if s != nil {
			ed.ServerHPA = s
			run.Edits = append(run.Edits, "Server HPA from "+strings.Join(files, ", "))
		}
		for side, h := range []*model.HPA{m, s} {
			if h == nil {
				continue
			}
			if err := whatif.Validate(*h); err != nil {
				return nil, usage("whatif: -f: %s HPA %s: %v", whatif.Side(side), h.Key(), err)
			}
		}
	}
	var err error
	ed.ModelHPA, ed.ServerHPA, err = whatif.Apply(ed.ModelHPA, ed.ServerHPA, edits)
	if err != nil {
		return nil, usage("whatif: %v", err)
	}
	for _, e := range edits {
		run.Edits = append(run.Edits, e.Raw)
	}
	run.Notes.Lines = append(run.Notes.Lines, editedSpecNotes(in, &ed, edits, replaced)...)
	for _, side := range []struct {
		name      string
		was, is   *model.HPA
		whichSide whatif.Side
	}{{"Model", in.ModelHPA, ed.ModelHPA, whatif.SideModel}, {"Server", in.ServerHPA, ed.ServerHPA, whatif.SideServer}} {
		if side.was != nil && side.is != nil && side.was.Behavior == nil && side.is.Behavior != nil {
			run.Notes.Lines = append(run.Notes.Lines, side.name+" HPA had no behavior (the controller's legacy path); the edit sets one, so the rest of it takes the API defaults")
		}
	}
	res := whatif.Simulate(ed)
	run.Edited, run.edited = &res, ed
	run.Verdict = whatif.Verdict(run.Baseline.Summary, res.Summary)
	return run, nil
}

// editedSpecNotes makes an edited side use its edited spec throughout (the spec history
// the baseline follows is what the edit replaces), and says so; it also says that the
// outside writes of spec.replicas replay as recorded, since their writers do not react to
// the edit.
func editedSpecNotes(in whatif.Input, ed *whatif.Input, edits []whatif.Edit, replaced [2]bool) []string {
	touched := replaced
	for _, e := range edits {
		for _, s := range e.Sides {
			touched[s] = true
		}
	}
	var notes []string
	if touched[whatif.SideModel] && len(ed.ModelSpecs) > 0 {
		ed.ModelSpecs = nil
		notes = append(notes, "edited: the Model HPA's spec changed during the recording; the edited run uses the edited spec throughout")
	}
	if touched[whatif.SideServer] && len(ed.ServerSpecs) > 0 {
		ed.ServerSpecs = nil
		notes = append(notes, "edited: the Server HPA's spec changed during the recording; the edited run uses the edited spec throughout")
	}
	if len(in.Writes) > 0 {
		notes = append(notes, fmt.Sprintf("edited: the %d outside writes of spec.replicas replay as recorded (their writers do not react to the edit)", len(in.Writes)))
	}
	return notes
}

// hpasFromManifests reads the HPAs of the files that target the pair's Model and Server.
func hpasFromManifests(files []string, stdin io.Reader, in whatif.Input) (*model.HPA, *model.HPA, error) {
	set, err := manifests.Load(files, stdin)
	if err != nil {
		return nil, nil, usage("whatif: -f: %v", err)
	}
	if len(set.Errors) > 0 {
		return nil, nil, usage("whatif: -f: %v", set.Errors[0])
	}
	_, own := model.SplitClusterKey(in.Key) // a recording of several clusters keys CONTEXT/NS/MODEL
	ns, modelName, _ := strings.Cut(own, "/")
	inv, errs := set.Inventory(ns)
	if len(errs) > 0 {
		return nil, nil, usage("whatif: -f: %v", errs[0])
	}
	m, s := manifestHPAs(inv, in)
	if m == nil && s == nil {
		return nil, nil, usage("whatif: -f %s: no HPA targets Model %s or its Server in namespace %s", strings.Join(files, ", "), modelName, ns)
	}
	return m, s, nil
}

// fromCluster reads the pair's specs from the cluster (or --demo) and its infer_rps from Prometheus.
func (o *whatifOptions) fromCluster(ctx context.Context, key string) (whatif.Input, traffic.Notes, error) {
	closeLog, err := setupLogging(o.logFile, o.logLevel, o.stderr)
	if err != nil {
		return whatif.Input{}, traffic.Notes{}, &exitErr{code: exitError, err: err}
	}
	defer closeLog()
	src, q, now, err := o.openLive(ctx)
	if err != nil {
		return whatif.Input{}, traffic.Notes{}, err
	}
	defer src.stop()
	if src.waitSynced != nil {
		wctx, cancel := context.WithTimeout(ctx, o.syncTimeout)
		err := src.waitSynced(wctx)
		cancel()
		if err != nil {
			return whatif.Input{}, traffic.Notes{}, &exitErr{code: exitCluster, err: fmt.Errorf("waiting for the watch to sync: %w", err)}
		}
	}
	snap := src.Snapshot()
	i := slices.IndexFunc(snap.Pairs, func(p model.Pair) bool { return p.Key == key })
	if i < 0 {
		return whatif.Input{}, traffic.Notes{}, usage("whatif: no pair %s in the watched namespaces", key)
	}
	end := now()
	if o.to != "" {
		if end, err = time.Parse(time.RFC3339, o.to); err != nil {
			return whatif.Input{}, traffic.Notes{}, usage("whatif: --to %q: want an RFC 3339 time such as 2026-12-03T14:00:00Z", o.to)
		}
	}
	var start time.Time
	switch {
	case o.from != "" && o.last != 0:
		return whatif.Input{}, traffic.Notes{}, usage("whatif: give --from or --last, not both")
	case o.from != "":
		if start, err = time.Parse(time.RFC3339, o.from); err != nil {
			return whatif.Input{}, traffic.Notes{}, usage("whatif: --from %q: want an RFC 3339 time such as 2026-12-03T12:00:00Z", o.from)
		}
	case o.last > 0:
		start = end.Add(-o.last)
	default:
		return whatif.Input{}, traffic.Notes{}, usage("whatif: give --recording FILE, --last DURATION or --from/--to")
	}
	if !end.After(start) {
		return whatif.Input{}, traffic.Notes{}, usage("whatif: --from %s is not before --to %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if end.Sub(start) > 24*time.Hour {
		return whatif.Input{}, traffic.Notes{}, usage("whatif: the range is %s; at most 24h in one query", model.FormatDuration(end.Sub(start)))
	}
	in, notes, err := traffic.FromPrometheus(ctx, q, o.prom, snap.Pairs[i], start, end, o.serverReady)
	if err != nil {
		var gap *traffic.GapError
		if errors.As(err, &gap) {
			return in, notes, usage("whatif: %v", err)
		}
		return in, notes, &exitErr{code: exitPrometheus, err: fmt.Errorf("whatif: %w", err)}
	}
	return in, notes, nil
}

// openLive opens the cluster (or the demo, frozen at --demo-advance) with its Prometheus.
func (o *whatifOptions) openLive(ctx context.Context) (*opened, prom.Querier, func() time.Time, error) {
	if o.demo.enabled {
		c, err := demo.New(o.demo.opts)
		if err != nil {
			return nil, nil, nil, usage("whatif: %v", err)
		}
		if o.demo.advance < 0 || o.demo.advance > 24*time.Hour {
			return nil, nil, nil, usage("demo: --demo-advance %v is out of range (0 to 24h)", o.demo.advance)
		}
		c.Step(o.demo.advance)
		dyn, cs := c.Clients()
		w := kube.NewForClients(dyn, cs, c.Discovery(), kube.Options{Context: "demo"})
		po := o.prom
		po.URL = "demo://simulated"
		src, err := startLive(ctx, w, c.Querier(), po, nil, c.Now, c.After)
		if err != nil {
			return nil, nil, nil, withCode(exitError, err)
		}
		return src, c.Querier(), c.Now, nil
	}
	if len(o.contexts) > 1 || o.allContexts {
		return nil, nil, nil, &exitErr{code: exitError, err: errors.New("whatif replays one cluster: give one --context")}
	}
	ctxName, _ := o.kubeContext()
	po := o.promFor(ctxName)
	if !po.Enabled() {
		return nil, nil, nil, &exitErr{code: exitPrometheus, err: fmt.Errorf("whatif: %w (or replay a --recording)", prom.ErrNotConfigured)}
	}
	src, err := openSource(ctx, o.rootOptions)
	if err != nil {
		return nil, nil, nil, withCode(exitError, err)
	}
	cfg, err := o.restConfig()
	if err != nil {
		src.stop()
		return nil, nil, nil, err
	}
	q, err := newQuerier(o.rootOptions, po, cfg)
	if err != nil {
		src.stop()
		return nil, nil, nil, &exitErr{code: exitPrometheus, err: err}
	}
	if po.ClusterLabel != "" {
		q = prom.ForCluster(q, po.ClusterLabel, po.Cluster)
	}
	return src, q, time.Now, nil
}
