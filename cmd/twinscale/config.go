package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/twinscale/twinscale/watch/prom"
)

// fileConfig is the --config file: the Prometheus of each kubeconfig context. Contexts
// it does not list use the Prometheus flags.
type fileConfig struct {
	path     string
	contexts map[string]contextPrometheus
}

// contextPrometheus is one context's prometheus: block, with where it was written.
type contextPrometheus struct {
	line int
	opts prom.Options // only the fields the file sets
	set  map[string]bool
}

// configFields are the keys of a context's prometheus: block.
var configFields = []string{"url", "service", "http_config", "query", "rate_window", "cluster_label", "cluster"}

// defaultConfigFile is <user config dir>/twinscale/config.yaml.
func defaultConfigFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "twinscale", "config.yaml")
}

// configError is a problem at a line of the config file; it prints as file:line: msg.
type configError struct {
	path string
	line int
	msg  string
}

func (e *configError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("config %s:%d: %s", e.path, e.line, e.msg)
	}
	return fmt.Sprintf("config %s: %s", e.path, e.msg)
}

// yamlLine finds the line number in a YAML decoder's message ("yaml: line 3: ...").
var yamlLine = regexp.MustCompile(`^yaml: (?:unmarshal errors:\s*)?line (\d+): `)

// loadConfig reads the config file. A missing file is an empty config unless the user
// named it (explicit).
func loadConfig(path string, explicit bool) (*fileConfig, error) {
	c := &fileConfig{path: path, contexts: map[string]contextPrometheus{}}
	if path == "" {
		return c, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return c, nil
	}
	if err != nil {
		return nil, &configError{path: path, msg: strings.TrimPrefix(err.Error(), "open "+path+": ")}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		msg := oneLine(scrubYAML(err))
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
			msg = msg[len(m[0]):]
		}
		return nil, &configError{path: path, line: line, msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return c, nil // an empty file
	}
	root := doc.Content[0]
	fail := func(n *yaml.Node, format string, args ...any) error {
		return &configError{path: path, line: n.Line, msg: fmt.Sprintf(format, args...)}
	}
	if root.Kind != yaml.MappingNode {
		return nil, fail(root, "want a mapping with contexts:")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if key.Value != "contexts" {
			return nil, fail(key, "unknown key %q (want contexts)", key.Value)
		}
		if val.Kind != yaml.MappingNode {
			return nil, fail(val, "contexts: want a mapping of kubeconfig context names")
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			name, body := val.Content[j], val.Content[j+1]
			if _, dup := c.contexts[name.Value]; dup {
				return nil, fail(name, "context %q is listed twice", name.Value)
			}
			cp, err := c.parseContext(name, body)
			if err != nil {
				return nil, err
			}
			c.contexts[name.Value] = cp
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.contexts)) {
		cp := c.contexts[name]
		o, _ := c.promFor(name, prom.DefaultOptions())
		if err := o.Validate(); err != nil {
			return nil, &configError{path: path, line: cp.line, msg: fmt.Sprintf("context %s: %s", name, oneLine(err.Error()))}
		}
	}
	return c, nil
}

// parseContext reads NAME: {prometheus: {...}}.
func (c *fileConfig) parseContext(name, body *yaml.Node) (contextPrometheus, error) {
	fail := func(n *yaml.Node, format string, args ...any) error {
		return &configError{path: c.path, line: n.Line, msg: fmt.Sprintf("context %s: ", name.Value) + fmt.Sprintf(format, args...)}
	}
	cp := contextPrometheus{line: name.Line, set: map[string]bool{}}
	if body.Kind != yaml.MappingNode {
		return cp, fail(body, "want a mapping with prometheus:")
	}
	for i := 0; i+1 < len(body.Content); i += 2 {
		key, val := body.Content[i], body.Content[i+1]
		if key.Value != "prometheus" {
			return cp, fail(key, "unknown key %q (want prometheus)", key.Value)
		}
		if val.Kind != yaml.MappingNode {
			return cp, fail(val, "prometheus: want a mapping of %s", strings.Join(configFields, ", "))
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			k, v := val.Content[j], val.Content[j+1]
			if !slices.Contains(configFields, k.Value) {
				return cp, fail(k, "unknown field %q (want %s)", k.Value, strings.Join(configFields, ", "))
			}
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				return cp, fail(v, "%s: want a value", k.Value)
			}
			if cp.set[k.Value] {
				return cp, fail(k, "%s is set twice", k.Value)
			}
			cp.set[k.Value] = true
			switch k.Value {
			case "url":
				cp.opts.URL = v.Value
			case "service":
				cp.opts.Service = v.Value
			case "http_config":
				f := v.Value
				if !filepath.IsAbs(f) {
					f = filepath.Join(filepath.Dir(c.path), f)
				}
				cp.opts.ConfigFile = f
			case "query":
				cp.opts.Query = v.Value
			case "rate_window":
				d, err := time.ParseDuration(v.Value)
				if err != nil {
					return cp, fail(v, "rate_window %q: want a duration such as 2m", v.Value)
				}
				cp.opts.RateWindow = d
			case "cluster_label":
				cp.opts.ClusterLabel = v.Value
			case "cluster":
				cp.opts.Cluster = v.Value
			}
		}
	}
	switch {
	case cp.set["url"] == cp.set["service"]:
		return cp, fail(name, "prometheus: give exactly one of url and service")
	case cp.set["cluster"] && !cp.set["cluster_label"]:
		return cp, fail(name, "prometheus: cluster needs cluster_label")
	}
	return cp, nil
}

// promFor returns the Prometheus options of a kubeconfig context: the file's, over
// flags' timings, or flags unchanged when the file does not list the context.
func (c *fileConfig) promFor(ctxName string, flags prom.Options) (prom.Options, bool) {
	cp, ok := c.contexts[ctxName]
	if !ok {
		return flags, false
	}
	o := flags
	o.URL, o.Service, o.ConfigFile = cp.opts.URL, cp.opts.Service, cp.opts.ConfigFile
	if cp.set["query"] {
		o.Query = cp.opts.Query
	}
	if cp.set["rate_window"] {
		o.RateWindow = cp.opts.RateWindow
	}
	o.ClusterLabel, o.Cluster, o.Clusters = cp.opts.ClusterLabel, "", nil
	if o.ClusterLabel != "" {
		o.Cluster = cp.opts.Cluster
		if o.Cluster == "" {
			o.Cluster = ctxName
		}
	}
	return o, true
}
