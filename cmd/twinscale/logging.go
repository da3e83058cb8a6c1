package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"k8s.io/klog/v2"
)

// parseLevel reads --log-level.
func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// setupLogging sends slog and klog to the log file and nowhere else: the
// dashboard owns the terminal. If the file cannot be opened, it says so once
// on stderr (before the dashboard starts) and logs are dropped.
func setupLogging(path, level string, stderr io.Writer) (func(), error) {
	lvl, err := parseLevel(level)
	if err != nil {
		return nil, err
	}
	var out io.Writer = io.Discard
	closeFn := func() {}
	// err must be the reason the file could not be opened, whichever step failed.
	if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
		f, ferr := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if ferr == nil {
			out = f
			closeFn = func() { klog.Flush(); _ = f.Close() }
		} else {
			err = ferr
		}
	}
	if out == io.Discard {
		fmt.Fprintf(stderr, "twinscale: cannot write the log file %s (%v); logs are off\n", path, err)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: lvl})))
	silenceKlog(out)
	slog.Info("Logging started", "file", path, "level", lvl.String())
	return closeFn, nil
}

// silenceKlog points client-go's klog at w and stops it writing to stderr,
// including errors (klog copies errors to stderr unless told otherwise).
func silenceKlog(w io.Writer) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for k, v := range map[string]string{
		"logtostderr":     "false",
		"alsologtostderr": "false",
		"stderrthreshold": "FATAL",
		"one_output":      "true",
	} {
		_ = fs.Set(k, v)
	}
	klog.LogToStderr(false)
	klog.SetOutput(w)
}
