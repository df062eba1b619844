#!/usr/bin/env bash
# Runs the desktop end-to-end test with what a real window needs: an X display (Xvfb) and
# a private D-Bus session (for the notification daemon and dbus-monitor the test starts).
# From anywhere:  PARLEY_DESKTOP_BIN=target/debug/parley-desktop tests/e2e/run-desktop.sh
# With arguments, runs that node script instead (the desktop benchmarks).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# tauri-driver is installed with `cargo install`; find it there as the Makefile does.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

for tool in dbus-run-session xvfb-run node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run-desktop.sh: '$tool' is missing (Debian: dbus, xvfb, nodejs)" >&2
    exit 1
  fi
done

# WebKitGTK's DMA-BUF renderer fails or wastes memory under Xvfb.
export WEBKIT_DISABLE_DMABUF_RENDERER=1

if [ "$#" -gt 0 ]; then
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" node "$@"
fi
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" node --test tests/e2e/desktop.test.mjs
