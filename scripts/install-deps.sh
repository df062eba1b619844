#!/usr/bin/env bash
# Installs what building and testing Parley needs on Debian/Ubuntu, skipping what is there:
# system packages (Tauri's WebKitGTK stack, Xvfb, D-Bus, a notification daemon, Chromium,
# PostgreSQL for the tests of the second engine, and for the package tests: debootstrap,
# desktop-file-validate, systemd-analyze, xprop, curl),
# the UI's and the end-to-end tests' npm packages, and tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config file libssl-dev libxdo-dev libwebkit2gtk-4.1-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  xvfb xauth webkit2gtk-driver dbus dbus-x11 at-spi2-core dunst xdotool imagemagick xdg-utils
  gnome-keyring
  chromium fonts-noto-color-emoji
  postgresql
  debootstrap desktop-file-utils systemd x11-utils curl
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for folder in ui tests/e2e; do
  stamp="$folder/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$folder/package-lock.json" -nt "$stamp" ]; then
    echo "==> npm ci in $folder"
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "==> cargo install tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
