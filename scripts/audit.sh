#!/usr/bin/env bash
# Dependency audits, as CI runs them: `cargo deny` (advisories, licenses, bans, sources) on
# every crate the workspace builds, and `npm audit --omit=dev` on what the UI ships.
#
# The RustSec advisory database: the live one when GitHub answers; otherwise the snapshot
# vendored in vendor/rustsec-advisory-db (or the bundle PARLEY_ADVISORY_DB_BUNDLE names) (PARLEY_AUDIT_SNAPSHOT=1 uses it without trying the live one).
# The output says which database and date were used. When
# npm's audit service cannot be reached, it says so instead of failing or pretending.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
CARGO_BIN=$CARGO_HOME/bin
export PATH=$CARGO_BIN:$PATH

if ! command -v cargo-deny >/dev/null || ! cargo deny --version | grep -q '^cargo-deny 0\.20\.'; then
  echo "audit: installing cargo-deny 0.20"
  cargo install cargo-deny --version '~0.20' --locked --quiet
fi

# Every crate of every platform's build, so the checks need no network afterwards.
cargo fetch --quiet

# The folder cargo-deny derives from the database URL in deny.toml.
db_dir=$CARGO_HOME/advisory-dbs/advisory-db-3157b0e258782691
bundle_candidates=(
  "${PARLEY_ADVISORY_DB_BUNDLE:-}"
  "vendor/rustsec-advisory-db/advisory-db.bundle"
)

database=""
live_url=https://github.com/rustsec/advisory-db
why="GitHub could not be reached"
[ -n "${PARLEY_AUDIT_SNAPSHOT:-}" ] && why="PARLEY_AUDIT_SNAPSHOT is set"
# Live only when GitHub answers: cargo-deny's own fetch reports success when it merely
# refreshes a folder from wherever that folder came from.
if [ -z "${PARLEY_AUDIT_SNAPSHOT:-}" ] && timeout 60 git ls-remote --heads "$live_url" >/dev/null 2>&1; then
  if [ "$(git -C "$db_dir" remote get-url origin 2>/dev/null || true)" != "$live_url" ]; then
    rm -rf "$db_dir"
  fi
  if timeout 300 cargo deny fetch db >/dev/null 2>&1; then
    database="the live RustSec database"
  fi
fi
if [ -z "$database" ]; then
  for bundle in "${bundle_candidates[@]}"; do
    [ -n "$bundle" ] && [ -f "$bundle" ] || continue
    rm -rf "$db_dir"
    mkdir -p "$(dirname "$db_dir")"
    git clone --quiet --branch main "$bundle" "$db_dir"
    database="the RustSec snapshot $bundle ($why)"
    break
  done
fi
if [ -z "$database" ] && [ -d "$db_dir/.git" ]; then
  database="a RustSec database fetched earlier from $(git -C "$db_dir" remote get-url origin) ($why)"
fi

if [ -n "$database" ]; then
  commit=$(git -C "$db_dir" log -1 --format='%h of %cd' --date=short)
  echo "audit: advisories checked against $database, commit $commit"
  cargo deny --offline check advisories licenses bans sources
else
  echo "audit: NO advisory database could be fetched or found: advisories were NOT checked"
  cargo deny --offline check licenses bans sources
fi

echo "audit: npm audit --omit=dev (the UI's shipped dependencies)"
set +e
report=$(cd ui && timeout 120 npm audit --omit=dev --json 2>&1)
status=$?
set -e
if echo "$report" | grep -q '"vulnerabilities"'; then
  summary=$(echo "$report" | node -e '
    let text = ""; process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const counts = JSON.parse(text).metadata.vulnerabilities;
      console.log(Object.entries(counts).map(([level, count]) => `${count} ${level}`).join(", "));
    });')
  echo "audit: npm advisories in shipped dependencies: $summary"
  if [ $status -ne 0 ]; then
    (cd ui && npm audit --omit=dev) || true
    echo "audit: npm audit found advisories in what the UI ships" >&2
    exit 1
  fi
else
  echo "audit: npm's audit service did not answer: the UI's dependencies were NOT checked"
  echo "$report" | grep -m1 -iE 'audit [0-9]{3}|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|network|request to|"summary"' \
    | sed 's/^/audit:   the registry said: /' || true
fi
