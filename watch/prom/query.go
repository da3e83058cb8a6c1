package prom

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"
)

// DefaultQuery is the infer_rps of every Model, the rule prometheus-adapter serves to
// both HPAs, for all watched namespaces at once (and, behind Thanos or Mimir, for all
// clusters the endpoint serves: {{.By}} and {{.ClusterMatcher}} add the cluster label).
const DefaultQuery = `sum by ({{.By}}) (rate(seldon_model_infer_total{namespace=~"{{.Namespaces}}"{{.ClusterMatcher}}}[{{.Window}}]))`

// LatencyQuery is the average seconds per request of every Model.
const LatencyQuery = `sum by ({{.By}}) (rate(seldon_model_infer_seconds_total{namespace=~"{{.Namespaces}}"{{.ClusterMatcher}}}[{{.Window}}]))` +
	` / sum by ({{.By}}) (rate(seldon_model_infer_total{namespace=~"{{.Namespaces}}"{{.ClusterMatcher}}}[{{.Window}}]))`

// ErrorsQuery is the non-2xx requests per second of every Model; the "or 0 *" arm
// reports an explicit zero for Models whose requests all succeed.
const ErrorsQuery = `sum by ({{.By}}) (rate(seldon_model_infer_total{namespace=~"{{.Namespaces}}",code!~"2.."{{.ClusterMatcher}}}[{{.Window}}]))` +
	` or 0 * sum by ({{.By}}) (rate(seldon_model_infer_total{namespace=~"{{.Namespaces}}",code=~".+"{{.ClusterMatcher}}}[{{.Window}}]))`

// QueryData is what a query template sees.
type QueryData struct {
	// Namespaces is a regex matching the watched namespaces (".+" for all), escaped
	// for use inside a PromQL double-quoted string.
	Namespaces string
	// Window is the rate window as a PromQL duration, e.g. "2m".
	Window string
	// By is the grouping: "namespace, model", or "CLUSTER_LABEL, namespace, model"
	// when the endpoint serves several clusters (Thanos, Mimir).
	By string
	// ClusterLabel is the external label naming the cluster, or "".
	ClusterLabel string
	// Clusters is a regex of the cluster label values the endpoint is asked for.
	Clusters string
	// ClusterMatcher is `,CLUSTER_LABEL=~"CLUSTERS"` to append to a selector, or "".
	ClusterMatcher string
}

// queries are the three PromQL expressions of a poll, rendered once.
type queries struct {
	rps, latency, errors string
}

// NamespaceRegex returns the regex matching exactly the given namespaces, or ".+"
// (any non-empty namespace) when there are none.
func NamespaceRegex(namespaces []string) string {
	var parts []string
	for _, ns := range namespaces {
		if ns != "" {
			parts = append(parts, regexp.QuoteMeta(ns))
		}
	}
	if len(parts) == 0 {
		return ".+"
	}
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), "|")
}

// promString escapes s for a PromQL double-quoted string.
func promString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// PromDuration spells d the way PromQL range selectors expect ("2m", "90s", "1500ms").
func PromDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

// renderQuery executes one query template.
func renderQuery(name, text string, data QueryData) (string, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return "", err
	}
	out := strings.TrimSpace(buf.String())
	if out == "" {
		return "", fmt.Errorf("template %s renders an empty query", name)
	}
	return out, nil
}

// render builds the poll's queries for the watched namespaces.
func (o Options) render(namespaces []string) (queries, error) {
	data := QueryData{Namespaces: promString(NamespaceRegex(namespaces)), Window: PromDuration(o.RateWindow), By: "namespace, model"}
	if o.ClusterLabel != "" {
		data.ClusterLabel = o.ClusterLabel
		data.Clusters = promString(NamespaceRegex(o.clusterValues()))
		data.By = o.ClusterLabel + ", namespace, model"
		data.ClusterMatcher = "," + o.ClusterLabel + `=~"` + data.Clusters + `"`
	}
	rpsText := o.Query
	if rpsText == "" {
		rpsText = DefaultQuery
	}
	var q queries
	var err error
	if q.rps, err = renderQuery("query", rpsText, data); err != nil {
		return q, fmt.Errorf("--query: %w", err)
	}
	if q.latency, err = renderQuery("latency", LatencyQuery, data); err != nil {
		return q, err
	}
	if q.errors, err = renderQuery("errors", ErrorsQuery, data); err != nil {
		return q, err
	}
	return q, nil
}

// RPSQuery is the infer_rps query a poller of these options sends for the namespaces.
func (o Options) RPSQuery(namespaces []string) (string, error) {
	q, err := o.render(namespaces)
	return q.rps, err
}
