// Package manifests reads Kubernetes manifests (multi-document YAML or JSON, `kustomize
// build` output) for offline lint. It remembers the file and line of every object and can
// point at a field inside one, so findings read "hpa.yaml:14". Bad input becomes an Error
// with file:line and the parser's message, never a panic.
package manifests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits that keep hostile input (alias bombs, deep nesting) cheap.
const (
	maxNodes = 1 << 20
	maxDepth = 512
)

// Position is a place in an input file; Line and Column are 1-based, 0 when unknown.
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// String renders "file:line" (or just the file when the line is unknown).
func (p Position) String() string {
	if p.Line <= 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

// Error is a problem reading a manifest, at a position.
type Error struct {
	Pos Position `json:"position"`
	Msg string   `json:"message"`
}

// Error renders "file:line: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Object is one Kubernetes object read from a manifest.
type Object struct {
	Pos        Position
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// Fields is the object as JSON-compatible values (map[string]any, []any, string,
	// int64, float64, bool, nil), ready for unstructured.Unstructured.
	Fields map[string]any

	node       *yaml.Node // the object's mapping node
	lineOffset int        // line of the document's first line, minus one
}

// Group is the API group of the object's apiVersion ("" for the core group).
func (o *Object) Group() string {
	g, _, ok := strings.Cut(o.APIVersion, "/")
	if !ok {
		return ""
	}
	return g
}

// Field returns the position of a field path such as "spec.metrics[0].object.target", or
// of its deepest parent that exists, or of the object itself.
func (o *Object) Field(path string) Position {
	pos := o.Pos
	n := o.node
	for _, seg := range splitPath(path) {
		n = resolve(n)
		if n == nil {
			break
		}
		var next *yaml.Node
		var at *yaml.Node
		switch {
		case seg.index >= 0 && n.Kind == yaml.SequenceNode && seg.index < len(n.Content):
			next = n.Content[seg.index]
			at = next
		case seg.index < 0 && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg.name {
					at, next = n.Content[i], n.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			break
		}
		pos = Position{File: o.Pos.File, Line: at.Line + o.lineOffset, Column: at.Column}
		n = next
	}
	return pos
}

type segment struct {
	name  string
	index int // -1 for a name
}

// splitPath parses "a.b[2].c" into segments; malformed parts end the path.
func splitPath(path string) []segment {
	var out []segment
	for part := range strings.SplitSeq(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, segment{name: name, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil || i < 0 {
				return out
			}
			out = append(out, segment{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxDepth; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

// document is one YAML document of a file and the line it starts on.
type document struct {
	data  []byte
	start int // 1-based line of the document's first line in the file
}

// scanDocuments reads a stream one document at a time, split on "---" separator lines as
// kubectl does, and calls fn with each and the line it starts on. Documents of blank lines
// only are skipped. d.data is reused after fn returns: fn copies what it keeps.
func scanDocuments(r io.Reader, fn func(d document)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	start, line := 1, 0
	emit := func() {
		if len(bytes.TrimSpace(buf)) > 0 {
			fn(document{data: buf, start: start})
		}
		buf = buf[:0]
	}
	for {
		l, err := br.ReadSlice('\n')
		if len(l) > 0 || err == nil {
			line++
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: keep reading it.
			buf = append(buf, l...)
			for errors.Is(err, bufio.ErrBufferFull) {
				l, err = br.ReadSlice('\n')
				buf = append(buf, l...)
			}
		} else if isSeparator(bytes.TrimRight(l, "\n")) {
			emit()
			start = line + 1
		} else {
			buf = append(buf, l...)
		}
		if err == io.EOF {
			emit()
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// splitDocuments splits data into its documents, as scanDocuments reads them.
func splitDocuments(data []byte) []document {
	var docs []document
	_ = scanDocuments(bytes.NewReader(data), func(d document) {
		docs = append(docs, document{data: bytes.Clone(d.data), start: d.start})
	})
	return docs
}

func isSeparator(l []byte) bool {
	l = bytes.TrimRight(l, "\r")
	if !bytes.HasPrefix(l, []byte("---")) {
		return false
	}
	rest := l[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t'
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parserProblems are the messages of go.yaml.in/yaml/v3's parser (parserc.go), whose error
// lines are 0-based; its scanner's messages carry 1-based lines.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
	"found undefined tag handle":             true,
}

// Parse reads every object of one file. Documents that are not Kubernetes objects, and
// documents the YAML parser rejects, become Errors; the other documents are still read.
func Parse(file string, data []byte) ([]*Object, []*Error) {
	var objs []*Object
	var errs []*Error
	for _, d := range splitDocuments(data) {
		o, es := parseDocument(file, d)
		objs = append(objs, o...)
		errs = append(errs, es...)
	}
	return objs, errs
}

func parseDocument(file string, d document) (objs []*Object, errs []*Error) {
	offset := d.start - 1
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &Error{Pos: Position{File: file, Line: line}, Msg: fmt.Sprintf(format, args...)})
	}
	var root yaml.Node
	if err := safeUnmarshal(d.data, &root); err != nil {
		msg, line := err.Error(), d.start
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			msg = strings.TrimPrefix(msg, m[0])
			if parserProblems[msg] {
				n++ // the YAML parser (unlike its scanner) reports 0-based lines
			}
			line = n + offset
		}
		fail(line, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return nil, errs
	}
	n := resolve(&root)
	if n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil, nil // a document of comments only
	}
	c := converter{}
	v, err := c.value(n, 0)
	if err != nil {
		line := d.start
		if c.errLine > 0 {
			line = c.errLine + offset
		}
		fail(line, "%v", err)
		return nil, errs
	}
	fields, ok := v.(map[string]any)
	if !ok {
		fail(n.Line+offset, "document is not an object (got %s)", kindName(n))
		return nil, errs
	}
	return collect(file, fields, n, offset, 0)
}

// collect turns a document's top-level object into Objects, expanding List kinds.
func collect(file string, fields map[string]any, n *yaml.Node, offset, depth int) ([]*Object, []*Error) {
	pos := Position{File: file, Line: n.Line + offset, Column: n.Column}
	apiVersion, _ := fields["apiVersion"].(string)
	kind, _ := fields["kind"].(string)
	if kind == "" || apiVersion == "" {
		return nil, []*Error{{Pos: pos, Msg: "not a Kubernetes object: apiVersion and kind are required"}}
	}
	if items, ok := fields["items"].([]any); ok && strings.HasSuffix(kind, "List") && depth < 4 {
		var objs []*Object
		var errs []*Error
		itemsNode := valueNode(n, "items")
		for i, it := range items {
			m, ok := it.(map[string]any)
			var in *yaml.Node
			if itemsNode != nil && i < len(itemsNode.Content) {
				in = resolve(itemsNode.Content[i])
			}
			if in == nil {
				in = n
			}
			if !ok {
				errs = append(errs, &Error{Pos: Position{File: file, Line: in.Line + offset}, Msg: fmt.Sprintf("%s item %d is not an object", kind, i)})
				continue
			}
			o, e := collect(file, m, in, offset, depth+1)
			objs, errs = append(objs, o...), append(errs, e...)
		}
		return objs, errs
	}
	o := &Object{Pos: pos, APIVersion: apiVersion, Kind: kind, Fields: fields, node: n, lineOffset: offset}
	if md, ok := fields["metadata"].(map[string]any); ok {
		o.Name, _ = md["name"].(string)
		o.Namespace, _ = md["namespace"].(string)
	}
	return []*Object{o}, nil
}

func valueNode(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

// safeUnmarshal parses YAML into a node; a panic inside the parser becomes an error.
func safeUnmarshal(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: parser failure: %v", r)
		}
	}()
	return yaml.Unmarshal(data, n)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "something else"
}

// converter turns a YAML node tree into JSON-compatible values, with a budget so aliases
// cannot expand without bound.
type converter struct {
	nodes   int
	errLine int
}

func (c *converter) fail(n *yaml.Node, format string, args ...any) error {
	if c.errLine == 0 {
		c.errLine = n.Line
	}
	return fmt.Errorf(format, args...)
}

func (c *converter) value(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if c.nodes > maxNodes {
		return nil, c.fail(n, "document too large (more than %d values after expanding aliases)", maxNodes)
	}
	if depth > maxDepth {
		return nil, c.fail(n, "document nested deeper than %d levels", maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, c.fail(n, "unknown alias")
		}
		return c.value(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.value(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, c.fail(k, "mapping keys must be strings")
			}
			if k.Tag == "!!merge" {
				merges = append(merges, v)
				continue
			}
			val, err := c.value(v, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		for _, m := range merges {
			val, err := c.value(m, depth+1)
			if err != nil {
				return nil, err
			}
			var srcs []any
			switch x := val.(type) {
			case map[string]any:
				srcs = []any{x}
			case []any:
				srcs = x
			}
			for _, src := range srcs {
				if sm, ok := src.(map[string]any); ok {
					for k, v := range sm {
						if _, set := out[k]; !set {
							out[k] = v
						}
					}
				}
			}
		}
		return out, nil
	case yaml.ScalarNode:
		return c.scalar(n)
	}
	return nil, c.fail(n, "unsupported YAML node")
}

func (c *converter) scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, c.fail(n, "%q is not a boolean", n.Value)
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) {
			return f, nil
		}
		return nil, c.fail(n, "integer %s is out of range", n.Value)
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, c.fail(n, "%q is not a number", n.Value)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, c.fail(n, "%s is not a valid number in a Kubernetes object", n.Value)
		}
		return f, nil
	}
	return n.Value, nil
}
