#!/usr/bin/env bash
# Builds the hub's Debian package, parley-hub_<version>_<arch>.deb, with dpkg-deb alone
# (dpkg-shlibdeps from dpkg-dev is used for Depends when it is there), from a release
# binary and the browser UI build. The packaging files are in packaging/hub/.
#
#   scripts/package-hub.sh [--binary PATH] [--ui DIR] [--out DIR] [--no-strip]
#
# Defaults: ${CARGO_TARGET_DIR:-target}/release/parley-hub, ui/dist, target/packages.
# PARLEY_DEB_MAINTAINER sets the Maintainer field ("Name <address>"; the default is a
# placeholder address, to be replaced by the project's real one).
# `make package-hub` builds both first. Prints the package's path on the last line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
target_dir=${CARGO_TARGET_DIR:-$repo/target}
binary=$target_dir/release/parley-hub
ui_dir=$repo/ui/dist
out_dir=$target_dir/packages
strip_binary=1

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while (($#)); do
  case "$1" in
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --ui) ui_dir=${2:?--ui needs a folder}; shift 2 ;;
    --out) out_dir=${2:?--out needs a folder}; shift 2 ;;
    --no-strip) strip_binary=; shift ;;
    -h | --help) usage ;;
    *) echo "package-hub.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

fail() { echo "package-hub.sh: $*" >&2; exit 1; }
[ -x "$binary" ] || fail "no hub binary at $binary (cargo build --release -p parley-hub, or --binary)"
[ -f "$ui_dir/index.html" ] || fail "no UI build in $ui_dir (make ui, or --ui)"
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing"

packaging=$repo/packaging/hub
# The workspace's version: the first `version = "…"` of [workspace.package].
version=$(awk '/^\[/ { section = $0 } section == "[workspace.package]" && /^version *=/ { gsub(/[" ]/, ""); sub(/^version=/, ""); print; exit }' Cargo.toml)
[ -n "$version" ] || fail "cannot read [workspace.package] version from Cargo.toml"
license=$(awk '/^\[/ { section = $0 } section == "[workspace.package]" && /^license *=/ { gsub(/[" ]/, ""); sub(/^license=/, ""); print; exit }' Cargo.toml)
[ "$license" = Apache-2.0 ] ||
  fail "the workspace's license is '$license', packaging/hub/copyright says Apache-2.0: update it"
arch=$(dpkg --print-architecture)
maintainer=${PARLEY_DEB_MAINTAINER:-Parley maintainers <maintainers@parley-sms.invalid>}
# Reproducible timestamps: the last commit's time (dpkg-deb clamps file times to it).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-package-hub.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
umask 022
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/parley" "$root/etc/parley" \
  "$root/lib/systemd/system" "$root/usr/share/doc/parley-hub/examples"

# The binary, without its symbol tables (Debian's practice; about a fifth of its size).
install -m 0755 "$binary" "$root/usr/bin/parley-hub"
if [ -n "$strip_binary" ]; then
  if command -v strip >/dev/null; then
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/parley-hub"
  else
    echo "package-hub.sh: strip (binutils) is missing; the binary is packaged with its symbols" >&2
  fi
fi

# The browser UI.
cp -r "$ui_dir" "$root/usr/share/parley/ui"
find "$root/usr/share/parley/ui" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +

# The configuration: the example with the package's defaults. Each replaced line must be in
# the example as written here, so a change there stops the build instead of passing unseen.
awk -v header="$(cat <<'EOF'
# /etc/parley/hub.toml: parley-hub's configuration, as the Debian package installs it.
# It is a conffile: your changes are kept on upgrade. After a change:
#   systemctl restart parley-hub
# Every key is described below and in /usr/share/doc/parley-hub/operations.md.gz.
#
# Package defaults: the simulated carrier, listening on loopback only, the database and
# pictures in /var/lib/parley (the service's state directory).
# - To reach the hub from other machines, put a TLS proxy in front of it, or set listen to
#   "0.0.0.0:8443" with [tls] below (ports below 1024 need a drop-in:
#   /usr/share/doc/parley-hub/examples/low-port.conf; TLS keys readable by root only:
#   examples/tls-credentials.conf). README.Debian explains both.
# - Secrets (the Twilio Auth Token, API key secret, a database password) go in
#   /etc/parley/hub.env (root only), as PARLEY_* variables, not here: the service's user
#   must be able to read this file, so everyone can.
EOF
)" '
  BEGIN { print header; print "" }
  function swap(old, new) {
    if ($0 == old) { print new; found[old] = 1; return 1 }
    return 0
  }
  {
    if (swap("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:8080\"")) next
    if (swap("database = \"sqlite:///var/lib/parley/parley.db\"", "database = \"sqlite:///var/lib/parley/parley.db\"")) next
    if (swap("public_url = \"https://sms.example.com\"", "# Not needed with the simulated carrier (default: http://<listen>).\n# public_url = \"https://sms.example.com\"")) next
    if (swap("ui_dir = \"/usr/share/parley/ui\"", "ui_dir = \"/usr/share/parley/ui\"")) next
    if (swap("provider = \"twilio\"", "# The package starts with the simulated carrier; set \"twilio\" and its [twilio] keys\n# (the Auth Token in /etc/parley/hub.env) when the account is ready.\nprovider = \"sim\"")) next
    if (swap("account_sid = \"ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "# account_sid = \"ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"")) next
    if (swap("auth_token = \"set-me-or-use-PARLEY_TWILIO_AUTH_TOKEN\"", "# auth_token: PARLEY_TWILIO_AUTH_TOKEN in /etc/parley/hub.env")) next
    if (swap("from = \"+12015550100\"", "# from = \"+12015550100\"")) next
    if (swap("# dir = \"/var/lib/parley/media\"", "dir = \"/var/lib/parley/media\"")) next
    print
  }
  END {
    for (old in found) seen++
    if (seen != 9) { print "parley-hub.example.toml changed: " 9 - seen " of the lines package-hub.sh replaces are gone" > "/dev/stderr"; exit 1 }
  }
' parley-hub.example.toml >"$root/etc/parley/hub.toml" || fail "cannot make hub.toml from parley-hub.example.toml"
install -m 0600 "$packaging/hub.env" "$root/etc/parley/hub.env"
printf '/etc/parley/hub.toml\n/etc/parley/hub.env\n' >"$root/DEBIAN/conffiles"

# The service.
install -m 0644 "$packaging/parley-hub.service" "$root/lib/systemd/system/parley-hub.service"

# Documentation: copyright, README.Debian, the operations guide, compressed as Debian does
# (gzip -9n) when over 4 kB; a changelog (changelog.gz: the version has no Debian revision,
# so this is a native package).
doc=$root/usr/share/doc/parley-hub
install -m 0644 "$packaging/copyright" "$doc/copyright"
install -m 0644 "$packaging/README.Debian" "$doc/README.Debian"
for page in operations twilio api; do
  install -m 0644 "docs/$page.md" "$doc/$page.md"
done
install -m 0644 "$packaging/examples/"*.conf "$doc/examples/"
install -m 0644 parley-hub.example.toml "$doc/examples/parley-hub.example.toml"
{
  echo "parley-hub ($version) unstable; urgency=medium"
  echo
  echo "  * Upstream release $version, packaged by scripts/package-hub.sh."
  echo
  echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} >"$doc/changelog"
find "$doc" -type f -size +4k ! -name copyright -exec gzip -9n {} +
gzip -9n "$doc/changelog"
# hub.env holds secrets: 0600 on purpose.
install -d "$root/usr/share/lintian/overrides"
echo "parley-hub: non-standard-file-perm 0600 != 0644 [etc/parley/hub.env]" >"$root/usr/share/lintian/overrides/parley-hub"
chmod 0644 "$root/usr/share/lintian/overrides/parley-hub"

# Maintainer scripts.
for script in postinst prerm postrm; do
  install -m 0755 "$packaging/$script" "$root/DEBIAN/$script"
done

# Depends: the shared libraries the binary needs, with the versions its symbols ask for
# (dpkg-shlibdeps reads the installed libraries' symbols files); without dpkg-dev, worked
# out from the binary's ELF notes. ca-certificates: TLS to Twilio checks the system's CAs.
depends=
if command -v dpkg-shlibdeps >/dev/null; then
  mkdir -p "$work/shlibs/debian"
  printf 'Source: parley-hub\n\nPackage: parley-hub\nArchitecture: any\n' >"$work/shlibs/debian/control"
  if line=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/parley-hub" 2>"$work/shlibdeps.err"); then
    depends=${line#shlibs:Depends=}
  else
    echo "package-hub.sh: dpkg-shlibdeps failed, working Depends out by hand:" >&2
    cat "$work/shlibdeps.err" >&2
  fi
fi
if [ -z "$depends" ]; then
  command -v objdump >/dev/null || fail "neither dpkg-shlibdeps nor objdump: cannot work out Depends"
  needed=$(objdump -p "$root/usr/bin/parley-hub" | awk '$1 == "NEEDED" { print $2 }')
  glibc=$(objdump -T "$root/usr/bin/parley-hub" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
  depends="libc6 (>= $glibc)"
  for library in $needed; do
    case "$library" in
      libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-linux*) ;;
      libgcc_s.so.1) depends="$depends, libgcc-s1" ;;
      *) fail "the binary needs $library, which package-hub.sh does not know the package of" ;;
    esac
  done
fi
depends="$depends, ca-certificates"

# As dpkg-gencontrol counts it (not du, which depends on the file system): each file's size
# rounded up to a KiB, and a KiB for each folder and link.
installed_size=$(cd "$root" && find . -path ./DEBIAN -prune -o ! -path . -printf '%y %s\n' |
  awk '$1 == "f" { total += int(($2 + 1023) / 1024); next } { total += 1 } END { print total }')
sed -e "s/@VERSION@/$version/" -e "s|@MAINTAINER@|$maintainer|" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
  -e "s/@INSTALLED_SIZE@/$installed_size/" "$packaging/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' |
  LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out_dir"
package=$out_dir/parley-hub_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >/dev/null
echo "package-hub.sh: $(basename "$package"): $(du -h "$package" | cut -f1) ($installed_size KiB installed); Depends: $depends" >&2
echo "$package"
