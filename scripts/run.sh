#!/usr/bin/env bash
# `make run`: the hub on the embedded default (SQLite file under data/, the simulated
# carrier, demo agent `demo` / `demo` and demo contacts) and the desktop app signed in to it.
set -euo pipefail
cd "$(dirname "$0")/.."
hub_bin=$1
desktop_bin=$2
export PARLEY_DATABASE=${PARLEY_DATABASE:-data/parley.db}
export PARLEY_UI_DIR=${PARLEY_UI_DIR:-ui/dist}
listen=${PARLEY_LISTEN:-127.0.0.1:8080}
export PARLEY_LISTEN=$listen
mkdir -p data
if curl -fsS "http://$listen/healthz" >/dev/null 2>&1; then
  echo "Something already answers on $listen (another Parley hub?). Stop it, or set PARLEY_LISTEN=127.0.0.1:8081." >&2
  exit 1
fi
"$hub_bin" serve --demo > data/hub.log 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  kill -0 $hub 2>/dev/null || { cat data/hub.log >&2; exit 1; }
  curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
cat <<MSG
Parley hub:   http://$listen   (browser UI; log in data/hub.log)
Sign in:      login demo, password demo — then set yourself Ready.
A customer texts you (run in another terminal):
  $hub_bin simulate inbound --from +12015550101 --body "Hi, where is my order?"
With a picture (and a broken one):
  $hub_bin simulate inbound --from +12015550101 --body "The box" --media photo.jpg --media corrupt.jpg
Numbers that act out what goes wrong: +15005550010 (landline), +15005550014 (fails once, Retry
delivers); see docs/operations.md.
What the carrier sent:
  $hub_bin simulate outbox
MSG
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  "$desktop_bin"
else
  echo "No display: open http://$listen in a browser. Ctrl-C stops the hub."
  wait $hub
fi
