package ui

import (
	"strings"

	"github.com/twinscale/twinscale/model"
)

// notices are problems the user must see and may not have seen on stderr before the screen
// opened (user theme files skipped, --pairs that match no pair): they stay in the footer,
// unlike a flash, until esc dismisses them.

// checkPairs adds a notice naming the --pairs entries that match no pair, once, on the first
// snapshot whose pairs are complete.
func (c *common) checkPairs(snap *model.Snapshot) {
	if len(c.wantPairs) == 0 || snap == nil || snap.Watch.Blind() != "" {
		return
	}
	missing := model.MissingPairs(snap, c.wantPairs)
	c.wantPairs = nil
	switch len(missing) {
	case 0:
	case 1:
		c.notices = append(c.notices, "--pairs "+missing[0]+" matches no pair")
	default:
		c.notices = append(c.notices, "--pairs "+strings.Join(missing, ", ")+" match no pair")
	}
}

// noticeLine is the footer while there are notices: how to dismiss them first, so a narrow
// screen that cuts the line keeps it.
func (c *common) noticeLine() string {
	if len(c.notices) == 0 {
		return ""
	}
	st := c.styles()
	esc := c.keys.Back.Help().Key
	text := "! " + strings.Join(c.notices, " · ")
	if c.w > 0 {
		// Narrow, the notices end at a whole word rather than where the screen does.
		text = wordTrunc(text, c.w-cellWidth(esc+" dismiss  "))
	}
	return st.Key.Render(esc) + st.Muted.Render(" dismiss  ") + toneStyle(st, toneWarning).Render(text)
}

// dismissNotices clears the notices; it reports whether there were any.
func (c *common) dismissNotices() bool {
	had := len(c.notices) > 0
	c.notices = nil
	return had
}

// hasScope reports whether esc has a filter, the alerts-only view or a namespace to clear
// first.
func (s tableState) hasScope() bool {
	return s.filter != "" || s.alertsOnly || s.namespace != ""
}

// themeLine is the footer right after t: the theme now on, and the key for the next one.
func (c *common) themeLine() string {
	st := c.styles()
	return st.Muted.Render("theme ") + st.Accent.Render(c.set.Name(c.theme)) + "  " +
		st.Key.Render(c.keys.Theme.Help().Key) + st.Muted.Render(" next theme")
}
