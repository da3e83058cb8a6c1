package model

import (
	"slices"
	"strings"
)

// MissingPairs are the entries of --pairs (NAMESPACE/MODEL, or CONTEXT/NAMESPACE/MODEL) that name
// no pair of s. An entry without a context names the pair in any cluster. Call it on a synced
// snapshot: before that, every pair may still be missing.
func MissingPairs(s *Snapshot, wanted []string) []string {
	if len(wanted) == 0 || s == nil {
		return nil
	}
	have := make(map[string]bool, 2*len(s.Pairs))
	for _, p := range s.Pairs {
		have[p.Key] = true
		if c, own := SplitClusterKey(p.Key); c != "" {
			have[own] = true
		}
	}
	var out []string
	for _, w := range wanted {
		if w = strings.TrimSpace(w); w != "" && !have[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
