#!/usr/bin/env bash
# Makes a prometheus binary available for the metrics tests: the one on PATH, else
# Debian's package, else one built from the Go module into bin/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if command -v prometheus >/dev/null 2>&1; then
	echo "prometheus: using $(command -v prometheus)"
	exit 0
fi
if [ -x "$root/bin/prometheus" ]; then
	echo "prometheus: using bin/prometheus"
	exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	echo "prometheus: installing Debian's prometheus package"
	if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) >/dev/null 2>&1; then
		# The package starts a service we do not want; the tests run their own server.
		(service prometheus stop || systemctl stop prometheus || true) >/dev/null 2>&1
		echo "prometheus: installed $(command -v prometheus)"
		exit 0
	fi
	echo "prometheus: apt-get install failed, building from the Go module instead"
fi
echo "prometheus: building from github.com/prometheus/prometheus/cmd/prometheus (takes minutes)"
mkdir -p "$root/bin"
tmp=$(mktemp -d)
(cd "$tmp" && go mod init promtool >/dev/null 2>&1 && go get github.com/prometheus/prometheus/cmd/prometheus@v0.316.0 >/dev/null 2>&1 \
	&& CGO_ENABLED=0 go build -o "$root/bin/prometheus" github.com/prometheus/prometheus/cmd/prometheus)
rm -rf "$tmp"
echo "prometheus: built bin/prometheus"
