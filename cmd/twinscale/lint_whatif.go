package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/twinscale/twinscale/cmd/twinscale/manifests"
	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/watch/traffic"
)

// lintWhatif is `twinscale lint --whatif RECORDING`: every pair of the recording whose HPAs
// the manifests define is replayed with the recorded specs and with the manifests' specs; the
// change fails (exit 1) when it makes any pair spend longer in ScheduleFailed. lintErr is the
// outcome of the ordinary lint, kept unless the what-if fails harder.
func lintWhatif(stdin io.Reader, stdout, stderr io.Writer, args []string, opts lintOptions, lintErr error) error {
	var ee *exitErr
	if errors.As(lintErr, &ee) && ee.code == exitError {
		return lintErr
	}
	out := stdout
	if opts.output != "text" {
		out = stderr // keep JSON and SARIF documents whole
	}
	set, err := manifests.Load(args, stdin)
	if err != nil {
		return usageError("lint: %v", err)
	}
	inv, _ := set.Inventory(opts.namespace)
	replays, err := traffic.FromRecordingAll(opts.whatif, 0)
	if err != nil {
		return usageError("lint: --whatif: %v", err)
	}
	worse, checked := 0, 0
	for _, r := range replays {
		if r.Err != nil {
			continue
		}
		in := r.Input
		m, s := manifestHPAs(inv, in)
		if m == nil && s == nil {
			continue
		}
		checked++
		ed := in
		ed.RecordedModel, ed.RecordedServer = nil, nil
		ed.CapacityTarget = in.Target()
		if m != nil {
			// The manifest's spec replaces the one the recording followed over time.
			ed.ModelHPA, ed.ModelSpecs = m, nil
		}
		if s != nil {
			ed.ServerHPA, ed.ServerSpecs = s, nil
		}
		for _, h := range []*model.HPA{m, s} {
			if h == nil {
				continue
			}
			if err := whatif.Validate(*h); err != nil {
				return usageError("lint: --whatif: HPA %s: %v", h.Key(), err)
			}
		}
		base := whatif.Simulate(in)
		edited := whatif.Simulate(ed)
		match := whatif.Match(in, base)
		mark := "ok"
		if edited.Summary.ScheduleFailed > base.Summary.ScheduleFailed {
			mark, worse = "WORSE", worse+1
		}
		fmt.Fprintf(out, "whatif %s %s: %s (%s)\n", mark, in.Key, whatif.Verdict(base.Summary, edited.Summary), match)
	}
	if checked == 0 {
		return usageError("lint: --whatif %s: no pair of the recording has an HPA in %s", opts.whatif, strings.Join(args, ", "))
	}
	if worse > 0 {
		return &exitErr{code: exitFindings, err: fmt.Errorf("lint: the change makes %d %s spend longer in ScheduleFailed on the recorded traffic", worse, pluralWord(worse, "pair", "pairs"))}
	}
	return lintErr
}

// manifestHPAs finds the manifests' HPAs that target the pair's Model and Server.
func manifestHPAs(inv model.Inventory, in whatif.Input) (*model.HPA, *model.HPA) {
	_, own := model.SplitClusterKey(in.Key)
	ns, modelName, _ := strings.Cut(own, "/")
	serverName := ""
	if in.ServerHPA != nil {
		serverName = in.ServerHPA.Target.Name
	}
	var m, s *model.HPA
	for i := range inv.HPAs {
		h := &inv.HPAs[i]
		if h.Namespace != ns {
			continue
		}
		switch {
		case h.Target.Kind == model.KindModel && h.Target.Name == modelName:
			m = h
		case h.Target.Kind == model.KindServer && serverName != "" && h.Target.Name == serverName:
			s = h
		}
	}
	return m, s
}
