package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/watch"
)

// replayControls drive a recording's playback; the zero value (no player) does nothing.
type replayControls struct {
	player watch.Player
	keys   *KeyMap
}

// replayState is what a frame shows of the playback: it changes when a replay key takes effect.
type replayState struct {
	status, damage string
	paused         bool
}

// on reports whether a recording plays.
func (r *replayControls) on() bool { return r.player != nil }

// state is the playback as the header shows it; zero when live.
func (r *replayControls) state() replayState {
	if r.player == nil {
		return replayState{}
	}
	return replayState{status: r.player.StatusText(), damage: r.player.Damage(), paused: r.player.Paused()}
}

// update drives the player; it reports whether the key was a replay key.
func (r *replayControls) update(msg tea.KeyPressMsg) bool {
	p, k := r.player, r.keys
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

// segs are the header segments of a replay, nil when live.
func (r *replayControls) segs() []seg {
	s := r.state()
	if r.player == nil {
		return nil
	}
	sym, tn := "▶ ", toneAccent
	if s.paused {
		sym, tn = "⏸ ", toneWarning
	}
	out := []seg{{text: sym + s.status, tone: tn}}
	if s.damage != "" {
		out = append(out, seg{text: "! " + s.damage, tone: toneWarning})
	}
	return out
}

// footer adds the replay keys to a footer's bindings.
func (r *replayControls) footer(keys []key.Binding) []key.Binding {
	if r.player == nil {
		return keys
	}
	return append(r.keys.ReplayHelp(), keys...)
}
