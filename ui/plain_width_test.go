package ui

import (
	"strings"
	"testing"
	"time"
)

// TestWriteTableFitsWidth: `twinscale snapshot` on a 120-column terminal wrapped a 160-column table;
// fitted to a width, no line is wider, while width 0 (a pipe) keeps every column whole.
func TestWriteTableFitsWidth(t *testing.T) {
	snap := loadCompareFixture(t).Snapshot()
	var whole strings.Builder
	if err := WriteTableWidth(&whole, snap, nil, time.UTC, 0); err != nil {
		t.Fatal(err)
	}
	widest := 0
	for _, l := range strings.Split(whole.String(), "\n")[1:] {
		widest = max(widest, cellWidth(l))
	}
	for _, w := range []int{80, 100} {
		if widest <= w {
			t.Fatalf("the fixture's table is %d columns, not wider than %d", widest, w)
		}
		var b strings.Builder
		if err := WriteTableWidth(&b, snap, nil, time.UTC, w); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		for i, l := range lines[1:] { // the summary line is one line of words
			if cellWidth(l) > w {
				t.Errorf("width %d: line %d is %d columns: %q", w, i+1, cellWidth(l), l)
			}
		}
		if len(lines) != len(strings.Split(strings.TrimRight(whole.String(), "\n"), "\n")) {
			t.Errorf("width %d: %d lines, the whole table has another count", w, len(lines))
		}
	}
}
