package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
)

// tickMsg asks Update to poll the source.
type tickMsg struct{}

// snapshotMsg carries the rows built from a snapshot.
type snapshotMsg struct{ rs *rowSet }

// historyMsg carries one pair's history for the detail view.
type historyMsg struct {
	key     string
	version uint64
	hist    model.PairHistory
}

// tickCmd schedules the next poll.
func (a *App) tickCmd() tea.Cmd {
	return tea.Tick(a.tick, func(time.Time) tea.Msg { return tickMsg{} })
}

// loadCmd takes a snapshot and formats its rows off the UI goroutine, reusing the
// rows of prev (never modified once built) for pairs that did not change. It captures
// only the source, the version and prev, never the model.
func loadCmd(src watch.Source, version uint64, prev *rowSet) tea.Cmd {
	return func() tea.Msg { return snapshotMsg{buildRows(src.Snapshot(), version, prev)} }
}

// historyCmd copies one pair's history off the UI goroutine.
func historyCmd(src watch.Source, key string, version uint64) tea.Cmd {
	return func() tea.Msg { return historyMsg{key: key, version: version, hist: src.History(key)} }
}

// poll checks the source's version (cheap) and starts a load only when it
// changed, no load is running and the display is not paused.
func (a *App) poll() tea.Cmd {
	if a.src == nil {
		return nil
	}
	v := a.src.Version()
	if v == a.requested && a.c.rows != nil {
		return nil
	}
	if a.c.paused {
		a.c.behind = true
		return nil
	}
	if a.loading {
		return nil
	}
	a.loading, a.requested = true, v
	a.stats.loads++
	return loadCmd(a.src, v, a.c.rows)
}

// takeRows shows a new snapshot's rows and refetches the histories the open views show.
func (a *App) takeRows(rs *rowSet) tea.Cmd {
	a.loading = false
	if rs == nil || (a.c.rows != nil && rs.version < a.c.rows.version) {
		return nil
	}
	a.c.rows = rs
	a.c.checkPairs(rs.snap)
	a.table.refresh()
	var cmds []tea.Cmd
	if a.mode == modeDetail || a.back == modeDetail {
		cmds = append(cmds, historyCmd(a.src, a.detail.st.key, rs.version))
	}
	if a.mode == modeCompare {
		keys := a.compareKeys()
		a.compare.setKeys(keys)
		cmds = append(cmds, compareCmd(a.src, keys, rs.version))
	}
	// A newer version may have arrived while this one was building.
	return tea.Batch(append(cmds, a.poll())...)
}
