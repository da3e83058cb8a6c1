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

// TestLogFileBadPathSaysWhy: an unwritable --log-file printed "(<nil>)" instead of the reason.
func TestLogFileBadPathSaysWhy(t *testing.T) {
	var errb bytes.Buffer
	closeLog, err := setupLogging("/proc/nope/x.log", "info", &errb)
	if err != nil {
		t.Fatal(err)
	}
	closeLog()
	if msg := errb.String(); strings.Contains(msg, "<nil>") || !strings.Contains(msg, "cannot write the log file /proc/nope/x.log (mkdir /proc/nope") {
		t.Errorf("stderr %q", msg)
	}
}

// TestHelpValueNames: backticks in a flag's usage become its value name in --help, so they
// must name the value, not quote a command; --sync-timeout 0 is refused up front.
func TestHelpValueNames(t *testing.T) {
	isolate(t)
	_, out, _ := runCLI(t, "--help")
	for _, want := range []string{"--record FILE ", "--snapshot-file FILE "} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	if strings.Contains(out, "--record twinscale") || strings.Contains(out, "--snapshot-file twinscale") {
		t.Errorf("a command became a value name:\n%s", out)
	}
	if code, _, errOut := runCLI(t, "snapshot", "--demo", "--sync-timeout", "0"); code != exitError || !strings.Contains(errOut, "--sync-timeout 0s") {
		t.Errorf("--sync-timeout 0: exit %d, %q", code, errOut)
	}
}

// TestHelpRequestTimeout: --help said 0 never times out, yet the start-up check used 10 s.
func TestHelpRequestTimeout(t *testing.T) {
	isolate(t)
	_, out, _ := runCLI(t, "--help")
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "--request-timeout") {
			line = l
		}
	}
	if !strings.Contains(line, "0 means 10s for the start-up check") || strings.Contains(line, "don't timeout") {
		t.Errorf("--request-timeout help: %q", line)
	}
}
