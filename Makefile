# marquee — build, test on real services, lint, benchmark, docs, demo.
SHELL := /bin/bash
GO ?= go
BIN := bin/marquee
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
GOLANGCI_VERSION := v2.15.0
GOLANGCI := $(CURDIR)/.bin/golangci-lint-$(GOLANGCI_VERSION)
# Tests never read the developer's config.
export MARQUEE_CONFIG := /nonexistent

.PHONY: all build test test-short services services-stop lint vet bench docs demo clean test-es8

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/marquee

services:
	scripts/services.sh start

services-stop:
	scripts/services.sh stop

# Starts (installing if needed) every real service and the Python env of the
# independent Parquet readers (DuckDB, pyarrow), then runs all tests with -race.
test: services
	scripts/bench/venv.sh test >/dev/null
	set -a; . .services/env; set +a; $(GO) test -race -timeout 25m ./...

# Unit tests only: no services (tests that need one are skipped on purpose).
test-short:
	MARQUEE_TEST_SKIP_SERVICES=1 $(GO) test -short ./...

vet:
	$(GO) vet ./...

$(GOLANGCI):
	mkdir -p .bin
	GOBIN=$(CURDIR)/.bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	mv .bin/golangci-lint $(GOLANGCI)

lint: $(GOLANGCI)
	$(GOLANGCI) run ./...

# Peer benchmarks: marquee vs DuckDB / scikit-learn / Scrapy / simple loaders, one run each.
bench: build services
	scripts/bench/run.sh

docs: build
	rm -rf docs/cli && $(BIN) gen-docs docs/cli

# Elasticsearch 8 run of the reindex-es suite.
test-es8:
	scripts/es8.sh

# The daily chain on a bundled demo site, local defaults.
demo: build services
	scripts/demo.sh

clean:
	rm -rf bin .bench marquee-data
