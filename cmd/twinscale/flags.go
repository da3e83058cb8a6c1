package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch/kube"
)

// flagGroup is a set of the flags commands share. Each command registers the groups it
// reads as its own flags, so its --help lists only flags that change what it does (lint
// reads files: it has none of them) and validate checks only those.
type flagGroup uint

// The shared flag groups.
const (
	// flagsKube are kubectl's connection flags, -n/-A and --context.
	flagsKube flagGroup = 1 << iota
	// flagsAllContexts is --all-contexts: every context on one screen.
	flagsAllContexts
	// flagsProm are the Prometheus flags and --config, which maps contexts to their Prometheus.
	flagsProm
	// flagsDemo are --demo and the simulation's flags.
	flagsDemo
	// flagsSnapshotFile is --snapshot-file.
	flagsSnapshotFile
	// flagsTheme is --theme.
	flagsTheme
	// flagsLog are --log-file and --log-level.
	flagsLog
)

// What each command reads. The dashboard and snapshot show a cluster, a demo or a saved
// snapshot; whatif reads one cluster (or the demo) and Prometheus, and prints text; replay
// reads a recording into the dashboard; lint and version read nothing shared.
const (
	dashboardFlags = flagsKube | flagsAllContexts | flagsProm | flagsDemo | flagsSnapshotFile | flagsTheme | flagsLog
	snapshotFlags  = dashboardFlags
	whatifFlags    = flagsKube | flagsProm | flagsDemo | flagsLog
	replayFlagSet  = flagsTheme | flagsLog
)

// addShared registers the groups' flags on cmd and remembers them for validate.
func (o *rootOptions) addShared(cmd *cobra.Command, groups flagGroup) {
	if o.groups == nil {
		o.groups = map[*cobra.Command]flagGroup{}
	}
	o.groups[cmd] = groups
	fs := cmd.Flags()
	if groups&flagsKube != 0 {
		o.config.AddFlags(fs)
		if f := fs.Lookup("request-timeout"); f != nil {
			// cli-runtime's text says 0 never times out; the start-up check bounds itself at 10 s then.
			f.Usage = fmt.Sprintf("longest wait for one API server request (e.g. 5s, 1m); 0 means %v for the start-up check and no limit on the watch's own requests", kube.DefaultProbeTimeout)
		}
		fs.StringSliceVarP(&o.namespaces, "namespace", "n", nil,
			"namespaces to watch: repeat the flag or give a comma list (default: the kubeconfig context's namespace)")
		fs.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "watch every namespace")
		if groups&flagsAllContexts != 0 {
			fs.StringSliceVar(&o.contexts, "context", nil,
				"kubeconfig contexts to watch: repeat the flag or give a comma list; several are shown on one screen (default: the current context)")
			fs.BoolVar(&o.allContexts, "all-contexts", false, "watch every context of the kubeconfig on one screen")
		} else {
			fs.StringSliceVar(&o.contexts, "context", nil, "kubeconfig context to use (default: the current context)")
		}
		_ = cmd.RegisterFlagCompletionFunc("context", o.completeContexts)
	}
	if groups&flagsTheme != 0 {
		fs.StringVar(&o.theme, "theme", themes.Auto,
			"colour theme: auto (from the terminal background), dark, light, high-contrast, colorblind, or a user theme name")
		_ = cmd.RegisterFlagCompletionFunc("theme", completeThemes)
	}
	if groups&flagsLog != 0 {
		fs.StringVar(&o.logFile, "log-file", defaultLogFile(), "write logs to this file (never to the terminal)")
		fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
		_ = cmd.MarkFlagFilename("log-file")
		_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions([]string{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp))
	}
	if groups&flagsSnapshotFile != 0 {
		fs.StringVar(&o.snapshotFile, "snapshot-file", "", "show the `FILE` saved with \"twinscale snapshot -o json\" instead of a cluster")
		_ = cmd.MarkFlagFilename("snapshot-file", "json")
	}
	if groups&flagsProm != 0 {
		fs.StringVar(&o.configFile, "config", defaultConfigFile(), "config file mapping kubeconfig contexts to their Prometheus (Thanos, Mimir); the flags apply to contexts it does not list")
		_ = cmd.MarkFlagFilename("config", "yaml", "yml")
		o.prom.AddFlags(fs)
	}
	if groups&flagsDemo != 0 {
		o.demo.addFlags(fs)
	}
	// Registered before the command's own flags: every flag so far is a shared one.
	fs.VisitAll(func(f *pflag.Flag) { _ = fs.SetAnnotation(f.Name, sharedFlag, nil) })
}

// sharedFlag annotates the flags addShared registers, which usage lists apart.
const sharedFlag = "twinscale/shared"

// title names the groups for usage: "Cluster, Prometheus and log flags".
func (g flagGroup) title() string {
	var names []string
	for _, n := range []struct {
		g    flagGroup
		name string
	}{{flagsKube, "cluster"}, {flagsProm, "Prometheus"}, {flagsDemo, "demo"}, {flagsSnapshotFile, "snapshot file"}, {flagsTheme, "theme"}, {flagsLog, "log"}} {
		if g&n.g != 0 {
			names = append(names, n.name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	t := strings.Join(names, ", ")
	if i := strings.LastIndex(t, ", "); i >= 0 {
		t = t[:i] + " and " + t[i+2:]
	}
	return strings.ToUpper(t[:1]) + t[1:] + " flags"
}

// usage is cobra's usage with a command's own flags first and the shared ones apart,
// titled by what they are for. twinscale has no aliases, command groups or global flags.
func (o *rootOptions) usage(c *cobra.Command) error {
	w := c.OutOrStderr()
	fmt.Fprint(w, "Usage:")
	if c.Runnable() {
		fmt.Fprintf(w, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [command]", c.CommandPath())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n\nExamples:\n%s", c.Example)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprint(w, "\n\nAvailable Commands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	own, shared := pflag.NewFlagSet("own", pflag.ContinueOnError), pflag.NewFlagSet("shared", pflag.ContinueOnError)
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[sharedFlag]; ok {
			shared.AddFlag(f)
		} else {
			own.AddFlag(f)
		}
	})
	printFlags(w, "Flags", own)
	printFlags(w, o.groups[c].title(), shared)
	printFlags(w, "Global Flags", c.InheritedFlags())
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	fmt.Fprintln(w)
	return nil
}

// printFlags prints one titled section of flag usages, if it has any.
func printFlags(w io.Writer, title string, fs *pflag.FlagSet) {
	if !fs.HasAvailableFlags() {
		return
	}
	fmt.Fprintf(w, "\n\n%s:\n%s", title, strings.TrimRight(fs.FlagUsages(), " \n"))
}

// validate checks the shared flags cmd registered before it runs.
func (o *rootOptions) validate(cmd *cobra.Command) error {
	groups := o.groups[cmd]
	if groups&flagsKube != 0 {
		if o.allNamespaces && len(o.namespaces) > 0 {
			return &exitErr{code: exitError, err: errors.New("use either -A/--all-namespaces or -n/--namespace, not both")}
		}
		if err := o.validateContexts(); err != nil {
			return &exitErr{code: exitError, err: err}
		}
		for _, ns := range o.namespaces {
			if len(ns) > 63 || !dnsLabel.MatchString(ns) {
				return &exitErr{code: exitError, err: fmt.Errorf("namespace %q is not a valid namespace name", ns)}
			}
		}
	}
	if groups&flagsLog != 0 {
		if _, err := parseLevel(o.logLevel); err != nil {
			return &exitErr{code: exitError, err: err}
		}
	}
	if groups&flagsProm != 0 {
		if err := o.prom.Validate(); err != nil {
			return &exitErr{code: exitPrometheus, err: err}
		}
		file, err := loadConfig(o.configFile, cmd.Flags().Changed("config"))
		if err != nil {
			return &exitErr{code: exitPrometheus, err: err}
		}
		o.file = file
	}
	if groups&flagsDemo != 0 {
		if err := o.demo.opts.Validate(); err != nil {
			return &exitErr{code: exitError, err: err}
		}
	}
	return nil
}
