package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
)

func TestBuiltinsDefineEveryToken(t *testing.T) {
	for _, th := range Builtins() {
		for _, tok := range Tokens {
			v, ok := th.Palette[tok]
			if !ok {
				t.Errorf("%s: token %s missing", th.Name, tok)
				continue
			}
			if _, err := ParseColor(v); err != nil {
				t.Errorf("%s: token %s: %v", th.Name, tok, err)
			}
		}
	}
}

func TestSymbolsAreDistinct(t *testing.T) {
	seen := map[string]model.Health{}
	for h := model.Healthy; h <= model.Critical; h++ {
		s := model.HealthSymbol(h)
		if prev, ok := seen[s]; ok {
			t.Fatalf("%v and %v share symbol %q", prev, h, s)
		}
		seen[s] = h
	}
	want := map[model.Health]string{model.Healthy: "✓", model.Converging: "~", model.Warning: "!", model.Critical: "✗"}
	for h, s := range want {
		if model.HealthSymbol(h) != s {
			t.Errorf("model.HealthSymbol(%v) = %q, want %q", h, model.HealthSymbol(h), s)
		}
	}
}

func TestStylesCarryColourAndSymbol(t *testing.T) {
	for _, th := range Builtins() {
		s := New(th, false)
		for h := model.Healthy; h <= model.Critical; h++ {
			got := s.HealthSymbol(h)
			if ansi.Strip(got) != model.HealthSymbol(h) {
				t.Errorf("%s: HealthSymbol(%v) = %q, want the symbol %q inside", th.Name, h, got, model.HealthSymbol(h))
			}
			if got == model.HealthSymbol(h) {
				t.Errorf("%s: HealthSymbol(%v) carries no style", th.Name, h)
			}
		}
	}
}

func TestNoColorHasNoColourCodes(t *testing.T) {
	for _, th := range Builtins() {
		s := New(th, true)
		out := s.Health(model.Critical).Render("x") + s.Selected.Render("row") + s.Title.Render("t") +
			s.Severity(model.SeverityWarning).Render("w") + s.Diff.Render("d")
		for _, sgr := range []string{"38;", "48;", "[3", "[9"} {
			if strings.Contains(out, sgr) {
				t.Errorf("%s: NO_COLOR output %q contains colour sequence %q", th.Name, out, sgr)
			}
		}
		if !strings.Contains(s.Selected.Render("row"), "\x1b[") {
			t.Errorf("%s: selection must stay visible without colour", th.Name)
		}
		if s.Chart != (ChartColors{}) {
			t.Errorf("%s: chart colours under NO_COLOR: %+v", th.Name, s.Chart)
		}
	}
}

func TestNoColorEnv(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if NoColor(get) {
		t.Fatal("NO_COLOR unset must keep colour")
	}
	env["NO_COLOR"] = "1"
	if !NoColor(get) {
		t.Fatal("NO_COLOR=1 must drop colour")
	}
	env["NO_COLOR"] = "yes please"
	if !NoColor(get) {
		t.Fatal("any non-empty NO_COLOR must drop colour")
	}
}

func TestParseGood(t *testing.T) {
	src := `# ocean: a user theme
name: Ocean
base: light
bold: true
colors:
  accent: "#268bd2"
  healthy: "#859900"
  critical: 9
  selection-bg: default
`
	th, err := Parse("ocean.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if th.Name != "Ocean" || !th.Bold || th.Source != "ocean.yaml" {
		t.Fatalf("got %+v", th)
	}
	light, _ := Builtin(Light)
	if th.Palette[Accent] != "#268bd2" || th.Palette[CriticalC] != "9" || th.Palette[Muted] != light.Palette[Muted] {
		t.Fatalf("palette not merged over base: %v", th.Palette)
	}
	if th.Palette[SelectionBg] != "default" {
		t.Fatalf("selection-bg = %q", th.Palette[SelectionBg])
	}
	// The name defaults to the file name.
	th, err = Parse("/x/y/mine.yml", []byte("colors:\n  accent: '#fff'\n"))
	if err != nil || th.Name != "mine" {
		t.Fatalf("got %+v, %v", th, err)
	}
}

func TestParseBadNamesFileAndLine(t *testing.T) {
	cases := map[string]struct {
		src  string
		want string
	}{
		"unknown token":   {"base: dark\ncolors:\n  accent: '#fff'\n  helthy: '#0f0'\n", "bad.yaml:4: unknown colour token \"helthy\""},
		"bad hex":         {"colors:\n  accent: '#ggg'\n", "bad.yaml:2: accent: colour \"#ggg\": not hexadecimal"},
		"bad length":      {"colors:\n  warning: '#12345'\n", "bad.yaml:2: warning: colour \"#12345\""},
		"index range":     {"colors:\n\n  critical: 300\n", "bad.yaml:3: critical: colour \"300\""},
		"colour list":     {"colors:\n  text: [1, 2]\n", "bad.yaml:2: text: a colour is a string"},
		"unknown base":    {"base: solarized\n", "bad.yaml:1: unknown base theme \"solarized\""},
		"unknown key":     {"base: dark\ncolour-map: {}\n", "bad.yaml:2: unknown key \"colour-map\""},
		"syntax":          {"colors:\n  accent: '#fff\n", "bad.yaml:"},
		"tab indentation": {"colors:\n\taccent: '#fff'\n", "bad.yaml:2:"},
		"not a mapping":   {"- dark\n- light\n", "bad.yaml:1: a theme is a mapping"},
		"empty":           {"", "bad.yaml: empty theme file"},
		"bold word":       {"bold: maybe\n", "bad.yaml:1: bold must be true or false"},
		"twice":           {"base: dark\nbase: light\n", "bad.yaml:2: \"base\" given twice"},
		"colors scalar":   {"colors: red\n", "bad.yaml:1: colors must be a mapping"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error for %q", tc.src)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadDirAndFind(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("zeta.yaml", "base: colorblind\n")
	write("alpha.yml", "colors:\n  accent: '#abc'\n")
	write("broken.yaml", "colors:\n  nope: '#abc'\n")
	write("notes.txt", "not a theme")

	got, errs := LoadDir(dir)
	if len(got) != 2 || got[0].Name != "alpha" || got[1].Name != "zeta" {
		t.Fatalf("themes = %+v", got)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "broken.yaml:2") {
		t.Fatalf("errs = %v", errs)
	}
	if th, err := Find("zeta", dir); err != nil || th.Palette[HealthyC] != colorBlindTheme().Palette[HealthyC] {
		t.Fatalf("Find(zeta) = %+v, %v", th, err)
	}
	if _, err := Find("broken", dir); err == nil || !strings.Contains(err.Error(), "broken.yaml:2") {
		t.Fatalf("Find(broken) error = %v", err)
	}
	if _, err := Find("nothere", dir); err == nil || !strings.Contains(err.Error(), "unknown theme") {
		t.Fatalf("Find(nothere) error = %v", err)
	}
	if th, err := Find(HighContrast, ""); err != nil || !th.Bold {
		t.Fatalf("Find(high-contrast) = %+v, %v", th, err)
	}
	if got, errs := LoadDir(filepath.Join(dir, "missing")); got != nil || errs != nil {
		t.Fatalf("missing dir: %v %v", got, errs)
	}
}

func TestSetBuildsStylesOnce(t *testing.T) {
	s := NewSet(nil, false)
	if s.Len() != 4 {
		t.Fatalf("Len = %d", s.Len())
	}
	a, b := s.Styles(1), s.Styles(1)
	if a != b {
		t.Fatal("styles rebuilt for the same theme")
	}
	if s.Name(1) != Light || s.Styles(99) != s.Styles(0) {
		t.Fatal("bad index handling")
	}
	i := s.Index(Theme{Name: "mine", Palette: darkTheme().Palette})
	if i != 4 || s.Len() != 5 || s.Index(Theme{Name: "mine"}) != 4 {
		t.Fatalf("Index = %d, Len = %d", i, s.Len())
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("base: dark\ncolors:\n  accent: '#58a6ff'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, tok := range Tokens {
			if _, err := ParseColor(th.Palette[tok]); err != nil {
				t.Fatalf("accepted theme has bad %s: %v", tok, err)
			}
		}
		s := New(th, false)
		_ = s.HealthSymbol(model.Critical)
	})
}

func TestSpansMatchStyles(t *testing.T) {
	for _, th := range Builtins() {
		for _, noColor := range []bool{false, true} {
			s := New(th, noColor)
			for h := model.Healthy; h <= model.Critical; h++ {
				if got, want := s.Spans.Health[h].Render("a b "), s.Health(h).Render("a b "); got != want {
					t.Errorf("%s: span %q != style %q", th.Name, got, want)
				}
			}
			if got, want := s.Spans.Selected.Render("row"), s.Selected.Render("row"); got != want {
				t.Errorf("%s: selected span %q != %q", th.Name, got, want)
			}
		}
	}
	if (Span{}).Render("x") != "x" {
		t.Fatal("the empty span leaves text alone")
	}
}
