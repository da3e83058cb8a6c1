// Package ui is twinscale's Bubble Tea v2 dashboard. App is the one root
// model; the panes are plain functions that render strings. Update assigns
// and Cmds do the work (building rows, copying histories) without touching
// the model. Frames are cached: when neither the data nor the UI state nor
// the size changed, View returns the previous frame untouched.
package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
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
}

// mode is what fills the screen.
type mode int

// Modes of the dashboard.
const (
	modeMain mode = iota
	modeDetail
	modeHelp
	modePicker
)

// sortBy is the main table order.
type sortBy int

// Sort orders, cycled by the `s` key.
const (
	sortAlerts sortBy = iota
	sortName
	sortRPS
	sortSkew
	numSorts
)

// String names the sort order for the header.
func (s sortBy) String() string {
	switch s {
	case sortName:
		return "name"
	case sortRPS:
		return "rps"
	case sortSkew:
		return "skew"
	}
	return "alerts"
}

// uiState is every piece of UI state a frame depends on; it is comparable,
// so it is part of the frame cache key as a whole and cannot be forgotten.
type uiState struct {
	mode, back   mode
	cursor       int
	offset       int
	sort         sortBy
	filter       string
	filtering    bool
	alertsOnly   bool
	namespace    string
	events       bool
	paused       bool
	behind       bool
	theme        int
	detailKey    string
	detailScroll int
	helpScroll   int
	pickerCursor int
	flash        string
	roll         rollState
}

// stats counts expensive work, so tests can prove the caches hold.
type stats struct {
	frames     int // frames built (cache misses in View)
	rowRenders int // table lines rendered (row cache misses)
	loads      int // snapshots taken from the source
}

// App is the root Bubble Tea model.
type App struct {
	src  watch.Source
	set  *themes.Set
	auto bool
	keys KeyMap
	now  func() time.Time
	loc  *time.Location
	tick time.Duration
	// ticker schedules the next poll; tests replace it to drive polls by hand.
	ticker func() tea.Cmd
	// live is true for a source whose snapshots follow the cluster (see dataAge).
	live bool

	w, h int
	st   uiState

	rows      *rowSet
	visible   []int  // indexes into rows.rows after namespace, alerts and filter, sorted
	selKey    string // the selected pair, kept across snapshots and re-sorts
	requested uint64 // the version last asked for
	loading   bool

	hist    model.PairHistory
	histVer uint64 // bumped on every history assignment, part of the frame key

	helpN  int // help body length as last rendered, for scrolling
	foot   map[footKey]string
	frame  frameCache
	lines  lineCache
	detail detailCache
	stats  stats
	roll   roll
}

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

// New builds the dashboard.
func New(o Options) *App {
	set := o.Themes
	if set == nil {
		set = themes.NewSet(nil, false)
	}
	a := &App{
		src: o.Source, set: set, keys: DefaultKeyMap(),
		now: o.Now, loc: o.Location, tick: o.Tick,
	}
	var info watch.SourceInfo
	if o.Source != nil {
		info = o.Source.Info()
	}
	if a.now == nil {
		a.now = info.Now
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.loc == nil {
		a.loc = time.Local
	}
	if a.tick <= 0 {
		a.tick = DefaultTick
	}
	a.ticker = a.tickCmd
	a.live = info.Live
	switch o.Theme.Name {
	case "", themes.Auto:
		a.auto = true
		dark, _ := themes.Builtin(themes.Dark)
		a.st.theme = set.Index(dark)
	default:
		a.st.theme = set.Index(o.Theme)
	}
	a.st.flash = o.Flash
	a.initRoll(o, info.Player)
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
	if v == a.requested && a.rows != nil {
		return nil
	}
	if a.st.paused {
		a.st.behind = true
		return nil
	}
	if a.loading {
		return nil
	}
	a.loading, a.requested = true, v
	a.stats.loads++
	return loadCmd(a.src, v, a.rows)
}

// Update handles one message. It only assigns; the work happens in Cmds.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.w, a.h = max(0, msg.Width), max(0, msg.Height)
		a.clampScroll()
	case tea.BackgroundColorMsg:
		if a.auto {
			name := themes.Light
			if msg.IsDark() {
				name = themes.Dark
			}
			t, _ := themes.Builtin(name)
			a.st.theme = a.set.Index(t)
		}
	case tickMsg:
		return a, tea.Batch(a.ticker(), a.poll())
	case snapshotMsg:
		a.loading = false
		if msg.rs == nil || (a.rows != nil && msg.rs.version < a.rows.version) {
			return a, nil
		}
		a.rows = msg.rs
		a.refresh()
		var cmds []tea.Cmd
		if a.st.mode == modeDetail || a.st.back == modeDetail {
			cmds = append(cmds, historyCmd(a.src, a.st.detailKey, a.rows.version))
		}
		cmds = append(cmds, a.compareRefresh())
		// A newer version may have arrived while this one was building.
		cmds = append(cmds, a.poll())
		return a, tea.Batch(cmds...)
	case compareMsg:
		a.setCompare(msg)
	case historyMsg:
		if msg.key == a.st.detailKey {
			a.hist = msg.hist
			a.histVer++
		}
	case tea.KeyPressMsg:
		return a.handleKey(msg)
	case tea.MouseWheelMsg:
		a.handleWheel(msg)
	case tea.MouseClickMsg:
		return a.handleClick(msg)
	}
	return a, nil
}

// handleKey routes a key press by mode.
func (a *App) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	a.st.flash = ""
	if msg.String() == "ctrl+c" {
		return a, tea.Quit
	}
	if a.st.filtering {
		a.filterKey(msg)
		return a, nil
	}
	if cmd, ok := a.rollKey(msg); ok {
		return a, cmd
	}
	k := a.keys
	switch {
	case key.Matches(msg, k.Quit):
		return a, tea.Quit
	case key.Matches(msg, k.Help):
		if a.st.mode == modeHelp {
			a.st.mode = a.st.back
		} else {
			a.st.back, a.st.mode = a.st.mode, modeHelp
		}
		return a, nil
	case key.Matches(msg, k.Theme):
		a.st.theme = (a.st.theme + 1) % a.set.Len()
		a.auto = false
		return a, nil
	case key.Matches(msg, k.Pause):
		a.st.paused = !a.st.paused
		if !a.st.paused {
			a.st.behind = false
			return a, a.poll()
		}
		return a, nil
	}
	switch a.st.mode {
	case modeHelp:
		switch {
		case key.Matches(msg, k.Back):
			a.st.mode = a.st.back
		case key.Matches(msg, k.Up):
			a.st.helpScroll = max(0, a.st.helpScroll-1)
		case key.Matches(msg, k.Down):
			a.st.helpScroll = min(a.st.helpScroll+1, max(0, a.helpN-(a.h-1)))
		case key.Matches(msg, k.Top):
			a.st.helpScroll = 0
		}
	case modePicker:
		a.pickerKey(msg)
	case modeDetail:
		return a.detailKey(msg)
	default:
		return a.mainKey(msg)
	}
	return a, nil
}

// mainKey handles keys of the main table.
func (a *App) mainKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := a.keys
	switch {
	case key.Matches(msg, k.Up):
		a.move(-1)
	case key.Matches(msg, k.Down):
		a.move(1)
	case key.Matches(msg, k.Top):
		a.move(-len(a.visible))
	case key.Matches(msg, k.Bottom):
		a.move(len(a.visible))
	case key.Matches(msg, k.PageUp):
		a.move(-max(1, a.tableHeight()-1))
	case key.Matches(msg, k.PageDown):
		a.move(max(1, a.tableHeight()-1))
	case key.Matches(msg, k.Enter):
		return a, a.openDetail()
	case key.Matches(msg, k.Back):
		switch {
		case a.st.filter != "":
			a.st.filter = ""
		case a.st.alertsOnly:
			a.st.alertsOnly = false
		case a.st.namespace != "":
			a.st.namespace = ""
		}
		a.refresh()
	case key.Matches(msg, k.Filter):
		a.st.filtering = true
	case key.Matches(msg, k.Sort):
		a.st.sort = (a.st.sort + 1) % numSorts
		a.refresh()
	case key.Matches(msg, k.Alerts):
		a.st.alertsOnly = !a.st.alertsOnly
		a.refresh()
	case key.Matches(msg, k.Events):
		a.st.events = !a.st.events
		a.clampScroll()
	case key.Matches(msg, k.Namespace):
		a.st.mode = modePicker
		a.st.pickerCursor = 0
		for i, ns := range a.namespaces() {
			if ns.name == a.st.namespace {
				a.st.pickerCursor = i + 1
			}
		}
	}
	return a, nil
}

// filterKey edits the live filter.
func (a *App) filterKey(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "esc":
		a.st.filtering, a.st.filter = false, ""
	case "enter":
		a.st.filtering = false
	case "backspace", "ctrl+h":
		if r := []rune(a.st.filter); len(r) > 0 {
			a.st.filter = string(r[:len(r)-1])
		}
	case "ctrl+u":
		a.st.filter = ""
	case "up":
		a.move(-1)
		return
	case "down":
		a.move(1)
		return
	default:
		if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
			return
		}
		a.st.filter += msg.Text
	}
	a.refresh()
}

// pickerKey moves through the namespace picker.
func (a *App) pickerKey(msg tea.KeyPressMsg) {
	k := a.keys
	n := len(a.namespaces()) + 1 // "all namespaces" first
	switch {
	case key.Matches(msg, k.Up):
		a.st.pickerCursor = max(0, a.st.pickerCursor-1)
	case key.Matches(msg, k.Down):
		a.st.pickerCursor = min(n-1, a.st.pickerCursor+1)
	case key.Matches(msg, k.Top):
		a.st.pickerCursor = 0
	case key.Matches(msg, k.Bottom):
		a.st.pickerCursor = n - 1
	case key.Matches(msg, k.Enter):
		a.pickNamespace(a.st.pickerCursor)
	case key.Matches(msg, k.Back), key.Matches(msg, k.Namespace):
		a.st.mode = modeMain
	}
}

// pickNamespace applies picker entry i (0 = all namespaces).
func (a *App) pickNamespace(i int) {
	a.st.namespace = ""
	if ns := a.namespaces(); i > 0 && i <= len(ns) {
		a.st.namespace = ns[i-1].name
	}
	a.st.mode = modeMain
	a.refresh()
}

// detailKey scrolls the detail view.
func (a *App) detailKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := a.keys
	page := max(1, a.h-3)
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Enter):
		a.st.mode = modeMain
		a.st.detailScroll = 0
	case key.Matches(msg, k.Up):
		a.st.detailScroll--
	case key.Matches(msg, k.Down):
		a.st.detailScroll++
	case key.Matches(msg, k.PageUp):
		a.st.detailScroll -= page
	case key.Matches(msg, k.PageDown):
		a.st.detailScroll += page
	case key.Matches(msg, k.Top):
		a.st.detailScroll = 0
	case key.Matches(msg, k.Bottom):
		a.st.detailScroll = 1 << 30
	}
	a.clampDetail()
	return a, nil
}

// openDetail switches to the selected pair's detail and fetches its history.
func (a *App) openDetail() tea.Cmd {
	r := a.selected()
	if r == nil {
		return nil
	}
	a.st.mode, a.st.detailKey, a.st.detailScroll = modeDetail, r.key, 0
	a.hist = model.PairHistory{Key: r.key}
	a.histVer++
	return historyCmd(a.src, r.key, a.rows.version)
}

// handleWheel scrolls the table or the detail view.
func (a *App) handleWheel(msg tea.MouseWheelMsg) {
	step := 0
	switch msg.Button {
	case tea.MouseWheelUp:
		step = -3
	case tea.MouseWheelDown:
		step = 3
	default:
		return
	}
	switch a.st.mode {
	case modeMain:
		a.move(step)
	case modeDetail:
		a.st.detailScroll += step
		a.clampDetail()
	case modePicker:
		a.st.pickerCursor = max(0, min(len(a.namespaces()), a.st.pickerCursor+step/3))
	}
}

// handleClick selects the clicked row (or picker entry).
func (a *App) handleClick(msg tea.MouseClickMsg) (tea.Model, tea.Cmd) {
	if msg.Button != tea.MouseLeft {
		return a, nil
	}
	switch a.st.mode {
	case modeMain:
		i := msg.Y - tableTop + a.st.offset
		if msg.Y >= tableTop && msg.Y < tableTop+a.tableHeight() && i >= 0 && i < len(a.visible) {
			if i == a.st.cursor {
				// A click on the selected row opens it, like enter.
				return a, a.openDetail()
			}
			a.st.cursor = i
			a.syncSelection()
		}
	case modePicker:
		i := msg.Y - pickerTop
		if i >= 0 && i <= len(a.namespaces()) {
			a.pickNamespace(i)
		}
	}
	return a, nil
}

// move shifts the cursor by delta rows and keeps it on screen.
func (a *App) move(delta int) {
	a.st.cursor += delta
	a.clampScroll()
	a.syncSelection()
}

// syncSelection remembers the selected key so it survives re-sorting.
func (a *App) syncSelection() {
	if r := a.selected(); r != nil {
		a.selKey = r.key
	}
}

// selected returns the row under the cursor, or nil.
func (a *App) selected() *row {
	if a.rows == nil || a.st.cursor < 0 || a.st.cursor >= len(a.visible) {
		return nil
	}
	return &a.rows.rows[a.visible[a.st.cursor]]
}

// namespaces lists the namespaces of the current snapshot.
func (a *App) namespaces() []nsCount {
	if a.rows == nil {
		return nil
	}
	return a.rows.namespaces
}

// clampScroll keeps cursor and offset inside the visible rows and the table.
func (a *App) clampScroll() {
	n := len(a.visible)
	a.st.cursor = max(0, min(a.st.cursor, n-1))
	h := max(1, a.tableHeight())
	if a.st.cursor < a.st.offset {
		a.st.offset = a.st.cursor
	}
	if a.st.cursor >= a.st.offset+h {
		a.st.offset = a.st.cursor - h + 1
	}
	a.st.offset = max(0, min(a.st.offset, n-h))
}

// clampDetail keeps the detail scroll inside the body as last rendered
// (rendering is View's job, so Update never builds the body itself).
func (a *App) clampDetail() {
	if a.detail.ok {
		a.st.detailScroll = min(a.st.detailScroll, a.detail.n-a.detailHeight())
	}
	a.st.detailScroll = max(0, a.st.detailScroll)
}
