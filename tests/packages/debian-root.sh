#!/usr/bin/env bash
# A throwaway Debian 12 (bookworm) root for the package tests: `debootstrap --variant=minbase`
# once, kept as a tarball in ${XDG_CACHE_HOME:-~/.cache}/parley/, then a fresh copy of it
# for each test, unpacked into a temporary folder and removed afterwards.
#
# Sourced by tests/packages/*.test.sh, which call:
#   debian_root_new              unpack a fresh root; sets DEBIAN_ROOT
#   debian_root_mount            /proc, /dev (+ its own /dev/pts, /dev/shm), /sys read-only,
#                                resolv.conf, and the shared APT download cache
#   debian_root_bind SRC DEST    bind-mount a host folder at DEST inside the root
#   debian_root_run CMD…         run CMD in the root (chroot, clean environment)
#   debian_root_exec CMD…        the same, exec'd: `( debian_root_exec CMD ) &` gives CMD's pid in $!
#   debian_root_apt ARGS…        apt-get ARGS in the root (one at a time: the download cache is shared)
#   debian_root_cleanup          kill what runs in the root, unmount, remove it (for a trap)
# Run directly, it only makes (or with --refresh remakes) the cached tarball and prints its path.
#
# Needs root (chroot, mount) and debootstrap (scripts/install-deps.sh installs it).
# PARLEY_DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
# The cached tarball is remade when older than PARLEY_DEBIAN_ROOT_MAX_AGE_DAYS (30).

DEBIAN_ROOT_SUITE=bookworm
DEBIAN_ROOT_MIRROR=${PARLEY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_ROOT_CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/parley
DEBIAN_ROOT_TARBALL=$DEBIAN_ROOT_CACHE_DIR/debian-$DEBIAN_ROOT_SUITE-minbase.tar
# Packages apt downloads inside the roots, kept between runs (the desktop test's WebKitGTK
# stack is about 100 MB); apt-get keeps what it downloaded, and removes nothing by itself.
DEBIAN_ROOT_APT_CACHE=$DEBIAN_ROOT_CACHE_DIR/debian-$DEBIAN_ROOT_SUITE-apt-archives
DEBIAN_ROOT=

_debian_root_log() { echo "[debian-root] $*" >&2; }

# Makes the tarball unless a recent one is there. Locked, so tests started together make it once.
debian_root_cache() {
  local refresh=${1:-}
  mkdir -p "$DEBIAN_ROOT_CACHE_DIR"
  (
    flock 9
    local max_age=${PARLEY_DEBIAN_ROOT_MAX_AGE_DAYS:-30}
    if [ -z "$refresh" ] && [ -s "$DEBIAN_ROOT_TARBALL" ] &&
      [ -z "$(find "$DEBIAN_ROOT_TARBALL" -mtime +"$max_age" 2>/dev/null)" ]; then
      exit 0
    fi
    if ! command -v debootstrap >/dev/null 2>&1; then
      _debian_root_log "debootstrap is missing: installing it (Debian package debootstrap)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2 ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2; } ||
        exit 1
    fi
    local build
    build=$(mktemp -d "${TMPDIR:-/tmp}/parley-debootstrap.XXXXXX")
    # debootstrap mounts /proc (and /sys) in the target while it runs: unmount on the way out.
    trap '_debian_root_unmount_all "$build"; rm -rf --one-file-system "$build"' EXIT
    local start=$SECONDS
    _debian_root_log "debootstrap --variant=minbase $DEBIAN_ROOT_SUITE from $DEBIAN_ROOT_MIRROR (once; cached in $DEBIAN_ROOT_TARBALL)"
    if ! debootstrap --variant=minbase "$DEBIAN_ROOT_SUITE" "$build/root" "$DEBIAN_ROOT_MIRROR" >"$build/debootstrap.log" 2>&1; then
      tail -n 30 "$build/debootstrap.log" >&2
      [ -f "$build/root/debootstrap/debootstrap.log" ] && tail -n 30 "$build/root/debootstrap/debootstrap.log" >&2
      _debian_root_log "debootstrap failed"
      exit 1
    fi
    local root=$build/root
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
    _debian_root_unmount_all "$root"
    tar --numeric-owner --xattrs -C "$root" -cf "$DEBIAN_ROOT_TARBALL.tmp" . &&
      mv "$DEBIAN_ROOT_TARBALL.tmp" "$DEBIAN_ROOT_TARBALL"
    _debian_root_log "made $DEBIAN_ROOT_TARBALL ($(du -h "$DEBIAN_ROOT_TARBALL" | cut -f1)) in $((SECONDS - start)) s"
  ) 9>"$DEBIAN_ROOT_CACHE_DIR/debian-root.lock"
}

debian_root_new() {
  debian_root_cache || return 1
  DEBIAN_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/parley-root.XXXXXX") || return 1
  local start=$SECONDS
  tar --numeric-owner --xattrs -C "$DEBIAN_ROOT" -xf "$DEBIAN_ROOT_TARBALL" || return 1
  chmod 0755 "$DEBIAN_ROOT"
  _debian_root_configure "$DEBIAN_ROOT" || return 1
  _debian_root_log "fresh root in $DEBIAN_ROOT ($((SECONDS - start)) s to unpack)"
}

# What a test root has beyond debootstrap's output (written into each copy, so changing it
# needs no new tarball).
_debian_root_configure() {
  local root=$1
  # The release, its updates and security updates, as on an installed system.
  cat >"$root/etc/apt/sources.list" <<EOF
deb $DEBIAN_ROOT_MIRROR $DEBIAN_ROOT_SUITE main
deb $DEBIAN_ROOT_MIRROR $DEBIAN_ROOT_SUITE-updates main
deb ${DEBIAN_ROOT_MIRROR%/debian}/debian-security $DEBIAN_ROOT_SUITE-security main
EOF
  # No service is started by a package's maintainer scripts inside the root (Debian's
  # policy-rc.d convention, which deb-systemd-invoke and invoke-rc.d honour).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  printf 'Acquire::Languages "none";\nAcquire::Retries "3";\nAPT::Keep-Downloaded-Packages "true";\n' \
    >"$root/etc/apt/apt.conf.d/90parley-test"
  # The root is thrown away: dpkg need not fsync each file (the desktop's ~450 packages
  # unpack several times faster).
  echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/90parley-test"
}

# Bind-mounts SRC at DEST (a path inside the root), private, so nothing mounted or unmounted
# under it reaches the host.
debian_root_bind() {
  local src=$1 dest=$DEBIAN_ROOT$2
  shift 2
  if [ -d "$src" ]; then mkdir -p "$dest"; else mkdir -p "$(dirname "$dest")" && touch "$dest"; fi
  mount --bind "$src" "$dest" && mount --make-private "$dest" || return 1
  if [ "${1:-}" = ro ]; then mount -o remount,bind,ro "$dest" || return 1; fi
}

debian_root_mount() {
  local r=$DEBIAN_ROOT
  mount -t proc proc "$r/proc" || return 1
  debian_root_bind /dev /dev || return 1
  # A private pseudo-terminal instance and shared memory of its own, not the host's.
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$r/dev/pts" || return 1
  mount -t tmpfs -o mode=1777,size=256m tmpfs "$r/dev/shm" || return 1
  debian_root_bind /sys /sys ro || return 1
  # Name resolution for apt (deb.debian.org).
  cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
  mkdir -p "$DEBIAN_ROOT_APT_CACHE/partial"
  debian_root_bind "$DEBIAN_ROOT_APT_CACHE" /var/cache/apt/archives || return 1
}

# Runs a command inside the root with a clean environment; NAME=value words before the
# command add to it (debian_root_run FOO=1 cmd …).
debian_root_run() {
  chroot "$DEBIAN_ROOT" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb "$@"
}

# apt-get in the root, one at a time on this machine: the roots share the download cache,
# whose lock apt takes without waiting.
debian_root_apt() {
  flock "$DEBIAN_ROOT_CACHE_DIR/apt.lock" chroot "$DEBIAN_ROOT" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb apt-get "$@"
}

# The same, replacing the calling (sub)shell, for `( debian_root_exec … ) &`: $! is then the
# command itself (through chroot, env and any exec), so it can be signalled and waited for.
debian_root_exec() {
  exec chroot "$DEBIAN_ROOT" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb "$@"
}

# Every mount point at or under DIR, deepest first.
_debian_root_mounts_under() {
  local dir
  dir=$(realpath -m "$1")
  awk -v d="$dir" '{ p = $5; gsub(/\\040/, " ", p); if (p == d || index(p, d "/") == 1) print p }' /proc/self/mountinfo |
    awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-
}

_debian_root_unmount_all() {
  local dir=$1 mount_point
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  for _ in 1 2 3; do
    while IFS= read -r mount_point; do
      [ "$mount_point" = "$(realpath -m "$dir")" ] && continue
      umount "$mount_point" 2>/dev/null || umount -l "$mount_point" 2>/dev/null || true
    done < <(_debian_root_mounts_under "$dir")
    _debian_root_mounts_under "$dir" | grep -qvx "$(realpath -m "$dir")" || return 0
    sleep 1
  done
  return 1
}

# Processes whose root directory is inside the root (what the test started there).
debian_root_pids() {
  local proc root
  [ -n "$DEBIAN_ROOT" ] || return 0
  for proc in /proc/[0-9]*; do
    root=$(readlink "$proc/root" 2>/dev/null) || continue
    case "$root" in "$DEBIAN_ROOT" | "$DEBIAN_ROOT"/*) echo "${proc#/proc/}" ;; esac
  done
}

debian_root_cleanup() {
  [ -n "$DEBIAN_ROOT" ] && [ -d "$DEBIAN_ROOT" ] || return 0
  # Drop superseded versions from the shared download cache (it would only grow).
  if mountpoint -q "$DEBIAN_ROOT/var/cache/apt/archives" 2>/dev/null &&
    compgen -G "$DEBIAN_ROOT/var/lib/apt/lists/*_Packages*" >/dev/null; then
    debian_root_apt autoclean -qq >/dev/null 2>&1 || true
  fi
  local pids
  pids=$(debian_root_pids)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    sleep 2
    pids=$(debian_root_pids)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  fi
  if ! _debian_root_unmount_all "$DEBIAN_ROOT"; then
    _debian_root_log "still mounted under $DEBIAN_ROOT; NOT removing it:"
    _debian_root_mounts_under "$DEBIAN_ROOT" >&2
    return 1
  fi
  if [ -n "${PARLEY_KEEP_ROOT:-}" ]; then
    _debian_root_log "kept $DEBIAN_ROOT (PARLEY_KEEP_ROOT)"
  else
    rm -rf --one-file-system "$DEBIAN_ROOT"
  fi
  DEBIAN_ROOT=
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    "") debian_root_cache ;;
    --refresh) debian_root_cache refresh ;;
    *) echo "usage: $0 [--refresh]   (makes the cached Debian root tarball)" >&2; exit 2 ;;
  esac
  echo "$DEBIAN_ROOT_TARBALL"
fi
