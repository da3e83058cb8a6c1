#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver and etcd) and kubectl (for the
# benchmark's comparison) from the pinned tools module in hack/tools into bin/,
# skipping binaries that are already built at the pinned version.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
mkdir -p "$bin"
kube_version=v1.37.2
etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" { sub(/^v/, "", $2); print $2 }' "$root/hack/tools/go.mod")

build() { # name package ldflags version-args expected-version-text
	local name=$1 pkg=$2 ldflags=$3 version_args=$4 want=$5
	# shellcheck disable=SC2086 # version_args are words
	if [ -x "$bin/$name" ] && "$bin/$name" $version_args 2>/dev/null | grep -qF "$want"; then
		echo "testenv: $name $want already built in bin/"
		return
	fi
	echo "testenv: building $name from $pkg (a cold build takes several minutes)"
	(cd "$root/hack/tools" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/$name.tmp" "$pkg")
	mv "$bin/$name.tmp" "$bin/$name"
	echo "testenv: built bin/$name"
}

kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
build etcd go.etcd.io/etcd/server/v3 "-s -w" --version "etcd Version: $etcd_version"
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags" --version "Kubernetes $kube_version"
build kubectl k8s.io/kubernetes/cmd/kubectl "$kube_ldflags" "version --client" "Client Version: $kube_version"
