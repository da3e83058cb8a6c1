package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/ui"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/record"
)

// rollFlags are the dashboard's rollout flags: --record, its bounds, and --pairs.
type rollFlags struct {
	record      string
	recordMaxMB int
	recordFiles int
	pairs       []string
}

// addFlags registers the rollout flags on the dashboard's flag set.
func (f *rollFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.record, "record", "", "append what the dashboard shows to `FILE` (gzip JSON lines), to play back with \"twinscale replay FILE\"")
	fs.IntVar(&f.recordMaxMB, "record-max-size", 64, "MiB at which the recording rotates to FILE.1 … FILE.N")
	fs.IntVar(&f.recordFiles, "record-files", 3, "rotated recording files to keep")
	addPairsFlag(fs, &f.pairs, pinPairs)
}

// pinPairs is what --pairs does in the dashboard and the replay.
const pinPairs = "pairs to start marked and pinned to the top"

// addPairsFlag registers --pairs NS/NAME,..., saying what it does.
func addPairsFlag(fs *pflag.FlagSet, pairs *[]string, does string) {
	fs.StringSliceVar(pairs, "pairs", nil, does+", as NAMESPACE/MODEL,... (CONTEXT/NAMESPACE/MODEL for one cluster of several); one that matches no pair is named once the pairs are synced")
}

// validate checks the flags before anything starts.
func (f *rollFlags) validate() error {
	if f.record != "" && f.recordMaxMB < 1 {
		return fmt.Errorf("--record-max-size %d: want at least 1 (MiB)", f.recordMaxMB)
	}
	if f.record != "" && f.recordFiles < 1 {
		return fmt.Errorf("--record-files %d: want at least 1", f.recordFiles)
	}
	return validatePairs(f.pairs)
}

// validatePairs checks that every --pairs entry reads NAMESPACE/NAME.
func validatePairs(pairs []string) error {
	for _, p := range pairs {
		_, own := model.SplitClusterKey(strings.TrimSpace(p))
		ns, name, ok := strings.Cut(own, "/")
		if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
			return fmt.Errorf("--pairs %q: want NAMESPACE/MODEL or CONTEXT/NAMESPACE/MODEL, e.g. seldon-mesh/irisa0", p)
		}
	}
	return nil
}

// pairsIn are the --pairs keys as the source keys its pairs: with several clusters, a
// NAMESPACE/MODEL without a context names that pair in every cluster.
func pairsIn(pairs, clusters []string) []string {
	if len(clusters) == 0 {
		return pairs
	}
	var out []string
	for _, p := range pairs {
		p = strings.TrimSpace(p)
		if c, _ := model.SplitClusterKey(p); c != "" {
			out = append(out, p)
			continue
		}
		for _, c := range clusters {
			out = append(out, model.ClusterKey(c, p))
		}
	}
	return out
}

// startRecording records src into --record until ctx ends; the returned stop waits for the last
// record and closes the file. It returns a nil stop when --record is not set.
func (f *rollFlags) startRecording(ctx context.Context, src watch.Source, log *slog.Logger) (stop func() error, err error) {
	if f.record == "" {
		return nil, nil
	}
	w, err := record.NewWriter(f.record, record.WriterOptions{MaxBytes: int64(f.recordMaxMB) << 20, MaxFiles: f.recordFiles})
	if err != nil {
		return nil, err
	}
	if msg := w.Repaired(); msg != "" && log != nil {
		log.Warn("recording repaired", "detail", msg)
	}
	rec := record.NewRecorder(src, w)
	rec.OnError = func(err error) {
		if log != nil {
			log.Error("recording", "err", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx, 250*time.Millisecond) }()
	return func() error {
		cancel()
		return <-done
	}, nil
}

// replayFlags are the flags of `twinscale replay`; --theme and the log flags are the root's.
type replayFlags struct {
	speed  float64
	paused bool
	pairs  []string
}

// newReplayCmd is `twinscale replay FILE`: a recording played in the dashboard.
func newReplayCmd(o *rootOptions) *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay FILE",
		Short: "Play a recording made with --record in the dashboard",
		Long: `Play a recording made with --record in the same dashboard, for post-incident review and sharing.

Keys: space or p play/pause, ← and → one record back and on, [ and ] one minute back and on,
+ and - speed; m marks a pair, P pins, c compares, enter opens the detail, as live.
A recording cut short by a crash plays up to its last whole record; a damaged one plays up to
the damage, and the header says where.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, theme, skipped, err := o.loadThemes()
			if err != nil {
				return err
			}
			rp, opts, err := f.open(args[0])
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			defer rp.Close()
			closeLog, err := setupLogging(o.logFile, o.logLevel, o.stderr)
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			defer closeLog()
			opts.Themes, opts.Theme = set, theme
			opts.Notices = o.reportThemes(skipped)
			popts := []tea.ProgramOption{tea.WithContext(cmd.Context())}
			if in := cmd.InOrStdin(); in != os.Stdin {
				popts = append(popts, tea.WithInput(in))
			}
			if out := cmd.OutOrStdout(); out != os.Stdout {
				popts = append(popts, tea.WithOutput(out))
			}
			if _, err := tea.NewProgram(ui.New(opts), popts...).Run(); err != nil &&
				!errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) {
				return &exitErr{code: exitError, err: fmt.Errorf("replay: %w", err)}
			}
			return nil
		},
	}
	o.addShared(cmd, replayFlagSet)
	fs := cmd.Flags()
	fs.Float64Var(&f.speed, "speed", 1, "playback speed (1 is real time; 1/16 to 64)")
	fs.BoolVar(&f.paused, "paused", false, "start paused on the first record")
	addPairsFlag(fs, &f.pairs, pinPairs)
	return cmd
}

// open validates the flags, opens the recording and builds the dashboard options.
func (f *replayFlags) open(path string) (*record.Replay, ui.Options, error) {
	if math.IsNaN(f.speed) || f.speed < record.MinSpeed || f.speed > record.MaxSpeed {
		return nil, ui.Options{}, fmt.Errorf("--speed %v: want a number from 1/16 to 64", f.speed)
	}
	if err := validatePairs(f.pairs); err != nil {
		return nil, ui.Options{}, err
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, ui.Options{}, fmt.Errorf("replay %s: is a directory, not a recording", path)
	}
	rp, err := record.OpenReplay(path, record.ReplayOptions{Paused: f.paused})
	if err != nil {
		return nil, ui.Options{}, fmt.Errorf("replay: %w", err)
	}
	rp.SetSpeed(f.speed)
	opts := ui.Options{Source: rp, Tick: ui.DefaultTick, Pinned: f.pairs, Pairs: f.pairs}
	if d := rp.Notice(); d != "" {
		opts.Flash = d
	}
	return rp, opts, nil
}
