package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestDashboardRefusesAPipe: `twinscale --demo | cat` drew a blank screen and exited 0; it must
// say what to use instead and exit 2 (issue 13 item 14).
func TestDashboardRefusesAPipe(t *testing.T) {
	isolate(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var errb bytes.Buffer
	code := run(context.Background(), []string{"--demo", "--log-file", filepath.Join(t.TempDir(), "l.log")}, w, &errb)
	w.Close()
	if code != exitError || !strings.Contains(errb.String(), "stdout is not a terminal; use `twinscale snapshot`") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestSnapshotBadThemeExits6: README promises exit 6 for a --theme that cannot be loaded, also
// when snapshot prints plain text (issue 13 item 16).
func TestSnapshotBadThemeExits6(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, "snapshot", "--snapshot-file", fixture, "--theme", "nosuch")
	if code != exitTheme || !strings.Contains(errOut, "nosuch") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestDemoSaysWhatItIgnores: --demo with -n or --prometheus-url says they change nothing.
func TestDemoSaysWhatItIgnores(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, "snapshot", "--demo", "-n", "prod", "--prometheus-url", "http://p:9090", "-o", "json")
	if code != exitOK || !strings.Contains(errOut, "--demo ignores -n/-A, --prometheus-url") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, _, errOut := runCLI(t, "snapshot", "--demo", "-o", "json"); strings.Contains(errOut, "ignores") {
		t.Errorf("plain --demo warns: %q", errOut)
	}
}

// TestLogFileBadPathSaysWhy: an unwritable --log-file printed "(<nil>)" instead of the reason.
func TestLogFileBadPathSaysWhy(t *testing.T) {
	var errb bytes.Buffer
	closeLog, err := setupLogging("/proc/nope/x.log", "info", &errb)
	if err != nil {
		t.Fatal(err)
	}
	closeLog()
	if msg := errb.String(); strings.Contains(msg, "<nil>") || !strings.Contains(msg, "cannot write the log file /proc/nope/x.log (mkdir /proc/nope") {
		t.Errorf("stderr %q", msg)
	}
}

// TestHelpValueNames: backticks in a flag's usage become its value name in --help, so they
// must name the value, not quote a command; --sync-timeout 0 is refused up front.
func TestHelpValueNames(t *testing.T) {
	isolate(t)
	_, out, _ := runCLI(t, "--help")
	for _, want := range []string{"--record FILE ", "--snapshot-file FILE "} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	if strings.Contains(out, "--record twinscale") || strings.Contains(out, "--snapshot-file twinscale") {
		t.Errorf("a command became a value name:\n%s", out)
	}
	if code, _, errOut := runCLI(t, "snapshot", "--demo", "--sync-timeout", "0"); code != exitError || !strings.Contains(errOut, "--sync-timeout 0s") {
		t.Errorf("--sync-timeout 0: exit %d, %q", code, errOut)
	}
}

// TestHelpRequestTimeout: --help said 0 never times out, yet the start-up check used 10 s.
func TestHelpRequestTimeout(t *testing.T) {
	isolate(t)
	_, out, _ := runCLI(t, "--help")
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "--request-timeout") {
			line = l
		}
	}
	if !strings.Contains(line, "0 means 10s for the start-up check") || strings.Contains(line, "don't timeout") {
		t.Errorf("--request-timeout help: %q", line)
	}
}

// TestHelpListsOnlyUsedFlags: `lint --help` listed every kubectl and dashboard flag as global
// flags although lint reads files only; each command lists the flags it reads (issue 13 item 15).
func TestHelpListsOnlyUsedFlags(t *testing.T) {
	isolate(t)
	// lint has its own -n, the namespace of manifests that set none.
	kube := []string{"--kubeconfig", "--as", "--token", "--request-timeout", "--all-namespaces", "--context"}
	prom := []string{"--prometheus-url", "--poll-interval", "--query", "--config"}
	demo := []string{"--demo", "--demo-scenario", "--seed"}
	log := []string{"--log-file", "--log-level"}
	cat := func(lists ...[]string) []string { return slices.Concat(lists...) }
	cases := []struct {
		args       []string
		want, none []string
		section    string
	}{
		{[]string{"lint", "--help"}, []string{"--fail-on", "--whatif", "--output"},
			cat(kube, prom, demo, log, []string{"--theme", "--snapshot-file", "--all-contexts"}), ""},
		{[]string{"replay", "--help"}, cat([]string{"--speed", "--paused", "--pairs", "--theme"}, log),
			cat(kube, prom, demo, []string{"--snapshot-file", "--all-contexts", "--record"}), "Theme and log flags:"},
		{[]string{"whatif", "--help"}, cat([]string{"--recording", "--set"}, kube, prom, demo, log),
			[]string{"--theme", "--snapshot-file", "--all-contexts", "--record", "--pairs"}, "Cluster, Prometheus, demo and log flags:"},
		{[]string{"snapshot", "--help"}, cat([]string{"--output", "--fail-on", "--pairs", "--all-contexts", "--snapshot-file", "--theme"}, kube, prom, demo, log),
			[]string{"--record"}, "Cluster, Prometheus, demo, snapshot file, theme and log flags:"},
		{[]string{"version", "--help"}, nil, cat(kube, prom, demo, log, []string{"--theme"}), ""},
		{[]string{"--help"}, cat([]string{"--record", "--pairs", "--theme", "--snapshot-file"}, kube, prom, demo, log), nil, ""},
	}
	flagLine := regexp.MustCompile(`(?m)^\s+(?:-\w, )?(--[a-z-]+)`)
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), c.args, &out, &errb); code != exitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			listed := map[string]bool{}
			for _, m := range flagLine.FindAllStringSubmatch(out.String(), -1) {
				listed[m[1]] = true
			}
			for _, w := range c.want {
				if !listed[w] {
					t.Errorf("help lacks %s", w)
				}
			}
			for _, n := range c.none {
				if listed[n] {
					t.Errorf("help lists %s", n)
				}
			}
			if strings.Contains(out.String(), "Global Flags") || !strings.Contains(out.String(), c.section) {
				t.Errorf("want no global flags and the section %q:\n%s", c.section, out.String())
			}
		})
	}
}

// TestLintIgnoresDashboardSettings: lint reads no shared flag, so neither a broken config file
// of the dashboard nor a dashboard flag reaches it.
func TestLintIgnoresDashboardSettings(t *testing.T) {
	dir := filepath.Join(isolate(t), "twinscale")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "config.yaml"), "contexts: [broken\n")
	good := filepath.Join("manifests", "testdata", "good")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"lint", good}, exitOK, ""},
		{[]string{"lint", "--demo", good}, exitError, "unknown flag: --demo"},
		{[]string{"lint", "--kubeconfig", "x", good}, exitError, "unknown flag: --kubeconfig"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run(context.Background(), c.args, &out, &errb); code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
}

// TestSnapshotPairs: snapshot took no --pairs ("unknown flag") while the dashboard does; it lists
// them first, and names those that match no pair on stderr without changing the exit code
// (issue 13 item 16).
func TestSnapshotPairs(t *testing.T) {
	isolate(t)
	cases := []struct {
		name     string
		args     []string
		code     int
		stderr   string // "" means none
		firstRow string
	}{
		{"a pair that exists is listed first", []string{"--snapshot-file", fixture, "--pairs", "ml-prod/translator"}, exitOK, "", " translator "},
		{"a pair that does not exist", []string{"--snapshot-file", fixture, "--pairs", "x/y,ml-prod/ocr"}, exitOK, "twinscale: --pairs x/y: matches no pair\n", " ocr "},
		{"a context this snapshot does not have", []string{"--snapshot-file", fixture, "--pairs", "a/ml-prod/ocr,x/y"}, exitOK,
			"twinscale: --pairs a/ml-prod/ocr, x/y: match no pair\n", ""},
		{"the demo", []string{"--demo", "--pairs", "x/y"}, exitOK, "twinscale: --pairs x/y: matches no pair\n", ""},
		{"not NAMESPACE/MODEL", []string{"--demo", "--pairs", "bad"}, exitError, "twinscale: --pairs \"bad\": want NAMESPACE/MODEL or CONTEXT/NAMESPACE/MODEL, e.g. seldon-mesh/irisa0\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"snapshot"}, c.args...)...)
			if code != c.code || errOut != c.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, errOut, c.code, c.stderr)
			}
			if lines := strings.Split(out, "\n"); c.firstRow != "" && (len(lines) < 3 || !strings.Contains(lines[2], c.firstRow)) {
				t.Errorf("first row is not %q:\n%s", c.firstRow, out)
			}
		})
	}
}

// TestDashboardNotices: of six broken theme files only the first was named, in a flash gone at
// the first key; --pairs naming no pair said nothing. Every broken file is named on stderr and in
// the footer, and the pair once synced (issue 13 item 16).
func TestDashboardNotices(t *testing.T) {
	dir := filepath.Join(isolate(t), "twinscale", "themes")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	broken := []string{"a.yaml", "b.yml", "c.yaml"}
	for _, f := range broken {
		writeFile(t, filepath.Join(dir, f), "base: dark\ncolors:\n  accent: not-a-colour\n")
	}
	writeFile(t, filepath.Join(dir, "fine.yaml"), "base: light\n")
	ready := func(screen string) bool {
		s := ansi.Strip(screen)
		return strings.Contains(s, "3 theme files skipped (reasons in the log): a.yaml:3, b.yml:3, c.yaml:3") &&
			strings.Contains(s, "--pairs x/y matches no pair")
	}
	r, _ := headless(t, &rootOptions{}, ready, []string{"j"}, "--demo", "--pairs", "x/y,seldon-mesh/irisa0")
	if r.code != exitOK {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	for _, f := range broken {
		if !strings.Contains(r.stderr, "twinscale: theme file skipped: "+filepath.Join(dir, f)+":3: accent:") || !strings.Contains(r.log, filepath.Join(dir, f)) {
			t.Errorf("%s not reported on stderr and in the log:\n%s", f, r.stderr)
		}
	}
}
