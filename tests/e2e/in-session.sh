#!/usr/bin/env bash
# Inside the desktop tests' private D-Bus session (run-desktop.sh starts it): a keychain
# (gnome-keyring's Secret Service, with an unlocked "login" keyring of its own in a
# throwaway folder, so "Stay signed in" is kept as on an agent's desktop), then the command
# on an X display (Xvfb).
set -euo pipefail

keyrings=$(mktemp -d)
trap 'kill "${keyring_pid:-0}" 2>/dev/null || true; rm -rf "$keyrings"' EXIT
mkdir -p "$keyrings/keyrings"
# An empty password keeps the keyring unencrypted and unlocked: no one to type it here.
printf '[keyring]\ndisplay-name=Login\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n' \
  > "$keyrings/keyrings/login.keyring"
printf 'login' > "$keyrings/keyrings/default"
XDG_DATA_HOME="$keyrings" gnome-keyring-daemon --foreground --components=secrets >/dev/null 2>&1 &
keyring_pid=$!
for _ in $(seq 50); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
  sleep 0.1
done

xvfb-run -a -s "-screen 0 1280x800x24" "$@"
