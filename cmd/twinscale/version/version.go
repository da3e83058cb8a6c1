// Package version holds the build version, set by the Makefile with
// -ldflags "-X github.com/twinscale/twinscale/cmd/twinscale/version.Version=...".
package version

import (
	"runtime"
	"runtime/debug"
)

// Version is the release version; "dev" for untagged builds.
var Version = "dev"

// String describes the build: version, commit and Go version.
func String() string {
	s := "twinscale " + Version
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, kv := range info.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				dirty = kv.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			s += " (" + rev
			if dirty {
				s += ", modified"
			}
			s += ")"
		}
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
