package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDashboardRefusesAPipe: `twinscale --demo | cat` drew a blank screen and exited 0; it must
// say what to use instead and exit 2 (issue 13 item 14).
func TestDashboardRefusesAPipe(t *testing.T) {
	isolate(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var errb bytes.Buffer
	code := run(context.Background(), []string{"--demo", "--log-file", filepath.Join(t.TempDir(), "l.log")}, w, &errb)
	w.Close()
	if code != exitError || !strings.Contains(errb.String(), "stdout is not a terminal; use `twinscale snapshot`") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestSnapshotBadThemeExits6: README promises exit 6 for a --theme that cannot be loaded, also
// when snapshot prints plain text (issue 13 item 16).
func TestSnapshotBadThemeExits6(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, "snapshot", "--snapshot-file", fixture, "--theme", "nosuch")
	if code != exitTheme || !strings.Contains(errOut, "nosuch") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestDemoSaysWhatItIgnores: --demo with -n or --prometheus-url says they change nothing.
func TestDemoSaysWhatItIgnores(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, "snapshot", "--demo", "-n", "prod", "--prometheus-url", "http://p:9090", "-o", "json")
	if code != exitOK || !strings.Contains(errOut, "--demo ignores -n/-A, --prometheus-url") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, _, errOut := runCLI(t, "snapshot", "--demo", "-o", "json"); strings.Contains(errOut, "ignores") {
		t.Errorf("plain --demo warns: %q", errOut)
	}
}
