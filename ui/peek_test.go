package ui

import (
	"fmt"
	"os"
	"testing"
)

func TestPeek(t *testing.T) {
	if os.Getenv("PEEK") == "" {
		t.Skip()
	}
	var w, h int
	fmt.Sscanf(os.Getenv("PEEK"), "%dx%d", &w, &h)
	a := newTestApp(t, loadFixture(t), "dark", w, h)
	for _, k := range splitKeys(os.Getenv("KEYS")) {
		press(a, k)
	}
	fmt.Println(screen(a))
}

func splitKeys(s string) []string {
	var out []string
	cur := ""
	for _, r := range s {
		if r == ',' {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
