#!/usr/bin/env bash
# Builds Salvo's container images with the project's own files (there is no image registry here); run through
# `bin/salvo images`.
#
#   salvo-base:<suite>-jre17   Debian <suite> minbase with openjdk-17-jre-headless and curl, made with debootstrap
#                              and imported with `docker import`. Built once and cached (the image is the cache):
#                              SALVO_REBUILD_BASE=1 rebuilds it. Needs root (debootstrap) and ~3-6 minutes.
#   salvo-cassandra:latest     Apache Cassandra 5.0 (the cassandra-all jars this build resolved), started by
#                              docker/cassandra/entrypoint.sh, which writes cassandra.yaml for the container's address.
#   salvo-broker:latest        the broker (cluster module and its runtime classpath), docker/broker/entrypoint.sh.
#
# The jars come from this worktree's module target directories and the local Maven repository they name
# (bin/salvo builds them first when they are missing or stale). Environment: SALVO_DEBIAN_SUITE (default: the
# suite of this machine's apt sources, else bookworm), SALVO_DEBIAN_MIRROR (default: this machine's apt mirror,
# else http://deb.debian.org/debian).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "salvo images: $*" >&2; exit 1; }
step() { echo "salvo images: $*" >&2; }

command -v docker >/dev/null || die "no docker client: apt-get install -y docker.io (then start dockerd)"
docker info >/dev/null 2>&1 || die "cannot reach the docker daemon (is dockerd running? try: dockerd > /tmp/dockerd.log 2>&1 &)"

# ---------------------------------------------------------------- base image
apt_source() { # field: the first Debian URIs/Suites entry of this machine's apt sources
  local field=$1
  { cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null || true; } |
    awk -v f="$field" '
      /^URIs:/ { uri = $2 } /^Suites:/ { suite = $2 }
      /^deb / { uri = $2; suite = $3 }
      uri ~ /debian\/?$/ && suite != "" && suite !~ /-/ { if (f == "uri") print uri; else print suite; exit }'
}
SUITE=${SALVO_DEBIAN_SUITE:-$(apt_source suite)}
SUITE=${SUITE:-bookworm}
MIRROR=${SALVO_DEBIAN_MIRROR:-$(apt_source uri)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
BASE=salvo-base:$SUITE-jre17

if [ "${SALVO_REBUILD_BASE:-0}" != 1 ] && docker image inspect "$BASE" >/dev/null 2>&1; then
  step "$BASE present (cached; SALVO_REBUILD_BASE=1 rebuilds it)"
else
  command -v debootstrap >/dev/null || die "no debootstrap: apt-get install -y debootstrap"
  [ "$(id -u)" = 0 ] || die "debootstrap needs root to build $BASE"
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/salvo-base.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  step "building $BASE: debootstrap --variant=minbase $SUITE from $MIRROR (a few minutes; log $rootfs.log)"
  began=$SECONDS
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,curl,ca-certificates \
    "$SUITE" "$rootfs" "$MIRROR" > "$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; die "debootstrap failed"; }
  # Smaller image: no apt lists, caches, docs or man pages.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV LANG=C.UTF-8 JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' -c 'CMD ["/bin/bash"]' \
    -m "debootstrap --variant=minbase $SUITE $MIRROR + openjdk-17-jre-headless" - "$BASE" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  trap - EXIT
  step "$BASE built in $((SECONDS - began)) s"
fi

# ---------------------------------------------------------------- build contexts
CTX=$ROOT/target/docker
rm -rf "$CTX"
mkdir -p "$CTX"

copy_jars() { # context-dir: copies the jars named on stdin (':'- or newline-separated, in classpath order) to
  # <context-dir>/lib and writes <context-dir>/classpath.txt: the same order, as paths under /opt/salvo/lib.
  local ctx=$1 jar name
  mkdir -p "$ctx/lib"
  : > "$ctx/classpath.txt"
  { tr ':' '\n'; echo; } | while read -r jar; do
    [ -n "$jar" ] || continue
    [ -f "$jar" ] || die "jar $jar is missing (build again: bin/salvo build)"
    name=$(basename "$jar")
    # Two different jars with one file name would shadow each other: keep both under distinct names.
    if [ -e "$ctx/lib/$name" ]; then
      cmp -s "$jar" "$ctx/lib/$name" && continue
      name=$(basename "$(dirname "$(dirname "$jar")")")-$name
    fi
    cp "$jar" "$ctx/lib/$name"
    echo "/opt/salvo/lib/$name" >> "$ctx/classpath.txt"
  done
}

CASSANDRA_CP=$ROOT/persistence/cassandra-server/target/classes/io/salvo/persistence/cassandra/classpath.txt
[ -f "$CASSANDRA_CP" ] || die "$CASSANDRA_CP missing (build first: bin/salvo build)"
cp -r "$ROOT/docker/cassandra" "$CTX/cassandra"
copy_jars "$CTX/cassandra" < "$CASSANDRA_CP"

CLUSTER_JAR=$(ls "$ROOT"/cluster/target/salvo-cluster-*.jar 2>/dev/null | grep -v -- '-sources\|-tests' | head -1)
[ -n "$CLUSTER_JAR" ] && [ -f "$ROOT/cluster/target/runtime-classpath.txt" ] ||
  die "cluster/target has no jar or runtime-classpath.txt (build first: bin/salvo build)"
cp -r "$ROOT/docker/broker" "$CTX/broker"
# The runtime classpath names the sibling modules by their jars in target/ and the rest in the local Maven repository.
{ echo "$CLUSTER_JAR"; cat "$ROOT/cluster/target/runtime-classpath.txt"; } | copy_jars "$CTX/broker"

for image in cassandra broker; do
  began=$SECONDS
  step "building salvo-$image:latest from docker/$image"
  docker build -q --build-arg BASE="$BASE" -t "salvo-$image:latest" "$CTX/$image" > "$CTX/build-$image.log" 2>&1 ||
    { grep -v 'DEPRECATED\|legacy builder\|buildx' "$CTX/build-$image.log" >&2; die "docker build of salvo-$image failed"; }
  step "salvo-$image:latest built in $((SECONDS - began)) s"
done
rm -rf "$CTX"
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep '^salvo-' >&2
