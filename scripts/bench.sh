#!/usr/bin/env bash
# `npm run bench [-- --rows 5000000 --rounds 3 --only export,restore --profile]`:
# set-up as for the tests, the local stack (reused when it runs; left running), then the
# benchmark itself (bench/main.ts), which prints a table and the key ratios last.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=node-lts.sh
source scripts/node-lts.sh "${RESTOREPOINT_HOME:-$PWD/.restorepoint}/tools"
if [ ! -x /usr/bin/time ]; then
  echo "[bench] installing GNU time (reads the baselines' CPU time and peak RSS)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi
if ! node bin/restorepoint.js stack status >/dev/null 2>&1; then
  node bin/restorepoint.js stack up >&2
fi
exec node --import tsx bench/main.ts "$@"
