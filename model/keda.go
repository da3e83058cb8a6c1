package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// KEDAPause is what KEDA's pause annotations say about an HPA it made. They are set on the
// ScaledObject, which KEDA copies to its HPA: autoscaling.keda.sh/paused-replicas: "N" pins
// the target to N (KEDA sets the HPA's min and max to N) and wins over
// autoscaling.keda.sh/paused: "true", which freezes the replicas as they are; "false"
// unpauses (KEDA docs, "Pause Auto-Scaling with deployments").
type KEDAPause struct {
	Paused bool
	// Replicas is the paused-replicas count; HasReplicas false for a plain pause.
	Replicas    int32
	HasReplicas bool
	// Annotation is the annotation as found, "autoscaling.keda.sh/paused-replicas: 2".
	Annotation string
}

// KEDAPauseOf reads an HPA's pause annotation; an unparsable paused-replicas still pauses
// (KEDA refuses to scale it), a paused value that is not true does not.
func KEDAPauseOf(h *HPA) KEDAPause {
	if h == nil || h.Paused == "" {
		return KEDAPause{}
	}
	name, value, _ := strings.Cut(h.Paused, "=")
	p := KEDAPause{Annotation: name + ": " + value}
	switch name {
	case KEDAPausedReplicas:
		p.Paused = true
		if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 32); err == nil && n >= 0 {
			p.Replicas, p.HasReplicas = int32(n), true
		}
	case KEDAPaused:
		p.Paused, _ = strconv.ParseBool(strings.TrimSpace(value))
	}
	return p
}

// Text says what the pause does: "paused by KEDA (autoscaling.keda.sh/paused-replicas: 2):
// held at 2 replicas, the metric does not move it"; empty when not paused.
func (k KEDAPause) Text() string {
	switch {
	case !k.Paused:
		return ""
	case k.HasReplicas:
		return fmt.Sprintf("paused by KEDA (%s): held at %d replicas, the metric does not move it", k.Annotation, k.Replicas)
	}
	return fmt.Sprintf("paused by KEDA (%s): the replicas stay as they are until the annotation is removed", k.Annotation)
}

// pausedForecast replaces the forecast of an HPA KEDA paused: no metric-based move, held at
// the paused count (or where it is), never overdue.
func pausedForecast(f *Forecast, k KEDAPause) *Forecast {
	if f == nil {
		return nil
	}
	out := *f
	hold := f.Current
	if k.HasReplicas {
		hold = k.Replicas
	}
	out.Desired, out.Limited, out.Text = hold, "", k.Text()
	out.Decision.Rescale, out.Decision.Desired = hold != f.Current, hold
	out.Overdue, out.OverdueFor, out.MoveSince = false, 0, time.Time{}
	return &out
}
