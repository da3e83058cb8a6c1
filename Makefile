# twinscale: every target documents itself with a "## " comment; `make help` lists them.
SHELL := /usr/bin/env bash
GO ?= go
BIN := bin
PKG := github.com/twinscale/twinscale
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X $(PKG)/cmd/twinscale/version.Version=$(VERSION)
export KUBEBUILDER_ASSETS := $(CURDIR)/$(BIN)

.DEFAULT_GOAL := help

help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build bin/twinscale.
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/twinscale ./cmd/twinscale

install: ## Install twinscale and kubectl-twinscale into GOBIN.
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/twinscale
	ln -sf "$$($(GO) env GOPATH)/bin/twinscale" "$$($(GO) env GOPATH)/bin/kubectl-twinscale"

testenv: ## Build the test control plane (kube-apiserver, etcd) into bin/ from hack/tools.
	./hack/testenv.sh

prometheus: ## Make sure a prometheus binary is available for the metrics tests.
	./hack/prometheus.sh

# HPADIFF_SEQUENCES random sequences compare model's HPA maths with the real v1.37.2 controller
# (hack/tools/hpadiff, its own module pinned like hack/tools); `make test` runs a few thousand, `make diff-long` 100,000.
# It runs without -race: it is one goroutine driving the controller on virtual time, and the race
# detector would cut it to ~6 sequences/s (see BENCHMARKS.md).
HPADIFF_SEQUENCES ?= 3000
HPADIFF_LONG ?= 100000

test: testenv prometheus ## Run every test: unit, golden, fuzz seeds, integration against kube-apiserver and Prometheus, and the HPA differential test.
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	set -o pipefail; cd hack/tools/hpadiff && $(GO) vet . && HPADIFF_SEQUENCES=$(HPADIFF_SEQUENCES) $(GO) test -count=1 -timeout 30m -v -run TestAgainstController . | grep -v '^=== RUN'

diff-long: ## Compare the HPA maths with the real controller over HPADIFF_LONG (100,000) random sequences (HPADIFF_SEED: first seed).
	cd hack/tools/hpadiff && HPADIFF_SEQUENCES=$(HPADIFF_LONG) $(GO) test -count=1 -timeout 6h -v -run TestAgainstController .

test-update: ## Regenerate golden files.
	$(GO) test ./ui/... -update

lint: ## Check formatting and vet.
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

demo: build ## Run the dashboard on a simulated cluster (no cluster needed).
	./$(BIN)/twinscale --demo

demo-gif: build ## Record demo.gif from demo.tape (needs vhs).
	@command -v vhs >/dev/null || { echo "vhs not found: go install github.com/charmbracelet/vhs@v0.10.0 (needs ttyd and ffmpeg)"; exit 1; }
	PATH="$(CURDIR)/$(BIN):$$PATH" vhs demo.tape

BENCH_COUNT ?= 6
BENCH_OUT ?= bench-results

bench: bench-go bench-load bench-clusters ## Reproduce every number in BENCHMARKS.md (Go benchmarks, then the load tests).

bench-go: testenv ## Go benchmarks, BENCH_COUNT (6) runs each; medians in bench-results/go.md.
	@mkdir -p $(BENCH_OUT)
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -timeout 90m ./model/... ./ui/... ./watch/... ./cmd/twinscale/manifests/ | tee $(BENCH_OUT)/go.txt
	set -o pipefail; $(GO) run ./hack/benchsum < $(BENCH_OUT)/go.txt | tee $(BENCH_OUT)/go.md

bench-load: testenv prometheus ## The load test against kube-apiserver at 1,000 and 5,000 pairs, with kubectl; bench-results/load.md.
	@mkdir -p $(BENCH_OUT)
	set -o pipefail; $(GO) run ./hack/loadbench -json $(BENCH_OUT)/load.json | tee $(BENCH_OUT)/load.md

bench-clusters: testenv ## Cold snapshots of 3 clusters × 1,000 pairs against one cluster; bench-results/clusters.md.
	@mkdir -p $(BENCH_OUT)
	set -o pipefail; $(GO) run ./hack/loadbench -clusters 3 -cold 1000 -runs 3 -json $(BENCH_OUT)/clusters.json | tee $(BENCH_OUT)/clusters.md

fuzz: ## Run each fuzz test for longer (FUZZTIME, default 30s).
	./hack/fuzz.sh $${FUZZTIME:-30s}

tidy-check: ## Fail when go.mod or go.sum are not tidy.
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

clean: ## Remove build output (keeps the test control plane).
	rm -f $(BIN)/twinscale
	rm -rf $(BENCH_OUT)

.PHONY: help build install testenv prometheus test diff-long test-update lint demo demo-gif bench bench-go bench-load bench-clusters fuzz tidy-check clean
