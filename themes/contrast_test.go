package themes

import (
	"image/color"
	"math"
	"strings"
	"testing"
)

// deltaE is the CIE76 distance between two colours in CIELAB: about 2.3 is the smallest
// difference an eye notices, and status tones need far more than that to be told apart at
// a glance.
func deltaE(a, b color.Color) float64 {
	l1, a1, b1 := toLab(a)
	l2, a2, b2 := toLab(b)
	return math.Sqrt((l1-l2)*(l1-l2) + (a1-a2)*(a1-a2) + (b1-b2)*(b1-b2))
}

// toLab converts an sRGB colour to CIELAB under D65.
func toLab(c color.Color) (l, a, b float64) {
	r, g, bl, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	R, G, B := lin(r), lin(g), lin(bl)
	x := (0.4124*R + 0.3576*G + 0.1805*B) / 0.95047
	y := 0.2126*R + 0.7152*G + 0.0722*B
	z := (0.0193*R + 0.1192*G + 0.9505*B) / 1.08883
	f := func(t float64) float64 {
		if t > 0.008856 {
			return math.Cbrt(t)
		}
		return 7.787*t + 16.0/116
	}
	return 116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))
}

// TestConvergingStandsOutFromMuted: in light, "converging" was a dark teal a step from the
// muted grey (ΔE 22), so a pair scaling read as a label (issue 13 item 6). Every built-in
// theme keeps the two at least as far apart as dark does.
func TestConvergingStandsOutFromMuted(t *testing.T) {
	const minDeltaE = 30
	for _, th := range Builtins() {
		t.Run(th.Name, func(t *testing.T) {
			for _, other := range []Token{Muted, InfoC, Subtle} {
				cs, ms := th.Palette[ConvergingC], th.Palette[other]
				if strings.EqualFold(cs, ms) {
					t.Fatalf("converging and %s are both %s", other, cs)
				}
				if !strings.HasPrefix(cs, "#") || !strings.HasPrefix(ms, "#") {
					// ANSI indices and "default" are the terminal's to draw: spelled apart is
					// all a theme can do.
					continue
				}
				c, _ := ParseColor(cs)
				m, _ := ParseColor(ms)
				if d := deltaE(c, m); d < minDeltaE {
					t.Errorf("converging %s and %s %s are ΔE %.1f apart, want at least %d", cs, other, ms, d, minDeltaE)
				}
			}
		})
	}
}

// TestHighContrastChartsNotBlue: high-contrast drew the RPS line in ANSI blue, barely
// visible on a black background (issue 13 item 6).
func TestHighContrastChartsNotBlue(t *testing.T) {
	th, ok := Builtin(HighContrast)
	if !ok {
		t.Fatal("no high-contrast theme")
	}
	// 4 and 12 are blue and bright blue; 17-21 the cube's darkest blues.
	blue := map[string]bool{"4": true, "12": true, "17": true, "18": true, "19": true, "20": true, "21": true}
	for _, tok := range []Token{ChartRPS, ChartCap, ChartModel, ChartServer} {
		v := th.Palette[tok]
		if blue[v] {
			t.Errorf("%s is ANSI %s, blue on a black background", tok, v)
			continue
		}
		if c, _ := ParseColor(v); c != nil && strings.HasPrefix(v, "#") {
			if _, _, b := toLab(c); b < -60 {
				t.Errorf("%s is %s, deep blue", tok, v)
			}
		}
	}
}

// TestChartKeepsANSIIndices: a palette's ANSI 16 index reaches the chart as that index, for
// the terminal's scheme to draw, not as the 256-colour cube's pure RGB ("12" was #0000FF).
func TestChartKeepsANSIIndices(t *testing.T) {
	th, _ := Builtin(HighContrast)
	p := th.Palette.Clone()
	cases := []struct {
		spelling string
		want     uint8
	}{{"14", 14}, {"12", 12}, {"9", 9}, {"200", 200}, {"#00FFFF", 51}, {"default", 0}, {"0", 16}}
	for _, c := range cases {
		p[ChartRPS] = c.spelling
		st := New(Theme{Name: "t", Palette: p}, false)
		if st.Chart.RPS != c.want {
			t.Errorf("chart-rps %q = %d, want %d", c.spelling, st.Chart.RPS, c.want)
		}
	}
}
