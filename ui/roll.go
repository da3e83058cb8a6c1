package ui

import (
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch"
)

// rollState is the rollout features' part of the UI state: counters that change whenever marks, pins
// or the replay position change, so the frame cache sees them.
type rollState struct {
	marks  int
	replay int
}

// modeCompare shows the marked pairs side by side.
const modeCompare mode = 100

// rollKeys are the keys of marking, pinning, comparing and replay.
type rollKeys struct {
	Mark, Pin, Compare                   key.Binding
	PlayPause, StepBack, StepFwd, Back1m key.Binding
	Fwd1m, Faster, Slower                key.Binding
}

func defaultRollKeys() rollKeys {
	return rollKeys{
		Mark:      key.NewBinding(key.WithKeys("space", "m"), key.WithHelp("space", "mark pair (m too)")),
		Pin:       key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "pin marked")),
		Compare:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare marked")),
		PlayPause: key.NewBinding(key.WithKeys("space", "p"), key.WithHelp("space", "play/pause (p too)")),
		StepBack:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "record back")),
		StepFwd:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "record on")),
		Back1m:    key.NewBinding(key.WithKeys("["), key.WithHelp("[", "1 min back")),
		Fwd1m:     key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "1 min on")),
		Faster:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "faster")),
		Slower:    key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "slower")),
	}
}

// replayKeys are shown in the footer and help while a recording plays.
func (k rollKeys) replayKeys() []key.Binding {
	return []key.Binding{k.PlayPause, k.StepBack, k.StepFwd, k.Back1m, k.Fwd1m, k.Faster, k.Slower}
}

// markBinding is the mark key as help shows it: during a replay space pauses, so only m marks.
func (a *App) markBinding() key.Binding {
	if a.roll.player != nil {
		return key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mark pair"))
	}
	return a.roll.keys.Mark
}

// markKeys are the keys of marking, pinning and comparing, for the help screen.
func (a *App) markKeys() []key.Binding {
	return []key.Binding{a.markBinding(), a.roll.keys.Pin, a.roll.keys.Compare}
}

// roll is the rollout features' state that is not comparable: marks and pins by pair key.
type roll struct {
	keys   rollKeys
	player watch.Player
	// marks are the marked pairs in the order they were marked; pinned sort first in the table.
	marks  []string
	pinned map[string]bool
	// compare holds the compared pairs' histories, by key, for the compare view.
	compare map[string]model.PairHistory
}

// initRoll sets up marks and pins from the options and the replay controls when the source plays.
func (a *App) initRoll(o Options, player watch.Player) {
	a.roll.keys = defaultRollKeys()
	a.roll.pinned = map[string]bool{}
	a.roll.player = player
	for _, k := range o.Pinned {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(a.roll.marks, k) {
			a.roll.marks = append(a.roll.marks, k)
			a.roll.pinned[k] = true
		}
	}
}

// rollKey handles the rollout features' keys before the dashboard's own; ok is false when the key is
// not one of them.
func (a *App) rollKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if a.replayKey(msg) {
		a.st.roll.replay++
		return a.poll(), true
	}
	if a.st.mode != modeMain && a.st.mode != modeCompare {
		return nil, false
	}
	k := a.roll.keys
	switch {
	case key.Matches(msg, a.markBinding()):
		if a.st.mode == modeMain {
			if r := a.selected(); r != nil {
				a.toggleMark(r.key)
			}
		}
		return nil, true
	case key.Matches(msg, k.Pin):
		a.togglePins()
		return nil, true
	case key.Matches(msg, k.Compare):
		if a.st.mode == modeCompare {
			a.st.mode = modeMain
			return nil, true
		}
		return a.openCompare(), true
	case a.st.mode == modeCompare && key.Matches(msg, a.keys.Back):
		a.st.mode = modeMain
		return nil, true
	}
	return nil, false
}

// replayKey drives the player; it reports whether the key was a replay key.
func (a *App) replayKey(msg tea.KeyPressMsg) bool {
	p, k := a.roll.player, a.roll.keys
	if p == nil {
		return false
	}
	switch {
	case key.Matches(msg, k.PlayPause):
		p.TogglePause()
	case key.Matches(msg, k.StepBack):
		p.Step(-1)
	case key.Matches(msg, k.StepFwd):
		p.Step(1)
	case key.Matches(msg, k.Back1m):
		p.SeekBy(-time.Minute)
	case key.Matches(msg, k.Fwd1m):
		p.SeekBy(time.Minute)
	case key.Matches(msg, k.Faster):
		p.Faster()
	case key.Matches(msg, k.Slower):
		p.Slower()
	default:
		return false
	}
	return true
}

// toggleMark marks or unmarks a pair; unmarking also unpins it.
func (a *App) toggleMark(k string) {
	if i := slices.Index(a.roll.marks, k); i >= 0 {
		a.roll.marks = slices.Delete(a.roll.marks, i, i+1)
		delete(a.roll.pinned, k)
	} else {
		a.roll.marks = append(a.roll.marks, k)
	}
	a.st.roll.marks++
	a.refresh()
}

// togglePins pins the marked pairs to the top, or unpins them when they all are pinned already.
func (a *App) togglePins() {
	all := len(a.roll.marks) > 0
	for _, k := range a.roll.marks {
		all = all && a.roll.pinned[k]
	}
	for _, k := range a.roll.marks {
		if all {
			delete(a.roll.pinned, k)
		} else {
			a.roll.pinned[k] = true
		}
	}
	if len(a.roll.marks) == 0 {
		a.st.flash = "mark pairs with " + a.markKeyName() + " first, then P pins them to the top"
	}
	a.st.roll.marks++
	a.refresh()
}

func (a *App) markKeyName() string {
	if a.roll.player != nil {
		return "m"
	}
	return "space"
}

// pinFirst wraps a row order so that pinned pairs come first, in the order they were marked.
func (a *App) pinFirst(less func(x, y *row) bool) func(x, y *row) bool {
	if len(a.roll.pinned) == 0 {
		return less
	}
	return func(x, y *row) bool {
		px, py := a.roll.pinned[x.key], a.roll.pinned[y.key]
		switch {
		case px && py:
			return slices.Index(a.roll.marks, x.key) < slices.Index(a.roll.marks, y.key)
		case px != py:
			return px
		}
		return less(x, y)
	}
}

// markPrefix is the text twin of a row's mark: "▲ " pinned, "◆ " marked.
func (a *App) markPrefix(k string) string {
	switch {
	case a.roll.pinned[k]:
		return "▲ "
	case slices.Contains(a.roll.marks, k):
		return "◆ "
	}
	return ""
}

// replaySeg is the header segment of a replay, nil when live.
func (a *App) replaySeg() []seg {
	p := a.roll.player
	if p == nil {
		return nil
	}
	sym, tn := "▶ ", toneAccent
	if p.Paused() {
		sym, tn = "⏸ ", toneWarning
	}
	out := []seg{{sym + p.StatusText(), tn}}
	if d := p.Damage(); d != "" {
		out = append(out, seg{"! " + d, toneWarning})
	}
	return out
}

// replayFooter adds the replay keys to a footer's bindings.
func (a *App) replayFooter(keys []key.Binding) []key.Binding {
	if a.roll.player == nil {
		return keys
	}
	return append(a.roll.keys.replayKeys(), keys...)
}

// rolloutSection is the detail view's rollout part: Seldon state, the ramp check and the change log.
func (a *App) rolloutSection(st *themes.Styles, p *model.Pair, w int) []string {
	if p.Rollout == nil && p.Ramp == nil && len(p.Changes) == 0 {
		return nil
	}
	out := []string{"", st.Section.Render("Rollout")}
	kv := func(k, v string) { out = append(out, wrapKV(st, k, v, w)...) }
	if r := p.Rollout; r != nil {
		tn := healthTone(r.Health())
		kv("State", toneStyle(st, tn).Render(toneSymbol(tn)+" "+string(r.Phase))+" · "+clean(r.Text))
	}
	if r := p.Ramp; r != nil {
		tn := toneHealthy
		switch {
		case !r.Known:
			tn = toneMuted
		case !r.KeepsUp:
			tn = toneWarning
		}
		kv("Scale-up", toneStyle(st, tn).Render(toneSymbol(tn))+" "+clean(r.Text))
	}
	if len(p.Changes) == 0 {
		kv("Changes", st.Muted.Render("no spec change seen since twinscale started"))
		return out
	}
	out = append(out, "  "+st.Bold.Render("Changes")+st.Muted.Render(" (newest first, before → after)"))
	for _, c := range p.Changes {
		line := st.Muted.Render(clock(c.At, a.loc)) + " " + clean(c.Text())
		out = append(out, indentWrap(line, w, 4, 13)...)
	}
	return out
}
