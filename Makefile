# Parley's task runner. The targets mirror CI: `.ci/run` calls `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
HUB := $(TARGET_DIR)/debug/parley-hub
DESKTOP := $(TARGET_DIR)/debug/parley-desktop
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
# The packages: version from the workspace, architecture from dpkg (as package-hub.sh names them).
VERSION := $(shell awk '/^\[/ { s = $$0 } s == "[workspace.package]" && /^version *=/ { gsub(/[" ]/, ""); sub(/^version=/, ""); print; exit }' Cargo.toml)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
HUB_DEB := $(TARGET_DIR)/packages/parley-hub_$(VERSION)_$(DEB_ARCH).deb
DESKTOP_DEB := $(TARGET_DIR)/release/bundle/deb/Parley_$(VERSION)_$(DEB_ARCH).deb
# The package tests chroot and mount: root, or through sudo.
AS_ROOT := $(if $(filter 0,$(shell id -u)),,sudo --preserve-env=XDG_CACHE_HOME,TMPDIR)
export PATH := $(CARGO_BIN):$(PATH)

KILLS ?= 1000

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := webhook phone picture search segments

.PHONY: audit fuzz campaign bench bench-volume bench-ui bench-desktop help deps ui build run dev test test-rust test-ui test-e2e test-browser test-desktop lint fmt bindings bundle package-hub test-packages clean

help:
	@echo "make run      build and start the hub (demo data, simulated carrier) and the desktop app"
	@echo "make test     everything CI runs: lints, Rust tests, UI tests, browser and desktop end-to-end, packages"
	@echo "make dev      the desktop app on the Vite dev server (hot reload)"
	@echo "make bindings regenerate ui/src/api/generated from crates/proto"
	@echo "make bundle   release .deb and .rpm of the desktop app"
	@echo "make package-hub  the hub's .deb (release build + UI), in $(TARGET_DIR)/packages"
	@echo "make test-packages  both .debs installed in a fresh Debian 12 root and checked (root, network)"
	@echo "make bench    throughput and latency figures on both engines (release build)"
	@echo "make bench-volume  list, transcript and search at 1M messages, 100k contacts (release)"
	@echo "make bench-ui     a 100k-message transcript in Chromium: first paint and DOM nodes"
	@echo "make bench-desktop  the desktop app's memory idle with 10k contacts held (release, Xvfb)"
	@echo "make campaign kill -9 the hub KILLS times (1000) under load and faults, on both engines"
	@echo "make audit    cargo deny (advisories, licenses, bans, sources) and npm audit (part of make test)"
	@echo "make fuzz     each fuzz target for FUZZ_SECONDS (60), from its seed corpus in fuzz/corpus"

deps:
	@scripts/install-deps.sh

ui: deps
	cd ui && npm run build

build: ui
	cargo build --workspace

run: build
	@scripts/run.sh "$(HUB)" "$(DESKTOP)"

dev: deps
	cd ui && (npm run dev &) && cd .. && cargo run -p parley-desktop --no-default-features

fmt:
	cargo fmt --all

lint: ui
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cd ui && npm run check

bindings:
	UPDATE_BINDINGS=1 cargo test -p parley-proto --test bindings
	UPDATE_BINDINGS=1 cargo test -p parley-sms --lib errors::tests::ui_table_is_current

# Rust tests on both engines: the store's contract suite runs each test on SQLite and
# PostgreSQL; the scenarios run once on each. A throwaway PostgreSQL cluster is started
# unless PARLEY_TEST_POSTGRES_URL names a server.
test-rust: ui
	scripts/with-postgres.sh bash -c 'cargo test --workspace && PARLEY_SCENARIO_ENGINE=postgres cargo test -p parley-scenarios'

test-ui: deps
	cd ui && npm test

test-browser: build
	cd tests/e2e && PARLEY_HUB_BIN="$(HUB)" node --test browser.test.mjs shift.test.mjs

test-desktop: build
	PARLEY_HUB_BIN="$(HUB)" PARLEY_DESKTOP_BIN="$(DESKTOP)" tests/e2e/run-desktop.sh
	PARLEY_DESKTOP_BIN="$(DESKTOP)" tests/e2e/run-desktop.sh --test tests/e2e/desktop-habits.test.mjs
	tests/e2e/run-desktop.sh -- cargo test -p parley-desktop --bin parley-desktop keychain -- --ignored

test-e2e: test-browser test-desktop

audit:
	scripts/audit.sh

test: lint audit test-rust test-ui test-e2e test-packages
	@echo "make test: all suites passed"

bundle: ui
	cd ui && npx tauri --version >/dev/null
	TAURI_APP_PATH=src-tauri TAURI_FRONTEND_PATH=ui ui/node_modules/.bin/tauri build --bundles deb,rpm

# The hub's Debian package, made with dpkg-deb from the release binary and ui/dist.
package-hub: ui
	cargo build --release -p parley-hub
	scripts/package-hub.sh --binary "$(TARGET_DIR)/release/parley-hub" --ui ui/dist --out "$(TARGET_DIR)/packages"

# Each package installed with apt in a fresh Debian 12 root (debootstrap, cached in
# ~/.cache/parley), then checked: files, the systemd unit, the hub running and stopping; the
# desktop app's entry, icons, libraries and sign-in screen under Xvfb. Part of `make test`.
test-packages: bundle package-hub
	$(AS_ROOT) tests/packages/hub-deb.test.sh "$(HUB_DEB)"
	$(AS_ROOT) tests/packages/desktop-deb.test.sh "$(DESKTOP_DEB)"

campaign:
	cargo build -p parley-scenarios --bins
	$(TARGET_DIR)/debug/parley-fault-campaign --kills $(KILLS) --engine sqlite
	scripts/with-postgres.sh $(TARGET_DIR)/debug/parley-fault-campaign --kills $(KILLS) --engine postgres

bench:
	scripts/with-postgres.sh cargo bench -p parley-scenarios --bench throughput --bench engines

# A contact center's volumes (1M messages, 100k contacts, 200 agents by default; about
# 10 minutes here): list, transcript and search latencies on each engine.
bench-volume:
	scripts/with-postgres.sh cargo bench -p parley-scenarios --bench volume

bench-ui: build
	cd tests/e2e && PARLEY_HUB_BIN="$(HUB)" node bench-transcript.mjs

bench-desktop: ui
	cargo build --release -p parley-desktop -p parley-blank-desktop -p parley-hub
	PARLEY_HUB_BIN="$(TARGET_DIR)/release/parley-hub" PARLEY_DESKTOP_BIN="$(TARGET_DIR)/release/parley-desktop" \
		PARLEY_BLANK_DESKTOP_BIN="$(TARGET_DIR)/release/parley-blank-desktop" \
		tests/e2e/run-desktop.sh tests/e2e/bench-desktop-memory.mjs

clean:
	cargo clean
	rm -rf ui/dist test-artifacts

# Each target in turn, from its seeds (read only) and what earlier runs found (under
# fuzz/target). A crash stops the run and leaves its input in fuzz/artifacts/TARGET/.
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	for target in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/target/corpus/$$target; \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$target fuzz/target/corpus/$$target fuzz/corpus/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 -malloc_limit_mb=64 -timeout=10; \
	done
