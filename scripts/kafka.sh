#!/usr/bin/env bash
# Runs a single-node Apache Kafka 3.9 broker (KRaft, broker+controller in one JVM) with no Docker:
# the jars come from Maven Central through scripts/kafka/pom.xml and stay in ~/.m2.
#
#   scripts/kafka.sh start|stop|status|restart
#
# Environment (all optional):
#   KAFKA_PORT             client port (default 9092)
#   KAFKA_CONTROLLER_PORT  controller port (default KAFKA_PORT+1)
#   KAFKA_HOME_DIR         state folder (default .kafka/<port> in the repo); logs, pid and data live there
#   KAFKA_HEAP             JVM heap (default 512m)
#   KAFKA_GC_OPTS          JVM garbage collector options (default -XX:+UseZGC; GC log in the state folder)
#
# A node of a multi-node cluster (every node combined broker+controller; see docs/scaling.md):
#   KAFKA_NODE_ID          this node's id (default 1)
#   KAFKA_ROLES            broker,controller (default: both in one JVM), broker, or controller (a
#                          dedicated controller: only its controller port is served)
#   KAFKA_VOTERS           the controller quorum, id@host:controller-port,... (default this node alone)
#   KAFKA_CLUSTER_ID       one id shared by every node, used when formatting (default a random one: one node)
#   KAFKA_INTERNAL_RF      replication factor of the offsets and transaction topics, and the default
#                          of auto-created ones (default 1; 3 on a 3-node cluster)
#   KAFKA_MIN_ISR          min.insync.replicas default of the broker and the transaction log (default 1; 2 on 3 nodes)
#   KAFKA_EXTRA_CONFIG     more server.properties lines (key=value, separated by spaces or newlines);
#                          they override the ones above
#
# Failover (docs/scaling.md, "A replicated Kafka"): a killed broker is fenced, and its partitions get
# new leaders, broker.session.timeout.ms after its last heartbeat: 2 s here (Kafka's default is 9 s;
# 4 heartbeats of 500 ms). A killed active controller is replaced once the other voters miss its
# fetches for controller.quorum.fetch.timeout.ms (1 s here, default 2 s) and win an election
# (election timeout and backoff 500 ms here, default 1 s); the new controller then gives every broker
# a full session again before fencing the dead one.
#
# Tuned for the 2-core machines the service, Postgres, Redis and the broker share (measured with
# bench/rpc-sweep.ts at 500 requests/s, request-reply p99 median of 8 ten-second runs): ZGC instead of
# G1, whose 7-14 ms young pauses every ~2 s each stalled a few dozen requests in flight (15.4 -> 12.4
# ms), and one network and one I/O thread instead of 3 and 8, which only contend for the two cores
# with the processes the broker serves (12.4 -> 10.0 ms).
#
# Tests start a second broker on a spare port with these variables and stop it, never the shared one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
home="${KAFKA_HOME_DIR:-$repo/.kafka/$port}"
heap="${KAFKA_HEAP:-512m}"
gc="${KAFKA_GC_OPTS:--XX:+UseZGC}"
node_id="${KAFKA_NODE_ID:-1}"
roles="${KAFKA_ROLES:-broker,controller}"
voters="${KAFKA_VOTERS:-$node_id@127.0.0.1:$cport}"
internal_rf="${KAFKA_INTERNAL_RF:-1}"
min_isr="${KAFKA_MIN_ISR:-1}"
pidfile="$home/kafka.pid"
logfile="$home/server.log"
cpfile="$repo/.kafka/classpath.txt"

# The port that says the node is up: a dedicated controller serves no client port.
ready_port="$port"; [ "$roles" = controller ] && ready_port="$cport"

log() { echo "[kafka.sh:$port] $*" >&2; }

is_running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

classpath() {
  mkdir -p "$repo/.kafka"
  if [ ! -s "$cpfile" ] || [ "$here/kafka/pom.xml" -nt "$cpfile" ]; then
    log "resolving the broker jars from Maven Central (first time only)"
    mvn -q -B -f "$here/kafka/pom.xml" dependency:build-classpath \
      -DincludeScope=runtime -Dmdep.outputFile="$cpfile" >&2
  fi
  cat "$cpfile"
}

write_config() {
  mkdir -p "$home/data"
  cat > "$home/server.properties" <<PROPS
process.roles=$roles
node.id=$node_id
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$home/data
num.partitions=3
default.replication.factor=$internal_rf
offsets.topic.replication.factor=$internal_rf
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=$internal_rf
transaction.state.log.min.isr=$min_isr
min.insync.replicas=$min_isr
broker.session.timeout.ms=2000
broker.heartbeat.interval.ms=500
controller.quorum.fetch.timeout.ms=1000
controller.quorum.election.timeout.ms=500
controller.quorum.election.backoff.max.ms=500
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=24
num.network.threads=1
num.io.threads=1
PROPS
  case "$roles" in
    controller) echo "listeners=CONTROLLER://127.0.0.1:$cport" ;;
    broker) printf '%s\n' "listeners=PLAINTEXT://127.0.0.1:$port" "advertised.listeners=PLAINTEXT://127.0.0.1:$port" inter.broker.listener.name=PLAINTEXT ;;
    *) printf '%s\n' "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport" "advertised.listeners=PLAINTEXT://127.0.0.1:$port" inter.broker.listener.name=PLAINTEXT ;;
  esac >> "$home/server.properties"
  # shellcheck disable=SC2086 # one key=value per word
  [ -z "${KAFKA_EXTRA_CONFIG:-}" ] || printf '%s\n' ${KAFKA_EXTRA_CONFIG} >> "$home/server.properties"
  cat > "$home/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, file
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
# The failover timeline: fencing, controller elections, group coordinator moves.
log4j.logger.org.apache.kafka.controller.ReplicationControlManager=INFO
log4j.logger.kafka.coordinator.group.GroupMetadataManager=INFO
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
}

java_cmd() {
  local cp="$1"; shift
  java -Xmx"$heap" -Xms128m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$home" -Dlog4j.configuration="file:$home/log4j.properties" \
    -cp "$cp" "$@"
}

start() {
  if is_running; then log "already running (pid $(cat "$pidfile"))"; return 0; fi
  if port_open "$ready_port"; then log "port $ready_port is already served by another process; using it"; return 0; fi
  local cp; cp="$(classpath)"
  write_config
  if [ ! -f "$home/data/meta.properties" ]; then
    local id="${KAFKA_CLUSTER_ID:-}"
    [ -n "$id" ] || id="$(java_cmd "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    java_cmd "$cp" kafka.tools.StorageTool format -t "$id" -c "$home/server.properties" --ignore-formatted >/dev/null
  fi
  : > "$logfile"
  # shellcheck disable=SC2086 # the GC options are several words
  nohup java -Xmx"$heap" -Xms128m $gc -Xlog:gc:file="$home/gc.log":time,uptimemillis:filecount=2,filesize=10m \
    -Djava.awt.headless=true \
    -Dkafka.logs.dir="$home" -Dlog4j.configuration="file:$home/log4j.properties" \
    -cp "$cp" kafka.Kafka "$home/server.properties" > "$home/stdout.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  log "starting (pid $!), waiting for clients to be accepted"
  for _ in $(seq 1 120); do
    if ! is_running; then log "broker exited; see $home/stdout.log"; tail -20 "$home/stdout.log" >&2; return 1; fi
    if grep -q "Kafka Server started" "$logfile" 2>/dev/null && port_open "$ready_port"; then
      log "ready on 127.0.0.1:$ready_port ($roles)"; return 0
    fi
    sleep 0.5
  done
  log "not ready after 60 s; see $logfile"; return 1
}

stop() {
  if ! is_running; then log "not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "stopped"; return 0; }
    sleep 0.5
  done
  log "did not stop in 30 s; killing"; kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"
}

status() {
  if is_running; then echo "running (pid $(cat "$pidfile")) on 127.0.0.1:$port"
  elif port_open "$port"; then echo "port $port served by a process this script did not start"
  else echo "stopped"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  classpath) classpath ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
