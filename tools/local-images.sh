#!/usr/bin/env bash
# Every image the compose stack needs, built from Debian's packages where no container registry is reachable:
#   valley-local/debian12     debootstrap --variant=minbase bookworm, then docker import (kept: skipped when present)
#   valley-local/build        + JDK 17, Maven, Node and npm (and this host's own CAs, for Maven Central and npm)
#   valley-local/jre          + JRE 17: the runtime base of the Valley images
#   valley-local/postgres:15, valley-local/rabbitmq:3.10, valley-local/s3proxy:4.1.0   (tools/images/*)
#   valley/api-service:0.1.0, valley/cpu-worker:0.1.0   (api-service/Dockerfile, gpu-worker/Dockerfile.cpu)
# docker-compose.local.yml swaps the first three into docker-compose.yml. The CUDA worker needs NVIDIA's base
# image, which only a registry gives: it is not built here. Needs a Docker engine (BuildKit: Debian's docker.io
# has it built in), debootstrap, and Debian's mirror, Maven Central and the npm registry. Prints each step's time
# and the images' sizes. Usage: tools/local-images.sh [base]   (base: only valley-local/debian12)
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
version=$(sed -n "s:^  <version>\\(.*\\)</version>:\\1:p" pom.xml | head -1)
version=${version%-SNAPSHOT}
s3proxy=$(sed -n 's:.*<s3proxy.version>\(.*\)</s3proxy.version>.*:\1:p' pom.xml)
# BuildKit builds (RUN --mount): a client with the buildx plugin, or Debian's docker.io client (20.10), which has
# BuildKit built in; a newer client without buildx (a static binary earlier on PATH) refuses DOCKER_BUILDKIT=1.
export DOCKER_BUILDKIT=1
docker=docker
if ! docker buildx version >/dev/null 2>&1; then
  docker=/usr/bin/docker
  [[ -x $docker && "$($docker version --format '{{.Client.Version}}' 2>/dev/null)" == 20.* ]] \
    || { echo "BuildKit needs the buildx plugin with this docker client (or Debian's docker.io)" >&2; exit 2; }
fi
docker() { command "$docker" "$@"; }
t0=$(date +%s)
start=$t0
step() { printf '  %-52s %4d s\n' "$1" $(( $(date +%s) - t0 )); t0=$(date +%s); }
build() { docker build -q "$@" >/dev/null; }

docker info >/dev/null 2>&1 || { echo "no Docker engine answers (apt-get install docker.io; dockerd &)" >&2; exit 2; }
if ! docker image inspect valley-local/debian12 >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 2; }
  root=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  tar -C "$root" -c . | docker import - valley-local/debian12 >/dev/null
  rm -rf "$root"
  step "valley-local/debian12 (debootstrap, docker import)"
fi
[[ "${1:-}" == base ]] && exit 0

# The two bases of the Valley images. Where this host trusts certificate authorities of its own
# (/usr/local/share/ca-certificates: an egress proxy that inspects TLS), the build base trusts them too, Java's and
# Node's stores included; the runtime images reach nothing outside and carry none.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir "$context/ca"
cp /usr/local/share/ca-certificates/*.crt "$context/ca/" 2>/dev/null || true
cat > "$context/Dockerfile" <<DOCKERFILE
FROM valley-local/debian12
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-17-jdk-headless maven nodejs npm ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null 2>&1
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
DOCKERFILE
build -t valley-local/build "$context"
step "valley-local/build (JDK, Maven, Node)"
cat > "$context/Dockerfile" <<DOCKERFILE
FROM valley-local/debian12
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-17-jre-headless >/dev/null && rm -rf /var/lib/apt/lists/*
DOCKERFILE
build -t valley-local/jre "$context"
step "valley-local/jre"

build -t valley-local/postgres:15 --build-arg BASE=valley-local/debian12 tools/images/postgres
step "valley-local/postgres:15"
build -t valley-local/rabbitmq:3.10 --build-arg BASE=valley-local/debian12 tools/images/rabbitmq
step "valley-local/rabbitmq:3.10"
rm -rf "$context"/* && cp tools/images/s3proxy/* "$context/"
out=$(mvn -q -B dependency:copy -Dartifact="org.gaul:s3proxy:$s3proxy:jar:jar-with-dependencies" \
  -DoutputDirectory="$context" -Dmdep.stripClassifier=true -Dmdep.stripVersion=true 2>&1) || { echo "$out" >&2; exit 1; }
build -t "valley-local/s3proxy:$s3proxy" --build-arg BASE=valley-local/debian12 --build-arg VERSION="$s3proxy" "$context"
step "valley-local/s3proxy:$s3proxy"

valley=(--build-arg BUILD_BASE=valley-local/build --build-arg NODE_BASE=valley-local/build
        --build-arg DEBIAN_BASE=valley-local/debian12 --build-arg RUNTIME_BASE=valley-local/jre
        --build-arg VERSION="$version")
build -f api-service/Dockerfile -t "valley/api-service:$version" "${valley[@]}" .
step "valley/api-service:$version (Maven and npm inside)"
build -f gpu-worker/Dockerfile.cpu -t "valley/cpu-worker:$version" "${valley[@]}" .
step "valley/cpu-worker:$version"
printf '  %-52s %4d s\n' "all images" $(( $(date +%s) - start ))
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E 'valley-local/|valley/' | sort
