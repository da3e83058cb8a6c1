#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver and etcd) from the pinned tools
# module in hack/tools into bin/, skipping binaries that are already built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
mkdir -p "$bin"
kube_version=v1.37.2

build() { # name package ldflags
	local name=$1 pkg=$2 ldflags=$3
	if [ -x "$bin/$name" ] && [ "$bin/$name" -nt "$root/hack/tools/go.mod" ]; then
		echo "testenv: $name already built in bin/"
		return
	fi
	echo "testenv: building $name from $pkg (a cold build takes several minutes)"
	(cd "$root/hack/tools" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/$name.tmp" "$pkg")
	mv "$bin/$name.tmp" "$bin/$name"
	echo "testenv: built bin/$name"
}

build etcd go.etcd.io/etcd/server/v3 "-s -w"
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver \
	"-s -w -X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
