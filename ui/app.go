// Package ui is twinscale's Bubble Tea v2 dashboard. App is the one root model and a router:
// it owns the data feed and the mode, and hands keys and the screen to one view per mode.
// Each view is a struct with its own state, update methods and a Render that changes
// nothing. Update assigns and Cmds do the work (building rows, copying histories) without
// touching the model. Frames are cached: when neither the data nor any view's state nor
// the size changed, View returns the previous frame untouched. docs/architecture.md says
// where each view lives and how to add one.
package ui

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch"
)

// DefaultTick is how often the dashboard checks the source for a new snapshot.
const DefaultTick = 250 * time.Millisecond

// DefaultFPS caps how often Bubble Tea flushes frames to the terminal. Its renderer
// wakes up this often even when nothing changed, and on a busy 2-core machine those
// wakeups alone cost about 1% of a core at Bubble Tea's default of 60; at 30 a key
// press still shows within 33 ms.
const DefaultFPS = 30

// Options configures the dashboard.
type Options struct {
	// Source is where snapshots and histories come from.
	Source watch.Source
	// Themes is the set the `t` key cycles through; nil means the built-ins.
	Themes *themes.Set
	// Theme is the starting theme; "" or "auto" picks dark or light from the
	// terminal background.
	Theme themes.Theme
	// Now is the clock (tests inject a fixed one); nil means the source's.
	Now func() time.Time
	// Location prints wall times; nil means time.Local.
	Location *time.Location
	// Tick is the polling period; 0 means DefaultTick.
	Tick time.Duration
	// Flash is a message shown in the footer until the first key press
	// (for example a user theme file that failed to load).
	Flash string
	// Pinned are pair keys ("namespace/model") to start marked and pinned to the top (--pairs).
	Pinned []string
	// Notices stay in the footer until esc dismisses them (for example every user theme
	// file that failed to load).
	Notices []string
	// Pairs are the --pairs entries as given; those that match no pair once the pairs are
	// synced become a notice.
	Pairs []string
}

// mode is what fills the screen: one view each.
type mode int

// Modes of the dashboard.
const (
	modeMain mode = iota
	modeDetail
	modeHelp
	modePicker
	modeCompare
	modeWhatif
)

// App is the root Bubble Tea model.
type App struct {
	c    common
	src  watch.Source
	auto bool
	tick time.Duration
	// ticker schedules the next poll; tests replace it to drive polls by hand.
	ticker func() tea.Cmd

	mode, back mode
	requested  uint64 // the version last asked for
	loading    bool

	table   tableView
	detail  detailView
	compare compareView
	help    helpView
	picker  pickerView
	whatif  whatifView

	frame frameCache
	stats stats
}

// stats counts expensive work, so tests can prove the caches hold.
type stats struct {
	loads int // snapshots taken from the source
}

// New builds the dashboard.
func New(o Options) *App {
	set := o.Themes
	if set == nil {
		set = themes.NewSet(nil, false)
	}
	var info watch.SourceInfo
	if o.Source != nil {
		info = o.Source.Info()
	}
	a := &App{src: o.Source, tick: o.Tick}
	a.c = common{set: set, keys: DefaultKeyMap(), now: o.Now, loc: o.Location, live: info.Live,
		flash: o.Flash, marks: newMarks(o.Pinned), foot: footCache{},
		notices: slices.Clone(o.Notices), wantPairs: slices.Clone(o.Pairs)}
	a.c.replay = replayControls{player: info.Player, keys: &a.c.keys}
	if a.c.now == nil {
		a.c.now = info.Now
	}
	if a.c.now == nil {
		a.c.now = time.Now
	}
	if a.c.loc == nil {
		a.c.loc = time.Local
	}
	if a.tick <= 0 {
		a.tick = DefaultTick
	}
	a.ticker = a.tickCmd
	switch o.Theme.Name {
	case "", themes.Auto:
		a.auto = true
		dark, _ := themes.Builtin(themes.Dark)
		a.c.theme = set.Index(dark)
	default:
		a.c.theme = set.Index(o.Theme)
	}
	a.table = tableView{c: &a.c, lines: &lineCache{}}
	a.detail = detailView{c: &a.c}
	a.compare = compareView{c: &a.c}
	a.help = helpView{c: &a.c}
	a.picker = pickerView{c: &a.c}
	a.whatif = whatifView{c: &a.c}
	return a
}

// Init asks for the terminal background (for auto themes), takes the first
// snapshot and starts the poll tick.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.ticker(), a.poll()}
	if a.auto {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update handles one message. It only assigns; the work happens in Cmds. Afterwards the
// shown view's body is brought up to date, so the next key knows its length.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.update(msg)
	switch a.mode {
	case modeDetail:
		a.detail.sync()
	case modeHelp:
		a.help.sync()
	}
	return a, cmd
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.w, a.c.h = max(0, msg.Width), max(0, msg.Height)
		a.table.clampScroll()
	case tea.BackgroundColorMsg:
		if a.auto {
			name := themes.Light
			if msg.IsDark() {
				name = themes.Dark
			}
			t, _ := themes.Builtin(name)
			a.c.theme = a.c.set.Index(t)
		}
	case tickMsg:
		return tea.Batch(a.ticker(), a.poll())
	case snapshotMsg:
		return a.takeRows(msg.rs)
	case compareMsg:
		a.compare.set(msg)
	case historyMsg:
		a.detail.setHistory(msg)
	case whatifMsg:
		a.whatif.set(msg)
	case tea.KeyPressMsg:
		return a.handleKey(msg)
	case tea.MouseWheelMsg:
		a.handleWheel(msg)
	case tea.MouseClickMsg:
		return a.handleClick(msg)
	}
	return nil
}

// handleKey routes a key press: the filter input, the replay, marks, the global keys, then
// the view of the mode.
func (a *App) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	a.c.flash = ""
	a.c.themeNote = false
	k := &a.c.keys
	if key.Matches(msg, k.ForceQuit) {
		return tea.Quit
	}
	if a.table.st.filtering {
		a.table.filterKey(msg)
		return nil
	}
	if a.c.replay.update(msg) {
		return a.poll()
	}
	if a.mode == modeMain && key.Matches(msg, k.Back) && !a.table.st.hasScope() && a.c.dismissNotices() {
		return nil
	}
	if cmd, ok := a.markKey(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		if a.mode == modeHelp {
			a.mode = a.back
		} else {
			a.back, a.mode = a.mode, modeHelp
		}
		return nil
	case key.Matches(msg, k.Theme):
		a.c.theme = (a.c.theme + 1) % a.c.set.Len()
		a.auto = false
		a.c.themeNote = true
		return nil
	case key.Matches(msg, k.Pause):
		a.c.paused = !a.c.paused
		if !a.c.paused {
			a.c.behind = false
			return a.poll()
		}
		return nil
	}
	switch a.mode {
	case modeHelp:
		if a.help.update(msg) {
			a.mode = a.back
		}
	case modePicker:
		switch a.picker.update(msg) {
		case pickerPick:
			a.pickNamespace(a.picker.st.cursor)
		case pickerCancel:
			a.mode = modeMain
		}
	case modeDetail:
		if key.Matches(msg, k.WhatIf) {
			return a.openWhatif()
		}
		if a.detail.update(msg) {
			a.mode = modeMain
		}
	case modeWhatif:
		switch a.whatif.update(msg) {
		case whatifBack:
			a.mode = modeDetail
		case whatifRerun:
			return a.runWhatif()
		}
	default: // the table keys work under the compare view too
		switch a.table.update(msg) {
		case tableOpen:
			return a.openDetail()
		case tablePick:
			a.mode = modePicker
			a.picker.open(a.table.st.namespace)
		}
	}
	return nil
}

// pickNamespace applies picker entry i (0 = all namespaces).
func (a *App) pickNamespace(i int) {
	a.table.st.namespace = a.picker.name(i)
	a.mode = modeMain
	a.table.refresh()
}

// openDetail switches to the selected pair's detail and fetches its history.
func (a *App) openDetail() tea.Cmd {
	r := a.table.selected()
	if r == nil {
		return nil
	}
	a.mode = modeDetail
	a.detail.open(r.key)
	return historyCmd(a.src, r.key, a.c.rows.version)
}

// openWhatif switches from the detail view to the what-if of its pair and starts the run.
func (a *App) openWhatif() tea.Cmd {
	a.mode = modeWhatif
	a.whatif.open(a.detail.st.key)
	return a.runWhatif()
}

// runWhatif replays the what-if pair's history with its current preset.
func (a *App) runWhatif() tea.Cmd {
	r := a.detail.row()
	if r == nil || a.src == nil {
		a.whatif.set(whatifMsg{key: a.whatif.st.key, err: "the pair is no longer in the snapshot"})
		return nil
	}
	return whatifCmd(a.src, *r.pair, a.whatif.st.preset, a.c.rows.version)
}
