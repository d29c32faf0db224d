#!/usr/bin/env bash
# toxiproxy-server (Shopify's TCP fault proxy) for the network-fault tests (test/faults/network-*),
# built with Go from the module proxy into the project's tools folder, when Go is present.
#   bash scripts/toxiproxy.sh <tools-dir>    install if needed (scripts/setup.sh calls it)
# Without Go nothing is installed and those tests skip, saying why.
# The v2 module names the server's package cmd/server (there is no cmd/toxiproxy-server in
# v2), so `go install` builds a binary called `server`; it is installed as toxiproxy-server.
set -euo pipefail
tools="${1:-${RESTOREPOINT_HOME:-$(cd "$(dirname "$0")/.." && pwd)/.restorepoint}/tools}"
version="${TOXIPROXY_VERSION:-latest}"
mkdir -p "$tools/bin"
if [ -x "$tools/bin/toxiproxy-server" ] || command -v toxiproxy-server >/dev/null 2>&1; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  printf '[setup] no Go: toxiproxy-server not installed (the network-fault tests will skip)\n' >&2
  exit 0
fi
printf '[setup] building toxiproxy-server %s with go install into %s\n' "$version" "$tools/bin" >&2
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
GOBIN="$build" go install "github.com/Shopify/toxiproxy/v2/cmd/server@$version"
mv "$build/server" "$tools/bin/toxiproxy-server"
