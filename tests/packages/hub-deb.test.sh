#!/usr/bin/env bash
# Installs the hub's Debian package in a fresh, minimal Debian 12 root the way an
# administrator would (apt resolves its dependencies from the mirror), then checks its
# files, its systemd unit (systemd-analyze verify, and that verify catches a broken copy),
# prints the unit's sandbox score, runs the installed hub as an unprivileged user the way
# the unit would (migrate, serve, /healthz, /readyz, the UI, SIGTERM), and removes and
# purges the package.
#
#   tests/packages/hub-deb.test.sh target/packages/parley-hub_<version>_<arch>.deb
#
# Needs root (chroot, mounts), network access to deb.debian.org, debootstrap, curl, and
# systemd-analyze on the host (scripts/install-deps.sh). PARLEY_KEEP_ROOT=1 keeps the root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST_NAME=hub-deb.test.sh
# shellcheck source=tests/packages/debian-root.sh
source "$here/debian-root.sh"
# shellcheck source=tests/packages/checks.sh
source "$here/checks.sh"

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 parley-hub_<version>_<arch>.deb" >&2
  exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "$TEST_NAME: needs root (chroot, mount)" >&2; exit 2; }
for tool in curl systemd-analyze dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "$TEST_NAME: '$tool' is missing (scripts/install-deps.sh)" >&2; exit 2; }
done

package=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/parley-hub-deb.XXXXXX")
hub_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local status=$?
  if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then kill -KILL "$hub_pid" 2>/dev/null || true; fi
  debian_root_cleanup || status=1
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version=$(dpkg-deb -f "$package" Version)
arch=$(dpkg-deb -f "$package" Architecture)
size=$(stat -c %s "$package")
printf '%s: %s (%s %s), %s bytes (%s MiB), Installed-Size %s KiB\n' "$TEST_NAME" "$(basename "$package")" \
  "$version" "$arch" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')" \
  "$(dpkg-deb -f "$package" Installed-Size)"
info "Depends: $(dpkg-deb -f "$package" Depends)"

step "a fresh Debian $DEBIAN_ROOT_SUITE root"
debian_root_new || die "cannot make the Debian root"
debian_root_mount || die "cannot mount /proc, /dev, /sys in the root"
R=$DEBIAN_ROOT
pass "root in $R"

step "apt-get install --no-install-recommends ./$(basename "$package")"
# Without Recommends: the package's Depends alone must be enough.
cp "$package" "$R/tmp/"
if ! debian_root_apt update -qq >"$work/apt-update.log" 2>&1; then
  tail -n 20 "$work/apt-update.log"
  die "apt-get update in the root"
fi
if debian_root_apt install -y --no-install-recommends "/tmp/$(basename "$package")" >"$work/apt-install.log" 2>&1; then
  pass "apt-get install -y --no-install-recommends ./$(basename "$package") (Depends from the mirror)"
  info "installed with it: $(sed -n '/^The following NEW packages will be installed:/,/^[0-9]* upgraded/p' "$work/apt-install.log" |
    sed '1d;$d' | tr -s ' \n' ' ' | sed 's/^ //')"
else
  tail -n 30 "$work/apt-install.log"
  die "apt-get install of the package"
fi
# shellcheck disable=SC2016 # dpkg-query's own ${…} fields
status=$(debian_root_run dpkg-query -W -f='${Status}' parley-hub 2>/dev/null || true)
check "dpkg: parley-hub is '$status'" [ "$status" = "install ok installed" ]
if grep -Ei '^(E:|W:|dpkg: (error|warning))' "$work/apt-install.log"; then
  fail "apt/dpkg printed warnings or errors (above)"
else
  pass "no apt or dpkg warnings"
fi

step "files"
expect_file() { # path [mode]
  local path=$1 mode=${2:-}
  if [ ! -e "$R$path" ]; then
    fail "$path is missing"
  elif [ -n "$mode" ] && [ "$(stat -c %a "$R$path")" != "$mode" ]; then
    fail "$path has mode $(stat -c %a "$R$path"), not $mode"
  else
    pass "$path${mode:+ (mode $mode)}"
  fi
}
expect_file /usr/bin/parley-hub 755
expect_file /usr/share/parley/ui/index.html 644
expect_file /etc/parley/hub.toml 644
expect_file /etc/parley/hub.env 600
expect_file /lib/systemd/system/parley-hub.service 644
for doc in copyright README.Debian.gz changelog.gz operations.md.gz twilio.md.gz api.md.gz \
  examples/low-port.conf examples/tls-credentials.conf; do
  expect_file "/usr/share/doc/parley-hub/$doc"
done
check "copyright names the Apache-2.0 license" grep -q '^License: Apache-2.0' "$R/usr/share/doc/parley-hub/copyright"
# Every script and stylesheet index.html refers to is in the package.
missing_assets=
while IFS= read -r asset; do
  [ -f "$R/usr/share/parley/ui/$asset" ] || missing_assets="$missing_assets $asset"
done < <(grep -oE '(src|href)="\./[^"]+"' "$R/usr/share/parley/ui/index.html" | sed -E 's/^(src|href)="\.\///; s/"$//')
check "the UI's assets named in index.html are installed${missing_assets:+ (missing:$missing_assets)}" [ -z "$missing_assets" ]
# shellcheck disable=SC2016
conffiles=$(debian_root_run dpkg-query -W -f='${Conffiles}' parley-hub)
check "conffiles: /etc/parley/hub.toml" grep -q '^ /etc/parley/hub.toml ' <<<"$conffiles"
check "conffiles: /etc/parley/hub.env" grep -q '^ /etc/parley/hub.env ' <<<"$conffiles"
toml=$R/etc/parley/hub.toml
for line in 'listen = "127.0.0.1:8080"' 'database = "sqlite:///var/lib/parley/parley.db"' \
  'ui_dir = "/usr/share/parley/ui"' 'provider = "sim"' 'dir = "/var/lib/parley/media"'; do
  check "hub.toml: $line" grep -qxF "$line" "$toml"
done
check "hub.toml holds no secret (auth_token, api_key_secret unset)" \
  bash -c "! grep -Eq '^(auth_token|api_key_secret|metrics_token) *=' '$toml'"
reported=$(debian_root_run /usr/bin/parley-hub --version 2>&1 || true)
check "parley-hub --version in the root: '$reported'" grep -q "$version" <<<"$reported"
unresolved=$(debian_root_run ldd /usr/bin/parley-hub 2>&1 | grep 'not found' || true)
check "ldd /usr/bin/parley-hub: every library found${unresolved:+ ($unresolved)}" [ -z "$unresolved" ]
wants=$R/etc/systemd/system/multi-user.target.wants/parley-hub.service
check "postinst enabled the service (multi-user.target.wants link, made without systemd running)" \
  [ "$(readlink "$wants" 2>/dev/null)" = /lib/systemd/system/parley-hub.service ]

step "systemd-analyze verify (systemd installed in the root for its units)"
# The root is minbase: no systemd. The unit's dependencies (sysinit.target, basic.target…)
# come with systemd's own unit files, so install it, then let the host's systemd-analyze
# read units, and resolve ExecStart=, inside the root (--root).
if debian_root_apt install -y --no-install-recommends systemd >"$work/apt-systemd.log" 2>&1; then
  pass "apt-get install systemd in the root"
else
  tail -n 20 "$work/apt-systemd.log"
  fail "apt-get install systemd in the root"
fi
# verify exits 0 on many problems it only warns about (an unknown key, a bad value it
# ignores), so any output at all is a failure too.
verify() { # unit name under the root's unit path; prints what verify said
  local out rc=0
  out=$(systemd-analyze verify --man=no --root="$R" "$1" 2>&1) || rc=$?
  printf '%s' "$out"
  [ "$rc" -eq 0 ] && [ -z "$out" ]
}
if out=$(verify parley-hub.service); then
  pass "systemd-analyze verify parley-hub.service: clean"
else
  printf '%s\n' "$out" | sed 's/^/        /'
  fail "systemd-analyze verify parley-hub.service"
fi
# The check itself must catch a broken unit: each of these copies must fail it.
unit=$R/lib/systemd/system/parley-hub.service
broken=$R/etc/systemd/system/parley-hub-broken.service
for change in 's/^ProtectSystem=strict/ProtectSytem=strict/' 's/^Restart=on-failure/Restart=sometimes/' \
  's#^ExecStart=/usr/bin/parley-hub #ExecStart=/usr/bin/parley-hubb #' 's/^DynamicUser=yes/DynamicUser=maybe/' \
  's/^SystemCallFilter=@system-service/SystemCallFilter=@system-servic/'; do
  sed "$change" "$unit" >"$broken"
  if cmp -s "$unit" "$broken"; then
    fail "broken copy '$change': the substitution changed nothing (the unit changed?)"
  elif out=$(verify parley-hub-broken.service); then
    fail "verify did NOT catch a broken copy ($change)"
  else
    pass "verify catches a broken copy ($change): $(head -n 1 <<<"$out" | sed "s|$R||")"
  fi
done
rm -f "$broken"

step "systemd-analyze security (printed, not asserted)"
if security=$(systemd-analyze security --offline=yes --root="$R" parley-hub.service 2>&1); then
  grep -v '^✓' <<<"$security" | sed 's/ *$//; s/^/        /'
  score=$(grep -o 'Overall exposure level for parley-hub.service: .*' <<<"$security" | sed 's/.*: //')
  info "systemd-analyze security: $score"
else
  printf '%s\n' "$security" | tail -n 5
  info "systemd-analyze security did not run (systemd too old for --offline?)"
fi

step "run the installed hub as the unit would: an unprivileged user, umask 0077"
# systemd's DynamicUser layout: the state in /var/lib/private/parley, owned by the service's
# user, /var/lib/parley a link to it. systemd lets only the service through
# /var/lib/private (0700) in its own mount namespace; here it is opened to traversal.
uid=65534
mkdir -p "$R/var/lib/private/parley"
chown "$uid:$uid" "$R/var/lib/private/parley"
chmod 0700 "$R/var/lib/private/parley"
chmod 0711 "$R/var/lib/private"
ln -sfn private/parley "$R/var/lib/parley"
# A free port on loopback (the host's network; the packaged 8080 may be taken here).
port=
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || die "no free port on 127.0.0.1"
# shellcheck disable=SC2054 # PARLEY_LOG's value has commas
as_service_prefix=(PARLEY_LISTEN="127.0.0.1:$port" PARLEY_LOG=info,sqlx=warn,tower_http=info
  /bin/sh -c 'umask 0077; exec setpriv --reuid='"$uid"' --regid='"$uid"' --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all "$@"' sh)
# As the service's user, with the unit's umask, no capabilities: migrate, then serve.
as_service() { debian_root_run "${as_service_prefix[@]}" "$@"; }
if as_service /usr/bin/parley-hub --config /etc/parley/hub.toml migrate >"$work/migrate.log" 2>&1; then
  pass "parley-hub --config /etc/parley/hub.toml migrate (as uid $uid): $(tail -n 1 "$work/migrate.log")"
else
  cat "$work/migrate.log"
  fail "parley-hub migrate as uid $uid"
fi
db=$R/var/lib/private/parley/parley.db
check "the database is owned by the service's user, mode 600 ($(stat -c '%u %a' "$db" 2>/dev/null || echo missing))" \
  [ "$(stat -c '%u %a' "$db" 2>/dev/null)" = "$uid 600" ]

(debian_root_exec "${as_service_prefix[@]}" /usr/bin/parley-hub --config /etc/parley/hub.toml serve) >"$work/serve.log" 2>&1 &
hub_pid=$!
url=http://127.0.0.1:$port
ready=
for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null "$url/readyz" 2>/dev/null; then ready=1; break; fi
  kill -0 "$hub_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  tail -n 30 "$work/serve.log"
  die "the hub did not answer /readyz (it exited, or 30 s passed)"
fi
pass "parley-hub serve answers on $url"
check "it runs as uid $uid" [ "$(awk '/^Uid:/ { print $2 }' "/proc/$hub_pid/status")" = "$uid" ]
for path in /healthz /readyz; do
  code=$(curl -sS -o "$work/body" -w '%{http_code}' "$url$path" || true)
  check "GET $path: $code $(head -c 120 "$work/body" 2>/dev/null | tr -d '\n')" [ "$code" = 200 ]
done
code=$(curl -sS -o "$work/index.html" -w '%{http_code}' "$url/" || true)
check "GET /: $code, the installed UI's index.html" \
  bash -c "[ '$code' = 200 ] && cmp -s '$work/index.html' '$R/usr/share/parley/ui/index.html'"
script=$(grep -oE 'src="\./assets/[^"]+\.js"' "$R/usr/share/parley/ui/index.html" | head -n 1 | sed -E 's/^src="\.//; s/"$//')
if [ -n "$script" ]; then
  code=$(curl -sS -o /dev/null -w '%{http_code}' "$url$script" || true)
  check "GET $script: $code" [ "$code" = 200 ]
fi
stop_start=$(date +%s.%N)
kill -TERM "$hub_pid"
exited=
for _ in $(seq 1 150); do
  kill -0 "$hub_pid" 2>/dev/null || { exited=1; break; }
  sleep 0.1
done
if [ -n "$exited" ]; then
  exit_code=0
  wait "$hub_pid" || exit_code=$?
  hub_pid=
  took=$(awk -v a="$stop_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  check "SIGTERM: exited with $exit_code after $took s (at most 15 s, code 0)" [ "$exit_code" -eq 0 ]
else
  fail "SIGTERM: still running after 15 s"
fi
check "the log says it stopped" grep -q 'stopped' "$work/serve.log"
if grep -E ' (ERROR|WARN) ' "$work/serve.log"; then info "warnings or errors in the hub's log (above)"; fi

step "reinstall, remove, purge"
if debian_root_apt install -y --reinstall "/tmp/$(basename "$package")" >"$work/apt-reinstall.log" 2>&1; then
  pass "apt-get install --reinstall (postinst as on an upgrade)"
else
  tail -n 20 "$work/apt-reinstall.log"
  fail "apt-get install --reinstall"
fi
if debian_root_apt remove -y parley-hub >"$work/apt-remove.log" 2>&1; then
  pass "apt-get remove parley-hub"
else
  tail -n 20 "$work/apt-remove.log"
  fail "apt-get remove parley-hub"
fi
check "after remove: the database stays" [ -f "$db" ]
check "after remove: /etc/parley/hub.toml stays" [ -f "$R/etc/parley/hub.toml" ]
check "after remove: the binary is gone" [ ! -e "$R/usr/bin/parley-hub" ]
check "after remove: the service is masked" [ "$(readlink "$R/etc/systemd/system/parley-hub.service" 2>/dev/null)" = /dev/null ]
if debian_root_apt purge -y parley-hub >"$work/apt-purge.log" 2>&1; then
  pass "apt-get purge parley-hub"
else
  tail -n 20 "$work/apt-purge.log"
  fail "apt-get purge parley-hub"
fi
check "after purge: /var/lib/private/parley and /var/lib/parley are gone" \
  bash -c "[ ! -e '$R/var/lib/private/parley' ] && [ ! -L '$R/var/lib/parley' ] && [ ! -e '$R/var/lib/parley' ]"
check "after purge: /etc/parley is gone" [ ! -e "$R/etc/parley" ]
check "after purge: no mask, no enablement left" \
  bash -c "[ ! -L '$R/etc/systemd/system/parley-hub.service' ] && [ ! -L '$wants' ]"

summary
