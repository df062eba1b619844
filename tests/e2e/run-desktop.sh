#!/usr/bin/env bash
# Runs the desktop end-to-end test with what a real window needs: an X display (Xvfb) and
# a private D-Bus session (for the notification daemon and dbus-monitor the test starts,
# and a keychain: see in-session.sh).
# From anywhere:  PARLEY_DESKTOP_BIN=target/debug/parley-desktop tests/e2e/run-desktop.sh
# With arguments, runs node with them instead (the desktop benchmarks, other tests); after
# `--`, any command (the keychain's Rust test).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# tauri-driver is installed with `cargo install`; find it there as the Makefile does.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

for tool in dbus-run-session xvfb-run node gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run-desktop.sh: '$tool' is missing (Debian: dbus, xvfb, nodejs, gnome-keyring)" >&2
    exit 1
  fi
done

# WebKitGTK's DMA-BUF renderer fails or wastes memory under Xvfb.
export WEBKIT_DISABLE_DMABUF_RENDERER=1

in_session=tests/e2e/in-session.sh
if [ "${1:-}" = "--" ]; then
  shift
  exec dbus-run-session -- "$in_session" "$@"
fi
if [ "$#" -gt 0 ]; then
  exec dbus-run-session -- "$in_session" node "$@"
fi
exec dbus-run-session -- "$in_session" node --test tests/e2e/desktop.test.mjs
