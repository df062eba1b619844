#!/usr/bin/env bash
# Installs the desktop app's Debian package (Tauri's, from `make bundle`) in a fresh,
# minimal Debian 12 root the way an administrator would (apt brings WebKitGTK and the rest
# from the mirror), checks its desktop entry, icons and libraries, then starts the
# installed app as an ordinary user with an empty home under Xvfb, and waits for its
# sign-in screen: the window "Parley" on the display, and a screenshot of it that is not
# blank. The screenshot is kept in test-artifacts/desktop-deb-signin.png.
#
#   tests/packages/desktop-deb.test.sh target/release/bundle/deb/Parley_<version>_<arch>.deb
#
# Needs root (chroot, mounts), network access to deb.debian.org, and on the host:
# debootstrap, desktop-file-validate (desktop-file-utils), xdotool, xprop (x11-utils),
# ImageMagick's import and identify (scripts/install-deps.sh). PARLEY_KEEP_ROOT=1 keeps the root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
TEST_NAME=desktop-deb.test.sh
# shellcheck source=tests/packages/debian-root.sh
source "$here/debian-root.sh"
# shellcheck source=tests/packages/checks.sh
source "$here/checks.sh"

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 Parley_<version>_<arch>.deb" >&2
  exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "$TEST_NAME: needs root (chroot, mount)" >&2; exit 2; }
for tool in desktop-file-validate xdotool xprop import identify dpkg-deb; do
  command -v "$tool" >/dev/null ||
    { echo "$TEST_NAME: '$tool' is missing (scripts/install-deps.sh: desktop-file-utils, xdotool, x11-utils, imagemagick)" >&2; exit 2; }
done

package=$(realpath "$1")
artifacts=$repo/test-artifacts
screenshot=$artifacts/desktop-deb-signin.png
work=$(mktemp -d "${TMPDIR:-/tmp}/parley-desktop-deb.XXXXXX")
# The X server's socket folder: the root's /tmp/.X11-unix is this host folder, so the
# socket is reachable from both sides (and the host's own /tmp/.X11-unix is left alone).
x11_dir=$work/x11
mkdir -m 1777 "$x11_dir"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local status=$?
  debian_root_cleanup || status=1
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

deb_name=$(basename "$package")
size=$(stat -c %s "$package")
printf '%s: %s (%s %s), %s bytes (%s MiB), Installed-Size %s KiB\n' "$TEST_NAME" "$deb_name" \
  "$(dpkg-deb -f "$package" Version)" "$(dpkg-deb -f "$package" Architecture)" "$size" \
  "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')" "$(dpkg-deb -f "$package" Installed-Size)"
info "Package: $(dpkg-deb -f "$package" Package); Depends: $(dpkg-deb -f "$package" Depends)"

step "a fresh Debian $DEBIAN_ROOT_SUITE root"
debian_root_new || die "cannot make the Debian root"
debian_root_mount || die "cannot mount /proc, /dev, /sys in the root"
debian_root_bind "$x11_dir" /tmp/.X11-unix || die "cannot bind the X socket folder"
R=$DEBIAN_ROOT
pass "root in $R"

step "apt-get install --no-install-recommends ./$deb_name xvfb dbus"
# Without Recommends, so the package's Depends alone must be enough to run it (and ~240
# packages unpack rather than ~460). xvfb for a display; dbus for the session bus the app
# asks for (notifications, portals, accessibility), under dbus-run-session. Xvfb is started
# directly, so xvfb-run's xauth is not needed.
cp "$package" "$R/tmp/"
if ! debian_root_apt update -qq >"$work/apt-update.log" 2>&1; then
  tail -n 20 "$work/apt-update.log"
  die "apt-get update in the root"
fi
if debian_root_apt install -y --no-install-recommends "/tmp/$deb_name" xvfb dbus >"$work/apt-install.log" 2>&1; then
  pass "apt-get install -y --no-install-recommends ./$deb_name xvfb dbus (Depends from the mirror)"
  info "$(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$work/apt-install.log"); $(grep -E '^Need to get' "$work/apt-install.log" || echo 'nothing downloaded')"
else
  tail -n 30 "$work/apt-install.log"
  die "apt-get install of the package"
fi
name=$(dpkg-deb -f "$package" Package)
# shellcheck disable=SC2016 # dpkg-query's own ${…} fields
status=$(debian_root_run dpkg-query -W -f='${Status}' "$name" 2>/dev/null || true)
check "dpkg: $name is '$status'" [ "$status" = "install ok installed" ]
if grep -Ei '^(E:|dpkg: (error|warning))' "$work/apt-install.log"; then
  fail "apt/dpkg printed errors (above)"
else
  pass "no apt or dpkg errors"
fi

step "desktop entry, icons, libraries"
mapfile -t entries < <(cd "$R" && debian_root_run dpkg-query -L "$name" | grep -E '^/usr/share/applications/[^/]+\.desktop$')
check "the package installs a desktop entry (${entries[*]:-none})" [ "${#entries[@]}" -ge 1 ]
icon=
exec_name=
wm_class=
for entry in "${entries[@]}"; do
  if out=$(desktop-file-validate "$R$entry" 2>&1) && [ -z "$out" ]; then
    pass "desktop-file-validate $entry"
  else
    printf '%s\n' "$out" | sed "s|$R||; s/^/        /"
    fail "desktop-file-validate $entry"
  fi
  icon=$(sed -n 's/^Icon=//p' "$R$entry" | head -n 1)
  exec_name=$(sed -n 's/^Exec=//p' "$R$entry" | head -n 1 | awk '{ print $1 }')
  wm_class=$(sed -n 's/^StartupWMClass=//p' "$R$entry" | head -n 1)
  info "$entry: Name=$(sed -n 's/^Name=//p' "$R$entry" | head -n 1) Exec=$exec_name Icon=$icon StartupWMClass=$wm_class"
done
binary=
if [ -n "$exec_name" ]; then
  binary=$(debian_root_run sh -c "command -v '$exec_name'" || true)
  check "Exec=$exec_name is on the PATH: ${binary:-not found}" [ -n "$binary" ]
fi
binary=${binary:-/usr/bin/parley-desktop}
# Icons: every hicolor size the package puts its icon in, each checked against the theme's
# index (a folder it does not list is never looked in) and against its pixel size.
sizes=()
if [ -n "$icon" ]; then
  index=$R/usr/share/icons/hicolor/index.theme
  listed=$(sed -n 's/^\(Scaled\)\{0,1\}Directories=//p' "$index" | tr ',' '\n')
  for file in "$R"/usr/share/icons/hicolor/*/apps/"$icon".png "$R"/usr/share/icons/hicolor/*/apps/"$icon".svg; do
    [ -e "$file" ] || continue
    folder=${file#"$R"/usr/share/icons/hicolor/}
    folder=${folder%/apps/*}
    sizes+=("$folder")
    if ! grep -qx "$folder/apps" <<<"$listed"; then
      fail "icon $folder/apps/$(basename "$file"): hicolor's index.theme has no $folder/apps, so it is never used"
      continue
    fi
    case "$file" in *.svg) pass "icon $folder/apps/$(basename "$file") (scalable)"; continue ;; esac
    pixels=$(identify -format '%wx%h' "$file" 2>/dev/null || echo unreadable)
    # NxN@S holds NxN icons at scale S: (N*S)x(N*S) pixels.
    nominal=${folder%@*}
    scale=1
    [ "$folder" = "$nominal" ] || scale=${folder#*@}
    expected=$((${nominal%x*} * scale))x$((${nominal#*x} * scale))
    if [ "$pixels" = "$expected" ]; then
      pass "icon $folder/apps/$(basename "$file"): $pixels"
    else
      # Reported, not failed: the image is used, only scaled (Tauri puts its 128x128@2x
      # picture, 256 pixels, in 256x256@2, which means 512 pixels).
      info "WARNING icon $folder/apps/$(basename "$file") is $pixels; a $folder icon should be $expected pixels"
    fi
  done
  check "the icon '$icon' is in the hicolor theme (sizes: ${sizes[*]:-none})" [ "${#sizes[@]}" -ge 1 ]
  missing=()
  for common in 16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512; do
    [[ " ${sizes[*]} " == *" $common "* ]] || missing+=("$common")
  done
  info "icon sizes present: ${sizes[*]:-none}; common sizes missing: ${missing[*]:-none}"
fi
unresolved=$(debian_root_run ldd "$binary" 2>&1 | grep 'not found' || true)
check "ldd $binary: every library found${unresolved:+ ($(tr -s ' \t\n' ' ' <<<"$unresolved"))}" [ -z "$unresolved" ]

step "start the installed app under Xvfb, as an ordinary user with an empty home"
(debian_root_exec Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp >"$work/display" 2>"$work/xvfb.log") &
xvfb_pid=$!
display=
for _ in $(seq 1 100); do
  display=$(head -n 1 "$work/display" 2>/dev/null || true)
  [ -n "$display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$display" ]; then
  tail -n 20 "$work/xvfb.log"
  die "Xvfb did not start"
fi
pass "Xvfb on display :$display"
export DISPLAY=:$display
uid=4242
debian_root_run useradd --uid "$uid" --user-group --no-create-home --home-dir /home/agent --shell /bin/sh agent
install -d -m 0700 -o "$uid" -g "$uid" "$R/home/agent"
check "HOME /home/agent is empty" [ -z "$(ls -A "$R/home/agent")" ]
# The admin's policy, where the installed app looks for it: the hub, locked.
install -d "$R/etc/parley"
printf 'hub_url = "https://hub.example.com"\nlock_hub_url = true\n' > "$R/etc/parley/desktop.toml"
app_start=$SECONDS
(debian_root_exec setpriv --reuid="$uid" --regid="$uid" --init-groups \
  env HOME=/home/agent USER=agent LOGNAME=agent DISPLAY=":$display" PARLEY_LOG=info \
  dbus-run-session -- "$binary" >"$work/app.log" 2>&1) &
app_pid=$!

# 1. The app's own line.
started=
while ((SECONDS - app_start < 60)); do
  if grep -q 'Parley desktop starting' "$work/app.log"; then started=1; break; fi
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -n "$started" ]; then
  pass "the app logged 'Parley desktop starting' after $((SECONDS - app_start)) s"
else
  tail -n 30 "$work/app.log"
  die "no 'Parley desktop starting' in the app's log within 60 s"
fi
# The policy read from /etc/parley/desktop.toml.
for _ in $(seq 1 20); do
  grep -q 'desktop policy' "$work/app.log" && break
  sleep 0.5
done
check "the app read /etc/parley/desktop.toml (the hub, locked)" \
  grep -q 'desktop policy.*hub_url: Some("https://hub.example.com").*lock_hub_url: true' "$work/app.log"
# 2. Its window, mapped.
window=
while ((SECONDS - app_start < 60)); do
  window=$(xdotool search --onlyvisible --name '^Parley$' 2>/dev/null | head -n 1 || true)
  [ -n "$window" ] && break
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -n "$window" ]; then
  pass "a visible window titled 'Parley' ($window, $(xdotool getwindowgeometry "$window" | sed -n 's/ *Geometry: //p'))"
else
  tail -n 30 "$work/app.log"
  die "no visible window titled 'Parley' within 60 s"
fi
if [ -n "$wm_class" ]; then
  class=$(xprop -id "$window" WM_CLASS 2>/dev/null | sed 's/^WM_CLASS(STRING) = //')
  check "its WM_CLASS ($class) matches the entry's StartupWMClass=$wm_class" grep -qi "\"$wm_class\"" <<<"$class"
fi
# 3. The web view drew the sign-in card: a screenshot of many colours (a blank or
# single-colour window has a handful; the card's text and fields, hundreds).
mkdir -p "$artifacts"
colours=0
while ((SECONDS - app_start < 60)); do
  if import -window root -display ":$display" "png:$work/screen.png" 2>/dev/null; then
    colours=$(identify -format '%k' "$work/screen.png" 2>/dev/null || echo 0)
    ((colours > 50)) && break
  fi
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 1
done
# The picture kept for a human: a second later, once anything still loading has settled.
if ((colours > 50)); then
  sleep 1
  import -window root -display ":$display" "png:$work/screen.png" 2>/dev/null &&
    colours=$(identify -format '%k' "$work/screen.png" 2>/dev/null || echo 0)
fi
[ -f "$work/screen.png" ] && cp "$work/screen.png" "$screenshot"
check "the screen shows the sign-in screen: $colours colours (more than 50), after $((SECONDS - app_start)) s; saved as ${screenshot#"$repo"/}" \
  [ "$colours" -gt 50 ]
if grep -q panicked "$work/app.log"; then
  grep -A5 panicked "$work/app.log" | sed 's/^/        /'
  fail "the app panicked (above)"
else
  pass "no panic in the app's log"
fi
if grep -E " ERROR " "$work/app.log" >"$work/app-errors.log"; then
  sed 's/^/        /' "$work/app-errors.log" | head -n 20
  info "ERROR lines in the app's log (above)"
fi

step "stop the app and the display"
check "the app is still running" kill -0 "$app_pid"
kill -TERM "$app_pid" 2>/dev/null || true
stopped=
for _ in $(seq 1 100); do
  kill -0 "$app_pid" 2>/dev/null || { stopped=1; break; }
  sleep 0.1
done
check "the app is gone within 10 s of SIGTERM" [ -n "$stopped" ]
kill -TERM "$xvfb_pid" 2>/dev/null || true
wait "$xvfb_pid" 2>/dev/null || true
pass "Xvfb stopped"

summary
