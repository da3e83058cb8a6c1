package model

import (
	"encoding/json"
	"fmt"
)

// ParseSeverity reads a severity as String spells it ("info", "warning", "critical").
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "info":
		return Info, nil
	case "warning":
		return SeverityWarning, nil
	case "critical":
		return SeverityCritical, nil
	}
	return Info, fmt.Errorf("unknown severity %q: want info, warning or critical", s)
}

// UnmarshalText reads the severity back from JSON and YAML, so a saved snapshot loads.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalJSON spells the health in JSON and YAML output as severities are ("warning", not 2); a value
// outside the known levels stays a number so it reads back as it was.
func (h Health) MarshalJSON() ([]byte, error) {
	if h < Healthy || h > Critical {
		return json.Marshal(int(h))
	}
	return json.Marshal(h.String())
}

// UnmarshalJSON reads the health as MarshalText spells it, and the numbers older snapshots hold.
func (h *Health) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*h = Health(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("health: want a string such as \"warning\": %w", err)
	}
	for v := Healthy; v <= Critical; v++ {
		if v.String() == s {
			*h = v
			return nil
		}
	}
	return fmt.Errorf("unknown health %q: want healthy, converging, warning or critical", s)
}
