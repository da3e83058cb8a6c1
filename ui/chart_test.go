package ui

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

func testStyles(t *testing.T) *themes.Styles {
	t.Helper()
	th, ok := themes.Builtin("dark")
	if !ok {
		t.Fatal("no dark theme")
	}
	return themes.New(th, false)
}

// TestSpanText: a chart says "over the last" only for a history that fills its window.
func TestSpanText(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 12, 4, 9, 2, 0, 0, utc)
	step := 15 * time.Second
	tests := []struct {
		name     string
		window   time.Duration
		first, n int
		loc      *time.Location
		want     string
	}{
		{"fills its window", 30 * time.Minute, 0, 120, utc, " over the last 30m"},
		{"since start", 30 * time.Minute, 0, 40, utc, " since 09:02"},
		{"since first sample", 30 * time.Minute, 8, 40, utc, " since 09:04"},
		{"viewer's clock", 30 * time.Minute, 0, 40, time.FixedZone("CET", 3600), " since 10:02"},
		{"no window known", 0, 0, 40, utc, " over the last 10m"},
		{"no window, data from a later slot", 0, 4, 40, utc, " since 09:03"},
		{"no samples", 30 * time.Minute, 0, 0, utc, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := model.PairHistory{Start: start, Step: step, Window: tt.window}
			if got := spanText(h, tt.first, tt.n, tt.loc); got != tt.want {
				t.Errorf("spanText = %q, want %q", got, tt.want)
			}
		})
	}
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func ramp(vals ...float64) []float64 {
	var out []float64
	for _, v := range vals {
		out = append(out, repeat(v, 10)...)
	}
	return out
}

// TestReplicaChartLegend: the legend lists only what can be seen; ready hidden under
// desired everywhere is said in the line's own entry.
func TestReplicaChartLegend(t *testing.T) {
	st := testStyles(t)
	h := model.PairHistory{Start: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC), Step: 15 * time.Second, Window: 30 * time.Minute}
	nan := math.NaN()
	tests := []struct {
		name           string
		desired, ready []float64
		want, not      []string
	}{
		{"ready equals desired", ramp(2, 3, 5), ramp(2, 3, 5),
			[]string{"─ desired = ready throughout"}, []string{"•", "ready  "}},
		{"ready lags", ramp(2, 3, 5), ramp(2, 2, 3),
			[]string{"• ready", "─ desired"}, []string{"throughout"}},
		{"ready equals desired where known", ramp(2, 3, 5), append(repeat(nan, 10), ramp(3, 5)...),
			[]string{"─ desired = ready throughout"}, []string{"•"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := ansi.Strip(strings.Join(replicaChart(st, "Model", h, tt.desired, tt.ready, 2, 58, 4, time.UTC), "\n"))
			checkText(t, "chart", out, tt.want, tt.not)
		})
	}
}

// TestIntegerAxis: replica axes label whole numbers only, each count once.
func TestIntegerAxis(t *testing.T) {
	st := testStyles(t)
	tests := []struct {
		name   string
		data   []float64
		height int
	}{
		{"top under height", ramp(1, 2, 3), 8},
		{"top over height", ramp(2, 3, 5), 4},
		{"top twice height", ramp(2, 8, 7), 4},
		{"one replica", ramp(1, 1), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := plot(st, []series{{name: "desired", data: tt.data, chars: solidChars, glyph: "─"}}, 60, tt.height, true)
			seen := map[int]bool{}
			for _, l := range lines[:len(lines)-1] {
				l = ansi.Strip(l)
				i := strings.IndexAny(l, "┤┼")
				if i < 0 {
					continue
				}
				label := strings.TrimSpace(l[:i])
				if label == "" {
					continue
				}
				n, err := strconv.Atoi(label)
				if err != nil {
					t.Errorf("label %q is not a whole number", label)
					continue
				}
				if seen[n] {
					t.Errorf("label %d twice:\n%s", n, strings.Join(lines, "\n"))
				}
				seen[n] = true
			}
			top := 0
			for _, v := range tt.data {
				top = max(top, int(v))
			}
			for n := 0; n <= top; n++ {
				if !seen[n] {
					t.Errorf("no row labelled %d:\n%s", n, ansi.Strip(strings.Join(lines, "\n")))
				}
			}
		})
	}
}

// TestChartsWidth: at 80 and 120 columns the RPS chart and both twins' replica charts
// are drawn, each in its own block, no line wider than the screen.
func TestChartsWidth(t *testing.T) {
	st := testStyles(t)
	start := time.Date(2026, 12, 4, 9, 2, 0, 0, time.UTC)
	h := model.PairHistory{Key: "ns/m", Start: start, Step: 15 * time.Second, Window: 30 * time.Minute,
		RPS: ramp(3, 8, 12, 15), Capacity: ramp(6, 9, 15, 15),
		ModelDesired: ramp(2, 3, 5, 5), ModelReady: ramp(2, 2, 3, 5),
		ServerDesired: ramp(2, 3, 3, 3), ServerReady: ramp(2, 3, 3, 3)}
	for _, w := range []int{80, 120} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			d := detailView{c: &common{loc: time.UTC}, hist: h}
			d.st.key = "ns/m"
			lines := d.charts(st, w)
			out := ansi.Strip(strings.Join(lines, "\n"))
			for _, want := range []string{"RPS since 09:02", "Model replicas since 09:02", "Server replicas since 09:02",
				"• ready  ─ desired", "─ desired = ready throughout"} {
				if !strings.Contains(out, want) {
					t.Errorf("charts lack %q:\n%s", want, out)
				}
			}
			for _, bad := range []string{"over the last", "═", "╔"} {
				if strings.Contains(out, bad) {
					t.Errorf("charts have %q:\n%s", bad, out)
				}
			}
			for i, l := range lines {
				if cw := cellWidth(l); cw > w {
					t.Errorf("line %d is %d wide at %d: %q", i, cw, w, ansi.Strip(l))
				}
			}
		})
	}
}
