package themes

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxThemeFile bounds a theme file; a palette is a few hundred bytes.
const maxThemeFile = 64 << 10

// UserDir is where user themes live: <user config dir>/twinscale/themes.
func UserDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("user config dir: %w", err)
	}
	return filepath.Join(dir, "twinscale", "themes"), nil
}

// NoColor reports whether the environment asks for no colour: NO_COLOR set
// to any non-empty value (https://no-color.org).
func NoColor(getenv func(string) string) bool {
	return getenv("NO_COLOR") != ""
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a user theme file's content. Errors name the file and the line
// ("themes/ocean.yaml:4: unknown token ..."). The theme's name defaults to the
// file name without extension.
func Parse(path string, data []byte) (t Theme, err error) {
	defer func() {
		// The YAML parser is third-party code fed user input: a bug in it must
		// surface as a bad-file error, not crash the dashboard.
		if r := recover(); r != nil {
			t, err = Theme{}, fmt.Errorf("%s: unreadable theme file: %v", path, r)
		}
	}()
	if len(data) > maxThemeFile {
		return Theme{}, fmt.Errorf("%s: theme file larger than %d bytes", path, maxThemeFile)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Theme{}, yamlError(path, err)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return Theme{}, fmt.Errorf("%s: empty theme file (want a mapping with base and colors)", path)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Theme{}, fmt.Errorf("%s:%d: a theme is a mapping with base and colors", path, root.Line)
	}
	base, _ := Builtin(Dark)
	var colors *yaml.Node
	bold := false
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return Theme{}, fmt.Errorf("%s:%d: %q given twice", path, k.Line, k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "name":
			if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
				return Theme{}, fmt.Errorf("%s:%d: name must be a non-empty string", path, v.Line)
			}
			name = strings.TrimSpace(v.Value)
		case "base":
			if v.Kind != yaml.ScalarNode {
				return Theme{}, fmt.Errorf("%s:%d: base must be one of %s", path, v.Line, builtinNames())
			}
			b, ok := Builtin(v.Value)
			if !ok {
				return Theme{}, fmt.Errorf("%s:%d: unknown base theme %q (want one of %s)", path, v.Line, v.Value, builtinNames())
			}
			base = b
		case "bold":
			if v.Kind != yaml.ScalarNode || (v.Value != "true" && v.Value != "false") {
				return Theme{}, fmt.Errorf("%s:%d: bold must be true or false", path, v.Line)
			}
			bold = v.Value == "true"
		case "colors", "colours":
			if v.Kind != yaml.MappingNode {
				return Theme{}, fmt.Errorf("%s:%d: colors must be a mapping of token: colour", path, v.Line)
			}
			colors = v
		default:
			return Theme{}, fmt.Errorf("%s:%d: unknown key %q (want name, base, bold or colors)", path, k.Line, k.Value)
		}
	}
	t = Theme{Name: name, Palette: base.Palette.Clone(), Bold: base.Bold || bold, Source: path}
	if colors != nil {
		for i := 0; i+1 < len(colors.Content); i += 2 {
			k, v := colors.Content[i], colors.Content[i+1]
			if !isToken(k.Value) {
				return Theme{}, fmt.Errorf("%s:%d: unknown colour token %q (want one of %s)", path, k.Line, k.Value, tokenNames())
			}
			if v.Kind != yaml.ScalarNode {
				return Theme{}, fmt.Errorf("%s:%d: %s: a colour is a string such as \"#58a6ff\", \"12\" or default", path, v.Line, k.Value)
			}
			if _, err := ParseColor(v.Value); err != nil {
				return Theme{}, fmt.Errorf("%s:%d: %s: %w", path, v.Line, k.Value, err)
			}
			t.Palette[Token(k.Value)] = v.Value
		}
	}
	return t, nil
}

// yamlError turns a yaml.v3 error into "file:line: message".
func yamlError(path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", path, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}

// LoadFile reads and parses one user theme file.
func LoadFile(path string) (Theme, error) {
	f, err := os.Open(path)
	if err != nil {
		return Theme{}, fmt.Errorf("theme file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxThemeFile+1))
	if err != nil {
		return Theme{}, fmt.Errorf("theme file %s: %w", path, err)
	}
	return Parse(path, data)
}

// LoadDir loads every *.yaml and *.yml theme in dir, sorted by name. A missing
// dir is no error; each bad file adds one error and is skipped.
func LoadDir(dir string) ([]Theme, []error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, []error{fmt.Errorf("themes dir: %w", err)}
	}
	var out []Theme
	var errs []error
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		t, err := LoadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errs
}

// Find returns the theme called name: a built-in, else a user theme in dir
// (loaded from dir/NAME.yaml or .yml, so its errors are reported).
func Find(name, dir string) (Theme, error) {
	if t, ok := Builtin(name); ok {
		return t, nil
	}
	if dir != "" {
		for _, ext := range []string{".yaml", ".yml"} {
			p := filepath.Join(dir, name+ext)
			if _, err := os.Stat(p); err == nil {
				return LoadFile(p)
			}
		}
	}
	return Theme{}, fmt.Errorf("unknown theme %q: want auto, %s, or a file %s", name, builtinNames(),
		filepath.Join(dir, name+".yaml"))
}

// builtinNames lists the built-in theme names for messages.
func builtinNames() string {
	var names []string
	for _, t := range Builtins() {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}
