#!/bin/bash
# Starts one Salvo broker of the docker-compose cluster in the foreground (PID 1: `docker stop` sends SIGTERM, and
# Akka's coordinated shutdown leaves the cluster, handing its queues to the other nodes). Every setting is a -D
# system property over the broker's own configuration files, so the image holds no config of its own.
#
# Environment (docker-compose.yml sets them):
#   SALVO_CONTACT_POINTS      comma-separated management endpoints (host:8558) of the brokers of the cluster, this one
#                             included: Akka Cluster Bootstrap forms the cluster from them (default broker-1..3:8558)
#   SALVO_CASSANDRA           comma-separated Cassandra hosts (CQL port 9042), default cassandra-1
#   SALVO_REPLICATION_FACTOR  copies of every row when the keyspace is created (3 here); the write/read consistency
#   SALVO_WRITE_CONSISTENCY   and SALVO_READ_CONSISTENCY (QUORUM here) are read by the broker itself
#   SALVO_ADVERTISED_ADDRESS  host:port clients are told for this broker (the port published on the host)
#   SALVO_HEAP                -Xms/-Xmx, default 512m;  SALVO_JAVA_OPTS  extra JVM options and -D settings, added last
#   SALVO_CASSANDRA_WAIT      seconds to wait for a Cassandra CQL port before starting anyway, default 300
#   SALVO_WAIT_READY          a URL (another broker's /alive) to wait for first, at most SALVO_CASSANDRA_WAIT s:
#                             only one broker creates the schema on a fresh Cassandra cluster (concurrent CREATE TABLE
#                             from several coordinators can disagree on a table's id in Cassandra 5.0)
set -euo pipefail
HOST=$(hostname)
export SALVO_CONTACT_POINTS=${SALVO_CONTACT_POINTS:-broker-1:8558,broker-2:8558,broker-3:8558} # read by the broker
IFS=, read -r -a CASSANDRA <<< "${SALVO_CASSANDRA:-cassandra-1}"

# Schema creation at start-up needs a Cassandra that answers: wait (bounded) for one CQL port. If the broker still
# fails to start, it exits and the compose restart policy starts it again.
deadline=$((SECONDS + ${SALVO_CASSANDRA_WAIT:-300}))
until for c in "${CASSANDRA[@]}"; do (exec 3<>"/dev/tcp/$c/9042") 2>/dev/null && break; false; done; do
  if [ $SECONDS -ge $deadline ]; then echo "broker: no Cassandra CQL port answered (${CASSANDRA[*]}); starting anyway"; break; fi
  sleep 2
done

if [ -n "${SALVO_WAIT_READY:-}" ]; then
  until curl -fsS -o /dev/null --max-time 3 "$SALVO_WAIT_READY"; do
    if [ $SECONDS -ge $deadline ]; then echo "broker: $SALVO_WAIT_READY not ready; starting anyway"; break; fi
    sleep 2
  done
fi

OPTS=(
  -Dsalvo.persistence.embedded.enabled=false
  -Dsalvo.broker.grpc.host=0.0.0.0
  -Dakka.management.http.hostname="$HOST"
  -Dakka.management.http.bind-hostname=0.0.0.0
  -Dakka.remote.artery.canonical.hostname="$HOST"
)
i=0; for c in "${CASSANDRA[@]}"; do OPTS+=("-Dsalvo.persistence.cassandra.contact-points.$i=$c:9042"); i=$((i + 1)); done

JAVA=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/java
echo "broker: $HOST, contact points $SALVO_CONTACT_POINTS, cassandra ${CASSANDRA[*]}, advertised ${SALVO_ADVERTISED_ADDRESS:-(grpc host:port)}"
# shellcheck disable=SC2086
exec "$JAVA" -Xms"${SALVO_HEAP:-512m}" -Xmx"${SALVO_HEAP:-512m}" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  "${OPTS[@]}" ${SALVO_JAVA_OPTS:-} -cp "$(paste -sd: /opt/salvo/classpath.txt)" io.salvo.cluster.Main
