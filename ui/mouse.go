package ui

import tea "charm.land/bubbletea/v2"

// handleWheel scrolls the table, the detail view or the picker.
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
	switch a.mode {
	case modeMain:
		a.table.move(step)
	case modeDetail:
		a.detail.wheel(step)
	case modePicker:
		a.picker.wheel(step / 3)
	}
}

// handleClick selects the clicked row (or picker entry); a click on the selected row opens it.
func (a *App) handleClick(msg tea.MouseClickMsg) tea.Cmd {
	if msg.Button != tea.MouseLeft {
		return nil
	}
	switch a.mode {
	case modeMain:
		if again, ok := a.table.click(msg.Y); ok && again {
			return a.openDetail()
		}
	case modePicker:
		if i, ok := a.picker.click(msg.Y); ok {
			a.pickNamespace(i)
		}
	}
	return nil
}
