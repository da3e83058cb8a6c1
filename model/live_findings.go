package model

import (
	"fmt"
	"time"
)

// live produces the findings that need live state (TS2xx).
func (st *pairState) live(now time.Time, p *Pair) []Finding {
	var out []Finding
	model := ObjectRef{Kind: "Model", Namespace: p.Namespace, Name: p.ModelName}
	server := ObjectRef{Kind: "Server", Namespace: p.Namespace, Name: p.ServerName}

	if sf := p.ScheduleFailed; sf != nil {
		dur := FormatDuration(now.Sub(sf.Since))
		serving := fmt.Sprintf("the %d loaded replicas keep serving", sf.Serving)
		if sf.Serving == 0 {
			serving = "no replica is loaded yet"
		}
		if sf.Transient {
			clear := ""
			if !sf.ExpectedClear.IsZero() {
				clear = fmt.Sprintf("; expected to clear in ~%s", FormatDuration(sf.ExpectedClear.Sub(now)))
			}
			out = append(out, newFinding(RuleScheduleFailedTrans, Info, model, "status.conditions",
				fmt.Sprintf("ScheduleFailed for %s (%s): transient, %s%s; %s", dur, sf.Reason, sf.Why, clear, serving)))
		} else {
			out = append(out, newFinding(RuleScheduleFailedStruct, SeverityCritical, model, "status.conditions",
				fmt.Sprintf("ScheduleFailed for %s (%s): %s; %s", dur, sf.Reason, sf.Why, serving)))
		}
	}
	if p.Skew.Alert && !KEDAPauseOf(p.ModelHPA).Paused && !KEDAPauseOf(p.ServerHPA).Paused {
		md, sd := hpaDesired(p.ModelHPA), hpaDesired(p.ServerHPA)
		what := "the Model is ahead of its Server"
		if sd > md {
			what = "the Server runs more replicas than the Model uses (idle pods)"
		}
		ref := hpaRef(p.ServerHPA)
		if p.Skew.Stuck == "Model" {
			ref = hpaRef(p.ModelHPA)
		}
		out = append(out, newFinding(RuleSkew, SeverityWarning, ref, "status.desiredReplicas",
			fmt.Sprintf("twin HPAs disagree for %s (Model %d, Server %d): the %s HPA should go %s and has not for %s; %s",
				FormatDuration(now.Sub(p.Skew.DifferentSince)), md, sd, p.Skew.Stuck, p.Skew.StuckMove,
				FormatDuration(now.Sub(p.Skew.StuckSince)), what)))
	}
	for _, side := range []struct {
		h    *HPA
		f    *Forecast
		name string
	}{{p.ModelHPA, p.ModelForecast, "Model"}, {p.ServerHPA, p.ServerForecast, "Server"}} {
		if side.h == nil || side.f == nil || KEDAPauseOf(side.h).Paused {
			continue // a paused KEDA HPA is held on purpose: not at max, overdue or inactive
		}
		h, f := side.h, side.f
		if f.Diverged {
			out = append(out, newFinding(RuleMetricDivergence, SeverityWarning, hpaRef(h), "status.currentMetrics",
				fmt.Sprintf("%s HPA %s sees %s rps per replica (%s in total) while Prometheus has %s: %.0f%% apart for %d polls; check prometheus-adapter",
					side.name, h.Name, FormatNumber(f.Reported), FormatNumber(f.Reported*float64(f.Decision.StatusReplicas)),
					FormatNumber(f.Total), f.Divergence*100, DivergencePolls)))
		}
		d := f.Decision
		if h.MaxReplicas > 0 && f.Current >= h.MaxReplicas && d.Computed && d.Raw > h.MaxReplicas {
			out = append(out, newFinding(RuleAtMax, SeverityWarning, hpaRef(h), "spec.maxReplicas",
				fmt.Sprintf("%s HPA %s is at max %d and the metric asks for %d (%s rps / %s per replica)",
					side.name, h.Name, h.MaxReplicas, d.Raw, FormatNumber(d.Total), FormatNumber(d.Target))))
		}
		if f.Overdue {
			out = append(out, overdueFinding(side.name, h, f))
		}
		if c, ok := FindCondition(h.Conditions, "ScalingActive"); ok && c.Status == "False" {
			out = append(out, newFinding(RuleScalingInactive, SeverityWarning, hpaRef(h), "status.conditions",
				fmt.Sprintf("%s HPA %s cannot scale: ScalingActive False, %s: %s", side.name, h.Name, c.Reason, c.Message)))
		}
	}
	if sh := p.ServerHPA; sh != nil && p.Readiness.Samples >= minAdviceSample {
		up, _ := EffectiveBehavior(sh.Behavior)
		if up.SelectPolicy != SelectDisabled {
			var fastest *ScalingPolicy
			for i := range up.Policies {
				if fastest == nil || up.Policies[i].PeriodSeconds < fastest.PeriodSeconds {
					fastest = &up.Policies[i]
				}
			}
			if fastest != nil && time.Duration(fastest.PeriodSeconds)*time.Second < p.Readiness.Median {
				out = append(out, newFinding(RuleReadinessVsPolicy, Info, hpaRef(sh), "spec.behavior.scaleUp.policies",
					fmt.Sprintf("new Server replicas take ~%s to become ready (median of %d), but policy %s may ask for more every %s; use a period of at least %s",
						FormatDuration(p.Readiness.Median), p.Readiness.Samples, fastest, FormatDuration(time.Duration(fastest.PeriodSeconds)*time.Second),
						FormatDuration(p.Readiness.Median.Round(15*time.Second)+15*time.Second))))
			}
		}
	}
	if p.Metric.Stale {
		last := "never"
		if !p.Metric.SampledAt.IsZero() {
			last = FormatDuration(now.Sub(p.Metric.SampledAt)) + " ago"
		}
		out = append(out, newFinding(RuleMetricStale, SeverityWarning, model, "",
			fmt.Sprintf("no infer_rps from Prometheus for Model %s in the last two polls (last sample: %s); forecasts use the HPA's own metric",
				p.ModelName, last)))
	}
	allowance := max(MinNotReadyAllowance, 3*p.Readiness.Median)
	st.srvUnready = trackSince(st.srvUnready, now, p.ServerDesired.Known && p.ServerReady.Known && p.ServerReady.Value < p.ServerDesired.Value)
	if !st.srvUnready.IsZero() && now.Sub(st.srvUnready) > allowance {
		out = append(out, newFinding(RuleNotReady, SeverityWarning, server, "status",
			fmt.Sprintf("Server %s has had %d of %d replicas ready for %s", p.ServerName, p.ServerReady.Value, p.ServerDesired.Value,
				FormatDuration(now.Sub(st.srvUnready)))))
	}
	st.modelUnready = trackSince(st.modelUnready, now, p.ScheduleFailed == nil && p.ModelDesired.Known && p.ModelReady.Known &&
		p.ModelReady.Value < p.ModelDesired.Value)
	if !st.modelUnready.IsZero() && now.Sub(st.modelUnready) > allowance {
		out = append(out, newFinding(RuleNotReady, SeverityWarning, model, "status.availableReplicas",
			fmt.Sprintf("Model %s has had %d of %d replicas available for %s", p.ModelName, p.ModelReady.Value, p.ModelDesired.Value,
				FormatDuration(now.Sub(st.modelUnready)))))
	}
	return out
}

func trackSince(since, now time.Time, cond bool) time.Time {
	switch {
	case !cond:
		return time.Time{}
	case since.IsZero():
		return now
	}
	return since
}

// health is the worst of the findings, or converging while the pair is still moving.
func health(p *Pair) Health {
	worst := Info
	for _, f := range p.Findings {
		worst = max(worst, f.Severity)
	}
	switch worst {
	case SeverityCritical:
		return Critical
	case SeverityWarning:
		return Warning
	}
	moving := p.ScheduleFailed != nil || p.Skew.DesiredDiff != 0 ||
		(p.ModelDesired.Known && p.ModelReady.Known && p.ModelReady.Value != p.ModelDesired.Value) ||
		(p.ServerDesired.Known && p.ServerReady.Known && p.ServerReady.Value != p.ServerDesired.Value)
	for _, f := range []*Forecast{p.ModelForecast, p.ServerForecast} {
		if f != nil && f.Decision.Rescale {
			moving = true
		}
	}
	if moving {
		return Converging
	}
	return Healthy
}
