package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/ui"
	"github.com/twinscale/twinscale/watch/prom"
)

// rootOptions are the flags commands share; each registers the groups it reads (addShared).
type rootOptions struct {
	// config holds kubectl's standard flags (--kubeconfig, --context, --as, ...).
	config        *genericclioptions.ConfigFlags
	namespaces    []string
	allNamespaces bool
	// contexts is --context (one or several kubeconfig contexts); allContexts is --all-contexts.
	contexts     []string
	allContexts  bool
	theme        string
	logFile      string
	logLevel     string
	snapshotFile string
	// configFile is --config; file is what it says, loaded by validate.
	configFile string
	file       *fileConfig
	// groups are the shared flags each command registered (addShared).
	groups map[*cobra.Command]flagGroup
	// roll holds --record and --pairs.
	roll rollFlags
	// prom says how to reach Prometheus; demo holds --demo and the simulation's flags.
	prom prom.Options
	demo demoFlags
	// wrap, when set, wraps every HTTP transport to the cluster and Prometheus, innermost
	// (tests record what is sent with it).
	wrap func(http.RoundTripper) http.RoundTripper
	// program adds Bubble Tea options to the dashboard (tests run it headless).
	program []tea.ProgramOption

	stdout, stderr io.Writer
}

// newRootCmd builds the command tree.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	return newRoot(&rootOptions{stdout: stdout, stderr: stderr})
}

// newRoot builds the command tree over o, which must hold stdout and stderr.
func newRoot(o *rootOptions) *cobra.Command {
	stdout, stderr := o.stdout, o.stderr
	// kubectl's flags, except -n: twinscale takes several namespaces.
	o.config = genericclioptions.NewConfigFlags(true)
	o.config.Namespace = nil
	// --context is twinscale's own: it takes several contexts. validate sets the
	// kubectl flags' context when one is given.
	o.config.Context = nil

	cmd := &cobra.Command{
		Use:   "twinscale",
		Short: "Every Seldon Model and its Server, with their twin HPAs, side by side",
		Long: `twinscale watches Seldon Core 2 Models and Servers and the two HPAs that scale each pair,
and shows desired vs ready replicas on both sides, the skew between the twin HPAs,
ScheduleFailed alerts, live infer_rps and what each HPA will do next.

Without a subcommand it opens the dashboard (press ? inside for help).`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Each command checks the shared flags it registered (see addShared).
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return o.validate(cmd) },
		RunE:              func(cmd *cobra.Command, _ []string) error { return o.runDashboard(cmd) },
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetUsageFunc(o.usage)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitErr{code: exitError, err: fmt.Errorf("%w (see --help)", err)}
	})

	o.prom = prom.DefaultOptions()
	o.addShared(cmd, dashboardFlags)
	o.roll.addFlags(cmd.Flags())
	cmd.AddCommand(newSnapshotCmd(o), newVersionCmd(o), newReplayCmd(o), newLintCmd(), newWhatifCmd(o))
	return cmd
}

// dnsLabel is a valid Kubernetes namespace name.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// targetNamespaces resolves which namespaces to watch: nil means all.
func (o *rootOptions) targetNamespaces() ([]string, error) { return o.namespacesOf(o.config) }

// namespacesOf is targetNamespaces for the kubectl flags cf: without -n or -A, the namespace
// of cf's context.
func (o *rootOptions) namespacesOf(cf *genericclioptions.ConfigFlags) ([]string, error) {
	switch {
	case o.allNamespaces:
		return nil, nil
	case len(o.namespaces) > 0:
		out := slices.Clone(o.namespaces)
		slices.Sort(out)
		return slices.Compact(out), nil
	}
	ns, _, err := cf.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, &exitErr{code: exitKubeconfig, err: fmt.Errorf("kubeconfig namespace: %s", scrubYAML(err))}
	}
	return []string{ns}, nil
}

// defaultLogFile is <user cache dir>/twinscale/twinscale.log.
func defaultLogFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "twinscale", "twinscale.log")
}

// loadThemes resolves --theme and the user themes. A theme named by --theme must load; every
// other broken user theme file is skipped and returned (see reportThemes).
func (o *rootOptions) loadThemes() (*themes.Set, themes.Theme, []error, error) {
	noColor := themes.NoColor(os.Getenv)
	dir, dirErr := themes.UserDir()
	var user []themes.Theme
	var skipped []error
	if dirErr == nil {
		user, skipped = themes.LoadDir(dir)
	}
	set := themes.NewSet(user, noColor)
	if o.theme == "" || o.theme == themes.Auto {
		return set, themes.Theme{Name: themes.Auto}, skipped, nil
	}
	t, err := themes.Find(o.theme, dir)
	if err != nil {
		return nil, themes.Theme{}, nil, &exitErr{code: exitTheme, err: fmt.Errorf("theme: %w", err)}
	}
	return set, t, skipped, nil
}

// reportThemes says which user theme files were skipped, all of them: each with its reason on
// stderr (seen before the screen opens and after it closes) and in the log, and by name and line
// in a notice that stays in the dashboard's footer. Call it once logging is set up.
func (o *rootOptions) reportThemes(skipped []error) []string {
	if len(skipped) == 0 {
		return nil
	}
	dir, _ := themes.UserDir()
	var refs []string
	for _, err := range skipped {
		fmt.Fprintf(o.stderr, "twinscale: theme file skipped: %v\n", err)
		slog.Warn("Theme file skipped", "err", err)
		refs = append(refs, themeFileRef(err.Error(), dir))
	}
	if len(skipped) == 1 {
		return []string{"theme file skipped: " + strings.TrimPrefix(skipped[0].Error(), dir+string(filepath.Separator))}
	}
	return []string{fmt.Sprintf("%d theme files skipped (reasons in the log): %s", len(skipped), strings.Join(refs, ", "))}
}

// themeFileRef shortens "DIR/ocean.yaml:4: why" to "ocean.yaml:4".
func themeFileRef(msg, dir string) string {
	msg = strings.TrimPrefix(msg, dir+string(filepath.Separator))
	file, rest, ok := strings.Cut(msg, ":")
	if !ok {
		return msg
	}
	if line, _, ok := strings.Cut(rest, ":"); ok && line != "" && strings.Trim(line, "0123456789") == "" {
		return file + ":" + line
	}
	return file
}

// completeThemes offers the built-in and user theme names.
func completeThemes(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	names := []string{themes.Auto}
	for _, t := range themes.Builtins() {
		names = append(names, t.Name)
	}
	if dir, err := themes.UserDir(); err == nil {
		user, _ := themes.LoadDir(dir)
		for _, t := range user {
			names = append(names, strings.TrimSuffix(filepath.Base(t.Source), filepath.Ext(t.Source)))
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// runDashboard opens the interactive dashboard.
func (o *rootOptions) runDashboard(cmd *cobra.Command) error {
	if err := o.roll.validate(); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if err := o.needTerminal(); err != nil {
		return err
	}
	set, theme, skipped, err := o.loadThemes()
	if err != nil {
		return err
	}
	closeLog, err := setupLogging(o.logFile, o.logLevel, o.stderr)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	defer closeLog()
	src, err := openSource(cmd.Context(), o)
	if err != nil {
		return withCode(exitError, err)
	}
	defer src.stop()
	stopRec, err := o.roll.startRecording(cmd.Context(), src, slog.Default())
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if stopRec != nil {
		defer func() {
			if err := stopRec(); err != nil {
				slog.Error("recording", "err", err)
			}
		}()
	}
	// Once nothing else can fail before the screen opens: a failure stays one line.
	notices := o.reportThemes(skipped)
	app := ui.New(ui.Options{Source: src, Themes: set, Theme: theme, Notices: notices, Tick: ui.DefaultTick,
		Pinned: pairsIn(o.roll.pairs, src.clusters), Pairs: o.roll.pairs})
	p := tea.NewProgram(app, append([]tea.ProgramOption{tea.WithContext(cmd.Context()), tea.WithFPS(ui.DefaultFPS)}, o.program...)...)
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) {
		return &exitErr{code: exitError, err: fmt.Errorf("dashboard: %w", err)}
	}
	return nil
}

// needTerminal refuses to draw the dashboard into a pipe or a file, where it would leave a blank
// screen and exit 0: a script wants `twinscale snapshot`.
func (o *rootOptions) needTerminal() error {
	if len(o.program) > 0 {
		return nil // tests drive the program with their own input and output
	}
	if f, ok := o.stdout.(*os.File); ok && !term.IsTerminal(f.Fd()) {
		return &exitErr{code: exitError, err: errors.New("stdout is not a terminal; use `twinscale snapshot` to print the pairs")}
	}
	return nil
}
