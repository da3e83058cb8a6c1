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

test: testenv prometheus ## Run every test: unit, golden, fuzz seeds, and integration against kube-apiserver and Prometheus.
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

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

bench: testenv ## Run the benchmarks recorded in BENCHMARKS.md.
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./model/... ./ui/... ./watch/...

fuzz: ## Run each fuzz test for longer (FUZZTIME, default 30s).
	./hack/fuzz.sh $${FUZZTIME:-30s}

tidy-check: ## Fail when go.mod or go.sum are not tidy.
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

clean: ## Remove build output (keeps the test control plane).
	rm -f $(BIN)/twinscale

.PHONY: help build install testenv prometheus test test-update lint demo demo-gif bench fuzz tidy-check clean
