package ui

import (
	"sort"
	"strings"
)

// refresh recomputes the visible rows from the namespace, alerts-only and
// filter settings, sorts them, and puts the cursor back on the selected pair.
func (a *App) refresh() {
	a.visible = a.visible[:0]
	if a.rows == nil {
		a.clampScroll()
		return
	}
	terms := strings.Fields(strings.ToLower(a.st.filter))
	for i := range a.rows.rows {
		r := &a.rows.rows[i]
		if a.st.namespace != "" && r.pair.Namespace != a.st.namespace {
			continue
		}
		if a.st.alertsOnly && !r.alert {
			continue
		}
		if !matches(r.search, terms) {
			continue
		}
		a.visible = append(a.visible, i)
	}
	rows := a.rows.rows
	var less func(x, y *row) bool
	switch a.st.sort {
	case sortName:
		less = func(x, y *row) bool { return x.key < y.key }
	case sortRPS:
		less = func(x, y *row) bool {
			if x.rps != y.rps {
				return x.rps > y.rps
			}
			return x.key < y.key
		}
	case sortSkew:
		less = func(x, y *row) bool {
			if x.skewAbs != y.skewAbs {
				return x.skewAbs > y.skewAbs
			}
			if x.skewAge != y.skewAge {
				return x.skewAge > y.skewAge
			}
			return x.key < y.key
		}
	default:
		less = func(x, y *row) bool {
			if x.health != y.health {
				return x.health > y.health
			}
			if x.worst != y.worst {
				return x.worst > y.worst
			}
			return x.key < y.key
		}
	}
	less = a.pinFirst(less)
	sort.Slice(a.visible, func(i, j int) bool { return less(&rows[a.visible[i]], &rows[a.visible[j]]) })
	a.st.cursor = 0
	for i, idx := range a.visible {
		if rows[idx].key == a.selKey {
			a.st.cursor = i
			break
		}
	}
	a.clampScroll()
	a.syncSelection()
}

// matches reports whether every term occurs in the haystack.
func matches(haystack string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(haystack, t) {
			return false
		}
	}
	return true
}
