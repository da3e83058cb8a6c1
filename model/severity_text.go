package model

import "fmt"

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
