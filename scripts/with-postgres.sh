#!/usr/bin/env bash
# Runs a command with PARLEY_TEST_POSTGRES_URL set: the server it already names, or a
# throwaway cluster started here (scripts/postgres.sh) and stopped when the command ends.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PARLEY_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi
PARLEY_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
export PARLEY_TEST_POSTGRES_URL
trap 'scripts/postgres.sh stop' EXIT
"$@"
