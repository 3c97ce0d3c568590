# Homeshore build. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
GO ?= go
BIN := bin/homeshore
# The window is a binary of its own, so headless commands stay small.
GUI_BIN := bin/homeshore-gui
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/homeshore/homeshore/app/version.Version=$(VERSION)
# Package parallelism is set by scripts/test-go.sh (real-time audio packages one at a time).
GOTEST_FLAGS ?= -count=1 -timeout 20m
# Empty: each fuzz target gets its own execution budget (scripts/fuzz-all.sh).
FUZZTIME ?=
# no_emoji drops Fyne's emoji font (about 15 MB of memory).
BUILD_TAGS ?= no_emoji
# Dependency groups make test installs (bench-gui is only for benchmarks).
TEST_DEPS := build test-audio test-sip test-keyring test-gui test-db test-browser screenshots packaging test-wine

.PHONY: all build run demo test test-go test-fuzz lint bench deps deps-test clean

all: build

deps:
	@scripts/install-deps.sh build test-audio

deps-test:
	@scripts/install-deps.sh $(TEST_DEPS)

build: deps
	@mkdir -p bin
	$(GO) build -tags "$(BUILD_TAGS)" -ldflags "$(LDFLAGS)" -o $(BIN) .
	$(GO) build -tags "$(BUILD_TAGS)" -ldflags "$(LDFLAGS)" -o $(GUI_BIN) ./app/cmd/homeshore-gui

run: build
	scripts/with-sound.sh ./$(BIN) --demo

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@scripts/check-imports.sh

test: deps-test lint build
	scripts/with-test-env.sh $(MAKE) --no-print-directory test-go test-fuzz test-package

# Runs inside scripts/with-test-env.sh (PulseAudio, D-Bus, keyring already up).
test-go:
	HOMESHORE_BIN=$(CURDIR)/$(BIN) GO=$(GO) scripts/test-go.sh $(GOTEST_FLAGS)

test-fuzz:
	@scripts/fuzz-all.sh $(FUZZTIME)

bench: build
	HOMESHORE_BIN=$(CURDIR)/$(BIN) scripts/with-test-env.sh $(GO) test -run '^$$' -bench . -benchmem -timeout 90m ./...

clean:
	rm -rf bin
include packaging/packaging.mk
