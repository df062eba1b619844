#!/usr/bin/env bash
# What the package tests print: steps with their time, each check passed or failed, and a
# summary. Sourced by tests/packages/*.test.sh. A failed check is counted and the test goes
# on where it can (so one run shows every problem); `summary` exits 1 if any failed.

CHECKS_PASSED=0
CHECKS_FAILED=0
CHECKS_FAILURES=()
_step_name=
_step_start=$SECONDS
_test_start=$SECONDS
STEP_TIMES=()

_step_end() {
  if [ -n "$_step_name" ]; then
    STEP_TIMES+=("$(printf '%4d s  %s' $((SECONDS - _step_start)) "$_step_name")")
  fi
}

step() {
  _step_end
  _step_name=$*
  _step_start=$SECONDS
  printf '\n== %s\n' "$*"
}

pass() {
  CHECKS_PASSED=$((CHECKS_PASSED + 1))
  printf '  ok    %s\n' "$*"
}

fail() {
  CHECKS_FAILED=$((CHECKS_FAILED + 1))
  CHECKS_FAILURES+=("$*")
  printf '  FAIL  %s\n' "$*"
}

info() { printf '  info  %s\n' "$*"; }

# check "what" command…: passes when the command succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# Stops the test at once (a step the rest depends on failed); the EXIT trap cleans up.
die() {
  fail "$*"
  summary
}

summary() {
  _step_end
  _step_name=
  printf '\n== times\n'
  printf '  %s\n' "${STEP_TIMES[@]}"
  printf '  %4d s  total\n' $((SECONDS - _test_start))
  if ((CHECKS_FAILED)); then
    printf '\n%s: %d checks passed, %d FAILED:\n' "${TEST_NAME:-test}" "$CHECKS_PASSED" "$CHECKS_FAILED"
    printf '  - %s\n' "${CHECKS_FAILURES[@]}"
    exit 1
  fi
  printf '\n%s: all %d checks passed\n' "${TEST_NAME:-test}" "$CHECKS_PASSED"
  exit 0
}
