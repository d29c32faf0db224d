#!/usr/bin/env bash
# The main job on the local stack: set-up, stack up, a worker, a demo database (Pagila),
# an export to the GCS emulator with live progress, and a restore into a fresh database
# whose data is then compared with the source, table by table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=node-lts.sh
source scripts/node-lts.sh "${RESTOREPOINT_HOME:-$PWD/.restorepoint}/tools"
rp() { node bin/restorepoint.js "$@"; }

rp stack up
export RESTOREPOINT_ACTOR="${RESTOREPOINT_ACTOR:-demo@restorepoint}"
# The worker acts only for verified callers: the local issuer signs the demo an admin token (docs/security.md).
export RESTOREPOINT_TOKEN="${RESTOREPOINT_TOKEN:-$(rp token issue --subject "$RESTOREPOINT_ACTOR" --roles admin --ttl 1h)}"
node --import tsx scripts/demo-database.ts load restorepoint_demo

log="$(node --import tsx -e "console.log(require('./stack/paths').stackPaths.logs())")/worker.log"
node --max-semi-space-size=4 --import tsx worker/main.ts >>"$log" 2>&1 &
worker=$!
trap 'kill -TERM $worker 2>/dev/null; wait $worker 2>/dev/null || true' EXIT

id="demo-$(date -u +%Y%m%dT%H%M%SZ)"
echo "== export $id of the demo database (Pagila) to the GCS emulator"
rp export --source demo --to gs://restorepoint-demo/exports --id "$id" --tag environment=demo --wait

echo "== restore it into an empty database, restorepoint_demo_restored"
node --import tsx scripts/demo-database.ts recreate restorepoint_demo_restored
rp restore "$id" --target local:restorepoint_demo_restored

echo "== compare source and restored data, table by table"
node --import tsx scripts/demo-database.ts compare restorepoint_demo restorepoint_demo_restored

echo "== the audit ledger"
rp ledger list --subject "$id"
rp ledger verify
echo "Temporal UI: $(rp stack status --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).services.find(x=>x.name==='temporal').detail.split('UI ')[1]))")"
echo "Operator console (not started by the demo): npx restorepoint console, with a worker running; sign in with a token from \`npx restorepoint token issue\` (docs/console.md)"
