#!/usr/bin/env bash
# The README's promise, tried as a newcomer on a stock Debian 12 would: in a container made from Debian's packages
# only (a debootstrap base, then exactly the "Two commands" prerequisites table's packages), `git clone`, then
# `./valley up` with an empty Maven repository and npm cache, a training job through curl, and the dashboard's page.
# Prints each step's time. Needs a Docker engine and debootstrap (apt-get install docker.io debootstrap), and
# reaches Debian's mirror, Maven Central and the npm registry. Usage: tools/fresh-machine.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
base=valley-local/debian12 # tools/local-images.sh makes it, once
image=valley-fresh/debian12-prerequisites
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
t0=$(date +%s)
step() { printf '%-58s %4d s\n' "$1" $(( $(date +%s) - t0 )); t0=$(date +%s); }

docker info >/dev/null 2>&1 || { echo "no Docker engine answers (start one: dockerd &)" >&2; exit 2; }
if ! docker image inspect "$base" >/dev/null 2>&1; then
  tools/local-images.sh base
  step "a Debian 12 base image (debootstrap, docker import)"
fi
# The prerequisites table's packages, nothing else (git and curl for the steps below). Where this host trusts
# certificate authorities of its own (/usr/local/share/ca-certificates: an egress proxy that inspects TLS, as on the
# machines Valley is built on), the image trusts them too, Java and Node included: that is the host's network, not a
# prerequisite of Valley's.
context=$(mktemp -d)
mkdir "$context/ca"
cp /usr/local/share/ca-certificates/*.crt "$context/ca/" 2>/dev/null || true
cat > "$context/Dockerfile" <<DOCKERFILE
FROM $base
RUN echo "deb $mirror bookworm main" > /etc/apt/sources.list && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven \
    nodejs npm dataset-fashion-mnist git curl ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null 2>&1 && useradd -m newcomer
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
DOCKERFILE
docker build -q -t "$image" "$context" >/dev/null
rm -rf "$context"
step "the prerequisites image (apt-get install, README's table)"

# What the newcomer clones: this checkout's commit, as a bare repository (a worktree's .git is only a pointer into
# another repository, which the container would not see).
served=$(mktemp -d)
git clone -q --bare . "$served/valley.git"
commit=$(git rev-parse HEAD)
name=valley-fresh-$$
docker run -d --name "$name" -v "$served/valley.git:/src:ro" "$image" sleep infinity >/dev/null
keep=${1:-}
trap '[[ "$keep" == --keep ]] || docker rm -f "$name" >/dev/null; rm -rf "$served"' EXIT
# As an ordinary user, as a newcomer works; root is tried once, for its one-line refusal.
inside() { docker exec -u newcomer -w /home/newcomer "$name" bash -c "$1"; }
inside 'node --version; java -version 2>&1 | head -1; mvn -v 2>&1 | sed -n 1p' | sed 's/^/  /'
# The repository is mounted, root's, where a newcomer clones from a server: git would call it dubious.
docker exec "$name" git config --system --add safe.directory /src
inside "git clone -q /src valley && git -C valley checkout -q $commit" && step "git clone"
if docker exec -w /home/newcomer/valley "$name" ./valley up > /tmp/fresh-root.log 2>&1; then
  echo "./valley up as root in a container did not stop" >&2; exit 1
fi
grep '^missing  user' /tmp/fresh-root.log | sed 's/^/  as root: /'
grep -q "./valley up stops here" /tmp/fresh-root.log || { cat /tmp/fresh-root.log >&2; exit 1; }
inside 'cd valley && { setsid nohup ./valley up > /tmp/up.log 2>&1 < /dev/null & echo $! > /tmp/up.pid; }'
until inside 'curl -sf http://localhost:8080/actuator/health >/dev/null'; do
  if ! inside 'kill -0 "$(cat /tmp/up.pid)" 2>/dev/null'; then
    echo "./valley up stopped:" >&2; inside 'tail -40 /tmp/up.log' >&2; exit 1
  fi
  sleep 2
done
step "./valley up, cold Maven and npm caches, until healthy"
inside 'grep -E "building|Building|downloads|dashboard" /tmp/up.log | head -20' | sed 's/^/  /'
id=$(inside "curl -sf -X POST http://localhost:8080/api/v1/jobs -H 'Content-Type: application/json' -d '{\"type\":\"train\",\"spec\":{\"dataset\":\"fashion-mnist\",\"model\":{\"arch\":\"mlp\",\"hidden\":[64]},\"epochs\":1,\"trainSubset\":5000}}'" \
  | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
[[ -n "$id" ]] || { echo "the job was not accepted" >&2; exit 1; }
status=""
until [[ "$status" == SUCCEEDED || "$status" == FAILED || "$status" == CANCELLED ]]; do
  sleep 1
  status=$(inside "curl -sf http://localhost:8080/api/v1/jobs/$id" | sed -n 's/.*"status" *: *"\([A-Z]*\)".*/\1/p')
done
[[ "$status" == SUCCEEDED ]] || { echo "the job ended $status" >&2; inside "curl -s http://localhost:8080/api/v1/jobs/$id" >&2; exit 1; }
step "a fashion-mnist training job through curl, to SUCCEEDED"
page=$(inside 'curl -sf http://localhost:8080/')
script=$(sed -n 's/.*src="\.\/\(assets\/index-[^"]*\.js\)".*/\1/p' <<<"$page")
[[ -n "$script" ]] && inside "curl -sf -o /dev/null http://localhost:8080/$script" \
  || { echo "the dashboard page is not the built dashboard:" >&2; echo "$page" >&2; exit 1; }
step "the dashboard page and its script load"
echo "fresh machine: ok"
