#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, the local stack, type check, every test.
# Stops the stack afterwards when this script was the one that started it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The Node setup chose (24 LTS, from the tools folder when the machine's is older): `npm test` was
# started by the machine's npm, so every node/npx below must come from PATH, not from npm.
# shellcheck source=node-lts.sh
source scripts/node-lts.sh "${RESTOREPOINT_HOME:-$PWD/.restorepoint}/tools"
echo "== node $(node --version)"

started_here=0
if ! node bin/restorepoint.js stack status >/dev/null 2>&1; then
  started_here=1
  node bin/restorepoint.js stack up >&2
fi
# On CI (a throwaway clone) the stack's data goes too, so nothing is left outside the clone.
cleanup() { if [ "$started_here" = 1 ]; then node bin/restorepoint.js stack down ${CI:+--purge} >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

echo "== type check"
npx --no-install tsc --noEmit -p tsconfig.json

echo "== tests"
# File names found here, so every Node version runs the same set. A subset: npm test -- test/ledger
mapfile -t files < <(find "${@:-test}" -name '*.test.ts' | sort)
# A test that hangs fails after 15 minutes instead of eating CI's whole budget (the longest passes in ~4).
node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=900000 "${files[@]}"
