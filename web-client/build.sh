#!/usr/bin/env bash
# Builds the dashboard into $1 (Maven passes target/classes/static) with the system's node and npm: `npm install` when
# node_modules does not match package-lock.json, then type-check and bundle.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:?output folder}
command -v npm >/dev/null || { echo "web-client: npm is missing; install Debian's nodejs and npm (apt-get install nodejs npm)" >&2; exit 1; }
stamp=node_modules/.valley-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  # npm install, not npm ci: this npm writes lock files without other platforms' optional packages, which ci refuses.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
VALLEY_WEB_OUT="$out" npm run --silent build
