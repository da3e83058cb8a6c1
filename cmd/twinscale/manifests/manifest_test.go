package manifests

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/twinscale/twinscale/model"
)

func TestParseDocumentsAndLines(t *testing.T) {
	data := "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# only a comment\n---   \n\napiVersion: v1\r\nkind: Secret\r\nmetadata: {name: b, namespace: x}\r\n--- # trailing\n"
	objs, errs := Parse("f.yaml", []byte(data))
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	if len(objs) != 2 {
		t.Fatalf("objects %d", len(objs))
	}
	if o := objs[0]; o.Kind != "ConfigMap" || o.Name != "a" || o.Pos.Line != 3 || o.Pos.File != "f.yaml" {
		t.Errorf("first %+v", o.Pos)
	}
	if o := objs[1]; o.Kind != "Secret" || o.Namespace != "x" || o.Pos.Line != 11 {
		t.Errorf("second %+v %s", o.Pos, o.Kind)
	}
	if pos := objs[0].Field("metadata.name"); pos.Line != 6 || pos.Column != 3 {
		t.Errorf("field position %+v", pos)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		msg        string
	}{
		{"bad indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   bad: 1\n", 5, "invalid YAML: mapping values are not allowed"},
		{"second document", "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\nx: [1, 2\n", 6, "invalid YAML: did not find expected ',' or ']'"},
		{"parser error", "apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  - b\n", 4, "invalid YAML: did not find expected key"},
		{"scalar document", "---\nhello\n", 2, "document is not an object (got a scalar)"},
		{"list document", "- a\n- b\n", 1, "document is not an object (got a list)"},
		{"no kind", "metadata: {name: x}\n", 1, "not a Kubernetes object"},
		{"tab", "apiVersion: v1\nkind: A\nmetadata:\n\tname: x\n", 4, "invalid YAML: found character that cannot start any token"},
		{"nan", "apiVersion: v1\nkind: A\nspec:\n  x: .nan\n", 4, ".nan is not a valid number"},
		{"complex key", "apiVersion: v1\nkind: A\n? [a, b]\n: c\n", 3, "mapping keys must be strings"},
		{"huge int", "apiVersion: v1\nkind: A\nspec: {x: 123456789012345678901234567890}\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := Parse("f.yaml", []byte(tt.data))
			if tt.msg == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors %v", errs)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			e := errs[len(errs)-1]
			if e.Pos.Line != tt.line || !strings.Contains(e.Msg, tt.msg) || e.Pos.File != "f.yaml" {
				t.Errorf("error %q at %v, want %q at line %d", e.Msg, e.Pos, tt.msg, tt.line)
			}
			if !strings.HasPrefix(e.Error(), "f.yaml:"+strconv.Itoa(tt.line)+": ") {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestParseListAnchorsAndBombs(t *testing.T) {
	data, err := os.ReadFile("testdata/good/list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, errs := Parse("list.yaml", data)
	if len(errs) != 0 || len(objs) != 4 {
		t.Fatalf("objects %d errors %v", len(objs), errs)
	}
	if objs[2].Kind != "HorizontalPodAutoscaler" || objs[2].Pos.Line != 20 || objs[3].Pos.Line != 42 {
		t.Errorf("item positions %v %v", objs[2].Pos, objs[3].Pos)
	}
	// The alias copies the first HPA's behavior into the second.
	b, _ := json.Marshal(objs[3].Fields["spec"].(map[string]any)["behavior"])
	if !strings.Contains(string(b), `"stabilizationWindowSeconds":30`) {
		t.Errorf("alias not resolved: %s", b)
	}

	merge := "base: &b {x: 1, y: 2}\napiVersion: v1\nkind: A\nspec:\n  <<: *b\n  y: 3\n"
	objs, errs = Parse("m.yaml", []byte(merge))
	if len(errs) != 0 || objs[0].Fields["spec"].(map[string]any)["x"] != int64(1) || objs[0].Fields["spec"].(map[string]any)["y"] != int64(3) {
		t.Errorf("merge key: %v %v", objs, errs)
	}

	// A billion laughs stops at the budget with an error, quickly.
	var bomb strings.Builder
	bomb.WriteString("apiVersion: v1\nkind: A\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		bomb.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [")
		for j := range 10 {
			if j > 0 {
				bomb.WriteString(", ")
			}
			bomb.WriteString("*a" + strconv.Itoa(i-1))
		}
		bomb.WriteString("]\n")
	}
	_, errs = Parse("bomb.yaml", []byte(bomb.String()))
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "too large") {
		t.Errorf("alias bomb: %v", errs)
	}
}

func TestFieldPositions(t *testing.T) {
	objs, _ := Parse("f.yaml", []byte("apiVersion: v1\nkind: A\nspec:\n  metrics:\n  - type: Object\n    object:\n      target: {type: Value}\n"))
	o := objs[0]
	cases := map[string]int{
		"":                                   1,
		"spec":                               3,
		"spec.metrics[0]":                    5,
		"spec.metrics[0].object.target.type": 7,
		"spec.metrics[0].object.missing":     6, // deepest existing parent
		"spec.metrics[3].type":               4,
		"spec.behavior.scaleUp":              3,
		"spec.metrics[x]":                    4,
	}
	for path, line := range cases {
		if got := o.Field(path).Line; got != line {
			t.Errorf("Field(%q) line %d, want %d", path, got, line)
		}
	}
}

func TestLoad(t *testing.T) {
	s, err := Load([]string{"testdata/good", "-"}, strings.NewReader("apiVersion: v1\nkind: A\nmetadata: {name: s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"testdata/good/irisa0.yaml", "testdata/good/list.yaml", "testdata/good/other.json", StdinName}
	if !slices.Equal(s.Files, want) || len(s.Errors) != 0 || s.Count != 10 {
		t.Errorf("files %v objects %d errors %v", s.Files, s.Count, s.Errors)
	}
	if _, err := Load([]string{"testdata/nope"}, nil); err == nil || !strings.Contains(err.Error(), "read manifest") {
		t.Errorf("missing path: %v", err)
	}
	// Hidden directories (.git) are skipped.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "x.yaml"), []byte("::: not yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok.yaml")
	if err := os.WriteFile(ok, []byte("apiVersion: v1\nkind: A\nmetadata: {name: s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := Load([]string{dir}, nil); err != nil || !slices.Equal(s.Files, []string{ok}) || len(s.Errors) != 0 {
		t.Errorf("hidden dir: %v %v", s, err)
	}
}

func TestInventory(t *testing.T) {
	data := `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: cpu}
spec:
  scaleTargetRef: {apiVersion: mlops.seldon.io/v1alpha1, kind: Server, name: s}
  maxReplicas: 3
---
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: old}
spec: {maxReplicas: 3}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: s}
spec: {serverConfig: mlserver}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: s, namespace: team}
spec: {serverConfig: mlserver}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: s, namespace: team}
spec: {serverConfig: mlserver}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Pipeline
metadata: {name: p}
`
	s := &Set{}
	s.Add("inv.yaml", []byte(data))
	inv, errs := s.Inventory("prod")
	if len(inv.HPAs) != 1 || len(inv.Servers) != 2 || len(inv.Models) != 0 {
		t.Fatalf("inventory %+v", inv)
	}
	h := inv.HPAs[0]
	if h.Namespace != "prod" || len(h.Metrics) != 1 || h.Metrics[0].Type != "Resource" || h.Metrics[0].Target != 80 || h.MinReplicas != 1 {
		t.Errorf("v1 HPA %+v", h)
	}
	if len(errs) != 2 || !strings.Contains(errs[0].Msg, "autoscaling/v2beta1 is not supported") || errs[0].Pos.Line != 8 ||
		!strings.Contains(errs[1].Msg, "duplicate Server team/s (first at inv.yaml:18)") || errs[1].Pos.Line != 23 {
		t.Errorf("errors %v", errs)
	}
	if pos, ok := s.Locate(model.ObjectRef{Kind: "Server", Namespace: "team", Name: "s"}, "spec.serverConfig"); !ok || pos.Line != 21 {
		t.Errorf("locate %v %v", pos, ok)
	}
	if _, ok := s.Locate(model.ObjectRef{Kind: "Model", Namespace: "team", Name: "s"}, ""); ok {
		t.Error("located a missing object")
	}
}

// readExpected reads "file:line severity rule" lines, skipping comments.
func readExpected(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestLintSeededProblems(t *testing.T) {
	s, err := Load([]string{"testdata/bad"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := Lint(s, "default")
	var got []string
	for _, f := range r.Results {
		got = append(got, strings.TrimPrefix(f.Pos.File, "testdata/")+":"+strconv.Itoa(f.Pos.Line)+" "+f.Severity.String()+" "+f.Rule)
	}
	if want := readExpected(t, "testdata/bad.expected"); !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(r.Errors) != 0 || r.ExitCode(model.SeverityWarning) != ExitFindings || r.ExitCode(model.SeverityCritical) != ExitFindings {
		t.Errorf("errors %v", r.Errors)
	}

	good, _ := Load([]string{"testdata/good"}, nil)
	if r := Lint(good, "default"); len(r.Results) != 0 || r.ExitCode(model.Info) != ExitClean || r.Pairs != 2 {
		t.Errorf("good: %+v", r)
	}
	info, _ := Load([]string{"testdata/infoonly"}, nil)
	if r := Lint(info, "default"); len(r.Results) != 2 || r.ExitCode(model.SeverityWarning) != ExitClean || r.ExitCode(model.Info) != ExitFindings {
		t.Errorf("info only: %+v", r)
	}
	bad, _ := Load([]string{"testdata/malformed"}, nil)
	if r := Lint(bad, "default"); len(r.Errors) != 4 || r.ExitCode(model.SeverityCritical) != ExitError {
		t.Errorf("malformed: %v", r.Errors)
	}
}

func TestWriters(t *testing.T) {
	s, _ := Load([]string{"testdata/bad/drift.yaml", "testdata/malformed"}, nil)
	r := Lint(s, "default")

	var text bytes.Buffer
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"testdata/bad/drift.yaml:63: critical TS109 Server HPA mlserver-b-server-hpa max 2 is below Model HPA irisb-model-hpa max 4",
		"    fix: Raise the Server HPA's maxReplicas to the Model HPA's.\n",
		"testdata/malformed/broken.yaml:13: error: invalid YAML: mapping values are not allowed in this context\n",
		"2 files, 6 objects, 2 pairs: 2 critical, 1 warning, 1 info; 4 errors\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Findings []struct {
			Rule     string   `json:"rule"`
			Severity string   `json:"severity"`
			Position Position `json:"position"`
			Field    string   `json:"field"`
		} `json:"findings"`
		Errors []Error `json:"errors"`
	}
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded.Findings) != 4 || decoded.Findings[3].Rule != "TS121" || decoded.Findings[0].Severity != "critical" ||
		decoded.Findings[0].Position.Line != 63 || decoded.Findings[0].Field != "spec.maxReplicas" || len(decoded.Errors) != 4 {
		t.Errorf("json %+v", decoded)
	}

	var sarif bytes.Buffer
	if err := WriteSARIF(&sarif, r, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Rules   []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Level string `json:"level"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || run.Tool.Driver.Name != "twinscale" || run.Tool.Driver.Version != "1.2.3" {
		t.Errorf("sarif header %+v", log)
	}
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].Notifications) != 4 {
		t.Errorf("sarif invocations %+v", run.Invocations)
	}
	for _, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", res.RuleIndex, res.RuleID)
		}
	}
	if res := run.Results[0]; res.RuleID != "TS109" || res.Level != "error" ||
		res.Locations[0].Physical.Artifact.URI != "testdata/bad/drift.yaml" || res.Locations[0].Physical.Region.StartLine != 63 {
		t.Errorf("sarif result %+v", res)
	}
	for _, ru := range run.Tool.Driver.Rules {
		if strings.HasPrefix(ru.ID, "TS2") {
			t.Errorf("live rule %s listed for offline lint", ru.ID)
		}
	}
}

func FuzzLoadManifests(f *testing.F) {
	for _, p := range []string{"testdata/good/irisa0.yaml", "testdata/good/list.yaml", "testdata/malformed/broken.yaml", "testdata/bad/shapes.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &Set{}
		s.Add("fuzz.yaml", data)
		r := Lint(s, "default")
		for _, e := range r.Errors {
			if e.Pos.File != "fuzz.yaml" || e.Pos.Line < 1 || e.Msg == "" {
				t.Fatalf("error without a position or message: %+v", e)
			}
		}
		for _, o := range s.kept {
			s.Locate(model.ObjectRef{Kind: o.kind, Namespace: cmp.Or(o.namespace, "default"), Name: o.name}, "spec.metrics[0].object.target")
		}
		var b bytes.Buffer
		if err := WriteSARIF(&b, r, "fuzz"); err != nil {
			t.Fatal(err)
		}
	})
}
