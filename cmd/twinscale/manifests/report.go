package manifests

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/twinscale/twinscale/model"
)

// Exit codes of twinscale lint.
const (
	ExitClean    = 0 // no finding at or above the --fail-on severity
	ExitFindings = 1 // findings at or above the --fail-on severity
	ExitError    = 2 // usage error, unreadable path or unparsable manifest
)

// Result is one finding located in a manifest.
type Result struct {
	model.Finding
	Pos Position `json:"position"`
}

// Report is the outcome of linting a set of manifests.
type Report struct {
	Files   []string `json:"files"`
	Objects int      `json:"objects"`
	Pairs   int      `json:"pairs"`
	Results []Result `json:"findings"`
	Errors  []*Error `json:"errors"`
}

// Lint pairs the set's Models, Servers and HPAs with model.Join and applies model.Lint to
// every pair. A finding about an object shared by several pairs is reported once.
func Lint(s *Set, defaultNamespace string) Report {
	inv, errs := s.Inventory(defaultNamespace)
	pairs := model.Join(inv)
	r := Report{Files: s.Files, Objects: s.Count, Pairs: len(pairs), Errors: append(slices.Clone(s.Errors), errs...)}
	seen := map[string]bool{}
	for _, p := range pairs {
		for _, f := range model.Lint(p) {
			key := strings.Join([]string{f.Rule, f.Subject.String(), f.Field, f.Message}, "\x00")
			if seen[key] {
				continue
			}
			seen[key] = true
			pos, ok := s.Locate(f.Subject, f.Field)
			if !ok {
				pos = pairPosition(s, p)
			}
			r.Results = append(r.Results, Result{Finding: f, Pos: pos})
		}
	}
	slices.SortStableFunc(r.Results, func(a, b Result) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	slices.SortStableFunc(r.Errors, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
	return r
}

// pairPosition is where a pair's first known object is, for findings about a missing one.
func pairPosition(s *Set, p model.Pair) Position {
	for _, ref := range []model.ObjectRef{
		{Kind: model.KindModel, Namespace: p.Namespace, Name: p.ModelName},
		{Kind: model.KindServer, Namespace: p.Namespace, Name: p.ServerName},
	} {
		if pos, ok := s.Locate(ref, ""); ok {
			return pos
		}
	}
	for _, h := range []*model.HPA{p.ModelHPA, p.ServerHPA} {
		if h != nil {
			if pos, ok := s.Locate(model.ObjectRef{Kind: "HorizontalPodAutoscaler", Namespace: h.Namespace, Name: h.Name}, ""); ok {
				return pos
			}
		}
	}
	return Position{}
}

// Count is how many findings are at or above a severity.
func (r Report) Count(atLeast model.Severity) int {
	n := 0
	for _, f := range r.Results {
		if f.Severity >= atLeast {
			n++
		}
	}
	return n
}

// ExitCode is the process exit code for a --fail-on severity: 2 when any manifest could not
// be read, else 1 when a finding is at or above failOn, else 0.
func (r Report) ExitCode(failOn model.Severity) int {
	switch {
	case len(r.Errors) > 0:
		return ExitError
	case r.Count(failOn) > 0:
		return ExitFindings
	}
	return ExitClean
}

// WriteText writes one line per finding ("file:line: severity ID message") with its fix
// hint indented below, then the errors and a summary.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "%s: error: %s\n", e.Pos, e.Msg)
	}
	for _, f := range r.Results {
		fmt.Fprintf(&b, "%s: %s %s %s\n", orStdin(f.Pos), f.Severity, f.Rule, f.Message)
		if f.Hint != "" {
			fmt.Fprintf(&b, "    fix: %s\n", f.Hint)
		}
	}
	counts := []string{}
	for _, sev := range []model.Severity{model.SeverityCritical, model.SeverityWarning, model.Info} {
		n := 0
		for _, f := range r.Results {
			if f.Severity == sev {
				n++
			}
		}
		if n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	summary := "no findings"
	if len(counts) > 0 {
		summary = strings.Join(counts, ", ")
	}
	if len(r.Errors) > 0 {
		summary += fmt.Sprintf("; %d %s", len(r.Errors), plural(len(r.Errors), "error", "errors"))
	}
	fmt.Fprintf(&b, "%d %s, %d %s, %d %s: %s\n", len(r.Files), plural(len(r.Files), "file", "files"),
		r.Objects, plural(r.Objects, "object", "objects"), r.Pairs, plural(r.Pairs, "pair", "pairs"), summary)
	_, err := io.WriteString(w, b.String())
	return err
}

func orStdin(p Position) string {
	if p.File == "" {
		return "-"
	}
	return p.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteJSON writes the report as one JSON document.
func WriteJSON(w io.Writer, r Report) error {
	if r.Results == nil {
		r.Results = []Result{}
	}
	if r.Errors == nil {
		r.Errors = []*Error{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// SARIF 2.1.0 documents, reduced to the parts twinscale fills.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		Name                 string       `json:"name"`
		ShortDescription     sarifText    `json:"shortDescription"`
		FullDescription      sarifText    `json:"fullDescription"`
		Help                 sarifText    `json:"help"`
		HelpURI              string       `json:"helpUri"`
		DefaultConfiguration sarifDefault `json:"defaultConfiguration"`
	}
	sarifDefault struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifInvocation struct {
		ExecutionSuccessful bool                `json:"executionSuccessful"`
		Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifLocation struct {
		Physical sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		Artifact sarifArtifact `json:"artifactLocation"`
		Region   *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
)

// RulesDocURL is where the rules are documented; SARIF viewers link each rule to it.
const RulesDocURL = "https://github.com/twinscale/twinscale/blob/main/docs/rules.md"

func sarifLevel(s model.Severity) string {
	switch s {
	case model.SeverityCritical:
		return "error"
	case model.SeverityWarning:
		return "warning"
	}
	return "note"
}

func sarifLocations(p Position) []sarifLocation {
	if p.File == "" {
		return nil
	}
	loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: p.File}}}
	if p.Line > 0 {
		loc.Physical.Region = &sarifRegion{StartLine: p.Line, StartColumn: p.Column}
	}
	return []sarifLocation{loc}
}

// WriteSARIF writes the report as a SARIF 2.1.0 log for code-scanning tools. Offline rules
// are listed in the driver; manifest errors become tool execution notifications.
func WriteSARIF(w io.Writer, r Report, version string) error {
	var rules []sarifRule
	index := map[string]int{}
	for _, ru := range model.AllRules {
		if ru.Live {
			continue
		}
		index[ru.ID] = len(rules)
		rules = append(rules, sarifRule{
			ID: ru.ID, Name: ru.Name,
			ShortDescription:     sarifText{Text: ru.Name},
			FullDescription:      sarifText{Text: ru.Summary},
			Help:                 sarifText{Text: ru.Hint},
			HelpURI:              RulesDocURL + "#" + strings.ToLower(ru.ID),
			DefaultConfiguration: sarifDefault{Level: sarifLevel(ru.Severity)},
		})
	}
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: "twinscale", Version: version, InformationURI: "https://github.com/twinscale/twinscale", Rules: rules}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(r.Errors) == 0}},
		Results:     []sarifResult{},
	}
	for _, e := range r.Errors {
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications,
			sarifNotification{Level: "error", Message: sarifText{Text: e.Msg}, Locations: sarifLocations(e.Pos)})
	}
	for _, f := range r.Results {
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:   sarifText{Text: f.Message + " Fix: " + f.Hint},
			Locations: sarifLocations(f.Pos),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
