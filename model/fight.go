package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// FightWindow is how close together alternating writes of one spec.replicas must be to
// count as a fight.
const FightWindow = 10 * time.Minute

// Fight is two writers setting the same spec.replicas back and forth.
type Fight struct {
	Kind, Name string
	Writers    [2]string
	// Sizes are the replicas in order, the first write's Before first ("3→2→3→2").
	Sizes []string
	Span  time.Duration
	Kinds [2]WriterKind
}

// DetectFights finds, per object, replica changes (newest first, as Pair.Changes holds
// them) within FightWindow of now in which two writers alternated at least twice.
func DetectFights(now time.Time, changes []Change) []Fight {
	byObj := map[string][]Change{}
	var order []string
	for i := len(changes) - 1; i >= 0; i-- { // oldest first
		c := changes[i]
		if c.Field != FieldReplicas || c.Writer == "" || now.Sub(c.At) > FightWindow {
			continue
		}
		k := c.Kind + "/" + c.Name
		if _, ok := byObj[k]; !ok {
			order = append(order, k)
		}
		byObj[k] = append(byObj[k], c)
	}
	var out []Fight
	for _, k := range order {
		cs := byObj[k]
		// The longest tail of alternating writes between exactly two writers.
		start := len(cs) - 1
		writers := []string{cs[start].Writer}
		for start > 0 {
			w := cs[start-1].Writer
			if w == cs[start].Writer {
				break
			}
			if !slices.Contains(writers, w) {
				if len(writers) == 2 {
					break
				}
				writers = append(writers, w)
			}
			start--
		}
		run := cs[start:]
		if len(writers) < 2 || len(run) < 3 {
			continue
		}
		f := Fight{Kind: run[0].Kind, Name: run[0].Name, Span: run[len(run)-1].At.Sub(run[0].At)}
		f.Writers = [2]string{run[0].Writer, run[1].Writer}
		f.Kinds = [2]WriterKind{run[0].WriterKind, run[1].WriterKind}
		f.Sizes = append(f.Sizes, unsetIfEmpty(run[0].Before))
		for _, c := range run {
			f.Sizes = append(f.Sizes, unsetIfEmpty(c.After))
		}
		out = append(out, f)
	}
	return out
}

// Text is the finding's message: "Server HPA mlserver-hpa and Seldon's scheduler fought
// over Server mlserver: 3→2→3→2 in 4 m".
func (f Fight) Text() string {
	sizes := strings.Join(f.Sizes, "→")
	if n := len(f.Sizes); n > 6 {
		sizes = "…→" + strings.Join(f.Sizes[n-5:], "→") + fmt.Sprintf(" (%d writes)", n-1)
	}
	return fmt.Sprintf("%s and %s fought over %s %s: %s in %s",
		f.Writers[0], f.Writers[1], f.Kind, f.Name, sizes, FormatDuration(f.Span))
}

// fightHint is the fix for one fight, by who fought.
func fightHint(f Fight, p *Pair) string {
	has := func(k WriterKind) bool { return f.Kinds[0] == k || f.Kinds[1] == k }
	switch {
	case has(WriterHPA) && has(WriterSeldon):
		max := ""
		if h := p.ServerHPA; h != nil {
			max = fmt.Sprintf(" (now %d)", h.MaxReplicas)
		}
		return "raise the Server HPA's maxReplicas" + max + " to what the Model needs, or set the Server's maxReplicas to the HPA's so the scheduler stays inside it, or disable one of them (autoscaling.autoscalingServerEnabled: false, or delete the Server HPA)"
	case has(WriterHPA):
		return "stop the other writer from owning spec.replicas (Argo CD: ignoreDifferences on /spec/replicas; Flux/Helm: leave replicas out of the manifest; people: do not kubectl scale an HPA target)"
	}
	return RuleHint(RuleReplicaFight)
}

// RuleHint is a rule's fix hint.
func RuleHint(id string) string {
	r, _ := RuleByID(id)
	return r.Hint
}

// liveSeldonFindings are the findings of today's Seldon a snapshot annotation adds: the
// pair's State (TS209-TS211), replica fights (TS212) and an unbounded Server next to its HPA (TS213).
func liveSeldonFindings(now time.Time, p *Pair) []Finding {
	out := StateFindings(p)
	if p.Metric.Cause != "" {
		for i, f := range p.Findings {
			if f.Rule == RuleScalingInactive && !strings.Contains(f.Message, p.Metric.Cause) {
				p.Findings[i].Message = f.Message + "; " + p.Metric.Cause
				p.Findings[i].Hint = "fix the metrics API's provider first: its Service must exist with ready endpoints, and only one provider may own custom.metrics.k8s.io"
			}
		}
	}
	for _, f := range DetectFights(now, p.Changes) {
		subject := ObjectRef{Kind: f.Kind, Namespace: p.Namespace, Name: f.Name}
		fd := newFinding(RuleReplicaFight, SeverityWarning, subject, "spec.replicas", f.Text())
		fd.Hint = fightHint(f, p)
		out = append(out, fd)
	}
	if s, sh := p.Server, p.ServerHPA; s != nil && sh != nil && s.MaxReplicas == nil && !IsKEDA(sh) && seldon210(p) {
		out = append(out, newFinding(RuleServerUnbounded, Info, ObjectRef{Kind: KindServer, Namespace: p.Namespace, Name: s.Name}, "spec.maxReplicas",
			fmt.Sprintf("Server %s sets no maxReplicas: Seldon's scheduler may scale it past Server HPA %s's max %d, and the HPA scales it back",
				s.Name, sh.Name, sh.MaxReplicas)))
	}
	return out
}

// seldon210 reports evidence that the cluster runs Seldon 2.10 or later, whose scheduler
// resizes Servers: the Model reports modelgwReady, the Server has the renamed
// StatefulSetOrDeploymentReady condition, or Seldon owns the Server's spec.replicas.
func seldon210(p *Pair) bool {
	if p.Model != nil && p.Model.ModelgwReady != "" {
		return true
	}
	if s := p.Server; s != nil {
		if _, ok := FindCondition(s.Conditions, CondWorkloadReady); ok {
			return true
		}
		return seldonWrites(s.ReplicasWriter)
	}
	return false
}
