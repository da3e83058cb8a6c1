package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"
	"sigs.k8s.io/yaml"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/static"
)

const fixture = "../../ui/testdata/fixture.json"

// runCLI runs the command line in-process and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	args = withLogFile(newRootCmd(&out, &errb), args, filepath.Join(t.TempDir(), "twinscale.log"))
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// withLogFile adds --log-file FILE to args when their command takes it (lint does not).
func withLogFile(root *cobra.Command, args []string, file string) []string {
	root.InitDefaultCompletionCmd(args...) // cobra adds `completion` when it runs
	if c, _, err := root.Find(args); err == nil && c.Flags().Lookup("log-file") != nil {
		return append(args, "--log-file", file)
	}
	return args
}

// isolate points the user config dir at an empty temp dir.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	return dir
}

func TestSnapshotTableIsPlainWhenNotATerminal(t *testing.T) {
	isolate(t)
	code, out, errOut := runCLI(t, "snapshot", "--snapshot-file", fixture)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "\x1b") {
		t.Fatal("table output to a pipe contains escape sequences")
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2+15 {
		t.Fatalf("want summary, titles and 15 pairs, got %d lines:\n%s", len(lines), out)
	}
	for _, want := range []string{"15 pairs", "✗ 2 critical", "0 ready", "4.87/3", " 1.23k "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, p := range [][2]string{{"sentiment", "triton-sentiment"},
		{"customer-lifetime-value-gradient-boosted-ensemble-v2", "mlserver-customer-lifetime-value-gradient-boosted-ensemble-v2-gpu"}} {
		if countPair(out, p[0], p[1]) != 1 {
			t.Errorf("output lacks the pair %s, %s whole", p[0], p[1])
		}
	}
	if !strings.HasPrefix(lines[2], "✗  ml-prod") {
		t.Errorf("alerts come first: %q", lines[2])
	}
}

func TestSnapshotFailOn(t *testing.T) {
	isolate(t)
	cases := []struct {
		failOn string
		code   int
	}{
		{"none", exitOK}, {"info", exitFindings}, {"warning", exitFindings}, {"critical", exitFindings}, {"bogus", exitError},
	}
	for _, c := range cases {
		code, _, errOut := runCLI(t, "snapshot", "--snapshot-file", fixture, "--fail-on", c.failOn, "-o", "json")
		if code != c.code {
			t.Errorf("--fail-on %s: exit %d, want %d (%s)", c.failOn, code, c.code, errOut)
		}
		if c.code == exitFindings && !strings.Contains(errOut, "pairs at "+c.failOn+" or worse") {
			t.Errorf("--fail-on %s: stderr %q", c.failOn, errOut)
		}
	}
	// A healthy snapshot passes --fail-on warning.
	src, err := static.Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	healthy := *src.Snapshot()
	healthy.Pairs = nil
	for _, p := range src.Snapshot().Pairs {
		if p.Health == model.Healthy && len(p.Findings) == 0 {
			healthy.Pairs = append(healthy.Pairs, p)
		}
	}
	path := filepath.Join(t.TempDir(), "healthy.json")
	b, _ := json.Marshal(healthy)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "snapshot", "--snapshot-file", path, "--fail-on", "warning"); code != exitOK {
		t.Fatalf("healthy snapshot: exit %d (%s)", code, errOut)
	}
}

func TestSnapshotJSONRoundTripsAndYAMLParses(t *testing.T) {
	isolate(t)
	code, out, errOut := runCLI(t, "snapshot", "--snapshot-file", fixture, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	snap, _, err := static.Decode(strings.NewReader(out))
	if err != nil {
		t.Fatalf("snapshot -o json does not load back: %v", err)
	}
	if len(snap.Pairs) != 15 || snap.Pairs[0].Key == "" {
		t.Fatalf("round trip lost pairs: %d", len(snap.Pairs))
	}
	// The saved JSON opens as a --snapshot-file again.
	path := filepath.Join(t.TempDir(), "saved.json")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, again, _ := runCLI(t, "snapshot", "--snapshot-file", path); code != exitOK || !strings.Contains(again, "15 pairs") {
		t.Fatalf("saved snapshot: exit %d\n%s", code, again)
	}

	code, out, _ = runCLI(t, "snapshot", "--snapshot-file", fixture, "-o", "yaml")
	var v map[string]any
	if code != exitOK || yaml.Unmarshal([]byte(out), &v) != nil || v["pairs"] == nil {
		t.Fatalf("yaml: exit %d, %v", code, v["pairs"] == nil)
	}
}

func TestJSONSafeReplacesNaN(t *testing.T) {
	nan := 0.0
	nan = nan / nan
	s := &model.Snapshot{Pairs: []model.Pair{{Metric: model.PairMetric{Known: true, RPS: nan}, ModelForecast: &model.Forecast{Ratio: nan}}}}
	if _, err := json.Marshal(s); err == nil {
		t.Fatal("the test needs a snapshot plain JSON cannot encode")
	}
	safe := jsonSafe(s)
	if _, err := json.Marshal(safe); err != nil {
		t.Fatal(err)
	}
	if safe.Pairs[0].Metric.Problem == "" || s.Pairs[0].Metric.RPS == s.Pairs[0].Metric.RPS {
		t.Fatal("jsonSafe must explain the value and leave the original alone")
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	isolate(t)
	t.Setenv("KUBECONFIG", "")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"snapshot"}, exitKubeconfig, "no kubeconfig found: set --kubeconfig or KUBECONFIG"},
		{[]string{}, exitKubeconfig, "no kubeconfig found"},
		{[]string{"snapshot", "--snapshot-file", "/nonexistent.json"}, exitError, "snapshot file"},
		{[]string{"snapshot", "--snapshot-file", fixture, "-o", "xml"}, exitError, `output "xml"`},
		{[]string{"-A", "-n", "a", "snapshot"}, exitError, "not both"},
		{[]string{"-n", "Bad_NS", "snapshot"}, exitError, "not a valid namespace name"},
		{[]string{"--log-level", "loud", "snapshot"}, exitError, "log level"},
		{[]string{"--no-such-flag"}, exitError, "unknown flag"},
		{[]string{"--theme", "nosuch", "--snapshot-file", fixture}, exitTheme, `unknown theme "nosuch"`},
		{[]string{"extra-arg"}, exitError, "unknown command"},
	}
	for _, c := range cases {
		code, _, errOut := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want code %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

func TestBadUserThemeNamesFileAndLine(t *testing.T) {
	dir := isolate(t)
	tdir := filepath.Join(dir, "twinscale", "themes")
	if err := os.MkdirAll(tdir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tdir, "ocean.yaml"), []byte("base: dark\ncolors:\n  acent: '#fff'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "--theme", "ocean", "--snapshot-file", fixture)
	if code != exitTheme || !strings.Contains(errOut, "ocean.yaml:3: unknown colour token \"acent\"") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestNamespacesFlag(t *testing.T) {
	o := &rootOptions{}
	cmd := newRootCmd(io.Discard, io.Discard)
	if err := cmd.ParseFlags([]string{"-n", "b,a", "--namespace", "c", "-n", "a"}); err != nil {
		t.Fatal(err)
	}
	got, _ := cmd.Flags().GetStringSlice("namespace")
	o.namespaces = got
	ns, err := o.targetNamespaces()
	if err != nil || strings.Join(ns, ",") != "a,b,c" {
		t.Fatalf("namespaces %v, %v", ns, err)
	}
	o.namespaces, o.allNamespaces = nil, true
	if ns, _ := o.targetNamespaces(); ns != nil {
		t.Fatalf("-A means all: %v", ns)
	}
	for _, f := range []string{"kubeconfig", "context", "as", "as-group", "cluster", "user", "request-timeout", "all-namespaces"} {
		if cmd.Flags().Lookup(f) == nil {
			t.Errorf("kubectl flag --%s missing", f)
		}
	}
}

func TestVersionAndCompletion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(out, "twinscale ") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "completion", "bash")
	if code != exitOK || !strings.Contains(out, "__start_twinscale") {
		t.Fatalf("completion bash: exit %d", code)
	}
	var buf bytes.Buffer
	code = run(context.Background(), []string{"__complete", "--theme", ""}, &buf, io.Discard)
	if out = buf.String(); code != exitOK || !strings.Contains(out, "colorblind") {
		t.Fatalf("theme completion: %q", out)
	}
}

func TestLogsGoToTheFileNotTheTerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "twinscale.log")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	var stderr bytes.Buffer
	closeLog, err := setupLogging(path, "debug", &stderr)
	if err != nil {
		os.Stderr = old
		t.Fatal(err)
	}
	klog.Info("klog info line")
	klog.Error("klog error line")
	klog.Flush()
	closeLog()
	os.Stderr = old
	w.Close()
	leaked, _ := io.ReadAll(r)
	if len(leaked) > 0 || stderr.Len() > 0 {
		t.Fatalf("logs reached the terminal: %q %q", leaked, stderr.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Logging started", "klog info line", "klog error line"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("log file lacks %q:\n%s", want, data)
		}
	}
}

// countPair counts the table rows that show a Model and then its Server, in their own
// columns (the dashboard's renderer may skip the blanks between them).
func countPair(table, model, server string) int {
	re := regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(model) + `\s*` + regexp.QuoteMeta(server) + `(\s|$)`)
	return len(re.FindAllStringIndex(table, -1))
}
