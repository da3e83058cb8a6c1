package themes

// Theme is a named palette plus the few non-colour choices a theme makes.
type Theme struct {
	Name    string
	Palette Palette
	// Bold makes every status style bold (high-contrast themes).
	Bold bool
	// Source is the file a user theme came from; empty for built-ins.
	Source string
}

// Names of the built-in themes.
const (
	Dark         = "dark"
	Light        = "light"
	HighContrast = "high-contrast"
	ColorBlind   = "colorblind"
	// Auto picks Dark or Light from the terminal background.
	Auto = "auto"
)

// Builtins returns the built-in themes, dark first.
func Builtins() []Theme {
	return []Theme{darkTheme(), lightTheme(), highContrastTheme(), colorBlindTheme()}
}

// Builtin returns the built-in theme of that name.
func Builtin(name string) (Theme, bool) {
	for _, t := range Builtins() {
		if t.Name == name {
			return t, true
		}
	}
	return Theme{}, false
}

// darkTheme suits dark terminal backgrounds (GitHub dark tones).
func darkTheme() Theme {
	return Theme{Name: Dark, Palette: Palette{
		Text: "default", Muted: "#8B949E", Subtle: "#484F58", Accent: "#58A6FF",
		SelectionFg: "#FFFFFF", SelectionBg: "#264F78",
		HealthyC: "#3FB950", ConvergingC: "#39C5CF", WarningC: "#D29922", CriticalC: "#F85149", InfoC: "#8B949E",
		Diff:     "#D2A8FF",
		ChartRPS: "#58A6FF", ChartCap: "#8B949E", ChartModel: "#D2A8FF", ChartServer: "#3FB950",
	}}
}

// lightTheme suits light terminal backgrounds (GitHub light tones). Converging is a clear
// blue rather than GitHub's dark teal, which was a step from the muted grey.
func lightTheme() Theme {
	return Theme{Name: Light, Palette: Palette{
		Text: "default", Muted: "#57606A", Subtle: "#AFB8C1", Accent: "#0969DA",
		SelectionFg: "#000000", SelectionBg: "#B6E3FF",
		HealthyC: "#1A7F37", ConvergingC: "#0078BC", WarningC: "#9A6700", CriticalC: "#CF222E", InfoC: "#57606A",
		Diff:     "#8250DF",
		ChartRPS: "#0969DA", ChartCap: "#57606A", ChartModel: "#8250DF", ChartServer: "#1A7F37",
	}}
}

// highContrastTheme uses the terminal's own bright ANSI colours (which the
// terminal's scheme adapts to its background), bold status and reverse-video
// selection. The RPS line is bright cyan: ANSI blue is barely visible on black.
func highContrastTheme() Theme {
	return Theme{Name: HighContrast, Bold: true, Palette: Palette{
		Text: "default", Muted: "default", Subtle: "default", Accent: "12",
		SelectionFg: "default", SelectionBg: "default",
		HealthyC: "10", ConvergingC: "14", WarningC: "11", CriticalC: "9", InfoC: "default",
		Diff:     "13",
		ChartRPS: "14", ChartCap: "default", ChartModel: "13", ChartServer: "10",
	}}
}

// colorBlindTheme uses the Okabe-Ito palette, distinguishable under the
// common colour-vision deficiencies; status differs in lightness too.
func colorBlindTheme() Theme {
	return Theme{Name: ColorBlind, Palette: Palette{
		Text: "default", Muted: "#999999", Subtle: "#555555", Accent: "#56B4E9",
		SelectionFg: "#000000", SelectionBg: "#56B4E9",
		HealthyC: "#0072B2", ConvergingC: "#CC79A7", WarningC: "#F0E442", CriticalC: "#D55E00", InfoC: "#999999",
		Diff:     "#E69F00",
		ChartRPS: "#56B4E9", ChartCap: "#999999", ChartModel: "#CC79A7", ChartServer: "#009E73",
	}}
}

// noColorTheme is used when NO_COLOR is set: no colour at all, meaning is
// carried by symbols and by bold, faint and reverse video.
func noColorTheme() Theme {
	p := Palette{}
	for _, t := range Tokens {
		p[t] = "default"
	}
	return Theme{Name: "no-color", Palette: p}
}
