#!/usr/bin/env bash
# Builds the dashboard into $1 (Maven passes target/classes/static) with the system's node and npm: `npm install` when
# node_modules does not match package-lock.json, then type-check and bundle.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:?output folder}
# Without Node 18+ and npm the dashboard is skipped, in one line, and a page that says so takes its place: the API, the
# workers and the Python client do not depend on it.
node_major=$({ node --version 2>/dev/null || true; } | sed -n 's/^v\([0-9]*\)\..*/\1/p')
if ! command -v npm >/dev/null || [[ -z "$node_major" ]] || (( node_major < 18 )); then
  echo "web-client: dashboard skipped (needs Node 18+ and npm; found ${node_major:+Node $node_major}${node_major:-no Node}): apt-get install nodejs npm, then rebuild" >&2
  mkdir -p "$out"
  cat > "$out/index.html" <<'PAGE'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Valley</title></head>
<body><h1>Valley</h1>
<p>The dashboard was not built: the machine that built Valley had no Node 18 (or later) and npm.
Install them (<code>apt-get install nodejs npm</code>) and build again (<code>./valley up</code> rebuilds).</p>
<p>The API works without it: <a href="api/v1/jobs">/api/v1/jobs</a>, its OpenAPI document at
<a href="api/v1/openapi">/api/v1/openapi</a>, and the Python client in <code>clients/python</code>.</p>
</body></html>
PAGE
  exit 0
fi
stamp=node_modules/.valley-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  # npm install, not npm ci: this npm writes lock files without other platforms' optional packages, which ci refuses.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
VALLEY_WEB_OUT="$out" npm run --silent build
