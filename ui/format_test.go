package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
)

func TestNum(t *testing.T) {
	cases := map[float64]string{
		0: "0", 8.9: "8.9", 8.611: "8.61", 2.97: "2.97", 3: "3", 0.25: "0.25", 0.123: "0.123",
		12.34: "12.3", 123.4: "123", 999.4: "999", 999.6: "1k", 6262.5: "6.26k", 1234567: "1.23M",
		0.0004: "<0.001", -2.5: "-2.5", 1e30: ">999T",
		math.NaN(): "n/a", math.Inf(1): "∞", math.Inf(-1): "-∞",
	}
	for in, want := range cases {
		if got := model.FormatNumber(in); got != want {
			t.Errorf("model.FormatNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestPerReplica(t *testing.T) {
	p := func(rps, target float64, ready model.Count, known bool, problem string) *model.Pair {
		return &model.Pair{ServerReady: ready, Metric: model.PairMetric{Known: known, RPS: rps, Target: target, Problem: problem}}
	}
	cases := []struct {
		pair *model.Pair
		want string
		over bool
	}{
		{p(8.9, 3, model.Known(3), true, ""), "2.97/3", false},
		{p(14.6, 3, model.Known(3), true, ""), "4.87/3", true},
		{p(0.3, 3, model.Known(0), true, ""), "n/a (0 replicas)", false},
		{p(0.3, 3, model.UnknownCount("no StatefulSet"), true, ""), "n/a (? replicas)", false},
		{p(1, 3, model.Known(1), false, ""), "n/a", false},
		{p(math.NaN(), 3, model.Known(1), true, ""), "n/a", false},
		{p(1, 3, model.Known(1), true, "NaN"), "n/a", false},
		{p(6, 0, model.Known(2), true, ""), "3/?", false},
		{p(8611, 3000, model.Known(2), true, ""), "4.31k/3k", true},
	}
	for _, c := range cases {
		got, over := perReplica(c.pair)
		if got != c.want || over != c.over {
			t.Errorf("perReplica(%+v) = %q %v, want %q %v", c.pair.Metric, got, over, c.want, c.over)
		}
	}
}

func TestSpark(t *testing.T) {
	cases := []struct {
		in    []float64
		width int
		want  string
	}{
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, 8, "▁▂▃▄▅▆▇█"},
		{[]float64{1, math.NaN(), 3}, 5, "  ▁ █"},
		{[]float64{2, 2, 2}, 3, "▄▄▄"},
		{[]float64{0, 0}, 2, "▁▁"},
		{[]float64{math.NaN(), math.Inf(1)}, 3, "   "},
		{nil, 4, "    "},
		{[]float64{9, 0, 1, 2}, 3, "▁▅█"},
		{[]float64{1, 2}, 0, ""},
	}
	for _, c := range cases {
		if got := spark(c.in, c.width); got != c.want {
			t.Errorf("spark(%v, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestDur(t *testing.T) {
	cases := map[time.Duration]string{
		0: "0s", 500 * time.Millisecond: "500ms", 45 * time.Second: "45s", 3*time.Minute + 20*time.Second: "3m20s",
		12*time.Minute + 5*time.Second: "12m", 2*time.Hour + 5*time.Minute: "2h5m", 3 * time.Hour: "3h",
		75 * time.Hour: "3d3h", -5 * time.Second: "5s",
	}
	for in, want := range cases {
		if got := model.FormatDuration(in); got != want {
			t.Errorf("model.FormatDuration(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanDropsControlSequences(t *testing.T) {
	if got := clean("a\nb\tc\x1b[31mred\x1b[0m\x07"); got != "a b c[31mred[0m" {
		t.Fatalf("clean = %q", got)
	}
	if clean("plain ✓") != "plain ✓" {
		t.Fatal("clean must keep ordinary text")
	}
}

func TestCellWidthAgreesWithAnsi(t *testing.T) {
	for _, s := range []string{"", "abc", "sentiment → triton", "✓ ok ✗ ! ~ · … ≠ ═ ║ ╭ ▁▂▃▄▅▆▇█ ×•",
		"\x1b[1;38;2;1;2;3mbold\x1b[m x", "日本語", "⏸ PAUSED", "e\u0301", "👍"} {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi says %d", s, got, want)
		}
	}
	for r := rune(0); r < 0x3000; r++ {
		if narrowRune(r) && ansi.StringWidth(string(r)) != 1 {
			t.Fatalf("narrowRune(%U) but ansi width %d", r, ansi.StringWidth(string(r)))
		}
	}
}

func TestLayoutFitsEveryWidth(t *testing.T) {
	rs := buildRows(loadFixture(t).Snapshot(), 1, nil)
	prev := 0
	for w := minWidth; w <= 260; w++ {
		l := computeLayout(rs.colW, w)
		if l.total > w {
			t.Fatalf("width %d: layout %d wide", w, l.total)
		}
		if !l.shown[colSym] || !l.shown[colModelName] || !l.shown[colStatus] {
			t.Fatalf("width %d: essential column dropped: %+v", w, l.shown)
		}
		n := 0
		for _, s := range l.shown {
			if s {
				n++
			}
		}
		if n < prev {
			t.Fatalf("width %d shows fewer columns (%d) than width %d (%d)", w, n, w-1, prev)
		}
		prev = n
	}
	if prev != numCols-1 { // CLUSTER shows with several clusters only
		t.Fatalf("a wide terminal shows %d of %d columns", prev, numCols)
	}
}

func TestFitPairKeepsTheModelWhole(t *testing.T) {
	cases := []struct {
		m, s string
		w    int
		want string
	}{
		{"iris", "mlserver-iris", 24, "iris → mlserver-iris    "},
		{"sentiment", "triton-sentiment", 24, "sentiment → triton…iment"},
		{"customer-lifetime-value", "mlserver-customer-lifetime", 24, "customer-lifetime-value "},
		{"recsys-ranker-blue", "mlserver-recsys-blue", 24, "recsys-ranker-blue      "},
		{"recsys-ranker-blue", "mlserver-recsys-blue", 30, "recsys-ranker-blue → mls…-blue"},
		{"customer-lifetime-value-gradient-boosted-ensemble-v2", "mlserver", 24, "customer-lifetime-va…-v2"},
		{"m", "s", 3, "m  "},
	}
	for _, c := range cases {
		if got := fitPair(c.m, c.s, c.w); got != c.want {
			t.Errorf("fitPair(%q, %q, %d) = %q, want %q", c.m, c.s, c.w, got, c.want)
		}
	}
}

func TestPlotGuardsTheLibrary(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	st := a.c.styles()
	nan := math.NaN()
	cases := map[string][]series{
		"empty":   {{name: "a"}},
		"all NaN": {{name: "a", data: []float64{nan, nan}}, {name: "b", data: []float64{math.Inf(1)}}},
	}
	for name, ss := range cases {
		if out := plot(st, ss, 60, 8, false); out != nil {
			t.Errorf("%s: plotted %q", name, out)
		}
	}
	out := plot(st, []series{{name: "a", data: []float64{nan, 5}}, {name: "b", data: []float64{nan, nan}}}, 40, 6, false)
	if out == nil {
		t.Fatal("one finite point must plot")
	}
	for _, l := range out {
		if cellWidth(l) > 40 {
			t.Fatalf("chart line wider than 40: %q", l)
		}
	}
	if legend := out[len(out)-1]; !contains(legend, "b (no data)") {
		t.Fatalf("legend must say which series had no data: %q", legend)
	}
	// Zeros only, a single point and a narrow pane must not panic either.
	plot(st, []series{{name: "z", data: []float64{0, 0, 0}}}, 30, 5, true)
	plot(st, []series{{name: "one", data: []float64{3}}}, 30, 5, true)
	if plot(st, []series{{name: "x", data: []float64{1, 2}}}, 9, 5, false) != nil {
		t.Fatal("a pane too narrow for a chart draws nothing")
	}
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && ansi.Strip(s) != "" && strings.Contains(ansi.Strip(s), sub)
}

// TestForecastSource: the detail view names where each forecast's rate came from (issue 17:
// what the HPA sees stays local, and the screen says which source each number is).
func TestForecastSource(t *testing.T) {
	cases := []struct {
		from string
		want string
	}{
		{model.TotalFromMetricsAPI, " · rate from the custom metrics API"},
		{"prometheus", " · rate from Prometheus"},
		{"hpa", " · rate from the HPA's last status"},
		{"", ""},
	}
	for _, c := range cases {
		f := &model.Forecast{TotalFrom: c.from, Decision: model.Decision{Computed: true}}
		if got := forecastSource(f); got != c.want {
			t.Errorf("forecastSource(%q) = %q, want %q", c.from, got, c.want)
		}
	}
	if got := forecastSource(&model.Forecast{TotalFrom: "prometheus"}); got != "" {
		t.Errorf("a decision that used no rate names a source: %q", got)
	}
}
