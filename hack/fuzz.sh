#!/usr/bin/env bash
# Runs every Go fuzz test of the module for DURATION each (default 30s), one at a time
# (go test -fuzz takes one target per run). `make test` runs only their seed corpora
# (testdata/fuzz/<FuzzName>/ next to each test); this explores beyond them. A failing
# input is written into that testdata/fuzz folder: commit it with the fix.
#
#   hack/fuzz.sh 2m            # every target for two minutes
#   hack/fuzz.sh 10s Project   # only targets whose name contains "Project"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${1:-30s}
filter=${2:-}

# "dir name" for every func FuzzXxx(f *testing.F) in a test file.
targets=$(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	sed -E 's|^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz tests found" >&2
	exit 1
fi

failed=0
while read -r dir name; do
	if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then
		continue
	fi
	echo "fuzz: $name in ./$dir for $duration"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" "./$dir"; then
		echo "fuzz: $name FAILED (the input is in $dir/testdata/fuzz/$name/)" >&2
		failed=1
	fi
done <<<"$targets"
exit $failed
