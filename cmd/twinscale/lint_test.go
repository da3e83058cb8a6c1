package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const manifestDir = "manifests/testdata/"

// runLintCmd runs the cobra command as a user would and returns stdout, stderr and the exit code.
func runLintCmd(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := newLintCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), exitCode(err)
}

// TestLintNoManifests: a directory without manifests is a usage error, not a clean pass (a CI
// path typo must fail).
func TestLintNoManifests(t *testing.T) {
	empty, noYAML := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(noYAML, "README.md"), []byte("# not a manifest\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{empty, noYAML} {
		out, errOut, code := runLintCmd(t, "", dir)
		if code != 2 || !strings.Contains(errOut, "no manifests found in "+dir) {
			t.Errorf("lint %s: exit %d, stderr %q, stdout %q", dir, code, errOut, out)
		}
	}
}

func TestLintExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string // a line the output must contain
	}{
		{"good manifests", []string{manifestDir + "good"}, 0, "3 files, 9 objects, 2 pairs: no findings"},
		{"good manifests fail on info", []string{manifestDir + "good", "--fail-on", "info"}, 0, "no findings"},
		{"seeded problems", []string{manifestDir + "bad"}, 1, "bad/drift.yaml:63: critical TS109"},
		{"seeded problems fail on critical", []string{manifestDir + "bad", "--fail-on=critical"}, 1, "8 critical, 5 warning, 3 info"},
		{"advice only passes by default", []string{manifestDir + "infoonly"}, 0, "2 info"},
		{"advice only fails on info", []string{manifestDir + "infoonly", "--fail-on", "info"}, 1, "infoonly/defaults.yaml:16: info TS110"},
		{"malformed", []string{manifestDir + "malformed"}, 2, "malformed/broken.yaml:13: error: invalid YAML: mapping values are not allowed in this context"},
		{"malformed among good", []string{manifestDir + "good", manifestDir + "malformed/broken.yaml"}, 2, "4 errors"},
		{"no arguments", nil, 2, ""},
		{"missing path", []string{manifestDir + "nope"}, 2, ""},
		{"bad fail-on", []string{manifestDir + "good", "--fail-on", "fatal"}, 2, ""},
		{"fail-on none passes findings", []string{manifestDir + "bad", "--fail-on", "none"}, 0, "8 critical, 5 warning, 3 info"},
		{"fail-on none still fails errors", []string{manifestDir + "malformed", "--fail-on", "none"}, 2, "malformed/broken.yaml:13: error"},
		{"bad output", []string{manifestDir + "good", "-o", "yaml"}, 2, ""},
		{"unknown flag", []string{manifestDir + "good", "--frobnicate"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runLintCmd(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if tt.out != "" && !strings.Contains(out, tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out)
			}
			if tt.code == 2 && tt.out == "" && !strings.Contains(errOut, "Error: ") {
				t.Errorf("usage error not explained on stderr: %q", errOut)
			}
		})
	}
}

func TestLintStdinAndFormats(t *testing.T) {
	stdin := `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: lonely}
spec:
  scaleTargetRef: {apiVersion: mlops.seldon.io/v1alpha1, kind: Model, name: gone}
  maxReplicas: 3
  behavior: {scaleUp: {policies: [{type: Pods, value: 1, periodSeconds: 60}]}}
  metrics:
  - type: Object
    object:
      metric: {name: infer_rps}
      describedObject: {apiVersion: mlops.seldon.io/v1alpha1, kind: Model, name: gone}
      target: {type: AverageValue, averageValue: 3}
`
	out, _, code := runLintCmd(t, stdin, "-", "-n", "team")
	if code != 1 || !strings.Contains(out, "stdin:5: warning TS117 HPA lonely targets Model gone, which does not exist here") {
		t.Errorf("stdin text (exit %d):\n%s", code, out)
	}

	out, _, code = runLintCmd(t, stdin, "-", "-o", "json")
	var js struct {
		Findings []struct {
			Rule    string `json:"rule"`
			Subject struct {
				Namespace string `json:"namespace"`
			} `json:"subject"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil || code != 1 || len(js.Findings) != 1 || js.Findings[0].Subject.Namespace != "default" {
		t.Errorf("json (exit %d, %v): %s", code, err, out)
	}

	out, _, code = runLintCmd(t, "", manifestDir+"bad", "-o", "sarif")
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || code != 1 || sarif.Version != "2.1.0" || len(sarif.Runs[0].Results) != 16 {
		t.Errorf("sarif (exit %d, %v)", code, err)
	}
}

// TestLintSeldonDocs lints the Seldon docs' own example, verbatim: a Model without
// spec.server and its two HPAs. It is one pair, linked by the Server HPA's describedObject,
// with nothing above the advice that the docs' first HPAs keep the default scale-up.
func TestLintSeldonDocs(t *testing.T) {
	out, errOut, code := runLintCmd(t, "", "testdata/seldon-docs", "-o", "json")
	if code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var r struct {
		Objects, Pairs int
		Findings       []struct{ Rule, Severity, Message string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Objects != 3 || r.Pairs != 1 {
		t.Errorf("%d objects in %d pairs, want 3 in 1:\n%s", r.Objects, r.Pairs, out)
	}
	for _, f := range r.Findings {
		if f.Severity != "info" || f.Rule != "TS110" {
			t.Errorf("the docs' example gets %s %s: %s", f.Severity, f.Rule, f.Message)
		}
	}
	if len(r.Findings) != 2 {
		t.Errorf("want the default scale-up advice on both HPAs, got %+v", r.Findings)
	}
	if out, _, code := runLintCmd(t, "", "testdata/seldon-docs", "--fail-on", "warning"); code != 0 || !strings.Contains(out, "1 pair") {
		t.Errorf("text, exit %d:\n%s", code, out)
	}
}
